#!/bin/sh
# update.sh: refreshes po/hearth.pot from the source and merges it into
# po/zh_CN.po (new msgids appear untranslated, changed ones fuzzy), the one
# step before translating.  usage: po/update.sh SRCDIR
set -eu
src=$1
sh "$src/po/xgettext.sh" "$src" "$src/po/hearth.pot"
msgmerge --quiet --update --backup=none --sort-by-file "$src/po/zh_CN.po" "$src/po/hearth.pot"
