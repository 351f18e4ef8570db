/* attachment.c: the rules of an attachment's metadata and the one content
 * sniffer (issue 18): types are told by their bytes, never by their name. */
#include "common/attachment.h"

#include <string.h>
#include <strings.h>

#include "common/fieldmap.h"
#include "common/hearth.h"
#include "common/pbfield.h"
#include "common/utf8.h"

#define T_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define T_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define T_PPTX "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#define T_DOC "application/msword"
#define T_XLS "application/vnd.ms-excel"
#define T_PPT "application/vnd.ms-powerpoint"

static const struct {
	const char *type, *word;
} types[] = {
	{ "image/jpeg", "JPEG" }, { "image/png", "PNG" }, { "application/pdf", "PDF" },
	{ T_DOCX, "Word" }, { T_XLSX, "Excel" }, { T_PPTX, "PowerPoint" },
	{ T_DOC, "Word" }, { T_XLS, "Excel" }, { T_PPT, "PowerPoint" },
};

static int starts(const uint8_t *b, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(b, magic, n) == 0;
}

static int has(const uint8_t *b, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		if (b[i] == (uint8_t)needle[0] && memcmp(b + i, needle, n) == 0)
			return 1;
	}
	return 0;
}

static const char *extension(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;

	return dot ? dot + 1 : "";
}

/* An OOXML document is a zip whose first entries name [Content_Types].xml
 * and the part folder of its application (word/, xl/, ppt/); Office and
 * LibreOffice write them at the start, within the first few KiB. */
static const char *sniff_zip(const uint8_t *b, size_t len)
{
	if (!has(b, len, "[Content_Types].xml") && !has(b, len, "_rels/.rels"))
		return NULL;
	if (has(b, len, "word/"))
		return T_DOCX;
	if (has(b, len, "xl/"))
		return T_XLSX;
	if (has(b, len, "ppt/"))
		return T_PPTX;
	return NULL;
}

const char *attachment_sniff(const uint8_t *b, size_t len, const char *name)
{
	const char *ext = extension(name);

	if (starts(b, len, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (starts(b, len, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (starts(b, len, "%PDF-", 5))
		return "application/pdf";
	if (starts(b, len, "PK\x03\x04", 4))
		return sniff_zip(b, len);
	/* The OLE compound file holds .doc, .xls and .ppt alike; which one it
	 * is would take reading its directory, so the extension names it, and
	 * an OLE file with another extension is refused. */
	if (starts(b, len, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)) {
		if (!strcasecmp(ext, "doc") || !strcasecmp(ext, "wps"))
			return T_DOC;
		if (!strcasecmp(ext, "xls") || !strcasecmp(ext, "et"))
			return T_XLS;
		if (!strcasecmp(ext, "ppt") || !strcasecmp(ext, "dps"))
			return T_PPT;
	}
	return NULL;
}

int attachment_type_known(const char *type)
{
	for (size_t i = 0; type && i < HEARTH_ARRAY_LEN(types); i++) {
		if (!strcmp(types[i].type, type))
			return 1;
	}
	return 0;
}

const char *attachment_type_word(const char *type)
{
	for (size_t i = 0; type && i < HEARTH_ARRAY_LEN(types); i++) {
		if (!strcmp(types[i].type, type))
			return types[i].word;
	}
	return "?";
}

static int plain_name(const char *s)
{
	return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strpbrk(s, "/\\");
}

int attachment_check_list(Hearth__Attachment *const *list, size_t n, record_error *err)
{
	if (n > ATTACHMENTS_MAX)
		return record_refuse(err, "attachments", "a record holds at most %d attachments (got %zu)",
		                     ATTACHMENTS_MAX, n);
	for (size_t i = 0; i < n; i++) {
		const Hearth__Attachment *a = list[i];
		long chars = utf8_chars(a->name, strlen(a->name));

		if (!plain_name(a->name))
			return record_refuse(err, "attachments",
			                     "attachments[%zu]: the name must be a file name without a directory", i + 1);
		if (chars < 0 || chars > ATTACHMENT_NAME_MAX)
			return record_refuse(err, "attachments",
			                     "attachments[%zu]: the name is longer than %d characters", i + 1,
			                     ATTACHMENT_NAME_MAX);
		if (!attachment_type_known(a->type))
			return record_refuse(err, "attachments", "attachments[%zu]: type %s is not one hearth keeps",
			                     i + 1, record_echo(a->type, 0));
		if (a->size == 0)
			return record_refuse(err, "attachments", "attachments[%zu]: an empty file is not an attachment",
			                     i + 1);
		if (a->sha256.len != 32)
			return record_refuse(err, "attachments", "attachments[%zu]: sha256 must be 32 bytes (got %zu)",
			                     i + 1, a->sha256.len);
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(list[j]->name, a->name))
				return record_refuse(err, "attachments",
				                     "attachments: the name %s is on the record twice",
				                     record_echo(a->name, 0));
		}
	}
	return 0;
}

Hearth__Attachment **attachment_list(const ProtobufCMessage *body, size_t *n)
{
	const ProtobufCFieldDescriptor *fd =
		body ? protobuf_c_message_descriptor_get_field(body->descriptor, ATTACHMENT_FIELD) : NULL;

	*n = 0;
	if (!fd || fd->type != PROTOBUF_C_TYPE_MESSAGE || fd->descriptor != &hearth__attachment__descriptor)
		return NULL;
	*n = *pbfield_count(body, fd);
	return *(Hearth__Attachment ***)pbfield_ptr(body, fd);
}

/* How many attachments an encoded body holds (field ATTACHMENT_FIELD,
 * length-delimited), or -1 when it does not parse. */
static long count_in(const uint8_t *b, size_t len)
{
	fieldmap fm = FIELDMAP_INIT;
	const field_entry *e;
	long n = 0;

	if (fieldmap_parse(len ? b : NULL, len, &fm) != 0)
		return -1;
	e = fieldmap_get(&fm, ATTACHMENT_FIELD);
	for (size_t p = 0; e && p < e->len && n >= 0;) {
		uint64_t v = 0;
		/* tag, then length: fieldmap_parse accepted both */
		for (int k = 0; k < 2; k++) {
			v = 0;
			for (int s = 0; p < e->len && s < 64; s += 7) {
				v |= (uint64_t)(e->bytes[p] & 0x7f) << s;
				if ((e->bytes[p++] & 0x80) == 0)
					break;
			}
		}
		if (v > e->len - p) {
			n = -1;
		} else {
			p += (size_t)v;
			n++;
		}
	}
	fieldmap_free(&fm);
	return n;
}

const char *attachment_edit_action(const uint8_t *before, size_t before_len, const uint8_t *after,
                                   size_t after_len, const uint32_t *applied, size_t n,
                                   const char *fallback)
{
	long a, b;

	if (n != 1 || applied[0] != ATTACHMENT_FIELD)
		return fallback;
	b = count_in(before, before_len);
	a = count_in(after, after_len);
	if (a < 0 || b < 0 || a == b)
		return fallback;
	return a > b ? "record.attach" : "record.detach";
}

void attachment_hex(const uint8_t hash[32], char out[ATTACHMENT_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 15];
	}
	out[ATTACHMENT_HEX_LEN] = 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int attachment_parse_hex(const char *text, uint8_t hash[32])
{
	if (!text || strlen(text) != ATTACHMENT_HEX_LEN)
		return HEARTH_EINVAL;
	for (int i = 0; i < 32; i++) {
		int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return HEARTH_EINVAL;
		hash[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
