/* utf8.h: UTF-8 validation and terminal display width (CJK is two columns). */
#ifndef HEARTH_UTF8_H
#define HEARTH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL or C0 control other than
 * \t, \n, \r. */
int utf8_valid(const char *s, size_t len);

/* Number of code points, or -1 when invalid. */
long utf8_chars(const char *s, size_t len);

/* Terminal columns the string takes: East Asian Wide and Fullwidth
 * characters (CJK ideographs, kana, hangul, fullwidth forms, CJK
 * punctuation) count 2, combining marks 0, others 1. Invalid bytes count 1. */
size_t utf8_width(const char *s);

/* Copies at most max_cols columns of s into out (cap bytes incl. NUL), never
 * splitting a character; appends "…" when truncated. Returns columns used. */
size_t utf8_truncate(const char *s, size_t max_cols, char *out, size_t cap);

#endif
