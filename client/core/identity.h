/* identity.h: who this client's certificate says it is (identity.c),
 * read from the PEM file without connecting; the SAN URI is parsed by
 * common/tls.c's tls_identity_from_cert, the one reader of identities. */
#ifndef HEARTH_CORE_IDENTITY_H
#define HEARTH_CORE_IDENTITY_H

#include <stddef.h>
#include <openssl/x509.h>

#include "common/tls.h"

/* Reads the first PEM certificate of path. Returns a certificate the
 * caller frees with X509_free, or NULL (errno says why when the file could
 * not be opened; 0 when it holds no PEM certificate). */
X509 *identity_load_cert(const char *path);

/* What identity_read found. */
typedef enum identity_result {
	IDENTITY_OK = 0,
	IDENTITY_UNREADABLE,    /* the file cannot be opened (errno says why) */
	IDENTITY_NOT_PEM,       /* the file holds no PEM certificate */
	IDENTITY_INVALID,       /* the certificate names no hearth identity (err says why) */
} identity_result;

/* Reads the identity (role, org, branch, name) of the certificate at
 * cert_path into id (zeroed first; its strings live inside it). err gets
 * the reason for IDENTITY_INVALID. */
identity_result identity_read(const char *cert_path, tls_identity *id, char *err, size_t cap);

/* A role as one word, the same in every listing and JSON field (whoami,
 * admin principals, the audit log): "branch", "general", "admin" or
 * "auditor"; "-" for no role (an audit entry with no actor role), "unknown"
 * for a role this hearth does not know (a newer server's). Static. */
const char *identity_role_word(Hearth__Role r);

#endif
