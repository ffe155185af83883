#!/usr/bin/env bash
# `make ee`: the execution-environment files are right, as far as this machine can prove it
# without a container engine (docs/awx.md):
#   1. ansible-builder introspect on the collection installed from the built tarball (with the
#      collections it depends on) finds the controller-side requirements of
#      meta/execution-environment.yml, and no target package;
#   2. ansible-builder create makes the build context of tests/ee/execution-environment.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls build/lvs-cluster-*.tar.gz)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ANSIBLE_COLLECTIONS_PATH="$work/collections" ansible-galaxy collection install --force --offline --no-deps -p "$work/collections" "$tarball" >/dev/null
# The dependencies as the ansible package ships them (ansible.posix, community.general, ansible.utils).
shipped=$(python -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__path__[0]))')
for dep in ansible/posix community/general ansible/utils; do
    mkdir -p "$work/collections/ansible_collections/${dep%/*}"
    ln -s "$shipped/ansible_collections/$dep" "$work/collections/ansible_collections/$dep"
done
ansible-builder introspect --sanitize --write-pip "$work/pip.txt" --write-bindep "$work/bindep.txt" "$work/collections" > "$work/introspect.txt"
cat "$work/pip.txt" "$work/bindep.txt"
fail() { echo "ee.sh: $*" >&2; echo "--- introspect:" >&2; cat "$work/introspect.txt" >&2; exit 1; }
grep -qx 'netaddr==1.3.0  # from collection lvs.cluster' "$work/pip.txt" || fail "netaddr of lvs.cluster missing from the Python requirements"
grep -qx 'openssh-client \[platform:dpkg\]  # from collection lvs.cluster' "$work/bindep.txt" || fail "openssh-client of lvs.cluster missing from the system requirements"
if grep -Eiq '^(ipvsadm|keepalived|prometheus|molecule|pytest|ansible-lint)' "$work/pip.txt" "$work/bindep.txt"; then
    fail "a target package or a test tool is in the execution environment's requirements"
fi
echo "ee.sh: introspect: $(grep -c . "$work/pip.txt") Python and $(grep -c . "$work/bindep.txt") system requirements, lvs.cluster's among them"

ctx="$work/context"
ansible-builder create -f tests/ee/execution-environment.yml -c "$ctx" --output-filename Containerfile > "$work/create.txt"
for f in Containerfile _build/requirements.yml _build/scripts/introspect.py _build/scripts/assemble; do
    [ -s "$ctx/$f" ] || { cat "$work/create.txt" >&2; echo "ee.sh: ansible-builder create made no $f" >&2; exit 1; }
done
grep -q 'ansible-galaxy collection install' "$ctx/Containerfile" || { echo "ee.sh: the Containerfile installs no collection" >&2; exit 1; }
grep -q 'introspect' "$ctx/Containerfile" || { echo "ee.sh: the Containerfile does not introspect the collections" >&2; exit 1; }
echo "ee.sh: create: build context with $(find "$ctx" -type f | wc -l) files ($(grep -c '^RUN' "$ctx/Containerfile") RUN steps)"
