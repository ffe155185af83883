#!/usr/bin/env bash
# Install everything the tests and the demo need, from nothing, idempotently:
#   1. Debian packages listed in scripts/apt-packages.txt (only the missing ones);
#   2. the Python virtualenv .venv from the fully pinned requirements.txt;
#   3. the lab tool (lab/) installed editable into it: the `lvslab` command.
# Re-running is cheap: each step is skipped when its stamp matches its inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

log() { printf '[bootstrap] %s\n' "$*"; }

install_apt() {
    local want=() pkg
    while read -r pkg; do
        pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
        [ -n "$pkg" ] || continue
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || want+=("$pkg")
    done < scripts/apt-packages.txt
    [ ${#want[@]} -eq 0 ] && { log "Debian packages: all present"; return; }
    if [ "$(id -u)" -ne 0 ]; then
        log "missing Debian packages: ${want[*]}"
        log "run as root, or: sudo apt-get install ${want[*]}"
        exit 1
    fi
    log "installing Debian packages: ${want[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # keepalived is here for its config test only (tests/integration/host): a keepalived
    # daemon on the controller would send VRRP on its networks. While the packages install,
    # a policy-rc.d that refuses every start (exit 101, invoke-rc.d's "action forbidden")
    # keeps the package's postinst from starting it; afterwards the unit is disabled and
    # stopped, so it does not start at boot either. An existing policy-rc.d is left alone.
    local policy=/usr/sbin/policy-rc.d own_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# lvs.cluster bootstrap.sh: no service starts while packages install\nexit 101\n' > "$policy"
        chmod 0755 "$policy"
        own_policy=1
    fi
    apt-get update -qq
    local rc=0
    apt-get install -y -qq --no-install-recommends "${want[@]}" </dev/null || rc=$?
    [ -n "$own_policy" ] && rm -f "$policy"
    [ "$rc" -eq 0 ] || exit "$rc"
    if printf '%s\n' "${want[@]}" | grep -qx keepalived && [ -d /run/systemd/system ]; then
        systemctl disable --now keepalived.service >/dev/null 2>&1 || true
        log "keepalived installed for its config test only: service disabled and stopped"
    fi
}

install_venv() {
    local stamp="$VENV/.requirements.sha256" want
    want=$(sha256sum requirements.txt | cut -d' ' -f1)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        log "virtualenv $VENV: up to date"
        return
    fi
    log "creating virtualenv $VENV from requirements.txt"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    if ! "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt >"$VENV/pip-install.log" 2>&1; then
        grep -v "is ignored: it is neither a file nor a directory" "$VENV/pip-install.log" >&2
        log "pip install failed (full log: $VENV/pip-install.log)"
        exit 1
    fi
    "$VENV/bin/python" -c 'import ansible, ansible_collections.ansible.posix, ansible_collections.community.general, ansible_collections.ansible.utils'
    echo "$want" > "$stamp"
}

install_lab() {
    # Editable, so the venv runs lab/ as it is in the checkout; no download (--no-deps, and
    # the build backend is the venv's pinned setuptools). install_venv removes the venv, and
    # this stamp with it, whenever it recreates it.
    local stamp="$VENV/.lab.sha256" want
    want=$( { pwd; cat lab/pyproject.toml; } | sha256sum | cut -d' ' -f1)
    if [ -x "$VENV/bin/lvslab" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        log "lab tool: installed"
        return
    fi
    log "installing the lab tool (lab/, editable) into $VENV"
    if ! "$VENV/bin/pip" install -q --disable-pip-version-check --no-index --no-deps --no-build-isolation -e lab \
            >"$VENV/pip-install-lab.log" 2>&1; then
        cat "$VENV/pip-install-lab.log" >&2
        log "pip install -e lab failed (full log: $VENV/pip-install-lab.log)"
        exit 1
    fi
    "$VENV/bin/lvslab" --help >/dev/null
    echo "$want" > "$stamp"
}

link_collection() {
    # ansible.cfg points collections_path at build/collections: the checkout itself is
    # linked there as lvs.cluster, so playbooks, molecule and the demo run the working tree.
    # (`make check-build` separately proves the built tarball installs and documents.)
    local link=build/collections/ansible_collections/lvs/cluster
    mkdir -p "$(dirname "$link")"
    [ "$(readlink "$link" 2>/dev/null)" = "../../../.." ] || { rm -rf "$link"; ln -s ../../../.. "$link"; }
}

case "${1:-all}" in
    apt) install_apt ;;
    venv) install_venv; install_lab ;;
    all) install_apt; install_venv; install_lab; link_collection ;;
    *) echo "usage: $0 [apt|venv|all]" >&2; exit 2 ;;
esac
