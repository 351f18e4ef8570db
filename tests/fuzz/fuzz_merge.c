/* fuzz_merge.c: libFuzzer driver that runs the three-way merge and the diff on arbitrary bodies and checks every merged body parses again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHANGED (FIELDMAP_MAX_FIELDS + 8)   /* a little over, to reach the limit */

/* Input layout: three 2-byte little-endian lengths (base, cur, mine, each
 * cut to what is left), the three bodies, then the changed list as 2-byte
 * field numbers.  A base length of 0xffff means "create" (base NULL). */
static size_t take_len(const uint8_t **p, size_t *left)
{
	size_t n;

	if (*left < 2) {
		*left = 0;
		return 0;
	}
	n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
	*p += 2;
	*left -= 2;
	return n;
}

static int sorted(const uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (v[i - 1] >= v[i])
			return 0;
	}
	return 1;
}

/* A successful merge must give a body that parses, lists applied fields
 * and conflicts in strictly ascending order, reports the server's bytes
 * for every conflict, and differs from the server's body only in fields it
 * says it applied. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *base, *cur, *mine;
	size_t left = size, lb, lc, lm, n_changed = 0, n_diff = 0;
	uint32_t changed[MAX_CHANGED], *diff = NULL;
	int create, rc;
	merge_result r;
	fieldmap fm = FIELDMAP_INIT, fc = FIELDMAP_INIT;

	lb = take_len(&p, &left);
	lc = take_len(&p, &left);
	lm = take_len(&p, &left);
	create = lb == 0xffff;
	if (create)
		lb = 0;
	if (lb > left)
		lb = left;
	base = p;
	p += lb;
	left -= lb;
	if (lc > left)
		lc = left;
	cur = p;
	p += lc;
	left -= lc;
	if (lm > left)
		lm = left;
	mine = p;
	p += lm;
	left -= lm;
	while (left >= 2 && n_changed < MAX_CHANGED) {
		changed[n_changed++] = (uint32_t)p[0] | (uint32_t)p[1] << 8;
		p += 2;
		left -= 2;
	}

	rc = merge_three_way(create ? NULL : base, lb, cur, lc, mine, lm, changed, n_changed, &r);
	if (rc != 0) {
		if (rc != HEARTH_EINVAL || r.body != NULL || r.applied != NULL || r.conflicts != NULL)
			abort();
	} else {
		if (fieldmap_parse(r.body, r.body_len, &fm) != 0)
			abort();
		if (!sorted(r.applied, r.n_applied))
			abort();
		for (size_t i = 1; i < r.n_conflicts; i++) {
			if (r.conflicts[i - 1].field >= r.conflicts[i].field)
				abort();
		}
		if (fieldmap_parse(cur, lc, &fc) != 0)
			abort();
		for (size_t i = 0; i < r.n_conflicts; i++) {
			const merge_conflict *c = &r.conflicts[i];
			const field_entry *e = fieldmap_get(&fc, c->field);

			if ((e ? e->len : 0) != c->server_len ||
			    (e && memcmp(e->bytes, c->server_value, e->len) != 0))
				abort();
			if (c->server_len == c->op_len &&
			    (c->op_len == 0 || memcmp(c->server_value, c->op_value, c->op_len) == 0))
				abort();
		}
		if (merge_diff(cur, lc, r.body, r.body_len, &diff, &n_diff) != 0)
			abort();
		if (n_diff != r.n_applied ||
		    (n_diff && memcmp(diff, r.applied, n_diff * sizeof(diff[0])) != 0))
			abort();
		free(diff);
		merge_result_free(&r);
	}

	diff = NULL;
	rc = merge_diff(base, lb, mine, lm, &diff, &n_diff);
	if (rc == 0) {
		if (!sorted(diff, n_diff))
			abort();
	} else if (rc != HEARTH_EINVAL || diff != NULL) {
		abort();
	}
	free(diff);
	fieldmap_free(&fc);
	fieldmap_free(&fm);
	return 0;
}
