/* dues_rate.h: the official dues table (党费收缴标准), one copy for the
 * client's validation and the server's (dues_rate.c).
 *
 * In service (在职), on monthly income: up to 3,000 yuan 0.5%, up to 5,000
 * yuan 1%, up to 10,000 yuan 1.5%, above 10,000 yuan 2%, the rate applied
 * to the whole income.  Retired (离退休), on the pension: up to 5,000 yuan
 * 0.5%, above 1%.  A band edge belongs to the lower band: 3,000.00 yuan is
 * 0.5%, 3,000.01 yuan is 1%.  Students, the unemployed and members on 低保
 * pay 0.2 yuan a month; farmers 0.2 to 1 yuan, the amount a branch setting.
 *
 * Nothing here allocates or keeps state; every function is pure. */
#ifndef HEARTH_DUES_RATE_H
#define HEARTH_DUES_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hearth.pb-c.h"

#define DUES_FIXED_FEN 20          /* 0.2 yuan: students, unemployed, 低保 */
#define DUES_FARMER_MIN_FEN 20     /* a farmer pays 0.2 ... */
#define DUES_FARMER_MAX_FEN 100    /* ... to 1 yuan a month */
#define DUES_INCOME_MAX_FEN (INT64_C(1) << 50)   /* far above any income; keeps x rate in range */

/* How a group's dues are reckoned. */
typedef enum dues_basis {
	DUES_BASIS_NONE = 0,       /* no group given: the table does not apply */
	DUES_BASIS_INCOME,         /* a rate of the income (在职, 离退休) */
	DUES_BASIS_FIXED,          /* a fixed amount (学生, 失业, 低保) */
	DUES_BASIS_FARMER,         /* the branch's farmer amount, 0.2 to 1 yuan */
} dues_basis;

/* What the table asks of one member for one month. */
typedef struct dues_rate_args {
	Hearth__DuesGroup group;
	int64_t income_fen;        /* monthly income or pension; only for DUES_BASIS_INCOME */
	int64_t farmer_fen;        /* the branch's farmer amount; 0 = DUES_FARMER_MIN_FEN */
} dues_rate_args;

typedef struct dues_rate_result {
	dues_basis basis;
	int32_t rate_bp;           /* basis points (1.5% = 150); 0 unless DUES_BASIS_INCOME */
	int64_t due_fen;           /* the amount due */
} dues_rate_result;

/* Why the table gave no amount. */
typedef enum dues_rate_status {
	DUES_RATE_OK = 0,
	DUES_RATE_NO_GROUP,        /* group unspecified or unknown */
	DUES_RATE_NO_INCOME,       /* an income group without income_fen (0) */
	DUES_RATE_BAD_INCOME,      /* income_fen negative or above DUES_INCOME_MAX_FEN */
	DUES_RATE_BAD_FARMER,      /* farmer_fen outside 20..100 */
} dues_rate_status;

/* Looks up a->group's line of the table and fills *out (always: basis is
 * set even when the status is not DUES_RATE_OK).  Returns a status. */
dues_rate_status dues_rate_compute(const dues_rate_args *a, dues_rate_result *out);

/* The basis of a group (DUES_BASIS_NONE when unspecified or unknown). */
dues_basis dues_rate_basis(Hearth__DuesGroup group);

/* income_fen x rate_bp / 10000, rounded half up to the fen.  Both must be
 * >= 0 and income_fen <= DUES_INCOME_MAX_FEN (else 0). */
int64_t dues_rate_apply(int64_t income_fen, int32_t rate_bp);

/* Formats basis points as a percentage without trailing zeros ("0.5%",
 * "1.5%", "2%", "0.25%") into out. */
#define DUES_RATE_TEXT_MAX 24
void dues_rate_format(int32_t rate_bp, char out[DUES_RATE_TEXT_MAX]);

#endif
