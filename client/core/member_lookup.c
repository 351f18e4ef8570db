/* member_lookup.c: finding a member of the local replica by name. */
#include "client/core/member_lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/core/replica_conflicts.h"
#include "common/array.h"
#include "common/hearth.h"
#include "common/pbfield.h"
#include "common/record.h"
#include "common/i18n.h"
#include "common/uuid.h"

/* Candidates listed in an ambiguity message; more are counted, not listed. */
#define LOOKUP_LISTED 8

typedef struct find_ctx {
	const char *name;
	size_t matches;
	uint8_t id[16];
	char *list;
	size_t cap, used;
} find_ctx;

static int find_fn(void *arg, const Hearth__Record *rec)
{
	find_ctx *f = arg;
	const Hearth__Member *m = rec->member;
	char idt[UUID_TEXT_LEN + 1];

	if (!m || !m->name || strcmp(m->name, f->name) != 0 || rec->id.len != 16)
		return 0;
	if (++f->matches == 1)
		memcpy(f->id, rec->id.data, 16);
	if (f->matches <= LOOKUP_LISTED && f->used < f->cap) {
		int n;
		uuid_format(rec->id.data, idt);
		n = snprintf(f->list + f->used, f->cap - f->used, _("\n  %s  born %s, joined %s%s, id %s"),
		             m->name, m->birth_date && *m->birth_date ? m->birth_date : "?",
		             m->join_date && *m->join_date ? m->join_date : "?", rec->deleted ? _(" (deleted)") : "",
		             idt);
		if (n > 0)
			f->used += (size_t)n < f->cap - f->used ? (size_t)n : f->cap - f->used - 1;
	}
	return 0;
}

static int find_named(replica *r, const char *name, int with_deleted, uint8_t id[16], char *err,
                      size_t errlen)
{
	char list[1024] = "";
	find_ctx f = { name, 0, { 0 }, list, sizeof(list), 0 };
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = replica_each(r, HEARTH__KIND__KIND_MEMBER, with_deleted, find_fn, &f);
	if (rc != 0) {
		snprintf(err, errlen, _("looking up member %s: %s"), name, hearth_strerror(rc));
		return rc;
	}
	if (f.matches == 0) {
		snprintf(err, errlen, _("no member named %s in the local replica"), name);
		return HEARTH_ENOTFOUND;
	}
	if (f.matches > 1) {
		snprintf(err, errlen, _("%zu members are named %s; give the id of the one you mean:%s%s"), f.matches,
		         name, list, f.matches > LOOKUP_LISTED ? "\n  …" : "");
		return HEARTH_EINVAL;
	}
	memcpy(id, f.id, 16);
	return 0;
}

int member_find_by_name(replica *r, const char *name, uint8_t id[16], char *err, size_t errlen)
{
	return find_named(r, name, 1, id, err, errlen);
}

int member_find_live_by_name(replica *r, const char *name, uint8_t id[16], char *err, size_t errlen)
{
	return find_named(r, name, 0, id, err, errlen);
}

/* "王秀英 (…3f9e2d01a2c4)", as member_namer_text writes a shared name:
 * the name into name and the 12 hex digits into tail. Returns 1 when text
 * has that form. */
static int named_tail(const char *text, char *name, size_t cap, char tail[13])
{
	static const char open[] = " (\xe2\x80\xa6";   /* " (…" */
	size_t len = strlen(text), olen = strlen(open);
	const char *t;

	if (len < olen + 12 + 2 || text[len - 1] != ')')
		return 0;
	t = text + len - 1 - 12;
	if (strspn(t, "0123456789abcdefABCDEF") != 12 || (size_t)(t - text) < olen + 1 ||
	    strncmp(t - olen, open, olen) != 0 || (size_t)(t - olen - text) >= cap)
		return 0;
	memcpy(tail, t, 12);
	tail[12] = '\0';
	memcpy(name, text, (size_t)(t - olen - text));
	name[t - olen - text] = '\0';
	return 1;
}

