/* ini.c: see ini.h. The parser copies the text once and cuts it in place;
 * entries point into that copy, so an ini is two allocations. */
#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *section;
	const char *key; /* NULL: the section header itself */
	const char *value;
} ini_entry;

struct ini {
	char *text;     /* the parsed copy, cut in place */
	size_t length;  /* of text, for wiping */
	ini_entry *entries;
	size_t count, capacity;
};

typedef struct {
	ini *f;
	const char *section; /* current section, NULL before the first header */
	long key_indent;     /* indent of the last key in this section, -1: none */
} parser;

static void add_entry(ini *f, const char *section, const char *key, const char *value)
{
	if (f->count == f->capacity) {
		f->capacity = f->capacity ? 2 * f->capacity : 16;
		f->entries = realloc(f->entries, f->capacity * sizeof *f->entries);
		if (!f->entries)
			abort();
	}
	f->entries[f->count++] = (ini_entry){section, key, value};
}

static char *trim(char *s)
{
	char *end = s + strlen(s);
	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* "[ name ]": like Python's configparser (which the CLI uses), the name runs
 * to the last ']' and whatever follows it is ignored. */
static const char *parse_header(parser *p, char *s)
{
	char *close = strrchr(s, ']');
	if (!close)
		return "unterminated section header";
	*close = '\0';
	s = trim(s + 1);
	if (!*s)
		return "empty section name";
	p->section = s;
	p->key_indent = -1;
	add_entry(p->f, s, NULL, NULL);
	return NULL;
}

static const char *parse_key(parser *p, char *s, long indent)
{
	char *eq = strchr(s, '=');
	if (!eq)
		return "expected \"[section]\" or \"key = value\"";
	if (!p->section)
		return "key outside any section";
	*eq = '\0';
	s = trim(s);
	if (!*s)
		return "empty key";
	p->key_indent = indent;
	add_entry(p->f, p->section, s, trim(eq + 1));
	return NULL;
}

/* Returns NULL, or what is wrong with the line (never its text). */
static const char *parse_line(parser *p, char *line)
{
	long indent = (long)strspn(line, " \t");
	char *s = trim(line);

	if (!*s || *s == '#' || *s == ';')
		return NULL;
	/* Deeper than the key above: a continuation, which AWS uses only for
	 * nested sub-sections like "s3 =" that no credential setting needs. */
	if (p->key_indent >= 0 && indent > p->key_indent)
		return NULL;
	if (*s == '[')
		return parse_header(p, s);
	return parse_key(p, s, indent);
}

ini *ini_parse(const char *text, size_t len, char **error)
{
	ini *f = calloc(1, sizeof *f);
	parser p = {.f = f, .key_indent = -1};
	char *line, *end;

	if (!f || !(f->text = malloc(len + 1)))
		abort();
	memcpy(f->text, text, len);
	f->length = len;
	f->text[len] = '\0';
	line = f->text;
	end = f->text + len;
	if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	for (int number = 1; line < end; number++) {
		char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *problem;
		if (eol)
			*eol = '\0';
		if ((problem = parse_line(&p, line))) {
			if (asprintf(error, "line %d: %s", number, problem) < 0)
				abort();
			ini_free(f);
			return NULL;
		}
		line = eol ? eol + 1 : end;
	}
	return f;
}

ini *ini_load(const char *path, char **error)
{
	FILE *in = fopen(path, "r");
	char *text = NULL, *problem = NULL;
	size_t capacity = 0;
	ssize_t len;
	ini *f;

	if (!in && errno == ENOENT)
		return ini_parse("", 0, error);
	/* Reading up to a NUL that text files do not have reads the whole file. */
	len = in ? getdelim(&text, &capacity, '\0', in) : -1;
	if (!in || (len < 0 && ferror(in))) {
		if (asprintf(error, "%s: %s", path, strerror(errno)) < 0)
			abort();
		if (in)
			fclose(in);
		free(text);
		return NULL;
	}
	fclose(in);
	f = ini_parse(text ? text : "", len > 0 ? (size_t)len : 0, &problem);
	if (text)
		explicit_bzero(text, capacity);
	free(text);
	if (!f) {
		if (asprintf(error, "%s: %s", path, problem) < 0)
			abort();
		free(problem);
	}
	return f;
}

void ini_free(ini *f)
{
	if (!f)
		return;
	free(f->entries);
	/* ~/.aws/credentials holds secret keys: leave none in freed memory. */
	explicit_bzero(f->text, f->length);
	free(f->text);
	free(f);
}

const char *ini_get(const ini *f, const char *section, const char *key)
{
	for (size_t i = f->count; i-- > 0;) {
		const ini_entry *e = &f->entries[i];
		if (e->key && strcmp(e->key, key) == 0 && strcmp(e->section, section) == 0)
			return e->value;
	}
	return NULL;
}

bool ini_has_section(const ini *f, const char *section)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->entries[i].section, section) == 0)
			return true;
	return false;
}
