/* arena.c: the bump allocator of arena.h. */
#include "common/arena.h"

#include <stdint.h>
#include <stdlib.h>

#define ARENA_CHUNK (1u << 20)
#define ARENA_ALIGN 16u

struct arena_chunk {
	arena_chunk *prev;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

static void *arena_alloc(void *ctx, size_t size)
{
	arena *a = ctx;
	arena_chunk *c = a->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (size == 0)
		need = ARENA_ALIGN;
	if (need < size) {
		a->failed = 1;
		return NULL;
	}
	if (!c || c->cap - c->used < need) {
		/* A request larger than a chunk gets a chunk of its own. */
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		arena_chunk *n = malloc(sizeof(*n) + cap);
		if (!n) {
			a->failed = 1;
			return NULL;
		}
		n->prev = c;
		n->used = 0;
		n->cap = cap;
		a->head = c = n;
	}
	c->used += need;
	return c->data + c->used - need;
}

static void arena_release(void *ctx, void *p)
{
	(void)ctx;
	(void)p;    /* everything goes at arena_free */
}

void arena_init(arena *a)
{
	a->head = NULL;
	a->failed = 0;
	a->pa.alloc = arena_alloc;
	a->pa.free = arena_release;
	a->pa.allocator_data = a;
}

ProtobufCAllocator *arena_allocator(arena *a)
{
	/* The allocator names its arena by address: pointed again here, an
	 * arena moved by value (a snapshot handed over whole) still works. */
	a->pa.allocator_data = a;
	return &a->pa;
}

void arena_clear(arena *a)
{
	arena_chunk *c = a->head;

	if (!c)
		return;
	while (c->prev) {
		arena_chunk *prev = c->prev->prev;
		free(c->prev);
		c->prev = prev;
	}
	c->used = 0;
}

void arena_free(arena *a)
{
	arena_chunk *c = a->head;

	while (c) {
		arena_chunk *prev = c->prev;
		free(c);
		c = prev;
	}
	arena_init(a);
}
