#!/bin/sh
# Refreshes the explorer's third-party files in npm/ from the npm registry
# (`make explorer-assets`). Each package's tarball is checked against the
# integrity hash the registry publishes for it; the files the page needs are
# taken from it, with its LICENSE, and their SHA-256 sums written to
# npm/SOURCES (`cd server/explorer/npm && sha256sum -c SOURCES` checks them,
# and so does TestExplorerAssetsMatchSources).
#
# GraphiQL 4 is its last major version with a UMD build (5 publishes ES
# modules only), and React 18 the last with one (19 has none).
set -eu

# package version files...
PINS='
graphiql 4.1.2 graphiql.min.js graphiql.min.css
react 18.3.1 umd/react.production.min.js
react-dom 18.3.1 umd/react-dom.production.min.js
'

cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/npm"
sources="$work/npm/SOURCES"
echo '# Written by refresh.sh (make explorer-assets): do not edit.' >"$sources"

echo "$PINS" | while read -r pkg version files; do
	[ -n "$pkg" ] || continue
	tarball=$(npm view "$pkg@$version" dist.tarball)
	want=$(npm view "$pkg@$version" dist.integrity)
	curl -fsSL --retry 3 -o "$work/$pkg.tgz" "$tarball"
	got="sha512-$(openssl dgst -sha512 -binary "$work/$pkg.tgz" | base64 -w0)"
	if [ "$got" != "$want" ]; then
		echo "refresh.sh: $tarball has integrity $got, the registry says $want" >&2
		exit 1
	fi
	echo "# $pkg@$version $tarball $want" >>"$sources"
	mkdir "$work/$pkg" "$work/npm/$pkg"
	for f in LICENSE $files; do
		tar -xzf "$work/$pkg.tgz" -C "$work/$pkg" "package/$f"
		cp "$work/$pkg/package/$f" "$work/npm/$pkg/"
	done
	for f in $files; do
		(cd "$work/npm" && sha256sum "$pkg/$(basename "$f")") >>"$sources"
	done
done

rm -rf npm
cp -R "$work/npm" npm
echo "explorer assets refreshed:"
grep '^#' npm/SOURCES | tail -n +2
