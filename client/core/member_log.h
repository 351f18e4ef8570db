/* member_log.h: appending one dated line to a record's list, the one copy
 * that `hearth KIND note`, `hearth member need` and the web app's member
 * page share: a progress note or a mobile member's contact (ProgressNote:
 * date, channel, note, by) and a talk owed (需谈话事项, TalkNeed). The
 * caller then stores the record as one edit, validated like any edit. */
#ifndef HEARTH_MEMBER_LOG_H
#define HEARTH_MEMBER_LOG_H

#include <stddef.h>

#include "common/kinds.h"
#include "proto/hearth.pb-c.h"

/* What one appended line says; every text is borrowed and copied. NULL
 * texts are stored as empty. */
typedef struct member_log_line {
	const char *date;       /* ISO day; record validation checks it */
	const char *note;       /* 内容 / 说明 */
	const char *channel;    /* a contact's 方式 (电话, 微信 …); notes only */
	const char *by;         /* 登记人 */
	const char *reason;     /* a talk owed's trigger, as people type it; needs only */
	const char *record;     /* how messages name the record (its id or name) */
} member_log_line;

/* Parses a talk owed's reason (a TalkTrigger as people type it) into
 * *reason. Returns 0, or HEARTH_EINVAL with why (cap bytes) listing the
 * triggers; shown is how the message quotes the text. */
int member_log_reason(const char *text, const char *shown, int *reason, char *why, size_t cap);

/* The repeated ProgressNote field of kind k (a pairing's progress, a
 * member's contact log), or NULL when the kind has none. */
const ProtobufCFieldDescriptor *member_log_notes_field(const kind_info *k);

/* Appends a ProgressNote to body (a message of kind k, owned by the caller
 * and freed with its record by protobuf-c's default allocator). Returns 0;
 * HEARTH_EINVAL with why (cap bytes) saying what is wrong when the kind
 * has no notes or the list is full; HEARTH_ENOMEM. */
int member_log_add_note(const kind_info *k, ProtobufCMessage *body, const member_log_line *l, char *why,
                        size_t cap);

/* Appends a TalkNeed to mem. Returns 0; HEARTH_EINVAL with why when the
 * reason is not a talk trigger or the list is full; HEARTH_ENOMEM. */
int member_log_add_need(Hearth__Member *mem, const member_log_line *l, char *why, size_t cap);

#endif
