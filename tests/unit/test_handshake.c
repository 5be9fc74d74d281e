/* test_handshake.c: the go-plugin handshake pieces and the TLS certificate
 * the client will be asked to trust. */
#include "unit.h"

#include "handshake.h"
#include "tls_cert.h"

#include <cjson/cJSON.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(handshake_cookie)
{
	CHECK(handshake_cookie_ok(HANDSHAKE_COOKIE_VALUE));
	CHECK(!handshake_cookie_ok(NULL));
	CHECK(!handshake_cookie_ok(""));
	CHECK(!handshake_cookie_ok(HANDSHAKE_COOKIE_VALUE "0"));
	CHECK(!handshake_cookie_ok("d602bf8f"));
}

/* The version chosen from offered, and whether an error came with it. */
static int negotiate(const char *offered, bool *failed)
{
	char *error = NULL;
	int version = handshake_protocol(offered, &error);

	*failed = error != NULL;
	free(error);
	return version;
}

TEST(handshake_protocol_negotiation)
{
	bool failed;

	CHECK(negotiate(NULL, &failed) == 6 && !failed);
	CHECK(negotiate("", &failed) == 6 && !failed);
	CHECK(negotiate("6", &failed) == 6 && !failed);
	CHECK(negotiate("5,6", &failed) == 6 && !failed);
	CHECK(negotiate("6,5", &failed) == 6 && !failed);
	CHECK(negotiate("5, 6 ", &failed) == 6 && !failed);
	CHECK(negotiate("x,6", &failed) == 6 && !failed);
	CHECK(negotiate("5", &failed) == -1 && failed);
	CHECK(negotiate("4,5", &failed) == -1 && failed);
	CHECK(negotiate("56,7", &failed) == -1 && failed);
	CHECK(negotiate("6x", &failed) == -1 && failed);
}

TEST(handshake_protocol_error_names_the_offer)
{
	char *error = NULL;

	CHECK(handshake_protocol("4,5", &error) == -1);
	CHECK(error && strstr(error, "\"4,5\"") && strstr(error, "6"));
	free(error);
}

static void check_base64(const char *input, const char *want)
{
	char *got = handshake_base64((const uint8_t *)input, strlen(input));
	CHECK_STR(got, want);
	free(got);
}

TEST(handshake_base64_without_padding)
{
	/* RFC 4648 vectors, with the '=' padding dropped. */
	check_base64("", "");
	check_base64("f", "Zg");
	check_base64("fo", "Zm8");
	check_base64("foo", "Zm9v");
	check_base64("foob", "Zm9vYg");
	check_base64("fooba", "Zm9vYmE");
	check_base64("foobar", "Zm9vYmFy");
	check_base64("\xfb\xff", "+/8"); /* the standard alphabet, not URL-safe */
}

TEST(handshake_line_format)
{
	const uint8_t der[] = {'f', 'o', 'o', 'b'};
	char *tls = handshake_line(6, "/tmp/d/plugin.sock", der, sizeof der);
	char *plain = handshake_line(6, "/tmp/d/plugin.sock", NULL, 0);

	CHECK_STR(tls, "1|6|unix|/tmp/d/plugin.sock|grpc|Zm9vYg");
	CHECK_STR(plain, "1|6|unix|/tmp/d/plugin.sock|grpc|");
	free(tls);
	free(plain);
}

