#!/usr/bin/env bash
# Re-create static/vendor/ from the npm registry. Not part of the build: the
# result is committed, so neither the app nor CI needs npm. Run it by hand
# after changing a version below, then update static/vendor/README.md.
#
# Needs node/npm. Only the dist files and each package's LICENSE are kept.
set -euo pipefail

BOOTSTRAP_VERSION=5.3.9
BOOTSTRAP_ICONS_VERSION=1.13.2
ECHARTS_VERSION=5.6.0

cd "$(dirname "$0")/.."
DEST=$(pwd)/static/vendor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Download PACKAGE@VERSION as a tarball and unpack it to $WORK/NAME/package.
fetch() {
    local name=$1 spec=$2 tarball
    mkdir -p "$WORK/$name"
    tarball=$(cd "$WORK/$name" && npm pack --silent "$spec")
    tar -xzf "$WORK/$name/$tarball" -C "$WORK/$name"
    echo "$WORK/$name/package"
}

# Drop the trailing `/*# sourceMappingURL=... */` or `//# sourceMappingURL=...`
# comment: the .map files are not vendored, so browsers would ask for them.
strip_source_map() {
    sed -i -E '/^\/[*\/]# sourceMappingURL=[^ ]*( \*\/)?$/d' "$1"
}

rm -rf "$DEST/bootstrap" "$DEST/bootstrap-icons" "$DEST/echarts"
mkdir -p "$DEST/bootstrap" "$DEST/bootstrap-icons/fonts" "$DEST/echarts"

pkg=$(fetch bootstrap "bootstrap@$BOOTSTRAP_VERSION")
cp "$pkg/dist/css/bootstrap.min.css" "$pkg/dist/js/bootstrap.bundle.min.js" \
    "$pkg/LICENSE" "$DEST/bootstrap/"
strip_source_map "$DEST/bootstrap/bootstrap.min.css"
strip_source_map "$DEST/bootstrap/bootstrap.bundle.min.js"

# The icon CSS loads its fonts from ./fonts/, so keep that layout.
pkg=$(fetch bootstrap-icons "bootstrap-icons@$BOOTSTRAP_ICONS_VERSION")
cp "$pkg/font/bootstrap-icons.min.css" "$pkg/LICENSE" "$DEST/bootstrap-icons/"
cp "$pkg/font/fonts/bootstrap-icons.woff2" "$pkg/font/fonts/bootstrap-icons.woff" \
    "$DEST/bootstrap-icons/fonts/"

pkg=$(fetch echarts "echarts@$ECHARTS_VERSION")
cp "$pkg/dist/echarts.min.js" "$pkg/LICENSE" "$pkg/NOTICE" "$DEST/echarts/"
strip_source_map "$DEST/echarts/echarts.min.js"

# Nothing vendored may make the browser load anything from another host.
if grep -rEn 'url\(["'\'']?(https?:)?//|sourceMappingURL' "$DEST" --include='*.css' --include='*.js'; then
    echo "vendor.sh: a vendored file references an external URL (above)" >&2
    exit 1
fi

echo "Vendored into $DEST:"
(cd "$DEST" && find . -type f ! -name README.md | sort)
