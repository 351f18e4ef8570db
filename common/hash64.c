/* hash64.c: MurmurHash64A (Austin Appleby, public domain), the hash of
 * hash64.h. */
#include "common/hash64.h"

#include <string.h>

uint64_t hash64(const void *p, size_t n, uint64_t seed)
{
	const uint64_t m = 0xc6a4a7935bd1e995ull;
	const int r = 47;
	const unsigned char *b = p;
	uint64_t h = seed ^ (n * m);
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t k;
		/* memcpy: the bytes may sit anywhere (an LMDB value is not
		 * aligned); the compiler makes it one load. */
		memcpy(&k, b + i, 8);
		k *= m;
		k ^= k >> r;
		k *= m;
		h ^= k;
		h *= m;
	}
	switch (n - i) {
	case 7: h ^= (uint64_t)b[i + 6] << 48; /* fall through */
	case 6: h ^= (uint64_t)b[i + 5] << 40; /* fall through */
	case 5: h ^= (uint64_t)b[i + 4] << 32; /* fall through */
	case 4: h ^= (uint64_t)b[i + 3] << 24; /* fall through */
	case 3: h ^= (uint64_t)b[i + 2] << 16; /* fall through */
	case 2: h ^= (uint64_t)b[i + 1] << 8; /* fall through */
	case 1: h ^= (uint64_t)b[i];
		h *= m;
		break;
	default:
		break;
	}
	h ^= h >> r;
	h *= m;
	h ^= h >> r;
	return h;
}
