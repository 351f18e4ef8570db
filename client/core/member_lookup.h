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

#endif
