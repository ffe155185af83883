#!/usr/bin/env bash
# Prove the built tarball is what users get: it installs into an empty collections
# path, offline, and every module in it answers ansible-doc from there.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls build/lvs-cluster-*.tar.gz)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
ansible-galaxy collection install --offline --no-deps -p "$dest" "$tarball" >/dev/null
modules=$(tar -tzf "$tarball" | sed -n 's|^plugins/modules/\([a-z0-9_]*\)\.py$|\1|p' | sort)
[ -n "$modules" ] || { echo "check-build: no modules in $tarball" >&2; exit 1; }
for m in $modules; do
    ANSIBLE_COLLECTIONS_PATH="$dest" ANSIBLE_CONFIG=/dev/null ansible-doc -t module "lvs.cluster.$m" >/dev/null
    echo "check-build: lvs.cluster.$m documents from $tarball"
done
