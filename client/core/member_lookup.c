/* member_lookup.c: finding a member of the local replica by name. */
#include "client/core/member_lookup.h"

#include <stdio.h>
#include <string.h>

#include "common/hearth.h"
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

int member_find_by_name(replica *r, const char *name, uint8_t id[16], char *err, size_t errlen)
{
	char list[1024] = "";
	find_ctx f = { name, 0, { 0 }, list, sizeof(list), 0 };
	int rc;

	if (errlen)
		err[0] = '\0';
	rc = replica_each(r, HEARTH__KIND__KIND_MEMBER, 1, find_fn, &f);
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

int member_lookup_record(replica *r, const char *text, uint8_t id[16], char *err, size_t errlen)
{
	if (*text && text[strspn(text, "0123456789abcdefABCDEF-")] == '\0')
		return replica_resolve_id(r, text, id, err, errlen);
	return member_find_by_name(r, text, id, err, errlen);
}
