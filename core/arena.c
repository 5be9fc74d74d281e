/* arena.c: a list of allocations freed at once. Calls are short and their
 * messages small, so one malloc per piece is simpler than bump allocation
 * and just as fast here. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct arena_block {
	arena_block *next;
	void *memory;
};

void *arena_adopt(arena *a, void *p)
{
	arena_block *b = malloc(sizeof *b);
	if (!b)
		abort();
	b->memory = p;
	b->next = a->head;
	a->head = b;
	return p;
}

void *arena_alloc(arena *a, size_t size)
{
	void *p = calloc(1, size ? size : 1);
	if (!p)
		abort();
	return arena_adopt(a, p);
}

char *arena_strdup(arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(arena_alloc(a, n), s, n);
}

void arena_free(arena *a)
{
	while (a->head) {
		arena_block *b = a->head;
		a->head = b->next;
		free(b->memory);
		free(b);
	}
}
