"""Rules where keepalived 2.2.7 (or the run time) is the judge (issue 10, item 2).

Each rule that keepalived judges was confirmed with ``keepalived --config-test`` 2.2.7 on a
configuration rendered as roles/director/templates/etc/keepalived/keepalived.conf.j2 renders
it; the comment of each test quotes what keepalived said.
"""
from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.cluster.model import normalise

VI = {"name": "VI_1", "group": "directors", "interface": "eth0", "virtual_router_id": 51}
WEB = {"name": "web", "vrrp_instance": "VI_1", "vip": "203.0.113.10", "port": 80, "backends": [{"group": "pool_blue"}]}


def texts(problems):
    return [str(p) for p in problems]


def instance_problems(**keys):
    _unused, _unused2, problems = normalise([dict(VI, **keys)], [WEB])
    return texts(problems)


# --- advert_int ---------------------------------------------------------------------------

# keepalived 2.2.7 accepts all of these with version 3 (rc 0); as floats, x * 100 is not whole.
@pytest.mark.parametrize("advert", [0.07, 0.29, 0.55, 0.56, 0.57, 0.58, 1.1, "0.07", 40.95, 40])
def test_vrrp3_hundredths_are_exact(advert):
    assert instance_problems(vrrp_version=3, advert_int=advert) == []


@pytest.mark.parametrize("advert", [0.005, 0.123, 1.001])
def test_vrrp3_finer_than_hundredths_refused(advert):
    out = instance_problems(vrrp_version=3, advert_int=advert)
    assert out == ["lvs_vrrp_instances[0] (VI_1).advert_int: %s is not a multiple of 0.01 s (VRRPv3 centiseconds). "
                   "Fix: round advert_int to hundredths, at least 0.01" % advert]


# keepalived 2.2.7, version 3, advert_int 40.96 (and 41): rc 5,
# "(VI_1) VRRPv3 advertisement interval 40.96s is out of range. Must be less than 40.96s. Setting to 40.95s"
@pytest.mark.parametrize("advert", [40.96, 41, 255])
def test_vrrp3_advert_int_above_40_95_refused(advert):
    out = instance_problems(vrrp_version=3, advert_int=advert)
    assert len(out) == 1
    assert out[0].startswith("lvs_vrrp_instances[0] (VI_1).advert_int: %s s is more than VRRPv3 carries" % advert)
    assert "Fix: set advert_int to at most 40.95 with vrrp_version: 3" in out[0]


def test_vrrp2_rules_kept():
    assert instance_problems(advert_int=255) == []
    assert any("fractional, which VRRPv2 cannot carry" in t for t in instance_problems(advert_int=0.5))


# --- preempt_delay, garp_master_repeat ----------------------------------------------------

# keepalived 2.2.7, preempt_delay 1001: rc 5, "number '1001' outside range [0.000000, 1000.000000]",
# "(VI_1) Preempt_delay not valid! must be between 0-1000"; 1000 is accepted.
def test_preempt_delay_at_most_1000():
    assert instance_problems(preempt_delay=1000) == []
    assert instance_problems(preempt_delay=1001) == [
        "lvs_vrrp_instances[0] (VI_1).preempt_delay: must be an integer 0-1000 seconds (keepalived's config test refuses more), "
        "got 1001. Fix: set a whole number 0-1000 or remove it"]


# keepalived 2.2.7, garp_master_repeat 0: rc 5, "(VI_1): garp_master_repeat must be greater than 0, setting to 1";
# garp_master_delay 0, garp_master_refresh 0 and garp_lower_prio_repeat 0 are accepted (rc 0).
def test_garp_master_repeat_at_least_1():
    assert instance_problems(garp_master_repeat=1, garp_master_delay=0, garp_master_refresh=0, garp_lower_prio_repeat=0) == []
    assert instance_problems(garp_master_repeat=0) == [
        "lvs_vrrp_instances[0] (VI_1).garp_master_repeat: must be an integer >= 1 (keepalived's config test refuses 0), "
        "got 0. Fix: set a whole number >= 1 or remove it"]


# --- quorum, hysteresis, drains -----------------------------------------------------------

# keepalived 2.2.7, quorum 2 / hysteresis 2: rc 5, "Virtual server [203.0.113.10]:tcp:80: hysteresis 2 >= quorum 2;
# setting hysteresis to 1"; quorum 1 / hysteresis 1 likewise; quorum 2 / hysteresis 1 is accepted.
def test_hysteresis_below_quorum():
    _unused, _unused2, problems = normalise([VI], [dict(WEB, quorum=2, hysteresis=1)])
    assert problems == []
    _unused, _unused2, problems = normalise([VI], [dict(WEB, hysteresis=1)])
    assert texts(problems) == ["lvs_services[0] (web).hysteresis: 1 is not below quorum 1; keepalived's config test refuses it. "
                               "Fix: set hysteresis to at most 0 (quorum - 1) or raise quorum"]
