/* ini.h: the INI dialect of ~/.aws/credentials and ~/.aws/config, as the
 * AWS CLI reads it.
 *
 *   [default]                  a section; the name is trimmed
 *   [profile dev]              (config names profiles "profile NAME")
 *   # comment, ; comment       only as the first thing on a line
 *   key = value                both trimmed; keys are case-sensitive and
 *                              values are taken verbatim (no inline
 *                              comments, no quotes)
 *   s3 =                       an indented line below a key continues it:
 *     max_concurrent_requests = 10   a nested sub-section, skipped (the key
 *                                    keeps the text of its own line)
 *
 * CRLF line ends and a UTF-8 byte order mark are accepted. A key repeated
 * in a section, or a section repeated in a file, merges: the last value
 * wins. Parse errors name the line but never quote it: these files hold
 * secret keys. */
#ifndef WAGTAIL_INI_H
#define WAGTAIL_INI_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ini ini;

/* Parses len bytes of text. Returns NULL with *error set (malloc'd) when a
 * line is neither blank, a comment, a section header nor key = value. */
ini *ini_parse(const char *text, size_t len, char **error);

/* Reads and parses a file. A missing file is an empty ini, not an error:
 * neither AWS file has to exist. */
ini *ini_load(const char *path, char **error);

void ini_free(ini *f);

/* The value of key in section, or NULL. Borrowed from f. */
const char *ini_get(const ini *f, const char *section, const char *key);

/* Whether the section appears, with or without keys. */
bool ini_has_section(const ini *f, const char *section);

#endif
