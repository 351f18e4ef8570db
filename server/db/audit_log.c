/* audit_log.c: the server's audit log: builds the entry of every change,
 * event and client report, appends it to the chain in the writer's
 * transaction, and verifies a store's chain offline. */
#include "server/db/audit_log.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "common/be.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/sha256.h"
#include "common/uuid.h"


void audit_set_actor(Hearth__AuditEntry *e, const actor *who)
{
	e->actor_fingerprint = (char *)who->fingerprint;
	e->actor_name = (char *)who->name;
	e->actor_role = who->role;
	e->actor_branch = (char *)who->branch;
}

int audit_head(store *s, MDB_txn *txn, uint64_t *size, uint8_t head[AUDIT_HASH_LEN])
{
	MDB_val k = { 10, "audit_head" }, v;
	int rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		*size = 0;
		memset(head, 0, AUDIT_HASH_LEN);
		return 0;
	}
	if (rc)
		return store_err(rc);
	if (v.mv_size != 8 + AUDIT_HASH_LEN)
		return HEARTH_ECORRUPT;
	*size = be64_get(v.mv_data);
	memcpy(head, (const uint8_t *)v.mv_data + 8, AUDIT_HASH_LEN);
	return 0;
}

int audit_append(store *s, MDB_txn *txn, Hearth__AuditEntry *e)
{
	uint8_t prev[AUDIT_HASH_LEN], leaf[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN], key[80], link[64];
	uint8_t headv[8 + AUDIT_HASH_LEN];
	uint64_t size;
	uint8_t *packed = NULL;
	size_t len, canon_len;
	MDB_val k, v;
	int rc;

	if ((rc = audit_head(s, txn, &size, prev)) != 0)
		return rc;
	e->seq = size + 1;
	if (!e->time) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		e->time = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	}
	/* One pack: the chain fields are the highest-numbered, so the stored
	 * bytes are the canonical bytes followed by prev_hash and hash. */
	e->prev_hash.len = 0;
	e->hash.len = 0;
	canon_len = hearth__audit_entry__get_packed_size(e);
	/* Each chain field: a two-byte tag (field 30/31, length-delimited), the
	 * length byte, 32 bytes. */
	len = canon_len + 2 * (3 + AUDIT_HASH_LEN);
	packed = malloc(len);
	if (!packed)
		return HEARTH_ENOMEM;
	if (e->base.n_unknown_fields || hearth__audit_entry__pack(e, packed) != canon_len) {
		rc = HEARTH_EINVAL;
		goto out;
	}
	hearth_sha256(packed, canon_len, leaf);
	audit_link(prev, leaf, hash);
	{
		uint8_t *p = packed + canon_len;
		const uint8_t *vals[2] = { prev, hash };
		for (int f = 0; f < 2; f++) {
			unsigned tag = ((30u + (unsigned)f) << 3) | 2;  /* 242, 250: two varint bytes */
			*p++ = (uint8_t)(0x80 | (tag & 0x7f));
			*p++ = (uint8_t)(tag >> 7);
			*p++ = AUDIT_HASH_LEN;
			memcpy(p, vals[f], AUDIT_HASH_LEN);
			p += AUDIT_HASH_LEN;
		}
	}

	be64_put(key, e->seq);
	k.mv_size = 8;
	k.mv_data = key;
	v.mv_size = len;
	v.mv_data = packed;
	if ((rc = store_err(mdb_put(txn, s->audit, &k, &v, MDB_APPEND))) != 0)
		goto out;
	memcpy(link, leaf, 32);
	memcpy(link + 32, hash, 32);
	v.mv_size = 64;
	v.mv_data = link;
	if ((rc = store_err(mdb_put(txn, s->audit_links, &k, &v, MDB_APPEND))) != 0)
		goto out;
	/* Index for the branches that may read this entry. */
	{
		const char *bs[2] = { e->branch_id, e->actor_branch };
		for (int i = 0; i < 2; i++) {
			if (!bs[i] || !bs[i][0] || (i == 1 && e->branch_id && !strcmp(bs[0], bs[1])))
				continue;
			/* Same key shape as the change feed's branch index. */
			k.mv_size = store_branch_key(key, sizeof(key), bs[i], e->seq);
			if (!k.mv_size)
				continue;
			k.mv_data = key;
			v.mv_size = 0;
			v.mv_data = "";
			if ((rc = store_put_ordered(txn, s->audit_branch, &k, &v, 0)) != 0)
				goto out;
		}
	}
	if (e->record_id.len == 16) {
		memcpy(key, e->record_id.data, 16);
		be64_put(key + 16, e->seq);
		k.mv_size = 24;
		k.mv_data = key;
		v.mv_size = 0;
		v.mv_data = "";
		if ((rc = store_put_ordered(txn, s->audit_record, &k, &v, 0)) != 0)
			goto out;
	}
	be64_put(headv, e->seq);
	memcpy(headv + 8, hash, AUDIT_HASH_LEN);
	k.mv_size = 10;
	k.mv_data = "audit_head";
	v.mv_size = sizeof(headv);
	v.mv_data = headv;
	rc = store_err(mdb_put(txn, s->meta, &k, &v, 0));
