"""(before, after) pairs for the binding model: what a name is bound to decides what is rewritten.

One case per defect class of issue 12 (items 1, 7, 8, 10), plus the cases that
must stay unchanged. Each id says why. Converting the output again must change
nothing (idempotence), so ``_check`` converts twice.
"""
import textwrap

import pytest

from msbridge.convert.report import CONVERTED, REVIEW, UNSUPPORTED
from msbridge.convert.source import convert_source


def _check(before, after, to):
    out, report = convert_source(textwrap.dedent(before), to)
    assert out == textwrap.dedent(after)
    again, _ = convert_source(out, to)
    assert again == out, "converting twice must give the same output"
    return report


def _statuses(report):
    return [(u.api, u.status) for u in report.uses]


# ---- scope: only names an import binds are framework APIs --------------------------------------------
UNCHANGED = [
    ("local-rebinding-shadows-import", "from mindspore import nn\n\n\ndef f():\n    nn = mymodels\n    return nn.ReLU()\n"),
    ("parameter-named-like-the-module", "from mindspore import nn\n\n\ndef build(nn):\n    return nn.Dense(4, 2)\n"),
    ("pandas-eval-is-not-a-cell", "import pandas as pd\nimport torch\ndf = pd.read_csv('x.csv')\ndf.eval('a + b')\n"),
    ("numpy-array-numpy-name", "import numpy as np\nimport torch\na = np.zeros(3)\nb = a.tolist()\n"),
]


@pytest.mark.parametrize("code", [c for _, c in UNCHANGED], ids=[i for i, _ in UNCHANGED])
def test_convert_bindings_names_not_bound_by_an_import_stay(code):
    to = "mindspore" if "torch" in code else "torch"
    out, report = convert_source(code, to)
    assert out == code
    assert report.uses == []


def test_convert_bindings_attribute_chain_inside_function_uses_its_own_head():
    # issue 12 item 7: `X.nn.Y` inside a function is not the module-level `nn`
    report = _check("""\
        from mindspore import nn


        def f(cfg):
            return cfg.nn.Dense(2, 3), nn.ReLU()
        """, """\
        import torch


        def f(cfg):
            return cfg.nn.Dense(2, 3), torch.nn.ReLU()
        """, "torch")
    assert _statuses(report) == [("mindspore.nn.ReLU", CONVERTED)]


def test_convert_bindings_name_bound_twice_is_left_and_marked():
    report = _check("""\
        from mindspore import nn
        if flag:
            nn = mymodels
        x = nn.ReLU()
        """, """\
        from mindspore import nn
        if flag:
            nn = mymodels
        x = nn.ReLU()  # msbridge: review: mindspore.nn.ReLU: `nn` is bound to mindspore.nn.ReLU and to something else: left as is
        """, "torch")
    assert _statuses(report) == [("mindspore.nn.ReLU", REVIEW)]


# ---- item 1: methods and dtypes only on objects known to become the target's ------------------------
def test_convert_bindings_method_on_object_left_in_source_framework_is_kept_and_marked():
    report = _check("""\
        from mindspore import nn
        net = nn.Dense(2, 3)
        train_net = nn.TrainOneStepWithLossScaleCell(net, opt)
        train_net.set_train()
        net.set_train(False)
        """, """\
        from mindspore import nn
        import torch
        net = torch.nn.Linear(2, 3)
        train_net = nn.TrainOneStepWithLossScaleCell(net, opt)  # msbridge: unsupported: mindspore.nn.TrainOneStepWithLossScaleCell: no torch counterpart in the mapping tables; mixes frameworks: mindspore.nn.TrainOneStepWithLossScaleCell stays MindSpore but holds torch objects (net): the file will not run until mindspore.nn.TrainOneStepWithLossScaleCell is ported
        train_net.set_train()  # msbridge: review: .set_train(): `train_net` stays a MindSpore object here, so .set_train() is kept
        net.train(False)
        """, "torch")
    assert _statuses(report) == [("mindspore.nn.Dense", CONVERTED), ("mindspore.nn.TrainOneStepWithLossScaleCell", UNSUPPORTED),
                                 (".set_train()", REVIEW), (".set_train()", CONVERTED)]


