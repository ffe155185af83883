"""lvslab: real-kernel test lab of User-Mode Linux guests for the lvs.cluster collection.

See docs/lab.md. Command line: ``python -m lvslab --help`` (with PYTHONPATH=lab).
"""
from __future__ import annotations

from .errors import LabError, PreflightError, TopologyError
from .lab import Lab
from .topology import load as load_topology

__all__ = ["Lab", "LabError", "PreflightError", "TopologyError", "load_topology"]
