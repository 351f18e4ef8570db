#!/bin/sh
# check.sh: fails when po/zh_CN.po lacks a msgid marked in the source, or
# holds one untranslated or fuzzy, or does not pass msgfmt --check, so the
# Chinese catalog stays complete as strings are added.
#
# usage: po/check.sh SRCDIR WORKDIR
set -eu
src=$1
work=$2
mkdir -p "$work"
sh "$src/po/xgettext.sh" "$src" "$work/now.pot"
msgfmt --check --output-file=/dev/null "$src/po/zh_CN.po"
# msgcmp counts fuzzy and untranslated entries of zh_CN.po as missing.
if ! msgcmp "$src/po/zh_CN.po" "$work/now.pot"; then
	echo "po/zh_CN.po is incomplete: translate the messages named above" >&2
	echo "(make pot refreshes po/hearth.pot and merges it into po/zh_CN.po)" >&2
	exit 1
fi
echo "po/zh_CN.po translates every marked msgid"
