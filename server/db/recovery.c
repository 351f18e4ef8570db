/* recovery.c: recovery mode of a restored server: the signed restore
 * notice, `hearthd recovery start|end`, and the revisions replicas
 * re-push (issue 13 item 10). */
#include "server/db/recovery.h"

#include <getopt.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/audit.h"
#include "common/be.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/sha256.h"
#include "common/uuid.h"
#include "server/db/audit_log.h"
#include "server/db/revision.h"

/* hearthd's default map size (server/config.c); LMDB grows the map to the
 * file's size when the file is larger. */
#define RECOVERY_MAP_SIZE (4ull * 1024 * 1024 * 1024)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	audit_hex(p, n, out);
}

int recovery_notice_get(store *s, MDB_txn *txn, uint8_t **out, size_t *len)
{
	MDB_val k = { sizeof(RECOVERY_NOTICE_KEY) - 1, RECOVERY_NOTICE_KEY }, v;
	int rc = mdb_get(txn, s->meta, &k, &v);

	*out = NULL;
	*len = 0;
	if (rc == MDB_NOTFOUND)
		return HEARTH_ENOTFOUND;
	if (rc)
		return store_err(rc);
	if ((*out = malloc(v.mv_size ? v.mv_size : 1)) == NULL)
		return HEARTH_ENOMEM;
	memcpy(*out, v.mv_data, v.mv_size);
	*len = v.mv_size;
	return 0;
}

/* ------------------------------------------------------------ the command */

/* Who an offline step is in the audit log: the operator at the server's
 * console, with the admin role (no certificate: there is no connection). */
static const actor operator_actor = {
	.role = HEARTH__ROLE__ROLE_ADMIN,
	.name = "hearthd recovery (operator on the server host)",
};

static void recovery_usage(FILE *f)
{
	fprintf(f, "%s", _("usage: hearthd recovery start --data DIR --audit-key KEY\n"
	                   "       hearthd recovery end --data DIR\n\n"
	                   "start puts a store restored from an older backup into recovery mode (run it on\n"
	                   "the stopped store, right after 'hearthd restore'): it signs, with the audit\n"
	                   "key, a restore notice naming the audit checkpoint and change sequence the\n"
	                   "store was restored to. hearthd presents the notice to every client; each\n"
	                   "replica accepts the shorter audit log once and re-pushes the records it holds\n"
	                   "at revisions the server lacks. end leaves recovery mode once every replica\n"
	                   "has synced. Both are recorded in the audit log.\n"
	                   "Exit status: 0 done, 1 failed, 2 bad usage or refused.\n"));
}

/* Opens the store in dir for an offline step; err says why not. */
static int open_store(store *s, const char *dir, char *err, size_t errlen)
{
	int rc;

	if ((rc = store_precheck(dir, err, errlen)) != 0)
		return rc;
	return store_open(s, dir, RECOVERY_MAP_SIZE, err, errlen);
}

/* Makes and signs the notice for the store's current audit head and change
 * sequence, stores it and audits the start, in one transaction. */
