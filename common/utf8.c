/* utf8.c: strict UTF-8 decoding, which characters are unsafe to show and how they are shown, and how many terminal columns text takes. */
#include "common/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one code point at s[0..len).  Returns its length in bytes and
 * sets *cp, or 0 when the bytes are not well-formed UTF-8: a stray
 * continuation byte, a truncated sequence, an overlong form, a surrogate
 * (U+D800..DFFF) or a value above U+10FFFF.  Overlongs are refused because
 * they let two different byte strings mean the same text, which would
 * defeat field comparison in the merge. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Stored text must be printable: a NUL would cut C strings short and other
 * C0 controls (escape sequences above all) could rewrite a user's terminal
 * when a listing is printed.  Tab and line breaks are left for the record
 * rules to allow or refuse per field. */
int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = decode(p + i, len - i, &cp);

		if (n == 0)
			return 0;
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
			return 0;
		i += n;
	}
	return 1;
}

/* Counts code points of well-formed UTF-8.  Unlike utf8_valid it does not
 * judge control characters: it answers "how many characters", which masking
 * and length messages need even for text that is about to be refused. */
long utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	long count = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = decode(p + i, len - i, &cp);

		if (n == 0)
			return -1;
		i += n;
		count++;
	}
	return count;
}

/* C1 controls are read as escape-sequence introducers by many terminals
 * (U+009B is CSI); bidi controls make text read in another order than it is
 * stored (the "Trojan Source" trick); zero-width characters make two
 * different strings look the same.  None may reach a screen unmarked. */
utf8_class utf8_classify(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return UTF8_C0;
	if (cp >= 0x80 && cp <= 0x9f)
		return UTF8_C1;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return UTF8_BIDI;
	if (cp == 0x200b || cp == 0x2060 || cp == 0xfeff)
		return UTF8_ZERO_WIDTH;
	if (cp == 0x200c || cp == 0x200d)
		return UTF8_JOINER;
	return UTF8_PLAIN;
}

/* Every string field of every pushed op passes the record rules, which
 * asked six questions of it in six passes (well-formed, controls, three
 * classes, length). One pass answers them all; ASCII, most of any record,
 * needs no decoding, since every class but C0 lies above U+007F. */
long utf8_scan(const char *s, size_t len, int *controls, unsigned *classes)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	long count = 0;
	unsigned found = 0;
	int ctl = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;
		utf8_class c;

		if (p[i] < 0x80) {
			if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
				ctl = 1;
			i++;
			count++;
			continue;
		}
		if ((n = decode(p + i, len - i, &cp)) == 0)
			return -1;
		c = utf8_classify(cp);
		if (c != UTF8_PLAIN)
			found |= UTF8_CLASS_BIT(c);
		i += n;
		count++;
	}
	*controls = ctl;
	*classes = found;
	return count;
}

int utf8_find(const char *s, size_t len, unsigned classes, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t n = decode(p + i, len - i, &c);

		if (n == 0) {
			i++;
			continue;
		}
		if (classes & UTF8_CLASS_BIT(utf8_classify(c))) {
			*cp = c;
			return 1;
		}
		i += n;
	}
	return 0;
}

/* The bytes one input position becomes: the character itself, or its
 * escape in esc.  Returns how many input bytes it covers. */
static size_t sanitize_one(const unsigned char *p, size_t len, unsigned flags, char esc[12],
                           const char **piece, size_t *piece_len)
{
	uint32_t cp;
	size_t n = decode(p, len, &cp);

	if (n == 0) {
		snprintf(esc, 12, "\\x%02X", p[0]);
		*piece = esc;
		*piece_len = 4;
		return 1;
	}
	if (utf8_classify(cp) == UTF8_PLAIN ||
	    ((flags & UTF8_SANITIZE_KEEP_LINES) && (cp == '\n' || cp == '\t'))) {
		*piece = (const char *)p;
		*piece_len = n;
		return n;
	}
	if (cp < 0x80)
		*piece_len = (size_t)snprintf(esc, 12, "\\x%02X", (unsigned)cp);
	else
		*piece_len = (size_t)snprintf(esc, 12, "\\u%04X", (unsigned)cp);
	*piece = esc;
	return n;
}

