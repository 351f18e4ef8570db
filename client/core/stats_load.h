/* stats_load.h: the committee's figures (common/stats.h) counted over this
 * machine's replica. */
#ifndef HEARTH_CORE_STATS_LOAD_H
#define HEARTH_CORE_STATS_LOAD_H

#include "client/core/replica.h"
#include "common/stats.h"

/* Reads every record of the replica's local view and counts it into s
 * (stats_scan_snapshot over one snapshot of every branch). May be called
 * once per stats. Returns 0 or a negative HEARTH_E* code. */
int stats_scan(stats *s, replica *r);

#endif
