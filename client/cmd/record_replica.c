/* record_replica.c: a record command's access to the replica and the
 * reveal/export events it queues. */
#include "client/cmd/record_replica.h"

#include "client/core/branch_lookup.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <lmdb.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client/cmd/import.h"
#include "client/cmd/record_args.h"
#include "client/core/event_list.h"
#include "client/core/filters.h"
#include "client/core/identity.h"
#include "client/core/local_rules.h"
#include "client/core/member_lookup.h"
#include "client/core/replica.h"
#include "client/core/reasons.h"
#include "client/core/replica_events.h"
#include "client/core/values.h"
#include "client/ui/output.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/tls.h"
#include "common/utf8.h"
#include "common/uuid.h"

/* ------------------------------------------------------ the replica */

int rrep_open_replica(record_cmd *m)
{
	char err[1200] = "";
	int rc = cli_load_profile(m->c);

	if (rc != EXIT_OK)
		return rc;
	if (replica_open(&m->rep, m->c->prof.home, err, sizeof(err)) != 0) {
		rargs_say(m, "%s", err[0] ? err : "cannot open the local replica");
		return EXIT_FAIL;
	}
	m->rep_open = 1;
	return EXIT_OK;
}

/* Resolves the ID argument and loads the record's local view, checking it
 * is of this command's kind. Returns an exit code; *out is the caller's. */
