/* array.c: growing an array by doubling; freeing an array of strings. */
#include "common/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hearth.h"

int array_grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	void *arr, *grown;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : first;
	if (nc < *cap || elem == 0 || nc > SIZE_MAX / elem)
		return HEARTH_ENOMEM;
	/* The caller's pointer is read and written as bytes: a T * and a
	 * void * have one representation on every platform hearth builds for,
	 * and memcpy keeps the compiler's aliasing rules out of it. */
	memcpy(&arr, arrp, sizeof(arr));
	grown = realloc(arr, nc * elem);
	if (!grown)
		return HEARTH_ENOMEM;
	memcpy(arrp, &grown, sizeof(grown));
	*cap = nc;
	return 0;
}

void array_free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
