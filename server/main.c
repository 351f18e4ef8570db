/* main.c: hearthd's command line: settings, then run the server. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/db/backup.h"
#include "server/db/check.h"
#include "server/db/recovery.h"
#include "server/db/store.h"
#include "server/config.h"
#include "common/hearth.h"
#include "common/log.h"
#include "server/hearthd.h"
#include "common/audit.h"
#include "common/i18n.h"
#include "server/db/audit_log.h"
#include "server/audit_keys.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: hearthd [options]\n"
	        "       hearthd backup --data DIR --to FILE\n"
	        "       hearthd restore --from FILE --data DIR [--force]\n"
	        "       hearthd check --data DIR\n"
	        "       hearthd recovery start --data DIR --audit-key KEY | end --data DIR\n"
	        "\n"
	        "The hearth committee server: TLS on libuv, LMDB store.\n"
	        "\n"
	        "options (flags override the config file):\n"
	        "  --config FILE         read settings from an INI file\n"
	        "  --check-config        check the settings and files, print every problem, exit\n"
	        "  --listen HOST:PORT    address to listen on (default 127.0.0.1:7443; port 0 picks one)\n"
	        "  --data DIR            store directory (default ./var)\n"
	        "  --cert FILE           server certificate (default /etc/hearth/server.pem)\n"
	        "  --key FILE            server private key (default /etc/hearth/server.key)\n"
	        "  --ca FILE             committee CA that client certificates must chain to\n"
	        "                        (default /etc/hearth/ca.pem)\n"
	        "  --crl FILE            certificate revocation list (optional)\n"
	        "  --org NAME            organisation in client URIs hearth://NAME/... (default demo)\n"
	        "  --map-size SIZE       LMDB map size, e.g. 4G (default 4G)\n"
	        "  --no-group-commit     one transaction (one fsync) per request; for benchmarks\n"
	        "  --audit-key FILE      Ed25519 key that signs audit checkpoints (default: DIR/audit-ed25519.key\n"
	        "                        of --data, made at the store's first start)\n"
	        "  --dev                 allow development keys (certs/dev, or inside a git checkout),\n"
	        "                        which are refused otherwise; for make run and tests\n"
	        "  --verify-audit        check the store's audit chain and checkpoints offline\n"
	        "                        (the server must not be running on --data); exit 0 sound, 1 damaged\n"
	        "  --branch ID=NAME      make sure this branch exists at start (repeatable),\n"
	        "                        e.g. --branch b001=第一党支部; admins add more with 'hearth admin branch add'\n"
	        "  --verbose             log debug events\n"
	        "  --help                show this help\n"
	        "  --version             print the version\n"
	        "\n"
	        "Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads certificates.\n"
	        "Exit status: 0 clean stop, 1 runtime failure, 2 bad usage or configuration.\n");
}

enum {
	OPT_CONFIG = 256, OPT_CHECK, OPT_LISTEN, OPT_DATA, OPT_CERT, OPT_KEY, OPT_CA, OPT_CRL,
	OPT_ORG, OPT_MAP, OPT_NOGC, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_AUDIT_KEY, OPT_VERIFY_AUDIT, OPT_BRANCH,
	OPT_DEV,
};

static const struct option opts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "crl", required_argument, NULL, OPT_CRL },
	{ "org", required_argument, NULL, OPT_ORG },
	{ "map-size", required_argument, NULL, OPT_MAP },
	{ "no-group-commit", no_argument, NULL, OPT_NOGC },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "dev", no_argument, NULL, OPT_DEV },
	{ "audit-key", required_argument, NULL, OPT_AUDIT_KEY },
	{ "verify-audit", no_argument, NULL, OPT_VERIFY_AUDIT },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int copy_opt(char *dst, size_t cap, const char *val, const char *flag)
{
	if (strlen(val) >= cap) {
		fprintf(stderr, "hearthd: %s: value longer than %zu bytes\n", flag, cap - 1);
		return -1;
	}
	snprintf(dst, cap, "%s", val);
	return 0;
}

static void print_report(const char *path, const config_report *r)
{
	for (int i = 0; i < r->count; i++) {
		if (r->problems[i].line > 0)
			fprintf(stderr, "%s:%d: %s\n", path, r->problems[i].line, r->problems[i].message);
		else
			fprintf(stderr, "hearthd: %s\n", r->problems[i].message);
	}
}

/* hearthd --verify-audit: the offline check of the chain and of every
 * stored checkpoint (signatures checked with the public half of the
 * configured key when it can be read). */
static int verify_audit(const hearthd_config *cfg)
{
	char msg[512], err[1400];
	uint64_t entries = 0, bad = 0;
	uint8_t pub[AUDIT_KEY_LEN];
	char key_path[1200];
	EVP_PKEY *key = NULL;
	int have_pub, rc;

	if (audit_keys_key_path(cfg->audit_key, cfg->data_dir, key_path, sizeof(key_path)) == 0)
		key = audit_load_key(key_path, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "%s", _("the audit key's path is too long"));
	have_pub = key && audit_public_key(key, pub) == 0;
	EVP_PKEY_free(key);
	/* A truncated file would be mapped and read past its end: SIGBUS. */
	if ((rc = store_precheck(cfg->data_dir, err, sizeof(err))) != 0) {
		fprintf(stderr, "hearthd: audit verification FAILED: %s\n", err);
		return 1;
	}
	if (!have_pub)
		fprintf(stderr, "hearthd: %s; checkpoint signatures are not checked\n", err);
	rc = audit_verify_store(cfg->data_dir, have_pub ? pub : NULL, &entries, &bad, msg, sizeof(msg));
	if (rc == 0) {
		printf("audit: %s (%s)\n", msg, cfg->data_dir);
		return 0;
	}
	if (bad)
		fprintf(stderr, "hearthd: audit verification FAILED at entry %llu: %s\n", (unsigned long long)bad, msg);
	else
		fprintf(stderr, "hearthd: audit verification FAILED: %s\n", msg);
	return 1;
}

