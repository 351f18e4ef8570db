/* profile.c: reads and writes the client profile (an INI file under home). */
#include "client/core/profile.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hearth.h"
#include "common/i18n.h"

int profile_home(profile *p, const char *explicit_home)
{
	const char *h = explicit_home;
	memset(p, 0, sizeof(*p));
	if (!h || !*h)
		h = getenv("HEARTH_HOME");
	if (h && *h) {
		snprintf(p->home, sizeof(p->home), "%s", h);
		return 0;
	}
	h = getenv("HOME");
	if (!h || !*h)
		h = ".";
	snprintf(p->home, sizeof(p->home), "%s/.hearth", h);
	return 0;
}

void profile_path(const profile *p, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", p->home, name);
}

int profile_set_server(profile *p, const char *server)
{
	const char *colon;
	size_t hlen;
	const char *host = server;

	if (server[0] == '[') {
		const char *close = strchr(server, ']');
		if (!close || close[1] != ':')
			return HEARTH_EINVAL;
		host = server + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(server, ':');
		if (!colon)
			return HEARTH_EINVAL;
		hlen = (size_t)(colon - server);
	}
	if (hlen == 0 || hlen >= sizeof(p->host) || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= sizeof(p->port) || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    atoi(colon + 1) <= 0 || atoi(colon + 1) > 65535)
		return HEARTH_EINVAL;
	memcpy(p->host, host, hlen);
	p->host[hlen] = '\0';
	snprintf(p->port, sizeof(p->port), "%s", colon + 1);
	snprintf(p->server, sizeof(p->server), "%s", server);
	return 0;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	profile *p = user;
	if (strcmp(section, "profile") != 0)
		return 1;
	if (!strcmp(name, "server"))
		return profile_set_server(p, value) == 0;
	if (!strcmp(name, "cert"))
		snprintf(p->cert, sizeof(p->cert), "%s", value);
	else if (!strcmp(name, "key"))
		snprintf(p->key, sizeof(p->key), "%s", value);
	else if (!strcmp(name, "ca"))
		snprintf(p->ca, sizeof(p->ca), "%s", value);
	else if (!strcmp(name, "audit_key"))
		snprintf(p->audit_key, sizeof(p->audit_key), "%s", value);
	return 1;
}

int profile_load(profile *p, char *err, size_t errlen)
{
	char path[1100];
	int rc;

	profile_path(p, "profile.ini", path, sizeof(path));
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen,
		         _("no profile in %s; run 'hearth init --server HOST:PORT --cert FILE --key FILE --ca FILE' first"),
		         p->home);
		return HEARTH_ENOTFOUND;
	}
	rc = ini_parse(path, on_value, p);
	if (rc != 0 || !p->server[0] || !p->cert[0] || !p->key[0] || !p->ca[0]) {
		snprintf(err, errlen, _("profile %s is damaged (line %d); run 'hearth init' again"), path,
		         rc > 0 ? rc : 0);
		return HEARTH_EINVAL;
	}
	return 0;
}

int profile_save(const profile *p, char *err, size_t errlen)
{
	char path[1100], tmp[1110];
	FILE *f;

	if (mkdir(p->home, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, _("cannot create %s: %s"), p->home, strerror(errno));
		return HEARTH_EIO;
	}
	profile_path(p, "profile.ini", path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, _("cannot write %s: %s"), tmp, strerror(errno));
		return HEARTH_EIO;
	}
	fprintf(f, "# hearth client profile; written by 'hearth init'\n[profile]\n");
	fprintf(f, "server = %s\ncert = %s\nkey = %s\nca = %s\n", p->server, p->cert, p->key, p->ca);
	if (p->audit_key[0])
		fprintf(f, "audit_key = %s\n", p->audit_key);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return HEARTH_EIO;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, _("cannot rename %s: %s"), tmp, strerror(errno));
		unlink(tmp);
		return HEARTH_EIO;
	}
	return 0;
}
