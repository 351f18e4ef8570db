/* identity.c: reads who the client's certificate file says it is. */
#include "client/core/identity.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/pem.h>

X509 *identity_load_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x)
		errno = 0;
	return x;
}

identity_result identity_read(const char *cert_path, tls_identity *id, char *err, size_t cap)
{
	X509 *x;
	int rc;

	memset(id, 0, sizeof(*id));
	if (cap)
		err[0] = '\0';
	errno = 0;
	if (!(x = identity_load_cert(cert_path)))
		return errno ? IDENTITY_UNREADABLE : IDENTITY_NOT_PEM;
	rc = tls_identity_from_cert(x, NULL, id, err, cap);
	X509_free(x);
	return rc == 0 ? IDENTITY_OK : IDENTITY_INVALID;
}

const char *identity_role_word(Hearth__Role r)
{
	switch (r) {
	case HEARTH__ROLE__ROLE_UNSPECIFIED: return "-";
	case HEARTH__ROLE__ROLE_BRANCH: return "branch";
	case HEARTH__ROLE__ROLE_GENERAL: return "general";
	case HEARTH__ROLE__ROLE_ADMIN: return "admin";
	case HEARTH__ROLE__ROLE_AUDITOR: return "auditor";
	default: return "unknown";
	}
}
