"""(before, after) pairs for tensor methods whose namesakes differ between the frameworks (rules.tensor_methods).

What each twin computes is measured by running converted programs with the source framework blocked
(tests/convert/test_convert_training.py, scripts/torch_tensor_methods.py and scripts/ms_tensor_methods.py);
these pairs pin which calls are rewritten and which are left as written.
"""
import textwrap

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

TORCH_HEAD = "import torch\n\n\ndef f(x, obj):\n"
MS_HEAD = "import mindspore\n\n\ndef f(x):\n"


def _body(code, to):
    head = TORCH_HEAD if to == "mindspore" else MS_HEAD
    out, report = convert_source(head + textwrap.indent(textwrap.dedent(code), "    "), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    return out.split("def f(x, obj):\n" if to == "mindspore" else "def f(x):\n", 1)[1], out, report


PT2MS = [   # (torch, MindSpore): calls that fail or compute otherwise on a MindSpore 2.10 tensor
    ("return x.size(0)", "return size(x, 0)"),
    ("return x.view(x.size(0), -1)", "return x.view(size(x, 0), -1)"),
    ("b, c = x.size()", "b, c = size(x)"),
    ("return x.softmax(dim=-1)", "return softmax(x, dim=-1)"),
    ("return x.log_softmax(1)", "return log_softmax(x, 1)"),
    ("return x.max(1)", "return msbridge.torch.tensor_methods.max(x, 1)"),
    ("return x.min(dim=0).values", "return msbridge.torch.tensor_methods.min(x, dim=0).values"),
    ("return x.topk(5, dim=1).indices", "return topk(x, 5, dim=1).indices"),
    ("return x.sort(descending=True)", "return sort(x, descending=True)"),
    ("return x.argmin(dim=1)", "return argmin(x, dim=1)"),
    ("return x.norm(p=2, dim=1)", "return norm(x, p=2, dim=1)"),
    ("return x.new_zeros(2, 3)", "return new_zeros(x, 2, 3)"),
    ("return x.new_full((2,), 0.5)", "return new_full(x, (2,), 0.5)"),
    ("return x.squeeze(dim=1)", "return squeeze(x, dim=1)"),
    ("return x.repeat(1, 2)", "return repeat(x, 1, 2)"),
    ("return x.var(dim=1)", "return var(x, dim=1)"),
    ("return x.nonzero(as_tuple=True)", "return nonzero(x, as_tuple=True)"),
    ("return obj.size()", "return size(obj)"),   # not known to be a tensor: the twin calls obj's own size()
]
PT2MS_SAME = [   # computing the same on MindSpore 2.10 (measured in scripts/torch_tensor_methods.py): left alone
    "return x.softmax(1)", "return x.max()", "return x.squeeze(1)", "return x.norm()",
    "return x.sum(dim=1, keepdim=True)", "return x.argmax(dim=1)", "return x.view(-1, 4)",
    "return x.permute(0, 2, 1).contiguous()", "return x.flatten(1)", "return x.unsqueeze(dim=1)",
    "return x.transpose(1, 2)", "return x.chunk(2, dim=-1)", "return x.clamp(min=0)", "return x.numel(), x.dim()",
    "return x.masked_fill(x > 0, 0.0).type_as(x)", "return x.expand(2, 3)", "return x.float().item()",
]
MS2PT = [
    ("return x.max(axis=1)", "return msbridge.bridge.tensor_methods.max(x, axis=1)"),
    ("return x.min(axis=0, keepdims=True)", "return msbridge.bridge.tensor_methods.min(x, axis=0, keepdims=True)"),
    ("return x.std()", "return std(x)"),
    ("return x.var(axis=1, ddof=1)", "return var(x, axis=1, ddof=1)"),
]
MS2PT_SAME = ["return x.max(1)", "return x.max()", "return x.squeeze(axis=1)", "return x.sum(axis=1, keepdims=True)",
              "return x.argmax(axis=1)", "return x.reshape(6, 4)", "return x.dim(), x.ndim"]


def _each_in_its_function(pairs):
    """The cases as one file, each in a function of its own (one conversion for all: the suite's time budget)."""
    return "\n\n".join(f"def f{i}(x, obj):\n    {before}" for i, (before, _) in enumerate(pairs))


def _converted_cases(pairs, to):
    head = "import torch\n\n\n" if to == "mindspore" else "import mindspore\n\n\n"
    out, report = convert_source(head + _each_in_its_function(pairs), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    bodies = [part.split("\n", 1)[1].strip() for part in out.split("\ndef f")[1:]]
    assert all(u.status == CONVERTED for u in report.uses if u.api.startswith(".")), report.render()
    return bodies, out


def test_convert_tensor_methods_torch_calls_become_twins():
    bodies, out = _converted_cases(PT2MS, "mindspore")
    for (before, after), body in zip(PT2MS, bodies, strict=True):
        assert body == after, before
    assert "\nfrom msbridge.torch.tensor_methods import " in out and "\nimport msbridge.torch.tensor_methods\n" in out


def _as_one_body(returns):
    """Many ``return ...`` cases as one function body (one conversion for all: the suite's time budget)."""
    return "\n".join(f"r{i} = {r[len('return '):]}" for i, r in enumerate(returns))


def test_convert_tensor_methods_torch_calls_measured_the_same_stay():
    before = _as_one_body(PT2MS_SAME)
    body, out, _ = _body(before, "mindspore")
    assert body.splitlines() == textwrap.indent(before, "    ").splitlines() and "tensor_methods" not in out


def test_convert_tensor_methods_mindspore_calls_become_twins():
    bodies, _ = _converted_cases(MS2PT, "torch")
    for (before, after), body in zip(MS2PT, bodies, strict=True):
        assert body == after, before


def test_convert_tensor_methods_mindspore_calls_measured_the_same_stay():
    before = _as_one_body(MS2PT_SAME)
    body, out, _ = _body(before, "torch")
    assert body.splitlines() == textwrap.indent(before, "    ").splitlines() and "tensor_methods" not in out


def test_convert_tensor_methods_leave_self_numpy_and_the_class_s_own_methods():
    out, report = convert_source(textwrap.dedent("""\
        import numpy as np
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.norm = nn.LayerNorm(4)

            def size(self, d=None):
                return 3

            def forward(self, x):
                return self.norm(x), self.size(0), np.ones(3).max(0), max(1, 2), min(x.shape)
        """), "mindspore")
    assert "return self.norm(x), self.size(0), np.ones(3).max(0), max(1, 2), min(x.shape)\n" in out
    assert "tensor_methods" not in out


def test_convert_tensor_methods_twins_named_like_builtins_are_imported_by_module():
    # `from msbridge.torch.tensor_methods import max` would hide the builtin the file's own `max(a, b)` calls
    body, out, _ = _body("return x.max(1), max(2, 3), x.size(0)", "mindspore")
    assert body.strip() == "return msbridge.torch.tensor_methods.max(x, 1), max(2, 3), size(x, 0)"
    assert "\nimport msbridge.torch.tensor_methods\n" in out and "import size\n" in out


def test_convert_tensor_methods_calls_with_keywords_torch_lacks_are_not_tensor_calls():
    # a list's sort(key=...) and numpy's repeat(n, axis=...): not torch tensor methods, never sent to a twin
    body, out, _ = _body("obj.sort(key=len, reverse=True)\nreturn x.sort(dim=1)", "mindspore")
    assert body == "    obj.sort(key=len, reverse=True)\n    return sort(x, dim=1)"


def test_convert_tensor_methods_mindspore_size_read_on_a_tensor_goes_to_the_twin():
    # MindSpore's x.size is the element count; torch's is a method: `a.size != b.size` compared two bound methods
    source = textwrap.dedent("""\
        import numpy as np
        import mindspore


        class Net(mindspore.nn.Cell):
            def __init__(self, size):
                super().__init__()
                self.size = size

            def construct(self, logits, labels):
                a = np.zeros(3)
                return logits.size == labels.size, self.size, a.size, logits.size * 2
        """)
    out, report = convert_source(source, "torch")
    size = "msbridge.bridge.tensor_methods.size"   # by module: the file binds `size` itself
    assert f"        return {size}(logits) == {size}(labels), self.size, a.size, {size}(logits) * 2\n" in out
    assert [u.api for u in report.uses if u.target == "msbridge.bridge.tensor_methods.size"] == [".size"] * 3
    assert report.complete and convert_source(out, "torch")[0] == out   # not self's, not numpy's
    import mindspore
    import numpy as np
    import torch
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    namespace = {}
    exec(compile(out, "net.py", "exec"), namespace)
    theirs = namespace["Net"](7)(torch.tensor(values), torch.tensor(values[0]))
    exec(compile(source, "net_ms.py", "exec"), namespace)   # the original, on MindSpore
    ours = namespace["Net"](7).construct(mindspore.Tensor(values), mindspore.Tensor(values[0]))
    assert tuple(ours) == tuple(theirs) == (False, 7, 3, 12)


def test_convert_tensor_methods_a_size_written_stays_and_is_marked():
    out, report = convert_source(textwrap.dedent("""\
        import mindspore


        def resize(cell: mindspore.nn.Cell, t):
            t.size = 3
            return cell
        """), "torch")
    assert "    t.size = 3  # msbridge: review: .size: read through msbridge's run-time twin (msbridge.bridge." \
           "tensor_methods.size), and this statement binds it" in out


def test_convert_tensor_methods_torch_calls_without_a_twin_are_marked():
    # measured on MindSpore 2.10: round(decimals=1) raises (only 0 is supported), unsqueeze_/squeeze_ do not exist
    body, out, report = _body("a = x.round(decimals=1)\nx.unsqueeze_(0)\nx.squeeze_()\nreturn x.round(), a",
                              "mindspore")
    assert [(u.api, u.status) for u in report.uses if u.api.startswith(".")] == [
        (".round()", REVIEW), (".unsqueeze_()", REVIEW), (".squeeze_()", REVIEW)], report.render()
    assert "a = x.round(decimals=1)  # msbridge: review: .round(): MindSpore 2.10's Tensor.round refuses decimals" in out
    assert out.endswith("\n    return x.round(), a")   # decimals=0 (the default) computes the same


def test_convert_tensor_methods_a_tensor_left_in_torch_keeps_its_method_and_a_builtin_s_result_is_no_class():
    # pytorch/examples: `input = torch.from_numpy(...)` stayed torch (no row then; torch.view_as_real has none now),
    # so `input.size(1)` stays torch's: a second run must not mark a twin holding it; `weight =
    # next(self.parameters())` crashed the class look-up
    body, out, _ = _body("t = torch.view_as_real(obj)\nw = next(obj)\nreturn t.size(1), w.new_zeros(2, 3)", "mindspore")
    assert body.splitlines()[-1] == "    return t.size(1), new_zeros(w, 2, 3)"
