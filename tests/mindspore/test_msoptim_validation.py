"""Bad arguments raise what real MindSpore 2.10 raises: same exception type, same message.

Each case is run through the real ``mindspore.nn`` optimizer and ours in the
same test; parameter-list errors whose MindSpore message names a MindSpore
type compare the exception type only.
"""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.mindspore.nn as msb_nn


def _params(framework):
    if framework == "ms":
        return [ms.Parameter(ms.Tensor(np.ones((2, 2), np.float32)), name="w"),
                ms.Parameter(ms.Tensor(np.ones((2,), np.float32)), name="b")]
    return [torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.ones(2))]


def _raised(framework, name, make_args, kwargs):
    nn = ms.nn if framework == "ms" else msb_nn
    params = _params(framework)
    try:
        getattr(nn, name)(make_args(params), **kwargs)
    except Exception as error:  # noqa: BLE001 - the point is to compare what was raised
        return error
    return None


_ALL = lambda p: p  # noqa: E731
HYPER = [
    ("SGD", {"momentum": -0.1}), ("SGD", {"momentum": "0.9"}), ("SGD", {"dampening": -1.0}),
    ("SGD", {"dampening": None}), ("SGD", {"nesterov": 1}), ("SGD", {"momentum": 0.0, "nesterov": True}),
    ("SGD", {"momentum": 0.9, "dampening": 0.1, "nesterov": True}), ("SGD", {"learning_rate": -0.1}),
    ("SGD", {"loss_scale": 0.0}), ("SGD", {"loss_scale": "1"}), ("SGD", {"weight_decay": -0.1}),
    ("SGD", {"weight_decay": "0.1"}), ("SGD", {"learning_rate": float("nan")}),
    ("SGD", {"weight_decay": msb_nn.WarmUpLR(0.1, 2)}),
    ("Momentum", {"learning_rate": 0.1, "momentum": 1}), ("Momentum", {"learning_rate": 0.1, "momentum": -0.5}),
    ("Momentum", {"learning_rate": 0.1, "momentum": 0.9, "use_nesterov": 1}),
    ("Momentum", {"learning_rate": np.float32(0.1), "momentum": 0.9}),
    ("Momentum", {"learning_rate": object(), "momentum": 0.9}),
    ("Adam", {"beta1": 1.0}), ("Adam", {"beta2": 0}), ("Adam", {"eps": 0.0}), ("Adam", {"eps": 1}),
    ("Adam", {"use_nesterov": None}), ("Adam", {"use_amsgrad": 1}), ("Adam", {"foo": True}),
    ("Adam", {"use_lazy": True, "use_offload": True}), ("Adam", {"use_amsgrad": True, "use_lazy": True}),
    ("AdamWeightDecay", {"beta1": -0.1}), ("AdamWeightDecay", {"eps": -1e-6}),
    ("AdamWeightDecay", {"weight_decay": -0.01}),
    ("Adagrad", {"accum": 1}), ("Adagrad", {"accum": -0.1}), ("Adagrad", {"update_slots": 0}),
    ("RMSProp", {"decay": 1}), ("RMSProp", {"momentum": -0.1}), ("RMSProp", {"epsilon": 0.0}),
    ("RMSProp", {"centered": 1}),
    ("Rprop", {"etas": [0.5, 1.2]}), ("Rprop", {"etas": (0.5, 1.2, 2.0)}), ("Rprop", {"etas": (1.5, 1.2)}),
    ("Rprop", {"etas": (0.5, 1.0)}), ("Rprop", {"etas": (0.5, 2)}), ("Rprop", {"step_sizes": (1.0, 0.1)}),
    ("Rprop", {"step_sizes": (1, 50.0)}), ("Rprop", {"step_sizes": [1e-6, 50.0]}),
    ("AdaMax", {"beta1": 0.0}), ("AdaMax", {"eps": 0}),
    ("LazyAdam", {"weight_decay": 0}), ("LazyAdam", {"weight_decay": -0.1}), ("LazyAdam", {"beta2": 1.5}),
]


