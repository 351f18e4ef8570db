/* resolve.c: a conflict settled by keeping one side of every conflicting
 * field, recorded as an ordinary op that also closes the conflict. */
#include "client/core/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/field_input.h"
#include "client/core/reasons.h"
#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/record.h"
#include "common/uuid.h"

int resolve_mine_is_op(const replica *r, const Hearth__Conflict *cf)
{
	return cf->op_replica.len == UUID_LEN &&
	       memcmp(cf->op_replica.data, r->replica_id, UUID_LEN) == 0;
}

int resolve_keep_build(const Hearth__Conflict *cf, Hearth__Record *srv, int keep_op, int *del, char *err,
                       size_t cap)
{
	const kind_info *k = kind_find(cf->kind);
	fieldmap fm = FIELDMAP_INIT;
	uint8_t *srv_body = NULL, *body = NULL;
	size_t srv_len = 0, body_len = 0;
	int rc;

	if (!k) {
		snprintf(err, cap, "%s", _("this conflict is about a kind of record this hearth does not know; "
		                           "upgrade hearth"));
		return HEARTH_EINVAL;
	}
	if ((rc = record_pack_body(srv, &srv_body, &srv_len)) != 0 && srv->body_case) {
		snprintf(err, cap, _("the server copy of the record is damaged: %s"), _(hearth_strerror(rc)));
		goto fail;
	}
	if ((rc = fieldmap_parse(srv_body, srv_len, &fm)) != 0) {
		snprintf(err, cap, _("the server copy of the record is damaged: %s"), _(hearth_strerror(rc)));
		goto fail;
	}
	for (size_t i = 0; i < cf->n_fields; i++) {
		const Hearth__ConflictField *f = cf->fields[i];
		const ProtobufCBinaryData *v = keep_op ? &f->op_value : &f->server_value;
		if ((rc = fieldmap_set(&fm, f->field, v->data, v->len)) != 0) {
			snprintf(err, cap, "%s", _("out of memory"));
			goto fail;
		}
	}
	/* Server deleted, op edited: the op side is the edit. Op deleted,
	 * server edited: the op side is the delete. */
	*del = cf->delete_conflict && (cf->server_deleted ? !keep_op : keep_op);
	if ((rc = fieldmap_build(&fm, &body, &body_len)) != 0) {
		snprintf(err, cap, "%s", _("out of memory"));
		goto fail;
	}
	if (!*del) {
		record_error rerr;
		if ((rc = record_validate_body(k, body, body_len, &rerr)) != 0) {
			reasons_localize(k, rerr.message, err, cap);
			goto fail;
		}
	}
	if ((rc = record_set_body(srv, k, body, body_len)) != 0)
		snprintf(err, cap, _("cannot build the record: %s"), _(hearth_strerror(rc)));
fail:
	free(body);
	fieldmap_free(&fm);
	free(srv_body);
	return rc;
}

int resolve_keep(replica *r, const Hearth__Conflict *cf, resolve_side side, char *err, size_t cap)
{
	const kind_info *k = kind_find(cf->kind);
	Hearth__Record *srv = NULL;
	char cid[UUID_TEXT_LEN + 1] = "?";
	int rc, del;

	if (cf->id.len == UUID_LEN)
		uuid_format(cf->id.data, cid);
	if (!k || cf->record_id.len != UUID_LEN) {
		snprintf(err, cap, _("conflict %s is about a kind of record this hearth does not know; "
		                     "upgrade hearth"), cid);
		return HEARTH_EINVAL;
	}
	if ((rc = replica_get_server(r, cf->record_id.data, &srv)) != 0) {
		snprintf(err, cap, _("the record of conflict %s is not in the local replica; run 'hearth "
		                     "sync' first"), cid);
		return rc == HEARTH_ENOTFOUND ? HEARTH_ENOTFOUND : rc;
	}
	rc = resolve_keep_build(cf, srv, (side == RESOLVE_KEEP_MINE) == resolve_mine_is_op(r, cf), &del, err, cap);
	if (rc == 0)
		rc = replica_resolve(r, cf, srv, del, err, cap);
	hearth__record__free_unpacked(srv, NULL);
	return rc;
}

/* Whether field names one of cf's conflicting fields. */
static int in_conflict(const Hearth__Conflict *cf, const ProtobufCFieldDescriptor *fd)
{
	for (size_t i = 0; i < cf->n_fields; i++)
		if (cf->fields[i]->field == fd->id)
			return 1;
	return 0;
}

int resolve_set(replica *r, const Hearth__Conflict *cf, const resolve_value *vals, size_t n,
                const char **bad, char *err, size_t cap)
{
	const kind_info *k = kind_find(cf->kind);
	Hearth__Record *srv = NULL;
	ProtobufCMessage *body;
	record_error rerr;
	int rc;

	if (bad)
		*bad = NULL;
	if (!k || cf->record_id.len != UUID_LEN) {
		snprintf(err, cap, "%s", _("this conflict is about a kind of record this hearth does not know; "
		                           "upgrade hearth"));
		return HEARTH_EINVAL;
	}
	if ((rc = replica_get_server(r, cf->record_id.data, &srv)) != 0) {
		snprintf(err, cap, "%s", _("the record of this conflict is not in the local replica; sync first"));
		return rc;
	}
	body = (ProtobufCMessage *)record_body(srv);
	if (!body) {
		snprintf(err, cap, "%s", _("the server deleted this record: keep one side instead"));
		rc = HEARTH_EINVAL;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field_by_name(k->desc, vals[i].field);
		const field_rule *rule = fd ? kind_rule(k, fd->id) : NULL;

		if (!fd || !in_conflict(cf, fd) || !field_input_supported(fd, rule)) {
			snprintf(err, cap, _("%s is not a conflicting field of this record"),
			         reasons_field_name(k, vals[i].field));
			if (bad)
				*bad = vals[i].field;
			rc = HEARTH_EINVAL;
			goto fail;
		}
		rc = field_input_apply(body, &(field_input){ .rep = r, .fd = fd, .rule = rule,
		                                             .text = vals[i].text }, err, cap);
		if (rc != 0) {
			if (bad)
				*bad = vals[i].field;
			goto fail;
		}
	}
	memset(&rerr, 0, sizeof(rerr));
	if (record_validate_message(k, body, &rerr) != 0) {
		reasons_localize(k, rerr.message, err, cap);
		if (bad)
			*bad = NULL;
		rc = HEARTH_EINVAL;
		goto fail;
	}
	rc = replica_resolve(r, cf, srv, 0, err, cap);
fail:
	hearth__record__free_unpacked(srv, NULL);
	return rc;
}
