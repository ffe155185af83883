#!/usr/bin/env bash
# `make demo`: build the lab (2 directors, 4 real servers in two pools, a client), roll the
# cluster out with playbooks/site.yml and inventories/lab, then show who is MASTER, the
# IPVS table and a handful of requests through the VIP with the backend that answered each.
# The lab stays up; take it down with: make lab-down TOPOLOGY=lab/topologies/demo.yml
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
export PATH="$VENV/bin:$PATH"
TOPOLOGY=lab/topologies/demo.yml
INVENTORY=inventories/lab
LAB=("$VENV/bin/lvslab")
REQUESTS=${REQUESTS:-8}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Lab: booting $TOPOLOGY (the base image is built on first use)"
"${LAB[@]}" up "$TOPOLOGY"
ansible -i "$INVENTORY" all -m ansible.builtin.wait_for_connection -a timeout=180 -o >/dev/null

say "Demo content: each real server's page names it (the demo's, not the roles')"
ansible -i "$INVENTORY" 'pool_blue:pool_green' -o -m ansible.builtin.copy \
    -a 'content="{{ inventory_hostname }}\n" dest=/var/www/html/index.html mode=0644' >/dev/null

say "Rollout: ansible-playbook -i $INVENTORY playbooks/site.yml"
ansible-playbook -i "$INVENTORY" playbooks/site.yml

# The VIPs and their services, read from the one declaration in the inventory.
mapfile -t SERVICES < <("$VENV/bin/python" - "$INVENTORY/group_vars/all/cluster.yml" <<'PY'
import sys, yaml
for svc in yaml.safe_load(open(sys.argv[1]))["lvs_services"]:
    sticky = ("persistence %ss: a client stays on one backend" % svc["persistence_timeout"]) if svc.get("persistence_timeout") else "no persistence"
    print("%s %s %s %s %s" % (svc["name"], svc["vip"], svc.get("port", 80), svc.get("scheduler", "wlc"), sticky))
PY
)
read -r _ FIRST_VIP _ _ <<<"${SERVICES[0]}"

say "Who is MASTER (the director that carries the VIPs)"
MASTER=""
for director in $(ansible -i "$INVENTORY" directors --list-hosts | tail -n +2); do
    addrs=$("${LAB[@]}" ssh "$TOPOLOGY" "$director" -- ip -o -4 addr show | awk '{print $4}' | tr '\n' ' ')
    if grep -q "$FIRST_VIP/32" <<<"$addrs"; then
        state=MASTER; MASTER=$director
    else
        state=BACKUP
    fi
    printf '  %-6s %-7s %s\n' "$director" "$state" "$addrs"
done
[ -n "$MASTER" ] || { echo "no director carries $FIRST_VIP" >&2; exit 1; }

say "IPVS table on $MASTER (ipvsadm -Ln)"
"${LAB[@]}" ssh "$TOPOLOGY" "$MASTER" -- ipvsadm -Ln

for entry in "${SERVICES[@]}"; do
    read -r name vip port scheduler sticky <<<"$entry"
    say "$REQUESTS requests from the lab client to service $name (http://$vip:$port/, scheduler $scheduler, $sticky)"
    "${LAB[@]}" client "$TOPOLOGY" -- sh -c \
        "for i in \$(seq $REQUESTS); do printf '  request %2d -> %s\n' \$i \"\$(curl -s -m 3 http://$vip:$port/ || echo FAILED)\"; done"
done

say "The lab stays up"
cat <<EOT
  shell on a guest:   make lab-ssh TOPOLOGY=$TOPOLOGY HOST=dir1
  client command:     .venv/bin/lvslab client $TOPOLOGY -- curl -s http://$FIRST_VIP/
  crash the MASTER:   .venv/bin/lvslab fault $TOPOLOGY $MASTER crash
  take it down:       make lab-down TOPOLOGY=$TOPOLOGY
EOT
