/* record_replica.h: a record command's access to the replica: opening it, loading and
 * attaching bodies, choosing the branch, and the reveal/export events it
 * queues for the next sync (record_replica.c). Functions returning int return an
 * exit code from cli.h after printing why (via rargs_say), unless their
 * comment says otherwise. */
#ifndef HEARTH_CMD_RECORD_REPLICA_H
#define HEARTH_CMD_RECORD_REPLICA_H

#include <stddef.h>

#include "client/cmd/record_args.h"
#include "client/core/event_list.h"
#include "common/uuid.h"


int rrep_open_replica(record_cmd *m);

/* Resolves the ID argument and loads the record's local view, checking it
 * is of this command's kind. Returns an exit code; *out is the caller's. */
int rrep_load_record(record_cmd *m, uint8_t id[UUID_LEN], Hearth__Record **out);

/* The branch a branch principal's replica belongs to, as the sync stored it
 * in meta "branch" (with or without a trailing NUL). */
int rrep_meta_branch(replica *r, char *out, size_t cap);

/* Which branch a new record belongs to: a branch principal always writes its
 * own branch (the server would refuse anything else), an admin must say. */
int rrep_pick_branch(record_cmd *m, char *out, size_t cap);

int rrep_sensitive_kind(const kind_info *k);

/* Queues the events in one replica transaction; refuses (exit code) when
 * that fails, so the caller shows nothing unrecorded. */
int rrep_events_queue(record_cmd *m, event_list *l);

/* The rules that need other records (client/core/local_rules.h), against
 * the replica: refused like a validation error (EXIT_USAGE, said why). */
int rrep_check_local_rules(record_cmd *m, const uint8_t id[UUID_LEN], const char *branch,
                           const ProtobufCMessage *body, const ProtobufCMessage *old_body);

/* Records a local edit of rec whose body (attached to rec) was changed in
 * place: validates it like the command line's edits, checks the rules
 * that need other records against the replica, and appends the op
 * (replica_edit). Prints why on refusal; returns an exit code. */
int records_save_edit(record_cmd *m, const uint8_t id[UUID_LEN], Hearth__Record *rec,
                      const ProtobufCMessage *body);

#endif
