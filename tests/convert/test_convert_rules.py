"""(before, after) source pairs, one or more per rewrite rule, plus the report each produces.

Expected outputs are written out in full: the converter must produce exactly
this text (comments, blank lines, quotes and layout of untouched code kept).
"""
import textwrap

import pytest

from msbridge.convert.report import CONVERTED, REVIEW, UNSUPPORTED
from msbridge.convert.source import convert_source


def _convert(before, to=None):
    return convert_source(textwrap.dedent(before), to)


def _check(before, after, to=None):
    out, report = _convert(before, to)
    assert out == textwrap.dedent(after)
    again, _ = convert_source(out, to or report.direction)
    assert again == out, "converting twice must give the same output"
    return report


# ---- name resolution: every import spelling of the same API ------------------------------------
ALIASES = [
    ("import mindspore\nx = mindspore.nn.ReLU()\n", "import torch\nx = torch.nn.ReLU()\n"),
    ("import mindspore as ms\nx = ms.nn.ReLU()\n", "import torch\nx = torch.nn.ReLU()\n"),
    ("import mindspore.nn as nn\nx = nn.ReLU()\n", "import torch\nx = torch.nn.ReLU()\n"),
    ("from mindspore import nn\nx = nn.ReLU()\n", "import torch\nx = torch.nn.ReLU()\n"),
    ("from mindspore.nn import ReLU as R\nx = R()\n", "import torch\nx = torch.nn.ReLU()\n"),
    ("from mindspore.nn.layer.activation import ReLU\nx = ReLU()\n", "import torch\nx = torch.nn.ReLU()\n"),
]


@pytest.mark.parametrize("before,after", ALIASES, ids=["import", "import-as", "import-dotted-as", "from-import",
                                                        "from-import-as", "private-module-path"])
def test_convert_rules_resolves_import_aliases(before, after):
    report = _check(before, after)
    assert [u.api for u in report.uses] == ["mindspore.nn.ReLU"]


def test_convert_rules_torch_aliases_to_mindspore():
    _check("""\
        import torch.optim.lr_scheduler as lrs
        import torch.onnx as onnx
        from torch import nn
        m = nn.ReLU()
        """, """\
        import msbridge.torch.optim.lr_scheduler as lrs
        import torch.onnx as onnx  # msbridge: review: torch.onnx: imported but unused before the conversion: kept, but it stops the file from running without torch: remove it
        import mindspore
        m = mindspore.nn.ReLU()
        """)  # `lrs`, `onnx` were unused before the conversion: kept (not the converter's business); `lrs` has a
    # msbridge twin module, imported in its place (the file runs without torch), `onnx` has none: marked


def test_convert_rules_unrelated_names_untouched():
    before = """\
        import numpy as np
        from mindspore import nn
        nn_like = np.array([1])  # keep me
        relu = nn.ReLU()
        def ReLU(): pass
        """
    out, report = _convert(before)
    assert "nn_like = np.array([1])  # keep me\n" in out
    assert "def ReLU(): pass\n" in out
    assert "import numpy as np\n" in out


# ---- table-driven arguments ------------------------------------------------------------------------
def test_convert_rules_renames_positional_and_keyword_args():
    _check("""\
        from mindspore import nn
        fc = nn.Dense(4, out_channels=2, has_bias=False)
        """, """\
        import torch
        fc = torch.nn.Linear(4, out_features=2, bias=False)
        """)


def test_convert_rules_default_that_differs_is_written_out():
    # torch SGD's lr defaults to 0.001; MindSpore's SGD to 0.1: the converted call must say 0.001
    report = _check("""\
        import torch
        opt = torch.optim.SGD(params)
        """, """\
        import mindspore
        opt = mindspore.nn.SGD(params, learning_rate=0.001)
        """)
    assert report.uses[0].status == CONVERTED


def test_convert_rules_unsupported_argument_is_marked_and_reported():
    out, report = _convert("""\
        from mindspore import nn
        convs = [nn.Conv2d(3, 4, 3, data_format='NHWC')]
        """)   # torch's Conv2d is NCHW only
    assert out.splitlines()[-1].startswith("convs = [torch.nn.Conv2d(3, 4, 3, padding='same', bias=False)]  "
                                           "# msbridge: review: mindspore.nn.Conv2d:")
    assert "data_format" in out
    assert report.uses[0].status == REVIEW and not report.complete


