"""Resume across frameworks: train N steps, convert weights + optimizer state + LR position,
continue N steps on the other side; compare with 2N steps on the first side (same run).

The model is one Dense/Linear layer fed one sample with loss sum(y * t): its gradients (x t^T
and t) are single products, exact in both frameworks, so any difference is the state transfer's
or the optimizer's, not autodiff's."""
import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.bridge.checkpoint import convert_file, load_checkpoint_into  # noqa: E402
from msbridge.bridge.checkpoint_io import read_checkpoint, write_checkpoint  # noqa: E402
from msbridge.bridge.optimizer_state import (  # noqa: E402
    load_into_msbridge_optimizer,
    load_into_torch_optimizer,
    mindspore_state_to_torch_names,
    resume_scheduler,
    torch_optimizer_to_mindspore,
)
from msbridge.mindspore import nn as msb_nn  # noqa: E402

N = 3
LRS = [0.1, 0.08, 0.05, 0.04, 0.03, 0.02]  # a per-step list: the LR position must carry over
RNG = np.random.RandomState(0)
XS = RNG.randn(2 * N, 1, 4).astype(np.float32)
TS = RNG.randn(2 * N, 1, 3).astype(np.float32)
W0, B0 = RNG.randn(3, 4).astype(np.float32), RNG.randn(3).astype(np.float32)


class _Loss(ms.nn.Cell):
    def __init__(self, net):
        super().__init__(auto_prefix=False)  # as WithLossCell: parameter names stay the network's
        self.net = net

    def construct(self, x, t):
        return (self.net(x) * t).sum()


def _ms_run(make_opt, path):
    """2N MindSpore steps, saving the training network after N; (weights after N, weights after 2N)."""
    net = ms.nn.Dense(4, 3)
    net.weight.set_data(ms.Tensor(W0))
    net.bias.set_data(ms.Tensor(B0))
    train = ms.nn.TrainOneStepCell(_Loss(net), make_opt(net.trainable_params()))
    for i in range(2 * N):
        if i == N:
            ms.save_checkpoint(train, str(path))
            half = net.weight.asnumpy().copy()
        train(ms.Tensor(XS[i]), ms.Tensor(TS[i]))
    return half, (net.weight.asnumpy(), net.bias.asnumpy())


def _torch_steps(model, opt, first, last, scheduler=None):
    for i in range(first, last):
        opt.zero_grad()
        (model(torch.tensor(XS[i])) * torch.tensor(TS[i])).sum().backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()


CASES = {
    "Momentum": (lambda p: ms.nn.Momentum(p, LRS, 0.9), lambda p: msb_nn.Momentum(p, LRS, 0.9)),
    "Adam": (lambda p: ms.nn.Adam(p, LRS), lambda p: msb_nn.Adam(p, LRS)),
    "AdamWeightDecay": (lambda p: ms.nn.AdamWeightDecay(p, LRS, weight_decay=0.1),
                        lambda p: msb_nn.AdamWeightDecay(p, LRS, weight_decay=0.1)),
    "Adagrad": (lambda p: ms.nn.Adagrad(p, learning_rate=LRS), lambda p: msb_nn.Adagrad(p, learning_rate=LRS)),
    # torch's RMSprop is another algorithm (refused); msbridge's twin continues the run. centered: mean_grad too
    "RMSProp": (lambda p: ms.nn.RMSProp(p, LRS, momentum=0.5, centered=True),
                lambda p: msb_nn.RMSProp(p, LRS, momentum=0.5, centered=True)),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_mindspore_run_resumes_in_torch_with_msbridge_optimizer(kind, tmp_path):
    make_ms, make_ours = CASES[kind]
    half, reference = _ms_run(make_ms, tmp_path / "half.ckpt")

    model = torch.nn.Linear(4, 3)
    conversion = convert_file(tmp_path / "half.ckpt", tmp_path / "half.pt", model=model, weights_only=True)
    model.load_state_dict(torch.load(tmp_path / "half.pt", weights_only=True))
    state = mindspore_state_to_torch_names(conversion)
    assert state.optimizer == kind and state.global_step == N
    opt = make_ours(model.parameters())
    load_into_msbridge_optimizer(opt, model, state)
    _torch_steps(model, opt, N, 2 * N)

    weight, bias = model.weight.detach().numpy(), model.bias.detach().numpy()
    if kind == "Momentum":  # msbridge's Momentum is bit-exact with MindSpore's ApplyMomentum
        assert weight.tobytes() == reference[0].tobytes() and bias.tobytes() == reference[1].tobytes()
    else:  # msbridge's twins: weights within 1 ulp of MindSpore's kernels (measured: Adam 0, AdamWeightDecay 1)
        np.testing.assert_array_max_ulp(weight, reference[0], maxulp=1)
        np.testing.assert_array_max_ulp(bias, reference[1], maxulp=1)
    assert not np.array_equal(reference[0], half)  # the second half did move them


def test_mindspore_momentum_state_resumes_in_torch_sgd(tmp_path):
    """Native torch: moments -> momentum_buffer, global_step -> a per-step scheduler's position."""
    _, reference = _ms_run(CASES["Momentum"][0], tmp_path / "half.ckpt")
    model = torch.nn.Linear(4, 3)
    conversion = load_checkpoint_into(model, tmp_path / "half.ckpt")
    state = mindspore_state_to_torch_names(conversion)
    opt = torch.optim.SGD(model.parameters(), lr=LRS[0], momentum=0.9)
    load_into_torch_optimizer(opt, model, state)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: LRS[min(step, len(LRS) - 1)] / LRS[0])
    resume_scheduler(scheduler, state.global_step)
    assert scheduler.last_epoch == N and opt.param_groups[0]["lr"] == pytest.approx(LRS[N])
    _torch_steps(model, opt, N, 2 * N, scheduler)
    # torch SGD is MindSpore Momentum up to float32 fusion (row optim.Momentum: float32-rounding)
    np.testing.assert_allclose(model.weight.detach().numpy(), reference[0], rtol=1e-6, atol=1e-6)


