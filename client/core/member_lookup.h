/* member_lookup.h: finding a member of the local replica by name. */
#ifndef HEARTH_MEMBER_LOOKUP_H
#define HEARTH_MEMBER_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"

/* Finds the one member (deleted ones included, so the audit of a deleted
 * member stays reachable) whose name is exactly name. Returns 0 with *id
 * set; HEARTH_ENOTFOUND when none has it; HEARTH_EINVAL when several do,
 * with err listing each candidate's birth date, join date and id, so the
 * person can pick one by id; or another negative HEARTH_E* code from the
 * replica. err is always NUL-terminated when errlen > 0. */
int member_find_by_name(replica *r, const char *name, uint8_t id[16], char *err, size_t errlen);

/* The same among members that are not deleted: a new reference may point
 * only at one of them. */
int member_find_live_by_name(replica *r, const char *name, uint8_t id[16], char *err, size_t errlen);

/* Resolves what a person typed for a record: text that can be an id (hex
 * digits and dashes) goes to replica_resolve_id (a full id, a unique prefix
 * or a unique 12-digit tail); a name as member_namer_text prints a shared
 * one ("王秀英 (…3f9e2d01a2c4)") is found by its tail, which must be that
 * member's; any other text is a member's name (member_find_by_name).
 * Returns as those do, with err set. */
int member_lookup_record(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen);

/* Which records a name may find. */
typedef enum lookup_scope {
	LOOKUP_LIVE = 0,        /* records that are not deleted (show, edit, delete, note) */
	LOOKUP_DELETED,         /* deleted ones only (restore) */
} lookup_scope;

/* Resolves what a person typed for a record of kind k. An id, a prefix or
 * a tail goes to replica_resolve_id, as member_lookup_record. For a member
 * record a name is the member's. For any other kind a member's name (or
 * "NAME (…TAIL)") finds the records of kind k in scope that refer to that
 * member: the one there is (0, *id set); none (HEARTH_ENOTFOUND, "王秀英
 * has no 走访慰问 record in the local replica"); or several
 * (HEARTH_EINVAL, each listed with its date and id to pick from). A shared
 * member name lists the members (member_find_by_name). err is always
 * terminated when errlen > 0. */
int member_lookup_kind_record(replica *r, const kind_info *k, const char *text, lookup_scope scope,
                              uint8_t id[16], char *err, size_t errlen);

/* Finds the open conflict a person means: its id or a unique prefix
 * (replica_get_conflict), or a member's name (or "NAME (…TAIL)"): the one
 * open conflict about that member's record or a record that refers to
 * them. None is HEARTH_ENOTFOUND; several are HEARTH_EINVAL with each listed
 * (kind, record date, conflict id). *out is the caller's
 * (hearth__conflict__free_unpacked). */
int member_lookup_conflict(replica *r, const char *text, Hearth__Conflict **out, char *err, size_t errlen);

/* The names of the replica's members (deleted ones too), sorted, so that a
 * reference can be printed by name alone unless two members share it. */
typedef struct member_names {
	char **names;
	size_t n;
} member_names;

/* Fills *out (the caller frees it with member_names_free). Returns 0 or a
 * negative HEARTH_E* code, leaving *out empty. */
int member_names_load(replica *r, member_names *out);

/* How many members are named name. */
size_t member_names_count(const member_names *mn, const char *name);

void member_names_free(member_names *mn);

/* A reference (a record id held by another record) as people know it: the
 * name of the record it points to (a member, usually), marked （已删除）
 * when that record is deleted, and, only when two members share the name,
 * the last 12 hex digits of the id ("王秀英 (…3f9e2d01a2c4)"), which tell
 * them apart and can be typed back. The names are loaded at the first
 * collision check and kept until member_namer_free; r is borrowed and must
 * stay open while the namer is used. */
typedef struct member_namer {
	replica *r;
	member_names names;
	int loaded;            /* 0 not yet, 1 loaded, -1 could not be read */
} member_namer;

void member_namer_init(member_namer *n, replica *r);

/* Writes the name of the record id refers to into out (always terminated
 * when cap > 0). Returns 1 when it wrote one, 0 when the replica holds no
 * named record of that id (the caller shows the id). */
int member_namer_text(member_namer *n, const uint8_t id[16], char *out, size_t cap);

void member_namer_free(member_namer *n);

#endif