def test_convert_rules_a_transform_that_cannot_take_the_literal_is_review():
    # torch's momentum=None (a cumulative average) became `momentum=1 - None`, reported converted: a TypeError
    out, report = _convert("""\
        import torch.nn as nn
        bn = nn.BatchNorm2d(4, momentum=None)
        ok = nn.BatchNorm2d(4, momentum=0.2)
        """, "mindspore")
    lines = out.splitlines()
    assert lines[-2].startswith("bn = mindspore.nn.BatchNorm2d(4).set_train()  # msbridge: review: "
                                "torch.nn.BatchNorm2d: 'momentum=None' cannot be translated"), out
    assert lines[-1] == "ok = mindspore.nn.BatchNorm2d(4, momentum=1 - 0.2).set_train()"
    assert [u.status for u in report.uses if u.api == "torch.nn.BatchNorm2d"] == [REVIEW, CONVERTED]


def test_convert_rules_unsupported_argument_at_its_default_is_dropped_silently():
    _check("""\
        from mindspore import nn
        fc = nn.Dense(4, 2, weight_init=None)
        """, """\
        import torch
        fc = torch.nn.Linear(4, 2)
        """)


def test_convert_rules_api_without_counterpart_is_marked_once():
    before = """\
        import mindspore as ms
        y = ms.ops.no_such_api(x)  # user comment
        """
    out, report = _convert(before)
    assert out == textwrap.dedent("""\
        import mindspore as ms
        # msbridge: unsupported: mindspore.ops.no_such_api: no torch counterpart in the mapping tables
        y = ms.ops.no_such_api(x)  # user comment
        """)
    assert report.uses[0].status == UNSUPPORTED and report.summary()["rate"] == 0.0
    again, _ = convert_source(out, "torch")
    assert again == out


def test_convert_rules_reference_without_call():
    _check("""\
        import mindspore as ms
        t = ms.tensor(x, ms.float32)
        """, """\
        import torch
        t = torch.tensor(x, dtype=torch.float32)
        """)


# ---- LR: runtime twins and the MindSporeLR bridge ----------------------------------------------------
def test_convert_rules_mindspore_lr_list_uses_runtime_twin():
    _check("""\
        from mindspore import nn
        lr = nn.cosine_decay_lr(0.001, 0.1, 100, 10, 10)
        """, """\
        from msbridge.mindspore.nn import cosine_decay_lr
        lr = cosine_decay_lr(0.001, 0.1, 100, 10, 10)
        """)


def test_convert_rules_per_step_lr_optimizer_gets_mindspore_lr_bridge():
    report = _check("""\
        from mindspore import nn
        lr = nn.piecewise_constant_lr([2, 4], [0.1, 0.01])
        opt = nn.Momentum(net.trainable_params(), lr, 0.9)
        """, """\
        import torch
        from msbridge.mindspore.nn import piecewise_constant_lr
        from msbridge.bridge import MindSporeLR
        lr = piecewise_constant_lr([2, 4], [0.1, 0.01])
        opt = torch.optim.SGD(net.parameters(), momentum=0.9)
        opt_mindspore_lr = MindSporeLR(opt, lr)
        opt.register_step_post_hook(lambda *_: opt_mindspore_lr.step())
        """)
    assert report.complete


def test_convert_rules_number_lr_stays_native():
    _check("""\
        from mindspore import nn
        base = 0.05
        opt = nn.Momentum(params, learning_rate=base, momentum=0.9)
        """, """\
        import torch
        base = 0.05
        opt = torch.optim.SGD(params, lr=base, momentum=0.9)
        """)


def test_convert_rules_bridge_folds_back_into_learning_rate():
    _check("""\
        import torch
        from msbridge.mindspore.nn import piecewise_constant_lr
        from msbridge.bridge.mindspore_lr import MindSporeLR
        lr = piecewise_constant_lr([2, 4], [0.1, 0.01])
        opt = torch.optim.SGD(net.parameters(), momentum=0.9)
        opt_mindspore_lr = MindSporeLR(opt, lr)
        opt.register_step_post_hook(lambda *_: opt_mindspore_lr.step())
        """, """\
        import mindspore
        lr = mindspore.nn.piecewise_constant_lr([2, 4], [0.1, 0.01])
        opt = mindspore.nn.SGD(net.trainable_params(), learning_rate=lr, momentum=0.9)
        """, to="mindspore")


