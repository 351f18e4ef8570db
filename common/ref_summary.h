/* ref_summary.h: the records that refer to a member, summed up by kind
 * (count and a few dates) in one sentence, so the client before a delete
 * and the server refusing one name them alike (issue 13 item 5).
 *
 * Nothing is allocated: a ref_summary is a plain value the caller owns. */
#ifndef HEARTH_REF_SUMMARY_H
#define HEARTH_REF_SUMMARY_H

#include <stddef.h>

#include "common/kinds.h"

#define REF_SUMMARY_FEW 3         /* dates named per kind */
#define REF_SUMMARY_KINDS 16

typedef struct ref_summary_kind {
	const kind_info *k;
	size_t n;
	size_t n_few;
	char few[REF_SUMMARY_FEW][16];  /* YYYY-MM-DD or YYYY-MM, as stored */
} ref_summary_kind;

typedef struct ref_summary {
	size_t total;
	size_t n_kinds;
	ref_summary_kind by[REF_SUMMARY_KINDS];
} ref_summary;

void ref_summary_init(ref_summary *s);

/* Counts one referring record of kind k; body (borrowed for the call) gives
 * its date: the first date or month field that is set. */
void ref_summary_add(ref_summary *s, const kind_info *k, const ProtobufCMessage *body);

/* "hardship 困难党员台账 ×1: 2026-01-05; visit 走访慰问 ×2: 2026-02-10,
 * 2026-03-01" into out (always terminated; cut to cap). */
void ref_summary_format(const ref_summary *s, char *out, size_t cap);

#endif
