/* dues_rate.c: the official dues table: which rate or amount applies to a member's group and income. */
#include "common/dues_rate.h"

#include <stdio.h>

/* The bands of an income group: the highest income (fen) of each band and
 * its rate.  The last band has no upper edge (INT64_MAX). */
struct band {
	int64_t upto_fen;
	int32_t rate_bp;
};

static const struct band employed_bands[] = {
	{ 300000, 50 },         /* up to 3,000 yuan: 0.5% */
	{ 500000, 100 },        /* up to 5,000 yuan: 1% */
	{ 1000000, 150 },       /* up to 10,000 yuan: 1.5% */
	{ INT64_MAX, 200 },     /* above: 2% */
};

static const struct band retired_bands[] = {
	{ 500000, 50 },         /* up to 5,000 yuan: 0.5% */
	{ INT64_MAX, 100 },     /* above: 1% */
};

dues_basis dues_rate_basis(Hearth__DuesGroup group)
{
	switch (group) {
	case HEARTH__DUES_GROUP__DUES_GROUP_EMPLOYED:
	case HEARTH__DUES_GROUP__DUES_GROUP_RETIRED: return DUES_BASIS_INCOME;
	case HEARTH__DUES_GROUP__DUES_GROUP_STUDENT:
	case HEARTH__DUES_GROUP__DUES_GROUP_UNEMPLOYED:
	case HEARTH__DUES_GROUP__DUES_GROUP_LOW_INCOME: return DUES_BASIS_FIXED;
	case HEARTH__DUES_GROUP__DUES_GROUP_FARMER: return DUES_BASIS_FARMER;
	default: return DUES_BASIS_NONE;
	}
}

/* The band edge belongs to the lower band ("up to 3,000" includes 3,000),
 * so the first band whose edge is not below the income. */
static int32_t band_rate(const struct band *b, size_t n, int64_t income_fen)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (income_fen <= b[i].upto_fen)
			return b[i].rate_bp;
	}
	return b[n - 1].rate_bp;
}

int64_t dues_rate_apply(int64_t income_fen, int32_t rate_bp)
{
	if (income_fen < 0 || income_fen > DUES_INCOME_MAX_FEN || rate_bp < 0)
		return 0;
	return (income_fen * rate_bp + 5000) / 10000;
}

dues_rate_status dues_rate_compute(const dues_rate_args *a, dues_rate_result *out)
{
	out->basis = dues_rate_basis(a->group);
	out->rate_bp = 0;
	out->due_fen = 0;
	switch (out->basis) {
	case DUES_BASIS_NONE: return DUES_RATE_NO_GROUP;
	case DUES_BASIS_FIXED: out->due_fen = DUES_FIXED_FEN; return DUES_RATE_OK;
	case DUES_BASIS_FARMER: {
		int64_t f = a->farmer_fen ? a->farmer_fen : DUES_FARMER_MIN_FEN;

		if (f < DUES_FARMER_MIN_FEN || f > DUES_FARMER_MAX_FEN)
			return DUES_RATE_BAD_FARMER;
		out->due_fen = f;
		return DUES_RATE_OK;
	}
	case DUES_BASIS_INCOME: break;
	}
	if (a->income_fen == 0)
		return DUES_RATE_NO_INCOME;
	if (a->income_fen < 0 || a->income_fen > DUES_INCOME_MAX_FEN)
		return DUES_RATE_BAD_INCOME;
	if (a->group == HEARTH__DUES_GROUP__DUES_GROUP_EMPLOYED)
		out->rate_bp = band_rate(employed_bands, sizeof(employed_bands) / sizeof(employed_bands[0]),
		                         a->income_fen);
	else
		out->rate_bp = band_rate(retired_bands, sizeof(retired_bands) / sizeof(retired_bands[0]),
		                         a->income_fen);
	out->due_fen = dues_rate_apply(a->income_fen, out->rate_bp);
	return DUES_RATE_OK;
}

void dues_rate_format(int32_t rate_bp, char out[DUES_RATE_TEXT_MAX])
{
	int32_t whole = rate_bp / 100, frac = rate_bp % 100;

	if (rate_bp < 0) {
		snprintf(out, DUES_RATE_TEXT_MAX, "%d", (int)rate_bp);   /* never valid; shown as stored */
		return;
	}
	if (frac == 0)
		snprintf(out, DUES_RATE_TEXT_MAX, "%d%%", (int)whole);
	else if (frac % 10 == 0)
		snprintf(out, DUES_RATE_TEXT_MAX, "%d.%d%%", (int)whole, (int)(frac / 10));
	else
		snprintf(out, DUES_RATE_TEXT_MAX, "%d.%02d%%", (int)whole, (int)frac);
}
