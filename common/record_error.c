/* record_error.c: filling a record_error, the one way a record is refused. */
#include "common/record_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/hearth.h"
#include "common/i18n.h"

int record_refuse(record_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return HEARTH_EINVAL;
}

/* Values are echoed in messages only when short and already known to be
 * printable text, so a message never carries a cut character or a long
 * blob; sensitive fields are never echoed by any rule. */
const char *record_echo(const char *s, int hidden)
{
	/* Marked but not translated here: the server writes its reasons in
	 * English; the client translates these words where it shows them
	 * (client/core/reasons.c). */
	if (hidden)
		return N_("(hidden)");
	return strlen(s) <= 32 ? s : N_("(value)");
}
