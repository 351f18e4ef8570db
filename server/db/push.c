/* store.c: the server store in LMDB and the push/pull rules over it. */
#include "server/db/store.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fieldmap.h"
#include "common/be.h"
#include "common/hearth.h"
#include "common/lmdb_err.h"
#include "common/log.h"
#include "common/merge.h"
#include "common/record.h"
#include "server/db/refs.h"
#include "server/db/audit_log.h"
#include "server/api/admin.h"
#include "server/db/retention.h"
#include "common/uuid.h"


int store_err(int rc)
{
	return lmdb_err(rc);
}


int store_open(store *s, const char *dir, uint64_t map_size, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	int rc, dead = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", dir);
	s->map_size = map_size;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create store directory %s: %s", dir, strerror(errno));
		return HEARTH_EIO;
	}
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto fail;
	mdb_env_set_maxdbs(s->env, 32);
	mdb_env_set_maxreaders(s->env, 126);
	if ((rc = mdb_env_set_mapsize(s->env, (size_t)map_size)) != 0)
		goto fail;
	/* NOTLS: read transactions are not tied to threads (the loop thread
	 * reads while the writer thread writes). */
	if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != 0)
		goto fail;
	mdb_reader_check(s->env, &dead);
	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		goto fail;
#define OPEN(name) \
	if ((rc = mdb_dbi_open(txn, #name, MDB_CREATE, &s->name)) != 0) \
		goto fail;
	OPEN(records) OPEN(revs) OPEN(changes) OPEN(bchanges) OPEN(ops) OPEN(conflicts)
	OPEN(digests) OPEN(branches) OPEN(meta)
	OPEN(audit) OPEN(audit_links) OPEN(audit_branch) OPEN(audit_record) OPEN(checkpoints)
	OPEN(principals)
#undef OPEN
	if ((rc = refs_open(s, txn)) != 0) {
		mdb_txn_abort(txn);
		snprintf(err, errlen, "cannot open store %s: %s", dir, hearth_strerror(rc));
		mdb_env_close(s->env);
		s->env = NULL;
		return rc;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		goto fail;
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	snprintf(err, errlen, "cannot open store %s: %s", dir, mdb_strerror(rc));
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
	return store_err(rc);
}

void store_close(store *s)
{
	if (s->env)
		mdb_env_close(s->env);
	s->env = NULL;
}

int store_usage(store *s, uint64_t *used, uint64_t *map)
{
	MDB_envinfo info;
	MDB_stat st;
	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &st);
	*used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	*map = info.me_mapsize;
	return 0;
}

/* ------------------------------------------------------------ helpers */

static int next_seq(store *s, MDB_txn *txn, uint64_t *seq)
{
	MDB_val k = { 3, "seq" }, v;
	uint8_t buf[8];
	uint64_t cur = 0;
	int rc = mdb_get(txn, s->meta, &k, &v);

	if (rc == 0 && v.mv_size == 8)
		cur = be64_get(v.mv_data);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	cur++;
	be64_put(buf, cur);
	v.mv_size = 8;
	v.mv_data = buf;
	if ((rc = mdb_put(txn, s->meta, &k, &v, 0)) != 0)
		return store_err(rc);
	*seq = cur;
	return 0;
}

int store_last_seq(store *s, uint64_t *seq)
{
	MDB_txn *txn;
	MDB_val k = { 3, "seq" }, v;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	rc = mdb_get(txn, s->meta, &k, &v);
	*seq = (rc == 0 && v.mv_size == 8) ? be64_get(v.mv_data) : 0;
	mdb_txn_abort(txn);
	return 0;
}

/* Branch-index key: branch bytes, a NUL, then the sequence. */
size_t store_branch_key(uint8_t *key, size_t cap, const char *branch, uint64_t seq)
{
	size_t bl = strlen(branch);
	if (bl > STORE_BRANCH_MAX || bl + 9 > cap)
		return 0;
	memcpy(key, branch, bl);
	key[bl] = 0;
	be64_put(key + bl + 1, seq);
	return bl + 9;
}

static int index_del(store *s, MDB_txn *txn, const char *branch, uint64_t seq)
{
	uint8_t kb[8], bk[80];
	MDB_val k = { 8, kb };
	int rc;

	if (seq == 0)
		return 0;
	be64_put(kb, seq);
	rc = mdb_del(txn, s->changes, &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	rc = mdb_del(txn, s->bchanges, &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	return 0;
}

static int index_put_branch(store *s, MDB_txn *txn, const char *branch, uint64_t seq, int type,
                            const uint8_t id[16])
{
	uint8_t bk[80], ref[17];
	MDB_val k, v = { 17, ref };
	ref[0] = (uint8_t)type;
	memcpy(ref + 1, id, 16);
	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	return store_err(mdb_put(txn, s->bchanges, &k, &v, 0));
}

static int index_put(store *s, MDB_txn *txn, const char *branch, uint64_t seq, int type,
                     const uint8_t id[16])
{
	uint8_t kb[8], bk[80], ref[17];
	MDB_val k = { 8, kb }, v = { 17, ref };
	int rc;

	ref[0] = (uint8_t)type;
	memcpy(ref + 1, id, 16);
	be64_put(kb, seq);
	/* Sequences only grow, so APPEND keeps both indexes at the tree's end. */
	if ((rc = mdb_put(txn, s->changes, &k, &v, MDB_APPEND)) != 0)
		return store_err(rc);
	k.mv_size = store_branch_key(bk, sizeof(bk), branch, seq);
	k.mv_data = bk;
	if (!k.mv_size)
		return HEARTH_EINVAL;
	if ((rc = mdb_put(txn, s->bchanges, &k, &v, 0)) != 0)
		return store_err(rc);
	return 0;
}

/* Keeps the per-branch, per-kind count and XOR of record hashes current,
 * so a divergence check costs O(branches x kinds), not a scan. sign is +1
 * to add a record's bytes, -1 to remove them (XOR is its own inverse; only
 * the count differs). */
int store_digest_apply(store *s, MDB_txn *txn, const char *branch, int kind, const void *bytes,
                       size_t len, int sign)
{
	uint8_t key[80], val[40], h[32];
	size_t bl = strlen(branch);
	MDB_val k, v;
	int rc;

	if (bl > 63)
		return HEARTH_EINVAL;
	memcpy(key, branch, bl);
	key[bl] = 0;
	key[bl + 1] = (uint8_t)kind;
	k.mv_size = bl + 2;
	k.mv_data = key;
	rc = mdb_get(txn, s->digests, &k, &v);
	if (rc == 0 && v.mv_size == sizeof(val))
		memcpy(val, v.mv_data, sizeof(val));
	else if (rc == 0 || rc == MDB_NOTFOUND)
		memset(val, 0, sizeof(val));
	else
		return store_err(rc);
	be64_put(val, be64_get(val) + (uint64_t)(int64_t)sign);
	SHA256(bytes, len, h);
	for (int i = 0; i < 32; i++)
		val[8 + i] ^= h[i];
	v.mv_size = sizeof(val);
	v.mv_data = val;
	if ((rc = mdb_put(txn, s->digests, &k, &v, 0)) != 0)
		return store_err(rc);
	return 0;
}

static int digest_update(store *s, MDB_txn *txn, const char *old_branch, const char *branch, int kind,
                         const MDB_val *old_bytes, const uint8_t *new_bytes, size_t new_len)
{
	int rc;
	if (old_bytes && (rc = store_digest_apply(s, txn, old_branch, kind, old_bytes->mv_data, old_bytes->mv_size, -1)) != 0)
		return rc;
	return store_digest_apply(s, txn, branch, kind, new_bytes, new_len, +1);
}

/* ------------------------------------------------------------ results */

typedef struct result {
	Hearth__OpStatus status;
	uint64_t rev, seq;
	Hearth__ErrorCode code;
	char field[64];
	char message[400];
	uint8_t conflict_id[16];
	int has_conflict;
	const uint8_t *record;      /* stored bytes (valid in the txn) */
	size_t record_len;
} result;

static void reject(result *r, Hearth__ErrorCode code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reject(result *r, Hearth__ErrorCode code, const char *field, const char *fmt, ...)
{
	va_list ap;
	r->status = HEARTH__OP_STATUS__OP_REJECTED;
	r->code = code;
	snprintf(r->field, sizeof(r->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

/* OpResult bytes, without or with the record. */
static void encode_result(wirebuf *b, const uint8_t op_id[16], size_t op_id_len, const result *r,
                          int with_record)
{
	wire_bytes_field(b, 1, op_id, op_id_len, 0);
	wire_uint_field(b, 2, (uint64_t)r->status);
	wire_uint_field(b, 3, r->rev);
	wire_uint_field(b, 4, r->seq);
	if (r->status == HEARTH__OP_STATUS__OP_REJECTED) {
		wirebuf e = WIREBUF_INIT;
		wire_uint_field(&e, 1, (uint64_t)r->code);
		wire_bytes_field(&e, 2, r->message, strlen(r->message), 0);
		wire_bytes_field(&e, 3, r->field, strlen(r->field), 0);
		if (e.failed)
			b->failed = 1;
		wire_bytes_field(b, 5, e.data, e.len, 1);
		wire_free(&e);
	}
	if (r->has_conflict)
		wire_bytes_field(b, 6, r->conflict_id, 16, 0);
	if (with_record && r->record)
		wire_bytes_field(b, 7, r->record, r->record_len, 1);
}

/* Appends the result to the PushResponse and, for an op that took effect,
 * records it in the op ledger so a retry gets the same answer. */
static int finish_op(store *s, MDB_txn *txn, const Hearth__Op *op, result *r, wirebuf *out)
{
	wirebuf one = WIREBUF_INIT;
	int rc = 0;

	/* Values read from LMDB are valid only until the next update in the
	 * transaction; later writes of this op (references, audit) may have
	 * moved the record, so read it again and copy it out before the
	 * ledger write below. */
	if (r->record && op->record && op->record->id.len == 16) {
		MDB_val k = { 16, op->record->id.data }, v;
		if (mdb_get(txn, s->records, &k, &v) == 0) {
			r->record = v.mv_data;
			r->record_len = v.mv_size;
		}
	}
	encode_result(&one, op->op_id.data, op->op_id.len, r, 1);
	if (one.failed) {
		wire_free(&one);
		return HEARTH_ENOMEM;
	}
	wire_bytes_field(out, 1, one.data, one.len, 1);
	wire_free(&one);
	if (out->failed)
		return HEARTH_ENOMEM;
	if (r->status != HEARTH__OP_STATUS__OP_REJECTED && op->op_id.len == 16) {
		wirebuf led = WIREBUF_INIT;
		MDB_val k = { 16, op->op_id.data }, v;
		encode_result(&led, op->op_id.data, 16, r, 0);
		if (led.failed) {
			wire_free(&led);
			return HEARTH_ENOMEM;
		}
		v.mv_size = led.len;
		v.mv_data = led.data;
		rc = mdb_put(txn, s->ops, &k, &v, 0);
		wire_free(&led);
		if (rc)
			return store_err(rc);
	}
	return 0;
}

/* ---------------------------------------------------------- audit */

/* Appends the audit entry of a record change: who, what, revisions, and
 * each changed field from what to what (sensitive fields as SHA-256
 * digests, never in clear). Runs in the change's own transaction. */
static int audit_change(store *s, MDB_txn *txn, const actor *who, const char *action,
                        const kind_info *k, const uint8_t id[16], const char *branch,
                        uint64_t rev_before, uint64_t rev_after, const Hearth__Op *op,
                        const uint8_t *old_body, size_t old_len, const uint8_t *body, size_t body_len,
                        const uint8_t *conflict_id, const char *detail)
{
	Hearth__AuditEntry e = HEARTH__AUDIT_ENTRY__INIT;
	Hearth__AuditChange *ch = NULL, **chp = NULL;
	uint8_t (*digests)[2][32] = NULL;
	uint8_t body_digest[32];
	fieldmap fo = FIELDMAP_INIT, fn = FIELDMAP_INIT;
	uint32_t *diff = NULL;
	size_t nd = 0;
	int rc;

#ifdef HEARTH_BENCH_SKIP_AUDIT
	/* Only in the benchmark's twin binary (tests/bench), to measure what
	 * the audit costs. hearthd itself never skips it. */
	(void)s, (void)txn, (void)who, (void)action, (void)k, (void)id, (void)branch, (void)rev_before,
		(void)rev_after, (void)op, (void)conflict_id, (void)detail, (void)e, (void)ch, (void)chp,
		(void)digests, (void)body_digest, (void)fo, (void)fn, (void)diff, (void)nd, (void)rc,
		(void)old_body, (void)old_len, (void)body, (void)body_len;
	return 0;
#endif
	/* Parse each body once and walk both sorted field lists together. */
	if ((rc = fieldmap_parse(old_body, old_len, &fo)) != 0 || (rc = fieldmap_parse(body, body_len, &fn)) != 0)
		goto out;
	if (fo.n + fn.n) {
		diff = malloc((fo.n + fn.n) * sizeof(*diff));
		if (!diff) {
			rc = HEARTH_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0, j = 0; i < fo.n || j < fn.n;) {
		uint32_t a = i < fo.n ? fo.f[i].number : UINT32_MAX, b = j < fn.n ? fn.f[j].number : UINT32_MAX;
		uint32_t num = a < b ? a : b;
		if (!fieldmap_same(&fo, &fn, num))
			diff[nd++] = num;
		i += a == num;
		j += b == num;
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
		const field_entry *a = fieldmap_get(&fo, diff[i]), *b = fieldmap_get(&fn, diff[i]);
		const field_rule *rule = kind_rule(k, diff[i]);
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(k->desc, diff[i]);
		hearth__audit_change__init(&ch[i]);
		ch[i].field = diff[i];
		ch[i].name = (char *)(fd ? fd->name : "");
		if (rule && (rule->flags & FIELD_SENSITIVE)) {
			ch[i].digested = 1;
			if (a) {
				SHA256(a->bytes, a->len, digests[i][0]);
				ch[i].old_value.data = digests[i][0];
				ch[i].old_value.len = 32;
			}
			if (b) {
				SHA256(b->bytes, b->len, digests[i][1]);
				ch[i].new_value.data = digests[i][1];
				ch[i].new_value.len = 32;
			}
		} else {
			if (a) {
				ch[i].old_value.data = a->bytes;
				ch[i].old_value.len = a->len;
			}
			if (b) {
				ch[i].new_value.data = b->bytes;
				ch[i].new_value.len = b->len;
			}
		}
		chp[i] = &ch[i];
	}
	audit_set_actor(&e, who);
	e.time = 0;
	e.action = (char *)action;
	e.record_id.data = (uint8_t *)id;
	e.record_id.len = 16;
	e.kind = k->kind;
	e.branch_id = (char *)branch;
	e.rev_before = rev_before;
	e.rev_after = rev_after;
	if (op && op->op_id.len == 16)
		e.op_id = op->op_id;
	e.n_changes = nd;
	e.changes = chp;
	SHA256(body, body_len, body_digest);
	e.body_digest.data = body_digest;
	e.body_digest.len = 32;
	if (conflict_id) {
		e.conflict_id.data = (uint8_t *)conflict_id;
		e.conflict_id.len = 16;
	}
	e.detail = (char *)(detail ? detail : "");
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

/* An audit entry about a record or the session, without field changes. */
static int audit_event(store *s, MDB_txn *txn, const actor *who, const char *action, Hearth__Kind kind,
                       const uint8_t *record_id, const char *branch, const uint8_t *conflict_id,
                       const Hearth__Op *op, const char *detail)
{
	Hearth__AuditEntry e = HEARTH__AUDIT_ENTRY__INIT;
	audit_set_actor(&e, who);
	e.action = (char *)action;
	e.kind = kind;
	if (record_id) {
		e.record_id.data = (uint8_t *)record_id;
		e.record_id.len = 16;
	}
	e.branch_id = (char *)(branch ? branch : "");
	if (conflict_id) {
		e.conflict_id.data = (uint8_t *)conflict_id;
		e.conflict_id.len = 16;
	}
	if (op && op->op_id.len == 16)
		e.op_id = op->op_id;
	e.detail = (char *)(detail ? detail : "");
	return audit_append(s, txn, &e);
}

int store_audit_event(store *s, MDB_txn *txn, const actor *who, const char *action, const char *branch,
                      const char *detail, const char *peer)
{
	Hearth__AuditEntry e = HEARTH__AUDIT_ENTRY__INIT;
	audit_set_actor(&e, who);
	e.action = (char *)action;
	e.branch_id = (char *)(branch ? branch : "");
	e.detail = (char *)(detail ? detail : "");
	e.peer = (char *)(peer ? peer : "");
	return audit_append(s, txn, &e);
}

int store_audit_client_event(store *s, MDB_txn *txn, const actor *who, const Hearth__ClientEvent *ev,
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

/* ---------------------------------------------------------- revisions */

/* Writes a new revision of a record: latest copy, history, both change
 * indexes (dropping the record's previous entries), digest. cur is the
 * current stored copy (NULL for a create). On success *stored points at the
 * new bytes inside the txn. */
static int write_revision(store *s, MDB_txn *txn, const actor *who, const Hearth__Record *cur,
                          const MDB_val *cur_bytes, const kind_info *k, const uint8_t id[16],
                          const char *branch, const uint8_t *body, size_t body_len, int deleted,
                          int64_t now, result *r, const char *action, const Hearth__Op *op)
{
	Hearth__Record rec = HEARTH__RECORD__INIT;
	uint8_t *packed = NULL;
	size_t len;
	uint64_t seq;
	uint8_t rk[24];
	MDB_val key, val;
	int rc;

	{
		record_error rerr;
		memset(&rerr, 0, sizeof(rerr));
		rc = refs_check(s, txn, k, id, branch, body, body_len, deleted, &rerr);
		if (rc == HEARTH_EINVAL) {
			char t[UUID_TEXT_LEN + 1];
			uuid_format(id, t);
			reject(r, HEARTH__ERROR_CODE__ERR_INVALID, rerr.field, "record %s: %s", t, rerr.message);
			return 1;
		}
		if (rc)
			return rc;
	}
	if ((rc = next_seq(s, txn, &seq)) != 0)
		return rc;
	rec.id.data = (uint8_t *)id;
	rec.id.len = 16;
	rec.kind = k->kind;
	rec.branch_id = (char *)branch;
	rec.rev = cur ? cur->rev + 1 : 1;
	rec.seq = seq;
	rec.deleted = deleted;
	rec.updated_at = now;
	rec.updated_by = (char *)who->fingerprint;
	rec.updated_by_name = (char *)who->name;
	if (who->has_replica) {
		rec.updated_replica.data = (uint8_t *)who->replica;
		rec.updated_replica.len = 16;
	}
	if ((rc = record_set_body(&rec, k, body, body_len)) != 0)
		return rc;
	len = hearth__record__get_packed_size(&rec);
	packed = malloc(len ? len : 1);
	if (!packed) {
		record_clear_body(&rec);
		return HEARTH_ENOMEM;
	}
	hearth__record__pack(&rec, packed);
	record_clear_body(&rec);

	rc = HEARTH_ESTORE;
	if (cur && (rc = index_del(s, txn, cur->branch_id, cur->seq)) != 0)
		goto fail;
	if ((rc = index_put(s, txn, branch, seq, REF_RECORD, id)) != 0)
		goto fail;
	if ((rc = digest_update(s, txn, cur ? cur->branch_id : branch, branch, k->kind, cur_bytes, packed, len)) != 0)
		goto fail;
	/* A record leaving a branch leaves a marker in that branch's feed, so
	 * the branch's replicas learn it is gone (pull sends them a stub). */
	if (cur && strcmp(cur->branch_id, branch) != 0 &&
	    (rc = index_put_branch(s, txn, cur->branch_id, seq, REF_MOVED, id)) != 0)
		goto fail;
	memcpy(rk, id, 16);
	be64_put(rk + 16, rec.rev);
	key.mv_size = 24;
	key.mv_data = rk;
	val.mv_size = len;
	val.mv_data = packed;
	if ((rc = store_err(mdb_put(txn, s->revs, &key, &val, 0))) != 0)
		goto fail;
	key.mv_size = 16;
	key.mv_data = (void *)id;
	/* MDB_RESERVE hands back the stored bytes' address for the result. */
	val.mv_size = len;
	if ((rc = store_err(mdb_put(txn, s->records, &key, &val, MDB_RESERVE))) != 0)
		goto fail;
	memcpy(val.mv_data, packed, len);
	r->record = val.mv_data;
	r->record_len = len;
	r->rev = rec.rev;
	r->seq = seq;
	{
		uint8_t *old = NULL;
		size_t old_len = 0;
		if (cur && (rc = record_pack_body(cur, &old, &old_len)) != 0 && rc != HEARTH_EINVAL)
			goto fail;
		rc = refs_after_write(s, txn, who, k, id, branch, old, old_len, body, body_len, deleted, now);
		if (rc == 0)
			rc = audit_change(s, txn, who, action, k, id, branch, cur ? cur->rev : 0, rec.rev, op,
			                  old, old_len, body, body_len, NULL, NULL);
		free(old);
	}
fail:
	free(packed);
	return rc;
}

/* Stores a new open Conflict (or closes one) and indexes it in the feed. */
static int write_conflict(store *s, MDB_txn *txn, Hearth__Conflict *c, uint64_t old_seq)
{
	uint64_t seq;
	uint8_t *packed;
	size_t len;
	MDB_val k, v;
	int rc;

	if ((rc = next_seq(s, txn, &seq)) != 0)
		return rc;
	if ((rc = index_del(s, txn, c->branch_id, old_seq)) != 0)
		return rc;
	c->seq = seq;
	len = hearth__conflict__get_packed_size(c);
	packed = malloc(len ? len : 1);
	if (!packed)
		return HEARTH_ENOMEM;
	hearth__conflict__pack(c, packed);
	k.mv_size = 16;
	k.mv_data = c->id.data;
	v.mv_size = len;
	v.mv_data = packed;
	rc = store_err(mdb_put(txn, s->conflicts, &k, &v, 0));
	free(packed);
	if (rc)
		return rc;
	return index_put(s, txn, c->branch_id, seq, REF_CONFLICT, c->id.data);
}

/* Builds and stores the Conflict for an op that lost on some fields (or an
 * update/delete clash). */
static int open_conflict(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op,
                         const Hearth__Record *cur, const kind_info *k, const merge_conflict *mc,
                         size_t n, int delete_conflict, int server_deleted, int64_t now, result *r)
{
	Hearth__Conflict c = HEARTH__CONFLICT__INIT;
	Hearth__ConflictField *fields = NULL, **fptr = NULL;
	int rc;

	if (uuid_v7(r->conflict_id) != 0)
		return HEARTH_EIO;
	if (n) {
		fields = calloc(n, sizeof(*fields));
		fptr = calloc(n, sizeof(*fptr));
		if (!fields || !fptr) {
			free(fields);
			free(fptr);
			return HEARTH_ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(k->desc, mc[i].field);
		hearth__conflict_field__init(&fields[i]);
		fields[i].field = mc[i].field;
		fields[i].name = (char *)(fd ? fd->name : "");
		fields[i].server_value.data = mc[i].server_value;
		fields[i].server_value.len = mc[i].server_len;
		fields[i].op_value.data = mc[i].op_value;
		fields[i].op_value.len = mc[i].op_len;
		fptr[i] = &fields[i];
	}
	c.id.data = r->conflict_id;
	c.id.len = 16;
	c.record_id.data = cur->id.data;
	c.record_id.len = cur->id.len;
	c.kind = k->kind;
	c.branch_id = cur->branch_id;
	c.state = HEARTH__CONFLICT_STATE__CONFLICT_OPEN;
	c.n_fields = n;
	c.fields = fptr;
	c.delete_conflict = delete_conflict;
	c.server_deleted = server_deleted;
	c.op_id = op->op_id;
	c.base_rev = op->base_rev;
	c.server_rev = cur->rev;
	c.server_by = cur->updated_by_name;
	c.op_by = (char *)who->name;
	c.created_at = now;
	if (who->has_replica) {
		c.op_replica.data = (uint8_t *)who->replica;
		c.op_replica.len = 16;
	}
	c.server_replica = cur->updated_replica;
	r->has_conflict = 1;
	rc = write_conflict(s, txn, &c, 0);
	if (rc == 0) {
		char detail[300];
		size_t pos = (size_t)snprintf(detail, sizeof(detail), "%s", delete_conflict ? (server_deleted ? "edit of a deleted record" : "delete of an edited record") : "fields:");
		for (size_t i = 0; i < n && pos < sizeof(detail) - 1; i++)
			pos += (size_t)snprintf(detail + pos, sizeof(detail) - pos, "%s%s", i ? "," : " ", fields[i].name);
		rc = audit_event(s, txn, who, "conflict.open", k->kind, cur->id.data, cur->branch_id, r->conflict_id, op, detail);
	}
	free(fields);
	free(fptr);
	return rc;
}

/* Closes the conflict an op resolves. Returns HEARTH_ENOTFOUND/EINVAL when
 * the op names a conflict that is not open for this record. */
static int close_conflict(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op,
                          const uint8_t record_id[16], int64_t now, result *r)
{
	MDB_val k = { 16, op->resolves.data }, v;
	Hearth__Conflict *c;
	int rc;

	if (op->resolves.len != 16) {
		reject(r, HEARTH__ERROR_CODE__ERR_INVALID, "resolves", "resolves must be a 16-byte conflict id (got %zu bytes)",
		       op->resolves.len);
		return 0;
	}
	rc = mdb_get(txn, s->conflicts, &k, &v);
	if (rc == MDB_NOTFOUND) {
		reject(r, HEARTH__ERROR_CODE__ERR_NOT_FOUND, "resolves", "conflict does not exist");
		return 0;
	}
	if (rc)
		return store_err(rc);
	c = hearth__conflict__unpack(NULL, v.mv_size, v.mv_data);
	if (!c)
		return HEARTH_ECORRUPT;
	if (c->record_id.len != 16 || memcmp(c->record_id.data, record_id, 16) != 0) {
		reject(r, HEARTH__ERROR_CODE__ERR_INVALID, "resolves", "the conflict is about another record");
		hearth__conflict__free_unpacked(c, NULL);
		return 0;
	}
	if (c->state != HEARTH__CONFLICT_STATE__CONFLICT_OPEN) {
		/* Resolved already (by the other side): the op still applies as an
		 * ordinary edit; nothing to close. */
		hearth__conflict__free_unpacked(c, NULL);
		return 0;
	}
	c->state = HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED;
	c->resolved_by = (char *)who->name;
	c->resolved_at = now;
	rc = write_conflict(s, txn, c, c->seq);
	if (rc == 0)
		rc = audit_event(s, txn, who, "conflict.resolve", c->kind, record_id, c->branch_id, c->id.data, op, "");
	c->resolved_by = NULL; /* borrowed; do not free */
	hearth__conflict__free_unpacked(c, NULL);
	return rc;
}

/* --------------------------------------------------------------- push */

static int load_revision_body(store *s, MDB_txn *txn, const uint8_t id[16], uint64_t rev,
                              const kind_info *k, uint8_t **body, size_t *len)
{
	uint8_t key[24];
	MDB_val kv = { 24, key }, v;
	Hearth__Record *rec;
	int rc;

	memcpy(key, id, 16);
	be64_put(key + 16, rev);
	rc = mdb_get(txn, s->revs, &kv, &v);
	if (rc)
		return store_err(rc);
	rec = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
	if (!rec)
		return HEARTH_ECORRUPT;
	rc = record_body(rec) && rec->kind == k->kind ? record_pack_body(rec, body, len) : HEARTH_ECORRUPT;
	hearth__record__free_unpacked(rec, NULL);
	return rc;
}

static const char *hexid(const uint8_t *id, size_t len, char out[UUID_TEXT_LEN + 1])
{
	if (len != 16) {
		snprintf(out, UUID_TEXT_LEN + 1, "(bad id)");
		return out;
	}
	uuid_format(id, out);
	return out;
}

static int apply_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op, int64_t now,
                    wirebuf *out, int *rejected, result *why)
{
	result r;
	const Hearth__Record *in = op->record;
	const kind_info *k = NULL;
	Hearth__Record *cur = NULL;
	MDB_val key, curv = { 0, NULL };
	uint8_t *mine = NULL, *base = NULL, *curbody = NULL;
	size_t mine_len = 0, base_len = 0, cur_len = 0;
	merge_result m = { 0 };
	record_error verr;
	char idtext[UUID_TEXT_LEN + 1];
	const char *branch;
	int rc = 0;

	memset(&r, 0, sizeof(r));

	/* Shape. */
	if (op->op_id.len != 16) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "op_id", "op_id must be 16 bytes (got %zu)", op->op_id.len);
		goto done;
	}
	key.mv_size = 16;
	key.mv_data = op->op_id.data;
	rc = mdb_get(txn, s->ops, &key, &curv);
	if (rc == 0) {
		/* Seen before: answer as the first time, with today's record. */
		Hearth__OpResult *prev = hearth__op_result__unpack(NULL, curv.mv_size, curv.mv_data);
		if (!prev)
			return HEARTH_ECORRUPT;
		r.status = HEARTH__OP_STATUS__OP_DUPLICATE;
		r.rev = prev->rev;
		r.seq = prev->seq;
		if (prev->conflict_id.len == 16) {
			memcpy(r.conflict_id, prev->conflict_id.data, 16);
			r.has_conflict = 1;
		}
		hearth__op_result__free_unpacked(prev, NULL);
		if (in && in->id.len == 16) {
			key.mv_data = in->id.data;
			if (mdb_get(txn, s->records, &key, &curv) == 0) {
				r.record = curv.mv_data;
				r.record_len = curv.mv_size;
			}
		}
		rc = 0;
		goto emit; /* not re-ledgered */
	}
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	rc = 0;
	if (!in) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "record", "op carries no record");
		goto done;
	}
	if (in->id.len != 16) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "id", "record id must be 16 bytes (got %zu)", in->id.len);
		goto done;
	}
	hexid(in->id.data, 16, idtext);
	k = kind_find(in->kind);
	if (!k) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "kind", "record %s: unknown kind %d", idtext, (int)in->kind);
		goto done;
	}
	if ((uint32_t)in->body_case != k->record_field && !op->delete_) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "body", "record %s: kind %s needs a %s body", idtext,
		       k->name, k->name);
		goto done;
	}

	/* Current copy, and whose branch it is. */
	key.mv_data = in->id.data;
	rc = mdb_get(txn, s->records, &key, &curv);
	if (rc == 0) {
		cur = hearth__record__unpack(NULL, curv.mv_size, curv.mv_data);
		if (!cur)
			return HEARTH_ECORRUPT;
	} else if (rc != MDB_NOTFOUND) {
		return store_err(rc);
	}
	rc = 0;
	branch = cur ? cur->branch_id : in->branch_id;
	if (who->role == HEARTH__ROLE__ROLE_BRANCH) {
		if (!branch[0])
			branch = who->branch;
		if (strcmp(branch, who->branch) != 0) {
			reject(&r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "branch_id",
			       "record %s belongs to branch %s; this certificate is for branch %s", idtext,
			       branch, who->branch);
			goto done;
		}
	} else if (who->role != HEARTH__ROLE__ROLE_ADMIN) {
		reject(&r, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "role", "record %s: this role may not write", idtext);
		goto done;
	} else if (!branch[0]) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id", "record %s: admin writes must name a branch",
		       idtext);
		goto done;
	}
	if (!cur && !admin_branch_exists(s, txn, branch)) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "branch_id",
		       "record %s: branch %s does not exist; an admin adds it with: hearth admin branch add %s --name NAME",
		       idtext, branch, branch);
		goto done;
	}
	if (cur && cur->kind != k->kind) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "kind", "record %s is a %s, not a %s", idtext,
		       kind_find(cur->kind) ? kind_find(cur->kind)->name : "?", k->name);
		goto done;
	}

	/* The op's body must be valid on its own. */
	if (!op->delete_ || in->body_case != HEARTH__RECORD__BODY__NOT_SET) {
		if ((rc = record_pack_body(in, &mine, &mine_len)) != 0) {
			if (rc == HEARTH_ENOMEM)
				goto out;
			rc = 0;
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "body", "record %s: body does not match its kind", idtext);
			goto done;
		}
		if (!op->delete_ && record_validate_body(k, mine, mine_len, &verr) != 0) {
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, verr.field, "record %s: %s", idtext, verr.message);
			goto done;
		}
	}

	if (!cur) {
		if (op->delete_) {
			reject(&r, HEARTH__ERROR_CODE__ERR_NOT_FOUND, "id", "record %s does not exist", idtext);
			goto done;
		}
		if (op->base_rev != 0) {
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "base_rev",
			       "record %s: base_rev %llu but the server has no such record", idtext,
			       (unsigned long long)op->base_rev);
			goto done;
		}
		if (op->resolves.len) {
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "resolves", "record %s does not exist", idtext);
			goto done;
		}
		rc = write_revision(s, txn, who, NULL, NULL, k, in->id.data, branch, mine, mine_len, 0, now, &r, "record.create", op);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			rc = 0;
			goto done;
		}
		r.status = HEARTH__OP_STATUS__OP_APPLIED;
		goto done;
	}

	if (op->base_rev > cur->rev) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "base_rev",
		       "record %s: base_rev %llu is ahead of the server's revision %llu", idtext,
		       (unsigned long long)op->base_rev, (unsigned long long)cur->rev);
		goto done;
	}
	if (op->base_rev == 0) {
		reject(&r, HEARTH__ERROR_CODE__ERR_CONFLICT, "id",
		       "record %s already exists (revision %llu); edit it instead of creating it", idtext,
		       (unsigned long long)cur->rev);
		goto done;
	}
	if ((rc = record_pack_body(cur, &curbody, &cur_len)) != 0)
		goto out;

	if (op->resolves.len) {
		/* A resolution forces its values: it is a person's decision. */
		fieldmap fm = FIELDMAP_INIT, fo = FIELDMAP_INIT;
		uint8_t *res = NULL;
		size_t res_len = 0;
		if ((rc = close_conflict(s, txn, who, op, in->id.data, now, &r)) != 0)
			goto out;
		if (r.status == HEARTH__OP_STATUS__OP_REJECTED)
			goto done;
		if (op->delete_) {
			if (cur->deleted) {
				r.status = HEARTH__OP_STATUS__OP_APPLIED;
				r.rev = cur->rev;
				r.seq = cur->seq;
				r.record = curv.mv_data;
				r.record_len = curv.mv_size;
				goto done;
			}
			rc = write_revision(s, txn, who, cur, &curv, k, in->id.data, branch, curbody, cur_len, 1, now, &r, "record.resolve", op);
			if (rc < 0)
				goto out;
			if (rc == 1) {
				rc = 0;
				goto done;
			}
			r.status = HEARTH__OP_STATUS__OP_APPLIED;
			goto done;
		}
		rc = fieldmap_parse(curbody, cur_len, &fm);
		if (rc == 0)
			rc = fieldmap_parse(mine, mine_len, &fo);
		for (size_t i = 0; rc == 0 && i < op->n_changed_fields; i++) {
			const field_entry *e = fieldmap_get(&fo, op->changed_fields[i]);
			rc = fieldmap_set(&fm, op->changed_fields[i], e ? e->bytes : NULL, e ? e->len : 0);
		}
		if (rc == 0)
			rc = fieldmap_build(&fm, &res, &res_len);
		fieldmap_free(&fm);
		fieldmap_free(&fo);
		if (rc == HEARTH_EINVAL) {
			free(res);
			rc = 0;
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "body", "record %s: malformed body", idtext);
			goto done;
		}
		if (rc)
			goto out;
		if (record_validate_body(k, res, res_len, &verr) != 0) {
			free(res);
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, verr.field, "record %s: %s", idtext, verr.message);
			goto done;
		}
		rc = write_revision(s, txn, who, cur, &curv, k, in->id.data, branch, res, res_len, 0, now, &r, "record.resolve", op);
		free(res);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			rc = 0;
			goto done;
		}
		r.status = HEARTH__OP_STATUS__OP_APPLIED;
		goto done;
	}

	if ((rc = load_revision_body(s, txn, in->id.data, op->base_rev, k, &base, &base_len)) != 0) {
		if (rc == HEARTH_ENOTFOUND) {
			rc = 0;
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "base_rev", "record %s: revision %llu is not in the history",
			       idtext, (unsigned long long)op->base_rev);
			goto done;
		}
		goto out;
	}

	if (op->delete_) {
		uint32_t *diff = NULL;
		size_t nd = 0;
		if (cur->deleted) {
			r.status = HEARTH__OP_STATUS__OP_MERGED;
			r.rev = cur->rev;
			r.seq = cur->seq;
			r.record = curv.mv_data;
			r.record_len = curv.mv_size;
			goto done;
		}
		if (op->base_rev != cur->rev) {
			if ((rc = merge_diff(base, base_len, curbody, cur_len, &diff, &nd)) != 0)
				goto out;
		}
		if (nd > 0) {
			/* Someone edited what this op deletes: keep the record, ask a person. */
			merge_conflict *mc = calloc(nd, sizeof(*mc));
			fieldmap fc = FIELDMAP_INIT;
			if (!mc || (rc = fieldmap_parse(curbody, cur_len, &fc)) != 0) {
				free(mc);
				free(diff);
				rc = rc ? rc : HEARTH_ENOMEM;
				goto out;
			}
			for (size_t i = 0; i < nd; i++) {
				const field_entry *e = fieldmap_get(&fc, diff[i]);
				mc[i].field = diff[i];
				mc[i].server_value = e ? e->bytes : NULL;
				mc[i].server_len = e ? e->len : 0;
			}
			rc = open_conflict(s, txn, who, op, cur, k, mc, nd, 1, 0, now, &r);
			free(mc);
			free(diff);
			fieldmap_free(&fc);
			if (rc)
				goto out;
			r.status = HEARTH__OP_STATUS__OP_CONFLICT;
			r.rev = cur->rev;
			r.seq = cur->seq;
			r.record = curv.mv_data;
			r.record_len = curv.mv_size;
			goto done;
		}
		free(diff);
		rc = write_revision(s, txn, who, cur, &curv, k, in->id.data, branch, curbody, cur_len, 1, now, &r, "record.delete", op);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			rc = 0;
			goto done;
		}
		r.status = op->base_rev == cur->rev ? HEARTH__OP_STATUS__OP_APPLIED : HEARTH__OP_STATUS__OP_MERGED;
		goto done;
	}

	if ((rc = merge_three_way(base, base_len, curbody, cur_len, mine, mine_len, op->changed_fields,
	                          op->n_changed_fields, &m)) != 0) {
		if (rc == HEARTH_EINVAL) {
			rc = 0;
			reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, "changed_fields", "record %s: cannot merge: malformed body or field list",
			       idtext);
			goto done;
		}
		goto out;
	}
	if (cur->deleted) {
		/* An edit of a record someone deleted: never a silent resurrection. */
		merge_conflict *mc = NULL;
		fieldmap fc = FIELDMAP_INIT, fo = FIELDMAP_INIT;
		size_t n = op->n_changed_fields;
		if (n > FIELDMAP_MAX_FIELDS)
			n = FIELDMAP_MAX_FIELDS;
		if ((rc = fieldmap_parse(curbody, cur_len, &fc)) != 0 || (rc = fieldmap_parse(mine, mine_len, &fo)) != 0) {
			fieldmap_free(&fc);
			goto out;
		}
		mc = calloc(n ? n : 1, sizeof(*mc));
		if (!mc) {
			fieldmap_free(&fc);
			fieldmap_free(&fo);
			rc = HEARTH_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			const field_entry *a = fieldmap_get(&fc, op->changed_fields[i]);
			const field_entry *b = fieldmap_get(&fo, op->changed_fields[i]);
			mc[i].field = op->changed_fields[i];
			mc[i].server_value = a ? a->bytes : NULL;
			mc[i].server_len = a ? a->len : 0;
			mc[i].op_value = b ? b->bytes : NULL;
			mc[i].op_len = b ? b->len : 0;
		}
		rc = open_conflict(s, txn, who, op, cur, k, mc, n, 1, 1, now, &r);
		free(mc);
		fieldmap_free(&fc);
		fieldmap_free(&fo);
		if (rc)
			goto out;
		r.status = HEARTH__OP_STATUS__OP_CONFLICT;
		r.rev = cur->rev;
		r.seq = cur->seq;
		r.record = curv.mv_data;
		r.record_len = curv.mv_size;
		goto done;
	}
	/* The merged body must still satisfy the rules (e.g. two disjoint edits
	 * of join and full-member dates that cross). */
	if (m.n_applied && record_validate_body(k, m.body, m.body_len, &verr) != 0) {
		reject(&r, HEARTH__ERROR_CODE__ERR_INVALID, verr.field, "record %s: after merging with the server's changes: %s",
		       idtext, verr.message);
		goto done;
	}
	if (m.n_applied) {
		rc = write_revision(s, txn, who, cur, &curv, k, in->id.data, branch, m.body, m.body_len, 0, now, &r,
		                    m.n_conflicts ? "record.conflict" : op->base_rev == cur->rev ? "record.update" : "record.merge", op);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			rc = 0;
			goto done;
		}
	} else {
		r.rev = cur->rev;
		r.seq = cur->seq;
		r.record = curv.mv_data;
		r.record_len = curv.mv_size;
	}
	if (m.n_conflicts) {
		/* The conflict refers to the server revision the op lost against. */
		if ((rc = open_conflict(s, txn, who, op, cur, k, m.conflicts, m.n_conflicts, 0, 0, now, &r)) != 0)
			goto out;
		r.status = HEARTH__OP_STATUS__OP_CONFLICT;
	} else if (op->base_rev == cur->rev) {
		r.status = HEARTH__OP_STATUS__OP_APPLIED;
	} else {
		r.status = HEARTH__OP_STATUS__OP_MERGED;
	}

