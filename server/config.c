/* config.c: defaults, INI parsing (via libinih) and validation for hearthd. */
#include "server/config.h"

#include <errno.h>
#include <limits.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hearth.h"

void config_defaults(hearthd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
	cfg->listen_port = 7443;
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "var");
	/* The installed paths, never the dev ones: a server started from the
	 * wrong directory must not find a checkout's keys (issue 17). */
	snprintf(cfg->cert, sizeof(cfg->cert), "/etc/hearth/server.pem");
	snprintf(cfg->key, sizeof(cfg->key), "/etc/hearth/server.key");
	snprintf(cfg->ca, sizeof(cfg->ca), "/etc/hearth/ca.pem");
	/* No audit key: hearthd uses, and at a store's first start makes, the
	 * data directory's own (server/audit_keys.c). */
	snprintf(cfg->org, sizeof(cfg->org), "demo");
	cfg->max_connections = 1024;
	cfg->max_preauth = 256;
	cfg->max_preauth_per_addr = 32;
	cfg->handshake_timeout_ms = 10000;
	cfg->idle_timeout_ms = 300000;
	cfg->max_frame = HEARTH_FRAME_MAX_DEFAULT;
	cfg->output_cap = 8u * 1024u * 1024u;
	cfg->partial_frame_budget = 64ull * 1024 * 1024;
	cfg->max_inflight = 64;
	cfg->max_ops_per_push = 1000;
	cfg->attachment_max_size = 20ull * 1024 * 1024;
	cfg->attachment_quota = 1ull << 30;
	cfg->max_pull_limit = 5000;
	cfg->audit_events_per_minute = 600;
	cfg->audit_event_window_ms = 60000;
	cfg->map_size = 4ull * 1024 * 1024 * 1024;
	cfg->tombstone_days = 400;
	cfg->group_commit = 1;
	cfg->committee_warm = 1;
}

static void problem(config_report *r, int line, const char *fmt, ...)
{
	va_list ap;
	if (!r || r->count >= CONFIG_MAX_PROBLEMS)
		return;
	r->problems[r->count].line = line;
	va_start(ap, fmt);
	vsnprintf(r->problems[r->count].message, sizeof(r->problems[0].message), fmt, ap);
	va_end(ap);
	r->count++;
}

int config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (!s || !*s || *s == '-')
		return HEARTH_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return HEARTH_EINVAL;
	if (*end == 'K' || *end == 'k')
		mult = 1024ull, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024ull * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1024ull * 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v > UINT64_MAX / mult)
		return HEARTH_EINVAL;
	*out = v * mult;
	return 0;
}

int config_parse_listen(hearthd_config *cfg, const char *s)
{
	const char *colon;
	const char *host = s;
	size_t hlen;
	char *end;
	long port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return HEARTH_EINVAL;
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return HEARTH_EINVAL;
		hlen = (size_t)(colon - s);
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return HEARTH_EINVAL;
	if (hlen >= sizeof(cfg->listen_host))
		return HEARTH_EINVAL;
	if (hlen == 0) {
		snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
	} else {
		memcpy(cfg->listen_host, host, hlen);
		cfg->listen_host[hlen] = '\0';
	}
	cfg->listen_port = (int)port;
	return 0;
}

/* Parser state: inih gives no line numbers to handlers, so the reader
 * below counts lines and the handler reads the count. */
struct load_ctx {
	hearthd_config *cfg;
	config_report *report;
	FILE *fp;
	int line;
	int problems;
};

static char *count_lines(char *str, int num, void *stream)
{
	struct load_ctx *c = stream;
	char *r = fgets(str, num, c->fp);
	if (r)
		c->line++;
	return r;
}

static int set_u32(struct load_ctx *c, const char *name, const char *value, uint32_t *dst,
                   uint64_t min, uint64_t max)
{
	uint64_t v;
	if (config_parse_size(value, &v) != 0 || v < min || v > max) {
		problem(c->report, c->line, "%s: \"%s\" is not a number between %" PRIu64 " and %" PRIu64,
		        name, value, min, max);
		c->problems++;
		return 1;
	}
	*dst = (uint32_t)v;
	return 1;
}

static int set_str(struct load_ctx *c, const char *name, const char *value, char *dst, size_t cap)
{
	if (strlen(value) >= cap) {
		problem(c->report, c->line, "%s: value longer than %zu bytes", name, cap - 1);
		c->problems++;
		return 1;
	}
	snprintf(dst, cap, "%s", value);
	return 1;
}

static int set_bool(struct load_ctx *c, const char *name, const char *value, int *dst)
{
	if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on") || !strcmp(value, "1"))
		*dst = 1;
	else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off") || !strcmp(value, "0"))
		*dst = 0;
	else {
		problem(c->report, c->line, "%s: \"%s\" is not true or false", name, value);
		c->problems++;
	}
	return 1;
}

