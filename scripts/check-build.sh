#!/usr/bin/env bash
# Prove the built tarball is what users get: it installs into an empty collections
# path, offline, and every module in it answers ansible-doc from there.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls build/lvs-cluster-*.tar.gz)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
ansible-galaxy collection install --force --offline --no-deps -p "$dest" "$tarball" >/dev/null
[ -f "$dest/ansible_collections/lvs/cluster/MANIFEST.json" ] || { echo "check-build: $tarball did not install into $dest" >&2; exit 1; }
modules=$(tar -tzf "$tarball" | sed -n 's|^plugins/modules/\([a-z0-9_]*\)\.py$|\1|p' | sort)
[ -n "$modules" ] || { echo "check-build: no modules in $tarball" >&2; exit 1; }
# An empty configuration, so the repository's ansible.cfg (which links the working
# tree as the collection) cannot satisfy the lookup instead of the tarball.
printf '[defaults]\n' > "$dest/ansible.cfg"
for m in $modules; do
    # ansible-doc exits 0 with only a warning when a module is missing: check its text.
    out=$(ANSIBLE_NOCOLOR=1 ANSIBLE_COLLECTIONS_PATH="$dest" ANSIBLE_CONFIG="$dest/ansible.cfg" ansible-doc -t module "lvs.cluster.$m" 2>&1)
    grep -q "^> MODULE lvs.cluster.$m " <<<"$out" || { echo "check-build: ansible-doc lvs.cluster.$m failed:" >&2; echo "$out" >&2; exit 1; }
    echo "check-build: lvs.cluster.$m documents from $tarball"
done
