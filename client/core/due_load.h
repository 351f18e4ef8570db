/* due_load.h: what the due list (common/due.h) needs from this machine:
 * the thresholds of profile.ini [due], today (HEARTH_TODAY for tests), and
 * a snapshot of the replica's records. */
#ifndef HEARTH_CORE_DUE_LOAD_H
#define HEARTH_CORE_DUE_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/replica.h"
#include "common/due.h"

/* Reads the optional [due] section of home/profile.ini (keys visit_gap_days,
 * talk_window_days, talk_lookback_days, note_gap_days, dues_months,
 * contact_gap_days) over the defaults. A missing file or section is not an
 * error. Returns 0, or HEARTH_EINVAL with err naming the key and the
 * allowed range. */
int due_config_load(due_config *c, const char *home, char *err, size_t cap);

/* Today as a day number: $HEARTH_TODAY (YYYY-MM-DD; tests set it to make
 * results deterministic) when set, else the UTC date. Returns 0, or
 * HEARTH_EINVAL with err set when $HEARTH_TODAY is not a date. */
int due_today(int32_t *today, char *err, size_t cap);

/* The live records of branch (NULL: every branch the replica holds), in id
 * order, into s. Returns 0, HEARTH_ENOMEM or the replica's error. On error
 * s is empty. */
int due_snapshot_load(replica *r, const char *branch, due_snapshot *s);

#endif
