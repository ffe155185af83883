"""Controller side of ipvs_table: argument checks without copying the real servers, and the
split of the one remote read (recorded ipvsadm output, as a terminal delivers it over SSH)."""
from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.lvs.cluster.plugins.action.ipvs_table import MARK, split_read, validated_arguments
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs import validate
from ansible_collections.lvs.cluster.plugins.module_utils.ipvs.exceptions import IPVSValidationError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "module_utils", "ipvs", "fixtures")


def fixture(name):
    with open(os.path.join(FIXTURES, name + ".txt"), encoding="utf-8") as handle:
        return handle.read()


def test_service_defaults_and_types_come_from_the_module_spec():
    servers = [{"address": "198.51.100.1", "weight": 5}]
    args = validated_arguments({"services": [{"address": "192.0.2.1", "port": "80", "real_servers": servers}]})
    service = args["services"][0]
    assert args["purge"] is False
    assert service["port"] == 80 and service["protocol"] == "tcp" and service["scheduler"] == "wlc"
    # The real servers are handed back as given (the very same list), for validate.table.
    assert service["real_servers"] is servers


def test_spec_errors_are_reported_before_anything_runs():
    with pytest.raises(AnsibleActionFail) as info:
        validated_arguments({"services": [{"address": "192.0.2.1", "port": 80, "shceduler": "rr"}]})
    assert "shceduler" in str(info.value)
    with pytest.raises(AnsibleActionFail):
        validated_arguments({"services": [{"address": "192.0.2.1", "port": 80}], "purge": "maybe"})
    with pytest.raises(AnsibleActionFail):
        validated_arguments({})


def test_real_server_errors_name_the_entry():
    args = validated_arguments({"services": [{"address": "192.0.2.1", "port": 80,
                                              "real_servers": [{"address": "198.51.100.1", "weight": 70000}]}]})
    with pytest.raises(IPVSValidationError) as info:
        validate.table(args["services"])
    assert "services[0].real_servers[0].weight" in str(info.value)


def test_split_read_over_a_terminal():
    save, thresholds = fixture("mixed_save"), fixture("mixed_thresholds")
    stdout = (save + MARK + "\n" + thresholds).replace("\n", "\r\n")
    assert split_read(stdout) == (save, thresholds)
    # An empty table: -S prints nothing.
    assert split_read(MARK + "\n" + fixture("empty_thresholds")) == ("", fixture("empty_thresholds"))


def test_split_read_refuses_a_partial_read():
    assert split_read(fixture("mixed_save")) is None
    assert split_read(fixture("mixed_save") + MARK + "\n") is None
