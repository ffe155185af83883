# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers on ipvsadm 1.31 output recorded in a Linux 6.1 (User-Mode Linux) guest."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import parser
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSParseError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import ServerKey, ServiceKey


def key(proto, addr, port, family="ipv4"):
    return ServiceKey(proto, addr, port, family=family)


def test_empty_table(fixture):
    assert parser.parse_save(fixture("empty_save")) == {}
    assert parser.parse_thresholds(fixture("empty_thresholds")) == {}
    assert parser.parse_list(fixture("empty_list")) == {}
    assert parser.parse_counters(fixture("empty_stats_exact")) == {}
    assert parser.parse_version(fixture("empty_list")) == {"version": "1.2.1", "conn_table_size": 4096}


def test_mixed_save_services(fixture):
    table = parser.parse_save(fixture("mixed_save"))
    assert len(table) == 14
    assert sum(len(s.real_servers) for s in table.values()) == 18
    http = table[key("tcp", "192.0.2.10", 80)]
    assert http.scheduler == "wrr" and http.persistence_timeout is None
    assert [str(k) for k in sorted(http.real_servers)] == ["198.51.100.11:80", "198.51.100.12:80", "198.51.100.13:8080"]
    nat = http.real_servers[ServerKey("198.51.100.13", 8080)]
    assert (nat.method, nat.weight) == ("nat", 5)
    assert http.real_servers[ServerKey("198.51.100.12", 80)].weight == 0


def test_persistence_netmask_and_sched_flags(fixture):
    table = parser.parse_save(fixture("mixed_save"))
    https = table[key("tcp", "192.0.2.10", 443)]
    assert https.config() == ("sh", ("sh-fallback", "sh-port"), 600, "255.255.255.0", None, False)
    wildcard = table[key("tcp", "192.0.2.80", 0)]
    assert (wildcard.persistence_timeout, wildcard.persistence_netmask) == (1200, "255.255.0.0")
    dns = table[key("udp", "192.0.2.53", 53)]
    assert dns.one_packet and dns.sched_flags == ("mh-fallback", "mh-port")
    sip = table[key("udp", "192.0.2.60", 5060)]
    assert (sip.persistence_timeout, sip.persistence_engine) == (300, "sip")
    assert table[key("sctp", "192.0.2.70", 3868)].scheduler == "fo"


def test_ipv6_service_with_prefix_mask_and_mixed_family_tunnel(fixture):
    table = parser.parse_save(fixture("mixed_save"))
    v6 = table[key("tcp", "2001:db8::10", 443, "ipv6")]
    assert str(v6.key) == "tcp/[2001:db8::10]:443"
    assert (v6.scheduler, v6.persistence_timeout, v6.persistence_netmask) == ("ovf", 300, "64")
    assert v6.real_servers[ServerKey("2001:db8:1::12", 8443)].method == "nat"
    ipip = v6.real_servers[ServerKey("203.0.113.5", 443)]
    assert (ipip.method, ipip.tun_type, ipip.tun_port, ipip.tun_csum) == ("tunnel", "ipip", None, None)


def test_fwmark_services_and_tunnel_types(fixture):
    table = parser.parse_save(fixture("mixed_save"))
    fwm = table[ServiceKey("fwmark", fwmark=10)]
    assert str(fwm.key) == "fwmark/10" and fwm.persistence_timeout == 300
    tun = {str(k): (s.tun_type, s.tun_port, s.tun_csum) for k, s in fwm.real_servers.items()}
    assert tun == {
        "203.0.113.21:0": ("gue", 6080, "remcsum"),
        "203.0.113.22:0": ("gue", 6081, "csum"),
        "203.0.113.23:0": ("gre", None, "csum"),
        "203.0.113.24:0": ("gre", None, "nocsum"),
        "203.0.113.25:0": ("ipip", None, None),
    }
    fwm6 = table[ServiceKey("fwmark", fwmark=20, family="ipv6")]
    assert str(fwm6.key) == "fwmark/20/ipv6"
    assert fwm6.sched_flags == ("flag-1", "flag-3")
    assert list(fwm6.real_servers) == [ServerKey("2001:db8:1::21", 0)]


