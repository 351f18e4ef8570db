/* audit_text.h: an audit entry in words, and the times and numbers its
 * filters take (audit_text.c), shared by `hearth audit …` and the
 * auditor's pages of `hearth ui`. Nothing here prints or connects.
 *
 * Strings returned malloc'd belong to the caller; out buffers are always
 * NUL-terminated. */
#ifndef HEARTH_CORE_AUDIT_TEXT_H
#define HEARTH_CORE_AUDIT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "common/record.h"

void audq_hex_of(const ProtobufCBinaryData *b, char *out, size_t cap);

/* A record or conflict id as text: canonical UUID when 16 bytes. */
void audq_id_text(const ProtobufCBinaryData *b, char *out, size_t cap);

/* Parses an unsigned decimal in [min, max]. */
int audq_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* --since/--until: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or with a T, local
 * time unless it ends in Z; or milliseconds since the epoch. A bare date
 * in --until means the end of that day, so "--since D --until D" is day D. */
int audq_parse_when(const char *s, int until, int64_t *ms);

struct member_namer;   /* member_lookup.h */

/* One side of a change for people, the one printer of `hearth history`,
 * `audit log`, `audit show` and the history page of `hearth ui`
 * (value_field_format, VALUE_STYLE_PEOPLE): money in 元, enum labels,
 * references by name when names (may be NULL) knows the record, yes/no as
 * 是/否, notes, contacts and talk needs as text; a sensitive value, which
 * the server keeps only as a keyed digest, as the first digits of that
 * digest. Returns a malloc'd string or NULL. */
char *audq_change_side(const kind_info *k, const Hearth__AuditChange *c, const ProtobufCBinaryData *v,
                       struct member_namer *names);

const char *audq_change_label(const kind_info *k, const Hearth__AuditChange *c);

const char *audq_change_name(const Hearth__AuditChange *c, char *buf, size_t cap);

/* The field changes e describes, into *changes (borrowed from e): its own,
 * or for a create that names its revision (revision_digest), the fields
 * the server read from that revision (none when it found the revision
 * damaged or missing). Returns their count. */
size_t audq_changes(const Hearth__AuditEntry *e, Hearth__AuditChange *const **changes);

/* What is wrong with the revision e names, in words (translated, static),
 * or NULL when e names none or the server found it matching e's digest. */
const char *audq_revision_problem(const Hearth__AuditEntry *e);

/* The field as people name it: its Chinese label, or its name when the
 * kind gives none. Static, or buf. */
const char *audq_change_title(const kind_info *k, const Hearth__AuditChange *c, char *buf, size_t cap);

/* "姓名: 王 → 李; 联系电话: (sensitive…) → (sensitive…)" or the detail;
 * names as for audq_change_side. */
char *audq_summary(const Hearth__AuditEntry *e, struct member_namer *names);

/* The entry's record for a listing: its name when names knows it
 * ("王秀英"), else the last 12 hex digits of its id, which tell records
 * apart (every record of a branch shares the first ones) and can be
 * typed back. "" when the entry has no record. */
void audq_record_text(const Hearth__AuditEntry *e, struct member_namer *names, char *out, size_t cap);

void audq_who(const Hearth__AuditEntry *e, char *out, size_t cap);

void audq_role_branch(const Hearth__AuditEntry *e, char *out, size_t cap);

#endif
