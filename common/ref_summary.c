/* ref_summary.c: sums up the records that refer to a member by kind, count
 * and a few dates, in the one sentence client and server both print. */
#include "common/ref_summary.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/pbfield.h"

void ref_summary_init(ref_summary *s)
{
	memset(s, 0, sizeof(*s));
}

/* The first date or month field of body that is set, or NULL. */
static const char *first_date(const kind_info *k, const ProtobufCMessage *body)
{
	for (size_t i = 0; body && i < k->n_rules; i++) {
		const ProtobufCFieldDescriptor *fd;
		const char *v;

		if (!(k->rules[i].flags & (FIELD_DATE | FIELD_MONTH)))
			continue;
		fd = protobuf_c_message_descriptor_get_field(k->desc, k->rules[i].number);
		if (!fd || fd->type != PROTOBUF_C_TYPE_STRING || fd->label == PROTOBUF_C_LABEL_REPEATED)
			continue;
		v = *(const char *const *)pbfield_ptr(body, fd);
		if (v && *v)
			return v;
	}
	return NULL;
}

void ref_summary_add(ref_summary *s, const kind_info *k, const ProtobufCMessage *body)
{
	ref_summary_kind *e = NULL;
	const char *d;

	s->total++;
	for (size_t i = 0; i < s->n_kinds; i++)
		if (s->by[i].k == k)
			e = &s->by[i];
	if (!e) {
		if (s->n_kinds == REF_SUMMARY_KINDS)
			return;
		e = &s->by[s->n_kinds++];
		e->k = k;
	}
	e->n++;
	if (e->n_few < REF_SUMMARY_FEW && (d = first_date(k, body)) != NULL)
		snprintf(e->few[e->n_few++], sizeof(e->few[0]), "%s", d);
}

/* Appends to out, cutting at cap (then *used becomes cap: out is full). */
static void append(char *out, size_t cap, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *out, size_t cap, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*used + 1 >= cap)
		return;
	va_start(ap, fmt);
	w = vsnprintf(out + *used, cap - *used, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	if (*used + (size_t)w < cap) {
		*used += (size_t)w;
		return;
	}
	/* Cut: never leave half a character (names and labels are Chinese). */
	*used = cap - 1;
	{
		size_t start = *used;
		unsigned char lead;
		size_t need;

		while (start > 0 && ((unsigned char)out[start - 1] & 0xC0) == 0x80)
			start--;
		if (start > 0) {
			lead = (unsigned char)out[start - 1];
			need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
			if (*used - (start - 1) < need)
				out[start - 1] = '\0';
		}
	}
	*used = cap;   /* full: later appends add nothing after the cut */
}

void ref_summary_format(const ref_summary *s, char *out, size_t cap)
{
	size_t used = 0;

	if (!cap)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < s->n_kinds; i++) {
		const ref_summary_kind *e = &s->by[i];

		append(out, cap, &used, "%s%s %s \xc3\x97%zu", i ? "; " : "", e->k->name, e->k->label, e->n);
		for (size_t j = 0; j < e->n_few; j++)
			append(out, cap, &used, "%s%s", j ? ", " : ": ", e->few[j]);
		if (e->n_few && e->n > e->n_few)
			append(out, cap, &used, ", ...");
	}
}
