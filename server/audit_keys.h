/* audit_keys.h: where hearthd's audit signing key and the secret of the
 * audit's keyed digests live; both are made at a store's first start and
 * never again silently.
 *
 * The key: the file [audit] key (--audit-key) names, or, when none is
 * configured, DATA/audit-ed25519.key (mode 0600, like sshd's host keys),
 * with its public half beside it as DATA/audit-ed25519.pub.
 * The secret: audit_secret beside the key when that file exists
 * (certs/mkcerts.sh makes one), else DATA/audit_secret.
 * A store that already holds signed checkpoints has had both: when either
 * file is missing then, hearthd refuses to start rather than make a new
 * one (replicas pinned the old key; digests under a new secret no longer
 * match the old ones). */
#ifndef HEARTHD_AUDIT_KEYS_H
#define HEARTHD_AUDIT_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/evp.h>

#include "common/audit.h"

/* The file names inside the data directory. */
#define AUDIT_KEYS_KEY_NAME "audit-ed25519.key"
#define AUDIT_KEYS_PUB_NAME "audit-ed25519.pub"
#define AUDIT_KEYS_SECRET_NAME "audit_secret"

/* "SHA256:" and 64 hex digits, NUL-terminated. */
#define AUDIT_KEYS_FINGERPRINT_LEN (7 + 64 + 1)

/* What audit_keys_load needs; every pointer is borrowed for the call. */
typedef struct audit_keys_opts {
	const char *configured_key;     /* [audit] key / --audit-key; NULL or "": the data directory's */
	const char *data_dir;           /* the store's directory; it exists (store_open made it) */
	uint64_t checkpoints;           /* signed checkpoints the store holds (audit_checkpoint_count) */
	FILE *announce;                 /* where a new key's public half and fingerprint are printed */
} audit_keys_opts;

/* The loaded key and secret. Plain data but for key. */
typedef struct audit_keys {
	EVP_PKEY *key;                  /* owned; freed by audit_keys_free */
	uint8_t pub[AUDIT_KEY_LEN];     /* raw Ed25519 public key */
	uint8_t secret[AUDIT_SECRET_LEN];
	char fingerprint[AUDIT_KEYS_FINGERPRINT_LEN];
	char key_path[1200];
	char secret_path[1200];
	int key_created;                /* made by this call (first start) */
	int secret_created;
} audit_keys;

/* How audit_keys_load refused, when it did not fail otherwise. */
enum audit_keys_refusal {
	AUDIT_KEYS_KEY_MISSING = -100,      /* no key file, but the store has checkpoints */
	AUDIT_KEYS_SECRET_MISSING = -101,   /* no secret file, but the store has checkpoints */
};

/* The key file hearthd uses: configured when given, else
 * DATA/audit-ed25519.key, into out (cap bytes). Returns 0, or
 * HEARTH_ETOOBIG when it does not fit. */
int audit_keys_key_path(const char *configured, const char *data_dir, char *out, size_t cap);

/* Loads the key and the secret into k, making either when it is missing and
 * the store has no checkpoints yet (announcing a new key's public half and
 * fingerprint on o->announce, and logging it). Returns 0; an
 * audit_keys_refusal with err saying what is missing and what to restore;
 * or another negative HEARTH_E* code with err saying what failed. On any
 * failure k holds nothing. */
int audit_keys_load(audit_keys *k, const audit_keys_opts *o, char *err, size_t errlen);

/* Frees the key. Idempotent. */
void audit_keys_free(audit_keys *k);

/* "SHA256:" and the hex SHA-256 of key's public half in DER
 * (SubjectPublicKeyInfo), which is what
 * `openssl pkey -pubin -in FILE.pub -outform DER | sha256sum` prints.
 * Returns 0 or HEARTH_ETLS. */
int audit_keys_fingerprint(EVP_PKEY *key, char out[AUDIT_KEYS_FINGERPRINT_LEN]);

/* After `hearthd backup --data DIR ...` (argv as it was given, argv[0]
 * "backup"): prints on out that the audit key and secret are not inside the
 * backup and names the files to keep beside it. */
void audit_keys_backup_reminder(FILE *out, int argc, char **argv);

#endif
