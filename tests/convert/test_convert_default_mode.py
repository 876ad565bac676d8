"""(before, after) pairs for rules.default_mode: a network is built in the source framework's default mode.

The frameworks' defaults themselves (torch: training, MindSpore: inference, children and containers alike) and
what converted programs compute with them are measured by running both in tests/convert/test_convert_run.py
(``test_convert_run_default_mode``).
"""
import textwrap

import pytest

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

MS_CLASS = """\
    from mindspore import nn


    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(3)
            self.head = nn.SequentialCell([nn.Dense(3, 3), nn.Dropout(p=0.5)])

        def construct(self, x):
            return self.head(self.bn(x))


    """
TORCH_CLASS = """\
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(3)
            self.head = nn.Sequential(nn.Linear(3, 3), nn.Dropout(p=0.5))

        def forward(self, x):
            return self.head(self.bn(x))


    """


def _convert(code, to):
    out, report = convert_source(textwrap.dedent(code), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    return out, report


def _tail(out, lines):
    return out.splitlines()[-lines:]


def _modes(report):
    return [u.status for u in report.uses if u.api == "<default mode>"]


CASES = [
    # (id, source code after the class, to, expected last lines)
    ("ms-model", "net = Net()\n", "torch", ["net = Net().eval()"]),
    ("ms-layer-and-plain", "bn = nn.BatchNorm2d(3)\nfc = nn.Dense(3, 3)\n", "torch",
     ["bn = torch.nn.BatchNorm2d(3).eval()", "fc = torch.nn.Linear(3, 3)"]),
    ("ms-container-once", "seq = nn.SequentialCell([Net(), nn.Dropout(p=0.5), nn.ReLU()])\n", "torch",
     ["seq = torch.nn.Sequential(Net(), torch.nn.Dropout(p=0.5), torch.nn.ReLU()).eval()"]),
    ("ms-set-next", "net = Net()\nnet.set_train()\n", "torch", ["net = Net()", "net.train()"]),
    ("ms-receiver", "net = Net().set_train(False)\n", "torch", ["net = Net().train(False)"]),
    ("ms-factory", "def build():\n    return Net()\n", "torch", ["def build():", "    return Net().eval()"]),
    ("torch-model", "model = Net()\n", "mindspore", ["model = Net().set_train()"]),
    ("torch-dropout", "drop = nn.Dropout(0.5)\n", "mindspore", ["drop = mindspore.nn.Dropout(p=0.5).set_train()"]),
    ("torch-eval-next", "model = Net()\nmodel.eval()\n", "mindspore", ["model = Net()", "model.set_train(False)"]),
    ("torch-holder", "class Trainer:\n    def __init__(self):\n        self.model = Net()\n", "mindspore",
     ["class Trainer:", "    def __init__(self):", "        self.model = Net().set_train()"]),
]


@pytest.mark.parametrize("case_id,code,to,expected", CASES, ids=[c[0] for c in CASES])
def test_default_mode_written_at_constructions(case_id, code, to, expected):
    out, report = _convert(textwrap.dedent(MS_CLASS if to == "torch" else TORCH_CLASS) + code, to)
    assert _tail(out, len(expected)) == expected
    # children built inside the class are set by the outermost construction's call
    assert ".eval()" not in out.split("\n\n\n")[1] and ".set_train()" not in out.split("\n\n\n")[1]
    assert set(_modes(report)) <= {CONVERTED}
    assert len(_modes(report)) == sum(line.endswith((").eval()", ").set_train()")) for line in expected)


def test_default_mode_review_where_it_cannot_be_written():
    code = """\
        import mindspore
        from mindspore import nn
        from src.lenet import LeNet5
        from src.config import Config


        class Frozen(nn.Cell):
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(3)
                self.bn.set_train(True)


        cfg = Config()
        net = LeNet5(10)
        opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
        wrapped = LeNet5(10)
        model = mindspore.train.Model(wrapped, nn.SoftmaxCrossEntropyWithLogits(), nn.Momentum(wrapped.trainable_params(), 0.1, 0.9))
        f = Frozen()
        """
    out, report = _convert(code, "torch")
    marks = {u.line: u.message for u in report.uses if u.api == "<default mode>"}
    assert all(u.status == REVIEW for u in report.uses if u.api == "<default mode>")
    assert sorted(marks) == [15, 19], marks   # not Config(), not a network handed to Model (its train/eval set it)
    assert "write `net.eval()` after this line" in marks[15]
    assert "Frozen sets a train/eval mode itself (a mode call in its __init__)" in marks[19]
    assert "f = Frozen()  # msbridge: review: <default mode>" in out


def test_default_mode_written_for_a_class_whose_train_override_sets_children():
    # torch's train() override (detection code keeps a frozen backbone in eval) does not run at construction
    code = TORCH_CLASS.replace("            return self.head(self.bn(x))\n", """\
            return self.head(self.bn(x))

        def train(self, mode=True):
            super().train(mode)
            self.bn.eval()
            return self
""") + "model = Net()\n"
    out, report = _convert(code, "mindspore")
    assert out.splitlines()[-1] == "model = Net().set_train()"
    assert _modes(report) == [CONVERTED]


def test_default_mode_review_for_a_network_built_around_an_earlier_one():
    # MindSpore: net was set to training, the wrapper is built in inference mode and leaves net as it is;
    # .eval() after the wrapper would put net back in inference mode in torch
    code = textwrap.dedent(MS_CLASS) + textwrap.dedent("""\
        class WithLoss(nn.Cell):
            def __init__(self, net):
                super().__init__()
                self.net = net

            def construct(self, x):
                return self.net(x).sum()


        net = Net()
        net.set_train()
        wrapped = WithLoss(net)
        """)
    out, report = _convert(code, "torch")
    assert out.splitlines()[-3:-1] == ["net = Net()", "net.train()"]
    assert out.splitlines()[-1].startswith("wrapped = WithLoss(net)  # msbridge: review: <default mode>: built "
                                           "around net, built before")
    assert _modes(report) == [REVIEW]


def test_default_mode_review_for_a_container_of_an_earlier_network():
    out, report = _convert(textwrap.dedent(TORCH_CLASS) + "model = Net()\nmodel.eval()\n"
                           "stack = nn.Sequential(model, nn.Dropout(0.5))\n", "mindspore")
    assert out.splitlines()[-1].startswith("stack = mindspore.nn.SequentialCell(model, mindspore.nn.Dropout(p=0.5))"
                                           "  # msbridge: review: <default mode>: built around model")
    assert _modes(report) == [REVIEW]


def test_a_mode_call_dispatched_at_run_time_still_counts_as_the_next_use():
    """SRGAN's train.py (second corpus): `net = TrainOnestepPSNR(...)` from another file, then `net.set_train()`;
    the first run writes `set_train(net)` (msbridge.bridge.cell_methods), which a second run must read as the
    mode call it is, and add no mark."""
    out, report = _convert("""\
        import mindspore as ms
        from src.steps import TrainStep


        def main(loss, opt):
            step = TrainStep(loss, opt)
            step.set_train()
            ms.save_checkpoint(step, "step.ckpt")
        """, "torch")
    assert "    set_train(step)\n" in out and "<default mode>" not in out
    assert not _modes(report)
