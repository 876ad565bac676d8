"""Resume from optimizer and scheduler state that real torch wrote to a file, on MindSpore (issue 15).

Real torch trains k steps and ``torch.save``s ``{'optimizer': opt.state_dict(), 'scheduler': sched.state_dict()}``;
msbridge reads the file without torch (``msbridge.torch.serialization.load``), loads it into its twins and
continues m steps; real torch continues too. The parameters and learning rates agree. And back: the twins' state
written by ``msbridge.torch.serialization.save`` loads into real torch (``weights_only=True``).
"""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.torch as msb_torch
from msbridge.torch import serialization

SHAPES = ((3, 4), (3,))
CASES = {
    "SGD-momentum+StepLR": (lambda o, p: o.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
                            lambda s, o: s.StepLR(o, step_size=2, gamma=0.5)),
    "AdamW+CosineAnnealingLR": (lambda o, p: o.AdamW(p, lr=0.01),
                                lambda s, o: s.CosineAnnealingLR(o, T_max=5)),
}


def _grads(step):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _torch_step(opt, sched, params, step):
    for p, g in zip(params, _grads(step)):
        p.grad = torch.from_numpy(g)
    opt.step()
    sched.step()


@pytest.mark.parametrize("case", list(CASES))
def test_resume_from_a_file_torch_wrote_continues_like_torch(case, tmp_path):
    make_opt, make_sched = CASES[case]
    rng = np.random.default_rng(3)
    t_params = [torch.nn.Parameter(torch.from_numpy(rng.standard_normal(s).astype(np.float32))) for s in SHAPES]
    t_opt = make_opt(torch.optim, t_params)
    t_sched = make_sched(torch.optim.lr_scheduler, t_opt)
    for step in range(3):
        _torch_step(t_opt, t_sched, t_params, step)
    path = tmp_path / "state.pt"
    torch.save({"optimizer": t_opt.state_dict(), "scheduler": t_sched.state_dict()}, path)

    ms_params = [ms.Parameter(ms.Tensor(p.detach().numpy().copy()), name=f"p{i}") for i, p in enumerate(t_params)]
    o_opt = make_opt(msb_torch.optim, ms_params)
    o_sched = make_sched(msb_torch.optim.lr_scheduler, o_opt)
    state = serialization.load(path)
    o_opt.load_state_dict(state["optimizer"])
    o_sched.load_state_dict(state["scheduler"])
    for step in range(3, 6):
        _torch_step(t_opt, t_sched, t_params, step)
        o_opt.step(tuple(ms.Tensor(g) for g in _grads(step)))
        o_sched.step()
        assert o_sched.get_last_lr() == t_sched.get_last_lr()
    for a, b in zip(t_params, ms_params):
        np.testing.assert_allclose(b.asnumpy(), a.detach().numpy(), rtol=1e-6, atol=1e-7)

    # and back: what the converted program saves, real torch loads safely and continues from alike
    serialization.save({"optimizer": o_opt.state_dict(), "scheduler": o_sched.state_dict()}, path)
    back = torch.load(path, weights_only=True)
    assert back["scheduler"] == t_sched.state_dict()
    t_opt2 = make_opt(torch.optim, [torch.nn.Parameter(p.detach().clone()) for p in t_params])
    t_opt2.load_state_dict(back["optimizer"])
    assert t_opt2.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]
    for key, saved in t_opt.state_dict()["state"].items():
        for name, value in saved.items():
            np.testing.assert_allclose(t_opt2.state_dict()["state"][key][name].numpy(), value.numpy(), rtol=1e-6)