static int start(store *s, EVP_PKEY *key, const char *dir)
{
	Hearth__RestoreNotice n = HEARTH__RESTORE_NOTICE__INIT;
	uint8_t id[AUDIT_NOTICE_ID_LEN], head[AUDIT_HASH_LEN], *packed = NULL, *old = NULL;
	char headx[2 * AUDIT_HASH_LEN + 1], idx[2 * AUDIT_NOTICE_ID_LEN + 1], detail[400];
	MDB_val k = { sizeof(RECOVERY_NOTICE_KEY) - 1, RECOVERY_NOTICE_KEY }, v, sk = { 3, "seq" }, sv;
	MDB_txn *txn = NULL;
	size_t len = 0, old_len = 0;
	uint64_t size;
	int rc;

	if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0)
		goto failed_txn;
	rc = recovery_notice_get(s, txn, &old, &old_len);
	free(old);
	if (rc == 0) {
		fprintf(stderr, _("hearthd recovery start: %s is already in recovery mode; end it first with "
		                  "'hearthd recovery end --data %s' (one notice per restore)\n"), dir, dir);
		rc = 2;
		goto failed_read;
	}
	if (rc != HEARTH_ENOTFOUND || (rc = audit_head(s, txn, &size, head)) != 0)
		goto failed_read;
	if (RAND_bytes(id, sizeof(id)) != 1) {
		rc = HEARTH_EIO;
		goto failed_read;
	}
	n.id.data = id;
	n.id.len = sizeof(id);
	n.audit_size = size;
	n.audit_head.data = head;
	n.audit_head.len = sizeof(head);
	rc = mdb_get(txn, s->meta, &sk, &sv);
	n.change_seq = rc == 0 && sv.mv_size == 8 ? be64_get(sv.mv_data) : 0;
	n.time = now_ms();
	if ((rc = audit_sign_notice(key, &n)) != 0)
		goto failed_read;
	len = hearth__restore_notice__get_packed_size(&n);
	if ((packed = malloc(len)) == NULL) {
		rc = HEARTH_ENOMEM;
		goto failed_pack;
	}
	hearth__restore_notice__pack(&n, packed);
	v.mv_size = len;
	v.mv_data = packed;
	if ((rc = store_err(mdb_put(txn, s->meta, &k, &v, 0))) != 0)
		goto failed_put;
	hex(head, sizeof(head), headx);
	hex(id, sizeof(id), idx);
	snprintf(detail, sizeof(detail), "restored to audit checkpoint size=%llu head=%s, change seq %llu; notice %s",
	         (unsigned long long)size, headx, (unsigned long long)n.change_seq, idx);
	if ((rc = audit_event(s, txn, &(audit_event_args){ .who = &operator_actor, .action = "recovery.start",
	                                                   .detail = detail })) != 0)
		goto failed_put;
	rc = store_commit(s, txn);
	txn = NULL;
	if (rc != 0)
		goto failed_put;
	printf(_("recovery: %s is in recovery mode; restore notice %s\n"), dir, idx);
	printf(_("recovery: restored to audit checkpoint size=%llu head=%s, change seq %llu\n"),
	       (unsigned long long)size, headx, (unsigned long long)n.change_seq);
	printf("%s", _("recovery: start hearthd; have every replica run 'hearth sync', then end recovery with "
	               "'hearthd recovery end'\n"));
failed_put:
	free(packed);
failed_pack:
	free(n.signature.data);
failed_read:
	if (txn)
		mdb_txn_abort(txn);
failed_txn:
	return rc;
}

/* Removes the notice and audits the end, in one transaction. */
static int end(store *s, const char *dir)
{
	MDB_val k = { sizeof(RECOVERY_NOTICE_KEY) - 1, RECOVERY_NOTICE_KEY };
	MDB_txn *txn;
	int rc;

	if ((rc = store_err(mdb_txn_begin(s->env, NULL, 0, &txn))) != 0)
		return rc;
	rc = mdb_del(txn, s->meta, &k, NULL);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		fprintf(stderr, _("hearthd recovery end: %s is not in recovery mode\n"), dir);
		return 2;
	}
	if ((rc = store_err(rc)) != 0 ||
	    (rc = audit_event(s, txn, &(audit_event_args){ .who = &operator_actor, .action = "recovery.end" })) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	if ((rc = store_commit(s, txn)) != 0)
		return rc;
	printf(_("recovery: %s left recovery mode; clients are no longer shown the restore notice\n"), dir);
	return 0;
}

int recovery_main(int argc, char **argv)
{
	static const struct option o[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "audit-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *keypath = NULL, *verb;
	char err[1200];
	EVP_PKEY *key = NULL;
	store s;
	int c, rc;

	if (argc < 2 || (strcmp(argv[1], "start") && strcmp(argv[1], "end"))) {
		if (argc >= 2 && !strcmp(argv[1], "--help")) {
			recovery_usage(stdout);
			return 0;
		}
		recovery_usage(stderr);
		return 2;
	}
	verb = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", o, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'k': keypath = optarg; break;
		case 'h': recovery_usage(stdout); return 0;
		default: fprintf(stderr, "%s", _("hearthd: try 'hearthd recovery --help'\n")); return 2;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, _("hearthd recovery: unexpected argument \"%s\"\n"), argv[optind + 1]);
		return 2;
	}
	if (!data) {
		fprintf(stderr, _("hearthd recovery %s: --data DIR is required (the restored store)\n"), verb);
		return 2;
	}
	if (!strcmp(verb, "start") && !keypath) {
		fprintf(stderr, "%s", _("hearthd recovery start: --audit-key KEY is required: the notice is signed "
		                        "with the server's audit signing key, which witnesses already trust. A lost "
		                        "key cannot sign one: publish the new key and have every replica run "
		                        "'hearth init --audit-key FILE.pub'\n"));
		return 2;
	}
	if (keypath && (key = audit_load_key(keypath, err, sizeof(err))) == NULL) {
		fprintf(stderr, _("hearthd recovery start: %s\n"), err);
		return 1;
	}
	if ((rc = open_store(&s, data, err, sizeof(err))) != 0) {
		fprintf(stderr, _("hearthd recovery %s: %s\n"), verb, err);
		EVP_PKEY_free(key);
		return 1;
	}
	rc = key ? start(&s, key, data) : end(&s, data);
	store_close(&s);
	EVP_PKEY_free(key);
	if (rc < 0) {
		fprintf(stderr, _("hearthd recovery %s: %s: %s\n"), verb, data, hearth_strerror(rc));
		return 1;
	}
	return rc;
}

