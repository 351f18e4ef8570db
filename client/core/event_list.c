/* event_list.c: the reveal/export events a command or a page gathers
 * before it shows anything sensitive or exports (queued in the replica by
 * replica_queue_events, reported to the audit log by the next sync). */
#include "client/core/event_list.h"

#include <stdlib.h>
#include <string.h>

#include "client/core/session.h"
#include "common/hearth.h"
#include "common/pbfield.h"
#include "common/uuid.h"

static int event_rule_sensitive(const field_rule *r)
{
	return r && (r->flags & FIELD_SENSITIVE);
}

/* Showing a sensitive field unmasked and exporting records are audited
 * like changes: each becomes a ClientEvent queued in the replica before
 * anything is printed (no output without its event), and `hearth sync`
 * reports the queue to the server's audit log. */

static void event_free(Hearth__ClientEvent *e)
{
	if (!e)
		return;
	free(e->record_id.data);
	free(e->branch_id);
	free(e->detail);
	free(e->fields);   /* the names themselves are the descriptor's */
	free(e);
}

void event_list_free(event_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		event_free(l->ev[i]);
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

/* Adds an event naming the sensitive fields of k that are set in body (all
 * of k's sensitive fields when body is NULL). A reveal of a record whose
 * sensitive fields are all empty reveals nothing and adds nothing. */
int event_list_add(event_list *l, const char *action, const kind_info *k, const uint8_t *id,
                   const char *branch, const ProtobufCMessage *body, uint32_t count,
                   const char *detail)
{
	Hearth__ClientEvent *e = calloc(1, sizeof(*e));
	size_t nf = 0;

	if (!e)
		return HEARTH_ENOMEM;
	hearth__client_event__init(e);
	e->fields = calloc(k->desc->n_fields + 1, sizeof(char *));
	e->action = (char *)action;
	e->kind = k->kind;
	e->time = session_now_ms();
	e->count = count;
	e->branch_id = strdup(branch ? branch : "");
	e->detail = strdup(detail ? detail : "");
	if (!e->fields || !e->branch_id || !e->detail)
		goto oom;
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		if (!(event_rule_sensitive(kind_rule(k, fd->id))))
			continue;
		if (body && !pbfield_is_set(body, fd))
			continue;
		e->fields[nf++] = (char *)fd->name;
	}
	e->n_fields = nf;
	if (!strcmp(action, "reveal") && nf == 0) {
		event_free(e);
		return 0;
	}
	if (id) {
		if (record_id_set(&e->record_id, id) != 0)
			goto oom;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->ev, cap * sizeof(*l->ev));
		if (!p)
			goto oom;
		l->ev = p;
		l->cap = cap;
	}
	l->ev[l->n++] = e;
	return 0;
oom:
	event_free(e);
	return HEARTH_ENOMEM;
}

/* Whether conflict c shows a value of field fd, on either side. */
static int conflict_shows(const Hearth__Conflict *c, const ProtobufCFieldDescriptor *fd)
{
	for (size_t f = 0; fd && f < c->n_fields; f++)
		if (c->fields[f]->field == fd->id && (c->fields[f]->server_value.len || c->fields[f]->op_value.len))
			return 1;
	return 0;
}

int event_list_add_conflict(event_list *l, const Hearth__Conflict *c, const char *detail)
{
	const kind_info *k = kind_find(c->kind);
	Hearth__ClientEvent *e;
	size_t keep = 0;
	int any = 0, rc;

	if (!k || c->record_id.len != UUID_LEN)
		return 0;
	for (unsigned i = 0; i < k->desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &k->desc->fields[i];
		if (event_rule_sensitive(kind_rule(k, fd->id)) && conflict_shows(c, fd))
			any = 1;
	}
	if (!any)
		return 0;
	rc = event_list_add(l, "reveal", k, c->record_id.data, c->branch_id, NULL, 0, detail);
	if (rc != 0)
		return rc;
	/* event_list_add named every sensitive field of the kind; keep those
	 * this conflict shows (at least one, checked above). The names are
	 * the descriptor's: nothing to free. */
	e = l->ev[l->n - 1];
	for (size_t i = 0; i < e->n_fields; i++)
		if (conflict_shows(c, protobuf_c_message_descriptor_get_field_by_name(k->desc, e->fields[i])))
			e->fields[keep++] = e->fields[i];
	e->n_fields = keep;
	return 0;
}
