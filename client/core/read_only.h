/* read_only.h: which records this replica may not change at all, and why
 * in the reader's language, checked before an edit, delete or restore is
 * queued (the server refuses the same ops: server/db/push.c). Today that
 * is a transfer's summary, which the server leaves in the sending branch
 * when the transfer is accepted (proto TransferSummary). */
#ifndef HEARTH_READ_ONLY_H
#define HEARTH_READ_ONLY_H

#include <stddef.h>

#include "proto/hearth.pb-c.h"

/* What read_only_check decided. */
enum read_only_result {
	READ_ONLY_NO = 0,             /* the record may be changed */
	READ_ONLY_SUMMARY = 1,        /* a transfer summary: why says so */
};

/* Whether rec (a replica's copy, borrowed) may not be changed; on
 * READ_ONLY_SUMMARY why (cap bytes, NUL-terminated) holds the sentence
 * that says so, naming the record, the member, the receiving branch and
 * the date of acceptance. */
enum read_only_result read_only_check(const Hearth__Record *rec, char *why, size_t cap);

#endif
