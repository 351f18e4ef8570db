/* filters.h: the filters every `hearth KIND list` takes (--member, --year,
 * --status, --type, --from, --to), mapped onto each kind's fields from the
 * kind table, so a new kind gets them without code here.
 *
 * Which field a filter looks at, per kind:
 *   --member  the body field named "member" or "members" (a record id)
 *   --status  the enum field named "status"
 *   --type    the first enum field named type, types, occasion, category,
 *             mode, trigger or title (in that order of preference)
 *   --year    an int field named "year" (honor, hardship: the stat year),
 *             else the main date (below)
 *   --from/--to  the main date, inclusive: the field named "date", else the
 *             month field (YYYY-MM: it matches when any of its days is in
 *             range), else start_date, from_date, issued_date, certified_at,
 *             else the first date field (a member's birth date). */
#ifndef HEARTH_FILTERS_H
#define HEARTH_FILTERS_H

#include <stdint.h>
#include <stdio.h>

#include "proto/hearth.pb-c.h"
#include "common/record.h"
#include "client/core/replica.h"

typedef struct list_filter {
	const kind_info *k;
	const char *member_text;                       /* as typed; borrowed from argv */
	uint8_t member[16];                            /* resolved by filter_prepare */
	const ProtobufCFieldDescriptor *member_fd;
	const ProtobufCFieldDescriptor *status_fd, *type_fd, *year_fd, *date_fd;
	int status, type, year;
	int32_t from, to;                              /* day numbers */
	int has_status, has_type, has_year, has_from, has_to;
} list_filter;

/* Takes the filter options out of a `list` command line (argv[0] is
 * "list"), so the generic parser never sees them, and checks their values
 * against kind k. *argc and argv are compacted in place; what is left keeps
 * its order. Errors are printed as "hearth: KIND list: ..." and give
 * HEARTH_EINVAL; otherwise 0. f borrows from argv. */
int filter_take(list_filter *f, const kind_info *k, int *argc, char **argv);

/* Resolves --member against the local replica (a full id, a unique prefix
 * or a member's exact name). Returns 0, or HEARTH_EINVAL after printing
 * why. */
int filter_prepare(list_filter *f, replica *r);

/* True when rec passes every filter given (always, when none was). */
int filter_match(const list_filter *f, const Hearth__Record *rec);

/* Help lines for the filters of kind k. */
void filter_help(const kind_info *k, FILE *out);

/* The kind's main date field (see above), or NULL. */
const ProtobufCFieldDescriptor *filter_main_date(const kind_info *k);

/* The kind's type-like enum field (see above), or NULL. */
const ProtobufCFieldDescriptor *filter_type_field(const kind_info *k);

/* Resolves text to a live member record in the local replica: a full id, a
 * unique id prefix (4+ hex digits) or a member's exact name when exactly
 * one live member has it. Returns 0, HEARTH_ENOTFOUND, HEARTH_EINVAL
 * (ambiguous, or not a member), with a sentence in err. */
int filter_resolve_member(replica *r, const char *text, uint8_t id[16], char *err, size_t cap);

#endif
