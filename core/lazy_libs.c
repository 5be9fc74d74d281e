/* lazy_libs.c: libcurl, libxml2 and libpq opened with dlopen on first use
 * (see lazy_libs.h for why).
 *
 * Built with -DWAGTAIL_STATIC (the fully static release binaries,
 * scripts/release/static.sh), the three libraries are linked into the
 * binary instead: there is no loader to open them with. Then nothing here
 * wraps their functions, and lazy_lib_load only runs a library's own
 * set-up, once. The rest of this comment is about the default build.
 *
 * Each library has a list of the functions we call, written once as an
 * X-macro: from it come the table of symbol names that loading resolves and
 * one wrapper per function, with the function's own name and prototype,
 * that calls through the resolved address. A function added to a call site
 * but not to its list fails at link time, so the lists cannot fall behind.
 * The three variadic libcurl functions are written out by hand below.
 *
 * The sonames come from the libraries the build found (Makefile), so the
 * binary opens the same ABI it was compiled against. */
#include "lazy_libs.h"

#ifdef WAGTAIL_STATIC
#include <libxml/parser.h>
#include <pthread.h>

static pthread_once_t xml2_once = PTHREAD_ONCE_INIT;

/* libxml2 asks to be initialised once, before threads use it. */
static void init_xml2(void)
{
	xmlInitParser();
}

bool lazy_lib_load(lazy_lib which, const char **error)
{
	(void)error;
	if (which == LAZY_LIB_XML2)
		pthread_once(&xml2_once, init_xml2);
	return true;
}
#else /* !WAGTAIL_STATIC: the libraries are opened with dlopen */

#include "log.h"

#define CURL_DISABLE_TYPECHECK /* its macros would rename the wrappers */
#include <curl/curl.h>
#include <dlfcn.h>
#include <libpq-fe.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef LAZY_SONAME_CURL
#error "LAZY_SONAME_CURL, LAZY_SONAME_XML2 and LAZY_SONAME_PQ come from the Makefile"
#endif

/* X(ret, name, params, args) for functions returning a value,
 * V(name, params, args) for void ones, N(name) for those whose wrapper is
 * written by hand. */
#define CURL_FUNCTIONS(X, V, N)                                                                 \
	X(CURLcode, curl_global_init_mem,                                                      \
	  (long flags, curl_malloc_callback m, curl_free_callback f, curl_realloc_callback r,    \
	   curl_strdup_callback s, curl_calloc_callback c),                                     \
	  (flags, m, f, r, s, c))                                                              \
	X(CURL *, curl_easy_init, (void), ())                                                  \
	X(CURLcode, curl_easy_perform, (CURL * curl), (curl))                                  \
	V(curl_easy_cleanup, (CURL * curl), (curl))                                            \
	X(const char *, curl_easy_strerror, (CURLcode code), (code))                           \
	X(CURLSH *, curl_share_init, (void), ())                                               \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist * list, const char *data), \
	  (list, data))                                                                        \
	V(curl_slist_free_all, (struct curl_slist * list), (list))                             \
	N(curl_easy_setopt)                                                                    \
	N(curl_easy_getinfo)                                                                   \
	N(curl_share_setopt)

#define XML2_FUNCTIONS(X, V, N)                                                                \
	V(xmlInitParser, (void), ())                                                          \
	X(xmlDocPtr, xmlReadMemory,                                                           \
	  (const char *buffer, int size, const char *url, const char *encoding, int options), \
	  (buffer, size, url, encoding, options))                                             \
	V(xmlFreeDoc, (xmlDocPtr doc), (doc))                                                 \
	X(xmlNodePtr, xmlDocGetRootElement, (const xmlDoc *doc), (doc))                       \
	X(xmlChar *, xmlNodeGetContent, (const xmlNode *node), (node))                        \
	X(xmlNodePtr, xmlDocCopyNode, (xmlNodePtr node, xmlDocPtr doc, int recursive),         \
	  (node, doc, recursive))                                                             \
	X(xmlNodePtr, xmlAddChild, (xmlNodePtr parent, xmlNodePtr cur), (parent, cur))        \
	N(xmlFree) /* a variable holding libxml2's deallocator */

