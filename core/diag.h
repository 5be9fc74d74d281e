/* diag.h: diagnostics, the one error convention of the provider.
 *
 * Every handler reports problems by appending to a diag_list; nothing
 * returns error codes past the RPC layer. A diagnostic may carry the path of
 * the attribute it is about, so Terraform points at the right line of HCL. */
#ifndef WAGTAIL_DIAG_H
#define WAGTAIL_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#define DIAG_PATH_MAX 8

typedef enum { DIAG_ERROR, DIAG_WARNING } diag_severity;

typedef enum { PATH_ATTRIBUTE, PATH_KEY, PATH_INDEX } diag_step_kind;

typedef struct {
	diag_step_kind kind;
	const char *name; /* attribute name or map key; borrowed, see diag_path_copy */
	long index;
} diag_step;

/* Where in a value a diagnostic points. Steps borrow their names; paths are
 * small values passed by copy. */
typedef struct {
	size_t depth;
	diag_step steps[DIAG_PATH_MAX];
} diag_path;

typedef struct {
	diag_severity severity;
	char *summary;  /* owned */
	char *detail;   /* owned, may be NULL */
	bool has_path;
	diag_path path; /* names owned (copied at append) */
} diag;

typedef struct {
	size_t count;
	diag *items;
} diag_list;

/* Path helpers: return a copy of `base` one step deeper. */
diag_path diag_path_attr(diag_path base, const char *name);
diag_path diag_path_index(diag_path base, long index);
diag_path diag_path_key(diag_path base, const char *key);
static inline diag_path diag_root(void) { return (diag_path){0}; }

/* Appends a diagnostic; path may be NULL. detail is printf-style. */
void diag_add(diag_list *list, diag_severity severity, const diag_path *path, const char *summary,
	      const char *detail_format, ...) __attribute__((format(printf, 5, 6)));

/* Shorthand for an error about one top-level attribute. */
void diag_attr_error(diag_list *list, const char *attribute, const char *summary, const char *detail_format,
		     ...) __attribute__((format(printf, 4, 5)));

bool diag_has_error(const diag_list *list);
void diag_list_clear(diag_list *list); /* frees every diagnostic */

#endif
