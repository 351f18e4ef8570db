/* report.h: the committee's report as ONE self-contained HTML file: inline
 * CSS (with print rules) and SVG bar charts drawn here, no scripts, fonts or
 * images from anywhere else, every text escaped. */
#ifndef HEARTH_REPORT_H
#define HEARTH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "common/stats.h"

typedef struct report_info {
	const char *org;            /* organisation from the certificate URI */
	const char *author;         /* who made it (certificate CN) */
	int64_t generated_ms;       /* when (ms since the epoch) */
	int64_t last_sync_ms;       /* the replica's last sync, 0: never (unused when the
	                             * server computed the figures: s->from_committee) */
	const char *general;        /* the general branch (党总支) id when s holds its subtree
	                             * (a general certificate's figures), NULL: the committee's */
} report_info;

/* Writes the report for s (finished with stats_finish) to f. Returns 0 or
 * HEARTH_EIO when f reported an error. */
int report_write_html(FILE *f, const stats *s, const report_info *info);

#endif
