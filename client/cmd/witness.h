/* witness.h: the witness check run by the commands that connect
 * (witness.c): the key pinning and checkpoint storage around the core
 * judgement of client/core/witness.h, and the refusal people read.
 *
 * The replica holds the witness state (meta "checkpoint" and "audit_key");
 * the profile may name the audit public key to pin (profile.audit_key).
 * A refusal is printed on stderr as a multi-line message naming both
 * checkpoints and returns EXIT_WITNESS; the caller must then send and
 * receive nothing more on that session. */
#ifndef HEARTH_CMD_WITNESS_H
#define HEARTH_CMD_WITNESS_H

#include "client/cmd/cli.h"
#include "client/core/replica.h"
#include "client/core/session.h"
#include "client/core/witness.h"

/* Opens a session for this replica (its Hello carries the stored
 * checkpoint) and runs witness_check on the Welcome. Returns EXIT_OK, or
 * an exit code after printing why (connection failures as usual,
 * EXIT_WITNESS for a refusal). On failure s is still safe to close. */
int witness_connect(cli *c, session *s, replica *r, const char *cmd);

/* Checks the Welcome's checkpoint against the pinned key and the stored
 * checkpoint, fetching the proof links when the log grew, and stores the
 * new checkpoint (and the key, on first use) when all is well. Returns
 * EXIT_OK or an exit code after printing why. */
int witness_check(cli *c, session *s, replica *r, const char *cmd);

/* Checks the checkpoint of a push answer (cp, borrowed; NULL from a server
 * without push receipts: nothing to do) against the pinned key and the
 * pinned checkpoint, and pins it when the log only grew, so the replica's
 * pin covers every op the server acknowledged. Call it for each push answer
 * before storing its results. Returns EXIT_OK, or EXIT_WITNESS (or another
 * exit code) after printing why; the caller then stores nothing more. */
int witness_pin_push(cli *c, session *s, replica *r, const Hearth__Checkpoint *cp, const char *cmd);

/* Refuses a server whose pull cursor (theirs) is behind the replica's
 * (ours) instead of re-pulling from zero, which would drop records the
 * server had acknowledged. Returns EXIT_OK, or EXIT_WITNESS after printing
 * what that means and what to do. */
int witness_check_cursor(cli *c, uint64_t ours, uint64_t theirs, const char *cmd);

#endif
