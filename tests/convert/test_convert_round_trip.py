"""A converted program converted back (the other ``--to``) names nothing the real framework lacks.

msbridge's twins and helpers in a converted file must become native code again or be marked: before, a torch ->
MindSpore -> torch round trip wrote ``torch.tensor_methods.max`` and ``torch.nn.module_parameters.*`` and reported
them converted (rules/twin_natives.py; the run of such a round trip: test_twin_natives.py).
"""
import re
from pathlib import Path

import pytest

from msbridge.convert.source import convert_source
from real_names import unresolved

TESTS = Path(__file__).resolve().parents[1]
PROGRAMS = sorted([*(TESTS / "convert" / "scripts").glob("*.py"), *(TESTS / "layers" / "models").glob("*.py")])


def _framework(code: str) -> str:
    return re.search(r"^\s*(?:import|from) (torch|mindspore)\b", code, re.M).group(1)


@pytest.mark.parametrize("path", PROGRAMS, ids=[f"{p.parent.name}/{p.name}" for p in PROGRAMS])
def test_there_and_back_writes_only_real_names(path):
    code = path.read_text(encoding="utf-8")
    source = _framework(code)
    there, _ = convert_source(code, "torch" if source == "mindspore" else "mindspore", str(path))
    back, _ = convert_source(there, source, str(path))
    assert unresolved(there) == []
    assert unresolved(back) == []
