#!/bin/sh
# xgettext.sh: writes the message template of every user-facing string in
# the tree (OUT, e.g. po/hearth.pot), so the pot target and the catalog
# check extract the same msgids the same way.
#
# usage: po/xgettext.sh SRCDIR OUT
# Marked strings: _() N_() P_(singular, plural) in the client and common/,
# and the reasons a record, an op or a request is refused with (the formats
# of record_refuse, refuse, op_reject and conn_send_error, in common/ and
# server/): the server sends those in English and the client shows them
# translated (client/core/reasons.c).
set -eu
# UTF-8 in, UTF-8 out, whatever the caller's locale.
export LC_ALL=C.UTF-8
src=$1
out=$2
cd "$src"
# Sorted, so the template does not change with the order of the file system.
files=$(find common client server/main.c server/db server/api server/loop -name '*.c' | LC_ALL=C sort)
# shellcheck disable=SC2086
xgettext --language=C --from-code=UTF-8 --package-name=hearth \
	--msgid-bugs-address=hearth --add-comments=TRANSLATORS: --sort-by-file \
	--keyword=_ --keyword=N_ --keyword=P_:1,2 \
	--keyword=record_refuse:3 --flag=record_refuse:3:c-format \
	--keyword=op_reject:4 --flag=op_reject:4:c-format \
	--keyword=refuse:3 --flag=refuse:3:c-format \
	--keyword=conn_send_error:6 --flag=conn_send_error:6:c-format \
	--output="$out" $files 2>"$out.err" || { cat "$out.err" >&2; rm -f "$out.err"; exit 1; }
# Its warnings are about non-ASCII msgids (Chinese status words the rules
# name), which are meant.
rm -f "$out.err"
