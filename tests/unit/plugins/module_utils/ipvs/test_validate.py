# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input is refused before anything runs, naming the field, the value and why."""

from __future__ import annotations

import pytest

from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSValidationError
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.model import ServiceKey

TCP80 = ServiceKey("tcp", "192.0.2.10", 80)
FWM = ServiceKey("fwmark", fwmark=1)


def refused(func, *args):
    with pytest.raises(IPVSValidationError) as info:
        func(*args)
    return info.value


@pytest.mark.parametrize(
    "params,field,words",
    [
        ({"address": "192.0.2.300", "port": 80}, "address", "not an IPv4 or IPv6"),
        ({"address": "lb.example", "port": 80}, "address", "host names are not accepted"),
        ({"address": "192.0.2.10:80", "port": 80}, "address", "must not include a port"),
        ({"address": "[2001:db8::1]:80", "port": 80}, "address", "must not include a port"),
        ({"address": "[192.0.2.10]", "port": 80}, "address", "brackets are only for IPv6"),
        ({"address": "192.0.2.10", "port": 70000}, "port", "between 0 and 65535"),
        ({"address": "192.0.2.10", "port": 0}, "port", "only valid for a persistent service"),
        ({"address": "192.0.2.10", "port": 80, "scheduler": "fastest"}, "scheduler", "unknown scheduler"),
        ({"address": "192.0.2.10", "port": 80, "scheduler": "rr", "scheduler_flags": ["sh-port"]}, "scheduler_flags", "flag of the sh scheduler"),
        ({"address": "192.0.2.10", "port": 80, "scheduler": "mh", "scheduler_flags": ["flag-3"]}, "scheduler_flags", "accepts only mh-fallback"),
        ({"address": "192.0.2.10", "port": 80, "persistence_netmask": "24"}, "persistence_netmask", "set persistence_timeout"),
        ({"address": "192.0.2.10", "port": 80, "persistence_timeout": 300, "persistence_netmask": "255.0.255.0"}, "persistence_netmask", "IPv4 netmask"),
        ({"address": "2001:db8::1", "port": 80, "persistence_timeout": 300, "persistence_netmask": "255.255.255.0"}, "persistence_netmask", "prefix length"),
        ({"address": "192.0.2.10", "port": 80, "persistence_timeout": 0}, "persistence_timeout", "between 1 and 2678400"),
        ({"address": "192.0.2.10", "port": 80, "one_packet": True}, "one_packet", "for UDP"),
        ({"protocol": "fwmark", "fwmark": 1, "port": 80}, "port", "a fwmark service has no port"),
        ({"protocol": "fwmark", "fwmark": 0}, "fwmark", "between 1 and 4294967295"),
        ({"protocol": "fwmark"}, "fwmark", "is required"),
        ({"protocol": "tcp", "fwmark": 3}, "fwmark", "only valid with protocol: fwmark"),
        ({"address": "192.0.2.10", "port": 80, "family": "ipv6"}, "family", "does not match"),
    ],
)
def test_bad_service(params, field, words):
    error = refused(validate.virtual_service, params)
    assert error.field == field
    assert words in str(error)
    assert str(error).startswith("invalid %s=" % field)


@pytest.mark.parametrize(
    "params,field,words",
    [
        ({"address": "198.51.100.1", "weight": 65536}, "weight", "between 0 and 65535"),
        ({"address": "198.51.100.1", "weight": -1}, "weight", "between 0 and 65535"),
        ({"address": "198.51.100.1", "upper_threshold": 70000}, "upper_threshold", "between 0 and 65535"),
        ({"address": "198.51.100.1", "upper_threshold": 10, "lower_threshold": 20}, "lower_threshold", "must not exceed"),
        ({"address": "198.51.100.1", "tun_type": "gue"}, "tun_type", "only apply to method: tunnel"),
        ({"address": "198.51.100.1", "method": "nat", "tun_port": 6080}, "tun_port", "only apply to method: tunnel"),
        ({"address": "198.51.100.1", "method": "tunnel", "tun_type": "gue"}, "tun_port", "is required with tun_type: gue"),
        ({"address": "198.51.100.1", "method": "tunnel", "tun_type": "gre", "tun_port": 1}, "tun_port", "only applies to tun_type: gue"),
        ({"address": "198.51.100.1", "method": "tunnel", "tun_csum": "csum"}, "tun_csum", "gue or gre"),
        ({"address": "198.51.100.1", "method": "tunnel", "tun_type": "gre", "tun_csum": "remcsum"}, "tun_csum", "only applies to tun_type: gue"),
        ({"address": "198.51.100.1", "port": 8080}, "port", "uses the service port 80"),
        ({"address": "2001:db8::1"}, "address", "only possible with method: tunnel"),
        ({"address": "2001:db8::1]"}, "address", "unbalanced brackets"),
    ],
)
def test_bad_real_server(params, field, words):
    error = refused(validate.real_server, params, TCP80)
    assert error.field == field and words in str(error)


