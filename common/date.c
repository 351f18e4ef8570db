/* date.c: strict YYYY-MM-DD parsing (and the spellings spreadsheets write, for import) and day-number arithmetic on the proleptic Gregorian calendar. */
#include "common/date.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hearth.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2199

/* Howard Hinnant's days_from_civil: exact for every Gregorian date, no
 * tables, no time zone, no libc (mktime would bring the local zone and
 * DST into a value that is only ever a calendar day). */
static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

/* The inverse of days_from_civil, from the same paper. */
static void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	int era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int y, unsigned m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n decimal digits; no sign, no spaces, so "2026-1-01" and
 * " 2026-01-01" are refused instead of guessed at. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Parses "YYYY-MM" at s and checks year and month ranges. */
static int parse_year_month(const char *s, int *y, int *m)
{
	if (digits(s, 4, y) != 0 || s[4] != '-' || digits(s + 5, 2, m) != 0)
		return HEARTH_EINVAL;
	if (*y < YEAR_MIN || *y > YEAR_MAX || *m < 1 || *m > 12)
		return HEARTH_EINVAL;
	return 0;
}

/* One spelling per day: a stored date compares equal exactly when the
 * dates are equal, which field-level merge relies on.  Each check reads
 * only up to the first byte that fails, so a short string is never read
 * past its NUL. */
int date_parse(const char *s, int32_t *days)
{
	int y, m, d;

	if (s == NULL || parse_year_month(s, &y, &m) != 0)
		return HEARTH_EINVAL;
	if (s[7] != '-' || digits(s + 8, 2, &d) != 0 || s[10] != '\0')
		return HEARTH_EINVAL;
	if (d < 1 || (unsigned)d > month_days(y, (unsigned)m))
		return HEARTH_EINVAL;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/* Reads 1 to max decimal digits at *s and moves *s past them. */
static int some_digits(const char **s, int max, int *out)
{
	int v = 0, n = 0;

	while (n < max && **s >= '0' && **s <= '9') {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	if (n == 0 || (**s >= '0' && **s <= '9'))
		return -1;
	*out = v;
	return 0;
}

/* Consumes sep at *s (a byte string, e.g. "-" or "年"). */
static int skip(const char **s, const char *sep)
{
	size_t n = strlen(sep);

	if (strncmp(*s, sep, n) != 0)
		return -1;
	*s += n;
	return 0;
}

int date_parse_loose(const char *s, int32_t *days)
{
	/* The separators of one spelling: a date mixes none of them. */
	static const char *const forms[][3] = {
		{ "-", "-", "" },
		{ "/", "/", "" },
		{ "\xe5\xb9\xb4", "\xe6\x9c\x88", "\xe6\x97\xa5" },   /* 年 月 日 */
	};
	int y, m, d;

	if (s == NULL)
		return HEARTH_EINVAL;
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		const char *p = s;

		if (digits(p, 4, &y) != 0)
			return HEARTH_EINVAL;
		p += 4;
		if (skip(&p, forms[f][0]) != 0 || some_digits(&p, 2, &m) != 0 ||
		    skip(&p, forms[f][1]) != 0 || some_digits(&p, 2, &d) != 0 ||
		    skip(&p, forms[f][2]) != 0 || *p != '\0')
			continue;
		if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 ||
		    (unsigned)d > month_days(y, (unsigned)m))
			return HEARTH_EINVAL;
		*days = days_from_civil(y, (unsigned)m, (unsigned)d);
		return 0;
	}
	return HEARTH_EINVAL;
}

void date_format(int32_t days, char out[11])
{
	int y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* Outside what four digits hold; never produced by date_parse. */
		y = 0;
		m = 1;
		d = 1;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int32_t date_today(void)
{
	time_t t = time(NULL);
	int64_t s = (int64_t)t;

	/* Floor division: time before 1970 would otherwise round toward zero. */
	return (int32_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}

int date_parse_month(const char *s, int32_t *month_index)
{
	int y, m;

	if (s == NULL || parse_year_month(s, &y, &m) != 0 || s[7] != '\0')
		return HEARTH_EINVAL;
	*month_index = (int32_t)(y * 12 + m - 1);
	return 0;
}

int date_month_format(int32_t month_index, char out[8])
{
	int y = month_index / 12, m = month_index % 12 + 1;

	out[0] = '\0';
	if (month_index < 0 || y < YEAR_MIN || y > YEAR_MAX)
		return HEARTH_EINVAL;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '\0';
	return 0;
}

int date_month_start(int32_t month_index, int32_t *days)
{
	int y = month_index / 12;

	if (month_index < 0 || y < YEAR_MIN || y > YEAR_MAX)
		return HEARTH_EINVAL;
	*days = days_from_civil(y, (unsigned)(month_index % 12 + 1), 1);
	return 0;
}

int date_full_years(int32_t from, int32_t to)
{
	char a[11], b[11];
	int years;

	if (to < from)
		return -1;
	date_format(from, a);
	date_format(to, b);
	years = atoi(b) - atoi(a);
	/* MM-DD compare as text: "03-14" < "03-15". */
	if (strcmp(b + 5, a + 5) < 0)
		years--;
	return years;
}
