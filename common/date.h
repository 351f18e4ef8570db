/* date.h: ISO calendar days (YYYY-MM-DD), the only date form hearth stores. */
#ifndef HEARTH_DATE_H
#define HEARTH_DATE_H

#include <stdint.h>

/* Parses YYYY-MM-DD (years 1900..2199) into a day number (days since
 * 1970-01-01). Rejects dates that do not exist (2026-02-30), other formats
 * and trailing text. Returns 0 or HEARTH_EINVAL. */
int date_parse(const char *s, int32_t *days);

/* Parses a date as spreadsheets and people write it: YYYY-MM-DD, and with
 * one- or two-digit month and day YYYY-M-D, YYYY/M/D and YYYY年M月D日
 * (Excel on Chinese Windows saves 1946/3/15).  The same existence and
 * year checks as date_parse; surrounding spaces are not accepted.  Returns
 * 0 or HEARTH_EINVAL. */
int date_parse_loose(const char *s, int32_t *days);

/* Formats a day number as YYYY-MM-DD into out[11]. */
void date_format(int32_t days, char out[11]);

/* Today (UTC) as a day number. */
int32_t date_today(void);

/* Parses YYYY-MM (a month, e.g. dues) into year*12+month-1. Returns 0 or HEARTH_EINVAL. */
int date_parse_month(const char *s, int32_t *month_index);

/* A month index (year*12+month-1, years 1900..2199) as YYYY-MM into
 * out[8]: what date_parse_month reads back. Returns 0, or HEARTH_EINVAL
 * (out then "") for a month out of that range. For lists of thousands of
 * months, where snprintf was most of the cost. */
int date_month_format(int32_t month_index, char out[8]);

/* The day number of the first day of a month index: what date_parse of
 * "YYYY-MM-01" gives. Returns 0, or HEARTH_EINVAL (*days untouched) for a
 * month out of range. */
int date_month_start(int32_t month_index, int32_t *days);

/* Whole years from day `from` to day `to` (an age, 党龄): 2000-03-15 to
 * 2026-03-14 is 25, to 2026-03-15 is 26; a 29 February counts its years on
 * 1 March in other years. -1 when to is before from. */
int date_full_years(int32_t from, int32_t to);

#endif
