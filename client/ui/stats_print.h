/* stats_print.h: printing the branch statistics (stats_print.c). */
#ifndef HEARTH_UI_STATS_PRINT_H
#define HEARTH_UI_STATS_PRINT_H

#include <stdio.h>

#include "common/stats.h"

/* Output. Each returns 0 or HEARTH_EIO. The table is four CJK-aligned
 * tables (members, hardship, care, dues and overdue), each with a totals
 * row; JSON is an array of one object per branch ("branch", "name", then
 * every column by key; no totals); CSV has one header row of Chinese
 * labels, a row per branch and a totals row (合计). */
int stats_print_table(const stats *s, FILE *f);
int stats_print_json(const stats *s, FILE *f);
int stats_print_csv(const stats *s, FILE *f, int bom);

#endif
