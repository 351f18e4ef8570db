/* audit_keys.c: finds, and at a store's first start makes, the audit signing
 * key and the keyed-digest secret; refuses to make either again. */
#include "server/audit_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hearth.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/sha256.h"

int audit_keys_key_path(const char *configured, const char *data_dir, char *out, size_t cap)
{
	int n;

	if (configured && configured[0])
		n = snprintf(out, cap, "%s", configured);
	else
		n = snprintf(out, cap, "%s/%s", data_dir, AUDIT_KEYS_KEY_NAME);
	return n < 0 || (size_t)n >= cap ? HEARTH_ETOOBIG : 0;
}

int audit_keys_fingerprint(EVP_PKEY *key, char out[AUDIT_KEYS_FINGERPRINT_LEN])
{
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	int n = i2d_PUBKEY(key, &der);

	if (n <= 0)
		return HEARTH_ETLS;
	hearth_sha256(der, (size_t)n, md);
	OPENSSL_free(der);
	memcpy(out, "SHA256:", 7);
	audit_hex(md, sizeof(md), out + 7);
	return 0;
}

/* Makes the directory entry of a renamed file durable. */
static int sync_dir_of(const char *path)
{
	char copy[1200];
	int fd, rc;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Writes key (its private half when priv, else its public half) as PEM to
 * path with mode, through path.tmp and a rename, so a crash leaves either
 * no file or a whole one. Returns 0 or HEARTH_EIO with err set. */
static int write_pem(EVP_PKEY *key, int priv, const char *path, mode_t mode, char *err, size_t errlen)
{
	char tmp[1210];
	FILE *f;
	int fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)unlink(tmp);   /* left by a start that died while writing */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		goto failed_open;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		goto failed_write;
	}
	ok = priv ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, key);
	if (!ok || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto failed_write;
	}
	if (fclose(f) != 0)
		goto failed_write;
	if (rename(tmp, path) != 0)
		goto failed_write;
	(void)sync_dir_of(path);
	return 0;
failed_write:
	unlink(tmp);
failed_open:
	snprintf(err, errlen, _("cannot write %s: %s; check that the data directory is writable by hearthd"),
	         path, strerror(errno));
	return HEARTH_EIO;
}

/* Tells the operator about a key made just now: its public half (for
 * `hearth init --audit-key`), its fingerprint (for the committee to
 * publish), and that it must be backed up. Also logged. */
static void announce_new_key(const audit_keys *k, const char *pub_path, const char *data_dir, FILE *out)
{
	char pub_hex[2 * AUDIT_KEY_LEN + 1];

	audit_hex(k->pub, AUDIT_KEY_LEN, pub_hex);
	log_event(LOG_WARN, "audit_key_created", "path", k->key_path, "public_key", pub_hex, "fingerprint",
	          k->fingerprint, "hint", "publish the public key and its fingerprint; back the key up beside the store",
	          NULL);
	if (!out)
		return;
	fprintf(out, _("hearthd: made a new audit signing key %s (mode 0600) for the store in %s.\n"), k->key_path,
	        data_dir);
	fprintf(out,
	        _("Publish its public key and fingerprint to the committee; clients trust it with "
	          "'hearth init --audit-key %s':\n"),
	        pub_path);
	PEM_write_PUBKEY(out, k->key);
	fprintf(out, _("fingerprint: %s\n"), k->fingerprint);
	fprintf(out,
	        _("Back up %s and %s/%s beside the store: hearthd refuses to start on the store without them.\n"),
	        k->key_path, data_dir, AUDIT_KEYS_SECRET_NAME);
	fflush(out);
}

/* Makes a new Ed25519 key at k->key_path (0600) and its public half beside
 * it in the data directory (0644). */
static int make_key(audit_keys *k, const audit_keys_opts *o, char *err, size_t errlen)
{
	char pub_path[1200];
	int rc;

	k->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k->key) {
		snprintf(err, errlen, _("cannot make an audit signing key: OpenSSL has no Ed25519 key generation"));
		return HEARTH_ETLS;
	}
	snprintf(pub_path, sizeof(pub_path), "%s/%s", o->data_dir, AUDIT_KEYS_PUB_NAME);
	if ((rc = write_pem(k->key, 1, k->key_path, 0600, err, errlen)) != 0 ||
	    (rc = write_pem(k->key, 0, pub_path, 0644, err, errlen)) != 0)
		goto failed_write;
	if (audit_public_key(k->key, k->pub) != 0 || audit_keys_fingerprint(k->key, k->fingerprint) != 0) {
		snprintf(err, errlen, _("cannot read the public half of the new audit key %s"), k->key_path);
		rc = HEARTH_ETLS;
		goto failed_write;
	}
	k->key_created = 1;
	announce_new_key(k, pub_path, o->data_dir, o->announce);
	return 0;
failed_write:
	EVP_PKEY_free(k->key);
	k->key = NULL;
	return rc;
}

