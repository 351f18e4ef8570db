/* audit.h: the audit chain's arithmetic, shared by server and clients:
 * canonical bytes of an entry, leaf and link hashes, and the signed
 * checkpoint (Ed25519). Defined once here so every side (and the README's
 * description for outside tools) agrees byte for byte.
 *
 *   canonical = AuditEntry packed with prev_hash, hash, revision_changes and
 *               revision_check absent
 *   leaf      = SHA-256(canonical)
 *   hash      = SHA-256(prev_hash || leaf), prev_hash of entry 1 = 32 zero bytes
 *   checkpoint message = "hearth-checkpoint-v1" NUL || size (8, big-endian)
 *                        || head hash (32) || time ms (8, big-endian)
 *   signature = Ed25519(checkpoint message) */
#ifndef HEARTH_AUDIT_H
#define HEARTH_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "proto/hearth.pb-c.h"

#define AUDIT_HASH_LEN 32
#define AUDIT_KEY_LEN 32     /* raw Ed25519 public key */
#define AUDIT_SIG_LEN 64

/* Canonical bytes of e (prev_hash, hash and what the server added from
 * a named revision ignored) into a new malloc'd
 * buffer. Returns 0 or HEARTH_ENOMEM. */
int audit_canonical(const Hearth__AuditEntry *e, uint8_t **out, size_t *len);

/* leaf = SHA-256(canonical bytes of e). Returns 0 or HEARTH_ENOMEM. */
int audit_leaf(const Hearth__AuditEntry *e, uint8_t leaf[AUDIT_HASH_LEN]);

/* hash = SHA-256(prev || leaf). */
void audit_link(const uint8_t prev[AUDIT_HASH_LEN], const uint8_t leaf[AUDIT_HASH_LEN],
                uint8_t out[AUDIT_HASH_LEN]);

/* Checks one stored entry against the previous hash: its prev_hash equals
 * prev and its hash equals SHA-256(prev || leaf). Returns 0 or
 * HEARTH_ECORRUPT (why says which part failed). */
int audit_check_entry(const Hearth__AuditEntry *e, const uint8_t prev[AUDIT_HASH_LEN], char *why,
                      size_t whylen);

/* The bytes a checkpoint signature covers, into out (at least 64 bytes);
 * returns their length. */
size_t audit_checkpoint_message(uint64_t size, const uint8_t head[AUDIT_HASH_LEN], int64_t time_ms,
                                uint8_t *out);

/* Loads an Ed25519 private key (PEM). Returns NULL with err set. Free with
 * EVP_PKEY_free. */
EVP_PKEY *audit_load_key(const char *path, char *err, size_t errlen);

/* Raw 32-byte public key of a loaded key. Returns 0 or HEARTH_ETLS. */
int audit_public_key(EVP_PKEY *key, uint8_t out[AUDIT_KEY_LEN]);

/* The server's audit secret keys the digests of sensitive values in audit
 * entries (HMAC-SHA-256), so equal values still carry equal digests but an
 * export cannot be brute-forced. It never leaves the server. */
#define AUDIT_SECRET_LEN 32

/* Reads the first AUDIT_SECRET_LEN bytes of the file at path into out.
 * When the file does not exist and create is set, makes one (random bytes,
 * mode 0600) first. Returns 0, or a negative HEARTH_E* code with err saying
 * what failed. */
int audit_load_secret(const char *path, int create, uint8_t out[AUDIT_SECRET_LEN], char *err, size_t errlen);

/* out = HMAC-SHA-256(secret, data). */
void audit_keyed_digest(const uint8_t secret[AUDIT_SECRET_LEN], const void *data, size_t len, uint8_t out[32]);

/* Signs a checkpoint in place (cp->size, head_hash, time set by caller;
 * signature set here, malloc'd: free cp->signature.data). Returns 0 or
 * HEARTH_ETLS/HEARTH_ENOMEM. */
int audit_sign_checkpoint(EVP_PKEY *key, Hearth__Checkpoint *cp);

/* Verifies a checkpoint's signature with a raw public key. Returns 0 or
 * HEARTH_EAUTH. */
int audit_verify_checkpoint(const uint8_t pub[AUDIT_KEY_LEN], const Hearth__Checkpoint *cp);

/* A restore notice (RestoreNotice in proto/hearth.proto): the signed word
 * of a server restored from a backup, naming the checkpoint it was restored
 * to, so witnesses accept its shorter log once (issue 13 item 10). */
#define AUDIT_NOTICE_ID_LEN 16

/* Signs n in place (id, audit_size, audit_head, change_seq, time set by the
 * caller; signature set here, malloc'd: free n->signature.data). Returns 0,
 * HEARTH_EINVAL (id or head of the wrong length), HEARTH_ETLS or
 * HEARTH_ENOMEM. */
int audit_sign_notice(EVP_PKEY *key, Hearth__RestoreNotice *n);

/* Verifies a restore notice's signature with a raw public key. Returns 0
 * or HEARTH_EAUTH (also for a malformed notice). */
int audit_verify_notice(const uint8_t pub[AUDIT_KEY_LEN], const Hearth__RestoreNotice *n);

/* Lower-case hex of n bytes into out (2n+1). */
void audit_hex(const uint8_t *b, size_t n, char *out);

#endif
