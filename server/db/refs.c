/* refs.c: store-level record rules: member references that resolve in the
 * record's branch, one dues record per member-month and one open hardship
 * entry per member, and the move of a member and their records when a
 * transfer is accepted.
 *
 * Everything refs keeps lives in one named database, "refs", so the store
 * spends one of its LMDB database slots on it:
 *   'u' 'd' member(16) month(7)  -> id(16)   the dues record of a member-month
 *   'u' 'h' member(16)           -> id(16)   the member's open hardship entry
 *   'm' member(16) id(16)        -> empty    records referencing the member
 * The index is kept by refs_after_write in the transaction of every write,
 * tombstones included, so a transfer moves a member's deleted records too
 * and the sending branch keeps nothing of them.
 *
 * Which fields are references comes from the kind table: every FIELD_ID
 * field names a member record.  A reference is checked when a write adds
 * it; references a record already held stay valid when the member later
 * leaves (a group visit stays with the branch that made it), so editing an
 * old record never fails on someone else's move.
 *
 * Transfer authorization: a transfer record lives in the sending branch, so
 * under the store's ordinary rule only the sending branch's principal or an
 * admin can write it, including setting it to 已接收.  That is also how the
 * paper process runs: the receiving organisation returns the letter's
 * receipt (回执) and the sending branch records it.  The receiving branch
 * cannot see the transfer before acceptance and learns of it when the
 * member and their records arrive in its feed.
 *
 * What the sending branch keeps (issue 15 item 5): acceptance moves the
 * transfer record too, so in the same transaction the sending branch gets
 * a new record of kind transfer, its summary: member, branches, letter
 * number and dates, the member's name and the receiving branch's name as
 * text, and the TransferSummary mark.  It is an ordinary record in the
 * sending branch's feed and digest, so its replicas pull it like any
 * other, and old clients read it as a transfer.  It refers to no member
 * (record_refs_each skips it), so it never moves and never blocks a
 * delete; push.c refuses every op on it. */
#include "server/db/refs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"
#include "common/uuid.h"
#include "server/db/principals.h"

#define REFS_DB STORE_REFS_DB
#define KEY_MAX 64

/* The handle of the refs database.  store_open's transaction opened (and
 * committed) it, so this only looks the name up in the environment; it is
 * called by the single writer thread only. */
static int refs_dbi(MDB_txn *txn, MDB_dbi *dbi)
{
	return store_err(mdb_dbi_open(txn, REFS_DB, 0, dbi));
}

/* ------------------------------------------------------------ helpers */