int member_lookup_record(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen)
{
	char name[512], tail[13];
	int rc;

	if (*text && text[strspn(text, "0123456789abcdefABCDEF-")] == '\0')
		return replica_resolve_id(r, text, id, err, errlen);
	if (named_tail(text, name, sizeof(name), tail)) {
		/* A name as it was printed beside its tail: the tail decides, and
		 * must belong to a member of that name. */
		member_namer n;
		char shown[1024];
		if ((rc = replica_resolve_id(r, tail, id, err, errlen)) != 0)
			return rc;
		member_namer_init(&n, r);
		rc = member_namer_text(&n, id, shown, sizeof(shown)) && !strncmp(shown, name, strlen(name)) &&
		     (shown[strlen(name)] == ' ' || shown[strlen(name)] == '\0' ||
		      (unsigned char)shown[strlen(name)] == 0xef);   /* （已删除） */
		member_namer_free(&n);
		if (!rc) {
			snprintf(err, errlen, _("the record whose id ends in %s is not named %s"), tail, name);
			return HEARTH_ENOTFOUND;
		}
		return 0;
	}
	return member_find_by_name(r, text, id, err, errlen);
}

/* ------------------------------------------- a record by its member */

typedef struct kind_find_ctx {
	const uint8_t *member;
	lookup_scope scope;
	size_t matches;
	uint8_t id[16];
	char *list;
	size_t cap, used;
} kind_find_ctx;

static int is_member(void *ctx, const char *field, const uint8_t id[16])
{
	(void)field;
	return memcmp(ctx, id, 16) == 0;
}

/* The first date (or month) a record of kind k holds: what a person tells
 * two visits apart by. "" when none is set. */
static const char *record_date(const kind_info *k, const ProtobufCMessage *body)
{
	for (size_t i = 0; i < k->n_rules; i++) {
		const field_rule *rule = &k->rules[i];
		const ProtobufCFieldDescriptor *fd;
		const char *s;
		if (!(rule->flags & (FIELD_DATE | FIELD_MONTH)))
			continue;
		fd = protobuf_c_message_descriptor_get_field(k->desc, rule->number);
		if (!fd || fd->type != PROTOBUF_C_TYPE_STRING || fd->label == PROTOBUF_C_LABEL_REPEATED)
			continue;
		s = *(char *const *)pbfield_ptr(body, fd);
		if (s && s[0])
			return s;
	}
	return "";
}

static int kind_find_fn(void *arg, const Hearth__Record *rec)
{
	kind_find_ctx *f = arg;
	const kind_info *k = kind_find(rec->kind);
	const ProtobufCMessage *body = record_body(rec);
	char idt[UUID_TEXT_LEN + 1];

	if (!k || !body || rec->id.len != 16 || (f->scope == LOOKUP_DELETED) != (rec->deleted != 0))
		return 0;
	if (record_refs_each(k, body, is_member, (void *)f->member) == 0)
		return 0;
	if (++f->matches == 1)
		memcpy(f->id, rec->id.data, 16);
	if (f->matches <= LOOKUP_LISTED && f->used < f->cap) {
		const char *date = record_date(k, body);
		int n;
		uuid_format(rec->id.data, idt);
		n = snprintf(f->list + f->used, f->cap - f->used, _("\n  %s %s, id %s"), k->label,
		             date[0] ? date : "?", idt);
		if (n > 0)
			f->used += (size_t)n < f->cap - f->used ? (size_t)n : f->cap - f->used - 1;
	}
	return 0;
}

int member_lookup_kind_record(replica *r, const kind_info *k, const char *text, lookup_scope scope,
                              uint8_t id[16], char *err, size_t errlen)
{
	char list[1024] = "";
	uint8_t member[16];
	kind_find_ctx f = { member, scope, 0, { 0 }, list, sizeof(list), 0 };
	int rc;

	if (errlen)
		err[0] = '\0';
	if ((*text && text[strspn(text, "0123456789abcdefABCDEF-")] == '\0') || k->kind == HEARTH__KIND__KIND_MEMBER)
		return member_lookup_record(r, text, id, err, errlen);
	if ((rc = member_lookup_record(r, text, member, err, errlen)) != 0)
		return rc;
	rc = replica_each(r, k->kind, 1, kind_find_fn, &f);
	if (rc != 0) {
		snprintf(err, errlen, _("looking up member %s: %s"), text, hearth_strerror(rc));
		return rc;
	}
	if (f.matches == 0) {
		snprintf(err, errlen,
		         scope == LOOKUP_DELETED ? _("%s has no deleted %s record in the local replica")
		                                 : _("%s has no %s record in the local replica"),
		         text, k->label);
		return HEARTH_ENOTFOUND;
	}
	if (f.matches > 1) {
		snprintf(err, errlen, _("%s has %zu %s records; give the id of the one you mean:%s%s"), text,
		         f.matches, k->label, list, f.matches > LOOKUP_LISTED ? "\n  …" : "");
		return HEARTH_EINVAL;
	}
	memcpy(id, f.id, 16);
	return 0;
}

