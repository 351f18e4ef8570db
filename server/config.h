/* config.h: hearthd's settings: safe defaults, the INI file, then flags.
 *
 * Precedence: built-in defaults < config file < command-line flags. */
#ifndef HEARTHD_CONFIG_H
#define HEARTHD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct hearthd_config {
	char listen_host[256];
	int listen_port;
	char data_dir[1024];
	char cert[1024];
	char key[1024];
	char ca[1024];
	char crl[1024];             /* empty: no CRL */
	char audit_key[1024];       /* Ed25519 private key that signs checkpoints; empty: the
	                             * data directory's (server/audit_keys.h) */
	char org[128];

	uint32_t max_connections;
	uint32_t max_preauth;           /* of those, not yet through TLS and Hello (at most max_connections) */
	uint32_t max_preauth_per_addr;  /* of those, from one IP address */
	uint32_t handshake_timeout_ms;  /* TLS handshake and Hello must finish within this */
	uint32_t idle_timeout_ms;       /* no complete frame for this long closes the connection */
	uint32_t max_frame;             /* bytes; frames above are ERR_TOO_LARGE */
	uint32_t output_cap;            /* bytes queued to a client before we stop reading it */
	uint64_t partial_frame_budget;  /* bytes all partial frames may hold together */
	uint32_t max_inflight;          /* requests in progress per connection */
	uint32_t max_ops_per_push;
	uint64_t attachment_max_size;   /* bytes of one attachment (issue 18) */
	uint64_t attachment_quota;      /* bytes of attachment content one branch may hold */
	uint32_t max_pull_limit;        /* records per pull page */
	uint32_t audit_events_per_minute; /* per principal; the rest is one coalesced entry */
	uint32_t audit_event_window_ms; /* the budget's window; 60000 (tests shorten it) */
	uint64_t map_size;              /* LMDB map size in bytes */
	uint32_t tombstone_days;        /* deleted records stay this long, then are purged */
	int group_commit;               /* 0: one transaction (one fsync) per request */
	int committee_warm;             /* [committee] warm: keep the committee's answer warm (committee.h) */
	char *preset_branches[64];      /* --branch ID=NAME: made sure to exist at start (argv strings) */
	int n_preset_branches;
	int verbose;
	int dev;                        /* --dev / dev = true: development keys are allowed */
} hearthd_config;

/* One problem found while reading a config file, for --check-config. */
typedef struct config_problem {
	int line;                       /* 0 when not tied to a line */
	char message[256];
} config_problem;

#define CONFIG_MAX_PROBLEMS 64

typedef struct config_report {
	config_problem problems[CONFIG_MAX_PROBLEMS];
	int count;
} config_report;

/* Fills cfg with the defaults: 127.0.0.1:7443, ./var, TLS key and
 * certificates in /etc/hearth (the installed paths; a checkout's certs/dev
 * only when given), no audit key (the data directory's own). */
void config_defaults(hearthd_config *cfg);

/* Reads an INI file over cfg. Every problem (unknown section or key, bad
 * value, syntax error) is added to report with its line. Returns 0 when the
 * file was read with no problems, HEARTH_EIO when it cannot be opened,
 * HEARTH_EINVAL when there were problems. */
int config_load(hearthd_config *cfg, const char *path, config_report *report);

/* Parses "HOST:PORT", "[v6]:PORT" or ":PORT". Returns 0 or HEARTH_EINVAL. */
int config_parse_listen(hearthd_config *cfg, const char *s);

/* Parses a size with an optional K/M/G suffix (powers of 1024). */
int config_parse_size(const char *s, uint64_t *out);

/* Checks cross-field rules (files exist and are readable, limits sane; the
 * TLS and audit private keys are not development keys, from certs/dev or a
 * git checkout, unless cfg->dev).
 * Adds problems to report; returns 0 or HEARTH_EINVAL. */
int config_validate(const hearthd_config *cfg, config_report *report);

#endif
