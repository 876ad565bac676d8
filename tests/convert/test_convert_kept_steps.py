"""MindSpore steps whose gradients go beyond ``optimizer(grads)`` keep their shape on torch (rules.train_step).

Clipping by hand (``ops.clip_by_global_norm``), logging or scaling ``grads``, or handing ``grad_fn(...)[1]`` straight
to the optimizer cannot be written as ``zero_grad``/``backward``/``step``: such steps were marked review ("rewrite
this step by hand"). They now keep their shape: ``value_and_grad`` is msbridge's twin (MindSpore's structures on
torch) and ``optimizer(grads)`` is ``apply_gradients(optimizer, grads)``. Run on MindSpore and, converted, on torch
with MindSpore unimportable: losses, the clipped norms and every parameter after five steps must agree.
"""
import json
import textwrap

import numpy as np
import pytest

from msbridge.convert.report import CONVERTED
from msbridge.convert.source import convert_source

from blocked_run import BatchRuns, converted_completely, run_blocked

PROGRAM = '''\
import json
import sys

import numpy as np
import mindspore as ms
from mindspore import nn, ops
from mindspore.common.initializer import Constant


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(4, 8, weight_init=Constant(0.1), bias_init="zeros")
        self.fc2 = nn.Dense(8, 3, weight_init=Constant(-0.2), bias_init="ones")

    def construct(self, x):
        return self.fc2(ops.tanh(self.fc1(x)))


net = Net()
loss_fn = nn.MSELoss()
optimizer = nn.Momentum(net.trainable_params(), learning_rate=0.05, momentum=0.9, weight_decay=0.01)


def forward_fn(x, y):
    logits = net(x)
    return loss_fn(logits, y), logits


grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)
norms = []


def train_step(x, y):
    (loss, _), grads = grad_fn(x, y)
    grads = ops.clip_by_global_norm(grads, 0.5)
    norms.append(float(sum((g * g).sum() for g in grads).asnumpy()))
    loss = ops.depend(loss, optimizer(grads))
    return loss


def scaled_step(x, y):
    (loss, _), grads = grad_fn(x, y)
    grads = tuple(g * 0.5 for g in grads)
    optimizer(grads)
    return loss


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((5, 8, 4)).astype(np.float32)
    ys = rng.standard_normal((5, 8, 3)).astype(np.float32)
    losses = []
    for i in range(5):
        step = train_step if i % 2 == 0 else scaled_step
        losses.append(float(step(ms.Tensor(xs[i]), ms.Tensor(ys[i])).asnumpy()))
    with open(sys.argv[1], "w") as fh:
        json.dump({"losses": losses, "norms": norms,
                   "params": [p.asnumpy().tolist() for p in net.trainable_params()]}, fh)
'''


def test_kept_steps_convert_completely():
    out, report = converted_completely(PROGRAM, "torch")
    assert "grad_fn = value_and_grad(forward_fn, None, [p for group in optimizer.param_groups " in out
    assert "    loss = depend(loss, apply_gradients(optimizer, grads))\n" in out
    assert "    apply_gradients(optimizer, grads)\n" in out
    assert "    grads = clip_by_global_norm(grads, 0.5)\n" in out


