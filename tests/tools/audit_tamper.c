/* audit_tamper.c: a test tool that damages a stopped server's audit log
 * through the LMDB API, the way an intruder with the disk (or a dishonest
 * operator) could, so tests can prove the damage is detected.
 *
 *   audit_tamper --data DIR --seq N --flip
 *       flips one bit of one byte of entry N (the first byte of its action
 *       string), leaving every hash as it was: a careless forgery.
 *   audit_tamper --data DIR --seq N --flip-revision
 *       flips one bit of one byte of the record revision entry N names
 *       (a create's revision_digest: the first byte of its updated_by),
 *       leaving the entry and every hash as they were.
 *   audit_tamper --data DIR --rewrite-from N [--detail TEXT] [--key FILE]
 *       changes entry N's detail and recomputes every later leaf, hash,
 *       link and the head, so the chain is internally sound again: a
 *       careful forgery of the same length. With --key (the server's
 *       Ed25519 private key) it also re-signs every stored checkpoint at or
 *       after N with the new heads, so only a witness that kept an older
 *       checkpoint can tell.
 *   audit_tamper --data DIR --head
 *       prints "size=N head=HEX" of the stored head.
 *
 * Exits 0 on success, 1 on failure (with the reason on stderr). */
#include <errno.h>
#include <getopt.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/be.h"
#include "common/hearth.h"

typedef struct db {
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi audit, links, meta, cps;
} db;

static int die(const char *what, int rc)
{
	fprintf(stderr, "audit_tamper: %s: %s\n", what, rc ? mdb_strerror(rc) : "failed");
	return 1;
}

static int put_entry(db *d, uint64_t seq, const Hearth__AuditEntry *e)
{
	uint8_t key[8];
	size_t n = hearth__audit_entry__get_packed_size(e);
	uint8_t *buf = malloc(n ? n : 1);
	MDB_val k = { 8, key }, v = { n, buf };
	int rc;

	if (!buf)
		return ENOMEM;
	hearth__audit_entry__pack(e, buf);
	be64_put(key, seq);
	rc = mdb_put(d->txn, d->audit, &k, &v, 0);
	free(buf);
	return rc;
}

static Hearth__AuditEntry *get_entry(db *d, uint64_t seq)
{
	uint8_t key[8];
	MDB_val k = { 8, key }, v;
	be64_put(key, seq);
	if (mdb_get(d->txn, d->audit, &k, &v) != 0)
		return NULL;
	return hearth__audit_entry__unpack(NULL, v.mv_size, v.mv_data);
}

static int flip(db *d, uint64_t seq)
{
	uint8_t key[8], *copy, *hit = NULL;
	MDB_val k = { 8, key }, v;
	Hearth__AuditEntry *e;
	size_t alen;
	int rc;

	be64_put(key, seq);
	if ((rc = mdb_get(d->txn, d->audit, &k, &v)) != 0)
		return die("no such entry", rc);
	e = hearth__audit_entry__unpack(NULL, v.mv_size, v.mv_data);
	if (!e || !e->action[0] || (alen = strlen(e->action)) > 127)
		return die("the entry does not decode or has no action", 0);
	copy = malloc(v.mv_size);
	if (!copy)
		return die("out of memory", 0);
	memcpy(copy, v.mv_data, v.mv_size);
	/* The action is field 7, wire type 2: tag 0x3a, one length byte. */
	for (size_t i = 0; i + 2 + alen <= v.mv_size && !hit; i++)
		if (copy[i] == 0x3a && copy[i + 1] == alen && !memcmp(copy + i + 2, e->action, alen))
			hit = copy + i + 2;
	hearth__audit_entry__free_unpacked(e, NULL);
	if (!hit) {
		free(copy);
		return die("cannot find the action bytes", 0);
	}
	*hit ^= 1;
	v.mv_data = copy;
	rc = mdb_put(d->txn, d->audit, &k, &v, 0);
	free(copy);
	if (rc)
		return die("cannot write the entry", rc);
	printf("flipped one byte of entry %llu\n", (unsigned long long)seq);
	return 0;
}