/* ------------------------------------------------------------ re-pushed records */

static int answer(wirebuf *out, const Hearth__Record *claimed, Hearth__RecoverStatus status, uint64_t rev,
                  Hearth__ErrorCode code, const char *field, const char *msg)
{
	Hearth__RecoverResult r = HEARTH__RECOVER_RESULT__INIT;
	Hearth__Error e = HEARTH__ERROR__INIT;
	uint8_t *buf;
	size_t len;

	r.record_id = claimed->id;
	r.status = status;
	r.rev = rev;
	if (msg) {
		e.code = code;
		e.field = (char *)(field ? field : "");
		e.message = (char *)msg;
		r.error = &e;
	}
	len = hearth__recover_result__get_packed_size(&r);
	if ((buf = malloc(len ? len : 1)) == NULL)
		return HEARTH_ENOMEM;
	hearth__recover_result__pack(&r, buf);
	wire_bytes_field(out, 1, buf, len, 1);
	free(buf);
	return 0;
}

/* Whether the sender may recover a record of branch b: a branch principal
 * only its own branch's, an admin every branch's. */
static int may_recover(const actor *who, const char *b)
{
	if (who->role == HEARTH__ROLE__ROLE_ADMIN)
		return 1;
	return who->role == HEARTH__ROLE__ROLE_BRANCH && b && strcmp(b, who->branch) == 0;
}

/* Whether the re-pushed record is the revision its witnessed audit entry
 * describes. Returns 0, or 1 with msg saying what differs. */
static int check_witnessed(const Hearth__AuditEntry *e, const Hearth__Record *in, const uint8_t *body,
                           size_t body_len, const char *idt, char *msg, size_t cap)
{
	uint8_t digest[32];
	const char *what = NULL;

	hearth_sha256(body ? body : (const uint8_t *)"", body_len, digest);
	if (e->record_id.len != 16 || memcmp(e->record_id.data, in->id.data, 16) != 0)
		what = "record id";
	else if (e->rev_after != in->rev)
		what = "revision";
	else if (e->kind != in->kind)
		what = "kind";
	else if (strcmp(e->branch_id, in->branch_id) != 0)
		what = "branch";
	else if (e->body_digest.len == 32 && memcmp(e->body_digest.data, digest, 32) != 0)
		what = "body";
	if (!what)
		return 0;
	snprintf(msg, cap, _("record %s does not match audit entry %llu, which the replica witnessed: its %s "
	                     "differs; the copy is not what the server acknowledged, keep the replica and "
	                     "report this to the committee's administrator"),
	         idt, (unsigned long long)e->seq, what);
	return 1;
}

