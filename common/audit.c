/* audit.c: canonical bytes, chain hashes and checkpoint signatures. */
#include "common/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/be.h"
#include "common/hearth.h"
#include "common/sha256.h"

static const uint8_t zero_hash[AUDIT_HASH_LEN];

void audit_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int audit_canonical(const Hearth__AuditEntry *e, uint8_t **out, size_t *len)
{
	/* A shallow copy with the chain fields and any unknown fields dropped:
	 * what a replica must hash is exactly what the schema defines. */
	Hearth__AuditEntry c = *e;
	uint8_t *buf;

	c.prev_hash.len = 0;
	c.prev_hash.data = NULL;
	c.hash.len = 0;
	c.hash.data = NULL;
	/* What the server adds from the revision an entry names is outside
	 * the chain: the chain covers revision_digest. */
	c.n_revision_changes = 0;
	c.revision_changes = NULL;
	c.revision_check = HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_UNCHECKED;
	c.base.n_unknown_fields = 0;
	c.base.unknown_fields = NULL;
	*len = hearth__audit_entry__get_packed_size(&c);
	buf = malloc(*len ? *len : 1);
	if (!buf)
		return HEARTH_ENOMEM;
	hearth__audit_entry__pack(&c, buf);
	*out = buf;
	return 0;
}

int audit_leaf(const Hearth__AuditEntry *e, uint8_t leaf[AUDIT_HASH_LEN])
{
	uint8_t *c;
	size_t n;
	int rc = audit_canonical(e, &c, &n);
	if (rc)
		return rc;
	hearth_sha256(c, n, leaf);
	free(c);
	return 0;
}

void audit_link(const uint8_t prev[AUDIT_HASH_LEN], const uint8_t leaf[AUDIT_HASH_LEN],
                uint8_t out[AUDIT_HASH_LEN])
{
	uint8_t buf[2 * AUDIT_HASH_LEN];
	memcpy(buf, prev ? prev : zero_hash, AUDIT_HASH_LEN);
	memcpy(buf + AUDIT_HASH_LEN, leaf, AUDIT_HASH_LEN);
	hearth_sha256(buf, sizeof(buf), out);
}

int audit_check_entry(const Hearth__AuditEntry *e, const uint8_t prev[AUDIT_HASH_LEN], char *why,
                      size_t whylen)
{
	uint8_t leaf[AUDIT_HASH_LEN], h[AUDIT_HASH_LEN];
	int rc;

	if (e->prev_hash.len != AUDIT_HASH_LEN || memcmp(e->prev_hash.data, prev, AUDIT_HASH_LEN) != 0) {
		snprintf(why, whylen, "its prev_hash does not match the hash of entry %llu",
		         (unsigned long long)(e->seq ? e->seq - 1 : 0));
		return HEARTH_ECORRUPT;
	}
	if ((rc = audit_leaf(e, leaf)) != 0) {
		snprintf(why, whylen, "%s", hearth_strerror(rc));
		return rc;
	}
	audit_link(prev, leaf, h);
	if (e->hash.len != AUDIT_HASH_LEN || memcmp(e->hash.data, h, AUDIT_HASH_LEN) != 0) {
		snprintf(why, whylen, "its contents do not hash to its recorded hash");
		return HEARTH_ECORRUPT;
	}
	return 0;
}