static int flip_revision(db *d, uint64_t seq)
{
	uint8_t key[24], *copy, *hit = NULL;
	MDB_val k = { 24, key }, v;
	Hearth__AuditEntry *e = get_entry(d, seq);
	Hearth__Record *r;
	MDB_dbi revs;
	size_t blen;
	int rc;

	if (!e || e->record_id.len != 16 || e->revision_digest.len != 32) {
		if (e)
			hearth__audit_entry__free_unpacked(e, NULL);
		return die("the entry names no revision", 0);
	}
	memcpy(key, e->record_id.data, 16);
	be64_put(key + 16, e->rev_after);
	hearth__audit_entry__free_unpacked(e, NULL);
	if ((rc = mdb_dbi_open(d->txn, "revs", 0, &revs)) != 0 || (rc = mdb_get(d->txn, revs, &k, &v)) != 0)
		return die("no such revision", rc);
	r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
	if (!r || !r->updated_by || (blen = strlen(r->updated_by)) == 0 || blen > 127) {
		if (r)
			hearth__record__free_unpacked(r, NULL);
		return die("the revision does not decode or has no updated_by", 0);
	}
	copy = malloc(v.mv_size);
	if (!copy) {
		hearth__record__free_unpacked(r, NULL);
		return die("out of memory", 0);
	}
	memcpy(copy, v.mv_data, v.mv_size);
	for (size_t i = 0; i + 1 + blen <= v.mv_size && !hit; i++)
		if (copy[i] == blen && !memcmp(copy + i + 1, r->updated_by, blen))
			hit = copy + i + 1;
	hearth__record__free_unpacked(r, NULL);
	if (!hit) {
		free(copy);
		return die("cannot find the updated_by bytes", 0);
	}
	*hit ^= 1;
	v.mv_data = copy;
	rc = mdb_put(d->txn, revs, &k, &v, 0);
	free(copy);
	if (rc)
		return die("cannot write the revision", rc);
	printf("flipped one byte of the revision entry %llu names\n", (unsigned long long)seq);
	return 0;
}

