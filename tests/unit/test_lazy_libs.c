/* test_lazy_libs.c: libcurl, libxml2 and libpq reached through the wrappers
 * of core/lazy_libs.c (the unit tests link them the same way as the
 * provider). The variadic libcurl wrappers must pass each kind of argument
 * on with its own type: a long, a data pointer, a function pointer and a
 * curl_off_t each change what a file:// transfer does, so a wrong one
 * shows. */
#include "unit.h"

#include "lazy_libs.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

TEST(lazy_libs_load_every_library)
{
	const char *why = NULL;

	for (int lib = 0; lib < LAZY_LIB_COUNT; lib++)
		CHECK(lazy_lib_load((lazy_lib)lib, &why));
	CHECK(why == NULL);
}

/* The variadic wrappers exist only where the libraries are opened with
 * dlopen; the static release build (WAGTAIL_STATIC) calls libcurl itself,
 * built with HTTP and HTTPS only, so there is neither a wrapper nor file://
 * to test. */
#ifndef WAGTAIL_STATIC
typedef struct {
	char text[64];
	size_t length;
} received;

static size_t collect(char *data, size_t size, size_t count, void *user)
{
	received *r = user;
	size_t n = size * count;

	if (r->length + n >= sizeof r->text)
		return 0;
	memcpy(r->text + r->length, data, n);
	r->length += n;
	r->text[r->length] = '\0';
	return n;
}

/* Fetches file://path with the callback, from byte `from` (a long) or, when
 * large_from >= 0, from byte large_from (a curl_off_t). */
static CURLcode fetch_file(const char *path, long from, curl_off_t large_from, received *r, curl_off_t *size)
{
	CURL *curl = curl_easy_init();
	char url[256];

	snprintf(url, sizeof url, "file://%s", path);
	curl_easy_setopt(curl, CURLOPT_URL, url);                   /* object pointer */
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);     /* function pointer */
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);               /* object pointer */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "file");      /* object pointer */
	curl_easy_setopt(curl, CURLOPT_RESUME_FROM, from);          /* long */
	if (large_from >= 0)
		curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, large_from); /* curl_off_t */
	CURLcode result = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, size);
	curl_easy_cleanup(curl);
	return result;
}

TEST(lazy_libs_curl_wrappers_pass_each_argument_type)
{
	char path[] = "/tmp/wagtail-lazy-XXXXXX";
	int fd = mkstemp(path);
	received r = {0};
	curl_off_t size = -1;

	CHECK(fd >= 0);
	CHECK(write(fd, "twelve bytes", 12) == 12);
	close(fd);

	CHECK(fetch_file(path, 0, -1, &r, &size) == CURLE_OK);
	CHECK_STR(r.text, "twelve bytes");
	CHECK(size == 12);

	memset(&r, 0, sizeof r);
	CHECK(fetch_file(path, 3, -1, &r, &size) == CURLE_OK);
	CHECK_STR(r.text, "lve bytes");

	memset(&r, 0, sizeof r);
	CHECK(fetch_file(path, 0, 7, &r, &size) == CURLE_OK);
	CHECK_STR(r.text, "bytes");
	CHECK(size == 5);

	CHECK_STR(curl_easy_strerror(CURLE_FILESIZE_EXCEEDED), "Maximum file size exceeded");
	unlink(path);

	struct curl_slist *list = curl_slist_append(NULL, "X-Test: 1");
	CHECK(list && strcmp(list->data, "X-Test: 1") == 0);
	curl_slist_free_all(list);
}
#endif

TEST(lazy_libs_xml_document_and_xmlfree)
{
	static const char doc_text[] = "<a><b>text</b></a>";
	xmlDocPtr doc = xmlReadMemory(doc_text, (int)strlen(doc_text), NULL, NULL, XML_PARSE_NONET);

	CHECK(doc != NULL);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	CHECK(root && strcmp((const char *)root->name, "a") == 0);
	xmlChar *content = xmlNodeGetContent(root);
	CHECK_STR((const char *)content, "text");
	xmlFree(content); /* through libxml2's own deallocator */
	xmlFreeDoc(doc);
}

TEST(lazy_libs_libpq_without_a_server)
{
	size_t length = 0;
	unsigned char *bytes = PQunescapeBytea((const unsigned char *)"\\x414243", &length);

	CHECK(bytes && length == 3 && memcmp(bytes, "ABC", 3) == 0);
	PQfreemem(bytes);

	/* A connection string libpq rejects before any network use. */
	PGconn *conn = PQconnectdb("nonsense_option=1");
	CHECK(PQstatus(conn) == CONNECTION_BAD);
	CHECK(strstr(PQerrorMessage(conn), "nonsense_option") != NULL);
	PQfinish(conn);
}