TEST(handshake_private_dir)
{
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	char *error = NULL;
	struct stat st;

	setenv("TMPDIR", "/tmp", 1);
	char *dir = handshake_make_dir(&error);
	char *socket_path = dir ? handshake_socket_path(dir, &error) : NULL;

	CHECK(dir && strncmp(dir, "/tmp/", 5) == 0);
	CHECK(dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	CHECK(socket_path && strcmp(socket_path + strlen(dir), "/" HANDSHAKE_SOCKET_NAME) == 0);
	CHECK(error == NULL);
	if (dir) {
		handshake_remove_dir(dir);
		CHECK(stat(dir, &st) != 0);
	}
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	free(dir);
	free(socket_path);
}

TEST(handshake_socket_path_too_long)
{
	char dir[200];
	char *error = NULL;

	memset(dir, 'd', sizeof dir - 1);
	dir[0] = '/';
	dir[sizeof dir - 1] = '\0';
	CHECK(handshake_socket_path(dir, &error) == NULL);
	CHECK(error && strstr(error, "TMPDIR"));
	free(error);
}

TEST(handshake_reattach)
{
	char *text = handshake_reattach_json("registry.terraform.io/wagtail/wagtail",
					     "/tmp/d/plugin.sock", 4242);
	cJSON *root = cJSON_Parse(text);
	cJSON *entry = cJSON_GetObjectItemCaseSensitive(root, "registry.terraform.io/wagtail/wagtail");
	cJSON *addr = cJSON_GetObjectItemCaseSensitive(entry, "Addr");

	CHECK(entry != NULL && cJSON_GetArraySize(root) == 1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry, "Protocol")), "grpc");
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(entry, "ProtocolVersion")) == 6);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(entry, "Pid")) == 4242);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "Test")));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(addr, "Network")), "unix");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(addr, "String")),
		  "/tmp/d/plugin.sock");
	cJSON_Delete(root);
	free(text);
}

/* The DER form parsed back, as the client will see it. */
static X509 *parse_der(const tls_cert *cert)
{
	const unsigned char *p = cert->cert_der;
	return d2i_X509(NULL, &p, (long)cert->cert_der_len);
}

static bool pem_matches_der(const tls_cert *cert, X509 *from_der)
{
	BIO *bio = BIO_new_mem_buf(cert->cert_pem, -1);
	X509 *from_pem = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	bool same = from_pem && X509_cmp(from_pem, from_der) == 0;

	X509_free(from_pem);
	BIO_free(bio);
	return same;
}

static bool key_matches(const tls_cert *cert, X509 *x509)
{
	BIO *bio = BIO_new_mem_buf(cert->key_pem, -1);
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	bool matches = key && X509_check_private_key(x509, key) == 1 &&
		       EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) == 256;

	EVP_PKEY_free(key);
	BIO_free(bio);
	return matches;
}

TEST(tls_cert_properties)
{
	tls_cert cert;
	char *error = NULL;
	X509 *x509;

	CHECK(tls_cert_create(&cert, &error) == 0);
	CHECK(error == NULL);
	x509 = parse_der(&cert);
	CHECK(x509 != NULL);
	if (!x509) {
		tls_cert_free(&cert);
		return;
	}
	CHECK(X509_check_host(x509, "localhost", 0, 0, NULL) == 1);
	CHECK(X509_check_host(x509, "example.com", 0, 0, NULL) != 1);
	CHECK(X509_check_ca(x509) >= 1);
	CHECK(X509_get_extension_flags(x509) & EXFLAG_SS); /* self-signed... */
	CHECK(X509_verify(x509, X509_get0_pubkey(x509)) == 1); /* ...and by this key */
	CHECK((X509_get_extended_key_usage(x509) & (XKU_SSL_SERVER | XKU_SSL_CLIENT)) ==
	      (XKU_SSL_SERVER | XKU_SSL_CLIENT));
	CHECK(X509_get_key_usage(x509) & KU_KEY_CERT_SIGN);
	CHECK(X509_get_key_usage(x509) & KU_DIGITAL_SIGNATURE);
	CHECK(X509_cmp_current_time(X509_get0_notBefore(x509)) < 0);
	CHECK(X509_cmp_current_time(X509_get0_notAfter(x509)) > 0);
	CHECK(pem_matches_der(&cert, x509));
	CHECK(key_matches(&cert, x509));
	X509_free(x509);
	tls_cert_free(&cert);
	CHECK(cert.key_pem == NULL && cert.cert_der == NULL);
}

TEST(tls_cert_serials_differ)
{
	tls_cert a, b;
	char *error = NULL;

	CHECK(tls_cert_create(&a, &error) == 0 && tls_cert_create(&b, &error) == 0);
	X509 *xa = parse_der(&a), *xb = parse_der(&b);
	CHECK(xa && xb &&
	      ASN1_INTEGER_cmp(X509_get0_serialNumber(xa), X509_get0_serialNumber(xb)) != 0);
	X509_free(xa);
	X509_free(xb);
	tls_cert_free(&a);
	tls_cert_free(&b);
}
