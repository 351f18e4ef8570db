/* output.c: prints tables, JSON, CSV and progress for the hearth commands. */
#include "client/ui/output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/core/csv.h"
#include "common/hearth.h"
#include "common/utf8.h"

/* ---------------------------------------------------------------- tables */

typedef struct out_column {
	char *header;
	size_t max_cols;
	int numeric;
} out_column;

typedef struct out_row {
	char **cells;    /* n_columns entries; NULL = empty */
	size_t n;        /* cells filled so far */
} out_row;

struct out_table {
	out_column *cols;
	size_t n_cols;
	out_row *rows;
	size_t n_rows, cap_rows;
};

out_table *out_table_new(void)
{
	return calloc(1, sizeof(out_table));
}

void out_table_free(out_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->rows[r].n; c++)
			free(t->rows[r].cells[c]);
		free(t->rows[r].cells);
	}
	free(t->rows);
	for (size_t c = 0; c < t->n_cols; c++)
		free(t->cols[c].header);
	free(t->cols);
	free(t);
}

/* A cell must stay on one line and must not carry escape sequences, bidi
 * overrides or invisible characters to the terminal, whatever the record
 * holds (data may come from a newer client or a hostile server), so the
 * table keeps the sanitised text (utf8_sanitize: ESC, U+009B, U+202E become
 * visible escapes). A line break or tab of a multi-line note is harmless
 * and reads better as a space than as an escape. */
static char *cell_copy(const char *s)
{
	char *c;

	if (!s)
		s = "";
	c = utf8_sanitize_dup(s, strlen(s), UTF8_SANITIZE_KEEP_LINES);
	for (char *p = c; p && *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return c;
}

int out_table_column(out_table *t, const char *header, size_t max_cols, int numeric)
{
	out_column *cols;
	char *h;

	if (t->n_rows > 0)
		return HEARTH_EINVAL;
	h = cell_copy(header);
	if (!h)
		return HEARTH_ENOMEM;
	cols = realloc(t->cols, (t->n_cols + 1) * sizeof(*cols));
	if (!cols) {
		free(h);
		return HEARTH_ENOMEM;
	}
	t->cols = cols;
	t->cols[t->n_cols].header = h;
	t->cols[t->n_cols].max_cols = max_cols;
	t->cols[t->n_cols].numeric = numeric;
	t->n_cols++;
	return 0;
}

int out_table_row(out_table *t)
{
	char **cells;

	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
		out_row *rows = realloc(t->rows, cap * sizeof(*rows));
		if (!rows)
			return HEARTH_ENOMEM;
		t->rows = rows;
		t->cap_rows = cap;
	}
	cells = calloc(t->n_cols ? t->n_cols : 1, sizeof(*cells));
	if (!cells)
		return HEARTH_ENOMEM;
	t->rows[t->n_rows].cells = cells;
	t->rows[t->n_rows].n = 0;
	t->n_rows++;
	return 0;
}

int out_table_cell(out_table *t, const char *text)
{
	out_row *row;
	char *c;

	if (t->n_rows == 0)
		return HEARTH_EINVAL;
	row = &t->rows[t->n_rows - 1];
	if (row->n >= t->n_cols)
		return HEARTH_EINVAL;
	c = cell_copy(text);
	if (!c)
		return HEARTH_ENOMEM;
	row->cells[row->n++] = c;
	return 0;
}

size_t out_table_rows(const out_table *t)
{
	return t->n_rows;
}

/* Sanitised text of s into buf when it fits, else into *heap (which the
 * caller frees); "?" when out of memory, never the raw text. */
static const char *clean(const char *s, unsigned flags, char *buf, size_t cap, char **heap)
{
	size_t len = strlen(s);

	*heap = NULL;
	if (utf8_sanitize(s, len, buf, cap, flags) < cap)
		return buf;
	*heap = utf8_sanitize_dup(s, len, flags);
	return *heap ? *heap : "?";
}

void out_text(FILE *f, const char *s, unsigned flags)
{
	char buf[512], *heap;

	fputs(clean(s ? s : "", flags, buf, sizeof(buf), &heap), f);
	free(heap);
}

void out_pad(FILE *f, const char *s, size_t width)
{
	char buf[512], *heap;
	const char *t = clean(s, 0, buf, sizeof(buf), &heap);
	size_t w = utf8_width(t);

	fputs(t, f);
	for (; w < width; w++)
		fputc(' ', f);
	free(heap);
}

/* Prints one cell in its column: cut to the column's limit, padded to the
 * column's width on the side its alignment asks for. The last column is not
 * padded on the right, so lines carry no trailing spaces. */
