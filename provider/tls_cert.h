/* tls_cert.h: the certificate the plugin serves TLS with. go-plugin's
 * client trusts exactly the certificate printed in the handshake line, so
 * a fresh self-signed one per process is all it takes. */
#ifndef WAGTAIL_TLS_CERT_H
#define WAGTAIL_TLS_CERT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	char *cert_pem; /* for the gRPC server credentials */
	char *key_pem;  /* PKCS#8, unencrypted; cleared before it is freed */
	uint8_t *cert_der; /* for the handshake line */
	size_t cert_der_len;
} tls_cert;

/* Makes an ECDSA P-256 key and a self-signed CA:TRUE certificate for
 * DNS:localhost usable for both server and client auth. Returns 0, or -1
 * with *error set to a malloc'd message. */
int tls_cert_create(tls_cert *cert, char **error);

/* Frees the members (not cert itself); safe on a zeroed struct. */
void tls_cert_free(tls_cert *cert);

#endif
