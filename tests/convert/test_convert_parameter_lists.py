"""Parameter lists whose converted form listed other parameters (a fourth real-code corpus, made minimal).

* ``ParameterTuple(net.trainable_params())`` (mindspore-courses cyclegan, KDDN) became
  ``ParameterTuple(net.parameters())``: frozen parameters joined the list. The bare rename is kept only where
  an optimizer takes the list (it skips parameters without gradients).
* ``optimizer.parameters`` read as a value (cyclegan: ``DistributedGradReducer(optimizer.parameters, ...)``)
  was left as written, and torch's optimizer has no such attribute: it becomes the parameters of its groups.
* torch -> MindSpore, ``net.parameters()`` outside an optimizer became ``net.trainable_params()``: a script
  that freezes and later unfreezes with ``for p in net.parameters()`` unfroze nothing, and counts missed
  frozen parameters. It goes to ``msbridge.torch.nn.module_parameters`` now (all of them, not BatchNorm's
  moving statistics, which torch keeps as buffers).

Each converted program runs with the source framework unimportable and is compared with the original run on
the real source framework here.
"""
import json
import runpy
import sys
import textwrap

from msbridge.convert.report import CONVERTED
from msbridge.convert.source import convert_source

from blocked_run import run_blocked

def _convert(before, to):
    out, report = convert_source(textwrap.dedent(before), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    assert {u.status for u in report.uses} == {CONVERTED}, [(u.line, u.api, u.status) for u in report.uses]
    return out


def _both(tmp_path, before, to):
    """(original's output under its own framework here, converted output with that framework blocked)."""
    source = "mindspore" if to == "torch" else "torch"
    out = _convert(before, to)
    original = tmp_path / "original.py"
    original.write_text(textwrap.dedent(before))
    sys.argv = [str(original), str(tmp_path / "original.json")]
    runpy.run_path(str(original), run_name="__main__")
    run_blocked(tmp_path, source, "ours", out)
    return (json.loads((tmp_path / name).read_text()) for name in ("original.json", "ours.out")), out


def test_a_parameter_tuple_of_trainable_params_keeps_the_filter_and_optimizer_parameters_become_a_list(tmp_path):
    (real, ours), out = _both(tmp_path, """\
        import json
        import sys

        from mindspore import nn, ParameterTuple

        net = nn.Dense(2, 2)
        net.bias.requires_grad = False
        weights = ParameterTuple(net.trainable_params())
        opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
        with open(sys.argv[1], "w") as handle:
            json.dump([len(weights), len(opt.parameters), [list(p.shape) for p in opt.parameters]], handle)
        """, "torch")
    assert "ParameterTuple([p for p in net.parameters() if p.requires_grad])" in out
    assert "torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)" in out   # an optimizer: the bare rename
    assert "len([p for group in opt.param_groups for p in group['params'] if p.requires_grad])" in out
    assert ours == real == [1, 1, [[2, 2]]]


def test_parameters_outside_an_optimizer_list_frozen_ones_too_and_no_statistics(tmp_path):
    (real, ours), out = _both(tmp_path, """\
        import json
        import sys

        import torch
        from torch import nn

        net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        for p in net.parameters():
            p.requires_grad = False
        frozen = sum(p.numel() for p in net.parameters() if p.requires_grad)
        for p in net[2].parameters():
            p.requires_grad = True
        with open(sys.argv[1], "w") as handle:
            json.dump([frozen, sum(p.numel() for p in net.parameters()),
                       sum(p.numel() for p in net.parameters() if p.requires_grad),
                       [list(p.shape) for p in net.parameters()]], handle)
        """, "mindspore")
    assert "opt = mindspore.nn.SGD(net.trainable_params(), learning_rate=0.1)" in out   # an optimizer takes the trainable ones
    assert "for p in module_parameters(net):" in out
    assert ours == real and real[0] == 0 and real[2] == 8 and len(real[3]) == 6   # torch: no running stats