#define PQ_FUNCTIONS(X, V, N)                                                                      \
	X(PGconn *, PQconnectdb, (const char *conninfo), (conninfo))                              \
	X(PGconn *, PQconnectStartParams,                                                         \
	  (const char *const *keywords, const char *const *values, int expand_dbname),            \
	  (keywords, values, expand_dbname))                                                      \
	X(PostgresPollingStatusType, PQconnectPoll, (PGconn * conn), (conn))                      \
	X(PGPing, PQpingParams, (const char *const *keywords, const char *const *values, int expand), \
	  (keywords, values, expand))                                                             \
	V(PQfinish, (PGconn * conn), (conn))                                                      \
	X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                 \
	X(int, PQsocket, (const PGconn *conn), (conn))                                            \
	X(char *, PQdb, (const PGconn *conn), (conn))                                             \
	X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                   \
	X(PGVerbosity, PQsetErrorVerbosity, (PGconn * conn, PGVerbosity verbosity), (conn, verbosity)) \
	X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * conn, PQnoticeProcessor proc, void *arg), \
	  (conn, proc, arg))                                                                      \
	X(char *, PQescapeIdentifier, (PGconn * conn, const char *str, size_t len), (conn, str, len)) \
	X(char *, PQescapeLiteral, (PGconn * conn, const char *str, size_t len), (conn, str, len))    \
	X(PGresult *, PQexec, (PGconn * conn, const char *query), (conn, query))                  \
	X(PGresult *, PQexecParams,                                                               \
	  (PGconn * conn, const char *command, int count, const Oid *types, const char *const *values, \
	   const int *lengths, const int *formats, int result_format),                            \
	  (conn, command, count, types, values, lengths, formats, result_format))                 \
	X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                           \
	X(char *, PQresultErrorMessage, (const PGresult *res), (res))                             \
	X(int, PQntuples, (const PGresult *res), (res))                                           \
	X(char *, PQgetvalue, (const PGresult *res, int row, int column), (res, row, column))     \
	X(int, PQgetisnull, (const PGresult *res, int row, int column), (res, row, column))       \
	V(PQclear, (PGresult * res), (res))                                                       \
	X(unsigned char *, PQunescapeBytea, (const unsigned char *text, size_t *length), (text, length)) \
	V(PQfreemem, (void *ptr), (ptr))

enum { LIB_UNLOADED, LIB_LOADED, LIB_FAILED };

typedef struct {
	const char *soname;
	const char *const *names; /* symbol names, in slot order */
	void **slots;             /* their addresses, once loaded */
	size_t count;
	void (*after_load)(void); /* the library's own set-up, or NULL */
	atomic_int state;
	char error[512];
} library;

/* Slot numbers, symbol names and slot arrays from the lists. */
#define SLOT_ENUM(ret, name, params, args) slot_##name,
#define SLOT_ENUM_VOID(name, params, args) slot_##name,
#define SLOT_NAME(ret, name, params, args) #name,
#define SLOT_NAME_VOID(name, params, args) #name,
#define SLOT_ENUM_BY_HAND(name) slot_##name,
#define SLOT_NAME_BY_HAND(name) #name,
#define SLOTS(list) list(SLOT_ENUM, SLOT_ENUM_VOID, SLOT_ENUM_BY_HAND)
#define NAMES(list) {list(SLOT_NAME, SLOT_NAME_VOID, SLOT_NAME_BY_HAND)}
enum { SLOTS(CURL_FUNCTIONS) curl_slot_count };
enum { SLOTS(XML2_FUNCTIONS) xml2_slot_count };
enum { SLOTS(PQ_FUNCTIONS) pq_slot_count };
static const char *const curl_names[] = NAMES(CURL_FUNCTIONS);
static const char *const xml2_names[] = NAMES(XML2_FUNCTIONS);
static const char *const pq_names[] = NAMES(PQ_FUNCTIONS);
static void *curl_slots[curl_slot_count], *xml2_slots[xml2_slot_count], *pq_slots[pq_slot_count];

/* libxml2 asks to be initialised once, before threads use it. */
static void init_xml2(void)
{
	((void (*)(void))xml2_slots[slot_xmlInitParser])();
}

static library libraries[LAZY_LIB_COUNT] = {
	[LAZY_LIB_CURL] = {LAZY_SONAME_CURL, curl_names, curl_slots, curl_slot_count, NULL},
	[LAZY_LIB_XML2] = {LAZY_SONAME_XML2, xml2_names, xml2_slots, xml2_slot_count, init_xml2},
	[LAZY_LIB_PQ] = {LAZY_SONAME_PQ, pq_names, pq_slots, pq_slot_count, NULL},
};
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Fills lib's slots; on failure leaves lib->error set. The handle is never
 * closed: the library stays for the life of the process. */
static bool open_library(library *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		snprintf(lib->error, sizeof lib->error, "cannot load %s: %s", lib->soname, dlerror());
		return false;
	}
	for (size_t i = 0; i < lib->count; i++) {
		lib->slots[i] = dlsym(handle, lib->names[i]);
		if (!lib->slots[i]) {
			snprintf(lib->error, sizeof lib->error, "%s has no symbol %s", lib->soname, lib->names[i]);
			return false;
		}
	}
	if (lib->after_load)
		lib->after_load();
	log_write(LOG_DEBUG, "loaded shared library", "library", lib->soname, NULL);
	return true;
}