out:
	free(packed);
	/* The hashes live on this stack frame: do not leave them in e. */
	e->prev_hash.data = NULL;
	e->prev_hash.len = 0;
	e->hash.data = NULL;
	e->hash.len = 0;
	return rc;
}

int audit_store_checkpoint(store *s, MDB_txn *txn, const Hearth__Checkpoint *cp)
{
	uint8_t key[8], *buf;
	size_t len = hearth__checkpoint__get_packed_size(cp);
	MDB_val k = { 8, key }, v;
	int rc;

	buf = malloc(len ? len : 1);
	if (!buf)
		return HEARTH_ENOMEM;
	hearth__checkpoint__pack(cp, buf);
	be64_put(key, cp->size);
	v.mv_size = len;
	v.mv_data = buf;
	rc = store_err(mdb_put(txn, s->checkpoints, &k, &v, 0));
	free(buf);
	return rc;
}

int audit_checkpoint_count(store *s, uint64_t *count)
{
	MDB_txn *txn;
	MDB_stat st;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);

	if (rc)
		return store_err(rc);
	rc = mdb_stat(txn, s->checkpoints, &st);
	mdb_txn_abort(txn);
	if (rc)
		return store_err(rc);
	*count = st.ms_entries;
	return 0;
}

/* What the store holds of the revision e names (revs 0: the store has no
 * revisions database): MATCHES also for an entry that names none (it
 * copied its fields). */
static Hearth__AuditRevisionCheck check_revision(MDB_txn *txn, MDB_dbi revs, const Hearth__AuditEntry *e)
{
	uint8_t key[24], digest[32];
	MDB_val k = { 24, key }, v;

	if (!e->revision_digest.len)
		return HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES;
	if (e->record_id.len != 16 || e->revision_digest.len != 32)
		return HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_DAMAGED;
	memcpy(key, e->record_id.data, 16);
	be64_put(key + 16, e->rev_after);
	if (!revs || mdb_get(txn, revs, &k, &v) != 0)
		return HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MISSING;
	hearth_sha256(v.mv_data, v.mv_size, digest);
	return memcmp(digest, e->revision_digest.data, 32) == 0 ? HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES
	                                                       : HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_DAMAGED;
}

static void describe_revision_damage(const Hearth__AuditEntry *e, Hearth__AuditRevisionCheck c, char *why,
                                     size_t cap)
{
	char id[UUID_TEXT_LEN + 1] = "?";

	if (e->record_id.len == 16)
		uuid_format(e->record_id.data, id);
	snprintf(why, cap, "revision %llu of record %s, which it names, %s", (unsigned long long)e->rev_after, id,
	         c == HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MISSING ? "is missing from the store"
	                                                                  : "does not match the digest in the entry");
}

