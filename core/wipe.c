/* wipe.c: the zeroing allocator and buffer of wipe.h.
 *
 * wipe_free must zero the whole block, not only the bytes its user wrote:
 * a block may have held a longer text before cJSON or libcurl reused it.
 * The allocator knows the block's usable size (malloc_usable_size, or
 * malloc_size on macOS), which is at least what was asked for. */
#include "wipe.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __APPLE__
#include <malloc/malloc.h>
#define usable_size malloc_size
#else
#include <malloc.h>
#define usable_size malloc_usable_size
#endif

static void *checked(void *block)
{
	if (!block)
		abort();
	return block;
}

void *wipe_malloc(size_t size)
{
	return checked(malloc(size ? size : 1));
}

void *wipe_calloc(size_t count, size_t size)
{
	return checked(calloc(count ? count : 1, size ? size : 1));
}

void wipe_free(void *block)
{
	if (!block)
		return;
	explicit_bzero(block, usable_size(block));
	free(block);
}

/* Never realloc: it may move the text and free the old block as it was. */
void *wipe_realloc(void *block, size_t size)
{
	if (!block)
		return wipe_malloc(size);
	size_t had = usable_size(block);
	void *moved = wipe_malloc(size);
	memcpy(moved, block, had < size ? had : size);
	wipe_free(block);
	return moved;
}

char *wipe_strdup(const char *text)
{
	size_t size = strlen(text) + 1;
	return memcpy(wipe_malloc(size), text, size);
}

void wipe_install_cjson(void)
{
	cJSON_Hooks hooks = {.malloc_fn = wipe_malloc, .free_fn = wipe_free};
	cJSON_InitHooks(&hooks);
}

/* Room for count more bytes and a NUL. */
static void reserve(wipe_buf *buffer, size_t count)
{
	if (buffer->length + count + 1 <= buffer->capacity)
		return;
	size_t capacity = buffer->capacity ? buffer->capacity : 256;
	while (capacity < buffer->length + count + 1)
		capacity *= 2;
	buffer->data = wipe_realloc(buffer->data, capacity);
	buffer->capacity = capacity;
}

void wipe_buf_append(wipe_buf *buffer, const void *bytes, size_t count)
{
	reserve(buffer, count);
	memcpy(buffer->data + buffer->length, bytes, count);
	buffer->length += count;
	buffer->data[buffer->length] = '\0';
}

void wipe_buf_printf(wipe_buf *buffer, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	int count = vsnprintf(NULL, 0, format, args);
	va_end(args);
	if (count < 0)
		abort();
	reserve(buffer, (size_t)count);
	va_start(args, format);
	vsnprintf(buffer->data + buffer->length, (size_t)count + 1, format, args);
	va_end(args);
	buffer->length += (size_t)count;
}

char *wipe_buf_take(wipe_buf *buffer, size_t *length)
{
	reserve(buffer, 0);
	buffer->data[buffer->length] = '\0';
	char *text = buffer->data;
	if (length)
		*length = buffer->length;
	*buffer = (wipe_buf){0};
	return text;
}

void wipe_buf_clear(wipe_buf *buffer)
{
	wipe_free(buffer->data);
	*buffer = (wipe_buf){0};
}
