/* record_defaults.h: the values a record takes when they were not typed
 * (record_defaults.c): the defaults a secretary expects (a hardship entry
 * starts 在册, a visit is 已走访, a member 正式党员 and 正常, ...) and the
 * values that follow from others (the stat year from the certification
 * date, 参加人数 from the members listed, a dues record's rate and due from
 * the official table).
 *
 * Only fields still at their zero value are filled; nothing typed is ever
 * overwritten.  Nothing is allocated: every value filled is a number. */
#ifndef HEARTH_RECORD_DEFAULTS_H
#define HEARTH_RECORD_DEFAULTS_H

#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "common/kinds.h"

typedef enum record_defaults_mode {
	RECORD_DEFAULTS_NEW = 0,   /* a record being added: the defaults and the derived values */
	RECORD_DEFAULTS_DERIVED,   /* an edit: only the values that follow from others */
} record_defaults_mode;

typedef struct record_defaults_opts {
	record_defaults_mode mode;
	int32_t today;             /* day number (date.h): the stat year without a certification date */
	int64_t farmer_fen;        /* the branch's farmer dues; 0 = the table's 0.2 yuan */
} record_defaults_opts;

/* Fills the unset fields of body (a message of k's body type) as above.
 * body stays owned by the caller. */
void record_defaults_apply(const kind_info *k, ProtobufCMessage *body, const record_defaults_opts *o);

#endif
