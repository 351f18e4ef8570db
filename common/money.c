/* money.c: fen as yuan (money.h). */
#include "common/money.h"

#include <inttypes.h>
#include <stdio.h>

void money_yuan_format(int64_t fen, char out[MONEY_YUAN_TEXT_MAX])
{
	/* The magnitude in unsigned arithmetic: -INT64_MIN does not fit. */
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, MONEY_YUAN_TEXT_MAX, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100,
	         a % 100);
}