done:
	*rejected = r.status == HEARTH__OP_STATUS__OP_REJECTED;
	*why = r;
	rc = finish_op(s, txn, op, &r, out);
	goto out;
emit:
	{
		wirebuf one = WIREBUF_INIT;
		encode_result(&one, op->op_id.data, op->op_id.len, &r, 1);
		wire_bytes_field(out, 1, one.data, one.len, 1);
		rc = (one.failed || out->failed) ? HEARTH_ENOMEM : 0;
		wire_free(&one);
	}
out:
	merge_result_free(&m);
	free(mine);
	free(base);
	free(curbody);
	if (cur)
		hearth__record__free_unpacked(cur, NULL);
	return rc;
}

int store_rehome(store *s, MDB_txn *txn, const actor *who, const uint8_t id[16],
                 const char *new_branch, int64_t now)
{
	MDB_val key = { 16, (void *)id }, curv;
	Hearth__Record *cur;
	const kind_info *k;
	uint8_t *body = NULL;
	size_t len = 0;
	result r;
	int rc;

	memset(&r, 0, sizeof(r));
	if ((rc = mdb_get(txn, s->records, &key, &curv)) != 0)
		return store_err(rc);
	cur = hearth__record__unpack(NULL, curv.mv_size, curv.mv_data);
	if (!cur)
		return HEARTH_ECORRUPT;
	k = kind_find(cur->kind);
	if (!k || strcmp(cur->branch_id, new_branch) == 0) {
		hearth__record__free_unpacked(cur, NULL);
		return k ? 0 : HEARTH_ECORRUPT;
	}
	rc = record_pack_body(cur, &body, &len);
	if (rc == 0 || rc == HEARTH_EINVAL)
		rc = write_revision(s, txn, who, cur, &curv, k, id, new_branch, body, len, cur->deleted, now, &r, "record.move", NULL);
	free(body);
	hearth__record__free_unpacked(cur, NULL);
	if (rc == 1)
		return HEARTH_EINVAL;
	return rc;
}

