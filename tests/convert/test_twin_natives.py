"""msbridge's twins of the target framework, in a file an earlier conversion wrote, become native code again
(msbridge/convert/rules/twin_natives.py), and never a name the target framework does not have.

Found by converting a converted program back (the round trip below also carries ``param_groups(opt)`` back to
``opt.param_groups`` and ``formattable(x)`` back to ``x``): ``y.max(dim=1)`` had become
``msbridge.torch.tensor_methods.max(y, dim=1)`` (torch -> MindSpore), and converting that to torch wrote
``torch.tensor_methods.max(y, dim=1)``, ``torch.layer_params.has_param(m, "weight")`` and
``torch.nn.module_parameters.module_parameters(model)``, all reported converted and all AttributeError.
"""
import __future__
import builtins
import importlib
import inspect
import json
import pkgutil
import textwrap

import mindspore
import pytest
import torch

import msbridge.mindspore
import msbridge.torch
from msbridge.convert.catalog import _exported
from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.rules.twin_natives import NATIVE_FORMS, NO_NAMESAKE, TWIN_ONLY_MODULES, native_form
from msbridge.convert.source import convert_source

from blocked_run import run_blocked, run_plain

REAL = {"torch": torch, "mindspore": mindspore}


def _real(dotted: str):
    """The real framework's object of that name as a program reaches it (``a.b.c`` by attribute access from
    ``import a.b``), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):   # the longest importable module prefix, then attributes
        try:
            importlib.import_module(".".join(parts[:cut]))
            break
        except ImportError:
            continue
    else:
        return None
    obj = importlib.import_module(parts[0])
    for part in parts[1:]:
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    return obj


def _modules():
    for package in (msbridge.torch, msbridge.mindspore):
        yield package.__name__
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                yield info.name


def test_twin_only_modules_are_exactly_the_modules_the_real_frameworks_lack():
    lacking = {name for name in _modules() if _real(name.split(".", 1)[1]) is None}
    assert lacking == TWIN_ONLY_MODULES


def _public_twins():
    """Every name msbridge's twin packages export from their ``__init__`` (what the converter writes)."""
    for module in _modules():
        if module not in TWIN_ONLY_MODULES and importlib.util.find_spec(module).submodule_search_locations:
            imported = importlib.import_module(module)
            yield from (f"{module}.{name}" for name in sorted(_exported(module))
                        if not inspect.ismodule(getattr(imported, name, None))
                        and not isinstance(getattr(imported, name, None), __future__._Feature))


@pytest.mark.parametrize("twin", sorted(set(_public_twins()) | set(NATIVE_FORMS) | set(NO_NAMESAKE)
                                        | {f"msbridge.torch.tensor_methods.{name}" for name in
                                           _exported("msbridge.torch.tensor_methods")}))
def test_every_twin_has_a_real_native_form_or_none(twin):
    form = native_form(twin)
    if form is None:
        return   # the converter marks it review
    kind, native = form
    if kind == "name":
        assert _real(native) is not None, f"{twin} -> {native}: not in the real framework"
    elif kind == "builtin":
        assert hasattr(builtins, native)
    elif kind == "identity":
        assert native == ""
    else:   # a method or attribute of a tensor or of a module
        assert hasattr(torch.Tensor, native) or hasattr(torch.nn.Module, native), (twin, native)


def test_a_twin_without_a_namesake_is_review():
    code = textwrap.dedent("""\
        import mindspore
        from msbridge.torch.grads import clip_grad_norm

        grads = clip_grad_norm((mindspore.ops.ones((2,)),), 1.0)
        """)
    out, report = convert_source(code, "torch")
    use = next(u for u in report.uses if u.api == "msbridge.torch.grads.clip_grad_norm")
    assert use.status == REVIEW and "no torch namesake" in use.message
    assert "torch.grads" not in out.replace("msbridge.torch.grads", "")