ADAM = "nn.Adam(net.trainable_params(), learning_rate=0.01, weight_decay=0.01)"
PROGRAMS = {"kept_momentum": PROGRAM, "kept_adam": PROGRAM.replace(
    "nn.Momentum(net.trainable_params(), learning_rate=0.05, momentum=0.9, weight_decay=0.01)", ADAM)}


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_kept_steps_train_the_same_on_torch(runs, optimizer):
    # Adam converts to msbridge's MindSpore-shaped twin (exact), which keeps .parameters and takes opt(grads)
    program = PROGRAMS[f"kept_{optimizer}"]
    assert (optimizer == "adam") == (ADAM in program)
    out, report = converted_completely(program, "torch")
    if optimizer == "adam":
        assert "value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)" in out
    original, converted = runs.pair(f"kept_{optimizer}")
    np.testing.assert_allclose(converted["losses"], original["losses"], rtol=1e-6)
    np.testing.assert_allclose(converted["norms"], original["norms"], rtol=1e-6)
    for ours, theirs in zip(converted["params"], original["params"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
    assert not np.allclose(original["params"][0], 0.1)   # it trained


def test_a_steps_optimizer_call_stays_in_a_step_written_as_torch():
    # the idiom (grads only in optimizer(grads)) is still written as zero_grad/backward/step, not apply_gradients
    out, _ = convert_source(textwrap.dedent("""\
        import mindspore as ms
        from mindspore import nn

        net = nn.Dense(2, 2)
        opt = nn.SGD(net.trainable_params(), learning_rate=0.1)
        grad_fn = ms.value_and_grad(lambda x: net(x).sum(), None, opt.parameters)


        def step(x):
            loss, grads = grad_fn(x)
            opt(grads)
            return loss
        """), "torch")
    assert "apply_gradients" not in out and "    opt.step()\n" in out and "loss.backward()" in out


# what the two programs below share: the imports, and a step in a function given the optimizer over
# net.trainable_params() (the optimizer is a parameter: only the gradients' origin says what it applies)
HEADER = '''\
import json
import sys

import numpy as np
import mindspore as ms
from mindspore import nn
from mindspore.common.initializer import Constant
'''
TRAIN = '''\
def train(net, optimizer, xs, ys):
    loss_fn = nn.MSELoss()
    grad_fn = ms.value_and_grad(lambda x, y: loss_fn(net(x), y), None, net.trainable_params())
    losses = []
    for x, y in zip(xs, ys):
        loss, grads = grad_fn(ms.Tensor(x), ms.Tensor(y))
        optimizer(grads)
        losses.append(float(loss.asnumpy()))
    return losses


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((4, 8, 4)).astype(np.float32)
    ys = rng.standard_normal((4, 8, 3)).astype(np.float32)
'''

PARAMETER_PROGRAM = HEADER + '''\


def make():
    net = nn.Dense(4, 3, weight_init=Constant(0.1), bias_init="zeros")
    opt = nn.SGD(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    return net, opt


''' + TRAIN + '''\
    net, opt = make()
    losses = train(net, opt, xs, ys)
    with open(sys.argv[1], "w") as fh:
        json.dump({"losses": losses, "w": net.weight.asnumpy().tolist()}, fh)
'''


def test_a_step_in_a_function_given_the_optimizer_applies_the_gradients(runs):
    # value_and_grad over net.trainable_params() in `def train(net, optimizer, ...)`: the optimizer is a parameter,
    # so only the gradients' origin says that `optimizer(grads)` applies them
    out, report = converted_completely(PARAMETER_PROGRAM, "torch")
    assert "        apply_gradients(optimizer, grads)\n" in out
    original, converted = runs.pair("given")
    np.testing.assert_allclose(converted["losses"], original["losses"], rtol=1e-6)
    np.testing.assert_allclose(converted["w"], original["w"], rtol=1e-5, atol=1e-7)


def test_a_kept_step_converted_there_and_back_trains_as_the_original(runs, tmp_path):
    # back to MindSpore, `apply_gradients(optimizer, grads)` is `optimizer(grads)` again (rules.twin_natives); the
    # weight_init= lines the first conversion moved into msbridge's torch-only initialize_ are review, and are ported
    # here as their marks ask, so what runs is what the converter reported converted
    there, _ = convert_source(PARAMETER_PROGRAM, "torch")
    back, report = convert_source(there, "mindspore")
    assert "        optimizer(grads)\n" in back
    assert {u.api for u in report.uses if u.status != CONVERTED} == {"msbridge.bridge.layer_init.initialize_"}
    ported = "".join(line.split("  # msbridge:")[0] + ("\n" if "# msbridge:" in line else "")
                     for line in back.splitlines(True))
    ported = ported.replace("from msbridge.bridge.layer_init import initialize_\n", "").replace(
        "initialize_(net.weight, mindspore.common.initializer.Constant(0.1))",
        "net.weight.set_data(mindspore.common.initializer.initializer(mindspore.common.initializer.Constant(0.1), "
        "net.weight.shape))").replace(
        'initialize_(net.bias, "zeros")',
        'net.bias.set_data(mindspore.common.initializer.initializer("zeros", net.bias.shape))')
    original, _ = runs.pair("given")
    assert json.loads(run_blocked(tmp_path, "torch", "back", ported).read_text()) == original


def test_apply_gradients_calls_anything_but_a_torch_optimizer_as_written():
    import torch

    from msbridge.bridge.apply_gradients import apply_gradients

    seen = []
    assert apply_gradients(lambda grads: seen.append(grads) or "own", (1, 2)) == "own" and seen == [(1, 2)]
    weight = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([weight], lr=0.5)
    assert apply_gradients(optimizer, (torch.tensor([1.0, 2.0]),)) is True
    assert weight.tolist() == [0.5, 0.0]
    with pytest.raises(ValueError, match="2 gradients for the optimizer's 1 trainable"):
        apply_gradients(optimizer, (torch.zeros(2), torch.zeros(2)))


DECAY_PROGRAM = HEADER + '''\


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(4, 6, weight_init=Constant(0.1), bias_init="zeros")
        self.norm = nn.LayerNorm((6,))
        self.fc2 = nn.Dense(6, 6, weight_init=Constant(-0.05), bias_init="ones")
        self.norm2 = nn.LayerNorm((6,))
        self.fc3 = nn.Dense(6, 3, weight_init=Constant(0.2), bias_init="zeros")

    def construct(self, x):
        return self.fc3(self.norm2(self.fc2(self.norm(self.fc1(x)))))


''' + TRAIN + '''\
    net = Net()
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9, weight_decay=0.05)
    losses = train(net, opt, xs, ys)
    with open(sys.argv[1], "w") as fh:
        json.dump({"losses": losses, "params": [p.asnumpy().tolist() for p in net.trainable_params()]}, fh)
'''


def test_gradients_pair_with_the_parameters_in_mindspores_order_under_weight_decay(runs):
    # the weight-decay groups (LayerNorm gamma/beta undecayed) used to put the decayed parameters first: the
    # gradients, in the network's order, met the wrong parameters (a (6,) gradient for a (6, 6) weight)
    out, report = convert_source(DECAY_PROGRAM, "torch")
    assert report.complete and "mindspore_decay_groups(net)" in out
    original, converted = runs.pair("decay")
    np.testing.assert_allclose(converted["losses"], original["losses"], rtol=1e-5)
    for ours, theirs in zip(converted["params"], original["params"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_decay_groups_keep_mindspores_parameter_order():
    import torch

    from msbridge.bridge.weight_decay import mindspore_decay_groups

    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 3),
                              torch.nn.LayerNorm(3), torch.nn.Linear(3, 1))
    groups = mindspore_decay_groups(net)
    assert [p for group in groups for p in group["params"]] == list(net.parameters())
    assert [group.get("weight_decay") for group in groups] == [None, 0.0, None, 0.0, None]


ADAM_PARAMETERS = """\
import json
import sys

from mindspore import nn

net = nn.Dense(3, 2)
optimizer = nn.Adam(net.trainable_params(), learning_rate=0.01, weight_decay=0.01)
with open(sys.argv[1], "w") as handle:
    json.dump({"n": len(optimizer.parameters)}, handle)
"""


def test_the_parameters_of_msbridges_mindspore_shaped_optimizer_stay(runs):
    # `len(opt.parameters)` became torch's param_groups listing, which msbridge's Adam twin does not have
    out, report = convert_source(ADAM_PARAMETERS, "torch")
    assert report.complete and "json.dump({\"n\": len(optimizer.parameters)}, handle)" in out
    original, converted = runs.pair("params")
    assert original == converted == {"n": 2}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """This file's MindSpore programs (torch unimportable) and their conversions (MindSpore unimportable), run once
    in two subprocesses (blocked_run.BatchRuns)."""
    programs = {**PROGRAMS, "given": PARAMETER_PROGRAM, "decay": DECAY_PROGRAM, "params": ADAM_PARAMETERS}
    return BatchRuns(tmp_path_factory.mktemp("runs"),
                     {name: (text, convert_source(text, "torch")[0]) for name, text in programs.items()},
                     "mindspore", "torch")
