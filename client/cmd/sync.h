/* sync.h: the commands that move a replica's changes to and from hearthd
 * and show what it holds: sync, status, conflicts, resolve (sync.c).
 *
 * Each is a cli_fn: it parses its own options (argv[0] is the command
 * name), prints for people on stdout (or JSON with --json), errors on
 * stderr as "hearth: ...", and returns an exit code from cli.h. */
#ifndef HEARTH_SYNC_H
#define HEARTH_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "client/cmd/cli.h"

/* hearth sync [--json] [--batch N] [--page N] [--branch ID] */
int cmd_sync(cli *c, int argc, char **argv);

/* hearth status [--json] (offline) */
int cmd_status(cli *c, int argc, char **argv);

/* hearth conflicts [--json] (offline) */
int cmd_conflicts(cli *c, int argc, char **argv);

/* The open conflicts of the replica, oldest first, as `hearth conflicts`
 * prints them (json: an array), keeping only branch's when branch is not
 * NULL; show_branch adds each conflict's branch to the human output (the
 * admin console's queue spans branches). cmd prefixes error messages.
 * Returns an exit code. */
int sync_print_conflicts(cli *c, const char *cmd, const char *branch, int json, int show_branch);

/* hearth resolve CONFLICT (--keep mine|theirs | --set FIELD=VALUE ...) (offline) */
int cmd_resolve(cli *c, int argc, char **argv);

/* A record field's encoded bytes (tag included, as in a fieldmap, a
 * conflict or an audit change) for people: enum labels, yes/no, ids as
 * text, lists comma-separated, "(empty)" for none. k may be NULL (then
 * "(unknown field)"). Returns a malloc'd string or NULL (out of memory). */
struct kind_info;
char *sync_field_text(const struct kind_info *k, uint32_t field, const uint8_t *bytes, size_t len);

#endif