def test_convert_bindings_asnumpy_on_a_source_tensor_is_review_and_on_an_unknown_one_decided_at_run_time():
    report = _check("""\
        from mindspore import ops
        y = ops.no_such(x)
        print(y.asnumpy(), z.asnumpy())
        """, """\
        from mindspore import ops
        from msbridge.bridge.cell_methods import asnumpy
        y = ops.no_such(x)  # msbridge: unsupported: mindspore.ops.no_such: no torch counterpart in the mapping tables
        print(y.asnumpy(), asnumpy(z))  # msbridge: review: .asnumpy(): `y` stays a MindSpore object here, so .asnumpy() is kept
        """, "torch")
    assert [u.status for u in report.uses] == [UNSUPPORTED, REVIEW, CONVERTED]


def test_convert_bindings_method_rename_on_instances_of_converted_classes():
    _check("""\
        from mindspore import nn


        class Base(nn.Cell):
            pass


        class Net(Base):
            def construct(self, x):
                self.set_train(False)
                return x


        net = Net()
        net.set_train()
        out = net(x).asnumpy()
        """, """\
        import torch


        class Base(torch.nn.Module):
            pass


        class Net(Base):
            def forward(self, x):
                self.train(False)
                return x


        net = Net()
        net.train()
        out = net(x).numpy(force=True)
        """, "torch")


def test_convert_bindings_dtype_follows_its_consumer():
    report = _check("""\
        import mindspore as ms
        from mindspore import dtype as mstype
        import mindspore.ops.operations as P
        t = ms.tensor(x, mstype.float32)
        c = P.Fill()(mstype.float32, (2,), 1.0)
        d = mstype.float32
        """, """\
        import torch
        from mindspore import dtype as mstype
        import mindspore.ops.operations as P
        t = torch.tensor(x, dtype=torch.float32)
        c = P.Fill()(mstype.float32, (2,), 1.0)  # msbridge: unsupported: mindspore.ops.operations.Fill: no torch counterpart in the mapping tables | review: mindspore.float32: passed to `P.Fill()(...)`, which stays MindSpore: kept as MindSpore's dtype
        d = mstype.float32  # msbridge: review: mindspore.float32: not passed to a call: not known to reach a torch API, so it is kept; write torch.float32 where a torch API takes it
        """, "torch")
    assert [u.status for u in report.uses] == [CONVERTED, CONVERTED, UNSUPPORTED, REVIEW, REVIEW]


def test_convert_bindings_parameters_passed_to_a_converted_optimizer_follow_the_consumer():
    report = _check("""\
        from mindspore import nn
        opt = nn.SGD(net.trainable_params(), learning_rate=0.1)
        """, """\
        import torch
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        """, "torch")
    assert report.complete


# ---- item 7: idempotence on what a first run leaves behind --------------------------------------------
def test_convert_bindings_second_run_keeps_remaining_source_module_import():
    first, _ = convert_source(textwrap.dedent("""\
        from mindspore import nn
        seq = nn.SequentialCell([nn.Dense(2, 3)])


        class Loss(nn.LossBase):
            pass


        def make(layers=nn):
            return layers
        """), "torch")
    assert "from mindspore import nn\n" in first
    # nn.LossBase becomes msbridge's twin; the module `nn` itself is never replaced by msbridge's
    assert [line for line in first.splitlines() if "msbridge.mindspore" in line] == [
        "from msbridge.mindspore.nn import LossBase"]
    assert convert_source(first, "torch")[0] == first


def test_convert_bindings_reverse_second_run_leaves_mindspore_names_alone():
    first, report = convert_source(textwrap.dedent("""\
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 3)
                self.seq = nn.Sequential(self.fc)
        """), "mindspore")
    again, second = convert_source(first, "mindspore")
    assert again == first
    assert not any("unsupported: torch.nn\n" in line or u.api == "torch.nn" for u in second.uses
                   for line in [u.message])
    assert "mindspore.nn.Dense" in first and "mindspore.nn.Cell" in first


