/* fieldmap.c: a schema-free protobuf wire parser that views a body as "field number -> encoded bytes". */
#include "common/fieldmap.h"

#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"

#define VARINT_MAX_BYTES 10

/* One wire occurrence of a field: its tag and value at buf[start..start+len). */
struct occurrence {
	uint32_t number;
	size_t start;
	size_t len;
};

/* Reads a varint of at most ten bytes; a longer one or one cut short by
 * the end of the buffer is malformed. */
static int read_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;

	for (int i = 0; i < VARINT_MAX_BYTES; i++) {
		uint8_t b;

		if (*pos >= len)
			return HEARTH_EINVAL;
		b = buf[(*pos)++];
		r |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*v = r;
			return 0;
		}
	}
	return HEARTH_EINVAL;
}

/* Steps over one field occurrence at *pos.  Returns 1 with *o filled, 0 at
 * the end of the buffer, or HEARTH_EINVAL.  Every length is checked against
 * what is left of the buffer before it is used, so nothing past len is
 * ever read.  Groups are refused: proto3 has none, and skipping them would
 * need recursion driven by the input. */
static int next_occurrence(const uint8_t *buf, size_t len, size_t *pos, struct occurrence *o)
{
	size_t start = *pos;
	uint64_t tag, v;

	if (*pos >= len)
		return 0;
	if (read_varint(buf, len, pos, &tag) != 0)
		return HEARTH_EINVAL;
	if ((tag >> 3) == 0 || (tag >> 3) > FIELDMAP_MAX_NUMBER)
		return HEARTH_EINVAL;
	switch (tag & 7) {
	case 0:
		if (read_varint(buf, len, pos, &v) != 0)
			return HEARTH_EINVAL;
		break;
	case 1:
		if (len - *pos < 8)
			return HEARTH_EINVAL;
		*pos += 8;
		break;
	case 2:
		if (read_varint(buf, len, pos, &v) != 0 || v > (uint64_t)(len - *pos))
			return HEARTH_EINVAL;
		*pos += (size_t)v;
		break;
	case 5:
		if (len - *pos < 4)
			return HEARTH_EINVAL;
		*pos += 4;
		break;
	default:
		return HEARTH_EINVAL;
	}
	o->number = (uint32_t)(tag >> 3);
	o->start = start;
	o->len = *pos - start;
	return 1;
}

/* Index of number in the sorted entries, or where it would be inserted
 * (with *found 0). */
