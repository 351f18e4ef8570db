/* arena.h: a bump allocator for protobuf-c, for readers that unpack many
 * records, keep them all for one computation and drop them all at once
 * (due_snapshot: 首页, 报表, `hearth due`). One malloc per MiB instead of
 * one per field, and one release instead of a walk of every message:
 * on a replica of 100,000 records malloc and free were half the time of
 * recomputing 首页. Not thread-safe; one arena per computation. */
#ifndef HEARTH_CORE_ARENA_H
#define HEARTH_CORE_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head;          /* the chunk being filled; older ones behind it */
	int failed;                 /* an allocation failed (out of memory) */
	ProtobufCAllocator pa;      /* hands out from this arena; free is a no-op */
} arena;

void arena_init(arena *a);

/* The allocator to unpack with; valid until arena_free or until a is
 * moved. Messages unpacked with it are never freed one by one
 * (free_unpacked with it does nothing). An arena may be moved by value
 * (struct assignment) between unpacks: ask for the allocator again at its
 * new place. */
ProtobufCAllocator *arena_allocator(arena *a);

/* Forgets everything handed out but keeps one chunk for what comes next:
 * for a reader that unpacks one record at a time and keeps none. */
void arena_clear(arena *a);

/* Releases everything handed out; a is empty again (arena_init state). */
void arena_free(arena *a);

#endif
