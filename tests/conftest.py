"""Shared test set-up: the differential tests need both real frameworks.

In CI (``CI=true``) a missing framework is an error, never a skip: a
differential test that silently skips proves nothing.  CI also runs hypothesis
derandomized.
"""
import importlib.util
import os
import sys

import pytest
from hypothesis import settings

REQUIRED = ("torch", "mindspore")

# Helpers shared by test files (the same tiny net in both frameworks, ...) live in tests/support.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))

# CI explores the same hypothesis examples every run (a landing must not depend on luck);
# local runs keep drawing new ones, which is where new counterexamples are found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_sessionstart(session):
    missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
    if missing and os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run with both frameworks installed; missing: {missing}")
