#!/bin/sh
# Installs the Debian packages hearth needs, only those missing.
# Runs apt-get as root, or through sudo when not root.
set -eu

PKGS="build-essential cmake pkg-config openssl libuv1-dev libprotobuf-c-dev protobuf-c-compiler \
liblmdb-dev lmdb-utils libssl-dev libcmocka-dev libinih-dev clang libclang-rt-dev \
scdoc man-db chromium fonts-noto-cjk testssl.sh \
gettext locales libmicrohttpd-dev libjansson-dev chromium-driver python3-selenium curl \
libxlsxwriter-dev libminizip-dev libexpat1-dev firefox-esr poppler-utils"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# The zh_CN.UTF-8 locale, in which the Chinese tests run (glibc shows the
# catalog's text only when the locale exists).
need_locale() { ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; }

if [ -z "$missing" ]; then
	need_locale || exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps.sh: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	echo "installing:$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
if need_locale; then
	echo "generating the zh_CN.UTF-8 locale"
	$SUDO sed -i 's/^# *zh_CN.UTF-8 UTF-8/zh_CN.UTF-8 UTF-8/' /etc/locale.gen
	grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen || echo 'zh_CN.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
	$SUDO locale-gen >/dev/null
fi
