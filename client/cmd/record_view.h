/* record_view.h: records for people and for JSON, and `KIND list` (record_view.c). Functions returning int return an
 * exit code from cli.h after printing why (via rargs_say), unless their
 * comment says otherwise. */
#ifndef HEARTH_CMD_RECORD_VIEW_H
#define HEARTH_CMD_RECORD_VIEW_H

#include <stddef.h>

#include "client/cmd/record_args.h"
#include "client/ui/output.h"

/* A growing string; oom set once an allocation failed. */
typedef struct rview_sbuf {
	char *p;
	size_t len, cap;
	int oom;
} rview_sbuf;

const char *rview_sb_str(const rview_sbuf *b);

/* A field's value for a table, `show` or CSV; repeated values are joined
 * with "、" as Chinese lists are. The caller frees b->p. */
void rview_people_value(const record_cmd *m, const ProtobufCMessage *body,
                         const ProtobufCFieldDescriptor *fd, rview_sbuf *b);

/* A record as one JSON object: envelope fields, then each set body field by
 * its proto name. `show` adds its local state (extra). */
void rview_json_record(const record_cmd *m, out_json *j, const Hearth__Record *rec, int extra, int pending);

int rview_do_list(record_cmd *m);

#endif
