"""Idempotence over every script of the test suite: converting the output again (same ``--to``) is a no-op, and
the output names nothing the real frameworks lack (tests/support/real_names.py).

The cases are split in halves over two test files (``test_convert_idempotence_{even,odd}.py``): with
``pytest -n 2 --dist loadfile`` a file runs on one worker, and one file of all ~60 scripts was the
largest single unit of the suite (~40 CPU-s), finishing alone on one worker.
"""
import difflib
import re
from pathlib import Path

import pytest

from msbridge.convert.catalog import Catalog
from msbridge.convert.source import convert_source
from real_names import unresolved

TESTS = Path(__file__).resolve().parents[1]


def direction(path: Path) -> str | None:
    """Convert each script once (CPU budget): away from the first framework it imports."""
    found = re.search(r"^\s*(?:import|from) (torch|mindspore)\b", path.read_text(encoding="utf-8"), re.M)
    return None if found is None else ("mindspore" if found.group(1) == "torch" else "torch")


CASES = [(p, direction(p)) for p in sorted(TESTS.rglob("*.py")) if direction(p) is not None]


def case_id(case) -> str:
    path, to = case
    return f"{path.relative_to(TESTS)}-to-{to}"


def assert_second_conversion_is_a_no_op(path: Path, to: str, catalog: Catalog) -> None:
    code = path.read_text(encoding="utf-8")
    out, _ = convert_source(code, to, str(path), catalog)
    again, _ = convert_source(out, to, str(path), catalog)
    assert again == out, "".join(difflib.unified_diff(out.splitlines(True), again.splitlines(True), "first", "second"))
    # and every torch/MindSpore/msbridge name it wrote exists (outside lines it marked)
    assert unresolved(out) == [], unresolved(out)


@pytest.fixture(scope="module")
def catalog():
    return Catalog()


def idempotence_test(half: int):
    """The parametrized test over ``CASES[half::2]`` (a test file assigns it to a ``test_`` name)."""
    cases = CASES[half::2]

    @pytest.mark.parametrize("path,to", cases, ids=[case_id(c) for c in cases])
    def test(path, to, catalog):
        assert_second_conversion_is_a_no_op(path, to, catalog)

    return test
