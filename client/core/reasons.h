/* reasons.h: a refusal in the reader's language.  Every reason a record or
 * an op is refused with is written in English from a format of
 * record_refuse (common/) or op_reject (server/db/), on this machine or by
 * the server; the client recognises the format, takes its arguments back
 * out and prints them with the format's translation, naming fields by
 * their Chinese labels.  The formats are extracted from the source at build
 * time (po/reasons.sh), so a reason the code can write is always known. */
#ifndef HEARTH_REASONS_H
#define HEARTH_REASONS_H

#include <stddef.h>

#include "common/kinds.h"

/* Writes into buf (cap bytes, always NUL-terminated, cut to fit) the reason
 * english in the reader's language, and returns buf.  When english matches
 * a known format, it is that format's translation with the same arguments:
 * an argument that names a field of kind k (NULL: no kind) shows as the
 * field's label when the text is Chinese, and an argument that is itself a
 * known reason (the server's "record ID: REASON") is translated too.
 * Anything else (a reason from a newer server) is copied unchanged.
 * english is borrowed. */
const char *reasons_localize(const kind_info *k, const char *english, char *buf, size_t cap);

/* The name a person reads for field (a proto name of kind k, e.g.
 * "end_date"): its Chinese label when the text is Chinese and k has one,
 * else field itself.  The result is static or field; never NULL for a
 * non-NULL field. */
const char *reasons_field_name(const kind_info *k, const char *field);

/* The same for a field whose rule the caller holds: rule's label when the
 * text is Chinese and it has one, else field. rule may be NULL. */
const char *reasons_rule_name(const field_rule *rule, const char *field);

#endif
