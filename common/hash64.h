/* hash64.h: a fast 64-bit hash of bytes (hash64.c), for a reader that keeps
 * something per record and must tell which records' bytes changed since
 * (the ui's search index, the kept due snapshot): a walk of 100,000
 * records hashes ~10 MB each time, eight bytes a step. Not cryptographic:
 * never for anything an adversary chooses to collide. */
#ifndef HEARTH_HASH64_H
#define HEARTH_HASH64_H

#include <stddef.h>
#include <stdint.h>

#define HASH64_SEED 0x9e3779b97f4a7c15ull

/* MurmurHash64A of the n bytes at p, starting from seed (HASH64_SEED, or
 * the hash of what came before, to hash a sequence of pieces). Two
 * different byte strings collide with a probability of about 2^-64. */
uint64_t hash64(const void *p, size_t n, uint64_t seed);

#endif