static size_t find_index(const field_entry *f, size_t n, uint32_t number, int *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f[mid].number == number) {
			*found = 1;
			return mid;
		}
		if (f[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

/* Two passes so that nothing is allocated for input that will be refused:
 * the first validates the whole buffer and sizes every field in a fixed
 * table of FIELDMAP_MAX_FIELDS entries on the stack; only then are the
 * entries and their byte buffers allocated, each exactly once, and the
 * second pass copies the occurrences in wire order.  A malformed buffer is
 * HEARTH_EINVAL even when it also has too many fields. */
int fieldmap_parse(const uint8_t *buf, size_t len, fieldmap *m)
{
	field_entry sizes[FIELDMAP_MAX_FIELDS];
	fieldmap tmp = FIELDMAP_INIT;
	struct occurrence o;
	size_t n = 0, pos = 0;
	int too_many = 0, rc, found;

	*m = (fieldmap)FIELDMAP_INIT;
	if (buf == NULL && len != 0)
		return HEARTH_EINVAL;
	while ((rc = next_occurrence(buf, len, &pos, &o)) == 1) {
		size_t i = find_index(sizes, n, o.number, &found);

		if (found) {
			sizes[i].len += o.len;
		} else if (n == FIELDMAP_MAX_FIELDS) {
			too_many = 1;
		} else {
			memmove(sizes + i + 1, sizes + i, (n - i) * sizeof(sizes[0]));
			sizes[i] = (field_entry){ o.number, NULL, o.len };
			n++;
		}
	}
	if (rc != 0)
		return rc;
	if (too_many)
		return HEARTH_ETOOBIG;
	if (n == 0)
		return 0;

	tmp.f = calloc(n, sizeof(field_entry));
	if (tmp.f == NULL)
		goto nomem;
	tmp.cap = n;
	for (size_t i = 0; i < n; i++) {
		tmp.f[i].number = sizes[i].number;
		tmp.f[i].bytes = malloc(sizes[i].len);
		if (tmp.f[i].bytes == NULL)
			goto nomem;
		tmp.n = i + 1;
	}
	pos = 0;
	while (next_occurrence(buf, len, &pos, &o) == 1) {
		field_entry *e = &tmp.f[find_index(tmp.f, tmp.n, o.number, &found)];

		memcpy(e->bytes + e->len, buf + o.start, o.len);
		e->len += o.len;
	}
	*m = tmp;
	return 0;

nomem:
	fieldmap_free(&tmp);
	return HEARTH_ENOMEM;
}

void fieldmap_free(fieldmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->f[i].bytes);
	free(m->f);
	*m = (fieldmap)FIELDMAP_INIT;
}

const field_entry *fieldmap_get(const fieldmap *m, uint32_t number)
{
	int found;
	size_t i = find_index(m->f, m->n, number, &found);

	return found ? &m->f[i] : NULL;
}

/* The map's invariant is that every entry is whole occurrences of its own
 * number, so that fieldmap_build always gives a body fieldmap_parse takes
 * back.  fieldmap_set checks that here rather than trusting the caller. */
static int only_number(const uint8_t *bytes, size_t len, uint32_t number)
{
	struct occurrence o;
	size_t pos = 0;
	int rc;

	while ((rc = next_occurrence(bytes, len, &pos, &o)) == 1) {
		if (o.number != number)
			return 0;
	}
	return rc == 0;
}

/* The copy is made before the entry table is touched, so a failed
 * allocation leaves the map exactly as it was.  The table may not grow past
 * FIELDMAP_MAX_FIELDS, the same bound fieldmap_parse enforces, so that a
 * built map always parses again (HEARTH_ETOOBIG otherwise).  A number
 * outside 1..FIELDMAP_MAX_NUMBER or bytes that are not occurrences of that
 * number give HEARTH_EINVAL. */
int fieldmap_set(fieldmap *m, uint32_t number, const uint8_t *bytes, size_t len)
{
	uint8_t *copy;
	size_t i;
	int found;

	if (number == 0 || number > FIELDMAP_MAX_NUMBER)
		return HEARTH_EINVAL;
	i = find_index(m->f, m->n, number, &found);
	if (len == 0) {
		if (found) {
			free(m->f[i].bytes);
			memmove(m->f + i, m->f + i + 1, (m->n - i - 1) * sizeof(m->f[0]));
			m->n--;
		}
		return 0;
	}
	if (bytes == NULL || !only_number(bytes, len, number))
		return HEARTH_EINVAL;
	if (!found && m->n >= FIELDMAP_MAX_FIELDS)
		return HEARTH_ETOOBIG;
	copy = malloc(len);
	if (copy == NULL)
		return HEARTH_ENOMEM;
	memcpy(copy, bytes, len);
	if (found) {
		free(m->f[i].bytes);
		m->f[i].bytes = copy;
		m->f[i].len = len;
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		field_entry *f;

		if (cap > FIELDMAP_MAX_FIELDS)
			cap = FIELDMAP_MAX_FIELDS;
		f = realloc(m->f, cap * sizeof(field_entry));
		if (f == NULL) {
			free(copy);
			return HEARTH_ENOMEM;
		}
		m->f = f;
		m->cap = cap;
	}
	memmove(m->f + i + 1, m->f + i, (m->n - i) * sizeof(m->f[0]));
	m->f[i] = (field_entry){ number, copy, len };
	m->n++;
	return 0;
}

int fieldmap_same(const fieldmap *a, const fieldmap *b, uint32_t number)
{
	const field_entry *x = fieldmap_get(a, number), *y = fieldmap_get(b, number);

	if (x == NULL || y == NULL)
		return x == y;
	return x->len == y->len && memcmp(x->bytes, y->bytes, x->len) == 0;
}

/* An empty map builds to *out NULL and *len 0; callers pass that on as an
 * empty body. */
int fieldmap_build(const fieldmap *m, uint8_t **out, size_t *len)
{
	size_t total = 0, o = 0;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	for (size_t i = 0; i < m->n; i++)
		total += m->f[i].len;
	if (total == 0)
		return 0;
	buf = malloc(total);
	if (buf == NULL)
		return HEARTH_ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		memcpy(buf + o, m->f[i].bytes, m->f[i].len);
		o += m->f[i].len;
	}
	*out = buf;
	*len = total;
	return 0;
}

/* dst is an output: whatever it held is not freed.  On failure it is left
 * empty. */
int fieldmap_copy(const fieldmap *src, fieldmap *dst)
{
	fieldmap tmp = FIELDMAP_INIT;

	*dst = (fieldmap)FIELDMAP_INIT;
	if (src->n == 0)
		return 0;
	tmp.f = calloc(src->n, sizeof(field_entry));
	if (tmp.f == NULL)
		goto fail;
	tmp.cap = src->n;
	for (size_t i = 0; i < src->n; i++) {
		tmp.f[i].number = src->f[i].number;
		tmp.f[i].bytes = malloc(src->f[i].len);
		if (tmp.f[i].bytes == NULL)
			goto fail;
		memcpy(tmp.f[i].bytes, src->f[i].bytes, src->f[i].len);
		tmp.f[i].len = src->f[i].len;
		tmp.n = i + 1;
	}
	*dst = tmp;
	return 0;

fail:
	fieldmap_free(&tmp);
	return HEARTH_ENOMEM;
}