int audit_verify_store(const char *dir, const uint8_t *pub, uint64_t *entries, uint64_t *bad_seq,
                       char *msg, size_t msglen)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi audit, links, meta, cps, revs;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t prev[AUDIT_HASH_LEN];
	uint8_t *hashes = NULL;        /* hash of every entry, to check checkpoints */
	size_t hcap = 0;
	uint64_t n = 0;
	int rc;

	*bad_seq = 0;
	*entries = 0;
	memset(prev, 0, sizeof(prev));
	if ((rc = mdb_env_create(&env)) != 0)
		goto lmdb_fail;
	mdb_env_set_maxdbs(env, 32);
	if ((rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600)) != 0)
		goto lmdb_fail;
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0)
		goto lmdb_fail;
	if ((rc = mdb_dbi_open(txn, "audit", 0, &audit)) != 0 || (rc = mdb_dbi_open(txn, "audit_links", 0, &links)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", 0, &meta)) != 0 || (rc = mdb_dbi_open(txn, "checkpoints", 0, &cps)) != 0)
		goto lmdb_fail;
	/* A store without revisions has none of those its entries name: each
	 * such entry is then damaged, never the whole log absent. */
	if ((rc = mdb_dbi_open(txn, "revs", 0, &revs)) == MDB_NOTFOUND)
		revs = 0;
	else if (rc != 0)
		goto lmdb_fail;
	if ((rc = mdb_cursor_open(txn, audit, &cur)) != 0)
		goto lmdb_fail;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Hearth__AuditEntry *e;
		char why[200];
		uint64_t seq = k.mv_size == 8 ? be64_get(k.mv_data) : 0;
		MDB_val lv;

		n++;
		if (seq != n) {
			*bad_seq = n;
			snprintf(msg, msglen, "entry %llu is missing (found %llu instead)", (unsigned long long)n,
			         (unsigned long long)seq);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		e = hearth__audit_entry__unpack(NULL, v.mv_size, v.mv_data);
		if (!e || e->seq != seq) {
			if (e)
				hearth__audit_entry__free_unpacked(e, NULL);
			*bad_seq = seq;
			snprintf(msg, msglen, "entry %llu does not decode", (unsigned long long)seq);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		if (audit_check_entry(e, prev, why, sizeof(why)) != 0) {
			hearth__audit_entry__free_unpacked(e, NULL);
			*bad_seq = seq;
			snprintf(msg, msglen, "entry %llu is damaged: %s", (unsigned long long)seq, why);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		if (check_revision(txn, revs, e) != HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES) {
			describe_revision_damage(e, check_revision(txn, revs, e), why, sizeof(why));
			hearth__audit_entry__free_unpacked(e, NULL);
			*bad_seq = seq;
			snprintf(msg, msglen, "entry %llu is damaged: %s", (unsigned long long)seq, why);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		memcpy(prev, e->hash.data, AUDIT_HASH_LEN);
		hearth__audit_entry__free_unpacked(e, NULL);
		if (mdb_get(txn, links, &k, &lv) != 0 || lv.mv_size != 64 ||
		    memcmp((const uint8_t *)lv.mv_data + 32, prev, 32) != 0) {
			*bad_seq = seq;
			snprintf(msg, msglen, "entry %llu: its proof link does not match the entry", (unsigned long long)seq);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		if (n * AUDIT_HASH_LEN > hcap) {
			size_t ncap = hcap ? hcap * 2 : 4096 * AUDIT_HASH_LEN;
			uint8_t *p = realloc(hashes, ncap);
			if (!p) {
				rc = HEARTH_ENOMEM;
				snprintf(msg, msglen, "out of memory");
				goto out;
			}
			hashes = p;
			hcap = ncap;
		}
		memcpy(hashes + (n - 1) * AUDIT_HASH_LEN, prev, AUDIT_HASH_LEN);
	}
	if (rc != MDB_NOTFOUND)
		goto lmdb_fail;
	mdb_cursor_close(cur);
	cur = NULL;
	*entries = n;
	{
		MDB_val hk = { 10, "audit_head" }, hv;
		rc = mdb_get(txn, meta, &hk, &hv);
		if (n > 0 && (rc != 0 || hv.mv_size != 40 || be64_get(hv.mv_data) != n ||
		              memcmp((const uint8_t *)hv.mv_data + 8, prev, 32) != 0)) {
			snprintf(msg, msglen, "the recorded head does not match the chain's last entry %llu",
			         (unsigned long long)n);
			*bad_seq = n;
			rc = HEARTH_ECORRUPT;
			goto out;
		}
	}
	/* Every checkpoint the server signed must be a prefix of this chain. */
	if ((rc = mdb_cursor_open(txn, cps, &cur)) != 0)
		goto lmdb_fail;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Hearth__Checkpoint *cp = hearth__checkpoint__unpack(NULL, v.mv_size, v.mv_data);
		int bad = !cp;
		if (cp && cp->size > n)
			bad = 1;
		else if (cp && cp->size > 0 &&
		         (cp->head_hash.len != 32 ||
		          memcmp(cp->head_hash.data, hashes + (cp->size - 1) * AUDIT_HASH_LEN, 32) != 0))
			bad = 2;
		else if (cp && pub && audit_verify_checkpoint(pub, cp) != 0)
			bad = 3;
		if (bad) {
			snprintf(msg, msglen, "checkpoint at size %llu %s",
			         (unsigned long long)(k.mv_size == 8 ? be64_get(k.mv_data) : 0),
			         bad == 1 ? "is beyond the end of the chain (entries were removed)"
			                  : bad == 2 ? "does not match the chain (history was rewritten)"
			                             : bad == 3 ? "has an invalid signature" : "does not decode");
			if (cp)
				hearth__checkpoint__free_unpacked(cp, NULL);
			rc = HEARTH_ECORRUPT;
			goto out;
		}
		hearth__checkpoint__free_unpacked(cp, NULL);
	}
	rc = 0;
	snprintf(msg, msglen, "%llu entries, chain and checkpoints sound", (unsigned long long)n);
	goto out;
lmdb_fail:
	if (rc == MDB_NOTFOUND) {
		/* A store without an audit database has nothing to verify. */
		snprintf(msg, msglen, "no audit log in %s", dir);
		rc = 0;
		goto out;
	}
	snprintf(msg, msglen, "cannot read %s: %s", dir, mdb_strerror(rc));
	rc = HEARTH_ESTORE;
out:
	free(hashes);
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	return rc;
}

/* ------------------------------------------------- entries for changes */

/* One side's bytes into v: in clear, or for a sensitive field its keyed
 * digest (plain SHA-256 in a store without the audit secret). */
static void side_value(const store *s, int sensitive, const audit_side *side, ProtobufCBinaryData *v,
                       uint8_t digest[32])
{
	if (!side->present)
		return;
	if (!sensitive) {
		v->data = (uint8_t *)side->bytes;
		v->len = side->len;
		return;
	}
	if (s->has_audit_secret)
		audit_keyed_digest(s->audit_secret, side->bytes, side->len, digest);
	else
		hearth_sha256(side->bytes, side->len, digest);
	v->data = digest;
	v->len = 32;
}

void audit_field_values(const store *s, const kind_info *k, uint32_t field, const audit_side *old_side,
                        const audit_side *new_side, Hearth__AuditChange *ch, uint8_t digests[2][32])
{
	const field_rule *rule = kind_rule(k, field);
	const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(k->desc, field);
	int sensitive = rule && (rule->flags & FIELD_SENSITIVE);

	hearth__audit_change__init(ch);
	ch->field = field;
	ch->name = (char *)(fd ? fd->name : "");
	ch->digested = sensitive;
	ch->keyed = sensitive && s->has_audit_secret;
	side_value(s, sensitive, old_side, &ch->old_value, digests[0]);
	side_value(s, sensitive, new_side, &ch->new_value, digests[1]);
}

/* Who, what, revisions, and
 * each changed field from what to what (sensitive fields as SHA-256
 * digests, never in clear). Runs in the change's own transaction. */
int audit_change(store *s, MDB_txn *txn, const audit_change_args *a)
{
	Hearth__AuditEntry e = HEARTH__AUDIT_ENTRY__INIT;
	Hearth__AuditChange *ch = NULL, **chp = NULL;
	uint8_t (*digests)[2][32] = NULL;
	uint8_t body_digest[32];
	fieldmap fo = FIELDMAP_INIT, fn = FIELDMAP_INIT;
	uint32_t *diff = NULL;
	size_t nd = 0;
	const kind_info *k = a->kind;
	int rc;

#ifdef HEARTH_BENCH_SKIP_AUDIT
	/* Only in the benchmark's twin binary (tests/bench), to measure what
	 * the audit costs. hearthd itself never skips it. */
	(void)s, (void)txn, (void)a, (void)e, (void)ch, (void)chp, (void)digests, (void)body_digest,
		(void)fo, (void)fn, (void)diff, (void)nd, (void)rc, (void)k;
	return 0;
#endif
	/* A create's fields are all in the revision stored beside this entry:
	 * its digest names them, and the chain covers the digest. Copying
	 * them cost a quarter of push throughput. */
	if (a->revision_digest && !a->old_body && a->rev_before == 0) {
		e.revision_digest.data = (uint8_t *)a->revision_digest;
		e.revision_digest.len = 32;
		goto entry;
	}
	/* Parse each body once and walk both sorted field lists together. */
	if ((rc = fieldmap_parse(a->old_body, a->old_len, &fo)) != 0 || (rc = fieldmap_parse(a->body, a->body_len, &fn)) != 0)
		goto out;
	if (fo.n + fn.n) {
		diff = malloc((fo.n + fn.n) * sizeof(*diff));
		if (!diff) {
			rc = HEARTH_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0, j = 0; i < fo.n || j < fn.n;) {
		uint32_t fa = i < fo.n ? fo.f[i].number : UINT32_MAX, fb = j < fn.n ? fn.f[j].number : UINT32_MAX;
		uint32_t num = fa < fb ? fa : fb;
		if (!fieldmap_same(&fo, &fn, num))
			diff[nd++] = num;
		i += fa == num;
		j += fb == num;
	}
	if (nd) {
		ch = calloc(nd, sizeof(*ch));
		chp = calloc(nd, sizeof(*chp));
		digests = calloc(nd, sizeof(*digests));
		if (!ch || !chp || !digests) {
			rc = HEARTH_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < nd; i++) {
		const field_entry *was = fieldmap_get(&fo, diff[i]), *now = fieldmap_get(&fn, diff[i]);
		audit_field_values(s, k, diff[i], &(audit_side){ was ? was->bytes : NULL, was ? was->len : 0, was != NULL },
		                   &(audit_side){ now ? now->bytes : NULL, now ? now->len : 0, now != NULL }, &ch[i],
		                   digests[i]);
		chp[i] = &ch[i];
	}
	e.n_changes = nd;
	e.changes = chp;
entry:
	audit_set_actor(&e, a->who);
	e.time = 0;
	e.action = (char *)a->action;
	e.record_id.data = (uint8_t *)a->record_id;
	e.record_id.len = 16;
	e.kind = k->kind;
	e.branch_id = (char *)a->branch;
	e.rev_before = a->rev_before;
	e.rev_after = a->rev_after;
	if (a->op && a->op->op_id.len == 16)
		e.op_id = a->op->op_id;
	hearth_sha256(a->body, a->body_len, body_digest);
	e.body_digest.data = body_digest;
	e.body_digest.len = 32;
	if (a->conflict_id) {
		e.conflict_id.data = (uint8_t *)a->conflict_id;
		e.conflict_id.len = 16;
	}
	e.detail = (char *)(a->detail ? a->detail : "");
	rc = audit_append(s, txn, &e);
out:
	fieldmap_free(&fo);
	fieldmap_free(&fn);
	free(diff);
	free(ch);
	free(chp);
	free(digests);
	return rc;
}

/* An entry without field changes: a session event, a refusal, a conflict
 * opened or resolved. Unset fields stay empty in the entry. */
int audit_event(store *s, MDB_txn *txn, const audit_event_args *a)
{
	Hearth__AuditEntry e = HEARTH__AUDIT_ENTRY__INIT;
	audit_set_actor(&e, a->who);
	e.action = (char *)a->action;
	e.kind = a->kind;
	if (a->record_id) {
		e.record_id.data = (uint8_t *)a->record_id;
		e.record_id.len = 16;
	}
	e.branch_id = (char *)(a->branch ? a->branch : "");
	if (a->conflict_id) {
		e.conflict_id.data = (uint8_t *)a->conflict_id;
		e.conflict_id.len = 16;
	}
	if (a->op && a->op->op_id.len == 16)
		e.op_id = a->op->op_id;
	e.n_changes = a->n_changes;
	e.changes = a->changes;
	e.detail = (char *)(a->detail ? a->detail : "");
	e.peer = (char *)(a->peer ? a->peer : "");
	return audit_append(s, txn, &e);
}

int audit_client_event(store *s, MDB_txn *txn, const actor *who, const Hearth__ClientEvent *ev,
                       const char *peer)
{
	Hearth__AuditEntry e = HEARTH__AUDIT_ENTRY__INIT;
	char detail[600];
	size_t pos = 0;

	audit_set_actor(&e, who);
	e.action = (char *)(ev->action && !strcmp(ev->action, "export") ? "export" : "reveal");
	if (ev->record_id.len == 16)
		e.record_id = ev->record_id;
	e.kind = ev->kind;
	e.branch_id = (char *)(who->role == HEARTH__ROLE__ROLE_BRANCH ? who->branch : ev->branch_id ? ev->branch_id : "");
	detail[0] = 0;
	if (ev->n_fields) {
		pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "fields:");
		for (size_t i = 0; i < ev->n_fields && pos < sizeof(detail) - 1; i++)
			pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "%s%s", i ? "," : " ", ev->fields[i]);
	}
	if (ev->count && pos < sizeof(detail) - 1)
		pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "%srecords: %u", pos ? "; " : "", ev->count);
	if (ev->detail && ev->detail[0] && pos < sizeof(detail) - 1)
		snprintf(detail + pos, sizeof(detail) - pos, "%s%s", pos ? "; " : "", ev->detail);
	e.detail = detail;
	e.peer = (char *)(peer ? peer : "");
	return audit_append(s, txn, &e);
}

/* One field of a created revision in the audit's form, packed as a
 * revision_changes element of the entry message into out. */
static int put_created_field(const store *s, const kind_info *k, const field_entry *f, wirebuf *out)
{
	Hearth__AuditChange ch;
	uint8_t digests[2][32], small[256], *buf = small;
	size_t len;

	audit_field_values(s, k, f->number, &(audit_side){ NULL, 0, 0 }, &(audit_side){ f->bytes, f->len, 1 }, &ch,
	                   digests);
	len = hearth__audit_change__get_packed_size(&ch);
	if (len > sizeof(small) && (buf = malloc(len)) == NULL)
		return HEARTH_ENOMEM;
	hearth__audit_change__pack(&ch, buf);
	wire_bytes_field(out, 32, buf, len, 1);
	if (buf != small)
		free(buf);
	return out->failed ? HEARTH_ENOMEM : 0;
}

int audit_revision_extra(store *s, MDB_txn *txn, const Hearth__AuditEntry *e, wirebuf *out)
{
	Hearth__AuditRevisionCheck c;
	const kind_info *k = kind_find(e->kind);
	Hearth__Record *rec = NULL;
	uint8_t key[24], *body = NULL;
	size_t body_len = 0;
	fieldmap fm = FIELDMAP_INIT;
	MDB_val kv = { 24, key }, v;
	int rc = 0;

	if (!e->revision_digest.len)
		return 0;
	c = check_revision(txn, s->revs, e);
	if (c == HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES) {
		/* check_revision found it: read it again for its bytes. */
		memcpy(key, e->record_id.data, 16);
		be64_put(key + 16, e->rev_after);
		if ((rc = store_err(mdb_get(txn, s->revs, &kv, &v))) != 0)
			return rc;
		rec = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		/* Bytes that match the digest but do not decode as the entry's kind
		 * were written damaged: nothing of them is shown. */
		if (!k || !rec || rec->kind != k->kind || record_pack_body(rec, &body, &body_len) != 0 ||
		    fieldmap_parse(body, body_len, &fm) != 0)
			c = HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_DAMAGED;
	}
	for (size_t i = 0; rc == 0 && c == HEARTH__AUDIT_REVISION_CHECK__AUDIT_REVISION_MATCHES && i < fm.n; i++)
		rc = put_created_field(s, k, &fm.f[i], out);
	if (rc == 0) {
		wire_uint_field(out, 33, (uint64_t)c);
		rc = out->failed ? HEARTH_ENOMEM : 0;
	}
	fieldmap_free(&fm);
	free(body);
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return rc;
}