static void put_cell(FILE *f, const out_column *col, size_t width, const char *s, int last)
{
	char cut[1024];
	size_t w;

	if (col->max_cols && utf8_width(s) > col->max_cols) {
		utf8_truncate(s, col->max_cols, cut, sizeof(cut));
		s = cut;
	}
	w = utf8_width(s);
	if (col->numeric) {
		for (; w < width; w++)
			fputc(' ', f);
		fputs(s, f);
	} else if (last) {
		fputs(s, f);
	} else {
		out_pad(f, s, width);
	}
}

static size_t shown_width(const out_column *col, const char *s)
{
	size_t w = utf8_width(s);
	return col->max_cols && w > col->max_cols ? col->max_cols : w;
}

/* One line of the table (cells NULL: the headers). Cells after the last
 * non-empty one are left out and that one is not padded on the right, so no
 * line ends in spaces. */
static void write_line(FILE *f, const out_table *t, const size_t *width, const char *const *cells,
                       size_t n)
{
	size_t last = 0;

	for (size_t c = 0; c < t->n_cols; c++) {
		const char *s = cells ? (c < n ? cells[c] : "") : t->cols[c].header;
		if (s && *s)
			last = c;
	}
	for (size_t c = 0; c <= last; c++) {
		const char *s = cells ? (c < n ? cells[c] : "") : t->cols[c].header;
		if (c)
			fputs("  ", f);
		put_cell(f, &t->cols[c], width[c], s ? s : "", c == last);
	}
	fputc('\n', f);
}

/* Column widths are computed over the header and every (cut) cell first, so
 * the whole table is laid out once and every line agrees. */
int out_table_write(const out_table *t, FILE *f, const char *rule)
{
	size_t *width;

	if (t->n_cols == 0)
		return 0;
	width = calloc(t->n_cols, sizeof(*width));
	if (!width)
		return HEARTH_ENOMEM;
	for (size_t c = 0; c < t->n_cols; c++) {
		width[c] = shown_width(&t->cols[c], t->cols[c].header);
		for (size_t r = 0; r < t->n_rows; r++) {
			const char *s = c < t->rows[r].n ? t->rows[r].cells[c] : "";
			size_t w = shown_width(&t->cols[c], s);
			if (w > width[c])
				width[c] = w;
		}
	}
	write_line(f, t, width, (const char *const *)NULL, t->n_cols);
	for (size_t c = 0; c < t->n_cols; c++) {
		if (c)
			fputs("  ", f);
		for (size_t i = 0; i < width[c]; i++)
			fputs(rule, f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->n_rows; r++)
		write_line(f, t, width, (const char *const *)t->rows[r].cells, t->rows[r].n);
	free(width);
	return ferror(f) ? HEARTH_EIO : 0;
}

/* A box-drawing rule is only safe where it will be shown as one: a terminal
 * whose locale says UTF-8. Anything else (a pipe, a file, a C locale) gets
 * ASCII so the output reads the same everywhere. */
static int utf8_terminal(FILE *f)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	if (!isatty(fileno(f)))
		return 0;
	for (size_t i = 0; i < HEARTH_ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8") ||
			       strstr(v, "utf-8");
	}
	return 0;
}

int out_table_print(const out_table *t, FILE *f)
{
	return out_table_write(t, f, utf8_terminal(f) ? "\xe2\x94\x80" : "-");
}

/* ------------------------------------------------------------------ JSON */

void out_json_init(out_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Length of the well-formed UTF-8 sequence at s, or 0 when the byte there
 * does not start one. Only structure is checked here: the record rules have
 * already refused overlongs and surrogates in stored text, and a stray byte
 * only has to be kept from making the document invalid. */
static size_t seq_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

void out_json_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"': fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
			p++;
			continue;
		}
		n = seq_len(p);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);   /* U+FFFD */
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

/* Every value and key goes through here: inside an array or object a comma
 * comes before all but the first item; right after a key, nothing does. */
static void json_item(out_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0 && j->depth <= OUT_JSON_MAX_DEPTH) {
		if (j->count[j->depth - 1])
			fputc(',', j->f);
		j->count[j->depth - 1] = 1;
	}
}

static void json_open(out_json *j, char c)
{
	json_item(j);
	fputc(c, j->f);
	j->depth++;
	if (j->depth <= OUT_JSON_MAX_DEPTH)
		j->count[j->depth - 1] = 0;
}