# ---- item 8: layout around import edits ---------------------------------------------------------------
def test_convert_bindings_replaced_import_keeps_comment_and_blank_lines():
    _check("""\
        import os

        from mindspore import nn as msnn  # aliased on purpose

        import numpy as np

        x = msnn.ReLU()
        """, """\
        import os

        import torch  # aliased on purpose

        import numpy as np

        x = torch.nn.ReLU()
        """, "torch")


def test_convert_bindings_removed_import_keeps_blank_lines_and_comments_of_later_imports():
    _check("""\
        import torch

        import mindspore as ms
        # the layers
        from mindspore import nn  # layers

        import numpy as np
        x = nn.ReLU()
        y = ms.tensor(np.zeros(2))
        """, """\
        import torch

        # the layers
        # layers

        import numpy as np
        x = torch.nn.ReLU()
        y = torch.tensor(np.zeros(2))
        """, "torch")


def test_convert_bindings_already_unused_import_is_kept():
    # kept as written (not the converter's business), but marked and reported: it alone stops the converted
    # file from running without MindSpore, so the file is not "converted"
    report = _check("""\
        import mindspore
        from mindspore import nn
        x = nn.ReLU()
        """, """\
        import mindspore  # msbridge: review: mindspore: imported but unused before the conversion: kept, but it stops the file from running without mindspore: remove it
        import torch
        x = torch.nn.ReLU()
        """, "torch")
    assert not report.complete and [(u.api, u.status) for u in report.uses][-1] == ("mindspore", "review")


# ---- item 10: a call that stays in one framework while holding the other's objects ------------------------
def test_convert_bindings_mixed_container_names_the_api_that_blocks_the_run():
    out, report = convert_source(textwrap.dedent("""\
        import torch
        from torch import nn
        body = nn.ParameterList([nn.Linear(2, 3), nn.ReLU()])  # no row: stays torch
        """), "mindspore")
    use = [u for u in report.uses if u.api == "torch.nn.ParameterList"][0]
    assert use.status == UNSUPPORTED
    assert "torch.nn.ParameterList stays torch but holds MindSpore objects (mindspore.nn.Dense, mindspore.nn.ReLU)" \
        in use.message
    assert "the file will not run until torch.nn.ParameterList is ported" in out
    assert not report.complete


def test_convert_bindings_converted_call_holding_source_objects_is_review():
    out, report = convert_source(textwrap.dedent("""\
        from mindspore import nn
        cell = nn.NoSuchCell()
        opt = nn.SGD(cell.trainable_params(), learning_rate=0.1)
        """), "torch")
    use = [u for u in report.uses if u.api == "mindspore.nn.SGD"][0]
    assert use.status == REVIEW
    assert "torch.optim.SGD holds MindSpore objects that stay MindSpore (cell.trainable_params)" in use.message


def test_convert_bindings_subclass_of_a_mindspore_shaped_twin_keeps_construct_on_a_second_run():
    # found on mindcv's optim/adamw.py: the first run made the base msbridge's MindSpore-shaped Optimizer and
    # kept `construct`; the second run took that import for a torch base and renamed it to `forward`
    before = """\
        from mindspore.nn.optim import Optimizer


        class MyOpt(Optimizer):
            def construct(self, gradients):
                return gradients
        """
    out, _ = convert_source(textwrap.dedent(before), "torch")
    assert "def construct(self, gradients):" in out and "msbridge.mindspore.nn.optim" in out
    again, _ = convert_source(out, "torch")
    assert again == out


def test_convert_bindings_mark_quoting_a_call_over_several_lines_stays_one_comment():
    # found on pytorch/examples' gat/main.py: a mark quoted a multi-line call and LibCST refused the comment
    before = """\
        import torch
        from torch import nn
        device = torch.device("cpu")
        model = nn.Linear(
            4,   # inputs
            2,   # outputs
        ).to(device)
        """
    out, report = convert_source(textwrap.dedent(before), "mindspore")
    assert report.error is None
    compile(out, "<converted>", "exec")
    assert all("\n" not in use.message for use in report.uses)
    assert convert_source(out, "mindspore")[0] == out