/* Called by inih for every name=value; returns 1 always so parsing goes on
 * and every problem in the file is reported, not only the first. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *c = user;
	hearthd_config *cfg = c->cfg;

#define IS(s, n) (!strcmp(section, s) && !strcmp(name, n))
	if (IS("server", "listen")) {
		if (config_parse_listen(cfg, value) != 0) {
			problem(c->report, c->line, "listen: \"%s\" is not HOST:PORT", value);
			c->problems++;
		}
		return 1;
	}
	if (IS("server", "data"))
		return set_str(c, name, value, cfg->data_dir, sizeof(cfg->data_dir));
	if (IS("server", "org"))
		return set_str(c, name, value, cfg->org, sizeof(cfg->org));
	if (IS("server", "verbose"))
		return set_bool(c, name, value, &cfg->verbose);
	if (IS("server", "dev"))
		return set_bool(c, name, value, &cfg->dev);
	if (IS("tls", "cert"))
		return set_str(c, name, value, cfg->cert, sizeof(cfg->cert));
	if (IS("tls", "key"))
		return set_str(c, name, value, cfg->key, sizeof(cfg->key));
	if (IS("tls", "ca"))
		return set_str(c, name, value, cfg->ca, sizeof(cfg->ca));
	if (IS("tls", "crl"))
		return set_str(c, name, value, cfg->crl, sizeof(cfg->crl));
	if (IS("audit", "key"))
		return set_str(c, name, value, cfg->audit_key, sizeof(cfg->audit_key));
	if (IS("limits", "max_connections"))
		return set_u32(c, name, value, &cfg->max_connections, 1, 1000000);
	if (IS("limits", "max_preauth"))
		return set_u32(c, name, value, &cfg->max_preauth, 1, 1000000);
	if (IS("limits", "max_preauth_per_addr"))
		return set_u32(c, name, value, &cfg->max_preauth_per_addr, 1, 1000000);
	if (IS("limits", "handshake_timeout_ms"))
		return set_u32(c, name, value, &cfg->handshake_timeout_ms, 10, 600000);
	if (IS("limits", "idle_timeout_ms"))
		return set_u32(c, name, value, &cfg->idle_timeout_ms, 10, 86400000);
	if (IS("limits", "max_frame"))
		return set_u32(c, name, value, &cfg->max_frame, 1024, HEARTH_FRAME_MAX_CAP);
	if (IS("limits", "output_cap"))
		return set_u32(c, name, value, &cfg->output_cap, 4096, 1u << 30);
	if (IS("limits", "partial_frame_budget")) {
		uint64_t v;
		if (config_parse_size(value, &v) != 0 || v < 64 * 1024 || v > (1ull << 40)) {
			problem(c->report, c->line,
			        "partial_frame_budget: \"%s\" is not a size between 64K and 1024G", value);
			c->problems++;
		} else {
			cfg->partial_frame_budget = v;
		}
		return 1;
	}
	if (IS("limits", "max_inflight"))
		return set_u32(c, name, value, &cfg->max_inflight, 1, 100000);
	if (IS("limits", "attachment_max_size")) {
		uint64_t v;
		if (config_parse_size(value, &v) != 0 || v < 1024 || v > (1ull << 40)) {
			problem(c->report, c->line,
			        "attachment_max_size: \"%s\" is not a size between 1K and 1024G", value);
			c->problems++;
		} else {
			cfg->attachment_max_size = v;
		}
		return 1;
	}
	if (IS("limits", "attachment_quota")) {
		uint64_t v;
		if (config_parse_size(value, &v) != 0 || v < 1024 || v > (1ull << 44)) {
			problem(c->report, c->line,
			        "attachment_quota: \"%s\" is not a size between 1K and 16T", value);
			c->problems++;
		} else {
			cfg->attachment_quota = v;
		}
		return 1;
	}
	if (IS("limits", "max_ops_per_push"))
		return set_u32(c, name, value, &cfg->max_ops_per_push, 1, 100000);
	if (IS("limits", "audit_events_per_minute"))
		return set_u32(c, name, value, &cfg->audit_events_per_minute, 1, 1000000);
	if (IS("limits", "audit_event_window_ms"))
		return set_u32(c, name, value, &cfg->audit_event_window_ms, 100, 3600000);
	if (IS("limits", "max_pull_limit"))
		return set_u32(c, name, value, &cfg->max_pull_limit, 1, 100000);
	if (IS("store", "map_size")) {
		uint64_t v;
		if (config_parse_size(value, &v) != 0 || v < 1024 * 1024) {
			problem(c->report, c->line, "map_size: \"%s\" is not a size of at least 1M", value);
			c->problems++;
		} else {
			cfg->map_size = v;
		}
		return 1;
	}
	if (IS("store", "tombstone_days"))
		return set_u32(c, name, value, &cfg->tombstone_days, 0, 36500);
	if (IS("store", "group_commit"))
		return set_bool(c, name, value, &cfg->group_commit);
	if (IS("committee", "warm")) {
		if (!strcmp(value, "on"))
			cfg->committee_warm = 1;
		else if (!strcmp(value, "off"))
			cfg->committee_warm = 0;
		else {
			problem(c->report, c->line, "warm: \"%s\" is not on or off", value);
			c->problems++;
		}
		return 1;
	}
#undef IS
	problem(c->report, c->line, "unknown setting \"%s\" in section [%s]", name, section);
	c->problems++;
	return 1;
}

int config_load(hearthd_config *cfg, const char *path, config_report *report)
{
	struct load_ctx c = { cfg, report, NULL, 0, 0 };
	int rc;

	c.fp = fopen(path, "r");
	if (!c.fp) {
		problem(report, 0, "cannot open %s: %s", path, strerror(errno));
		return HEARTH_EIO;
	}
	rc = ini_parse_stream(count_lines, &c, on_value, &c);
	fclose(c.fp);
	if (rc > 0) {
		problem(report, rc, "syntax error (expected [section] or name = value)");
		c.problems++;
	}
	return c.problems ? HEARTH_EINVAL : 0;
}

/* what names the setting as the operator writes it: "tls key" is [tls] key
 * in the file, flag is the command-line form. */
