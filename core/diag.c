/* diag.c: building and freeing diagnostics. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static diag_path path_push(diag_path base, diag_step step)
{
	if (base.depth < DIAG_PATH_MAX)
		base.steps[base.depth++] = step;
	return base;
}

diag_path diag_path_attr(diag_path base, const char *name)
{
	return path_push(base, (diag_step){.kind = PATH_ATTRIBUTE, .name = name});
}

diag_path diag_path_index(diag_path base, long index)
{
	return path_push(base, (diag_step){.kind = PATH_INDEX, .index = index});
}

diag_path diag_path_key(diag_path base, const char *key)
{
	return path_push(base, (diag_step){.kind = PATH_KEY, .name = key});
}

static void vadd(diag_list *list, diag_severity severity, const diag_path *path, const char *summary,
		 const char *detail_format, va_list args)
{
	diag *d;
	list->items = realloc(list->items, (list->count + 1) * sizeof *list->items);
	if (!list->items)
		abort();
	d = &list->items[list->count++];
	memset(d, 0, sizeof *d);
	d->severity = severity;
	d->summary = strdup(summary);
	if (detail_format && vasprintf(&d->detail, detail_format, args) < 0)
		d->detail = NULL;
	if (path) {
		d->has_path = true;
		d->path = *path;
		for (size_t i = 0; i < path->depth; i++)
			if (path->steps[i].name)
				d->path.steps[i].name = strdup(path->steps[i].name);
	}
}

void diag_add(diag_list *list, diag_severity severity, const diag_path *path, const char *summary,
	      const char *detail_format, ...)
{
	va_list args;
	va_start(args, detail_format);
	vadd(list, severity, path, summary, detail_format, args);
	va_end(args);
}

void diag_attr_error(diag_list *list, const char *attribute, const char *summary, const char *detail_format, ...)
{
	diag_path path = diag_path_attr(diag_root(), attribute);
	va_list args;
	va_start(args, detail_format);
	vadd(list, DIAG_ERROR, &path, summary, detail_format, args);
	va_end(args);
}

bool diag_has_error(const diag_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i].severity == DIAG_ERROR)
			return true;
	return false;
}

void diag_list_clear(diag_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		diag *d = &list->items[i];
		free(d->summary);
		free(d->detail);
		for (size_t s = 0; s < d->path.depth; s++)
			free((char *)d->path.steps[s].name);
	}
	free(list->items);
	list->items = NULL;
	list->count = 0;
}