def test_torch_sgd_run_resumes_in_mindspore_momentum(tmp_path):
    """The reverse: torch SGD(momentum) state -> MindSpore Momentum's moments and global_step."""
    def fresh():
        model = torch.nn.Linear(4, 3)
        with torch.no_grad():
            model.weight.copy_(torch.tensor(W0))
            model.bias.copy_(torch.tensor(B0))
        opt = torch.optim.SGD(model.parameters(), lr=LRS[0], momentum=0.9)
        return model, opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda step: LRS[min(step, len(LRS) - 1)] / LRS[0])

    model, opt, scheduler = fresh()
    _torch_steps(model, opt, 0, 2 * N, scheduler)
    reference = model.weight.detach().numpy().copy()

    model, opt, scheduler = fresh()
    _torch_steps(model, opt, 0, N, scheduler)
    torch.save(model.state_dict(), tmp_path / "half.pt")
    # one MindSpore checkpoint with the weights and the optimizer state, as save_checkpoint(train_net) writes
    # (loading the state alone is a trap: MindSpore's load_param_into_net then fills `weight` from
    # `moments.weight`, measured)
    convert_file(tmp_path / "half.pt", tmp_path / "weights.ckpt", model=ms.nn.Dense(4, 3))
    state = torch_optimizer_to_mindspore(opt, model, global_step=scheduler.last_epoch)
    write_checkpoint(tmp_path / "train.ckpt", {**read_checkpoint(tmp_path / "weights.ckpt").tensors, **state})

    net = ms.nn.Dense(4, 3)
    ms_opt = ms.nn.Momentum(net.trainable_params(), LRS, 0.9)
    params = ms.load_checkpoint(str(tmp_path / "train.ckpt"))
    assert ms.load_param_into_net(net, params)[0] == []  # every weight filled
    ms.load_param_into_net(ms_opt, params)
    assert int(ms_opt.global_step.asnumpy()[0]) == N
    train = ms.nn.TrainOneStepCell(_Loss(net), ms_opt)
    for i in range(N, 2 * N):
        train(ms.Tensor(XS[i]), ms.Tensor(TS[i]))
    np.testing.assert_allclose(net.weight.asnumpy(), reference, rtol=1e-6, atol=1e-6)


TORCH_SHAPED = {"SGD": {"lr": 0.1, "momentum": 0.9}, "Adam": {"lr": 0.1}}


@pytest.mark.parametrize("kind", sorted(TORCH_SHAPED))
def test_torch_run_resumes_on_mindspore_with_msbridge_torch_shaped_optimizer(kind, tmp_path):
    """torch SGD(momentum)/Adam + StepLR, N steps -> MindSpore with msbridge.torch.optim's twin + its StepLR."""
    import msbridge.torch as msb_torch
    from msbridge.bridge.optimizer_state import torch_state_dict_for_mindspore

    def fresh():
        model = torch.nn.Linear(4, 3)
        with torch.no_grad():
            model.weight.copy_(torch.tensor(W0))
            model.bias.copy_(torch.tensor(B0))
        opt = getattr(torch.optim, kind)(model.parameters(), **TORCH_SHAPED[kind])
        return model, opt, torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    model, opt, scheduler = fresh()
    _torch_steps(model, opt, 0, 2 * N, scheduler)
    reference = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()

    model, opt, scheduler = fresh()
    _torch_steps(model, opt, 0, N, scheduler)
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()},
               tmp_path / "run.pt")

    saved = torch.load(tmp_path / "run.pt", weights_only=True)
    net = ms.nn.Dense(4, 3)
    conversion = load_checkpoint_into(net, tmp_path / "run.pt")
    ms_opt = getattr(msb_torch.optim, kind)(net.trainable_params(), **TORCH_SHAPED[kind])
    ms_opt.load_state_dict(torch_state_dict_for_mindspore(saved["optimizer"], [n for n, _ in model.named_parameters()],
                                                          net, conversion))
    ms_sched = msb_torch.optim.lr_scheduler.StepLR(ms_opt, step_size=2, gamma=0.5)
    ms_sched.load_state_dict(saved["scheduler"])
    assert ms_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    grad = ms.value_and_grad(lambda x, t: (net(x) * t).sum(), None, ms_opt.parameters)
    for i in range(N, 2 * N):
        _, grads = grad(ms.Tensor(XS[i]), ms.Tensor(TS[i]))
        ms_opt.step(grads)
        ms_sched.step()
    if kind == "SGD":  # msbridge's torch-shaped SGD follows torch's single-tensor float32 rule bit for bit
        assert net.weight.asnumpy().tobytes() == reference[0].tobytes()
        assert net.bias.asnumpy().tobytes() == reference[1].tobytes()
    else:  # its Adam: torch's vectorised float32 sqrt is not correctly rounded (msbridge/torch/optim/adam.py)
        np.testing.assert_array_max_ulp(net.weight.asnumpy(), reference[0], maxulp=4)
        np.testing.assert_array_max_ulp(net.bias.asnumpy(), reference[1], maxulp=4)