/* A refused op must leave nothing behind but its refusal. Every refusal
 * happens before the op's first write, except in a resolution (it closes
 * its conflict, then the resolved body may still be refused), so only
 * resolutions run in a nested transaction: nesting every op cost a tenth
 * of push throughput. */
int store_push_op(store *s, MDB_txn *txn, const actor *who, const Hearth__Op *op, int64_t now,
                  wirebuf *out)
{
	MDB_txn *child = NULL;
	int rejected = 0, rc;
	result why = { 0 };

	if (op->resolves.len == 0) {
		rc = apply_op(s, txn, who, op, now, out, &rejected, &why);
	} else {
		rc = store_err(mdb_txn_begin(s->env, txn, 0, &child));
		if (rc)
			return rc;
		rc = apply_op(s, child, who, op, now, out, &rejected, &why);
		if (rc == 0 && !rejected)
			return store_err(mdb_txn_commit(child));
		mdb_txn_abort(child);
	}
	if (rc == 0 && rejected) {
		/* Nothing of the op is stored; its refusal is. */
		const Hearth__Record *in = op->record;
		int has_id = in && in->id.len == 16;
		rc = audit_event(s, txn, who, "push.rejected", in ? in->kind : 0, has_id ? in->id.data : NULL,
		                 in && in->branch_id ? in->branch_id : "", NULL, op, why.message);
	}
	return rc;
}

