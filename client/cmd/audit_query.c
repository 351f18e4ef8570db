/* audit_query.c: the audit commands' shared steps: connecting through the
 * witness, paging through the log, parsing arguments, describing entries. */
#include "client/cmd/audit_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cmd/witness.h"
#include "client/core/identity.h"
#include "client/core/member_lookup.h"
#include "client/core/values.h"
#include "common/audit.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* ---------------------------------------------------------- small helpers */

/* Resolves RECORD: a unique prefix among the replica's records, any full
 * id (the auditor may ask about records its replica does not hold), or a
 * member's name (unique in the replica; several are listed to choose from). */
int audq_record_arg(replica *r, const char *cmd, const char *text, uint8_t id[UUID_LEN])
{
	char err[1200];
	int rc = audit_record_arg(r, text, id, err, sizeof(err));

	if (rc == 0)
		return EXIT_OK;
	cli_error("%s: %s", cmd, err);
	return rc == HEARTH_ENOTFOUND || rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

/* ---------------------------------------------------------- connecting */


/* Profile, replica, session, witness: in that order, released in reverse
 * by conn_close whatever happened. */
int audq_conn_open(audq_conn *x, cli *c, const char *cmd)
{
	char err[1400];
	int rc;

	memset(x, 0, sizeof(*x));
	x->c = c;
	x->cmd = cmd;
	x->s.fd = -1;
	if ((rc = cli_load_profile(c)) != EXIT_OK)
		return rc;
	if ((rc = replica_open(&x->r, c->prof.home, err, sizeof(err))) != 0) {
		cli_error("%s: %s", cmd, err);
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	x->r_open = 1;
	member_namer_init(&x->names, &x->r);
	x->s_open = 1;
	return witness_connect(c, &x->s, &x->r, cmd);
}

void audq_conn_close(audq_conn *x)
{
	if (x->s_open)
		session_close(&x->s);
	if (x->r_open) {
		member_namer_free(&x->names);
		replica_close(&x->r);
	}
	x->s_open = x->r_open = 0;
}

int audq_lost(audq_conn *x)
{
	return cli_lost(x->cmd, &x->s);
}

int audq_refused(audq_conn *x, const char *what, const Hearth__Envelope *resp)
{
	return cli_refused(x->cmd, what, resp);
}

/* The refused hook of the core reader: the refusal printed as every
 * command prints one. */
static void on_refused(void *arg, const char *what, const Hearth__Envelope *resp)
{
	audq_conn *x = arg;
	(void)audq_refused(x, what, resp);
}

/* What a core read's result means for a command: its exit code, having
 * printed why. */
static int read_exit(audq_conn *x, const audit_reader *rd, audit_read_result res)
{
	switch (res) {
	case AUDIT_READ_OK: return EXIT_OK;
	case AUDIT_READ_LOST: return audq_lost(x);
	case AUDIT_READ_REFUSED: return EXIT_FAIL;    /* on_refused printed it */
	case AUDIT_READ_BROKEN: cli_error("%s: %s", x->cmd, rd->err); return EXIT_FAIL;
	case AUDIT_READ_FAILED: return EXIT_FAIL;
	}
	return EXIT_FAIL;
}

void audq_reader(audq_conn *x, audit_reader *rd)
{
	memset(rd, 0, sizeof(*rd));
	rd->s = &x->s;
	rd->refused = on_refused;
	rd->arg = x;
}

/* One AuditQuery page. *resp is the caller's (envelope_free). */
int audq_query(audq_conn *x, Hearth__AuditQuery *q, Hearth__Envelope **resp)
{
	audit_reader rd;

	audq_reader(x, &rd);
	return read_exit(x, &rd, audit_read_page(&rd, q, resp));
}

int audq_each_entry(audq_conn *x, Hearth__AuditQuery *q, audq_entry_fn fn, void *ctx, int *more_left)
{
	audit_reader rd;

	audq_reader(x, &rd);
	return read_exit(x, &rd, audit_read_each(&rd, q, fn, ctx, more_left));
}

/* ---------------------------------------------------------- describing entries */

void audq_json_bytes(out_json *j, const char *key, const ProtobufCBinaryData *b)
{
	char *hex = malloc(b->len * 2 + 1);
	out_json_key(j, key);
	if (!hex) {
		out_json_null(j);
		return;
	}
	audit_hex(b->data, b->len, hex);
	out_json_string(j, hex);
	free(hex);
}

/* Every field of an entry as one JSON object. With chain, also "leaf" and
 * "canonical" (base64 of the canonical bytes), so an outside tool can
 * recompute leaf = SHA-256(canonical) and hash = SHA-256(prev_hash || leaf). */
int audq_json_entry(out_json *j, const Hearth__AuditEntry *e, int chain)
{
	const kind_info *k = kind_find(e->kind);
	Hearth__AuditChange *const *chs;
	size_t nch = audq_changes(e, &chs);
	char t[64], idt[80], nb[32];

	out_json_begin_object(j);
	out_json_key(j, "seq");
	out_json_uint(j, e->seq);
	out_json_key(j, "time");
	out_json_int(j, e->time);
	witness_time(e->time, t, sizeof(t));
	out_json_key(j, "time_text");
	out_json_string(j, t);
	out_json_key(j, "actor_fingerprint");
	out_json_string(j, e->actor_fingerprint);
	out_json_key(j, "actor_name");
	out_json_string(j, e->actor_name);
	out_json_key(j, "actor_role");
	out_json_string(j, identity_role_word(e->actor_role));
	out_json_key(j, "actor_branch");
	out_json_string(j, e->actor_branch);
	out_json_key(j, "action");
	out_json_string(j, e->action);
	audq_id_text(&e->record_id, idt, sizeof(idt));
	out_json_key(j, "record_id");
	out_json_string(j, idt);
	out_json_key(j, "kind");
	out_json_string(j, k ? k->name : e->kind ? "unknown" : "");
	out_json_key(j, "kind_number");
	out_json_int(j, e->kind);
	out_json_key(j, "branch_id");
	out_json_string(j, e->branch_id);
	out_json_key(j, "rev_before");
	out_json_uint(j, e->rev_before);
	out_json_key(j, "rev_after");
	out_json_uint(j, e->rev_after);
	audq_json_bytes(j, "op_id", &e->op_id);
	out_json_key(j, "changes");
	out_json_begin_array(j);
	for (size_t i = 0; i < nch; i++) {
		const Hearth__AuditChange *c = chs[i];
		/* Programs get ids (and the bytes); the rest as people read it. */
		char *o = audq_change_side(k, c, &c->old_value, NULL), *n = audq_change_side(k, c, &c->new_value, NULL);
		out_json_begin_object(j);
		out_json_key(j, "field");
		out_json_uint(j, c->field);
		out_json_key(j, "name");
		out_json_string(j, audq_change_name(c, nb, sizeof(nb)));
		out_json_key(j, "label");
		out_json_string(j, audq_change_label(k, c));
		out_json_key(j, "digested");
		out_json_bool(j, c->digested);
		audq_json_bytes(j, "old_value", &c->old_value);
		audq_json_bytes(j, "new_value", &c->new_value);
		out_json_key(j, "old");
		out_json_string(j, o);
		out_json_key(j, "new");
		out_json_string(j, n);
		out_json_end_object(j);
		free(o);
		free(n);
	}
	out_json_end_array(j);
	audq_json_bytes(j, "body_digest", &e->body_digest);
	if (e->revision_digest.len) {
		static const char *const checks[] = { "unchecked", "matches", "damaged", "missing" };
		audq_json_bytes(j, "revision_digest", &e->revision_digest);
		out_json_key(j, "revision_check");
		out_json_string(j, (unsigned)e->revision_check < HEARTH_ARRAY_LEN(checks) ? checks[e->revision_check]
		                                                                           : "unchecked");
	}
	out_json_key(j, "detail");
	out_json_string(j, e->detail);
	audq_id_text(&e->conflict_id, idt, sizeof(idt));
	out_json_key(j, "conflict_id");
	out_json_string(j, idt);
	out_json_key(j, "peer");
	out_json_string(j, e->peer);
	audq_json_bytes(j, "prev_hash", &e->prev_hash);
	audq_json_bytes(j, "hash", &e->hash);
	if (chain) {
		uint8_t *can = NULL, leaf[AUDIT_HASH_LEN];
		size_t n = 0;
		char lh[2 * AUDIT_HASH_LEN + 1], *b64;
		if (audit_canonical(e, &can, &n) != 0)
			return HEARTH_ENOMEM;
		b64 = malloc(4 * ((n + 2) / 3) + 1);
		if (!b64) {
			free(can);
			return HEARTH_ENOMEM;
		}
		EVP_EncodeBlock((unsigned char *)b64, can, (int)n);
		EVP_Digest(can, n, leaf, NULL, EVP_sha256(), NULL);
		audit_hex(leaf, AUDIT_HASH_LEN, lh);
		out_json_key(j, "leaf");
		out_json_string(j, lh);
		out_json_key(j, "canonical");
		out_json_string(j, b64);
		free(b64);
		free(can);
	}
	out_json_end_object(j);
	return 0;
}