def test_thresholds_merge(fixture):
    table = parser.merge_thresholds(parser.parse_save(fixture("mixed_save")), parser.parse_thresholds(fixture("mixed_thresholds")))
    drained = table[key("tcp", "192.0.2.10", 80)].real_servers[ServerKey("198.51.100.12", 80)]
    assert (drained.upper_threshold, drained.lower_threshold) == (500, 400)
    v6 = table[key("tcp", "2001:db8::10", 443, "ipv6")].real_servers[ServerKey("2001:db8:1::12", 8443)]
    assert (v6.upper_threshold, v6.lower_threshold) == (1000, 10)
    # -S does not print thresholds: the parsed save alone has zeros.
    raw = parser.parse_save(fixture("mixed_save"))
    assert raw[key("tcp", "192.0.2.10", 80)].real_servers[ServerKey("198.51.100.12", 80)].upper_threshold == 0


def test_list_forwarding_and_connections(fixture):
    listed = parser.parse_list(fixture("mixed_list"))
    assert set(listed) == set(parser.parse_save(fixture("mixed_save")))
    fwm = listed[ServiceKey("fwmark", fwmark=10)]["servers"]
    assert fwm[("203.0.113.21", 0)]["forward"] == "Tunnel"
    traffic = parser.parse_list(fixture("traffic_list"))
    server = traffic[key("tcp", "192.0.2.100", 9000)]["servers"][("198.51.100.100", 9000)]
    assert server == {"forward": "Masq", "method": "nat", "weight": 1, "active_conns": 0, "inactive_conns": 51}


def test_counters_above_1e8_exact_and_rounded(fixture):
    vip = key("tcp", "192.0.2.100", 9000)
    exact = parser.parse_counters(fixture("traffic_stats_exact"), "stats")
    rounded = parser.parse_counters(fixture("traffic_stats"), "stats")
    real = exact[vip]["counters"]["inbytes"]
    assert real > 10**8 and exact[vip]["exact"]
    # Without --exact ipvsadm printed "<n>K": a lower bound within 1000 of the real value.
    assert not rounded[vip]["exact"]
    assert rounded[vip]["counters"]["inbytes"] == real // 1000 * 1000
    assert rounded[vip]["counters"]["conns"] == exact[vip]["counters"]["conns"] == 51
    udp = exact[key("udp", "192.0.2.100", 9001)]
    assert udp["counters"] == {"conns": 1, "inpkts": 200, "outpkts": 0, "inbytes": 6400, "outbytes": 0}
    assert exact[vip]["servers"][("198.51.100.100", 9000)]["counters"] == exact[vip]["counters"]


def test_rates(fixture):
    rates = parser.parse_counters(fixture("traffic_rate_exact"), "rate")
    vip = rates[key("tcp", "192.0.2.100", 9000)]
    assert set(vip["counters"]) == {"cps", "inpps", "outpps", "inbps", "outbps"}
    assert vip["counters"]["inbps"] > 0 and vip["exact"]


@pytest.mark.parametrize(
    "printed,value,exact",
    [
        # print_largenum() of ipvsadm.c: below 10^8 the digits; then value/1000 "K" below 10^9,
        # value/10^6 "M" below 10^11, value/10^9 "G" below 10^14, else value/10^12 "T".
        ("99999999", 99999999, True),
        ("167928K", 167928000, False),
        ("1234M", 1234000000, False),
        ("99999G", 99999000000000, False),
        ("123T", 123000000000000, False),
    ],
)
def test_parse_number_suffixes(printed, value, exact):
    assert parser.parse_number(printed) == (value, exact)


def test_timeouts(fixture):
    assert parser.parse_timeouts(fixture("timeout_default")).to_dict() == {"tcp": 900, "tcpfin": 120, "udp": 300}
    assert parser.parse_timeouts(fixture("timeout_set")).to_dict() == {"tcp": 600, "tcpfin": 60, "udp": 120}


def test_daemons(fixture):
    assert parser.parse_daemons(fixture("daemon_none")) == []
    master, backup = parser.parse_daemons(fixture("daemon_both"))
    assert master.to_dict() == {
        "role": "master",
        "mcast_interface": "syncif",
        "syncid": 7,
        "sync_maxlen": 1472,
        "mcast_group": "224.0.0.81",
        "mcast_port": 8848,
        "mcast_ttl": 1,
    }
    assert (backup.role, backup.syncid, backup.sync_maxlen, backup.mcast_group, backup.mcast_port, backup.mcast_ttl) == (
        "backup",
        9,
        1200,
        "239.1.2.3",
        8850,
        2,
    )


def test_garbage_is_a_parse_error():
    with pytest.raises(IPVSParseError, match="unknown command"):
        parser.parse_save("-X -t 192.0.2.1:80 -s rr\n")
    with pytest.raises(IPVSParseError, match="not listed before"):
        parser.parse_save("-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1\n")
    with pytest.raises(IPVSParseError, match="numeric"):
        parser.parse_save("-A -t www.example:80 -s rr\n")


