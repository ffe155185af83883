#!/usr/bin/env bash
# Prove the built tarball is what users get: it installs into an empty collections
# path, offline, and every module and role in it answers ansible-doc from there.
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
# Every role documents from the tarball: ansible-doc names each entry point of its argument spec.
roles=$(tar -tzf "$tarball" | sed -n 's|^roles/\([a-z0-9_]*\)/meta/argument_specs\.yml$|\1|p' | sort)
[ -n "$roles" ] || { echo "check-build: no role argument specs in $tarball" >&2; exit 1; }
for r in $roles; do
    out=$(ANSIBLE_NOCOLOR=1 ANSIBLE_COLLECTIONS_PATH="$dest" ANSIBLE_CONFIG="$dest/ansible.cfg" ansible-doc -t role "lvs.cluster.$r" 2>&1)
    grep -q "^> ROLE: \*lvs\.cluster\.$r\* " <<<"$out" || { echo "check-build: ansible-doc -t role lvs.cluster.$r failed:" >&2; echo "$out" >&2; exit 1; }
    entries=$(python3 -c 'import sys, yaml; print(" ".join(yaml.safe_load(open(sys.argv[1]))["argument_specs"]))' "$dest/ansible_collections/lvs/cluster/roles/$r/meta/argument_specs.yml")
    for e in $entries; do
        grep -q "^ENTRY POINT: \*$e\* " <<<"$out" || { echo "check-build: ansible-doc -t role lvs.cluster.$r lacks entry point $e" >&2; exit 1; }
    done
    echo "check-build: role lvs.cluster.$r documents its entry points ($entries) from $tarball"
done