size_t audit_checkpoint_message(uint64_t size, const uint8_t head[AUDIT_HASH_LEN], int64_t time_ms,
                                uint8_t *out)
{
	static const char tag[] = "hearth-checkpoint-v1";
	size_t n = sizeof(tag); /* includes the NUL */
	memcpy(out, tag, n);
	for (int i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(size >> (8 * i));
	memcpy(out + n, head ? head : zero_hash, AUDIT_HASH_LEN);
	n += AUDIT_HASH_LEN;
	for (int i = 7; i >= 0; i--)
		out[n++] = (uint8_t)((uint64_t)time_ms >> (8 * i));
	return n;
}

EVP_PKEY *audit_load_key(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f) {
		snprintf(err, errlen, "cannot read audit signing key %s: %m", path);
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		snprintf(err, errlen, "%s is not a PEM private key", path);
		return NULL;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s is not an Ed25519 key (make one with: openssl genpkey -algorithm ed25519)",
		         path);
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

int audit_public_key(EVP_PKEY *key, uint8_t out[AUDIT_KEY_LEN])
{
	size_t n = AUDIT_KEY_LEN;
	if (EVP_PKEY_get_raw_public_key(key, out, &n) != 1 || n != AUDIT_KEY_LEN)
		return HEARTH_ETLS;
	return 0;
}

/* Signs msg (n bytes) with key into *sig (malloc'd; the caller's, or the
 * message's that holds it). Returns 0, HEARTH_ENOMEM or HEARTH_ETLS. */
static int sign_message(EVP_PKEY *key, const uint8_t *msg, size_t n, ProtobufCBinaryData *sig)
{
	size_t siglen = AUDIT_SIG_LEN;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *buf = malloc(AUDIT_SIG_LEN);
	int rc = HEARTH_ETLS;

	if (!buf || !md) {
		rc = HEARTH_ENOMEM;
	} else if (EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
	           EVP_DigestSign(md, buf, &siglen, msg, n) == 1) {
		sig->data = buf;
		sig->len = siglen;
		buf = NULL;
		rc = 0;
	}
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

/* 0 when sig is pub's Ed25519 signature of msg (n bytes), else HEARTH_EAUTH. */
static int verify_message(const uint8_t pub[AUDIT_KEY_LEN], const uint8_t *msg, size_t n,
                          const ProtobufCBinaryData *sig)
{
	EVP_PKEY *k;
	EVP_MD_CTX *md;
	int ok = 0;

	if (sig->len != AUDIT_SIG_LEN)
		return HEARTH_EAUTH;
	k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, AUDIT_KEY_LEN);
	md = EVP_MD_CTX_new();
	if (k && md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1)
		ok = EVP_DigestVerify(md, sig->data, sig->len, msg, n) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ok ? 0 : HEARTH_EAUTH;
}

int audit_sign_checkpoint(EVP_PKEY *key, Hearth__Checkpoint *cp)
{
	uint8_t msg[128];
	size_t n;

	if (cp->head_hash.len != AUDIT_HASH_LEN && cp->size != 0)
		return HEARTH_EINVAL;
	n = audit_checkpoint_message(cp->size, cp->head_hash.len ? cp->head_hash.data : NULL, cp->time, msg);
	return sign_message(key, msg, n, &cp->signature);
}

int audit_verify_checkpoint(const uint8_t pub[AUDIT_KEY_LEN], const Hearth__Checkpoint *cp)
{
	uint8_t msg[128];
	size_t n;

	if (cp->size && cp->head_hash.len != AUDIT_HASH_LEN)
		return HEARTH_EAUTH;
	n = audit_checkpoint_message(cp->size, cp->head_hash.len ? cp->head_hash.data : NULL, cp->time, msg);
	return verify_message(pub, msg, n, &cp->signature);
}

int audit_load_secret(const char *path, int create, uint8_t out[AUDIT_SECRET_LEN], char *err, size_t errlen)
{
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		uint8_t fresh[AUDIT_SECRET_LEN];
		if (RAND_bytes(fresh, sizeof(fresh)) != 1) {
			snprintf(err, errlen, "cannot make an audit secret: no random bytes");
			return HEARTH_EIO;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, fresh, sizeof(fresh)) != (ssize_t)sizeof(fresh) || fsync(fd) != 0) {
			snprintf(err, errlen, "cannot write the audit secret %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return HEARTH_EIO;
		}
		close(fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the audit secret %s: %s", path, strerror(errno));
		return HEARTH_EIO;
	}
	while (n < AUDIT_SECRET_LEN) {
		ssize_t r = read(fd, out + n, (size_t)(AUDIT_SECRET_LEN - n));
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	if (n < AUDIT_SECRET_LEN) {
		snprintf(err, errlen, "the audit secret %s holds %zd bytes; it needs %d (openssl rand -out FILE %d)",
		         path, n, AUDIT_SECRET_LEN, AUDIT_SECRET_LEN);
		return HEARTH_EINVAL;
	}
	return 0;
}

void audit_keyed_digest(const uint8_t secret[AUDIT_SECRET_LEN], const void *data, size_t len, uint8_t out[32])
{
	unsigned int outlen = 32;
	const EVP_MD *md = hearth_sha256_md();

	HMAC(md ? md : EVP_sha256(), secret, AUDIT_SECRET_LEN, data, len, out, &outlen);
}

/* ---------------------------------------------------------- restore notices */

#define NOTICE_TAG "hearth-restore-notice-v1"

/* The bytes a restore notice's signature covers (proto/hearth.proto,
 * RestoreNotice), into out (at least 128 bytes); 0 when the notice is not
 * well formed. */
static size_t notice_message(const Hearth__RestoreNotice *n, uint8_t *out)
{
	size_t len = sizeof(NOTICE_TAG);

	if (n->id.len != AUDIT_NOTICE_ID_LEN || n->audit_head.len != AUDIT_HASH_LEN)
		return 0;
	memcpy(out, NOTICE_TAG, len);
	memcpy(out + len, n->id.data, AUDIT_NOTICE_ID_LEN);
	len += AUDIT_NOTICE_ID_LEN;
	be64_put(out + len, n->audit_size);
	len += 8;
	memcpy(out + len, n->audit_head.data, AUDIT_HASH_LEN);
	len += AUDIT_HASH_LEN;
	be64_put(out + len, n->change_seq);
	len += 8;
	be64_put(out + len, (uint64_t)n->time);
	return len + 8;
}

int audit_sign_notice(EVP_PKEY *key, Hearth__RestoreNotice *n)
{
	uint8_t msg[128];
	size_t len = notice_message(n, msg);

	if (len == 0)
		return HEARTH_EINVAL;
	return sign_message(key, msg, len, &n->signature);
}

int audit_verify_notice(const uint8_t pub[AUDIT_KEY_LEN], const Hearth__RestoreNotice *n)
{
	uint8_t msg[128];
	size_t len = notice_message(n, msg);

	if (len == 0)
		return HEARTH_EAUTH;
	return verify_message(pub, msg, len, &n->signature);
}
