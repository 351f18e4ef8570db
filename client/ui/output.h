/* output.h: how hearth prints for people (CJK-aligned tables, a progress bar
 * on a terminal) and for programs (JSON, CSV), plus money in yuan text. */
#ifndef HEARTH_OUTPUT_H
#define HEARTH_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- tables ---------------------------------------------------------------
 * Build the columns, then the rows cell by cell, then print. The table copies
 * every string it is given (headers and cells), so callers may pass
 * temporaries; everything is freed by out_table_free. Widths are terminal
 * columns (utf8_width: CJK counts 2), so Chinese and Latin text line up. */

typedef struct out_table out_table;

/* A new empty table, or NULL when out of memory. Free with out_table_free. */
out_table *out_table_new(void);
void out_table_free(out_table *t);

/* Adds a column. max_cols: cells wider than this are cut with "…" (0: no
 * limit). numeric: cells (and the header) are right-aligned.
 * Add every column before the first row. Returns 0, HEARTH_EINVAL (rows
 * already added), HEARTH_ENOMEM. */
int out_table_column(out_table *t, const char *header, size_t max_cols, int numeric);

/* Starts a new row; its cells follow with out_table_cell, left to right.
 * Missing trailing cells print empty. Returns 0 or HEARTH_ENOMEM. */
int out_table_row(out_table *t);

/* Appends a cell to the current row (NULL prints empty). The table keeps
 * the text through the one sanitiser (utf8_sanitize, utf8.h): control,
 * C1, bidi and zero-width characters become visible escapes and a newline
 * or tab (of a note) a space, so a cell never breaks its line or drives
 * the terminal.
 * Returns 0, HEARTH_EINVAL (no row started, or more cells than columns),
 * HEARTH_ENOMEM. */
int out_table_cell(out_table *t, const char *text);

/* Number of rows added so far. */
size_t out_table_rows(const out_table *t);

/* Prints the header, a rule made of `rule` (one column wide, e.g. "-" or
 * "─") under it, and the rows: columns separated by two spaces, no trailing
 * spaces. Returns 0 or HEARTH_EIO when f reported an error. */
int out_table_write(const out_table *t, FILE *f, const char *rule);

/* out_table_write with "─" when f is a terminal with a UTF-8 locale, else
 * "-" (so pipes and files get plain ASCII rules). */
int out_table_print(const out_table *t, FILE *f);

/* Prints s, sanitised as a table cell is, and then spaces up to width
 * terminal columns (nothing extra when it is already that wide). For
 * label/value listings. */
void out_pad(FILE *f, const char *s, size_t width);

/* Prints s (NULL: nothing) for a person through the one sanitiser,
 * utf8_sanitize: flags 0 for a one-line value, UTF8_SANITIZE_KEEP_LINES
 * for multi-line text. Every text that did not come from hearth itself
 * (record text, names, server messages, audit details) is printed through
 * this, out_pad or a table; JSON and CSV are for programs and are not. */
void out_text(FILE *f, const char *s, unsigned flags);

/* ---- JSON -----------------------------------------------------------------
 * A streaming writer: it puts the commas and colons; the caller nests
 * begin/end calls correctly. Output is compact. Strings are escaped (quote,
 * backslash, control characters; invalid UTF-8 bytes become U+FFFD) and valid
 * UTF-8 passes through as is. */

#define OUT_JSON_MAX_DEPTH 32

typedef struct out_json {
	FILE *f;
	int depth;                              /* open containers */
	unsigned char count[OUT_JSON_MAX_DEPTH]; /* items so far, capped at 1 */
	int after_key;                          /* a key was written; value next */
} out_json;

void out_json_init(out_json *j, FILE *f);
void out_json_begin_object(out_json *j);
void out_json_end_object(out_json *j);
void out_json_begin_array(out_json *j);
void out_json_end_array(out_json *j);
/* A key inside an object; the next call writes its value. */
void out_json_key(out_json *j, const char *key);
/* A string value; NULL writes null. */
void out_json_string(out_json *j, const char *s);
void out_json_int(out_json *j, int64_t v);
void out_json_uint(out_json *j, uint64_t v);
void out_json_double(out_json *j, double v);
void out_json_bool(out_json *j, int v);
void out_json_null(out_json *j);
/* Writes s as a quoted, escaped JSON string to f (used by the writer; handy
 * on its own). */
void out_json_quote(FILE *f, const char *s);

/* ---- CSV (RFC 4180) ---------------------------------------------------------
 * Fields holding a comma, a double quote, CR or LF are quoted, with quotes
 * doubled; lines end in CRLF. Every field is neutralised against formula
 * injection first (out_csv_neutral_prefix). */

typedef struct out_csv {
	FILE *f;
	int fields;      /* fields written on the current line */
} out_csv;

/* Starts a CSV document on f; with bom, writes the UTF-8 byte order mark
 * (EF BB BF) first, which Excel needs to read Chinese text as UTF-8. */
void out_csv_init(out_csv *c, FILE *f, int bom);
/* One field (NULL is empty), written as out_csv_neutral_prefix(s) then s. */
void out_csv_field(out_csv *c, const char *s);

/* The one rule against CSV formula injection, for every CSV writer.
 * Spreadsheets run a cell that begins with = + - @, tab or CR as a formula
 * (OWASP), so such a cell gets a leading single quote, which they show as
 * text; a phone written "+86..." is prefixed too. A plain negative number
 * ("-12", "-3.50") is left as it is: it cannot be a formula, and a quote
 * would turn money into text that no sum adds up. A value that itself begins
 * with a quote followed by one of those characters or by another quote gets
 * one more quote, so that csv_unneutral (client/core/csv.h) gives back every value byte for
 * byte. Returns "'" or "" (static strings); s may be NULL. */
const char *out_csv_neutral_prefix(const char *s);

/* Ends the current line with CRLF. */
void out_csv_end_row(out_csv *c);

/* ---- progress -------------------------------------------------------------
 * A one-line bar on stderr, redrawn in place with \r, only when stderr is a
 * terminal (nothing at all otherwise, so logs stay clean). total 0 shows a
 * bare count. Call out_progress_end once when done (it ends the line). */
void out_progress(const char *label, uint64_t done, uint64_t total);
void out_progress_end(void);

/* ---- times ----------------------------------------------------------------
 * A server time in ms since the epoch as local "YYYY-MM-DD HH:MM:SS" into
 * out; none (e.g. "never", "-") when ms is 0 or negative. */
void out_local_time(int64_t ms, const char *none, char *out, size_t cap);

/* ---- sizes ----------------------------------------------------------------
 * A byte count as people read it: "812 B", "35.2 KB", "4.8 MB", "1.2 GB"
 * (1 KB = 1024 B), into out. */
void out_size(uint64_t bytes, char *out, size_t cap);

#endif