/* ------------------------------------------- a conflict by its member */

typedef struct conflict_find_ctx {
	replica *r;
	const uint8_t *member;
	size_t matches;
	char first[UUID_TEXT_LEN + 1];
	char *list;
	size_t cap, used;
} conflict_find_ctx;

static int conflict_find_fn(void *arg, const Hearth__Conflict *c)
{
	conflict_find_ctx *f = arg;
	Hearth__Record *rec = NULL;
	const kind_info *k = kind_find(c->kind);
	const ProtobufCMessage *body;
	const char *date = "";
	char cid[UUID_TEXT_LEN + 1];
	int about = 0;

	if (c->id.len != 16 || c->record_id.len != 16 || c->state == HEARTH__CONFLICT_STATE__CONFLICT_RESOLVED)
		return 0;
	if (replica_get(f->r, c->record_id.data, &rec) == 0 && k && (body = record_body(rec)) != NULL) {
		about = !memcmp(c->record_id.data, f->member, 16) ||
		        record_refs_each(k, body, is_member, (void *)f->member) != 0;
		date = record_date(k, body);
	} else {
		about = !memcmp(c->record_id.data, f->member, 16);
	}
	if (about) {
		uuid_format(c->id.data, cid);
		if (++f->matches == 1)
			memcpy(f->first, cid, sizeof(cid));
		if (f->matches <= LOOKUP_LISTED && f->used < f->cap) {
			int n = snprintf(f->list + f->used, f->cap - f->used, _("\n  %s %s, conflict %s"),
			                 k ? k->label : "?", date[0] ? date : "?", cid);
			if (n > 0)
				f->used += (size_t)n < f->cap - f->used ? (size_t)n : f->cap - f->used - 1;
		}
	}
	if (rec)
		hearth__record__free_unpacked(rec, NULL);
	return 0;
}

struct tail_find {
	const char *tail;
	size_t matches;
	char first[UUID_TEXT_LEN + 1];
};

static int tail_fn(void *arg, const Hearth__Conflict *c)
{
	struct tail_find *t = arg;
	char cid[UUID_TEXT_LEN + 1];

	if (c->id.len != 16)
		return 0;
	uuid_format(c->id.data, cid);
	if (!strcasecmp(cid + UUID_TEXT_LEN - 12, t->tail) && t->matches++ == 0)
		memcpy(t->first, cid, sizeof(cid));
	return 0;
}

int member_lookup_conflict(replica *r, const char *text, Hearth__Conflict **out, char *err, size_t errlen)
{
	char list[1024] = "";
	uint8_t member[16];
	conflict_find_ctx f = { r, member, 0, "", list, sizeof(list), 0 };
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (*text && text[strspn(text, "0123456789abcdefABCDEF-")] == '\0') {
		rc = replica_get_conflict(r, text, out, err, errlen);
		if (rc != HEARTH_ENOTFOUND || strlen(text) != 12)
			return rc;
		/* The last 12 hex digits, as for records. */
		struct tail_find t = { text, 0, "" };
		if (replica_each_conflict(r, tail_fn, &t) != 0 || t.matches != 1)
			return rc;
		return replica_get_conflict(r, t.first, out, err, errlen);
	}
	if ((rc = member_lookup_record(r, text, member, err, errlen)) != 0)
		return rc;
	if ((rc = replica_each_conflict(r, conflict_find_fn, &f)) != 0) {
		snprintf(err, errlen, _("reading conflicts: %s"), hearth_strerror(rc));
		return rc;
	}
	if (f.matches == 0) {
		snprintf(err, errlen, _("no open conflict about %s in the local replica; 'hearth conflicts' "
		                        "lists them (run 'hearth sync' to fetch new ones)"),
		         text);
		return HEARTH_ENOTFOUND;
	}
	if (f.matches > 1) {
		snprintf(err, errlen, _("%zu open conflicts are about %s; give the id of the one you mean:%s%s"),
		         f.matches, text, list, f.matches > LOOKUP_LISTED ? "\n  …" : "");
		return HEARTH_EINVAL;
	}
	return replica_get_conflict(r, f.first, out, err, errlen);
}