/* One pass that both measures and copies, so the allocating variant can
 * size its buffer with the same code that fills it. */
size_t utf8_sanitize(const char *in, size_t len, char *out, size_t cap, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, need = 0, o = 0;
	int cut = 0;

	while (in != NULL && i < len) {
		char esc[12];
		const char *piece;
		size_t piece_len;

		i += sanitize_one(p + i, len - i, flags, esc, &piece, &piece_len);
		if (!cut && cap > 0 && o + piece_len < cap) {
			memcpy(out + o, piece, piece_len);
			o += piece_len;
		} else {
			cut = 1;
		}
		need += piece_len;
	}
	if (cap > 0)
		out[o] = '\0';
	return need;
}

char *utf8_sanitize_dup(const char *in, size_t len, unsigned flags)
{
	size_t need = utf8_sanitize(in, len, NULL, 0, flags);
	char *out = malloc(need + 1);

	if (out != NULL)
		utf8_sanitize(in, len, out, need + 1, flags);
	return out;
}

/* A compact East Asian Width table: the wide and fullwidth blocks that
 * occur in Chinese text (Hangul Jamo, CJK radicals through Yi, Hangul
 * syllables, compatibility ideographs, vertical and small forms, fullwidth
 * forms, and the supplementary ideograph planes).  U+303F (half-fill
 * space) is the one narrow character inside those blocks. */
static int cp_width(uint32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if (cp == 0x303f)
		return 1;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

/* Table alignment must not fail on bad input, so an undecodable byte is
 * counted as one column (the terminal will show one replacement glyph). */
size_t utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i = 0, cols = 0;

	if (s == NULL)
		return 0;
	len = strlen(s);
	while (i < len) {
		uint32_t cp;
		size_t n = decode(p + i, len - i, &cp);

		if (n == 0) {
			cols++;
			i++;
			continue;
		}
		cols += (size_t)cp_width(cp);
		i += n;
	}
	return cols;
}

#define ELLIPSIS "\xe2\x80\xa6"   /* U+2026, one column */
#define ELLIPSIS_LEN 3

/* Copies whole characters while both the column budget and the byte budget
 * allow; returns the bytes copied and adds the columns used to *cols.
 * Undecodable bytes are copied as '?' so the output is always valid text. */
static size_t copy_cols(const unsigned char *p, size_t len, size_t max_cols, char *out,
                        size_t max_bytes, size_t *cols)
{
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = decode(p + i, len - i, &cp);
		size_t w;

		if (n == 0) {
			if (*cols + 1 > max_cols || o + 1 > max_bytes)
				break;
			out[o++] = '?';
			(*cols)++;
			i++;
			continue;
		}
		w = (size_t)cp_width(cp);
		if (*cols + w > max_cols || o + n > max_bytes)
			break;
		memcpy(out + o, p + i, n);
		o += n;
		*cols += w;
		i += n;
	}
	return o;
}

/* Listings cut long cells to fit a column.  When the text fits in both
 * columns and bytes it is copied whole; otherwise one column and three
 * bytes are kept for the ellipsis so a reader can see text was cut.  If even
 * the ellipsis does not fit, as much text as fits is copied without it. */
size_t utf8_truncate(const char *s, size_t max_cols, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, o, cols = 0;

	if (cap == 0)
		return 0;
	if (s == NULL) {
		out[0] = '\0';
		return 0;
	}
	len = strlen(s);
	o = copy_cols(p, len, max_cols, out, cap - 1, &cols);
	if (o == len) {
		out[o] = '\0';
		return cols;
	}
	if (max_cols >= 1 && cap - 1 >= ELLIPSIS_LEN) {
		cols = 0;
		o = copy_cols(p, len, max_cols - 1, out, cap - 1 - ELLIPSIS_LEN, &cols);
		memcpy(out + o, ELLIPSIS, ELLIPSIS_LEN);
		o += ELLIPSIS_LEN;
		cols++;
	}
	out[o] = '\0';
	return cols;
}

unsigned utf8_first_bad_line(const char *data, size_t len)
{
	unsigned line = 1;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || data[i] == '\n') {
			if (!utf8_valid(data + start, i - start))
				return line;
			line++;
			start = i + 1;
		}
	}
	return 0;
}
