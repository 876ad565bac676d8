"""Framework classes named as types (rules.type_refs): ``isinstance`` checks and annotations.

``(before, after)`` pairs, each converted twice (the second run changes nothing). The converted checks are
EXECUTED with the source framework blocked, against the original's answers, by
``scripts/ms_tensor_methods.py`` (test_convert_training.py) and ``scripts/torch_model_calls.py``
(test_convert_model_calls.py).
"""
import textwrap

from msbridge.convert.report import CONVERTED, REVIEW, UNSUPPORTED
from msbridge.convert.source import convert_source


def _convert(before, to):
    out, report = convert_source(textwrap.dedent(before), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    return out, report


def _statuses(report, api):
    return [u.status for u in report.uses if u.api == api]


def test_mindspore_tensor_type_becomes_torch_tensor_not_the_factory():
    out, report = _convert("""\
        from typing import Optional
        import mindspore as ms


        def f(x: ms.Tensor, y: Optional[ms.Tensor] = None, z: "ms.Tensor" = None) -> ms.Tensor | None:
            if isinstance(x, (ms.Tensor, float)) and not issubclass(type(y), ms.Tensor):
                return ms.Tensor(x)
            return None
        """, "torch")
    assert "def f(x: torch.Tensor, y: Optional[torch.Tensor] = None, z: \"ms.Tensor\" = None) -> torch.Tensor | None:" \
        in out
    assert "isinstance(x, (torch.Tensor, float)) and not issubclass(type(y), torch.Tensor)" in out
    assert "return torch.tensor(x)" in out   # a call still goes through the constructor row
    assert _statuses(report, "mindspore.Tensor") == [CONVERTED] * 6
    assert "msbridge:" not in out


def test_torch_tensor_type_becomes_mindspore_tensor_and_its_calls_stay_unsupported():
    out, report = _convert("""\
        import torch


        def f(x: torch.Tensor) -> torch.Tensor:
            if isinstance(x, torch.Tensor):
                return x
            return torch.Tensor(2, 3)
        """, "mindspore")
    assert "def f(x: mindspore.Tensor) -> mindspore.Tensor:" in out and "isinstance(x, mindspore.Tensor)" in out
    assert _statuses(report, "torch.Tensor") == [CONVERTED] * 3 + [UNSUPPORTED]
    assert "return torch.Tensor(2, 3)  # msbridge: unsupported: torch.Tensor" in out


def test_layer_class_checks_cover_msbridge_twins_a_conversion_may_build():
    out, report = _convert("""\
        from mindspore import nn


        def count(cells):
            n = 0
            for cell in cells:
                if isinstance(cell, nn.Dense):
                    n += 1
                elif isinstance(cell, (nn.BatchNorm2d, nn.Conv2d)):
                    n += 10
            return n
        """, "torch")
    # nn.Dense(..., activation=...) and nn.Conv2d(..., pad_mode='pad') may become msbridge's twins
    assert "isinstance(cell, (torch.nn.Linear, Dense))" in out
    assert "isinstance(cell, (torch.nn.BatchNorm2d, (torch.nn.Conv2d, Conv2d)))" in out
    assert "from msbridge.mindspore.nn import Dense, Conv2d" in out
    assert {u.status for u in report.uses} == {CONVERTED}


def test_a_class_passed_as_a_value_is_not_a_type_position():
    out, report = _convert("""\
        from mindspore import nn


        def build(layer=nn.Dense):
            return layer(2, 3, has_bias=False)
        """, "torch")
    # a value: msbridge's twin taking MindSpore's arguments (a type position would name torch.nn.Linear)
    assert "def build(layer=Dense):" in out and "torch.nn.Linear" not in out
    assert _statuses(report, "mindspore.nn.Dense") == [CONVERTED]


def test_a_shadowed_isinstance_is_not_the_builtin():
    out, report = _convert("""\
        import mindspore as ms


        def isinstance(a, b):
            return b


        t = isinstance(1, ms.Tensor)
        """, "torch")
    assert _statuses(report, "mindspore.Tensor") == [REVIEW]
