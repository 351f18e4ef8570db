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

/* "branch", "admin", "auditor" or "-". Static. */
const char *audq_role_word(Hearth__Role r);

void audq_hex_of(const ProtobufCBinaryData *b, char *out, size_t cap);

/* A record or conflict id as text: canonical UUID when 16 bytes. */
void audq_id_text(const ProtobufCBinaryData *b, char *out, size_t cap);

/* Parses an unsigned decimal in [min, max]. */
int audq_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* --since/--until: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or with a T, local
 * time unless it ends in Z; or milliseconds since the epoch. A bare date
 * in --until means the end of that day, so "--since D --until D" is day D. */
int audq_parse_when(const char *s, int until, int64_t *ms);

/* One side of a change for people. Returns a malloc'd string or NULL. */
char *audq_change_side(const kind_info *k, const Hearth__AuditChange *c, const ProtobufCBinaryData *v);

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

/* "name: 王 → 李; phone: (sensitive…) → (sensitive…)" or the detail. */
char *audq_summary(const Hearth__AuditEntry *e);

void audq_who(const Hearth__AuditEntry *e, char *out, size_t cap);

void audq_role_branch(const Hearth__AuditEntry *e, char *out, size_t cap);

#endif
