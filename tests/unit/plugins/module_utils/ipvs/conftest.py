"""Fixtures: ipvsadm output recorded from a real kernel (see fixtures/capture.sh)."""
from __future__ import annotations

import os

import pytest

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def read_fixture(name):
    with open(os.path.join(FIXTURES, name + ".txt"), encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def fixture():
    return read_fixture
