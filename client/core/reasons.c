/* reasons.c: recognising an English refusal by its format and printing it
 * with the format's translation and the same arguments. */
#include "client/core/reasons.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

/* Defined by the build (po/reasons.sh writes build/i18n/reasons_table.c
 * from the record_refuse and op_reject calls of the source). */
extern const char *const reasons_formats[];
extern const size_t reasons_count;

/* A reason has few arguments; a format with more is not matched. */
#define MAX_ARGS 8
/* "record ID: REASON" nests one reason in another; deeper is not looked at. */
#define MAX_NEST 2

typedef struct span {
	const char *p;
	size_t n;
	char conv;      /* 's', 'd' (any integer), 'x' (hex), 'c' */
} span;

typedef struct match {
	span arg[MAX_ARGS];
	size_t n_args;
} match;

/* Reads one conversion at f (just after '%'): optional "N$", flags, width,
 * precision and length, then the conversion letter.  Sets *conv to the class
 * ('s', 'd', 'x', 'c'; 0 for one this matcher does not take, such as '*'
 * or a float), *pos to N-1 or -1, and returns the first byte after it. */
static const char *read_conv(const char *f, char *conv, int *pos)
{
	const char *q = f;
	int n = 0;

	*pos = -1;
	while (*q >= '0' && *q <= '9')
		n = n * 10 + (*q++ - '0');
	if (*q == '$' && q > f)
		*pos = n - 1;
	else
		q = f;
	while (*q && strchr("-+ #0", *q))
		q++;
	while ((*q >= '0' && *q <= '9') || *q == '.')
		q++;
	while (*q && strchr("hlzjtL", *q))
		q++;
	switch (*q) {
	case 's':
		*conv = 's';
		break;
	case 'd': case 'i': case 'u':
		*conv = 'd';
		break;
	case 'x': case 'X':
		*conv = 'x';
		break;
	case 'c':
		*conv = 'c';
		break;
	default:
		*conv = 0;
		return *q ? q + 1 : q;
	}
	return q + 1;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether text matches the format f to its end, recording the arguments.
 * A %s takes the shortest text that lets the rest match (backtracking), an
 * integer its digits; reasons are short, so the search stays small. */
static int match_from(const char *f, const char *t, match *m)
{
	while (*f) {
		char conv;
		int pos;
		size_t a;

		if (*f != '%' || f[1] == '%') {
			if (*t != *f)
				return 0;
			f += *f == '%' ? 2 : 1;
			t++;
			continue;
		}
		f = read_conv(f + 1, &conv, &pos);
		if (conv == 0 || m->n_args >= MAX_ARGS)
			return 0;
		a = m->n_args++;
		m->arg[a].p = t;
		m->arg[a].conv = conv;
		if (conv == 's') {
			/* Only the last text argument may hold ": ", so the
			 * server's "record ID: REASON" is read as that nesting,
			 * not as one reason whose first argument runs over the
			 * prefix. */
			int last = *f == '\0';

			for (size_t n = 0;; n++) {
				m->arg[a].n = n;
				m->n_args = a + 1;
				if (match_from(f, t + n, m))
					return 1;
				if (t[n] == '\0' || (!last && t[n] == ':' && t[n + 1] == ' '))
					return 0;
			}
		}
		size_t n = 0;

		if (conv == 'c') {
			n = *t ? 1 : 0;
		} else if (conv == 'x') {
			while (is_hex(t[n]))
				n++;
		} else {
			if (t[n] == '-')
				n++;
			while (t[n] >= '0' && t[n] <= '9')
				n++;
		}
		if (n == 0 || (conv == 'd' && n == 1 && t[0] == '-'))
			return 0;
		m->arg[a].n = n;
		t += n;
	}
	return *t == '\0';
}

/* Characters of f outside its conversions: of two formats that match, the
 * one with more fixed text is the more specific ("%s is required" against
 * "end_date is required when status is 已结束"). */
static size_t fixed_len(const char *f)
{
	size_t n = 0;

	while (*f) {
		if (*f == '%' && f[1] != '%') {
			char conv;
			int pos;

			f = read_conv(f + 1, &conv, &pos);
			continue;
		}
		f += *f == '%' ? 2 : 1;
		n++;
	}
	return n;
}

/* The most specific known format english matches, or NULL. */
static const char *find_format(const char *english, match *best)
{
	const char *found = NULL;
	size_t found_len = 0;

	for (size_t i = 0; i < reasons_count; i++) {
		match m = { .n_args = 0 };
		size_t len = fixed_len(reasons_formats[i]);

		/* A bare "%s" says nothing to recognise. */
		if (len == 0 || (found && len <= found_len))
			continue;
		if (match_from(reasons_formats[i], english, &m)) {
			found = reasons_formats[i];
			found_len = len;
			*best = m;
		}
	}
	return found;
}

typedef struct out {
	char *buf;
	size_t cap;
	size_t len;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->len + 1 >= o->cap)
		return;
	if (n > o->cap - 1 - o->len) {
		/* Cut before a whole character, never inside one. */
		n = o->cap - 1 - o->len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

const char *reasons_field_name(const kind_info *k, const char *field)
{
	const ProtobufCFieldDescriptor *fd;
	const field_rule *rule;

	if (k == NULL || field == NULL || !i18n_is_zh())
		return field;
	fd = protobuf_c_message_descriptor_get_field_by_name(k->desc, field);
	if (fd == NULL)
		return field;
	rule = kind_rule(k, fd->id);
	return reasons_rule_name(rule, field);
}

const char *reasons_rule_name(const field_rule *rule, const char *field)
{
	if (!i18n_is_zh())
		return field;
	return rule && rule->label && rule->label[0] ? rule->label : field;
}

static void localize(const kind_info *k, const char *english, out *o, int depth);

/* One argument as the reader sees it: a field's label, a nested reason
 * translated, a known phrase ("(hidden)") translated, else as it came. */
static void put_arg(const kind_info *k, const span *a, out *o, int depth)
{
	char text[512];
	const char *name;
	const char *said;

	if (a->conv != 's' || a->n == 0 || a->n >= sizeof(text)) {
		put(o, a->p, a->n);
		return;
	}
	memcpy(text, a->p, a->n);
	text[a->n] = '\0';
	name = reasons_field_name(k, text);
	if (name != text) {
		put(o, name, strlen(name));
		return;
	}
	said = _(text);
	if (said != text) {
		put(o, said, strlen(said));
		return;
	}
	if (depth < MAX_NEST) {
		localize(k, text, o, depth + 1);
		return;
	}
	put(o, a->p, a->n);
}

static void localize(const kind_info *k, const char *english, out *o, int depth)
{
	match m = { .n_args = 0 };
	const char *fmt = find_format(english, &m);
	const char *t;
	size_t next = 0;

	if (fmt == NULL) {
		put(o, english, strlen(english));
		return;
	}
	/* The translation may put the arguments in another order ("%2$s"). */
	t = _(fmt);
	while (*t) {
		const char *pct = strchr(t, '%');
		char conv;
		int pos;
		size_t a;

		if (pct == NULL) {
			put(o, t, strlen(t));
			break;
		}
		put(o, t, (size_t)(pct - t));
		if (pct[1] == '%') {
			put(o, "%", 1);
			t = pct + 2;
			continue;
		}
		t = read_conv(pct + 1, &conv, &pos);
		a = pos >= 0 ? (size_t)pos : next++;
		if (a < m.n_args)
			put_arg(k, &m.arg[a], o, depth);
	}
}

const char *reasons_localize(const kind_info *k, const char *english, char *buf, size_t cap)
{
	out o = { buf, cap, 0 };

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (english == NULL)
		return buf;
	localize(k, english, &o, 0);
	return buf;
}
