/* arena.h: per-call scratch memory. An RPC builds its response message out
 * of many small allocations; they all go to the call's arena and are freed
 * together with arena_free once the response is packed. */
#ifndef WAGTAIL_ARENA_H
#define WAGTAIL_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct {
	arena_block *head;
} arena;

void *arena_alloc(arena *a, size_t size); /* zeroed; never NULL */
char *arena_strdup(arena *a, const char *s);
/* Hands a malloc'd pointer to the arena, which frees it in arena_free. */
void *arena_adopt(arena *a, void *p);
void arena_free(arena *a);

#endif