static void json_close(out_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void out_json_begin_object(out_json *j) { json_open(j, '{'); }
void out_json_end_object(out_json *j) { json_close(j, '}'); }
void out_json_begin_array(out_json *j) { json_open(j, '['); }
void out_json_end_array(out_json *j) { json_close(j, ']'); }

void out_json_key(out_json *j, const char *key)
{
	json_item(j);
	out_json_quote(j->f, key);
	fputc(':', j->f);
	j->after_key = 1;
}

void out_json_string(out_json *j, const char *s)
{
	json_item(j);
	if (s)
		out_json_quote(j->f, s);
	else
		fputs("null", j->f);
}

void out_json_int(out_json *j, int64_t v)
{
	json_item(j);
	fprintf(j->f, "%" PRId64, v);
}

void out_json_uint(out_json *j, uint64_t v)
{
	json_item(j);
	fprintf(j->f, "%" PRIu64, v);
}

void out_json_double(out_json *j, double v)
{
	json_item(j);
	/* JSON has no NaN or infinity. */
	if (v != v || v > 1e308 || v < -1e308)
		fputs("null", j->f);
	else
		fprintf(j->f, "%.17g", v);
}

void out_json_bool(out_json *j, int v)
{
	json_item(j);
	fputs(v ? "true" : "false", j->f);
}

void out_json_null(out_json *j)
{
	json_item(j);
	fputs("null", j->f);
}

/* ------------------------------------------------------------------- CSV */

void out_csv_init(out_csv *c, FILE *f, int bom)
{
	c->f = f;
	c->fields = 0;
	if (bom)
		fputs("\xef\xbb\xbf", f);
}

/* The first characters a spreadsheet reads as the start of a formula. */
/* "-12" or "-3.50": a number, which a spreadsheet keeps as a number. */
static int csv_negative_number(const char *s)
{
	const char *p = s + 1;

	if (s[0] != '-' || !(*p >= '0' && *p <= '9'))
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

const char *out_csv_neutral_prefix(const char *s)
{
	if (!s)
		return "";
	if (csv_formula_start(s[0]) && !csv_negative_number(s))
		return "'";
	if (s[0] == '\'' && (csv_formula_start(s[1]) || s[1] == '\''))
		return "'";
	return "";
}

void out_csv_field(out_csv *c, const char *s)
{
	const char *prefix;

	if (!s)
		s = "";
	prefix = out_csv_neutral_prefix(s);
	if (c->fields++)
		fputc(',', c->f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(prefix, c->f);
		fputs(s, c->f);
		return;
	}
	fputc('"', c->f);
	fputs(prefix, c->f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', c->f);
		fputc(*s, c->f);
	}
	fputc('"', c->f);
}

void out_csv_end_row(out_csv *c)
{
	fputs("\r\n", c->f);
	c->fields = 0;
}

/* -------------------------------------------------------------- progress */

/* The bar is redrawn only when what it shows changes (a whole percent, or
 * the count when there is no total), so a loop may call out_progress for
 * every item without flooding the terminal. */
static struct {
	int drawn;
	int last_pct;
	uint64_t last_done;
} progress = { 0, -1, UINT64_MAX };

void out_progress(const char *label, uint64_t done, uint64_t total)
{
	enum { BAR = 30 };
	char bar[BAR + 1];

	if (!isatty(STDERR_FILENO))
		return;
	if (total == 0) {
		if (progress.drawn && done == progress.last_done)
			return;
		fprintf(stderr, "\r\033[K%s %" PRIu64, label, done);
	} else {
		int pct;
		size_t fill;

		if (done > total)
			done = total;
		pct = (int)(done * 100 / total);
		if (progress.drawn && pct == progress.last_pct)
			return;
		fill = (size_t)(done * BAR / total);
		memset(bar, '#', fill);
		memset(bar + fill, '.', BAR - fill);
		bar[BAR] = '\0';
		fprintf(stderr, "\r\033[K%s [%s] %" PRIu64 "/%" PRIu64 " %3d%%", label, bar, done, total,
		        pct);
		progress.last_pct = pct;
	}
	progress.last_done = done;
	progress.drawn = 1;
	fflush(stderr);
}

void out_progress_end(void)
{
	if (progress.drawn)
		fputc('\n', stderr);
	progress.drawn = 0;
	progress.last_pct = -1;
	progress.last_done = UINT64_MAX;
}

/* ----------------------------------------------------------------- times */

void out_local_time(int64_t ms, const char *none, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, cap, "%s", none);
}

void out_size(uint64_t bytes, char *out, size_t cap)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(out, cap, "%llu B", (unsigned long long)bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(out, cap, "%.1f %s", v, units[u]);
}
