/* csv.c: an RFC 4180 reader with bounds, for `hearth KIND import`. */
#include "client/core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

void csv_free(csv_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++) {
		array_free_strings(doc->rows[i].cells, doc->rows[i].n);
		free(doc->rows[i].types);
	}
	free(doc->rows);
	memset(doc, 0, sizeof(*doc));
}

typedef struct growbuf {
	char *p;
	size_t len, cap;
} growbuf;

static int gb_add(growbuf *b, char c)
{
	if (b->len + 2 > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		char *p = realloc(b->p, nc);
		if (!p)
			return HEARTH_ENOMEM;
		b->p = p;
		b->cap = nc;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return 0;
}

static int push_cell(csv_row *row, growbuf *cell)
{
	char **grown;

	if (row->n >= CSV_MAX_FIELDS)
		return HEARTH_ETOOBIG;
	grown = realloc(row->cells, (row->n + 1) * sizeof(*grown));
	if (!grown)
		return HEARTH_ENOMEM;
	row->cells = grown;
	row->cells[row->n] = cell->p ? cell->p : strdup("");
	if (!row->cells[row->n])
		return HEARTH_ENOMEM;
	row->n++;
	memset(cell, 0, sizeof(*cell));
	return 0;
}

static int push_row(csv_doc *doc, csv_row *row)
{
	/* A blank line is one empty cell: skip it. */
	if (row->n == 1 && row->cells[0][0] == '\0') {
		free(row->cells[0]);
		free(row->cells);
		memset(row, 0, sizeof(*row));
		return 0;
	}
	if (doc->n >= CSV_MAX_ROWS)
		return HEARTH_ETOOBIG;
	if (array_grow(&doc->rows, &doc->cap, doc->n, sizeof(*doc->rows), 64) != 0)
		return HEARTH_ENOMEM;
	doc->rows[doc->n++] = *row;
	memset(row, 0, sizeof(*row));
	return 0;
}

int csv_parse(const char *data, size_t len, csv_doc *doc, unsigned *line, char *err, size_t cap)
{
	csv_row row = { NULL, 0, 1 };
	growbuf cell = { NULL, 0, 0 };
	size_t i = 0;
	unsigned ln = 1;
	int rc = 0;

	memset(doc, 0, sizeof(*doc));
	*line = 0;
	if (len > CSV_MAX_BYTES) {
		snprintf(err, cap, _("the file is larger than %u MiB; split it"), CSV_MAX_BYTES >> 20);
		return HEARTH_ETOOBIG;
	}
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		doc->had_bom = 1;
		i = 3;
	}
	if ((*line = utf8_first_bad_line(data + i, len - i)) != 0) {
		snprintf(err, cap, _("the text is not UTF-8 (or holds a NUL byte); save the sheet as "
		                   "\"CSV UTF-8\" (Excel) or UTF-8 text, not GBK/GB18030"));
		return HEARTH_EINVAL;
	}
	if (i >= len)
		return 0;
	row.line = ln;
	for (;;) {
		/* One field: quoted or not. */
		if (i < len && data[i] == '"') {
			unsigned opened = ln;
			i++;
			for (;;) {
				if (i >= len) {
					*line = opened;
					snprintf(err, cap, _("a quoted field opened on this line is never closed"));
					rc = HEARTH_EINVAL;
					goto fail;
				}
				if (data[i] == '"') {
					if (i + 1 < len && data[i + 1] == '"') {
						rc = gb_add(&cell, '"');
						i += 2;
					} else {
						i++;
						break;
					}
				} else {
					if (data[i] == '\n')
						ln++;
					rc = gb_add(&cell, data[i++]);
				}
				if (rc != 0)
					goto fail;
			}
			if (i < len && data[i] != ',' && data[i] != '\r' && data[i] != '\n') {
				*line = ln;
				snprintf(err, cap, _("text after the closing quote of a field; a quote inside a "
				                   "quoted field is written twice (\"\")"));
				rc = HEARTH_EINVAL;
				goto fail;
			}
		} else {
			while (i < len && data[i] != ',' && data[i] != '\r' && data[i] != '\n') {
				if (data[i] == '"') {
					*line = ln;
					snprintf(err, cap, _("a double quote inside an unquoted field; quote the "
					                   "field and write the quote twice (\"\")"));
					rc = HEARTH_EINVAL;
					goto fail;
				}
				if ((rc = gb_add(&cell, data[i++])) != 0)
					goto fail;
			}
		}
		if ((rc = push_cell(&row, &cell)) != 0)
			goto fail_bound;
		if (i < len && data[i] == ',') {
			i++;
			continue;
		}
		/* End of the row: CRLF, LF, CR or the end of the file. */
		if (i < len && data[i] == '\r')
			i++;
		if (i < len && data[i] == '\n')
			i++;
		ln++;
		if ((rc = push_row(doc, &row)) != 0)
			goto fail_bound;
		if (i >= len)
			break;
		row.line = ln;
	}
	return 0;
fail_bound:
	if (rc == HEARTH_ETOOBIG) {
		*line = ln;
		snprintf(err, cap, _("more than %u fields in a row or %u rows in the file"), CSV_MAX_FIELDS,
		         CSV_MAX_ROWS);
	}
fail:
	if (rc == HEARTH_ENOMEM)
		snprintf(err, cap, _("out of memory"));
	free(cell.p);
	array_free_strings(row.cells, row.n);
	csv_free(doc);
	return rc;
}


int csv_formula_start(char ch)
{
	return ch && strchr("=+-@\t\r", ch) != NULL;
}

const char *csv_unneutral(const char *s)
{
	if (s[0] == '\'' && (csv_formula_start(s[1]) || s[1] == '\''))
		return s + 1;
	return s;
}
