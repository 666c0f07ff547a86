#!/usr/bin/env bash
# Install the Debian packages given as arguments, skipping those already
# installed. Runs `apt-get update` at most once, and only if something is
# actually missing, so repeated calls are cheap and work offline.
#
# Usage: scripts/system-packages.sh postgresql redis-server chromium
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 PACKAGE..." >&2
    exit 2
fi

missing=()
for pkg in "$@"; do
    # dpkg-query prints "install ok installed" only for fully installed
    # packages; half-configured or removed ones count as missing.
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

# Root runs apt-get directly; anyone else goes through sudo.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing system packages: ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
# Recommended packages are kept (apt's default): Chromium's include the
# fonts-liberation and Mesa packages that pages and screenshots rely on.
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
