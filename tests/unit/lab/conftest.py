from __future__ import annotations

import os
import sys

# tests_lab_data.py sits beside the tests
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