# --- ipvsadm -L -n -c ---------------------------------------------------------------------
# The template line as ipvsadm printed it in molecule/tun (fwmark 1, persistence 60 s, TUN real
# servers on port 0; 2026-12-04), where the parser first met it and refused it.
FWMARK_TEMPLATE = "IP  00:59  ASSURED     192.0.2.254:0      0.0.0.1:0          192.0.2.22:0"


def test_connections_fwmark_template():
    text = "IPVS connection entries\npro expire state       source             virtual            destination\n%s\n" % FWMARK_TEMPLATE
    assert parser.parse_connections(text) == [
        {
            "protocol": "fwmark",
            "expires": 59,
            "state": "ASSURED",
            "client": "192.0.2.254:0",
            "virtual": "0.0.0.1:0",
            "real_server": "192.0.2.22:0",
            "active": False,
            "template": True,
            "fwmark": 1,
        }
    ]
    # IPv6: the mark fills the address's first 32 bits.
    (entry,) = parser.parse_connections("IP  00:59  ASSURED     [2001:db8::9]:0    [0:7::]:0          [2001:db8::22]:0\n")
    assert entry["fwmark"] == 7 and entry["protocol"] == "fwmark" and entry["virtual"] == "[0:7::]:0"


def test_connections_recorded_with_a_held_connection_and_a_template(fixture):
    entries = parser.parse_connections(fixture("traffic_conns_persistent"))
    assert len(entries) == 55
    assert [e for e in entries if e["active"] or e["template"] or e["protocol"] == "udp"] == [
        {
            "protocol": "tcp",
            "expires": 598,
            "state": "ESTABLISHED",
            "client": "203.0.113.2:54420",
            "virtual": "192.0.2.100:9002",
            "real_server": "198.51.100.100:9000",
            "active": True,
            "template": False,
        },
        {
            "protocol": "tcp",
            "expires": 58,
            "state": "ASSURED",
            "client": "203.0.113.2:0",
            "virtual": "192.0.2.100:9002",
            "real_server": "198.51.100.100:9000",
            "active": False,
            "template": True,
        },
        {
            "protocol": "tcp",
            "expires": 598,
            "state": "ESTABLISHED",
            "client": "203.0.113.2:50012",
            "virtual": "192.0.2.100:9000",
            "real_server": "198.51.100.100:9000",
            "active": True,
            "template": False,
        },
        {
            "protocol": "udp",
            "expires": 115,
            "state": "UDP",
            "client": "203.0.113.2:43428",
            "virtual": "192.0.2.100:9001",
            "real_server": "198.51.100.100:9001",
            "active": False,
            "template": False,
        },
    ]
    assert {e["state"] for e in entries} == {"ESTABLISHED", "ASSURED", "TIME_WAIT", "UDP"}
    # The kernel's own count agrees: ActiveConn 1 on each TCP service.
    listed = parser.parse_list(fixture("traffic_conns_list"))
    assert sum(s["active_conns"] for v in listed.values() for s in v["servers"].values()) == sum(e["active"] for e in entries)


def test_connections_ipv6_and_long_timers():
    text = (
        "IPVS connection entries\npro expire state       source             virtual            destination\n"
        "TCP 899:59 ESTABLISHED [2001:db8::2]:40000 [2001:db8::10]:443 [2001:db8:1::11]:443\n"
    )
    assert parser.parse_connections(text)[0] == {
        "protocol": "tcp",
        "expires": 899 * 60 + 59,
        "state": "ESTABLISHED",
        "client": "[2001:db8::2]:40000",
        "virtual": "[2001:db8::10]:443",
        "real_server": "[2001:db8:1::11]:443",
        "active": True,
        "template": False,
    }
    assert parser.parse_connections("IPVS connection entries\npro expire state       source             virtual            destination\n") == []


@pytest.mark.parametrize(
    "line",
    [
        "TCP 14:59 ESTABLISHED 203.0.113.2:1 192.0.2.100:80",
        "TCP 1459 ESTABLISHED 203.0.113.2:1 192.0.2.100:80 192.0.2.21:80",
        "ICMP 00:10 NONE 203.0.113.2:1 192.0.2.100:80 192.0.2.21:80",
    ],
)
def test_connections_unexpected_lines_are_named(line):
    with pytest.raises(IPVSParseError, match="ipvsadm -L -n -c"):
        parser.parse_connections("IPVS connection entries\n" + line + "\n")