int recovery_apply(store *s, MDB_txn *txn, const recovery_args *a, wirebuf *out)
{
	const Hearth__Record *in = a->claimed;
	const kind_info *k = kind_find(in->kind);
	MDB_val key = { 16, in->id.data }, curv;
	Hearth__Record *cur = NULL;
	uint8_t *notice = NULL, *body = NULL;
	size_t notice_len = 0, body_len = 0;
	char idt[UUID_TEXT_LEN + 1] = "?", msg[400], detail[800], rep[33] = "(none)", claimed_rep[33] = "(none)";
	record_error verr;
	op_result r;
	int rc;

	if ((rc = recovery_notice_get(s, txn, &notice, &notice_len)) == HEARTH_ENOTFOUND)
		return answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_FORBIDDEN, "",
		              _("the server is not in recovery mode; only a restored server in recovery mode "
		                "('hearthd recovery start') takes re-pushed records"));
	free(notice);
	if (rc)
		return rc;
	if (in->id.len != 16 || !k)
		return answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_INVALID, "id",
		              _("a re-pushed record needs a 16-byte id and a known kind"));
	uuid_format(in->id.data, idt);
	if (!may_recover(a->who, in->branch_id)) {
		snprintf(msg, sizeof(msg), _("record %s belongs to branch %s; this certificate recovers only its own "
		                             "branch's records"), idt, in->branch_id);
		return answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_FORBIDDEN,
		              "branch_id", msg);
	}
	rc = mdb_get(txn, s->records, &key, &curv);
	if (rc && rc != MDB_NOTFOUND)
		return store_err(rc);
	if (rc == 0 && (cur = hearth__record__unpack(NULL, curv.mv_size, curv.mv_data)) == NULL)
		return HEARTH_ECORRUPT;
	if (cur && !may_recover(a->who, cur->branch_id)) {
		/* Another branch's record is answered like a missing one would be
		 * to a push: refused, naming nothing of it. */
		hearth__record__free_unpacked(cur, NULL);
		snprintf(msg, sizeof(msg), _("record %s cannot be recovered by this certificate"), idt);
		return answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_FORBIDDEN,
		              "id", msg);
	}
	if (cur && cur->rev >= in->rev) {
		uint64_t have = cur->rev;
		hearth__record__free_unpacked(cur, NULL);
		return answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_PRESENT, have, 0, NULL, NULL);
	}
	if ((rc = record_pack_body(in, &body, &body_len)) != 0 && !(in->deleted && rc == HEARTH_EINVAL)) {
		if (cur)
			hearth__record__free_unpacked(cur, NULL);
		if (rc == HEARTH_ENOMEM)
			return rc;
		snprintf(msg, sizeof(msg), _("record %s: body does not match its kind"), idt);
		return answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_INVALID, "body",
		              msg);
	}
	if (!in->deleted && record_validate_body(k, body, body_len, &verr) != 0) {
		snprintf(msg, sizeof(msg), "record %s: %s", idt, verr.message);
		rc = answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_INVALID, verr.field,
		            msg);
		goto done;
	}
	if (a->witnessed && (rc = check_witnessed(a->witnessed, in, body, body_len, idt, msg, sizeof(msg))) != 0) {
		rc = answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, HEARTH__ERROR_CODE__ERR_CONFLICT, "",
		            msg);
		goto done;
	}
	if (a->who->has_replica)
		audit_hex(a->who->replica, 16, rep);
	if (in->updated_replica.len == 16)
		audit_hex(in->updated_replica.data, 16, claimed_rep);
	snprintf(detail, sizeof(detail),
	         "recovered from replica %s, sent by %s (%s); claimed by that replica: revision %llu by %s (%s) "
	         "at %lld ms, made on replica %s",
	         rep, a->who->name, a->who->fingerprint, (unsigned long long)in->rev,
	         in->updated_by_name ? in->updated_by_name : "", in->updated_by ? in->updated_by : "",
	         (long long)in->updated_at, claimed_rep);
	if (a->witnessed) {
		uint8_t leaf[AUDIT_HASH_LEN];
		char leafx[2 * AUDIT_HASH_LEN + 1];
		size_t used = strlen(detail);
		if ((rc = audit_leaf(a->witnessed, leaf)) != 0)
			goto done;
		audit_hex(leaf, sizeof(leaf), leafx);
		snprintf(detail + used, sizeof(detail) - used,
		         "; matched audit entry %llu (leaf %s) that replica witnessed",
		         (unsigned long long)a->witnessed->seq, leafx);
	}
	memset(&r, 0, sizeof(r));
	rc = revision_write(s, txn, &(revision_args){
		.who = a->who, .cur = cur, .cur_bytes = cur ? &curv : NULL, .kind = k, .id = in->id.data,
		.branch = in->branch_id, .body = body, .body_len = body_len, .deleted = in->deleted,
		.now = a->now, .action = "record.recovered",
		.claim = &(revision_claim){ .rev = in->rev, .at = in->updated_at, .by = in->updated_by,
		                            .by_name = in->updated_by_name,
		                            .replica = in->updated_replica.len == 16 ? in->updated_replica.data : NULL,
		                            .detail = detail } }, &r);
	if (rc == REVISION_REFUSED)
		rc = answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_REJECTED, 0, r.code, r.field, r.message);
	else if (rc == REVISION_WRITTEN)
		rc = answer(out, in, HEARTH__RECOVER_STATUS__RECOVER_RESTORED, r.rev, 0, NULL, NULL);
done:
	free(body);
	if (cur)
		hearth__record__free_unpacked(cur, NULL);
	return rc;
}