static int need_file(config_report *r, const char *what, const char *flag, const char *path)
{
	if (!path[0]) {
		problem(r, 0, "%s: no file given; set it in the config or with %s", what, flag);
		return -1;
	}
	if (access(path, R_OK) != 0) {
		problem(r, 0, "%s: cannot read %s: %s; set it in the config or with %s", what, path,
		        strerror(errno), flag);
		return -1;
	}
	return 0;
}

/* Whether dir or one of its parents holds a .git entry (a checkout). */
static int in_git_checkout(const char *dir)
{
	char d[PATH_MAX + 8];
	struct stat st;
	snprintf(d, sizeof(d), "%s", dir);
	for (;;) {
		size_t n = strlen(d);
		char probe[PATH_MAX + 16];
		snprintf(probe, sizeof(probe), "%s/.git", n == 1 ? "" : d);
		if (lstat(probe, &st) == 0)
			return 1;
		char *slash = strrchr(d, '/');
		if (!slash || n == 1)
			return 0;
		if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* A private key from certs/dev or from inside a git checkout is a
 * developer's key: a production server must never run on it by accident.
 * Both the path as given (certs/dev is a symlink in a checkout) and the
 * resolved one are looked at. */
static void refuse_dev_key(config_report *r, const char *what, const char *flag, const char *path)
{
	char abs[PATH_MAX], dir[PATH_MAX];
	const char *why = NULL;

	if (strstr(path, "certs/dev/"))
		why = "it is under a certs/dev directory";
	if (!why && realpath(path, abs)) {
		if (strstr(abs, "/certs/dev/"))
			why = "it is under a certs/dev directory";
		snprintf(dir, sizeof(dir), "%s", abs);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		if (!why && in_git_checkout(dir))
			why = "it is inside a git checkout";
	}
	if (!why) {
		const char *slash = strrchr(path, '/');
		if (slash && (size_t)(slash - path) < sizeof(dir)) {
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
			if (dir[0] && in_git_checkout(dir))
				why = "it is inside a git checkout";
		} else if (!slash && getcwd(dir, sizeof(dir)) && in_git_checkout(dir)) {
			why = "it is inside a git checkout";
		}
	}
	if (why)
		problem(r, 0,
		        "%s: %s is a development key (%s); give the server's own key with %s or in the "
		        "config, or start with --dev (dev = true in [server]) to run on development keys",
		        what, path, why, flag);
}

int config_validate(const hearthd_config *cfg, config_report *report)
{
	int before = report->count;

	need_file(report, "tls cert", "--cert", cfg->cert);
	if (need_file(report, "tls key", "--key", cfg->key) == 0 && !cfg->dev)
		refuse_dev_key(report, "tls key", "--key", cfg->key);
	need_file(report, "tls ca", "--ca", cfg->ca);
	if (cfg->crl[0])
		need_file(report, "tls crl", "--crl", cfg->crl);
	if (cfg->audit_key[0] && need_file(report, "audit key", "--audit-key", cfg->audit_key) == 0 && !cfg->dev)
		refuse_dev_key(report, "audit key", "--audit-key", cfg->audit_key);
	if (!cfg->org[0])
		problem(report, 0, "org: must not be empty");
	if (cfg->max_preauth_per_addr > cfg->max_preauth)
		problem(report, 0,
		        "max_preauth_per_addr (%u) is larger than max_preauth (%u); lower it or raise max_preauth",
		        cfg->max_preauth_per_addr, cfg->max_preauth);
	if (cfg->partial_frame_budget < cfg->max_frame)
		problem(report, 0,
		        "partial_frame_budget (%" PRIu64 ") is smaller than max_frame (%u); raise it",
		        cfg->partial_frame_budget, cfg->max_frame);
	if (cfg->output_cap < cfg->max_frame / 4)
		problem(report, 0, "output_cap (%u) is smaller than a quarter of max_frame (%u)",
		        cfg->output_cap, cfg->max_frame);
	return report->count > before ? HEARTH_EINVAL : 0;
}
