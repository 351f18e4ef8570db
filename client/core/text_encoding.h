/* text_encoding.h: which encoding a text file (an imported CSV) is in, and
 * turning it into UTF-8 (text_encoding.c). */
#ifndef HEARTH_CORE_TEXT_ENCODING_H
#define HEARTH_CORE_TEXT_ENCODING_H

#include <stddef.h>

/* How the bytes are to be read. TEXT_ENC_AUTO: UTF-8 when the bytes are
 * UTF-8 (with or without a BOM), else GB18030, which is what Excel on
 * Simplified-Chinese Windows saves as "CSV" (GB18030 is a superset of GBK
 * and GB2312, so those files read too). */
typedef enum text_encoding {
	TEXT_ENC_AUTO = 0,
	TEXT_ENC_UTF8,
	TEXT_ENC_GB18030,
} text_encoding;

/* Parses an --encoding value: "utf-8"/"utf8" or "gb18030" (also "gbk",
 * "gb2312", read as GB18030), any case. Returns 0 or HEARTH_EINVAL. */
int text_encoding_parse(const char *name, text_encoding *out);

/* The name people read: "UTF-8" or "GB18030" (static; AUTO gives "auto"). */
const char *text_encoding_name(text_encoding enc);

/* The outcome of text_to_utf8. */
typedef struct text_decoded {
	char *text;            /* malloc'd UTF-8, NUL-terminated; the caller frees it */
	size_t len;            /* bytes before the NUL */
	text_encoding used;    /* what the input was read as */
	unsigned bad_line;     /* on HEARTH_EINVAL: the 1-based line of the first bad byte */
} text_decoded;

/* Decodes data[0..len) as enc (TEXT_ENC_AUTO: detected as above) into
 * out->text. UTF-8 input is copied unchanged (a BOM stays, for the CSV
 * reader to see); GB18030 is converted with iconv. Returns 0;
 * HEARTH_EINVAL when the bytes are not valid in the encoding asked for (or,
 * for AUTO, in neither), with out->bad_line and err (a sentence) set;
 * HEARTH_ENOMEM; HEARTH_EIO when iconv has no GB18030. On error out->text
 * is NULL. */
int text_to_utf8(const char *data, size_t len, text_encoding enc, text_decoded *out, char *err,
                 size_t cap);

#endif