def test_convert_bindings_a_class_reference_rewritten_in_an_assignment_holds_a_target_object():
    # found on pytorch/examples' distributed/rpc/pipeline: `self._norm = nn.BatchNorm2d` became MindSpore's class,
    # yet the first run kept calling `self._norm` a torch object, so the second run marked other lines
    before = """\
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self._norm = nn.BatchNorm2d

            def make(self, planes):
                norm = self._norm
                return nn.Sequential(norm(planes))
        """
    out, _ = convert_source(textwrap.dedent(before), "mindspore")
    assert convert_source(out, "mindspore")[0] == out


@pytest.mark.parametrize("before,to,method", [
    # model-zoo MobileNetV2: `self.init_parameters_data()` stayed, unmarked, on what became a torch Module
    ("from mindspore import nn\n\n\nclass Head(nn.Cell):\n    def __init__(self):\n        super().__init__()\n"
     "        self.fc = nn.Dense(4, 2)\n        self.init_parameters_data()\n", "torch", "init_parameters_data"),
    # timm densenet: `self.add_module(...)` stayed, unmarked, on what became a MindSpore Cell (add_module now
    # becomes insert_child_to_cell; its alias register_module has no MindSpore counterpart)
    ("import torch.nn as nn\n\n\nclass Layer(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.register_module('fc', nn.Linear(2, 2))\n", "mindspore", "register_module"),
], ids=["cell-only-method-to-torch", "module-only-method-to-mindspore"])
def test_convert_bindings_base_only_method_on_self_is_marked(before, to, method):
    out, report = convert_source(before, to)
    assert f"self.{method}(" in out and f"# msbridge: review: .{method}():" in out
    assert not report.complete and (f".{method}()", "review") in [(u.api, u.status) for u in report.uses]
    assert convert_source(out, to)[0] == out


def test_convert_bindings_a_class_defining_the_method_itself_is_not_marked():
    out, report = convert_source("from mindspore import nn\n\n\nclass Head(nn.Cell):\n    def __init__(self):\n"
                                 "        super().__init__()\n        self.cells()\n\n    def cells(self):\n"
                                 "        return []\n", "torch")
    assert "# msbridge" not in out and report.complete


def test_convert_bindings_base_only_method_lists_match_the_real_base_classes():
    import mindspore.nn as ms_nn
    import torch.nn as torch_nn

    from msbridge.convert.rules.methods import BASE_ONLY_METHODS
    cell, module = set(dir(ms_nn.Cell)), set(dir(torch_nn.Module))
    assert BASE_ONLY_METHODS["torch"] <= cell - module
    assert BASE_ONLY_METHODS["mindspore"] <= module - cell


def test_convert_bindings_base_only_names_a_target_tensor_also_has_are_the_real_ones():
    # on a receiver of unknown kind these may be a tensor's method, which works: not marked there
    import mindspore
    import torch

    from msbridge.convert.rules.methods import BASE_ONLY_METHODS, TARGET_TENSOR_HAS
    for target, tensor in (("mindspore", mindspore.Tensor), ("torch", torch.Tensor)):
        assert TARGET_TENSOR_HAS[target] == {m for m in BASE_ONLY_METHODS[target] if hasattr(tensor, m)}, target


def test_convert_bindings_module_methods_on_an_untyped_receiver_are_review_torch_to_mindspore():
    # `def report(model): model.modules()` was left as written, unreported: a converted network (a Cell) has no such
    # method (named_parameters() now goes to a twin that decides at run time: test_convert_named_parameters.py)
    out, report = convert_source("import torch\n\n\ndef report(model, x):\n    names = [n for n, _ in "
                                 "model.named_parameters()]\n    mods = list(model.modules())\n    y = x.half()\n"
                                 "    return names, mods, y, torch.zeros(1)\n", "mindspore")
    reviewed = [(u.line, u.api) for u in report.uses if u.status == "review"]
    assert reviewed == [(6, ".modules()")], reviewed
    assert "names = [n for n, _ in named_parameters(model)]" in out
    assert "    y = x.half()\n" in out   # a MindSpore tensor has half(): left alone
