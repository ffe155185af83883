"""Cross-host rules where keepalived 2.2.7 is the judge (issue 10, item 2); see test_keepalived_rules.py."""
from __future__ import annotations

from ansible_collections.lvs.cluster.tests.unit.plugins.module_utils.cluster.test_validate import SERVICES, run


def service(**keys):
    return [dict(SERVICES[0], **keys)]


def quorum_problems(problems):
    return [p for p in problems if ".quorum" in p]


# keepalived 2.2.7, quorum 2, real servers weight 1 and 0: rc 5,
# "Warning - quorum 2 for [203.0.113.10]:tcp:80 exceeds total weight of real servers 1, reducing quorum to 1";
# weights 1 and 0 with quorum 1 are accepted (rc 0).
def test_drain_below_quorum_names_service_hosts_and_fix():
    problems, _unused = run(services=service(quorum=3), rs1={"lvs_backend_weight": 0}, rs2={"lvs_backend_weights": {"web": 0}})
    assert quorum_problems(problems) == [
        "lvs_services (web).quorum: the real servers of web weigh 2 in total with rs1, rs2 at weight 0, below quorum 3; "
        "keepalived's config test refuses a quorum above the total weight. "
        "Fix: drain fewer hosts at once (lvs_backend_weight / lvs_backend_weights) or lower quorum to at most 2"]


def test_drain_within_quorum_is_fine():
    problems, _unused = run(services=service(quorum=3), rs1={"lvs_backend_weight": 0})
    assert problems == []


# keepalived 2.2.7, quorum 1, both real servers weight 0: rc 5,
# "Warning - quorum 1 for [203.0.113.10]:tcp:80 exceeds total weight of real servers 0, reducing quorum to 0".
def test_draining_every_backend_refused():
    drained = {"lvs_backend_weight": 0}
    problems, _unused = run(rs1=drained, rs2=drained, rs3=drained, rs4={"lvs_backend_weights": {"web": 0}, "lvs_backend_weight": 5})
    assert quorum_problems(problems) == [
        "lvs_services (web).quorum: every real server of web is at weight 0 (rs1, rs2, rs3, rs4): nothing would serve it, "
        "and keepalived's config test refuses a quorum above the total weight. "
        "Fix: keep at least one real server of web above weight 0 (lvs_backend_weight / lvs_backend_weights), or remove the service"]


# keepalived 2.2.7, quorum 3 over two real servers of weight 1: rc 5, "quorum 3 ... exceeds total weight of real servers 2".
def test_quorum_above_total_weight_without_drain():
    problems, _unused = run(services=service(quorum=5))
    assert quorum_problems(problems) == [
        "lvs_services (web).quorum: 5 is above the total weight 4 of the real servers of web; "
        "keepalived's config test refuses a quorum above the total weight. Fix: lower quorum to at most 4 or add real servers"]
