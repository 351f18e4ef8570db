/* profile.h: where a hearth client keeps its settings ($HEARTH_HOME/profile.ini)
 * and which server and certificates it uses. */
#ifndef HEARTH_PROFILE_H
#define HEARTH_PROFILE_H

#include <stddef.h>

typedef struct profile {
	char home[1024];     /* the client's directory */
	char server[300];    /* HOST:PORT */
	char host[256];      /* HOST part, for certificate checks */
	char port[8];
	char cert[1024];     /* absolute paths */
	char key[1024];
	char ca[1024];
	char audit_key[1024]; /* PEM Ed25519 public key that must sign checkpoints; "" = pin on first use */
} profile;

/* Resolves the home directory: explicit (from --home) if non-NULL, else
 * $HEARTH_HOME, else ~/.hearth.  Writes it into p->home. */
int profile_home(profile *p, const char *explicit_home);

/* Reads home/profile.ini. Returns 0, HEARTH_ENOTFOUND when there is no
 * profile (err says to run `hearth init`), HEARTH_EINVAL when it is damaged. */
int profile_load(profile *p, char *err, size_t errlen);

/* Writes home/profile.ini atomically (temp file + rename), creating home
 * with mode 0700. Returns 0 or HEARTH_EIO with err set. */
int profile_save(const profile *p, char *err, size_t errlen);

/* Splits "HOST:PORT" / "[v6]:PORT" into p->host and p->port. */
int profile_set_server(profile *p, const char *server);

/* Path of a file inside home, into out. */
void profile_path(const profile *p, const char *name, char *out, size_t len);

#endif