int rrep_load_record(record_cmd *m, uint8_t id[UUID_LEN], Hearth__Record **out)
{
	char err[1200] = "", vb[300];
	const char *text = rargs_shown(m->id_text, vb, sizeof(vb));
	/* An id, a unique prefix or tail of one, or a member's name: the
	 * member, or the one record of this kind about that member. */
	int rc = member_lookup_kind_record(&m->rep, m->k, m->id_text,
	                                   m->sub == SUB_RESTORE ? LOOKUP_DELETED : LOOKUP_LIVE, id, err,
	                                   sizeof(err));
	int id_like = m->id_text[strspn(m->id_text, "0123456789abcdefABCDEF-")] == '\0';

	*out = NULL;
	if (rc == HEARTH_ENOTFOUND && !id_like) {
		rargs_say(m, "%s", err);
		return EXIT_USAGE;
	}
	if (rc == HEARTH_EINVAL && !id_like) {
		rargs_say(m, "%s", err);   /* several members of that name, listed */
		return EXIT_USAGE;
	}
	if (rc == HEARTH_ENOTFOUND) {
		rargs_say(m, _("no record matches \"%s\""), text);
		return EXIT_USAGE;
	}
	if (rc == HEARTH_EINVAL && strchr(err, '"')) {
		rargs_say(m, "%s", err);   /* the replica quoted the id itself */
		return EXIT_USAGE;
	}
	if (rc != 0) {
		rargs_say(m, "\"%s\": %s", text, err[0] ? err : _(hearth_strerror(rc)));
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	rc = replica_get(&m->rep, id, out);
	if (rc == HEARTH_ENOTFOUND) {
		rargs_say(m, _("no record matches \"%s\""), text);
		return EXIT_USAGE;
	}
	if (rc != 0) {
		rargs_say(m, _("cannot read the record: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	if ((*out)->kind != m->k->kind) {
		const kind_info *other = kind_find((*out)->kind);
		rargs_say(m, "\"%s\" is a %s record, not a %s", text, other ? other->name : "different",
		    m->k->name);
		hearth__record__free_unpacked(*out, NULL);
		*out = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The branch a branch principal's replica belongs to, as the sync stored it
 * in meta "branch" (with or without a trailing NUL). */
int rrep_meta_branch(replica *r, char *out, size_t cap)
{
	MDB_txn *txn;
	MDB_val key = { 6, (void *)"branch" }, val;
	int rc;

	out[0] = '\0';
	if (mdb_txn_begin(r->env, NULL, MDB_RDONLY, &txn) != 0)
		return HEARTH_ESTORE;
	rc = mdb_get(txn, r->meta, &key, &val);
	if (rc == 0 && val.mv_size > 0 && val.mv_size < cap) {
		memcpy(out, val.mv_data, val.mv_size);
		out[val.mv_size] = '\0';
	}
	mdb_txn_abort(txn);
	return out[0] ? 0 : HEARTH_ENOTFOUND;
}

/* Reads who the profile's certificate says we are, without connecting. */
static int cert_identity(record_cmd *m, tls_identity *id)
{
	char err[512] = "";

	switch (identity_read(m->c->prof.cert, id, err, sizeof(err))) {
	case IDENTITY_OK: return EXIT_OK;
	case IDENTITY_UNREADABLE:
		rargs_say(m, _("cannot read the certificate %s: %m"), m->c->prof.cert);
		return EXIT_USAGE;
	case IDENTITY_NOT_PEM:
		rargs_say(m, _("%s is not a PEM certificate"), m->c->prof.cert);
		return EXIT_USAGE;
	case IDENTITY_INVALID: break;
	}
	rargs_say(m, _("certificate %s: %s"), m->c->prof.cert, err);
	return EXIT_USAGE;
}

/* Branch ids travel in certificates' SAN URIs: letters, digits, '-', '_', '.'. */
static int branch_id_ok(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
	                 strlen(s);
}

/* Which branch a new record belongs to: a branch principal always writes its
 * own branch (the server would refuse anything else), an admin must say. */
int rrep_pick_branch(record_cmd *m, char *out, size_t cap)
{
	tls_identity id;
	char own[128];
	int rc;

	if (m->branch && *m->branch && m->branch != m->branch_id) {
		char why[2400];
		rc = branch_resolve(&m->rep, m->branch, m->branch_id, sizeof(m->branch_id), why, sizeof(why));
		if (rc < 0) {
			rargs_say(m, _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
			return EXIT_FAIL;
		}
		if (rc > 0) {
			rargs_say(m, "--branch \"%s\": %s", m->branch, why);
			return EXIT_USAGE;
		}
		m->branch = m->branch_id;
	}
	rrep_meta_branch(&m->rep, own, sizeof(own));
	if (own[0] && !m->branch) {
		snprintf(out, cap, "%s", own);
		return EXIT_OK;
	}
	memset(&id, 0, sizeof(id));
	rc = cert_identity(m, &id);
	if (rc != EXIT_OK)
		return rc;
	switch (id.role) {
	case HEARTH__ROLE__ROLE_BRANCH:
		if (!own[0])
			snprintf(own, sizeof(own), "%s", id.branch_id);
		if (m->branch && strcmp(m->branch, own) != 0) {
			rargs_say(m, _("--branch \"%s\": this certificate belongs to branch %s and can only add "
			       "records there"), m->branch, own);
			return EXIT_USAGE;
		}
		snprintf(out, cap, "%s", own);
		return EXIT_OK;
	case HEARTH__ROLE__ROLE_ADMIN:
		if (!m->branch || !*m->branch) {
			rargs_say(m, _("--branch ID is required with an admin certificate: which branch the %s "
			       "belongs to"), m->k->name);
			return EXIT_USAGE;
		}
		if (strlen(m->branch) >= 64 || !branch_id_ok(m->branch)) {
			rargs_say(m, _("--branch \"%s\" is not a branch id"), m->branch);
			return EXIT_USAGE;
		}
		snprintf(out, cap, "%s", m->branch);
		return EXIT_OK;
	case HEARTH__ROLE__ROLE_GENERAL:
		/* A general branch adds to its own branch unless --branch names
		 * one below it (the server decides whether it may edit there). */
		snprintf(out, cap, "%s", m->branch && *m->branch ? m->branch : id.branch_id);
		if (strlen(out) >= 64 || !branch_id_ok(out)) {
			rargs_say(m, _("--branch \"%s\" is not a branch id"), out);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	default:
		rargs_say(m, _("an auditor certificate cannot change records; auditors only read"));
		return EXIT_USAGE;
	}
}

int rrep_sensitive_kind(const kind_info *k)
{
	for (size_t i = 0; i < k->n_rules; i++) {
		if (k->rules[i].flags & FIELD_SENSITIVE)
			return 1;
	}
	return 0;
}

/* Queues the events in one replica transaction; refuses (exit code) when
 * that fails, so the caller shows nothing unrecorded. */
int rrep_events_queue(record_cmd *m, event_list *l)
{
	int rc;
	if (l->n == 0)
		return EXIT_OK;
	rc = replica_queue_events(&m->rep, l->ev, l->n);
	if (rc != 0) {
		rargs_say(m, _("cannot record the reveal/export in the local replica (%s); nothing was shown"),
		    _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The rules that need other records, against the replica (the server
 * checks them again): refused like a validation error, exit 2. */
int rrep_check_local_rules(record_cmd *m, const uint8_t id[UUID_LEN], const char *branch,
                             const ProtobufCMessage *body, const ProtobufCMessage *old_body)
{
	record_error err;
	int rc = local_rules_check(&m->rep, m->k, id, branch, body, old_body, &err);

	if (rc == HEARTH_EINVAL) {
		char said[640];

		rargs_say(m, "%s", reasons_localize(m->k, err.message, said, sizeof(said)));
		return EXIT_USAGE;
	}
	if (rc != 0) {
		rargs_say(m, _("cannot read the local replica: %s"), _(hearth_strerror(rc)));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int records_save_edit(record_cmd *m, const uint8_t id[UUID_LEN], Hearth__Record *rec, const ProtobufCMessage *body)
{
	Hearth__Record *before = NULL;
	char err[1200] = "";
	int rc = rargs_validate(m, body);

	if (rc != EXIT_OK)
		return rc;
	if (replica_get(&m->rep, id, &before) != 0)
		before = NULL;
	rc = rrep_check_local_rules(m, id, rec->branch_id ? rec->branch_id : "", body,
	                       before ? record_body(before) : NULL);
	if (before)
		hearth__record__free_unpacked(before, NULL);
	if (rc != EXIT_OK)
		return rc;
	rc = replica_edit(&m->rep, rec, 0, err, sizeof(err));
	if (rc != 0) {
		rargs_say(m, "%s", err[0] ? err : _(hearth_strerror(rc)));
		return rc == HEARTH_EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	return EXIT_OK;
}
