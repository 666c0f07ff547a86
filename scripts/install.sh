#!/usr/bin/env bash
# Create the project virtualenv (.venv) and install requirements.txt into it.
# pip runs only when requirements.txt changed since the last successful
# install (its hash is kept in .venv/.requirements.sha256), so this is cheap
# to call before every make target.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
cd "$SCRIPTS/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.requirements.sha256

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating virtualenv in $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 ships without ensurepip unless python3-venv is in.
        "$SCRIPTS/system-packages.sh" python3-venv
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    rm -f "$STAMP"
fi

want=$(sha256sum requirements.txt | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)

if [ "$want" != "$have" ]; then
    # python-ldap (directory sign-in) has no wheels: it compiles against OpenLDAP's and Cyrus SASL's headers.
    "$SCRIPTS/system-packages.sh" gcc python3-dev libldap2-dev libsasl2-dev
    echo "Installing requirements.txt into $VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r requirements.txt
    # Written only after pip succeeded, so a failed install is retried.
    echo "$want" >"$STAMP"
fi
