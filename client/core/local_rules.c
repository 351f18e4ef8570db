/* local_rules.c: references and uniqueness checked against the replica. */
#include "client/core/local_rules.h"

#include <stdio.h>
#include <string.h>

#include "common/dues_rate.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/uuid.h"

struct ref_ctx {
	replica *r;
	const kind_info *k;
	const ProtobufCMessage *old_body;
	const char *branch;
	record_error *err;
	const uint8_t *found;
};

static int match_ref(void *arg, const char *field, const uint8_t id[16])
{
	struct ref_ctx *x = arg;
	(void)field;
	if (memcmp(id, x->found, 16) == 0)
		return 1;
	return 0;
}

/* One reference: skip it when the old body held it already; otherwise it
 * must be a live member record of the branch. The message is the server's. */
static int check_ref(void *arg, const char *field, const uint8_t id[16])
{
	struct ref_ctx *x = arg;
	Hearth__Record *m = NULL;
	char t[UUID_TEXT_LEN + 1];
	int ok;

	if (x->old_body) {
		x->found = id;
		if (record_refs_each(x->k, x->old_body, match_ref, x))
			return 0;
	}
	if (replica_get(x->r, id, &m) != 0)
		m = NULL;
	ok = m && m->kind == HEARTH__KIND__KIND_MEMBER && !m->deleted && m->branch_id &&
	     strcmp(m->branch_id, x->branch) == 0;
	if (m)
		hearth__record__free_unpacked(m, NULL);
	if (ok)
		return 0;
	uuid_format(id, t);
	snprintf(x->err->field, sizeof(x->err->field), "%s", field);
	snprintf(x->err->message, sizeof(x->err->message), _("%s %s: no such member in branch %s"), field, t,
	         x->branch);
	return HEARTH_EINVAL;
}

struct uniq_ctx {
	const kind_info *k;
	const uint8_t *self;
	const char *branch;
	uint8_t key[RECORD_UNIQUE_KEY_MAX];
	size_t klen;
	uint8_t other[16];
	int clash;
};

static int scan_unique(void *arg, const Hearth__Record *rec)
{
	struct uniq_ctx *u = arg;
	uint8_t key[RECORD_UNIQUE_KEY_MAX];
	size_t n;

	if (rec->id.len != 16 || memcmp(rec->id.data, u->self, 16) == 0 || !rec->branch_id ||
	    strcmp(rec->branch_id, u->branch) != 0)
		return 0;
	n = record_unique_key(u->k, record_body(rec), key);
	if (n == u->klen && memcmp(key, u->key, n) == 0) {
		memcpy(u->other, rec->id.data, 16);
		u->clash = 1;
		return 1;
	}
	return 0;
}

struct hardship_ctx {
	const uint8_t *member;
	int open;
};

static int scan_open_hardship(void *arg, const Hearth__Record *rec)
{
	struct hardship_ctx *x = arg;
	const Hearth__Hardship *h = rec->body_case == HEARTH__RECORD__BODY_HARDSHIP ? rec->hardship : NULL;

	if (h && h->member.len == 16 && memcmp(h->member.data, x->member, 16) == 0 &&
	    (h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_REGISTERED ||
	     h->status == HEARTH__HARDSHIP_STATUS__HARDSHIP_STATUS_ASSISTING)) {
		x->open = 1;
		return 1;
	}
	return 0;
}

/* A member in the hardship ledger may pay less or nothing, but only as the
 * branch decided and the committee approved: a due below the table's, or
 * 免缴, needs both recorded on the dues record. */
static int check_hardship_relief(replica *r, const Hearth__Dues *d, record_error *err)
{
	struct hardship_ctx x = { d->member.data, 0 };
	dues_rate_result t;
	int reduced, rc;

	if (d->member.len != 16 || (d->relief_decision && d->relief_decision[0]))
		return 0;
	reduced = d->status == HEARTH__DUES_STATUS__DUES_STATUS_EXEMPT;
	if (dues_rate_compute(&(dues_rate_args){ .group = d->dues_group, .income_fen = d->base_income },
	                      &t) == DUES_RATE_OK && d->due < t.due_fen)
		reduced = 1;
	if (!reduced)
		return 0;
	if ((rc = replica_each(r, HEARTH__KIND__KIND_HARDSHIP, 0, scan_open_hardship, &x)) < 0)
		return rc;
	if (!x.open)
		return 0;
	snprintf(err->field, sizeof(err->field), "relief_decision");
	snprintf(err->message, sizeof(err->message), "%s",
	         _("this member is in the hardship ledger (困难党员台账): lower or no dues need the "
	           "branch's decision and the committee's approval; give relief_decision (支部决定) and "
	           "relief_approval (党委批准)"));
	return HEARTH_EINVAL;
}

int local_rules_fill_dues(replica *r, Hearth__Dues *d)
{
	Hearth__Record *rec = NULL;
	int rc;

	if (d->member.len != 16)
		return 0;
	rc = replica_get(r, d->member.data, &rec);
	if (rc == HEARTH_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (rec->body_case == HEARTH__RECORD__BODY_MEMBER && rec->member) {
		const Hearth__Member *m = rec->member;

		if (d->dues_group == HEARTH__DUES_GROUP__DUES_GROUP_UNSPECIFIED)
			d->dues_group = m->dues_group;
		if (d->base_income == 0 && dues_rate_basis(d->dues_group) == DUES_BASIS_INCOME)
			d->base_income = m->dues_income;
	}
	hearth__record__free_unpacked(rec, NULL);
	return 0;
}

int local_rules_check(replica *r, const kind_info *k, const uint8_t id[16], const char *branch,
                      const ProtobufCMessage *body, const ProtobufCMessage *old_body,
                      record_error *err)
{
	struct ref_ctx x = { r, k, old_body, branch, err, NULL };
	struct uniq_ctx u;
	char mt[UUID_TEXT_LEN + 1], ot[UUID_TEXT_LEN + 1];
	int rc;

	memset(err, 0, sizeof(*err));
	if ((rc = record_refs_each(k, body, check_ref, &x)) != 0)
		return rc;
	if (k->kind == HEARTH__KIND__KIND_DUES &&
	    (rc = check_hardship_relief(r, (const Hearth__Dues *)body, err)) != 0)
		return rc;
	memset(&u, 0, sizeof(u));
	u.k = k;
	u.self = id;
	u.branch = branch;
	u.klen = record_unique_key(k, body, u.key);
	if (u.klen == 0)
		return 0;
	if ((rc = replica_each(r, k->kind, 0, scan_unique, &u)) < 0)
		return rc;
	if (!u.clash)
		return 0;
	uuid_format(u.key + 2, mt);
	uuid_format(u.other, ot);
	if (k->kind == HEARTH__KIND__KIND_DUES) {
		snprintf(err->field, sizeof(err->field), "month");
		snprintf(err->message, sizeof(err->message), _("dues for member %s in %s already exist (record %s)"), mt,
		         ((const Hearth__Dues *)body)->month, ot);
	} else {
		snprintf(err->field, sizeof(err->field), "status");
		snprintf(err->message, sizeof(err->message),
		         _("member %s already has an open hardship entry (record %s); close it (脱困 or 移出) "
		         "before opening another"),
		         mt, ot);
	}
	return HEARTH_EINVAL;
}
