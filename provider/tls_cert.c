/* tls_cert.c: a throwaway self-signed certificate made at start with
 * OpenSSL. Its properties follow what go-plugin's own servers make, since
 * that is what the Go client is known to accept: the client checks the
 * name "localhost" and trusts the certificate as its own root, hence
 * CA:TRUE and certSign. */
#include "tls_cert.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backdated a little so that a client whose clock lags ours still accepts
 * it; long-lived because the key never leaves this process's memory. */
#define CERT_BACKDATE_SECONDS 30
#define CERT_VALID_DAYS (30 * 365)

static int add_extension(X509 *x509, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x509, x509, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x509, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int set_random_serial(X509 *x509)
{
	unsigned char bytes[16];
	BIGNUM *serial;
	int ok;

	if (RAND_bytes(bytes, sizeof bytes) != 1)
		return -1;
	bytes[0] &= 0x7f; /* serial numbers must be positive */
	serial = BN_bin2bn(bytes, sizeof bytes, NULL);
	ok = serial && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x509));
	BN_free(serial);
	return ok ? 0 : -1;
}

static int set_name(X509 *x509)
{
	X509_NAME *name = X509_get_subject_name(x509);

	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)"terraform-provider-wagtail", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"localhost", -1, -1, 0))
		return -1;
	return X509_set_issuer_name(x509, name) ? 0 : -1;
}

/* Returns a signed certificate for key, or NULL. */
static X509 *build_certificate(EVP_PKEY *key)
{
	X509 *x509 = X509_new();

	if (!x509 || !X509_set_version(x509, X509_VERSION_3) || set_random_serial(x509) ||
	    set_name(x509) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x509), -CERT_BACKDATE_SECONDS) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x509), CERT_VALID_DAYS, 0, NULL) ||
	    !X509_set_pubkey(x509, key) ||
	    add_extension(x509, NID_subject_alt_name, "DNS:localhost") ||
	    add_extension(x509, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_extension(x509, NID_key_usage,
			  "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign") ||
	    add_extension(x509, NID_ext_key_usage, "serverAuth,clientAuth") ||
	    X509_sign(x509, key, EVP_sha256()) <= 0) {
		X509_free(x509);
		return NULL;
	}
	return x509;
}

/* Copies a memory BIO's contents into a malloc'd NUL-terminated string. */
static char *bio_to_string(BIO *bio)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);
	char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;

	if (text) {
		memcpy(text, data, (size_t)len);
		text[len] = '\0';
	}
	return text;
}

static int export_certificate(tls_cert *cert, X509 *x509, EVP_PKEY *key)
{
	BIO *cert_bio = BIO_new(BIO_s_mem());
	BIO *key_bio = BIO_new(BIO_s_secmem()); /* cleared when freed */
	int der_len = i2d_X509(x509, NULL);
	unsigned char *der_end;

	if (cert_bio && PEM_write_bio_X509(cert_bio, x509))
		cert->cert_pem = bio_to_string(cert_bio);
	if (key_bio && PEM_write_bio_PrivateKey(key_bio, key, NULL, NULL, 0, NULL, NULL))
		cert->key_pem = bio_to_string(key_bio);
	BIO_free(cert_bio);
	BIO_free(key_bio);
	if (der_len > 0 && (cert->cert_der = malloc((size_t)der_len)) != NULL) {
		der_end = cert->cert_der;
		cert->cert_der_len = (size_t)i2d_X509(x509, &der_end);
	}
	return cert->cert_pem && cert->key_pem && cert->cert_der_len > 0 ? 0 : -1;
}

int tls_cert_create(tls_cert *cert, char **error)
{
	EVP_PKEY *key;
	X509 *x509;
	int result;

	memset(cert, 0, sizeof *cert);
	key = EVP_EC_gen("P-256");
	x509 = key ? build_certificate(key) : NULL;
	result = x509 ? export_certificate(cert, x509, key) : -1;
	X509_free(x509);
	EVP_PKEY_free(key);
	if (result) {
		char reason[256];
		ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
		if (asprintf(error, "cannot make the plugin's TLS certificate: %s", reason) < 0)
			*error = NULL;
		tls_cert_free(cert);
	}
	return result;
}

void tls_cert_free(tls_cert *cert)
{
	if (cert->key_pem)
		OPENSSL_cleanse(cert->key_pem, strlen(cert->key_pem));
	free(cert->key_pem);
	free(cert->cert_pem);
	free(cert->cert_der);
	memset(cert, 0, sizeof *cert);
}
