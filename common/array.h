/* array.h: growing an array of elements by doubling, and freeing an array
 * of strings (array.c): the one copy of steps every list in the client
 * repeats. */
#ifndef HEARTH_ARRAY_H
#define HEARTH_ARRAY_H

#include <stddef.h>

/* Makes room for one more element in the array *arrp (a T ** passed as
 * void *: the address of the caller's array pointer) that holds n of cap
 * elements of elem bytes: when n < cap, nothing happens; otherwise it is
 * realloc'd to twice cap (first when cap is 0) and *cap updated. The array
 * stays the caller's (free it with free). Returns 0, or HEARTH_ENOMEM (also
 * when the size would overflow) with the array and *cap unchanged. */
int array_grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first);

/* Frees each of the n strings of v, then v itself (NULL is fine). */
void array_free_strings(char **v, size_t n);

#endif
