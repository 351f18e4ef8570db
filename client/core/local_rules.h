/* local_rules.h: the rules that need other records, checked against the
 * local replica before an edit is accepted offline (the server checks them
 * again in its store, server/refs.c): a member reference resolves to a
 * member of the same branch, one dues record per member-month, one open
 * hardship entry per member. */
#ifndef HEARTH_LOCAL_RULES_H
#define HEARTH_LOCAL_RULES_H

#include "common/record.h"
#include "client/core/replica.h"

/* Checks body (kind k, record id, branch) against the replica. old_body is
 * the record's previous body (NULL for a new record): references it already
 * held are not checked again, as on the server. Returns 0, HEARTH_EINVAL
 * with err filled (field and message as the server words them), or another
 * negative code when the replica could not be read. */
int local_rules_check(replica *r, const kind_info *k, const uint8_t id[16], const char *branch,
                      const ProtobufCMessage *body, const ProtobufCMessage *old_body,
                      record_error *err);

#endif