typedef struct names_ctx {
	member_names *mn;
	size_t cap;
	int err;
} names_ctx;

static int names_fn(void *arg, const Hearth__Record *rec)
{
	names_ctx *x = arg;
	char *dup;

	if (!rec->member || !rec->member->name || !rec->member->name[0])
		return 0;
	if (x->mn->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		char **grown = realloc(x->mn->names, cap * sizeof(*grown));
		if (!grown) {
			x->err = HEARTH_ENOMEM;
			return 1;
		}
		x->mn->names = grown;
		x->cap = cap;
	}
	if (!(dup = strdup(rec->member->name))) {
		x->err = HEARTH_ENOMEM;
		return 1;
	}
	x->mn->names[x->mn->n++] = dup;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int member_names_load(replica *r, member_names *out)
{
	names_ctx x = { out, 0, 0 };
	int rc;

	out->names = NULL;
	out->n = 0;
	rc = replica_each(r, HEARTH__KIND__KIND_MEMBER, 1, names_fn, &x);
	if (rc == 0)
		rc = x.err;
	if (rc != 0) {
		member_names_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->names, out->n, sizeof(*out->names), name_cmp);
	return 0;
}

size_t member_names_count(const member_names *mn, const char *name)
{
	size_t lo = 0, hi = mn->n, n = 0;

	while (lo < hi) {   /* the first entry not below name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(mn->names[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < mn->n && !strcmp(mn->names[lo + n], name))
		n++;
	return n;
}

void member_names_free(member_names *mn)
{
	array_free_strings(mn->names, mn->n);
	mn->names = NULL;
	mn->n = 0;
}

/* ------------------------------------------------------------ namer */

void member_namer_init(member_namer *n, replica *r)
{
	n->r = r;
	n->names.names = NULL;
	n->names.n = 0;
	n->loaded = 0;
}

int member_namer_text(member_namer *n, const uint8_t id[16], char *out, size_t cap)
{
	Hearth__Record *rec = NULL;
	const ProtobufCMessage *body;
	const ProtobufCFieldDescriptor *fd;
	const char *name = NULL;
	char idt[UUID_TEXT_LEN + 1];
	size_t o;

	if (cap)
		out[0] = '\0';
	if (!n || !n->r || cap == 0 || replica_get(n->r, id, &rec) != 0)
		return 0;
	body = record_body(rec);
	fd = body ? protobuf_c_message_descriptor_get_field_by_name(body->descriptor, "name") : NULL;
	if (fd && fd->type == PROTOBUF_C_TYPE_STRING && fd->label != PROTOBUF_C_LABEL_REPEATED)
		name = *(char *const *)pbfield_ptr(body, fd);
	if (!name || !name[0]) {
		hearth__record__free_unpacked(rec, NULL);
		return 0;
	}
	if (n->loaded == 0)
		n->loaded = member_names_load(n->r, &n->names) == 0 ? 1 : -1;
	o = (size_t)snprintf(out, cap, "%s%s", name,
	                     rec->deleted ? "\xef\xbc\x88\xe5\xb7\xb2\xe5\x88\xa0\xe9\x99\xa4\xef\xbc\x89" : "");   /* （已删除） */
	if (o < cap && (n->loaded != 1 || member_names_count(&n->names, name) != 1)) {
		uuid_format(id, idt);
		snprintf(out + o, cap - o, " (\xe2\x80\xa6%s)", idt + UUID_TEXT_LEN - 12);   /* … */
	}
	hearth__record__free_unpacked(rec, NULL);
	return 1;
}

void member_namer_free(member_namer *n)
{
	if (n->loaded == 1)
		member_names_free(&n->names);
	n->loaded = 0;
}