bool lazy_lib_load(lazy_lib which, const char **error)
{
	library *lib = &libraries[which];
	int state = atomic_load_explicit(&lib->state, memory_order_acquire);

	if (state == LIB_UNLOADED) {
		pthread_mutex_lock(&load_lock);
		state = atomic_load_explicit(&lib->state, memory_order_relaxed);
		if (state == LIB_UNLOADED) {
			state = open_library(lib) ? LIB_LOADED : LIB_FAILED;
			atomic_store_explicit(&lib->state, state, memory_order_release);
		}
		pthread_mutex_unlock(&load_lock);
	}
	if (state == LIB_LOADED)
		return true;
	if (error)
		*error = lib->error;
	return false;
}

/* The address of a function for a wrapper (see lazy_libs.h on failure). */
static void *resolve(lazy_lib which, size_t slot)
{
	const char *why;

	if (!lazy_lib_load(which, &why)) {
		log_write(LOG_ERROR, "a required shared library is missing", "error", why, NULL);
		abort();
	}
	return libraries[which].slots[slot];
}

/* The wrappers, from the lists. */
#define WRAP(lib, ret, name, params, args) \
	ret name params { return ((ret(*) params)resolve(lib, slot_##name))args; }
#define WRAP_VOID(lib, name, params, args) \
	void name params { ((void(*) params)resolve(lib, slot_##name))args; }
#define BY_HAND(name)
#define WRAP_CURL(ret, name, params, args) WRAP(LAZY_LIB_CURL, ret, name, params, args)
#define WRAP_XML2(ret, name, params, args) WRAP(LAZY_LIB_XML2, ret, name, params, args)
#define WRAP_PQ(ret, name, params, args) WRAP(LAZY_LIB_PQ, ret, name, params, args)
#define WRAP_CURL_VOID(name, params, args) WRAP_VOID(LAZY_LIB_CURL, name, params, args)
#define WRAP_XML2_VOID(name, params, args) WRAP_VOID(LAZY_LIB_XML2, name, params, args)
#define WRAP_PQ_VOID(name, params, args) WRAP_VOID(LAZY_LIB_PQ, name, params, args)
CURL_FUNCTIONS(WRAP_CURL, WRAP_CURL_VOID, BY_HAND)
XML2_FUNCTIONS(WRAP_XML2, WRAP_XML2_VOID, BY_HAND)
PQ_FUNCTIONS(WRAP_PQ, WRAP_PQ_VOID, BY_HAND)

/* xmlFree is a variable in libxml2, not a function: ours points at a
 * function that calls through libxml2's. */
static void free_with_libxml2(void *memory)
{
	xmlFreeFunc *real = resolve(LAZY_LIB_XML2, slot_xmlFree);

	(*real)(memory);
}

xmlFreeFunc xmlFree = free_with_libxml2;

/* libcurl's variadic functions take exactly one argument after the option,
 * whose type the option number encodes (curl.h, CURLOPTTYPE_*): a long
 * below 10000, an object pointer below 20000, a function pointer below
 * 30000, a curl_off_t below 40000, and a struct curl_blob pointer above.
 * The wrapper reads it with that type and passes it on with it. */
typedef void (*any_function)(void);

CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode (*real)(CURL *, CURLoption, ...) = resolve(LAZY_LIB_CURL, slot_curl_easy_setopt);
	CURLcode result;
	va_list ap;

	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		result = real(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		result = real(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		result = real(curl, option, va_arg(ap, any_function));
	else if (option < CURLOPTTYPE_BLOB)
		result = real(curl, option, va_arg(ap, curl_off_t));
	else
		result = real(curl, option, va_arg(ap, struct curl_blob *));
	va_end(ap);
	return result;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode (*real)(CURL *, CURLINFO, ...) = resolve(LAZY_LIB_CURL, slot_curl_easy_getinfo);
	va_list ap;

	va_start(ap, info);
	CURLcode result = real(curl, info, va_arg(ap, void *));
	va_end(ap);
	return result;
}

/* Share options: what to share is an int (a curl_lock_data), the lock
 * callbacks are functions, the user data a pointer. */
CURLSHcode curl_share_setopt(CURLSH *share, CURLSHoption option, ...)
{
	CURLSHcode (*real)(CURLSH *, CURLSHoption, ...) = resolve(LAZY_LIB_CURL, slot_curl_share_setopt);
	CURLSHcode result;
	va_list ap;

	va_start(ap, option);
	if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE)
		result = real(share, option, va_arg(ap, int));
	else if (option == CURLSHOPT_LOCKFUNC || option == CURLSHOPT_UNLOCKFUNC)
		result = real(share, option, va_arg(ap, any_function));
	else
		result = real(share, option, va_arg(ap, void *));
	va_end(ap);
	return result;
}

#endif /* WAGTAIL_STATIC */
