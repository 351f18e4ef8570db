/* xlsx_write.c: writes one table as an .xlsx sheet with libxlsxwriter: text, money, whole numbers and dates as their own cell types. */
#include "client/ui/xlsx_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "common/date.h"
#include "common/hearth.h"
#include "common/i18n.h"
#include "common/utf8.h"

/* Column widths in Excel's units (about one Latin character; a CJK
 * character is two, as utf8_width counts it). */
#define WIDTH_MIN 6
#define WIDTH_MAX 60
#define ROWS_MAX 1048575u   /* a sheet's rows, less the header */

typedef struct xcol {
	xlsx_col_type type;
	size_t width;
} xcol;

struct xlsx_writer {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *text, *money, *date, *num;
	xcol *cols;
	size_t n_cols;
	lxw_row_t row;        /* the current row; 0 is the header */
	size_t next;          /* the next cell of the current row */
	int bad;              /* a write failed: reported at close */
};

int xlsx_writer_open(const char *path, const char *sheet_name, xlsx_writer **out, char *err,
                     size_t cap)
{
	xlsx_writer *w = calloc(1, sizeof(*w));
	char name[128];
	size_t n = 0, chars = 0;
	FILE *probe;

	*out = NULL;
	if (!w)
		return HEARTH_ENOMEM;
	/* Excel refuses sheet names over 31 characters (not bytes). */
	while (sheet_name[n] && chars < 31 && n < sizeof(name) - 4) {
		size_t len = 1;
		while ((sheet_name[n + len] & 0xC0) == 0x80)
			len++;
		n += len;
		chars++;
	}
	memcpy(name, sheet_name, n);
	name[n] = '\0';
	/* libxlsxwriter opens the file only when the workbook is closed, and
	 * then prints its own error; a path that cannot be written is found
	 * here, before any record is read. */
	if (!(probe = fopen(path, "wb"))) {
		snprintf(err, cap, _("cannot write %s: %s"), path, strerror(errno));
		free(w);
		return HEARTH_EIO;
	}
	fclose(probe);
	w->wb = workbook_new(path);
	w->ws = w->wb ? workbook_add_worksheet(w->wb, name) : NULL;
	if (!w->ws) {
		snprintf(err, cap, _("cannot start the workbook %s"), path);
		if (w->wb)
			workbook_close(w->wb);
		free(w);
		return HEARTH_EIO;
	}
	w->head = workbook_add_format(w->wb);
	format_set_bold(w->head);
	format_set_num_format(w->head, "@");
	w->text = workbook_add_format(w->wb);
	format_set_num_format(w->text, "@");
	w->money = workbook_add_format(w->wb);
	format_set_num_format(w->money, "0.00");
	w->date = workbook_add_format(w->wb);
	format_set_num_format(w->date, "yyyy-mm-dd");
	w->num = workbook_add_format(w->wb);
	format_set_num_format(w->num, "0");
	worksheet_freeze_panes(w->ws, 1, 0);
	*out = w;
	return 0;
}

static void grow_width(xcol *c, const char *s)
{
	size_t width = 0, line = 0;

	/* A multi-line note is as wide as its widest line. */
	for (const char *p = s; ; p++) {
		if (*p == '\n' || *p == '\0') {
			char *one = strndup(s, (size_t)(p - s));
			if (one) {
				line = utf8_width(one);
				free(one);
			}
			if (line > width)
				width = line;
			if (!*p)
				break;
			s = p + 1;
		}
	}
	if (width > c->width)
		c->width = width;
}

int xlsx_writer_column(xlsx_writer *w, const char *header, xlsx_col_type type)
{
	xcol *grown;

	if (w->row != 0 || w->n_cols >= LXW_COL_MAX)
		return HEARTH_EINVAL;
	grown = realloc(w->cols, (w->n_cols + 1) * sizeof(*grown));
	if (!grown)
		return HEARTH_ENOMEM;
	w->cols = grown;
	w->cols[w->n_cols].type = type;
	/* Dates are ten characters, money a few; the header may be wider. */
	w->cols[w->n_cols].width = type == XLSX_COL_DATE ? 10 : 0;
	grow_width(&w->cols[w->n_cols], header);
	if (worksheet_write_string(w->ws, 0, (lxw_col_t)w->n_cols, header, w->head) != LXW_NO_ERROR)
		w->bad = 1;
	w->n_cols++;
	return 0;
}

int xlsx_writer_row(xlsx_writer *w)
{
	if (w->row >= ROWS_MAX)
		return HEARTH_EINVAL;
	w->row++;
	w->next = 0;
	return 0;
}

/* "12.50" -> 12.5: only what money_yuan_format writes (digits, one point,
 * an optional minus), so a mask or a note is never taken for a number. */
static int plain_number(const char *s, int point_ok, double *out)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return -1;
	while ((*p >= '0' && *p <= '9') || (point_ok && *p == '.'))
		p++;
	if (*p || strlen(s) > 20)
		return -1;
	*out = strtod(s, &end);
	return *end ? -1 : 0;
}

int xlsx_writer_cell(xlsx_writer *w, const char *text)
{
	xcol *c;
	lxw_col_t col;
	lxw_error e;
	double v;
	int32_t day;

	if (w->row == 0 || w->next >= w->n_cols)
		return HEARTH_EINVAL;
	c = &w->cols[w->next];
	col = (lxw_col_t)w->next++;
	if (!text || !*text)
		return 0;
	grow_width(c, text);
	if (c->type == XLSX_COL_MONEY && plain_number(text, 1, &v) == 0) {
		e = worksheet_write_number(w->ws, w->row, col, v, w->money);
	} else if (c->type == XLSX_COL_INT && plain_number(text, 0, &v) == 0) {
		e = worksheet_write_number(w->ws, w->row, col, v, w->num);
	} else if (c->type == XLSX_COL_DATE && date_parse(text, &day) == 0) {
		lxw_datetime dt = { 0 };
		dt.year = atoi(text);
		dt.month = atoi(text + 5);
		dt.day = atoi(text + 8);
		e = worksheet_write_datetime(w->ws, w->row, col, &dt, w->date);
	} else {
		e = worksheet_write_string(w->ws, w->row, col, text, w->text);
	}
	if (e != LXW_NO_ERROR)
		w->bad = 1;
	return 0;
}

int xlsx_writer_close(xlsx_writer *w, char *err, size_t cap)
{
	lxw_error e;
	int rc = 0;

	for (size_t i = 0; i < w->n_cols; i++) {
		size_t width = w->cols[i].width + 2;
		lxw_format *f = w->cols[i].type == XLSX_COL_TEXT ? w->text : NULL;
		if (width < WIDTH_MIN)
			width = WIDTH_MIN;
		if (width > WIDTH_MAX)
			width = WIDTH_MAX;
		/* Text columns are Text (@) as a whole, so what a person types into
		 * them later (an id card, a phone with a leading 0) stays text. */
		worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, (double)width, f);
	}
	e = workbook_close(w->wb);
	if (e != LXW_NO_ERROR || w->bad) {
		snprintf(err, cap, _("cannot write the workbook: %s"),
		         e != LXW_NO_ERROR ? lxw_strerror(e) : _("a cell was refused"));
		rc = HEARTH_EIO;
	}
	free(w->cols);
	free(w);
	return rc;
}
