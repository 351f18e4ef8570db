/* text_encoding.c: tells UTF-8 from GB18030 in an imported text file and converts it to UTF-8 with iconv. */
#include "client/core/text_encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

int text_encoding_parse(const char *name, text_encoding *out)
{
	if (!name)
		return HEARTH_EINVAL;
	if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8")) {
		*out = TEXT_ENC_UTF8;
		return 0;
	}
	if (!strcasecmp(name, "gb18030") || !strcasecmp(name, "gbk") || !strcasecmp(name, "gb2312")) {
		*out = TEXT_ENC_GB18030;
		return 0;
	}
	return HEARTH_EINVAL;
}

const char *text_encoding_name(text_encoding enc)
{
	switch (enc) {
	case TEXT_ENC_UTF8: return "UTF-8";
	case TEXT_ENC_GB18030: return "GB18030";
	default: return "auto";
	}
}

static unsigned line_at(const char *data, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

static int copy_utf8(const char *data, size_t len, text_decoded *out)
{
	out->text = malloc(len + 1);
	if (!out->text)
		return HEARTH_ENOMEM;
	memcpy(out->text, data, len);
	out->text[len] = '\0';
	out->len = len;
	out->used = TEXT_ENC_UTF8;
	return 0;
}

/* GB18030 to UTF-8. A GB18030 character is at most 4 bytes and becomes at
 * most 4 UTF-8 bytes, except 2-byte ones that become 3: 2 * len + 4 always
 * holds the result. *bad_off is where an invalid or cut sequence starts. */
static int from_gb18030(const char *data, size_t len, text_decoded *out, size_t *bad_off)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = len * 2 + 4, in_left = len, out_left;
	char *in = (char *)data, *buf, *o;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return HEARTH_EIO;
	buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return HEARTH_ENOMEM;
	}
	o = buf;
	out_left = cap - 1;
	if (iconv(cd, &in, &in_left, &o, &out_left) == (size_t)-1) {
		/* E2BIG cannot happen with the bound above; treat it as bad input
		 * rather than loop. */
		*bad_off = (size_t)(in - data);
		rc = HEARTH_EINVAL;
	}
	iconv_close(cd);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*o = '\0';
	out->text = buf;
	out->len = (size_t)(o - buf);
	out->used = TEXT_ENC_GB18030;
	return 0;
}

int text_to_utf8(const char *data, size_t len, text_encoding enc, text_decoded *out, char *err,
                 size_t cap)
{
	size_t bad_off = 0;
	unsigned utf8_bad;
	int rc;

	memset(out, 0, sizeof(*out));
	if (enc == TEXT_ENC_UTF8)
		return copy_utf8(data, len, out);   /* the CSV reader names a bad line */
	if (enc == TEXT_ENC_AUTO) {
		utf8_bad = (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) ? 0 : utf8_first_bad_line(data, len);
		/* A BOM says UTF-8 whatever follows: the CSV reader then names the
		 * line that is not. */
		if (utf8_bad == 0)
			return copy_utf8(data, len, out);
	}
	rc = from_gb18030(data, len, out, &bad_off);
	if (rc == HEARTH_EIO) {
		snprintf(err, cap, "%s", _("this system's iconv cannot read GB18030; save the sheet as \"CSV UTF-8\""));
		return rc;
	}
	if (rc == HEARTH_EINVAL) {
		out->bad_line = line_at(data, bad_off);
		if (enc == TEXT_ENC_AUTO)
			snprintf(err, cap, "%s",
			         _("the text is neither UTF-8 nor GB18030 (GBK); save the sheet as \"CSV "
			           "UTF-8\", or name the encoding with --encoding utf-8|gb18030"));
		else
			snprintf(err, cap, "%s",
			         _("the text is not GB18030 (--encoding gb18030); try --encoding utf-8, or "
			           "leave --encoding out to detect it"));
	}
	return rc;
}