/* --------------------------------------------------------------- pull */

int store_pull(store *s, const char *branch, uint64_t cursor, uint32_t limit, size_t max_bytes,
               wirebuf *out, uint32_t *n_out, uint64_t *fresh)
{
	uint64_t floor = 0;
	int reset = 0;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t key[80];
	size_t prefix = 0;
	uint64_t last = cursor;
	uint32_t n = 0;
	int more = 0, rc;
	wirebuf conflicts = WIREBUF_INIT;

	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	/* A replica whose cursor is below the purge horizon may have missed a
	 * delete: tell it to start again from zero. */
	if ((rc = retention_pull_check(s, txn, branch, cursor, fresh ? *fresh : 0, &reset, &floor)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	if (reset) {
		rc = retention_reset_body(s, txn, out);
		mdb_txn_abort(txn);
		*n_out = 0;
		return rc;
	}
	if (fresh && cursor == 0 && *fresh < floor)
		*fresh = floor;
	rc = mdb_cursor_open(txn, branch ? s->bchanges : s->changes, &cur);
	if (rc)
		goto fail;
	if (branch) {
		prefix = strlen(branch) + 1;
		k.mv_size = store_branch_key(key, sizeof(key), branch, cursor + 1);
		if (!k.mv_size) {
			rc = EINVAL;
			goto fail;
		}
	} else {
		be64_put(key, cursor + 1);
		k.mv_size = 8;
	}
	k.mv_data = key;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0) {
		const uint8_t *ref;
		MDB_val rk, rv;
		uint64_t seq;

		if (branch && (k.mv_size != prefix + 8 || memcmp(k.mv_data, key, prefix) != 0))
			break;
		seq = be64_get((const uint8_t *)k.mv_data + prefix);
		if (n >= limit || out->len + conflicts.len >= max_bytes) {
			more = 1;
			break;
		}
		if (v.mv_size != 17) {
			rc = MDB_CORRUPTED;
			goto fail;
		}
		ref = v.mv_data;
		rk.mv_size = 16;
		rk.mv_data = (void *)(ref + 1);
		rc = mdb_get(txn, ref[0] == REF_CONFLICT ? s->conflicts : s->records, &rk, &rv);
		if (rc)
			goto fail;
		/* Stored bytes go out as they are: no unpack, no repack. Only a
		 * moved-out marker needs a look at where the record is now. */
		Hearth__Record *full = NULL;
		if (ref[0] == REF_MOVED) {
			full = hearth__record__unpack(NULL, rv.mv_size, rv.mv_data);
			if (!full) {
				rc = MDB_CORRUPTED;
				goto fail;
			}
		}
		if (full && branch && strcmp(full->branch_id, branch) != 0) {
			/* Moved to another branch: only enough for the replica to drop it. */
			wirebuf stub = WIREBUF_INIT;
			wire_bytes_field(&stub, 1, full->id.data, full->id.len, 0);
			wire_uint_field(&stub, 2, (uint64_t)full->kind);
			wire_bytes_field(&stub, 3, full->branch_id, strlen(full->branch_id), 0);
			wire_uint_field(&stub, 4, full->rev);
			wire_uint_field(&stub, 5, seq);
			wire_bytes_field(out, 1, stub.data, stub.len, 1);
			if (stub.failed)
				out->failed = 1;
			wire_free(&stub);
		} else if (ref[0] == REF_CONFLICT) {
			wire_bytes_field(&conflicts, 2, rv.mv_data, rv.mv_size, 1);
		} else {
			/* A live entry, or a marker whose record has come back. */
			wire_bytes_field(out, 1, rv.mv_data, rv.mv_size, 1);
		}
		if (full)
			hearth__record__free_unpacked(full, NULL);
		last = seq;
		n++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto fail;
	rc = 0;
	wire_bytes(out, conflicts.data, conflicts.len);
	if (!more && last < floor)
		last = floor;
	wire_uint_field(out, 3, last);
	wire_uint_field(out, 4, (uint64_t)more);
	if (out->failed || conflicts.failed)
		rc = ENOMEM;
	*n_out = n;
fail:
	wire_free(&conflicts);
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return store_err(rc);
}

/* The last sequence in a scope's feed: the cursor a replica that has
 * pulled everything of that scope holds (not the global sequence, which
 * other branches move). */
static int feed_head(store *s, MDB_txn *txn, const char *branch, uint64_t *last)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t key[80];
	size_t prefix = branch ? strlen(branch) + 1 : 0;
	int rc;

	*last = 0;
	if ((rc = mdb_cursor_open(txn, branch ? s->bchanges : s->changes, &cur)) != 0)
		return rc;
	if (!branch) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	} else {
		k.mv_size = store_branch_key(key, sizeof(key), branch, UINT64_MAX);
		k.mv_data = key;
		if (!k.mv_size) {
			mdb_cursor_close(cur);
			return EINVAL;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
		else if (rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		if (rc == 0 && (k.mv_size != prefix + 8 || memcmp(k.mv_data, key, prefix) != 0))
			rc = MDB_NOTFOUND;
	}
	if (rc == 0)
		*last = be64_get((const uint8_t *)k.mv_data + prefix);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int store_digest(store *s, const char *branch, wirebuf *out)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	struct { uint64_t count; uint8_t x[32]; } acc[64];
	uint64_t last = 0;
	int rc;

	memset(acc, 0, sizeof(acc));
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_err(rc);
	if ((rc = mdb_cursor_open(txn, s->digests, &cur)) != 0)
		goto fail;
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0) {
		const uint8_t *kp = k.mv_data;
		size_t bl = k.mv_size - 2;
		int kind = kp[k.mv_size - 1];
		if (k.mv_size >= 2 && v.mv_size == 40 && kind < 64 &&
		    (!branch || (strlen(branch) == bl && memcmp(kp, branch, bl) == 0))) {
			acc[kind].count += be64_get(v.mv_data);
			for (int i = 0; i < 32; i++)
				acc[kind].x[i] ^= ((const uint8_t *)v.mv_data)[8 + i];
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc != MDB_NOTFOUND)
		goto fail;
	if ((rc = feed_head(s, txn, branch, &last)) != 0)
		goto fail;
	for (int kind = 1; kind < 64; kind++) {
		wirebuf one = WIREBUF_INIT;
		if (!acc[kind].count)
			continue;
		wire_uint_field(&one, 1, (uint64_t)kind);
		wire_uint_field(&one, 2, acc[kind].count);
		wire_bytes_field(&one, 3, acc[kind].x, 32, 1);
		wire_bytes_field(out, 1, one.data, one.len, 1);
		if (one.failed)
			out->failed = 1;
		wire_free(&one);
	}
	wire_uint_field(out, 2, last);
	rc = out->failed ? ENOMEM : 0;
fail:
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return store_err(rc);
}