def test_convert_rules_torch_scheduler_uses_runtime_twin_and_back():
    torch_src = """\
        import torch
        from torch.optim import lr_scheduler
        sched = lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
        """
    ms_src = """\
        import torch  # msbridge: review: torch: imported but unused before the conversion: kept, but it stops the file from running without torch: remove it
        from msbridge.torch.optim.lr_scheduler import StepLR
        sched = StepLR(opt, step_size=30, gamma=0.1)
        """  # `import torch` was unused before the conversion: kept, and marked
    _check(torch_src, ms_src)
    back, _ = convert_source(textwrap.dedent(ms_src).split("\n", 1)[1], "torch")
    assert back == "import torch\nsched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)\n"


# ---- idioms ----------------------------------------------------------------------------------------------
def test_convert_rules_cell_construct_to_module_forward():
    _check("""\
        from mindspore import nn


        class Net(nn.Cell):
            # a comment
            def construct(self, x):
                return x

            def helper(self):
                return self.construct
        """, """\
        import torch


        class Net(torch.nn.Module):
            # a comment
            def forward(self, x):
                return x

            def helper(self):
                return self.forward
        """)


def test_convert_rules_value_and_grad_to_backward():
    _check("""\
        import mindspore as ms

        grad_fn = ms.value_and_grad(forward_fn, None, opt.parameters, has_aux=True)


        def train_step(x, y):
            (loss, _), grads = grad_fn(x, y)
            opt(grads)
            return loss
        """, """\
        def train_step(x, y):
            opt.zero_grad()
            (loss, _) = forward_fn(x, y)
            loss.backward()
            opt.step()
            return loss
        """)


def test_convert_rules_backward_step_to_value_and_grad():
    _check("""\
        from torch import nn
        model = nn.ReLU()
        for x, y in batches:
            opt.zero_grad()
            out = model(x)
            loss = crit(out, y)
            loss.backward()
            opt.step()
            print(out.shape)
        """, """\
        import mindspore
        model = mindspore.nn.ReLU()
        for x, y in batches:
            def _msbridge_forward():
                out = model(x)
                loss = crit(out, y)
                return loss, (out,)
            (loss, (out,)), grads = mindspore.value_and_grad(_msbridge_forward, None, opt.parameters, has_aux=True)()
            opt(grads)
            print(out.shape)
        """)


# ---- safety -------------------------------------------------------------------------------------------
def test_convert_rules_unparsable_source_comes_back_unchanged():
    code = "from mindspore import nn\ndef broken(:\n"
    out, report = convert_source(code)
    assert out == code and report.error and not report.complete


def test_convert_rules_file_without_framework_imports_untouched():
    code = "import os\n\nprint(os.sep)  # nothing to do\n"
    out, report = convert_source(code)
    assert out == code and report.complete and report.direction is None


def test_convert_rules_target_framework_file_is_a_no_op():
    code = "import torch\nm = torch.nn.ReLU()\n"
    assert convert_source(code, "torch")[0] == code


def test_convert_rules_mark_on_compound_statement_header():
    before = """\
        import mindspore as ms
        for batch in ms.dataset.NoSuchLoader(x):  # loop
            pass
        """
    out, report = _convert(before)
    assert out == textwrap.dedent("""\
        import mindspore as ms
        # msbridge: unsupported: mindspore.dataset.NoSuchLoader: no torch counterpart in the mapping tables
        for batch in ms.dataset.NoSuchLoader(x):  # loop
            pass
        """)
    assert convert_source(out, "torch")[0] == out


def test_convert_rules_inexact_row_prefers_runtime_twin_both_ways():
    # the tables say mindspore.nn.Adam <-> torch.optim.Adam is only approximate (different float32 recipe):
    # the converted program uses msbridge's exact twin of the SOURCE optimizer instead, arguments untouched
    report = _check("""\
        from mindspore import nn
        opt = nn.Adam(net.trainable_params(), learning_rate=lr, beta1=0.8)
        """, """\
        from msbridge.mindspore.nn import Adam
        opt = Adam(net.parameters(), learning_rate=lr, beta1=0.8)
        """)
    assert report.complete and "approximate" in report.uses[-1].message
    _check("""\
        import torch
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
        """, """\
        from msbridge.torch.optim import AdamW
        opt = AdamW(model.trainable_params(), lr=1e-3, betas=(0.9, 0.98))
        """)


