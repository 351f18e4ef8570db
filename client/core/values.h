/* values.h: one field value of a record for people and back (values.c).
 *
 * Nothing here keeps state; every function is safe to call from anywhere. */
#ifndef HEARTH_CLIENT_VALUES_H
#define HEARTH_CLIENT_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "common/money.h"
#include "common/record.h"

/* Parses a yes/no word (true/yes/1/y/是, false/no/0/n/否, any case) into
 * *v (1 or 0). Returns 0, or HEARTH_EINVAL (then *v is untouched). */
int value_parse_bool(const char *s, int *v);

/* A record field's encoded bytes (tag included, as in a fieldmap, a
 * conflict or an audit change) for people: enum labels, yes/no, ids as
 * text, lists comma-separated, "(empty)" for none. k may be NULL (then
 * "(unknown field)"). Returns a malloc'd string the caller frees, or NULL
 * (out of memory). */
char *value_field_text(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len);

/* Whether value_field_view shows a sensitive field as it is. */
typedef enum value_view {
	VALUE_MASKED = 0,     /* as `show` prints without --reveal */
	VALUE_REVEALED,       /* in clear: the caller has queued a reveal event */
} value_view;

/* value_field_text, with a sensitive field of k (FIELD_SENSITIVE) masked
 * unless view is VALUE_REVEALED: text through record_mask (138****1234),
 * numbers as "***", as `show` masks them. Same ownership and errors. */
char *value_field_view(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len,
                       value_view view);

struct member_namer;   /* member_lookup.h */

/* How value_field_format writes a value. */
typedef enum value_style {
	VALUE_STYLE_TYPED = 0,   /* for programs (conflicts --json): fen, ids, yes/no */
	VALUE_STYLE_PEOPLE,      /* as people read it and type it back (resolve --set): 元, names, 是/否 */
} value_style;

typedef struct value_text_opts {
	value_view view;                /* sensitive fields masked or in clear */
	value_style style;
	struct member_namer *names;     /* PEOPLE: references by name; NULL, or an id
	                                   the replica does not know, prints the id */
} value_text_opts;

/* A field's encoded bytes (as value_field_text takes them) written as o
 * says. In VALUE_STYLE_PEOPLE: money in 元 ("300.00元"), percentages as
 * "1.5%", references by name (member_namer_text), yes/no as 是/否, lists
 * joined with 、, progress notes, contacts and talk needs as
 * "DATE CHANNEL|REASON: NOTE (BY)" joined with "; ", an unset yes/no as 否,
 * and "(empty)" through gettext. Same ownership and errors as value_field_text. */
char *value_field_format(const kind_info *k, uint32_t field, const uint8_t *bytes, size_t len,
                         const value_text_opts *o);

/* hearth stores money as integer fen; people type and read yuan. */

#define VALUE_YUAN_MAX_FEN INT64_C(99999999999999)   /* 999,999,999,999.99 yuan */

/* Parses yuan text: digits with an optional '.' and one or two decimals
 * ("12", "12.5", "12.50"), thousands separators that group by three
 * ("1,000", "3,500.00"), an optional ￥ or ¥ before and 元 after ("￥300",
 * "1000元"); no sign, no spaces.  Into fen.
 * Returns 0, or HEARTH_EINVAL with *why (when non-NULL) set to a static
 * phrase that completes a sentence starting with the quoted value, e.g.
 * "has more than two decimals (1 fen = 0.01 yuan)". */
int value_yuan_parse(const char *s, int64_t *fen, const char **why);

/* Parses a percentage ("1.5%", "1.5", "0.25％"; 0 to 100, at most two
 * decimals) into basis points (1.5% is 150).  Returns 0, or HEARTH_EINVAL
 * with *why (when non-NULL) set as for value_yuan_parse, e.g. "is more
 * than 100%". */
int value_percent_parse(const char *s, int32_t *bp, const char **why);


#endif
