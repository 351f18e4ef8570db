/* xlsx_read.c: reads the first worksheet of an .xlsx file (zip via minizip, XML via expat) into text rows, within bounds. */
#include "client/core/xlsx_read.h"

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unzip.h>

#include "common/array.h"
#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"

/* ------------------------------------------------ zip over a buffer */

/* minizip reads through these callbacks, so the file is read once, by the
 * caller, and a fuzzer can hand in bytes. */
typedef struct membuf {
	const unsigned char *p;
	size_t len, pos;
} membuf;

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *name, int mode)
{
	(void)name;
	(void)mode;
	((membuf *)opaque)->pos = 0;
	return opaque;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
	membuf *m = stream;
	size_t n = m->len - m->pos < size ? m->len - m->pos : size;

	(void)opaque;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (uLong)n;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
	(void)opaque;
	(void)stream;
	(void)buf;
	(void)size;
	return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
	(void)opaque;
	return ((membuf *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
	membuf *m = stream;
	uint64_t base;

	(void)opaque;
	switch (origin) {
	case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
	case ZLIB_FILEFUNC_SEEK_CUR: base = m->pos; break;
	case ZLIB_FILEFUNC_SEEK_END: base = m->len; break;
	default: return -1;
	}
	if (off > m->len || base + off > m->len)
		return -1;
	m->pos = (size_t)(base + off);
	return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
	(void)opaque;
	(void)stream;
	return 0;
}

/* ---------------------------------------------------------- helpers */

typedef struct growbuf {
	char *p;
	size_t len, cap;
} growbuf;

static int gb_add(growbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 64;
		char *p;
		while (nc < b->len + n + 1)
			nc *= 2;
		if (!(p = realloc(b->p, nc)))
			return HEARTH_ENOMEM;
		b->p = p;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static const char *local_name(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

/* An attribute by local name ("id" finds r:id). */
static const char *attr(const char **atts, const char *want)
{
	for (size_t i = 0; atts[i]; i += 2) {
		if (!strcmp(local_name(atts[i]), want))
			return atts[i + 1];
	}
	return NULL;
}

void xlsx_col_name(size_t col, char *out)
{
	char tmp[8];
	size_t n = 0;

	col++;
	while (col && n < sizeof(tmp)) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* "C5" -> column 2, row 5. Returns 0 or -1. */
static int parse_ref(const char *r, size_t *col, unsigned long *row)
{
	size_t c = 0;
	unsigned long n = 0;
	int letters = 0, digits = 0;

	for (; *r >= 'A' && *r <= 'Z'; r++) {
		if (++letters > 3)
			return -1;
		c = c * 26 + (size_t)(*r - 'A' + 1);
	}
	for (; *r >= '0' && *r <= '9'; r++) {
		if (++digits > 7)
			return -1;
		n = n * 10 + (unsigned long)(*r - '0');
	}
	if (*r || !letters || (digits && !n))
		return -1;
	*col = c - 1;
	*row = n;   /* 0 when the reference names no row */
	return 0;
}

int xlsx_looks_like(const void *data, size_t len)
{
	return len >= 4 && !memcmp(data, "PK\x03\x04", 4);
}

/* Built-in number formats that show dates (ECMA-376 18.8.30, with the
 * ones East Asian versions add: 27-36, 50-58). */
static int builtin_date(int id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	       (id >= 50 && id <= 58);
}

/* A custom format code shows a date when it has a day or year placeholder
 * outside quoted text, escapes and [brackets] ("yyyy\"年\"m\"月\"d\"日\"",
 * "mm/dd/yy"); "General", "0.00" and "@" do not. */
static int code_is_date(const char *s)
{
	for (; *s; s++) {
		if (*s == '"') {
			while (s[1] && s[1] != '"')
				s++;
			if (s[1])
				s++;
		} else if (*s == '\\' || *s == '_' || *s == '*') {
			if (s[1])
				s++;
		} else if (*s == '[') {
			while (s[1] && s[1] != ']')
				s++;
			if (s[1])
				s++;
		} else if (*s == 'd' || *s == 'D' || *s == 'y' || *s == 'Y') {
			return 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------- XML parsing */

enum part { P_WORKBOOK, P_RELS, P_STYLES, P_STRINGS, P_SHEET };

typedef struct num_fmt {
	int id;
	int is_date;
} num_fmt;

typedef struct reader {
	XML_Parser p;
	enum part part;
	int rc;
	char *err;
	size_t cap;
	growbuf text;
	int collect;           /* character data goes to text */

	/* workbook */
	char sheet_name[128];
	char sheet_rid[128];
	int have_sheet, date1904;
	/* rels */
	char sheet_target[512], strings_target[512], styles_target[512];
	/* styles */
	int in_numfmts, in_cellxfs;
	num_fmt *fmts;
	size_t n_fmts;
	unsigned char *xf_date;
	size_t n_xf;
	/* shared strings */
	char **strings;
	size_t n_strings;
	int in_si, rph_depth;
	/* sheet */
	xlsx_sheet *sheet;
	int in_data;
	unsigned long row_no;
	size_t next_col;
	csv_row row;
	int row_open;
	size_t col;
	char ctype[16];
	long style;
	int in_cell, in_is;
	int have_v;
} reader;

static void stop(reader *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void stop(reader *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->rc == 0) {
		r->rc = rc;
		if (rc == HEARTH_ENOMEM) {
			snprintf(r->err, r->cap, "%s", _("out of memory"));
		} else {
			va_start(ap, fmt);
			vsnprintf(r->err, r->cap, fmt, ap);
			va_end(ap);
		}
	}
	XML_StopParser(r->p, XML_FALSE);
}

static void on_text(void *arg, const XML_Char *s, int len)
{
	reader *r = arg;

	if (r->rc == 0 && r->collect && r->rph_depth == 0 && gb_add(&r->text, s, (size_t)len) != 0)
		stop(r, HEARTH_ENOMEM, " ");
}

/* Entities are what XML bombs and external-entity attacks are made of; a
 * workbook never declares any, so a DTD stops the read. */
static void on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
                       const XML_Char *pubid, int has_internal)
{
	reader *r = arg;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	stop(r, HEARTH_EINVAL, "%s", _("the workbook's XML declares a DTD (entities), which a workbook "
	                               "never does; it is refused"));
}

static void on_entity(void *arg, const XML_Char *name, int is_param, const XML_Char *value,
                      int value_len, const XML_Char *base, const XML_Char *sysid,
                      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	on_doctype(arg, NULL, NULL, NULL, 0);
}

static char *take_text(reader *r)
{
	char *s = r->text.p ? r->text.p : strdup("");

	memset(&r->text, 0, sizeof(r->text));
	if (!s)
		stop(r, HEARTH_ENOMEM, " ");
	return s;
}

/* A relationship target is relative to xl/ unless it starts with '/'. */
static void set_target(char *out, size_t cap, const char *target)
{
	if (target[0] == '/')
		snprintf(out, cap, "%s", target + 1);
	else
		snprintf(out, cap, "xl/%s", target);
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && !strcmp(s + a - b, tail);
}

static int row_put(reader *r, size_t col, char *text, csv_cell_type type)
{
	if (col >= CSV_MAX_FIELDS) {
		free(text);
		return HEARTH_ETOOBIG;
	}
	if (col >= r->row.n) {
		char **cells = realloc(r->row.cells, (col + 1) * sizeof(*cells));
		unsigned char *types;
		if (!cells) {
			free(text);
			return HEARTH_ENOMEM;
		}
		r->row.cells = cells;
		types = realloc(r->row.types, col + 1);
		if (!types) {
			free(text);
			return HEARTH_ENOMEM;
		}
		r->row.types = types;
		for (size_t i = r->row.n; i <= col; i++) {
			cells[i] = NULL;
			types[i] = CSV_CELL_TEXT;
		}
		for (size_t i = r->row.n; i < col; i++) {
			if (!(cells[i] = strdup(""))) {
				r->row.n = i;
				free(text);
				return HEARTH_ENOMEM;
			}
		}
		r->row.n = col + 1;
	}
	free(r->row.cells[col]);
	r->row.cells[col] = text;
	r->row.types[col] = (unsigned char)type;
	return 0;
}

static void row_drop(csv_row *row)
{
	array_free_strings(row->cells, row->n);
	free(row->types);
	memset(row, 0, sizeof(*row));
}

static void row_end(reader *r)
{
	csv_doc *doc = &r->sheet->doc;

	r->row_open = 0;
	if (r->row.n == 0) {
		row_drop(&r->row);
		return;
	}
	if (doc->n >= CSV_MAX_ROWS) {
		row_drop(&r->row);
		stop(r, HEARTH_ETOOBIG, _("the sheet has more than %u rows; split it"), CSV_MAX_ROWS);
		return;
	}
	if (array_grow(&doc->rows, &doc->cap, doc->n, sizeof(*doc->rows), 64) != 0) {
		row_drop(&r->row);
		stop(r, HEARTH_ENOMEM, " ");
		return;
	}
	r->row.line = (unsigned)r->row_no;
	doc->rows[doc->n++] = r->row;
	memset(&r->row, 0, sizeof(r->row));
}

/* A date serial as YYYY-MM-DD: day 25569 is 1970-01-01 in the 1900 system,
 * where serial 60 is the 29 February 1900 that never was (kept from Lotus
 * 1-2-3), so earlier serials are one day off; the 1904 system starts at
 * 1904-01-01. Returns 0, or -1 outside the years hearth stores. */
static int serial_date(reader *r, const char *v, char out[11])
{
	char *end;
	double x = strtod(v, &end);
	int32_t days, lo, hi;
	long serial;

	if (end == v || *end || !(x >= 1 && x < 3000000))
		return -1;
	serial = (long)x;   /* the time of day is dropped */
	if (r->date1904)
		days = (int32_t)(serial - 24107);
	else
		days = (int32_t)(serial < 61 ? serial - 25568 : serial - 25569);
	if (date_parse("1900-01-01", &lo) != 0 || date_parse("2199-12-31", &hi) != 0 || days < lo ||
	    days > hi)
		return -1;
	date_format(days, out);
	return 0;
}

static void cell_end(reader *r)
{
	char ref[16], *text;
	csv_cell_type type = CSV_CELL_TEXT;
	const char *t = r->ctype;
	int rc;

	r->in_cell = 0;
	if (!r->have_v)
		return;
	text = take_text(r);
	if (!text)
		return;
	xlsx_col_name(r->col, ref);
	snprintf(ref + strlen(ref), sizeof(ref) - strlen(ref), "%lu", r->row_no);
	if (!strcmp(t, "s")) {
		char *end;
		unsigned long i = strtoul(text, &end, 10);
		if (end == text || *end || i >= r->n_strings) {
			stop(r, HEARTH_EINVAL,
			     _("cell %s names shared string \"%.20s\", but the workbook has %zu"), ref, text,
			     r->n_strings);
			free(text);
			return;
		}
		free(text);
		if (!(text = strdup(r->strings[i]))) {
			stop(r, HEARTH_ENOMEM, " ");
			return;
		}
	} else if (!strcmp(t, "b")) {
		int yes = text[0] == '1';
		free(text);
		if (!(text = strdup(yes ? "1" : "0"))) {
			stop(r, HEARTH_ENOMEM, " ");
			return;
		}
	} else if (!strcmp(t, "e")) {
		/* An error value (#DIV/0!, #N/A) stays as its text; the importer
		 * then names the cell. */
	} else if (!strcmp(t, "n") || !t[0]) {
		int dated = r->style >= 0 && (size_t)r->style < r->n_xf && r->xf_date[r->style];
		char day[11];
		if (dated && serial_date(r, text, day) == 0) {
			free(text);
			if (!(text = strdup(day))) {
				stop(r, HEARTH_ENOMEM, " ");
				return;
			}
			type = CSV_CELL_DATE;
		} else {
			type = CSV_CELL_NUMBER;
		}
	}
	if (!strcmp(t, "d")) {
		/* An ISO 8601 date cell ("1946-03-15T00:00:00"): its day. */
		char *tt = strchr(text, 'T');
		if (tt && tt - text == 10)
			*tt = '\0';
	}
	/* "str" (a formula's text), "inlineStr" and "d" are text. */
	if ((rc = row_put(r, r->col, text, type)) != 0) {
		if (rc == HEARTH_ETOOBIG)
			stop(r, rc, _("cell %s is beyond column %u; hearth reads at most %u columns"), ref,
			     CSV_MAX_FIELDS, CSV_MAX_FIELDS);
		else
			stop(r, rc, " ");
	}
}

static void on_start(void *arg, const XML_Char *qname, const XML_Char **atts)
{
	reader *r = arg;
	const char *name = local_name(qname), *a;

	if (r->rc)
		return;
	switch (r->part) {
	case P_WORKBOOK:
		if (!strcmp(name, "sheet") && !r->have_sheet) {
			const char *n = attr(atts, "name"), *id = attr(atts, "id");
			snprintf(r->sheet_name, sizeof(r->sheet_name), "%s", n ? n : "");
			snprintf(r->sheet_rid, sizeof(r->sheet_rid), "%s", id ? id : "");
			r->have_sheet = 1;
		} else if (!strcmp(name, "workbookPr") && (a = attr(atts, "date1904"))) {
			r->date1904 = !strcmp(a, "1") || !strcasecmp(a, "true");
		}
		return;
	case P_RELS:
		if (!strcmp(name, "Relationship")) {
			const char *id = attr(atts, "Id"), *type = attr(atts, "Type"),
			           *target = attr(atts, "Target");
			if (!target || !type)
				return;
			if (id && !strcmp(id, r->sheet_rid))
				set_target(r->sheet_target, sizeof(r->sheet_target), target);
			else if (ends_with(type, "/sharedStrings"))
				set_target(r->strings_target, sizeof(r->strings_target), target);
			else if (ends_with(type, "/styles"))
				set_target(r->styles_target, sizeof(r->styles_target), target);
		}
		return;
	case P_STYLES:
		if (!strcmp(name, "numFmts")) {
			r->in_numfmts = 1;
		} else if (!strcmp(name, "cellXfs")) {
			r->in_cellxfs = 1;
		} else if (r->in_numfmts && !strcmp(name, "numFmt")) {
			const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
			num_fmt *grown;
			if (!id || !code || r->n_fmts >= 4096)
				return;
			if (!(grown = realloc(r->fmts, (r->n_fmts + 1) * sizeof(*grown)))) {
				stop(r, HEARTH_ENOMEM, " ");
				return;
			}
			r->fmts = grown;
			r->fmts[r->n_fmts].id = atoi(id);
			r->fmts[r->n_fmts].is_date = code_is_date(code);
			r->n_fmts++;
		} else if (r->in_cellxfs && !strcmp(name, "xf")) {
			const char *id = attr(atts, "numFmtId");
			int n = id ? atoi(id) : 0, is_date = builtin_date(n);
			unsigned char *grown;
			if (r->n_xf >= 65536)
				return;
			for (size_t i = 0; i < r->n_fmts; i++) {
				if (r->fmts[i].id == n)
					is_date = r->fmts[i].is_date;
			}
			if (!(grown = realloc(r->xf_date, r->n_xf + 1))) {
				stop(r, HEARTH_ENOMEM, " ");
				return;
			}
			r->xf_date = grown;
			r->xf_date[r->n_xf++] = (unsigned char)is_date;
		}
		return;
	case P_STRINGS:
		if (!strcmp(name, "si")) {
			r->in_si = 1;
			free(r->text.p);
			memset(&r->text, 0, sizeof(r->text));
		} else if (r->in_si && !strcmp(name, "t")) {
			/* Only the text runs: whitespace between elements of a
			 * pretty-printed file is not part of the string. */
			r->collect = 1;
		} else if (r->in_si && (!strcmp(name, "rPh") || !strcmp(name, "phoneticPr"))) {
			/* Phonetic guides (furigana) are not part of the text. */
			r->rph_depth++;
		}
		return;
	case P_SHEET:
		if (!strcmp(name, "sheetData")) {
			r->in_data = 1;
		} else if (r->in_data && !strcmp(name, "row")) {
			const char *n = attr(atts, "r");
			char *end;
			unsigned long v = n ? strtoul(n, &end, 10) : 0;
			if (n && (end == n || *end || v == 0 || v > 1048576)) {
				stop(r, HEARTH_EINVAL, _("a row of the sheet has the number \"%.20s\""), n);
				return;
			}
			r->row_no = n ? v : r->row_no + 1;
			r->next_col = 0;
			r->row_open = 1;
		} else if (r->row_open && !strcmp(name, "c")) {
			const char *ref = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
			unsigned long rr = 0;
			size_t col = r->next_col;
			if (ref && parse_ref(ref, &col, &rr) != 0) {
				stop(r, HEARTH_EINVAL, _("a cell of row %lu has the reference \"%.20s\""),
				     r->row_no, ref);
				return;
			}
			r->col = col;
			r->next_col = col + 1;
			snprintf(r->ctype, sizeof(r->ctype), "%s", t ? t : "");
			r->style = s ? atol(s) : 0;
			r->in_cell = 1;
			r->have_v = 0;
			free(r->text.p);
			memset(&r->text, 0, sizeof(r->text));
		} else if (r->in_cell && (!strcmp(name, "v") ||
		                          (!strcmp(name, "t") && r->in_is))) {
			r->collect = 1;
			r->have_v = 1;
		} else if (r->in_cell && !strcmp(name, "is")) {
			r->in_is = 1;
		} else if (r->in_is && !strcmp(name, "rPh")) {
			r->rph_depth++;
		}
		return;
	}
}

static void on_end(void *arg, const XML_Char *qname)
{
	reader *r = arg;
	const char *name = local_name(qname);

	if (r->rc)
		return;
	switch (r->part) {
	case P_STYLES:
		if (!strcmp(name, "numFmts"))
			r->in_numfmts = 0;
		else if (!strcmp(name, "cellXfs"))
			r->in_cellxfs = 0;
		return;
	case P_STRINGS:
		if (r->in_si && (!strcmp(name, "rPh") || !strcmp(name, "phoneticPr"))) {
			r->rph_depth--;
		} else if (r->in_si && !strcmp(name, "t")) {
			r->collect = 0;
		} else if (!strcmp(name, "si") && r->in_si) {
			char **grown, *s;
			r->in_si = 0;
			r->collect = 0;
			if (r->n_strings >= XLSX_MAX_STRINGS) {
				stop(r, HEARTH_ETOOBIG, _("the workbook has more than %u shared strings"),
				     XLSX_MAX_STRINGS);
				return;
			}
			if (!(s = take_text(r)))
				return;
			if (!(grown = realloc(r->strings, (r->n_strings + 1) * sizeof(*grown)))) {
				free(s);
				stop(r, HEARTH_ENOMEM, " ");
				return;
			}
			r->strings = grown;
			r->strings[r->n_strings++] = s;
		}
		return;
	case P_SHEET:
		if (!strcmp(name, "sheetData")) {
			r->in_data = 0;
		} else if (!strcmp(name, "row") && r->row_open) {
			row_end(r);
		} else if (!strcmp(name, "c") && r->in_cell) {
			cell_end(r);
			r->collect = 0;
			r->in_is = 0;
		} else if (!strcmp(name, "v") || !strcmp(name, "t")) {
			r->collect = 0;
		} else if (r->in_is && !strcmp(name, "rPh")) {
			r->rph_depth--;
		} else if (!strcmp(name, "is")) {
			r->in_is = 0;
		}
		return;
	default:
		return;
	}
}

static int parse_xml(reader *r, enum part part, const char *what, const char *xml, size_t len)
{
	XML_Parser p = XML_ParserCreate("UTF-8");

	if (!p)
		return HEARTH_ENOMEM;
	r->p = p;
	r->part = part;
	r->collect = 0;
	r->rph_depth = 0;
	XML_SetUserData(p, r);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(p, xml, (int)len, XML_TRUE) == XML_STATUS_ERROR && r->rc == 0) {
		r->rc = HEARTH_EINVAL;
		snprintf(r->err, r->cap, _("%s is not well-formed XML (line %lu: %s)"), what,
		         (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
	}
	XML_ParserFree(p);
	r->p = NULL;
	free(r->text.p);
	memset(&r->text, 0, sizeof(r->text));
	return r->rc;
}

/* ------------------------------------------------------- zip parts */

typedef struct zip_in {
	unzFile uf;
	size_t max_part;
	size_t total;
	char *err;
	size_t cap;
} zip_in;

/* One part inflated into *out; HEARTH_ENOTFOUND when the zip lacks it.
 * Sizes are counted as the bytes come out, so a header that lies about
 * them cannot make this read more than the bounds. */
static int read_part(zip_in *z, const char *name, char **out, size_t *len)
{
	growbuf b = { NULL, 0, 0 };
	char chunk[16384];
	int n, rc = 0;

	*out = NULL;
	*len = 0;
	if (unzLocateFile(z->uf, name, 1) != UNZ_OK)
		return HEARTH_ENOTFOUND;
	if (unzOpenCurrentFile(z->uf) != UNZ_OK) {
		snprintf(z->err, z->cap, _("the part %s cannot be opened (encrypted, or a compression "
		                           "method zip readers do not know); save the workbook again"),
		         name);
		return HEARTH_EINVAL;
	}
	while ((n = unzReadCurrentFile(z->uf, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > z->max_part || z->total + (size_t)n > XLSX_MAX_TOTAL) {
			snprintf(z->err, z->cap, _("the part %s is larger than %zu MiB uncompressed (or the "
			                           "parts together more than %u MiB); it is refused as a zip "
			                           "bomb; split the sheet"),
			         name, z->max_part >> 20, XLSX_MAX_TOTAL >> 20);
			rc = HEARTH_ETOOBIG;
			break;
		}
		if ((rc = gb_add(&b, chunk, (size_t)n)) != 0) {
			snprintf(z->err, z->cap, "%s", _("out of memory"));
			break;
		}
		z->total += (size_t)n;
	}
	if (rc == 0 && n < 0) {
		snprintf(z->err, z->cap, _("the part %s is damaged (zip error %d); save the workbook again"),
		         name, n);
		rc = HEARTH_EINVAL;
	}
	if (unzCloseCurrentFile(z->uf) == UNZ_CRCERROR && rc == 0) {
		snprintf(z->err, z->cap, _("the part %s fails its checksum; the file is damaged"), name);
		rc = HEARTH_EINVAL;
	}
	if (rc != 0) {
		free(b.p);
		return rc;
	}
	if (!b.p && !(b.p = strdup("")))
		return HEARTH_ENOMEM;
	*out = b.p;
	*len = b.len;
	return 0;
}

/* Reads and parses one part; a missing part is an error only when required. */
static int load(zip_in *z, reader *r, enum part part, const char *name, int required)
{
	char *xml;
	size_t len;
	int rc = read_part(z, name, &xml, &len);

	if (rc == HEARTH_ENOTFOUND) {
		if (!required)
			return 0;
		snprintf(z->err, z->cap, _("the workbook has no %s; it is not an .xlsx file hearth can "
		                           "read (save it from the spreadsheet as \"Excel 2007-365 "
		                           "(.xlsx)\")"),
		         name);
		return HEARTH_EINVAL;
	}
	if (rc != 0)
		return rc;
	rc = parse_xml(r, part, name, xml, len);
	free(xml);
	return rc;
}

void xlsx_sheet_free(xlsx_sheet *sheet)
{
	csv_free(&sheet->doc);
	sheet->name[0] = '\0';
}

int xlsx_read(const void *data, size_t len, const xlsx_read_opts *opts, xlsx_sheet *sheet,
              char *err, size_t cap)
{
	membuf mb = { data, len, 0 };
	zlib_filefunc64_def io = { mem_open, mem_read, mem_write, mem_tell,
	                           mem_seek, mem_close, mem_error, &mb };
	unz_global_info64 gi;
	zip_in z = { NULL, opts && opts->max_part ? opts->max_part : XLSX_MAX_PART, 0, err, cap };
	reader r;
	int rc;

	memset(sheet, 0, sizeof(*sheet));
	memset(&r, 0, sizeof(r));
	r.err = err;
	r.cap = cap;
	r.sheet = sheet;
	err[0] = '\0';
	if (!xlsx_looks_like(data, len) || !(z.uf = unzOpen2_64("mem", &io))) {
		snprintf(err, cap, "%s", _("the file is not an .xlsx workbook (not a zip archive)"));
		return HEARTH_EINVAL;
	}
	if (unzGetGlobalInfo64(z.uf, &gi) != UNZ_OK || gi.number_entry > XLSX_MAX_ENTRIES) {
		snprintf(err, cap, _("the zip holds more than %u entries; a workbook has a few dozen, so "
		                     "it is refused"),
		         XLSX_MAX_ENTRIES);
		rc = HEARTH_ETOOBIG;
		goto fail;
	}
	if ((rc = load(&z, &r, P_WORKBOOK, "xl/workbook.xml", 1)) != 0)
		goto fail;
	if (!r.have_sheet) {
		snprintf(err, cap, "%s", _("the workbook has no sheet"));
		rc = HEARTH_EINVAL;
		goto fail;
	}
	snprintf(sheet->name, sizeof(sheet->name), "%s", r.sheet_name);
	if ((rc = load(&z, &r, P_RELS, "xl/_rels/workbook.xml.rels", 1)) != 0)
		goto fail;
	if (!r.sheet_target[0]) {
		snprintf(err, cap, _("xl/_rels/workbook.xml.rels does not say where sheet \"%s\" is"),
		         r.sheet_name);
		rc = HEARTH_EINVAL;
		goto fail;
	}
	if (r.styles_target[0] && (rc = load(&z, &r, P_STYLES, r.styles_target, 0)) != 0)
		goto fail;
	if (r.strings_target[0] && (rc = load(&z, &r, P_STRINGS, r.strings_target, 1)) != 0)
		goto fail;
	rc = load(&z, &r, P_SHEET, r.sheet_target, 1);
fail:
	unzClose(z.uf);
	row_drop(&r.row);
	array_free_strings(r.strings, r.n_strings);
	free(r.fmts);
	free(r.xf_date);
	free(r.text.p);
	if (rc != 0) {
		if (rc == HEARTH_ENOMEM)
			snprintf(err, cap, "%s", _("out of memory"));
		xlsx_sheet_free(sheet);
	}
	return rc;
}