@pytest.mark.parametrize("name,kwargs", HYPER, ids=[f"{n}-{'-'.join(k)}-{i}" for i, (n, k) in enumerate(HYPER)])
def test_hyper_parameter_errors_match(name, kwargs):
    if name == "SGD" and "weight_decay" in kwargs and not isinstance(kwargs["weight_decay"], (str, float)):
        ms_kwargs = dict(kwargs, weight_decay=ms.nn.WarmUpLR(0.1, 2))
    else:
        ms_kwargs = kwargs
    expected = _raised("ms", name, _ALL, ms_kwargs)
    got = _raised("ours", name, _ALL, kwargs)
    assert expected is not None, "MindSpore accepted it: the case is wrong"
    assert type(got) is type(expected)
    assert str(got) == str(expected)


def _dup(p):
    return [{"params": [p[0]]}, {"params": [p[0], p[1]]}]


PARAMS = [
    ("none", lambda p: None, True),
    ("empty", lambda p: [], True),
    ("not-iterable", lambda p: 3, False),
    ("mixed", lambda p: [p[0], {"params": [p[1]]}], True),
    ("bad-group-key", lambda p: [{"params": p, "momentum": 0.9}], True),
    ("order-params-extra-key", lambda p: [{"params": p}, {"order_params": p, "lr": 0.1}], True),
    ("order-params-length", lambda p: [{"params": p}, {"order_params": p[:1]}], True),
    ("duplicate", _dup, False),
    ("group-empty-params", lambda p: [{"params": []}], True),
    ("group-lr-negative", lambda p: [{"params": p, "lr": -0.1}], True),
    ("group-gc-not-bool", lambda p: [{"params": p, "grad_centralization": 1}], True),
    ("group-table-sizes", lambda p: [{"params": [p[0]], "lr": [0.1, 0.2]}, {"params": [p[1]], "lr": [0.1] * 3}],
     True),
    ("duplicate-without-groups", lambda p: [p[0], p[0]], False),
    ("order-params-missing-one", lambda p: [{"params": p}, {"order_params": [p[0], p[0]]}], False),
    ("lr-2d", None, True),
]


@pytest.mark.parametrize("case", PARAMS, ids=[c[0] for c in PARAMS])
def test_parameter_errors_match(case):
    label, make_args, same_message = case
    if label == "lr-2d":
        expected = _raised("ms", "Momentum", _ALL, {"learning_rate": ms.Tensor(np.ones((2, 2), np.float32)),
                                                     "momentum": 0.9})
        got = _raised("ours", "Momentum", _ALL, {"learning_rate": torch.ones(2, 2), "momentum": 0.9})
    else:
        kwargs = {"learning_rate": 0.1, "momentum": 0.9}
        expected = _raised("ms", "Momentum", make_args, kwargs)
        got = _raised("ours", "Momentum", make_args, kwargs)
    assert expected is not None, "MindSpore accepted it: the case is wrong"
    assert type(got) is type(expected), f"{type(got).__name__}: {got}\nMindSpore {type(expected).__name__}: {expected}"
    if same_message:
        assert str(got) == str(expected)


def test_wrong_number_of_gradients_is_a_clear_error():
    opt = msb_nn.Momentum(_params("ours"), learning_rate=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="expected 2 gradients"):
        opt((torch.zeros(2, 2),))


NAN_BETAS = [(name, key) for name in ("Adam", "AdamWeightDecay", "AdaMax", "LazyAdam") for key in ("beta1", "beta2")]


@pytest.mark.parametrize("name,key", NAN_BETAS, ids=[f"{n}-{k}" for n, k in NAN_BETAS])
def test_nan_beta_accepted_like_mindspore(name, key):
    """MindSpore's range check is ``v <= lo or v >= hi``, which NaN passes: construction succeeds on both sides."""
    kwargs = {key: float("nan")}
    if name == "LazyAdam":
        kwargs["weight_decay"] = 0.0
    assert _raised("ms", name, _ALL, kwargs) is None
    assert _raised("ours", name, _ALL, kwargs) is None
    ms_params, ours_params = _params("ms"), _params("ours")
    getattr(ms.nn, name)(ms_params, **kwargs)(tuple(ms.Tensor(np.ones(p.shape, np.float32)) for p in ms_params))
    getattr(msb_nn, name)(ours_params, **kwargs)(tuple(torch.ones(p.shape) for p in ours_params))
    for theirs, ours in zip(ms_params, ours_params):  # and the step computes the same (NaN or not)
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.asnumpy())
