#!/bin/sh
# Installs the Debian packages hearth needs, only those missing.
# Runs apt-get as root, or through sudo when not root.
set -eu

PKGS="build-essential cmake pkg-config openssl libuv1-dev libprotobuf-c-dev protobuf-c-compiler \
liblmdb-dev lmdb-utils libssl-dev libcmocka-dev libinih-dev clang libclang-rt-dev \
scdoc man-db chromium fonts-noto-cjk testssl.sh"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps.sh: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