def test_duplicate_real_servers_named_with_both_positions():
    error = refused(
        validate.real_servers, [{"address": "198.51.100.1"}, {"address": "198.51.100.2"}, {"address": "198.51.100.1", "port": 80}], TCP80, "real_servers"
    )
    assert error.field == "real_servers[2].address"
    assert "duplicate real server 198.51.100.1:80 in tcp/192.0.2.10:80 (also at real_servers[0])" in str(error)


def test_duplicate_services_in_a_table():
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80}, {"address": "192.0.2.10", "port": 80, "scheduler": "rr"}])
    assert error.field == "services[1].address" and "duplicate virtual service" in str(error)
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80, "real_servers": [{"address": "198.51.100.1", "weight": 1e6}]}])
    assert error.field == "services[0].real_servers[0].weight"


def test_good_input_is_normalised():
    service = validate.virtual_service(
        {
            "address": "[2001:DB8:0::1]",
            "port": 443,
            "persistence_timeout": 60,
            "persistence_netmask": "/128",
            "scheduler": "sh",
            "scheduler_flags": ["flag-2", "sh-fallback"],
        }
    )
    assert str(service.key) == "tcp/[2001:db8::1]:443"
    assert service.persistence_netmask is None  # 128 is the default: ipvsadm -S omits it
    assert service.sched_flags == ("sh-fallback", "sh-port")
    server = validate.real_server({"address": "198.51.100.1", "method": "tunnel", "tun_type": "gre"}, FWM)
    assert (server.port, server.tun_csum) == (0, "nocsum")
    assert validate.real_server({"address": "198.51.100.1", "method": "nat", "port": 8080}, TCP80).port == 8080
    assert validate.real_server({"address": "2001:db8::5", "method": "tunnel"}, TCP80).tun_type == "ipip"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("tcp/192.0.2.10:80", "tcp/192.0.2.10:80"),
        ("udp/[2001:db8::10]:53", "udp/[2001:db8::10]:53"),
        ("sctp/192.0.2.10:3868", "sctp/192.0.2.10:3868"),
        ("fwmark/7", "fwmark/7"),
        ("fwmark/7/ipv6", "fwmark/7/ipv6"),
    ],
)
def test_service_references(text, expected):
    assert str(validate.parse_service_ref("service", text)) == expected


@pytest.mark.parametrize(
    "text,words",
    [
        ("tcp/2001:db8::10:80", "must be written in brackets"),
        ("fwmark/7:80", "without a port"),
        ("http/192.0.2.10:80", "must look like"),
        ("tcp/[192.0.2.10]:80", "brackets are only for IPv6"),
    ],
)
def test_bad_service_references(text, words):
    assert words in str(refused(validate.parse_service_ref, "service", text))


def test_sync_daemon_and_timeouts():
    assert refused(validate.sync_daemon, {"role": "master", "interface": "eth0", "syncid": 256}).field == "syncid"
    assert "not a multicast" in str(refused(validate.sync_daemon, {"role": "master", "interface": "eth0", "mcast_group": "192.0.2.1"}))
    assert refused(validate.sync_daemon, {"role": "master", "interface": "eth0", "mcast_ttl": 0}).field == "mcast_ttl"
    assert refused(validate.sync_daemon, {"role": "master", "interface": "eth0", "sync_maxlen": 70000}).field == "sync_maxlen"
    assert refused(validate.sync_daemon, {"role": "master", "interface": "a name with spaces"}).field == "interface"
    assert refused(validate.timeouts, {"tcp": 0}).field == "tcp"
    assert validate.timeouts({"udp": 30}) == {"udp": 30}


def test_table_real_servers_are_checked_without_the_argument_spec():
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80, "real_servers": [{"address": "198.51.100.1", "wieght": 5}]}])
    assert error.field == "services[0].real_servers[0].wieght" and "unknown real server option" in str(error)
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80, "real_servers": [{"address": "198.51.100.1", "weight": "heavy"}]}])
    assert error.field == "services[0].real_servers[0].weight" and "must be an integer" in str(error)
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80, "real_servers": [{"address": "198.51.100.1", "method": "dsr"}]}])
    assert error.field == "services[0].real_servers[0].method"
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80, "real_servers": ["198.51.100.1"]}])
    assert "must be a dictionary" in str(error)
    error = refused(validate.table, [{"address": "192.0.2.10", "port": 80, "real_servers": [{"address": "198.51.100.1", "weight": True}]}])
    assert error.field == "services[0].real_servers[0].weight"
