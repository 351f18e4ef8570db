/* witness.h: every client is a witness of the server's audit log: it keeps
 * the last signed checkpoint it accepted and, on each connect, checks that
 * the log only grew since (DESIGN section 6). witness.c.
 *
 * The replica holds the witness state (meta "checkpoint" and "audit_key");
 * the profile may name the audit public key to pin (profile.audit_key).
 * A refusal is printed on stderr as a multi-line message naming both
 * checkpoints and returns EXIT_WITNESS; the caller must then send and
 * receive nothing more on that session. */
#ifndef HEARTH_WITNESS_H
#define HEARTH_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/audit.h"
#include "client/cmd/cli.h"
#include "client/core/replica.h"
#include "client/core/session.h"

/* Reads a PEM Ed25519 public key (e.g. certs/dev/audit-ed25519.pub) into
 * its raw 32 bytes. Returns 0 or HEARTH_EINVAL/HEARTH_EIO with err set. */
int witness_load_pubkey(const char *path, uint8_t out[AUDIT_KEY_LEN], char *err, size_t errlen);

/* Opens a session for this replica (its Hello carries the stored
 * checkpoint) and runs witness_check on the Welcome. Returns EXIT_OK, or
 * an exit code after printing why (connection failures as usual,
 * EXIT_WITNESS for a refusal). On failure s is still safe to close. */
int witness_connect(cli *c, session *s, replica *r, const char *cmd);

/* Checks the Welcome's checkpoint against the pinned key and the stored
 * checkpoint, fetching the proof links when the log grew, and stores the
 * new checkpoint (and the key, on first use) when all is well. */
int witness_check(cli *c, session *s, replica *r, const char *cmd);

/* Walks the server's audit links (from, to] page by page (AuditProof),
 * checking that their sequence numbers follow each other, and calls fn for
 * each. fn returns 0 to go on. Returns 0; fn's non-zero value; HEARTH_EPROTO
 * with err set when the server answered something else or an Error (then
 * *server_code holds its ErrorCode); a negative code with s->error set when
 * the connection failed. */
typedef int (*witness_link_fn)(void *ctx, uint64_t seq, const uint8_t leaf[AUDIT_HASH_LEN],
                               const uint8_t hash[AUDIT_HASH_LEN]);
int witness_links(session *s, uint64_t from, uint64_t to, witness_link_fn fn, void *ctx,
                  int *server_code, char *err, size_t errlen);

/* The checkpoint's time as local "YYYY-MM-DD HH:MM:SS" into out. */
void witness_time(int64_t ms, char *out, size_t cap);

#endif
