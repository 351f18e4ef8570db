/* print_html.h: printable A4 HTML documents of a branch: `hearth report
 * year --html` (the year's figures) and `hearth report ledger --html` (a
 * ledger, 台账), each ONE self-contained file (inline CSS with @page A4
 * rules, no scripts, fonts or images), every text escaped; and the year's
 * figures as tables for the committee's report too. */
#ifndef HEARTH_PRINT_HTML_H
#define HEARTH_PRINT_HTML_H

#include <stdio.h>

#include "client/core/ledger.h"
#include "common/yearly.h"

/* Writes s as HTML text (escaping & < > " '); NULL writes nothing. */
void print_html_escape(FILE *f, const char *s);

/* Who and what a document is about, printed under its title. */
typedef struct print_info {
	const char *branch;         /* "第一党支部（b001）" or "b001" */
	const char *generated;      /* "2026-11-27" */
	const char *note;           /* a line under the title ("敏感信息已遮蔽"), or NULL */
} print_info;

/* Writes the figures of y as one table per section (类别 项目 数值; money
 * in 元) and the 光荣在党50年 list, without the document around them:
 * the committee's report embeds them. */
void print_html_year_tables(FILE *f, const yearly_report *y);

/* The whole year report of one branch, A4 portrait. Returns 0 or
 * HEARTH_EIO when f reported an error. */
int print_html_year(FILE *f, const yearly_report *y, const print_info *info);

/* A ledger, A4 landscape, headers repeated on every printed page, a
 * signature line at the foot. Returns 0 or HEARTH_EIO. */
int print_html_ledger(FILE *f, const ledger *l, const print_info *info);

/* Writes a file whole or not at all: write(f, ctx) into a temporary file
 * beside path (mode 0644), flushed and fsynced, then renamed over path.
 * write returns 0 or a negative HEARTH_E* code. Returns 0, or the error
 * with err naming the file and the cause (the old file stays as it was). */
int print_html_file(const char *path, int (*write)(FILE *f, void *ctx), void *ctx, char *err,
                    size_t cap);

#endif