def test_convert_rules_from_import_of_replaced_name_is_dropped():
    _check("""\
        from torch.optim.lr_scheduler import StepLR, ReduceLROnPlateau
        s = StepLR(opt, 2)
        p = ReduceLROnPlateau(opt)
        """, """\
        from msbridge.torch.optim.lr_scheduler import StepLR, ReduceLROnPlateau
        s = StepLR(opt, 2)
        p = ReduceLROnPlateau(opt)
        """)


def test_convert_rules_runtime_twin_name_collision_uses_module_import():
    _check("""\
        from mindspore import nn
        warmup_lr = 3
        lr = nn.warmup_lr(0.1, 10, 2, 1)
        """, """\
        import msbridge.mindspore.nn
        warmup_lr = 3
        lr = msbridge.mindspore.nn.warmup_lr(0.1, 10, 2, 1)
        """)


def test_convert_rules_file_importing_both_frameworks_needs_a_direction():
    code = "import torch\nimport mindspore\nx = mindspore.nn.ReLU()\n"
    out, report = convert_source(code)
    assert out == code and not report.complete and "--to" in report.uses[0].message
    out, report = convert_source(code, "torch")
    assert out == "import torch\nx = torch.nn.ReLU()\n" and report.complete


def test_convert_rules_report_lines_are_source_lines():
    code = textwrap.dedent("""\
        '''doc'''
        import mindspore as ms
        from mindspore import nn


        def helper():
            return 1


        class Net(nn.Cell):
            def __init__(self):
                super().__init__()
                if True:
                    pass
                else:
                    x = 1; self.a = nn.ReLU()
                try:
                    self.fc = nn.Dense(2,
                                       3)
                except ValueError:
                    pass
                finally:
                    y = ms.ops.no_such(1)
        lr = nn.cosine_decay_lr(0.0, 0.1, 10, 2, 5)
        """)
    _, report = convert_source(code)
    assert [(u.api, u.line) for u in report.uses] == [
        ("mindspore.nn.Cell", 10), ("mindspore.nn.ReLU", 16), ("mindspore.nn.Dense", 18),
        ("mindspore.ops.no_such", 23), ("mindspore.nn.cosine_decay_lr", 24)]


def test_convert_rules_api_referenced_without_call():
    # Dense has a twin taking MindSpore's arguments (its later calls keep them); BatchNorm1d has none: marked
    out, report = _convert("""\
        from mindspore import nn
        layer = nn.Dense
        norm = nn.BatchNorm1d
        act = nn.ReLU
        """)
    assert out == textwrap.dedent("""\
        import torch
        from msbridge.mindspore.nn import Dense
        layer = Dense
        norm = torch.nn.BatchNorm1d  # msbridge: review: mindspore.nn.BatchNorm1d: used without a call: its calls must use torch.nn.BatchNorm1d's argument names (see `msbridge explain mindspore.nn.BatchNorm1d`)
        act = torch.nn.ReLU
        """)
    assert [u.status for u in report.uses] == [CONVERTED, REVIEW, CONVERTED]


@pytest.mark.parametrize("code,to", [
    ("import torch\nfrom msbridge.mindspore.nn import warmup_lr\nlr = warmup_lr(0.1, 10, 2, 1)\n", "mindspore"),
    ("import mindspore\nfrom msbridge.torch.optim.lr_scheduler import StepLR\ns = StepLR(o, 2)\n", "torch"),
    ("from msbridge.mindspore.nn import warmup_lr\nlr = warmup_lr(0.1, 10, 2, 1)\n", "mindspore"),
])
def test_convert_rules_direction_of_converted_output_is_back(code, to):
    # a converted file imports the target framework plus msbridge twins of the source one: converting it
    # again without --to goes back
    assert convert_source(code)[1].direction == to


