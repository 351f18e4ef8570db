/* enroll.h: a new user's key and client certificate, signed by the
 * committee CA, or a certificate request when the CA key is elsewhere
 * (enroll.c): the one maker behind `hearth admin enroll` (which writes the
 * files) and the 人员与证书 page of `hearth ui` (which offers them for
 * download). Nothing here prints, connects or writes a file.
 *
 * The certificate: CN the person's name, SAN URI hearth://ORG/branch/ID
 * (or /admin, /auditor), client authentication only, valid ENROLL_DAYS
 * days, a random 127-bit serial; the same extensions as certs/mkcerts.sh. */
#ifndef HEARTH_CORE_ENROLL_H
#define HEARTH_CORE_ENROLL_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

#include "common/record.h"

#define ENROLL_DAYS 730            /* two years */
#define ENROLL_NAME_CHARS_MAX 64   /* X.509 upper bound for a CN */

/* Who is enrolled. Every string is borrowed for the call. */
typedef struct enroll_spec {
	Hearth__Role role;             /* BRANCH, ADMIN or AUDITOR */
	const char *org;               /* the organisation of the admin's own certificate */
	const char *branch;            /* BRANCH: the branch id; otherwise NULL */
	const char *name;              /* the person, as the certificate will show it */
} enroll_spec;

/* Parses "branch", "admin" or "auditor" (NULL: branch). Returns 0 or
 * HEARTH_EINVAL. */
int enroll_role_parse(const char *text, Hearth__Role *role);

/* Checks a spec as the command and the page take it: the role's branch
 * (required for BRANCH and a branch id, refused for the others), the name
 * (one line of UTF-8, 1 to ENROLL_NAME_CHARS_MAX characters). Returns 0,
 * or HEARTH_EINVAL with one sentence in why and *field naming "branch" or
 * "name". */
int enroll_spec_check(const enroll_spec *e, const char **field, char *why, size_t cap);

/* The file stem of the enrolment (branch id, "admin" or "auditor") and
 * its SAN URI. */
void enroll_who(const enroll_spec *e, char *out, size_t cap);
void enroll_uri(const enroll_spec *e, char *out, size_t cap);

/* The default place of the CA key: ca.key beside the CA certificate. */
void enroll_default_ca_key(const char *ca_cert_path, char *out, size_t cap);

/* Loads the CA key at path and checks it belongs to ca. Returns 0 with
 * *key the caller's (EVP_PKEY_free); HEARTH_ENOTFOUND when there is no
 * file at path; HEARTH_EINVAL or HEARTH_EIO with why set. */
int enroll_load_ca_key(const char *path, X509 *ca, EVP_PKEY **key, char *why, size_t cap);

/* What enroll_issue made; every pointer the caller's (enroll_made_free). */
typedef struct enroll_made {
	EVP_PKEY *key;                 /* the new private key (EC P-256) */
	X509 *cert;                    /* signed, when a CA key was given */
	X509_REQ *req;                 /* otherwise the certificate request */
	char fingerprint[65];          /* of cert; "" for a request */
	char until[16];                /* cert's last day, YYYY-MM-DD; "" for a request */
	char ext[800];                 /* the extensions as openssl config lines (for a request) */
} enroll_made;

/* Makes the key and, with ca_key, the certificate (read back as the
 * server reads it: a certificate that would be refused is never
 * returned), else a request. ca is always needed (the issuer). Returns 0,
 * or a negative HEARTH_E* code with why set; *m is then empty. */
int enroll_issue(const enroll_spec *e, X509 *ca, EVP_PKEY *ca_key, enroll_made *m, char *why, size_t cap);

void enroll_made_free(enroll_made *m);

/* A random serial as 32 hex digits (for the signing command of a request).
 * Returns 0 or HEARTH_EIO. */
int enroll_serial_hex(char hex[33]);

/* The words that follow "hearth init --server " on the new user's
 * machine ("SERVER --cert C --key K --ca A"), and those that follow
 * "openssl x509 -req -in " where the CA key is kept ("CSR -CA CA -CAkey
 * KEY -set_serial 0xHEX -days N -sha256 -extfile EXT -out CERT"), each
 * a POSIX shell word (as is when it holds only safe characters, else in
 * single quotes). malloc'd, the caller's; NULL when out of memory. */
char *enroll_init_args(const char *server, const char *cert, const char *key, const char *ca);
char *enroll_sign_args(const char *csr, const char *ca, const char *ca_key, const char *ext, const char *cert);

/* The last OpenSSL error as a phrase into out; the error queue is
 * cleared. */
void enroll_openssl_error(char *out, size_t cap);

/* PEM text of a key, certificate or request (malloc'd, the caller's), or
 * NULL when out of memory. */
char *enroll_key_pem(EVP_PKEY *k);
char *enroll_cert_pem(X509 *x);
char *enroll_req_pem(X509_REQ *r);

#endif