static int load_key(audit_keys *k, const audit_keys_opts *o, char *err, size_t errlen)
{
	int configured = o->configured_key && o->configured_key[0];

	if (audit_keys_key_path(o->configured_key, o->data_dir, k->key_path, sizeof(k->key_path)) != 0) {
		snprintf(err, errlen, _("audit key: the path in %s is too long"), o->data_dir);
		return HEARTH_ETOOBIG;
	}
	/* Only the data directory's own key is ever made; a configured one
	 * that is missing is the operator's to fix. */
	if (!configured && access(k->key_path, F_OK) != 0 && errno == ENOENT) {
		if (o->checkpoints > 0) {
			snprintf(err, errlen,
			         _("audit key: %s is missing, but the store in %s already holds signed checkpoints "
			           "(%llu): replicas pinned the key that signed them, so hearthd will not make a new "
			           "one. Restore %s from the backup kept beside the store, or set [audit] key "
			           "(--audit-key) to where the key is kept, then start again."),
			         k->key_path, o->data_dir, (unsigned long long)o->checkpoints, AUDIT_KEYS_KEY_NAME);
			return AUDIT_KEYS_KEY_MISSING;
		}
		return make_key(k, o, err, errlen);
	}
	k->key = audit_load_key(k->key_path, err, errlen);
	if (!k->key)
		return HEARTH_EIO;
	if (audit_public_key(k->key, k->pub) != 0 || audit_keys_fingerprint(k->key, k->fingerprint) != 0) {
		snprintf(err, errlen, _("cannot read the public half of the audit key %s"), k->key_path);
		EVP_PKEY_free(k->key);
		k->key = NULL;
		return HEARTH_ETLS;
	}
	return 0;
}

/* The secret beside the key when that file exists, else the data
 * directory's, made when the store has no checkpoints yet. */
static int load_secret(audit_keys *k, const audit_keys_opts *o, char *err, size_t errlen)
{
	char beside[1200], own[1200], dir[1200];
	int create = 0;

	snprintf(dir, sizeof(dir), "%s", k->key_path);
	snprintf(beside, sizeof(beside), "%s/%s", strchr(k->key_path, '/') ? dirname(dir) : ".",
	         AUDIT_KEYS_SECRET_NAME);
	snprintf(own, sizeof(own), "%s/%s", o->data_dir, AUDIT_KEYS_SECRET_NAME);
	if (access(beside, R_OK) == 0) {
		snprintf(k->secret_path, sizeof(k->secret_path), "%s", beside);
	} else {
		snprintf(k->secret_path, sizeof(k->secret_path), "%s", own);
		if (access(own, F_OK) != 0 && errno == ENOENT) {
			if (o->checkpoints > 0) {
				const char *where = strcmp(beside, own) ? beside : NULL;
				if (where)
					snprintf(err, errlen,
					         _("audit secret: neither %s nor %s exists, but the store in %s already "
					           "holds signed checkpoints (%llu): the digests of sensitive values in its "
					           "audit entries are keyed with that secret, so hearthd will not make a "
					           "new one. Restore %s from the backup kept beside the store into %s, "
					           "then start again."),
					         own, where, o->data_dir, (unsigned long long)o->checkpoints,
					         AUDIT_KEYS_SECRET_NAME, o->data_dir);
				else
					snprintf(err, errlen,
					         _("audit secret: %s is missing, but the store in %s already holds signed "
					           "checkpoints (%llu): the digests of sensitive values in its audit "
					           "entries are keyed with that secret, so hearthd will not make a new "
					           "one. Restore %s from the backup kept beside the store, then start "
					           "again."),
					         own, o->data_dir, (unsigned long long)o->checkpoints, AUDIT_KEYS_SECRET_NAME);
				return AUDIT_KEYS_SECRET_MISSING;
			}
			create = 1;
		}
	}
	if (audit_load_secret(k->secret_path, create, k->secret, err, errlen) != 0)
		return HEARTH_EIO;
	k->secret_created = create;
	return 0;
}

int audit_keys_load(audit_keys *k, const audit_keys_opts *o, char *err, size_t errlen)
{
	int rc;

	memset(k, 0, sizeof(*k));
	if ((rc = load_key(k, o, err, errlen)) != 0)
		return rc;
	if ((rc = load_secret(k, o, err, errlen)) != 0)
		goto failed_secret;
	log_event(LOG_INFO, "audit_key", "path", k->key_path, "fingerprint", k->fingerprint, NULL);
	log_event(LOG_INFO, "audit_secret", "path", k->secret_path, NULL);
	return 0;
failed_secret:
	audit_keys_free(k);
	return rc;
}

void audit_keys_free(audit_keys *k)
{
	EVP_PKEY_free(k->key);
	k->key = NULL;
	OPENSSL_cleanse(k->secret, sizeof(k->secret));
}

/* The value of --data in argv ("--data DIR" or "--data=DIR"), or NULL. */
static const char *data_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--data=", 7))
			return argv[i] + 7;
	}
	return NULL;
}

void audit_keys_backup_reminder(FILE *out, int argc, char **argv)
{
	const char *data = data_arg(argc, argv);
	char key[1200], secret[1200];
	int have_key, have_secret;

	if (!data)
		return;
	snprintf(key, sizeof(key), "%s/%s", data, AUDIT_KEYS_KEY_NAME);
	snprintf(secret, sizeof(secret), "%s/%s", data, AUDIT_KEYS_SECRET_NAME);
	have_key = access(key, F_OK) == 0;
	have_secret = access(secret, F_OK) == 0;
	fprintf(out, _("reminder: the audit signing key and the audit secret are not inside the backup. Keep "
	               "them beside it: hearthd refuses to start on the restored store without them.\n"));
	if (have_key)
		fprintf(out, _("  audit signing key: %s\n"), key);
	else
		fprintf(out, _("  audit signing key: the file [audit] key (--audit-key) names in hearthd.ini\n"));
	if (have_secret)
		fprintf(out, _("  audit secret:      %s\n"), secret);
	else
		fprintf(out, _("  audit secret:      audit_secret beside that key\n"));
}
