/* utf8.h: UTF-8 validation, the classes of characters that are unsafe to
 * show, the one sanitiser for text printed to a person, and terminal display
 * width (CJK is two columns). */
#ifndef HEARTH_UTF8_H
#define HEARTH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL or C0 control other than
 * \t, \n, \r. */
int utf8_valid(const char *s, size_t len);

/* The 1-based number of the first line (lines end in '\n') whose bytes
 * are not valid UTF-8, or 0 when every line is. */
unsigned utf8_first_bad_line(const char *data, size_t len);

/* Number of code points, or -1 when invalid. */
long utf8_chars(const char *s, size_t len);

/* Terminal columns the string takes: East Asian Wide and Fullwidth
 * characters (CJK ideographs, kana, hangul, fullwidth forms, CJK
 * punctuation) count 2, combining marks 0, others 1. Invalid bytes count 1. */
size_t utf8_width(const char *s);

/* Copies at most max_cols columns of s into out (cap bytes incl. NUL), never
 * splitting a character; appends "…" when truncated. Returns columns used. */
size_t utf8_truncate(const char *s, size_t max_cols, char *out, size_t cap);

/* Characters that are invisible or reorder, move or restyle what a terminal
 * shows.  Everything else (CJK included) is UTF8_PLAIN. */
typedef enum utf8_class {
	UTF8_PLAIN = 0,
	UTF8_C0,          /* U+0000..U+001F and DEL U+007F */
	UTF8_C1,          /* U+0080..U+009F (U+009B is CSI, U+009D is OSC) */
	UTF8_BIDI,        /* U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 */
	UTF8_ZERO_WIDTH,  /* U+200B, U+2060, U+FEFF: invisible, no use inside text */
	UTF8_JOINER,      /* U+200C, U+200D: invisible, but emoji and scripts need them */
} utf8_class;

/* Bit of a class in a set of classes, for utf8_find. */
#define UTF8_CLASS_BIT(c) (1u << (c))

/* The class of one code point. */
utf8_class utf8_classify(uint32_t cp);

/* One pass over s[0..len) for the record rules: returns the number of code
 * points, or -1 when the bytes are not well-formed UTF-8 (as utf8_chars).
 * *controls gets 1 when a C0 control other than tab, CR and LF is present
 * (what utf8_valid refuses), and *classes the OR of UTF8_CLASS_BIT of every
 * class met other than UTF8_PLAIN and UTF8_C0. Both are set only when the
 * return value is not -1. */
long utf8_scan(const char *s, size_t len, int *controls, unsigned *classes);

/* Looks for the first well-formed code point of s[0..len) whose class is in
 * classes (an OR of UTF8_CLASS_BIT).  Returns 1 and sets *cp when found,
 * 0 when there is none.  Undecodable bytes are skipped: utf8_valid judges
 * those. */
int utf8_find(const char *s, size_t len, unsigned classes, uint32_t *cp);

enum utf8_sanitize_flags {
	UTF8_SANITIZE_KEEP_LINES = 1 << 0,  /* keep \n and \t (multi-line text) */
};

/* The one sanitiser for text shown to a person (tables, show, conflicts,
 * audit listings): copies in[0..len) into out, replacing every character
 * that is not UTF8_PLAIN with a visible escape: C0 and DEL as \x1B, C1, bidi
 * and zero-width characters as \u202E, and each byte that is not
 * well-formed UTF-8 as \xFF.  \n and \t are escaped too unless flags has
 * UTF8_SANITIZE_KEEP_LINES; \r always is.  Other text is copied byte for
 * byte; a backslash is not escaped (the result is for reading, not for
 * parsing back).  out (cap bytes) is always NUL-terminated when cap > 0 and
 * is cut only between a character and the next.  Returns the length the
 * whole result needs, excluding the NUL (as snprintf does), so a result
 * >= cap means it was cut. */
size_t utf8_sanitize(const char *in, size_t len, char *out, size_t cap, unsigned flags);

/* Same, into a new string the caller frees with free().  NULL when out of
 * memory. */
char *utf8_sanitize_dup(const char *in, size_t len, unsigned flags);

#endif