PROGRAM = """\
import json
import sys

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)

    def forward(self, x):
        y = self.bn(self.fc(x))
        return y.max(dim=1)[0] + y.std() + y.softmax(dim=-1).sum()


def init(m):
    if hasattr(m, "weight"):
        m.weight.data.fill_(0.25)
    if hasattr(m, "bias"):
        m.bias.data.fill_(-0.5)


def count(model):
    return sum(p.numel() for p in model.parameters()), [n for n, _ in model.named_parameters()]


net = Net()
optimizer = torch.optim.SGD(net.parameters(), lr=0.25)
net.apply(init)
net.eval()
x = torch.arange(8, dtype=torch.float32).reshape(2, 4)
with open(sys.argv[1], "w") as out:
    json.dump({"count": count(net), "y": net(x).tolist(), "lr": optimizer.param_groups[0]["lr"],
               "text": "{:.3f}".format(net(x).sum())}, out)
"""


def test_a_program_converted_there_and_back_runs_as_the_original(tmp_path):
    there, report = convert_source(PROGRAM, "mindspore")
    assert report.complete, [(u.line, u.api, u.status, u.message) for u in report.uses if u.status != CONVERTED]
    back, report = convert_source(there, "torch")
    assert report.complete, [(u.line, u.api, u.status, u.message) for u in report.uses if u.status != CONVERTED]
    assert "msbridge" not in back and convert_source(back, "torch")[0] == back
    on_mindspore = json.loads(run_blocked(tmp_path, "torch", "there", there).read_text())
    on_torch = json.loads(run_blocked(tmp_path, "mindspore", "back", back).read_text())
    original = run_plain(tmp_path, "original", PROGRAM)
    assert on_torch == original
    assert on_mindspore["count"] == original["count"]   # torch's names and count on the Cell too
    assert on_mindspore["lr"] == original["lr"]   # param_groups(optimizer) there, optimizer.param_groups back
    assert on_mindspore["y"] == pytest.approx(original["y"], rel=1e-6)


def test_bridge_needs_lists_every_helper_module_importing_a_framework():
    """A helper module that imports torch (or MindSpore) at its top cannot run in a file converted away from it."""
    import ast
    from pathlib import Path

    from msbridge.convert.rules.twin_natives import BRIDGE_NEEDS

    found = {"torch": set(), "mindspore": set()}
    for path in sorted((Path(msbridge.torch.__file__).parents[1] / "bridge").glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.parse(path.read_text()).body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                # msbridge.mindspore computes on torch, msbridge.torch on MindSpore
                twin = {"msbridge.mindspore": "torch", "msbridge.torch": "mindspore"}
                root = next((fw for prefix, fw in twin.items() if name.startswith(prefix + ".")), name.split(".")[0])
                if root in found:
                    found[root].add(f"msbridge.bridge.{path.stem}")
    assert found == {framework: set(modules) for framework, modules in BRIDGE_NEEDS.items()}


@pytest.mark.parametrize("before,after,status", [
    ("apply_gradients(optimizer, grads)", "optimizer(grads)", CONVERTED),
    ("groups = param_groups(optimizer)", "groups = optimizer.param_groups", CONVERTED),
    ("initialize_(w, 'ones')", "initialize_(w, 'ones')", REVIEW),
], ids=["apply_gradients", "param_groups", "initialize_"])
def test_a_helper_of_the_framework_converted_away_from_is_written_natively_or_marked(before, after, status):
    source, target = ("torch", "mindspore") if "param_groups" not in before else ("mindspore", "torch")
    helper = {"apply_gradients": "apply_gradients", "param_groups": "param_groups",
              "initialize_": "layer_init"}[before.split("(")[0].split("= ")[-1]]
    code = (f"import {source}\nfrom msbridge.bridge.{helper} import {before.split('(')[0].split('= ')[-1]}\n\n"
            f"{before}\n")
    out, report = convert_source(code, target)
    line = out.splitlines()[-1]
    assert line.split("  # msbridge:")[0] == after
    use = next(u for u in report.uses if u.api.startswith("msbridge.bridge."))
    assert use.status == status and (status == CONVERTED) == ("# msbridge:" not in line)
