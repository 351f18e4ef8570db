/* local_rules.h: the rules that need other records, checked against the
 * local replica before an edit is accepted offline (the server checks them
 * again in its store, server/refs.c): a member reference resolves to a
 * member of the same branch, one dues record per member-month, one open
 * hardship entry per member, lower dues of a member in hardship recorded
 * with the branch's decision and the committee's approval. */
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

/* Fills what a new or edited dues record d takes from its member when it
 * was not typed: the dues group (缴纳类别) and, for a group whose rate
 * depends on income, the base income (党费计算基数).  A member the replica
 * does not hold leaves d as it is.  Returns 0, or the replica's error. */
int local_rules_fill_dues(replica *r, Hearth__Dues *d);

#endif
