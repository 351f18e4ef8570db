/* merge.c: three-way, field-level merge of encoded record bodies, and the list of fields two bodies differ in. */
#include "common/merge.h"

#include <stdlib.h>
#include <string.h>

#include "common/attachment.h"
#include "common/hearth.h"

/* A body that does not parse is invalid input to the merge, whatever the
 * reason (including too many fields): merge.h promises HEARTH_EINVAL or
 * HEARTH_ENOMEM, and the sync engine rejects the op on the former. */
static int parse_body(const uint8_t *buf, size_t len, fieldmap *m)
{
	int rc = fieldmap_parse(len ? buf : NULL, len, m);

	if (rc == HEARTH_ETOOBIG)
		rc = HEARTH_EINVAL;
	return rc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Copies len bytes into a new buffer; NULL with len 0 is a valid "absent". */
static int dup_bytes(const field_entry *e, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (e == NULL)
		return 0;
	*out = malloc(e->len);
	if (*out == NULL)
		return HEARTH_ENOMEM;
	memcpy(*out, e->bytes, e->len);
	*len = e->len;
	return 0;
}

/* One occurrence (tag, length, payload) of a length-delimited field at
 * b[*pos], in bytes that fieldmap_parse accepted. Returns its length, or 0
 * when it is not length-delimited. */
static size_t occurrence(const uint8_t *b, size_t len, size_t pos)
{
	uint64_t tag = 0, n = 0;
	size_t p = pos;

	for (int s = 0; p < len && s < 64; s += 7) {
		tag |= (uint64_t)(b[p] & 0x7f) << s;
		if ((b[p++] & 0x80) == 0)
			break;
	}
	if ((tag & 7) != 2)
		return 0;
	for (int s = 0; p < len && s < 64; s += 7) {
		n |= (uint64_t)(b[p] & 0x7f) << s;
		if ((b[p++] & 0x80) == 0)
			break;
	}
	if (n > len - p)
		return 0;
	return p + (size_t)n - pos;
}

/* Whether the occurrence o[0..n) is one of e's. */
static int holds(const field_entry *e, const uint8_t *o, size_t n)
{
	for (size_t p = 0; e && p < e->len;) {
		size_t k = occurrence(e->bytes, e->len, p);
		if (k == 0)
			return 0;
		if (k == n && memcmp(e->bytes + p, o, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* Every occurrence of e is length-delimited (absent counts). */
static int all_delimited(const field_entry *e)
{
	for (size_t p = 0; e && p < e->len;) {
		size_t k = occurrence(e->bytes, e->len, p);
		if (k == 0)
			return 0;
		p += k;
	}
	return 1;
}

/* A record's attachments merge as a set (issue 18): two people attaching
 * files to one record at the same time both keep theirs, and a detach
 * removes only what it removed. The result is the server's list without
 * the entries the op removed since base, followed by the entries the op
 * added. Into *out (malloc'd, *out_len 0 for an empty list). Returns 0,
 * 1 when the field is not a list of messages (the plain rule applies), or
 * HEARTH_ENOMEM. */
static int merge_set(const field_entry *b, const field_entry *c, const field_entry *m, uint8_t **out,
                     size_t *out_len)
{
	size_t cap = (c ? c->len : 0) + (m ? m->len : 0), o = 0;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	if (!all_delimited(b) || !all_delimited(c) || !all_delimited(m))
		return 1;
	if ((buf = malloc(cap ? cap : 1)) == NULL)
		return HEARTH_ENOMEM;
	for (size_t p = 0; c && p < c->len;) {
		size_t k = occurrence(c->bytes, c->len, p);
		if (!(holds(b, c->bytes + p, k) && !holds(m, c->bytes + p, k))) {
			memcpy(buf + o, c->bytes + p, k);
			o += k;
		}
		p += k;
	}
	for (size_t p = 0; m && p < m->len;) {
		size_t k = occurrence(m->bytes, m->len, p);
		if (!holds(b, m->bytes + p, k) && !holds(c, m->bytes + p, k)) {
			memcpy(buf + o, m->bytes + p, k);
			o += k;
		}
		p += k;
	}
	*out = buf;
	*out_len = o;
	return 0;
}

/* The rule per changed field is in merge.h.  The result starts as a copy of
 * the server's current body, so every field the op did not name, including
 * fields this build does not know, keeps the server's bytes.  "applied"
 * lists only fields whose stored value actually changes: a field the op
 * names but left equal to the server's value is neither applied nor a
 * conflict.  Everything is built in locals and handed to *out only at the
 * end, so on any error *out is empty and nothing is leaked. */
int merge_three_way(const uint8_t *base, size_t base_len, const uint8_t *cur, size_t cur_len,
                    const uint8_t *mine, size_t mine_len, const uint32_t *changed,
                    size_t n_changed, merge_result *out)
{
	uint32_t fields[FIELDMAP_MAX_FIELDS];
	fieldmap mb = FIELDMAP_INIT, mc = FIELDMAP_INIT, mm = FIELDMAP_INIT, res = FIELDMAP_INIT;
	merge_result r;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (n_changed > FIELDMAP_MAX_FIELDS || (changed == NULL && n_changed != 0))
		return HEARTH_EINVAL;
	for (size_t i = 0; i < n_changed; i++) {
		if (changed[i] == 0 || changed[i] > FIELDMAP_MAX_NUMBER)
			return HEARTH_EINVAL;
		fields[i] = changed[i];
	}
	if (n_changed > 0)
		qsort(fields, n_changed, sizeof(fields[0]), cmp_u32);
	for (size_t i = 0; i < n_changed; i++) {
		if (n == 0 || fields[n - 1] != fields[i])
			fields[n++] = fields[i];
	}

	if ((rc = parse_body(base, base_len, &mb)) != 0)
		goto fail;
	if ((rc = parse_body(cur, cur_len, &mc)) != 0)
		goto fail;
	if ((rc = parse_body(mine, mine_len, &mm)) != 0)
		goto fail;
	if ((rc = fieldmap_copy(&mc, &res)) != 0)
		goto fail;
	if (n > 0) {
		r.applied = malloc(n * sizeof(r.applied[0]));
		r.conflicts = calloc(n, sizeof(r.conflicts[0]));
		if (r.applied == NULL || r.conflicts == NULL) {
			rc = HEARTH_ENOMEM;
			goto fail;
		}
	}

	for (size_t i = 0; i < n; i++) {
		uint32_t f = fields[i];
		const field_entry *e;
		merge_conflict *c;

		if (fieldmap_same(&mc, &mm, f))
			continue;
		if (f == ATTACHMENT_FIELD && !fieldmap_same(&mc, &mb, f)) {
			uint8_t *set;
			size_t set_len;

			rc = merge_set(fieldmap_get(&mb, f), fieldmap_get(&mc, f), fieldmap_get(&mm, f), &set,
			               &set_len);
			if (rc < 0)
				goto fail;
			if (rc == 0) {
				rc = fieldmap_set(&res, f, set, set_len);
				free(set);
				if (rc != 0)
					goto fail;
				if (!fieldmap_same(&res, &mc, f))
					r.applied[r.n_applied++] = f;
				continue;
			}
		}
		if (fieldmap_same(&mc, &mb, f)) {
			e = fieldmap_get(&mm, f);
			rc = fieldmap_set(&res, f, e ? e->bytes : NULL, e ? e->len : 0);
			if (rc != 0) {
				/* Too many fields in the result is the op's fault. */
				if (rc == HEARTH_ETOOBIG)
					rc = HEARTH_EINVAL;
				goto fail;
			}
			r.applied[r.n_applied++] = f;
			continue;
		}
		c = &r.conflicts[r.n_conflicts++];
		c->field = f;
		if ((rc = dup_bytes(fieldmap_get(&mc, f), &c->server_value, &c->server_len)) != 0)
			goto fail;
		if ((rc = dup_bytes(fieldmap_get(&mm, f), &c->op_value, &c->op_len)) != 0)
			goto fail;
	}
	if ((rc = fieldmap_build(&res, &r.body, &r.body_len)) != 0)
		goto fail;
	if (r.n_applied == 0) {
		free(r.applied);
		r.applied = NULL;
	}
	if (r.n_conflicts == 0) {
		free(r.conflicts);
		r.conflicts = NULL;
	}
	fieldmap_free(&res);
	fieldmap_free(&mm);
	fieldmap_free(&mc);
	fieldmap_free(&mb);
	*out = r;
	return 0;

fail:
	merge_result_free(&r);
	fieldmap_free(&res);
	fieldmap_free(&mm);
	fieldmap_free(&mc);
	fieldmap_free(&mb);
	return rc;
}

void merge_result_free(merge_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_conflicts; i++) {
		free(r->conflicts[i].server_value);
		free(r->conflicts[i].op_value);
	}
	free(r->conflicts);
	free(r->applied);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Walks both sorted maps together, so every field present on either side is
 * compared once.  No differences gives *out NULL and *n_out 0. */
int merge_diff(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint32_t **out,
               size_t *n_out)
{
	fieldmap ma = FIELDMAP_INIT, mb = FIELDMAP_INIT;
	uint32_t *list = NULL;
	size_t i = 0, j = 0, n = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = parse_body(a, a_len, &ma)) != 0)
		goto fail;
	if ((rc = parse_body(b, b_len, &mb)) != 0)
		goto fail;
	if (ma.n + mb.n > 0) {
		list = malloc((ma.n + mb.n) * sizeof(list[0]));
		if (list == NULL) {
			rc = HEARTH_ENOMEM;
			goto fail;
		}
	}
	while (i < ma.n || j < mb.n) {
		uint32_t f;

		if (j >= mb.n || (i < ma.n && ma.f[i].number < mb.f[j].number))
			f = ma.f[i++].number;
		else if (i >= ma.n || mb.f[j].number < ma.f[i].number)
			f = mb.f[j++].number;
		else {
			f = ma.f[i].number;
			i++;
			j++;
		}
		if (!fieldmap_same(&ma, &mb, f))
			list[n++] = f;
	}
	if (n == 0) {
		free(list);
		list = NULL;
	}
	fieldmap_free(&mb);
	fieldmap_free(&ma);
	*out = list;
	*n_out = n;
	return 0;

fail:
	free(list);
	fieldmap_free(&mb);
	fieldmap_free(&ma);
	return rc;
}
