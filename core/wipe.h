/* wipe.h: memory that may have held a secret goes back to the allocator
 * zeroed.
 *
 * The provider's secrets (master passwords, SSM values, AWS secret keys and
 * session tokens) pass through buffers that others allocate and free: the
 * request bodies cJSON prints, the copies libcurl makes to send them, the
 * answers libcurl hands over and the trees cJSON parses them into. A
 * provider process lives for one CLI command, but what it frees stays in
 * its heap until reused, where a core dump or swap can find it. So cJSON
 * and libcurl allocate through wipe_malloc and friends (wipe_install_cjson;
 * aws/http.c hands them to libcurl), and wipe_free zeroes a whole block,
 * as the allocator sized it, before freeing it; wipe_realloc zeroes the
 * block it leaves. wipe_buf is the growable buffer for text that may hold
 * a secret (a form body, an answer), built on them.
 *
 * What this does not cover: blocks still alive, memory the plugin protocol
 * (gRPC, protobuf-c, msgpack) and libxml2 allocate, and copies on stacks. */
#ifndef WAGTAIL_WIPE_H
#define WAGTAIL_WIPE_H

#include <stddef.h>

void *wipe_malloc(size_t size);
void *wipe_calloc(size_t count, size_t size);
void *wipe_realloc(void *block, size_t size);
char *wipe_strdup(const char *text);
void wipe_free(void *block);

/* cJSON allocates and frees through the functions above from now on. Call
 * once, before any thread uses cJSON (main does). */
void wipe_install_cjson(void);

/* A growable byte buffer, NUL-terminated once anything is in it. Zero
 * initialised ({0}) is empty; every function aborts when memory runs out. */
typedef struct {
	char *data;
	size_t length;
	size_t capacity;
} wipe_buf;

void wipe_buf_append(wipe_buf *buffer, const void *bytes, size_t count);
void wipe_buf_printf(wipe_buf *buffer, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The text (free with wipe_free), never NULL, and its length; buffer is
 * empty again. */
char *wipe_buf_take(wipe_buf *buffer, size_t *length);
/* Zeroes and frees what buffer holds; it is empty again. */
void wipe_buf_clear(wipe_buf *buffer);

#endif