def test_convert_rules_tensor_and_mode_methods():
    _check("""\
        import torch
        model = torch.nn.ReLU()
        model.eval()
        model.train()
        a = model(x).numpy()
        """, """\
        import mindspore
        model = mindspore.nn.ReLU()
        model.set_train(False)
        model.set_train()
        a = model(x).asnumpy()
        """)
    _check("""\
        import mindspore
        net = mindspore.nn.ReLU()
        net.set_train(False)
        a = net(x).asnumpy()
        """, """\
        import torch
        net = torch.nn.ReLU()
        net.train(False)
        a = net(x).numpy(force=True)
        """)


def test_convert_rules_parameter_group_keys_that_do_not_cross_are_flagged():
    out, report = _convert("""\
        from mindspore import nn
        opt = nn.Momentum([{'params': a, 'grad_centralization': True}, {'params': b}], 0.1, 0.9)
        ok = nn.Momentum([{'params': a, 'weight_decay': 0.01}], 0.1, 0.9)
        """)
    assert [u.status for u in report.uses] == [REVIEW, CONVERTED]
    assert "['grad_centralization'] have no torch meaning" in out.splitlines()[1]
    out, report = _convert("""\
        import torch
        opt = torch.optim.SGD([{'params': a, 'momentum': 0.5}], lr=0.1)
        """)
    assert report.uses[0].status == REVIEW and "['momentum']" in out


def test_convert_rules_backward_step_with_rebound_input_is_left_and_marked():
    before = """\
        import torch
        for x, y in batches:
            opt.zero_grad()
            x = x.float()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
        """
    out, report = _convert(before)
    assert "# msbridge: review: torch.Tensor.backward: the forward statements rebind ['x']" in out
    assert "loss.backward()" in out and "value_and_grad(" not in out
    assert not report.complete
    assert convert_source(out, "mindspore")[0] == out


def test_convert_rules_value_and_grad_call_arguments_are_converted_too():
    _check("""\
        import mindspore as ms

        # gradients of the loss
        grad_fn = ms.value_and_grad(forward_fn, None, opt.parameters)
        loss, grads = grad_fn(ms.tensor(x), ms.ops.no_such(y))
        opt(grads)
        """, """\
        import mindspore as ms
        import torch

        # gradients of the loss
        opt.zero_grad()
        loss = forward_fn(torch.tensor(x), ms.ops.no_such(y))  # msbridge: unsupported: mindspore.ops.no_such: no torch counterpart in the mapping tables
        loss.backward()
        opt.step()
        """)


def test_convert_rules_row_condition_decides():
    # optim.Momentum applies to torch only when `not use_nesterov`: otherwise msbridge's exact twin is used
    out, report = _convert("""\
        from mindspore import nn
        a = nn.Momentum(p, 0.1, 0.9)
        b = nn.Momentum(p, 0.1, 0.9, use_nesterov=True)
        c = nn.Momentum(p, 0.1, 0.9, use_nesterov=flag)
        """)
    assert [u.target for u in report.uses] == ["torch.optim.SGD", "msbridge.mindspore.nn.Momentum",
                                               "msbridge.mindspore.nn.Momentum"]
    # experimental schedulers translate only when not resuming (MindSpore applies one decay too many there)
    out, report = _convert("""\
        from mindspore.experimental.optim import lr_scheduler
        s = lr_scheduler.ExponentialLR(o, 0.9, last_epoch=4)
        t = lr_scheduler.ExponentialLR(o, 0.9)
        """)
    assert [u.status for u in report.uses] == [REVIEW, CONVERTED]
    assert "applies only when 'last_epoch == -1'" in out.splitlines()[2]


def test_convert_rules_reference_whose_calls_may_pass_a_source_only_argument_is_review():
    # timm vgg.py: `act_layer=nn.ReLU`, later `act_layer(inplace=True)`: MindSpore's ReLU takes no `inplace`
    # (msbridge.torch.nn.ReLU takes it: tests/convert/test_convert_model_calls.py; ReLU6 has no such twin)
    out, report = _convert("""\
        import torch.nn as nn


        def block(act_layer=nn.ReLU6):
            return act_layer(inplace=True)
        """, "mindspore")
    assert "act_layer=mindspore.nn.ReLU6" in out and "# msbridge: review: torch.nn.ReLU6: used without a call" in out
    assert [u.status for u in report.uses] == [REVIEW]
