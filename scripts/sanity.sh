#!/usr/bin/env bash
# Run `ansible-test sanity` on the collection.
# ansible-test needs the collection at .../ansible_collections/lvs/cluster as a real
# directory (a symlink is rejected), so the tracked files are copied to
# build/ansible_collections/lvs/cluster first. Workarounds for running without
# Docker and without ansible-test's own download of pip are kept here, once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
# SANITY_DEST lets two runs at once work in separate copies.
DEST=${SANITY_DEST:-$ROOT/build/ansible_collections/lvs/cluster}
case "$DEST" in */ansible_collections/lvs/cluster) ;; *) echo "sanity.sh: SANITY_DEST must end in ansible_collections/lvs/cluster" >&2; exit 2 ;; esac

rm -rf "$DEST"
mkdir -p "$DEST"
# Only what git tracks (plus new files not ignored): never .venv, build or the lab cache.
git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ "$DEST/"
cd "$DEST"
# ansible-test reads the file list from git when it finds a repository, so give it one.
git init -q . && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity

export PATH="$VENV/bin:$PATH"
# ansible-test downloads a get-pip script unless one is cached: put our offline
# stand-in in the cache under the name of every pip version it may ask for.
pip_versions=$(grep -ohE "pip='[0-9.]+'" "$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | tr -dc "0-9.\n'" | tr -d "'")
[ -n "$pip_versions" ] || { echo "sanity.sh: cannot find the pip version ansible-test pins" >&2; exit 1; }
mkdir -p "$HOME/.ansible/test/cache"
for v in $pip_versions; do
    cp "$ROOT/scripts/ansible-test-get-pip.py" "$HOME/.ansible/test/cache/get_pip_${v//./_}.py"
done
# --venv: each sanity test runs in a virtualenv that ansible-test builds from its own
# pinned requirements (PyPI is reachable; the pip bootstrap download is not needed
# because the venv module ships pip). Only the controller Python is used: the others
# are not installed here, and that is what ansible-test reports as skipped.
# The sanity venvs live in ~/.ansible/test/venv, shared by every run on the machine: a second
# run at the same time uninstalls pip from a venv the first one is using ("does not have pip
# available", seen with two checkouts at once). One run at a time.
exec flock "$HOME/.ansible/test/.lvs-cluster-sanity.lock" ansible-test sanity --venv --python 3.11 --color no "$@"
