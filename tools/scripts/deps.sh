#!/usr/bin/env bash
# Install what the project needs from Debian 12, only when something is missing.
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools
	libmbedtls-dev libcjson-dev libcmocka-dev
	openssl jq util-linux procps
	zlib1g-dev libsqlite3-dev sqlite3 libmicrohttpd-dev libgnutls28-dev libhttp-parser-dev libzopfli-dev curl
	libqrencode-dev libcairo2-dev libpango1.0-dev libpng-dev fonts-ipafont-gothic
	fonts-ipafont-mincho fonts-noto-cjk zbar-tools poppler-utils libcups2-dev cups-ipp-utils
	avahi-daemon dbus libnfc-dev libnfc-bin
	libsdl2-dev espeak-ng libsystemd-dev strace libubootenv-tool
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
