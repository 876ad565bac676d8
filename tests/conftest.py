"""Shared test set-up: the differential tests need both real frameworks.

In CI (``CI=true``) a missing framework is an error, never a skip: a
differential test that silently skips proves nothing.
"""
import importlib.util
import os

import pytest

REQUIRED = ("torch", "mindspore")


def pytest_sessionstart(session):
    missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
    if missing and os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run with both frameworks installed; missing: {missing}")