static int refuse(record_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(record_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return HEARTH_EINVAL;
}

/* Unpacks a body of kind k with the default allocator; NULL when it does
 * not decode (validation has run before, so only a stored body from an
 * older schema could) or memory ran out: *rc says which. */
static ProtobufCMessage *unpack(const kind_info *k, const uint8_t *body, size_t len, int *rc)
{
	ProtobufCMessage *m = protobuf_c_message_unpack(k->desc, NULL, len,
	                                                len ? body : (const uint8_t *)"");

	*rc = m ? 0 : HEARTH_EINVAL;
	return m;
}

static void unpack_free(ProtobufCMessage *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

/* The member ids a body references, in field order: pointers into m
 * (valid while m lives). */
typedef struct idlist {
	const uint8_t **v;
	const char **field;        /* the proto field name of each */
	size_t n;
} idlist;

static void idlist_free(idlist *l)
{
	free(l->v);
	free(l->field);
	memset(l, 0, sizeof(*l));
}

static int count_ref(void *ctx, const char *field, const uint8_t id[16])
{
	(void)field, (void)id;
	(*(size_t *)ctx)++;
	return 0;
}

static int add_ref(void *ctx, const char *field, const uint8_t id[16])
{
	idlist *l = ctx;
	l->v[l->n] = id;
	l->field[l->n++] = field;
	return 0;
}

/* The member references of a body (borrowed pointers into m). */
static int body_refs(const kind_info *k, const ProtobufCMessage *m, idlist *out)
{
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	record_refs_each(k, m, count_ref, &cap);
	if (cap == 0)
		return 0;
	out->v = calloc(cap, sizeof(*out->v));
	out->field = calloc(cap, sizeof(*out->field));
	if (!out->v || !out->field) {
		idlist_free(out);
		return HEARTH_ENOMEM;
	}
	return record_refs_each(k, m, add_ref, out);
}

static int idlist_has(const idlist *l, const uint8_t *id)
{
	for (size_t i = 0; i < l->n; i++) {
		if (memcmp(l->v[i], id, UUID_LEN) == 0)
			return 1;
	}
	return 0;
}

/* One dues record per member-month, one open hardship entry per member:
 * the key comes from common/record.c so the client checks the same rule. */
static size_t unique_key(const kind_info *k, const ProtobufCMessage *m, uint8_t key[KEY_MAX])
{
	return record_unique_key(k, m, key);
}

/* Whether the kind takes part in any rule here; the member kind does not,
 * so the commonest write costs nothing. */
static int kind_has_refs(const kind_info *k)
{
	for (size_t i = 0; i < k->n_rules; i++) {
		if (k->rules[i].flags & FIELD_ID)
			return 1;
	}
	return 0;
}

/* The stored latest revision of id, or *out NULL when there is none. */
static int load(store *s, MDB_txn *txn, const uint8_t id[16], Hearth__Record **out)
{
	MDB_val key = { UUID_LEN, (void *)id }, val;
	int rc = mdb_get(txn, s->records, &key, &val);

	*out = NULL;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_err(rc);
	*out = hearth__record__unpack(NULL, val.mv_size, val.mv_data);
	return *out ? 0 : HEARTH_ECORRUPT;
}

/* A reference resolves to a member record, not deleted, in branch.  The
 * message is the same whether the id is unknown, deleted or in another
 * branch, so a branch learns nothing about other branches' members. */
static int check_member(store *s, MDB_txn *txn, const char *field, const uint8_t *mid,
                        const char *branch, record_error *err)
{
	Hearth__Record *m;
	char t[UUID_TEXT_LEN + 1];
	int rc = load(s, txn, mid, &m), ok;

	if (rc != 0)
		return rc;
	ok = m && m->kind == HEARTH__KIND__KIND_MEMBER && !m->deleted &&
	     strcmp(m->branch_id, branch) == 0;
	if (m)
		hearth__record__free_unpacked(m, NULL);
	if (ok)
		return 0;
	uuid_format(mid, t);
	return refuse(err, field, "%s %s: no such member in branch %s", field, t, branch);
}

/* A transfer: opened in the sending branch, final once accepted, and at
 * acceptance its member must still be a member of the sending branch. */
static int check_transfer(store *s, MDB_txn *txn, const char *branch, const Hearth__Transfer *t,
                          const Hearth__Transfer *old, record_error *err)
{
	int acc = t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;
	int was_acc = old && old->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED;

	if (was_acc) {
		const char *changed = !acc ? "status"
		                      : strcmp(t->from_branch, old->from_branch) ? "from_branch"
		                      : strcmp(t->to_branch, old->to_branch) ? "to_branch"
		                      : strcmp(t->accepted_date, old->accepted_date) ? "accepted_date"
		                      : t->member.len != old->member.len ||
		                                memcmp(t->member.data, old->member.data, t->member.len)
		                          ? "member"
		                          : NULL;
		if (changed)
			return refuse(err, changed,
			              "%s: this transfer was accepted on %s and is final; open a new "
			              "transfer to move the member again",
			              changed, old->accepted_date);
		return 0;
	}
	/* Once accepted, the member and their records would belong to a
	 * branch nobody can see: the receiving branch must exist. */
	if (t->to_branch[0] && !principals_branch_exists(s, txn, t->to_branch)) {
		char names[160];
		int rc = principals_branch_names(s, txn, names, sizeof(names));
		if (rc != 0)
			return rc;
		return refuse(err, "to_branch",
		              "to_branch %s: no such branch; the branches are %s (an admin adds one with "
		              "'hearth admin branch add')",
		              t->to_branch, names);
	}
	if (strcmp(t->from_branch, branch) != 0)
		return refuse(err, "from_branch",
		              "from_branch %s is not this record's branch %s: a transfer is opened by "
		              "the sending branch",
		              t->from_branch, branch);
	if (acc && t->member.len == UUID_LEN)
		return check_member(s, txn, "member", t->member.data, branch, err);
	return 0;
}

/* ------------------------------------------------------------- checks */

int refs_check(store *s, MDB_txn *txn, const kind_info *k, const uint8_t id[16], const char *branch,
               const uint8_t *body, size_t body_len, int deleted, record_error *err)
{
	Hearth__Record *cur = NULL;
	ProtobufCMessage *m = NULL;
	const ProtobufCMessage *om = NULL;
	idlist now = { 0 }, before = { 0 };
	uint8_t key[KEY_MAX];
	size_t klen;
	MDB_dbi dbi;
	int rc;

	/* A delete never breaks a rule here: uniqueness is released, and
	 * records referencing a deleted member keep their history. */
	if (deleted || !kind_has_refs(k))
		return 0;
	if ((m = unpack(k, body, body_len, &rc)) == NULL)
		return rc == HEARTH_EINVAL ? refuse(err, "", "the %s body does not decode", k->name) : rc;
	/* The server's own summary: its member has left the branch. */
	if (record_transfer_summary(k, m) != NULL)
		goto fail;
	if ((rc = load(s, txn, id, &cur)) != 0)
		goto fail;
	if (cur && cur->kind == k->kind)
		om = record_body(cur);
	if ((rc = body_refs(k, m, &now)) != 0 || (rc = body_refs(k, om, &before)) != 0)
		goto fail;
	for (size_t i = 0; i < now.n; i++) {
		if (idlist_has(&before, now.v[i]))
			continue;
		if ((rc = check_member(s, txn, now.field[i], now.v[i], branch, err)) != 0)
			goto fail;
	}
	if (k->kind == HEARTH__KIND__KIND_TRANSFER &&
	    (rc = check_transfer(s, txn, branch, (const Hearth__Transfer *)m,
	                         (const Hearth__Transfer *)om, err)) != 0)
		goto fail;
	if ((klen = unique_key(k, m, key)) != 0) {
		MDB_val kv = { klen, key }, v;

		if ((rc = refs_dbi(txn, &dbi)) != 0)
			goto fail;
		rc = mdb_get(txn, dbi, &kv, &v);
		if (rc == 0 && v.mv_size == UUID_LEN && memcmp(v.mv_data, id, UUID_LEN) != 0) {
			char mt[UUID_TEXT_LEN + 1], ot[UUID_TEXT_LEN + 1];

			uuid_format(key + 2, mt);
			uuid_format(v.mv_data, ot);
			if (k->kind == HEARTH__KIND__KIND_DUES)
				rc = refuse(err, "month", "dues for member %s in %s already exist (record %s)",
				            mt, ((const Hearth__Dues *)m)->month, ot);
			else
				rc = refuse(err, "status",
				            "member %s already has an open hardship entry (record %s); close it "
				            "(脱困 or 移出) before opening another",
				            mt, ot);
			goto fail;
		}
		rc = rc == MDB_NOTFOUND ? 0 : store_err(rc);
	}
fail:
	idlist_free(&before);
	idlist_free(&now);
	if (cur)
		hearth__record__free_unpacked(cur, NULL);
	unpack_free(m);
	return rc;
}

/* ----------------------------------------------------------- indexes */

static size_t member_key(uint8_t key[KEY_MAX], const uint8_t *member, const uint8_t id[16])
{
	key[0] = 'm';
	memcpy(key + 1, member, UUID_LEN);
	memcpy(key + 17, id, UUID_LEN);
	return 33;
}

/* Every record referencing member (by the index), as a malloc'd array of
 * ids, so the caller may write records while walking it. */
static int referencing(MDB_txn *txn, MDB_dbi dbi, const uint8_t *member, uint8_t (**ids)[16],
                       size_t *n)
{
	MDB_cursor *c = NULL;
	uint8_t prefix[17];
	MDB_val k = { sizeof(prefix), prefix }, v;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	prefix[0] = 'm';
	memcpy(prefix + 1, member, UUID_LEN);
	if ((rc = store_err(mdb_cursor_open(txn, dbi, &c))) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size == 33 && memcmp(k.mv_data, prefix, sizeof(prefix)) == 0) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			uint8_t(*p)[16] = realloc(*ids, ncap * sizeof(**ids));

			if (!p) {
				rc = HEARTH_ENOMEM;
				goto fail;
			}
			*ids = p;
			cap = ncap;
		}
		memcpy((*ids)[(*n)++], (const uint8_t *)k.mv_data + 17, UUID_LEN);
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	rc = rc == MDB_NOTFOUND || rc == 0 ? 0 : store_err(rc);
fail:
	mdb_cursor_close(c);
	if (rc != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

/* Whether the record id, now in branch from, is about this member alone
 * (every reference it holds is to member) and so moves with them.  Records
 * about several members (a group visit, an activity) stay with the branch
 * that made them, and so does an earlier accepted transfer: it is the 转入
 * of the branch that received her then, as the summary is the 转出 of the
 * branch that sent her. */
static int moves_with(store *s, MDB_txn *txn, const uint8_t id[16], const uint8_t *member,
                      const char *from, int *yes)
{
	Hearth__Record *r = NULL;
	const kind_info *k;
	idlist l = { 0 };
	int rc;

	*yes = 0;
	if ((rc = load(s, txn, id, &r)) != 0 || r == NULL)
		return rc;
	k = kind_find(r->kind);
	if (r->body_case == HEARTH__RECORD__BODY_TRANSFER &&
	    r->transfer->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED)
		k = NULL;
	if (k && strcmp(r->branch_id, from) == 0 && (rc = body_refs(k, record_body(r), &l)) == 0) {
		*yes = l.n > 0;
		for (size_t i = 0; i < l.n; i++)
			*yes &= memcmp(l.v[i], member, UUID_LEN) == 0;
	}
	idlist_free(&l);
	hearth__record__free_unpacked(r, NULL);
	return rc;
}

/* The consequence of an accepted transfer: the member and every record
 * about them alone (the transfer itself included, earlier accepted
 * transfers not) get a new revision in the receiving branch; the rehome
 * callback (revision_rehome) leaves a marker in the sending branch's feed
 * so its replicas drop them. */
static int move_member(store *s, MDB_txn *txn, MDB_dbi dbi, const refs_write *w,
                       const Hearth__Transfer *t)
{
	uint8_t(*ids)[16] = NULL;
	size_t n = 0;
	int rc;

	rc = w->rehome(s, txn, w->who, t->member.data, t->to_branch, w->now);
	if (rc != 0)
		return rc;
	if ((rc = referencing(txn, dbi, t->member.data, &ids, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int yes;

		if (memcmp(ids[i], w->id, UUID_LEN) == 0)
			yes = 1;
		else if ((rc = moves_with(s, txn, ids[i], t->member.data, t->from_branch, &yes)) != 0)
			break;
		if (yes)
			rc = w->rehome(s, txn, w->who, ids[i], t->to_branch, w->now);
	}
	free(ids);
	return rc;
}

/* The sending branch's summary of an accepted transfer t (record w->id),
 * written after the move so it stays: the member's name as it was, the
 * receiving branch's name, and the transfer's letter and dates; its notes
 * and attachments go with the transfer itself. */
static int leave_summary(store *s, MDB_txn *txn, const refs_write *w, const Hearth__Transfer *t,
                         const char *note)
{
	Hearth__Transfer sum = HEARTH__TRANSFER__INIT;
	Hearth__TransferSummary mark = HEARTH__TRANSFER_SUMMARY__INIT;
	Hearth__Record *mem = NULL;
	char to_name[256] = "", tid[UUID_TEXT_LEN + 1], detail[700];
	uint8_t id[16], *body = NULL;
	size_t len;
	int rc;

	if ((rc = load(s, txn, t->member.data, &mem)) != 0)
		return rc;
	if ((rc = principals_branch_name(s, txn, t->to_branch, to_name, sizeof(to_name))) != 0 ||
	    (rc = uuid_v7(id)) != 0)
		goto fail;
	mark.transfer.data = (uint8_t *)w->id;
	mark.transfer.len = UUID_LEN;
	mark.member_name = mem && mem->body_case == HEARTH__RECORD__BODY_MEMBER ? mem->member->name : "";
	mark.to_branch_name = to_name;
	sum.member = t->member;
	sum.from_branch = t->from_branch;
	sum.to_branch = t->to_branch;
	sum.letter_no = t->letter_no;
	sum.issued_date = t->issued_date;
	sum.valid_until = t->valid_until;
	sum.status = t->status;
	sum.accepted_date = t->accepted_date;
	sum.summary = &mark;
	len = hearth__transfer__get_packed_size(&sum);
	if ((body = malloc(len ? len : 1)) == NULL) {
		rc = HEARTH_ENOMEM;
		goto fail;
	}
	hearth__transfer__pack(&sum, body);
	uuid_format(w->id, tid);
	snprintf(detail, sizeof(detail),
	         "summary of transfer %s, kept read-only by the sending branch %s: %s left for %s%s%s%s on "
	         "%s, letter %s%s",
	         tid, t->from_branch, mark.member_name[0] ? mark.member_name : "?", t->to_branch,
	         to_name[0] ? " (" : "", to_name, to_name[0] ? ")" : "", t->accepted_date,
	         t->letter_no[0] ? t->letter_no : "-", note ? note : "");
	rc = w->create(s, txn, &(refs_new_record){
		.who = w->who, .kind = w->kind, .id = id, .branch = t->from_branch, .body = body,
		.body_len = len, .now = w->now, .action = "transfer.summary", .detail = detail });
	if (rc == 0 && w->effects) {
		w->effects->summary_made = 1;
		memcpy(w->effects->summary_id, id, UUID_LEN);
		snprintf(w->effects->summary_branch, sizeof(w->effects->summary_branch), "%s", t->from_branch);
	}
fail:
	free(body);
	if (mem)
		hearth__record__free_unpacked(mem, NULL);
	return rc;
}

/* A growing list of 16-byte ids. */
typedef struct idset {
	uint8_t (*v)[16];
	size_t n, cap;
} idset;

static int idset_add(idset *l, const uint8_t *id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		uint8_t(*p)[16] = realloc(l->v, cap * sizeof(*l->v));

		if (!p)
			return HEARTH_ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	memcpy(l->v[l->n++], id, UUID_LEN);
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

/* One pass over the latest copies: the transfers each summary stands for,
 * and the accepted transfers (not deleted, not summaries themselves). */
static int scan_transfers(store *s, MDB_txn *txn, idset *summarized, idset *accepted)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc, mrc;

	if ((rc = store_err(mdb_cursor_open(txn, s->records, &c))) != 0)
		return rc;
	for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
	     mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		Hearth__Record *r = hearth__record__unpack(NULL, v.mv_size, v.mv_data);
		const Hearth__Transfer *t;

		if (!r) {
			rc = HEARTH_ECORRUPT;
			break;
		}
		t = r->body_case == HEARTH__RECORD__BODY_TRANSFER ? r->transfer : NULL;
		if (t && t->summary && t->summary->transfer.len == UUID_LEN)
			rc = idset_add(summarized, t->summary->transfer.data);
		else if (t && !t->summary && !r->deleted && r->id.len == UUID_LEN &&
		         t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED && t->member.len == UUID_LEN)
			rc = idset_add(accepted, r->id.data);
		hearth__record__free_unpacked(r, NULL);
	}
	mdb_cursor_close(c);
	if (rc == 0 && mrc != MDB_NOTFOUND && mrc != 0)
		rc = store_err(mrc);
	return rc;
}

int refs_backfill_summaries(store *s, MDB_txn *txn, const actor *who, int64_t now, refs_create_fn create,
                            size_t *made)
{
	MDB_val mk = { strlen(REFS_SUMMARIES_META), (void *)REFS_SUMMARIES_META }, mv;
	idset summarized = { 0 }, accepted = { 0 };
	const kind_info *k = kind_find(HEARTH__KIND__KIND_TRANSFER);
	int rc = mdb_get(txn, s->meta, &mk, &mv);

	*made = 0;
	if (rc == 0)
		return 0;
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if ((rc = scan_transfers(s, txn, &summarized, &accepted)) != 0)
		goto fail;
	if (summarized.n > 1)
		qsort(summarized.v, summarized.n, sizeof(*summarized.v), id_cmp);
	for (size_t i = 0; i < accepted.n && rc == 0; i++) {
		Hearth__Record *r = NULL;

		if (summarized.n && bsearch(accepted.v[i], summarized.v, summarized.n, sizeof(*summarized.v), id_cmp))
			continue;
		if ((rc = load(s, txn, accepted.v[i], &r)) != 0)
			break;
		if (!r)
			continue;
		/* Only a transfer that left its sending branch, for a branch that
		 * still exists, leaves a trace there. */
		if (strcmp(r->branch_id, r->transfer->from_branch) != 0 &&
		    principals_branch_exists(s, txn, r->transfer->from_branch)) {
			rc = leave_summary(s, txn, &(refs_write){ .who = who, .kind = k, .id = accepted.v[i],
			                                          .now = now, .create = create },
			                   r->transfer, "; made at start-up for a transfer accepted before summaries existed");
			*made += rc == 0;
		}
		hearth__record__free_unpacked(r, NULL);
	}
	if (rc == 0) {
		MDB_val one = { 1, (void *)"1" };
		rc = store_err(mdb_put(txn, s->meta, &mk, &one, 0));
	}
fail:
	free(summarized.v);
	free(accepted.v);
	return rc;
}

int refs_summarize_referencing(store *s, MDB_txn *txn, const uint8_t member[16], const char *branch,
                               ref_summary *out)
{
	uint8_t(*ids)[16] = NULL;
	size_t n = 0;
	MDB_dbi dbi;
	int rc;

	ref_summary_init(out);
	if ((rc = refs_dbi(txn, &dbi)) != 0 || (rc = referencing(txn, dbi, member, &ids, &n)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		Hearth__Record *r = NULL;
		const kind_info *k;

		if ((rc = load(s, txn, ids[i], &r)) != 0 || r == NULL)
			continue;
		k = kind_find(r->kind);
		if (k && !r->deleted && (!branch || strcmp(r->branch_id, branch) == 0))
			ref_summary_add(out, k, record_body(r));
		hearth__record__free_unpacked(r, NULL);
	}
	free(ids);
	return rc;
}

int refs_after_write(store *s, MDB_txn *txn, const refs_write *w)
{
	const kind_info *k = w->kind;
	const uint8_t *id = w->id, *old_body = w->old_body, *body = w->body;
	size_t old_len = w->old_len, body_len = w->body_len;
	int deleted = w->deleted;
	ProtobufCMessage *om = NULL, *m = NULL;
	idlist before = { 0 }, after = { 0 };
	uint8_t okey[KEY_MAX], nkey[KEY_MAX], key[KEY_MAX];
	size_t olen = 0, nlen = 0;
	MDB_dbi dbi;
	int rc = 0;

	if (!kind_has_refs(k))
		return 0;
	/* A move rewrites the same live body: nothing to re-index.  A delete
	 * also keeps the body, but must release its uniqueness claim. */
	if (!deleted && old_body && old_len == body_len && (body_len == 0 || memcmp(old_body, body, body_len) == 0))
		return 0;
	if ((rc = refs_dbi(txn, &dbi)) != 0)
		return rc;
	if (old_body && (om = unpack(k, old_body, old_len, &rc)) == NULL && rc != HEARTH_EINVAL)
		goto fail;
	if ((m = unpack(k, body, body_len, &rc)) == NULL && rc != HEARTH_EINVAL)
		goto fail;
	if ((rc = body_refs(k, om, &before)) != 0 || (rc = body_refs(k, m, &after)) != 0)
		goto fail;

	/* Uniqueness: release the old claim if it is ours, then claim anew. */
	olen = unique_key(k, om, okey);
	nlen = deleted ? 0 : unique_key(k, m, nkey);
	if (olen && !(nlen == olen && memcmp(okey, nkey, olen) == 0)) {
		MDB_val kv = { olen, okey }, v;

		rc = mdb_get(txn, dbi, &kv, &v);
		if (rc == 0 && v.mv_size == UUID_LEN && memcmp(v.mv_data, id, UUID_LEN) == 0)
			rc = mdb_del(txn, dbi, &kv, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			rc = store_err(rc);
			goto fail;
		}
	}
	if (nlen) {
		MDB_val kv = { nlen, nkey }, v = { UUID_LEN, (void *)id };

		if ((rc = store_err(mdb_put(txn, dbi, &kv, &v, 0))) != 0)
			goto fail;
	}

	/* Member index: tombstones stay indexed, so they move too. */
	for (size_t i = 0; i < before.n; i++) {
		MDB_val kv;

		if (idlist_has(&after, before.v[i]))
			continue;
		kv.mv_size = member_key(key, before.v[i], id);
		kv.mv_data = key;
		rc = mdb_del(txn, dbi, &kv, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			rc = store_err(rc);
			goto fail;
		}
	}
	for (size_t i = 0; i < after.n; i++) {
		MDB_val kv, v = { 0, (void *)"" };

		kv.mv_size = member_key(key, after.v[i], id);
		kv.mv_data = key;
		if ((rc = store_err(mdb_put(txn, dbi, &kv, &v, 0))) != 0)
			goto fail;
	}
	rc = 0;

	if (k->kind == HEARTH__KIND__KIND_TRANSFER && m && !deleted && !record_transfer_summary(k, m)) {
		const Hearth__Transfer *t = (const Hearth__Transfer *)m;
		const Hearth__Transfer *ot = (const Hearth__Transfer *)om;

		if (t->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED &&
		    t->member.len == UUID_LEN &&
		    !(ot && ot->status == HEARTH__TRANSFER_STATUS__TRANSFER_STATUS_ACCEPTED)) {
			rc = move_member(s, txn, dbi, w, t);
			if (rc == 0 && w->create)
				rc = leave_summary(s, txn, w, t, NULL);
		}
	}
fail:
	idlist_free(&after);
	idlist_free(&before);
	unpack_free(m);
	unpack_free(om);
	return rc;
}
