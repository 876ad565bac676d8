"""``mindspore.value_and_grad`` on torch: MindSpore's functional gradient, computed with ``torch.autograd.grad``.

The converter rewrites the training-step idiom (``grad_fn = value_and_grad(forward, None, opt.parameters)``, then
``opt(grads)``) into torch's ``zero_grad``/``backward``/``step`` (``rules.train_step``). Other uses (gradients read
for a penalty, a probe, a metric) call this twin, with MindSpore's meaning (MindSpore 2.10, measured; tested in
tests/mindspore/test_value_and_grad_twin.py):
* ``grad_position`` (default 0): an int gives that input's gradient, a tuple a tuple of them, None none;
* ``weights``: a single Parameter gives one gradient, a list/tuple a tuple; both given: (inputs', weights');
* a tuple output is differentiated as the sum of all its elements (each seeded with ones) unless ``has_aux``,
  where only the first element is and the rest are returned as they are;
* a weight or input the output does not depend on gets zeros; the returned value does not carry a graph;
* no ``.grad`` attribute is touched (torch's ``backward`` would accumulate into them).
"""
from __future__ import annotations

import torch


def _flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [item for element in value for item in _flat(element)]
    return [value]


def _detached(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_detached(v) for v in value)
    return value


def _differentiated(out, has_aux: bool):
    if has_aux:
        if not isinstance(out, tuple) or len(out) < 2:
            raise TypeError("value_and_grad with has_aux=True: the function must return a tuple of two or more "
                            f"items (the value to differentiate, then the auxiliary ones), got {type(out).__name__}")
        out = out[0]
    tensors = [t for t in _flat(out) if isinstance(t, torch.Tensor)]
    if not tensors:
        raise TypeError(f"value_and_grad: the function returned no tensor to differentiate ({type(out).__name__})")
    return sum(t.sum() for t in tensors)


def value_and_grad(fn, grad_position=0, weights=None, has_aux=False, return_ids=False):
    """A function returning ``(fn(*args), gradients)``, as MindSpore's ``value_and_grad``."""
    if return_ids:
        raise NotImplementedError("value_and_grad(return_ids=True): msbridge's twin returns the gradients only")
    if grad_position is None and weights is None:
        raise ValueError("value_and_grad: 'grad_position' and 'weights' cannot both be None")
    single = isinstance(weights, torch.Tensor)
    params = [] if weights is None else [weights] if single else list(weights)
    positions = () if grad_position is None else (grad_position,) if isinstance(grad_position, int) \
        else tuple(grad_position)

    def run(*args):
        args = list(args)
        for i in positions:
            args[i] = args[i].detach().requires_grad_(True)
        sources = [args[i] for i in positions] + params
        with torch.enable_grad():
            out = fn(*args)
            target = _differentiated(out, has_aux)
            grads = torch.autograd.grad(target, sources, allow_unused=True) if target.requires_grad \
                else [None] * len(sources)
        grads = [torch.zeros_like(s) if g is None else g for g, s in zip(grads, sources)]
        inputs, weight_grads = grads[:len(positions)], grads[len(positions):]
        inputs = inputs[0] if isinstance(grad_position, int) else tuple(inputs)
        weight_grads = weight_grads[0] if single else tuple(weight_grads)
        if weights is None:
            return _detached(out), inputs
        if grad_position is None:
            return _detached(out), weight_grads
        return _detached(out), (inputs, weight_grads)
    return run
