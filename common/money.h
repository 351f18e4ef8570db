/* money.h: amounts of money as people read them. Amounts are kept in fen
 * (int64, 1 元 = 100 fen) everywhere; only output turns them into yuan. */
#ifndef HEARTH_MONEY_H
#define HEARTH_MONEY_H

#include <stdint.h>

/* Formats fen as yuan with two decimals ("12.50", "-0.05") into out. */
#define MONEY_YUAN_TEXT_MAX 32
void money_yuan_format(int64_t fen, char out[MONEY_YUAN_TEXT_MAX]);

#endif