int main(int argc, char **argv)
{
	hearthd_config cfg;
	config_report report = { .count = 0 };
	const char *config_path = NULL;
	int check = 0, file_bad = 0, verify = 0;
	int c;

	/* A fixed threshold: blocks of 256 KiB and more (the arenas of a
	 * committee snapshot, which hold a whole branch's records for a moment,
	 * common/arena.c) are mapped and unmapped by themselves, so their pages
	 * go back to the system when the snapshot is freed. glibc's default
	 * raises the threshold after the first such free and would keep them
	 * in the worker thread's heap for good. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	i18n_init();
	hearthd h;

	/* Operator subcommands run on their own, without the server's settings. */
	if (argc > 1 && !strcmp(argv[1], "backup")) {
		int rc = backup_main(argc - 1, argv + 1);
		if (rc == 0)
			audit_keys_backup_reminder(stdout, argc - 1, argv + 1);
		return rc;
	}
	if (argc > 1 && !strcmp(argv[1], "restore"))
		return restore_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "check"))
		return check_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "recovery"))
		return recovery_main(argc - 1, argv + 1);

	config_defaults(&cfg);
	/* First pass: find the config file so flags can override it. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_CONFIG)
			config_path = optarg;
		else if (c == OPT_CHECK)
			check = 1;
		else if (c == OPT_HELP) {
			usage(stdout);
			return 0;
		} else if (c == OPT_VERSION) {
			printf("hearthd %s (protocol %d.%d)\n", HEARTH_VERSION, HEARTH_PROTOCOL_MAJOR,
			       HEARTH_PROTOCOL_MINOR);
			return 0;
		}
	}
	if (config_path && config_load(&cfg, config_path, &report) != 0) {
		print_report(config_path, &report);
		/* --check-config reports everything below too; a plain start stops here. */
		if (!check)
			return 2;
		report.count = 0;
		file_bad = 1;
	}
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;
		uint64_t sz;
		switch (c) {
		case OPT_CONFIG:
		case OPT_HELP:
		case OPT_VERSION:
		case OPT_CHECK:
			break;
		case OPT_LISTEN:
			if (config_parse_listen(&cfg, optarg) != 0) {
				fprintf(stderr, "hearthd: --listen: \"%s\" is not HOST:PORT (e.g. 127.0.0.1:7443)\n", optarg);
				bad = 1;
			}
			break;
		case OPT_DATA: bad = copy_opt(cfg.data_dir, sizeof(cfg.data_dir), optarg, "--data"); break;
		case OPT_CERT: bad = copy_opt(cfg.cert, sizeof(cfg.cert), optarg, "--cert"); break;
		case OPT_KEY: bad = copy_opt(cfg.key, sizeof(cfg.key), optarg, "--key"); break;
		case OPT_CA: bad = copy_opt(cfg.ca, sizeof(cfg.ca), optarg, "--ca"); break;
		case OPT_CRL: bad = copy_opt(cfg.crl, sizeof(cfg.crl), optarg, "--crl"); break;
		case OPT_ORG: bad = copy_opt(cfg.org, sizeof(cfg.org), optarg, "--org"); break;
		case OPT_MAP:
			if (config_parse_size(optarg, &sz) != 0 || sz < 1024 * 1024) {
				fprintf(stderr, "hearthd: --map-size: \"%s\" is not a size of at least 1M (e.g. 4G)\n", optarg);
				bad = 1;
			} else {
				cfg.map_size = sz;
			}
			break;
		case OPT_NOGC: cfg.group_commit = 0; break;
		case OPT_VERBOSE: cfg.verbose = 1; break;
		case OPT_DEV: cfg.dev = 1; break;
		case OPT_AUDIT_KEY: bad = copy_opt(cfg.audit_key, sizeof(cfg.audit_key), optarg, "--audit-key"); break;
		case OPT_VERIFY_AUDIT: verify = 1; break;
		case OPT_BRANCH:
			if (cfg.n_preset_branches >= (int)HEARTH_ARRAY_LEN(cfg.preset_branches)) {
				fprintf(stderr, "hearthd: too many --branch flags (at most 64)\n");
				bad = 1;
			} else {
				cfg.preset_branches[cfg.n_preset_branches++] = optarg;
			}
			break;
		default:
			fprintf(stderr, "hearthd: try 'hearthd --help'\n");
			return 2;
		}
		if (bad)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "hearthd: unexpected argument \"%s\"; try 'hearthd --help'\n", argv[optind]);
		return 2;
	}
	if (cfg.verbose)
		log_set_level(LOG_DEBUG);
	if (verify)
		return verify_audit(&cfg);

	if (config_validate(&cfg, &report) != 0 || file_bad) {
		print_report(config_path ? config_path : "hearthd", &report);
		return 2;
	}
	if (check) {
		printf("configuration OK\n");
		return 0;
	}

	if (hearthd_init(&h, uv_default_loop(), &cfg) != 0)
		return 1;
	hearthd_run(&h);
	hearthd_free(&h);
	uv_loop_close(uv_default_loop());
	log_event(LOG_INFO, "stopped", NULL);
	return 0;
}
