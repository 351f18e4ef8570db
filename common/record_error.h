/* record_error.h: why a record was refused, and the one helper every rule
 * (the generic field walk and each kind's cross-field checks) refuses with,
 * so all refusals name their field the same way. */
#ifndef HEARTH_RECORD_ERROR_H
#define HEARTH_RECORD_ERROR_H

/* Why a record was refused: the field (proto name, e.g. "join_date") and a
 * sentence naming the rule, e.g. "join_date 2026-02-30 is not a date that
 * exists (YYYY-MM-DD)".  Owned by the caller (usually on its stack); both
 * strings are always NUL-terminated once filled. */
typedef struct record_error {
	char field[64];
	char message[320];
} record_error;

/* Fills err (when not NULL) with field and the printf-formatted message,
 * cut to fit, and returns HEARTH_EINVAL, so every refusal is one line at
 * its call site. */
int record_refuse(record_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s as it may appear in a refusal: "(hidden)" when hidden is non-zero (a
 * sensitive field), "(value)" when s is longer than 32 bytes, else s itself
 * (borrowed; the others are static strings). */
const char *record_echo(const char *s, int hidden);

#endif
