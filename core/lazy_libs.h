/* lazy_libs.h: libcurl, libxml2 and libpq, opened on first use.
 *
 * The binary does not link these three: together with what they pull in
 * (GnuTLS, Kerberos, LDAP, ICU, ...) they are 35 shared libraries whose
 * loading was most of the provider's start-up time and a third of its idle
 * memory, while most provider processes a CLI starts (schema, validate, a
 * plan without AWS) never call them. lazy_libs.c defines every function of
 * theirs that we call, under its own name, so the rest of the code calls
 * libcurl, libxml2 and libpq as usual; the first call opens the library with
 * dlopen.
 *
 * The entry points that lead to them (ConfigureProvider with AWS
 * credentials, opening a database connection) call lazy_lib_load first and
 * turn a missing library into a diagnostic. A wrapper reached without its
 * library loaded loads it there, and if that fails it logs why and aborts:
 * there is no value it could return. */
#ifndef WAGTAIL_LAZY_LIBS_H
#define WAGTAIL_LAZY_LIBS_H

#include <stdbool.h>

typedef enum {
	LAZY_LIB_CURL,
	LAZY_LIB_XML2,
	LAZY_LIB_PQ,
	LAZY_LIB_COUNT,
} lazy_lib;

/* Opens lib and resolves every function we use from it, once. On failure
 * returns false and sets *error to a message naming the library (owned by
 * this module, valid until exit). Thread-safe. */
bool lazy_lib_load(lazy_lib lib, const char **error);

#endif