static int rewrite(db *d, uint64_t from, const char *detail, const char *keyfile)
{
	uint8_t key[8], prev[AUDIT_HASH_LEN], (*hashes)[AUDIT_HASH_LEN] = NULL;
	MDB_val k = { 8, key }, v;
	MDB_cursor *c = NULL;
	EVP_PKEY *sk = NULL;
	uint64_t size, seq;
	char err[300];
	int rc, mrc;

	if ((rc = mdb_get(d->txn, d->meta, &(MDB_val){ 10, "audit_head" }, &v)) != 0 || v.mv_size != 40)
		return die("no audit_head", rc);
	size = be64_get(v.mv_data);
	if (from < 1 || from > size)
		return die("--rewrite-from is outside the log", 0);
	hashes = calloc(size + 1, AUDIT_HASH_LEN);
	if (!hashes)
		return die("out of memory", 0);
	memset(prev, 0, sizeof(prev));
	for (seq = 1; seq <= size; seq++) {
		Hearth__AuditEntry *e = get_entry(d, seq);
		uint8_t leaf[AUDIT_HASH_LEN], h[AUDIT_HASH_LEN], link[2 * AUDIT_HASH_LEN];
		ProtobufCBinaryData orig_prev, orig_hash;
		char *orig_detail;
		if (!e) {
			free(hashes);
			return die("an entry is missing or does not decode", 0);
		}
		if (seq < from) {
			memcpy(prev, e->hash.data, AUDIT_HASH_LEN);
			memcpy(hashes[seq], prev, AUDIT_HASH_LEN);
			hearth__audit_entry__free_unpacked(e, NULL);
			continue;
		}
		orig_detail = e->detail;
		orig_prev = e->prev_hash;
		orig_hash = e->hash;
		if (seq == from)
			e->detail = (char *)detail;
		e->prev_hash.data = prev;
		e->prev_hash.len = AUDIT_HASH_LEN;
		audit_leaf(e, leaf);
		audit_link(prev, leaf, h);
		e->hash.data = h;
		e->hash.len = AUDIT_HASH_LEN;
		rc = put_entry(d, seq, e);
		/* Give the unpacked message back its own pointers before freeing. */
		e->prev_hash = orig_prev;
		e->hash = orig_hash;
		e->detail = orig_detail;
		hearth__audit_entry__free_unpacked(e, NULL);
		if (rc) {
			free(hashes);
			return die("cannot write an entry", rc);
		}
		memcpy(link, leaf, AUDIT_HASH_LEN);
		memcpy(link + AUDIT_HASH_LEN, h, AUDIT_HASH_LEN);
		be64_put(key, seq);
		v.mv_size = sizeof(link);
		v.mv_data = link;
		if ((rc = mdb_put(d->txn, d->links, &k, &v, 0)) != 0) {
			free(hashes);
			return die("cannot write a link", rc);
		}
		memcpy(prev, h, AUDIT_HASH_LEN);
		memcpy(hashes[seq], h, AUDIT_HASH_LEN);
	}
	{
		uint8_t head[40];
		be64_put(head, size);
		memcpy(head + 8, prev, AUDIT_HASH_LEN);
		if ((rc = mdb_put(d->txn, d->meta, &(MDB_val){ 10, "audit_head" }, &(MDB_val){ 40, head }, 0))) {
			free(hashes);
			return die("cannot write the head", rc);
		}
	}
	if (keyfile) {
		sk = audit_load_key(keyfile, err, sizeof(err));
		if (!sk) {
			free(hashes);
			fprintf(stderr, "audit_tamper: %s\n", err);
			return 1;
		}
		if ((rc = mdb_cursor_open(d->txn, d->cps, &c)) != 0) {
			EVP_PKEY_free(sk);
			free(hashes);
			return die("cannot open checkpoints", rc);
		}
		for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0; mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			Hearth__Checkpoint *cp = hearth__checkpoint__unpack(NULL, v.mv_size, v.mv_data);
			Hearth__Checkpoint nc = HEARTH__CHECKPOINT__INIT;
			uint8_t *buf;
			size_t n;
			if (!cp)
				continue;
			if (cp->size < from || cp->size > size) {
				hearth__checkpoint__free_unpacked(cp, NULL);
				continue;
			}
			nc.size = cp->size;
			nc.time = cp->time;
			nc.head_hash.data = hashes[cp->size];
			nc.head_hash.len = AUDIT_HASH_LEN;
			hearth__checkpoint__free_unpacked(cp, NULL);
			if (audit_sign_checkpoint(sk, &nc) != 0)
				continue;
			n = hearth__checkpoint__get_packed_size(&nc);
			buf = malloc(n);
			if (buf) {
				MDB_val nv = { n, buf };
				hearth__checkpoint__pack(&nc, buf);
				if ((rc = mdb_cursor_put(c, &k, &nv, MDB_CURRENT)) != 0)
					fprintf(stderr, "audit_tamper: cannot re-sign checkpoint %llu: %s\n",
					        (unsigned long long)nc.size, mdb_strerror(rc));
				free(buf);
			}
			free(nc.signature.data);
		}
		mdb_cursor_close(c);
		EVP_PKEY_free(sk);
	}
	free(hashes);
	printf("rewrote entry %llu and the %llu entries after it\n", (unsigned long long)from,
	       (unsigned long long)(size - from));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },     { "seq", required_argument, NULL, 's' },
		{ "flip", no_argument, NULL, 'f' },           { "rewrite-from", required_argument, NULL, 'r' },
		{ "detail", required_argument, NULL, 't' },   { "key", required_argument, NULL, 'k' },
		{ "head", no_argument, NULL, 'H' },           { "flip-revision", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *detail = "rewritten by audit_tamper", *keyfile = NULL;
	uint64_t seq = 0, from = 0;
	int o, do_flip = 0, do_head = 0, do_flip_rev = 0, rc;
	db d;

	memset(&d, 0, sizeof(d));
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd': dir = optarg; break;
		case 's': seq = strtoull(optarg, NULL, 10); break;
		case 'f': do_flip = 1; break;
		case 'r': from = strtoull(optarg, NULL, 10); break;
		case 't': detail = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'H': do_head = 1; break;
		case 'R': do_flip_rev = 1; break;
		default: return 2;
		}
	}
	if (!dir || (!((do_flip || do_flip_rev) && seq) && !from && !do_head)) {
		fprintf(stderr, "usage: audit_tamper --data DIR (--seq N --flip | --seq N --flip-revision | --rewrite-from N "
		                "[--detail T] [--key FILE] | --head)\n");
		return 2;
	}
	if ((rc = mdb_env_create(&d.env)) != 0 || (rc = mdb_env_set_maxdbs(d.env, 32)) != 0 ||
	    (rc = mdb_env_open(d.env, dir, 0, 0600)) != 0)
		return die("cannot open the store", rc);
	if ((rc = mdb_txn_begin(d.env, NULL, 0, &d.txn)) != 0 ||
	    (rc = mdb_dbi_open(d.txn, "audit", 0, &d.audit)) != 0 ||
	    (rc = mdb_dbi_open(d.txn, "audit_links", 0, &d.links)) != 0 ||
	    (rc = mdb_dbi_open(d.txn, "meta", 0, &d.meta)) != 0 ||
	    (rc = mdb_dbi_open(d.txn, "checkpoints", MDB_CREATE, &d.cps)) != 0) {
		mdb_env_close(d.env);
		return die("cannot open the audit databases", rc);
	}
	if (do_head) {
		MDB_val v;
		char hex[2 * AUDIT_HASH_LEN + 1];
		rc = mdb_get(d.txn, d.meta, &(MDB_val){ 10, "audit_head" }, &v);
		if (rc == 0 && v.mv_size == 40) {
			audit_hex((const uint8_t *)v.mv_data + 8, AUDIT_HASH_LEN, hex);
			printf("size=%llu head=%s\n", (unsigned long long)be64_get(v.mv_data), hex);
		}
		rc = rc ? 1 : 0;
		mdb_txn_abort(d.txn);
	} else {
		rc = do_flip_rev ? flip_revision(&d, seq) : do_flip ? flip(&d, seq) : rewrite(&d, from, detail, keyfile);
		if (rc == 0 && (rc = mdb_txn_commit(d.txn)) != 0)
			rc = die("cannot commit", rc);
		else if (rc != 0)
			mdb_txn_abort(d.txn);
	}
	mdb_env_close(d.env);
	return rc ? 1 : 0;
}
