"""Fixture giving tests a writable copy of a recorded kernel tree."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from kerneltree import materialise  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def kernel_tree(tmp_path):
    return lambda name: materialise(name, tmp_path)
