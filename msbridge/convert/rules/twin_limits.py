"""Argument values msbridge's twins refuse or cannot honour: such a call is ``review``, not ``converted``, because the
converted line would raise or compute something else. MindSpore -> torch (program twins):

* ``Model(amp_level=...)`` other than ``'O0'``: the twin raises (mixed precision is torch.autocast's job);
  ``boost_level`` other than ``'O0'`` changes MindSpore's training algorithm, which the twin ignores;
* ``set_auto_parallel_context(parallel_mode=...)``: only stand-alone and data parallelism run on torch;
* ``communication.init(backend_name)``: ``'hccl'`` (Ascend) has no torch.distributed backend;
* ``GeneratorDataset(batch_sampler=..., collate_fn=...)``: the twin has neither;
* ``amp.auto_mixed_precision(net, amp_level)`` other than ``'O0'``: use ``torch.autocast``.

torch -> MindSpore: ``nn.Upsample``/``F.interpolate`` with ``mode='bicubic'`` (MindSpore's kernel differs).

A value that is not written as a literal (``amp_level=args.amp_level``) cannot be checked: also review.
"""
from __future__ import annotations

from msbridge.convert.arguments import bind
from msbridge.tables.records import ApiRef, Param

# (API's last name, a part its qualified name must contain) -> (signature, {argument: (accepted texts, why)})
LIMITS = {
    ("Model", "mindspore"): (
        ("network", "loss_fn", "optimizer", "metrics", "eval_network", "eval_indexes", "amp_level", "boost_level"),
        {"amp_level": (("'O0'", '"O0"', "None"),
                       "msbridge's Model trains in float32 only (amp_level='O0'); use torch.autocast in the network"),
         "boost_level": (("'O0'", '"O0"'), "MindSpore's boost modes change the training algorithm; msbridge's "
                                           "Model runs without them (boost_level='O0')")}),
    ("set_auto_parallel_context", "mindspore"): (
        (), {"parallel_mode": (("'stand_alone'", '"stand_alone"', "'data_parallel'", '"data_parallel"',
                                "'hybrid_parallel'", '"hybrid_parallel"', ".STAND_ALONE", ".DATA_PARALLEL",
                                ".HYBRID_PARALLEL"),
                               "only stand-alone and data parallelism run on torch (operator sharding does not)")}),
    ("GeneratorDataset", "mindspore.dataset"): (
        (), {arg: (("None",), "msbridge's GeneratorDataset has no batch_sampler/collate_fn (MindSpore 2.10's "
                              "torch-style batching): batch with .batch(...) instead")
             for arg in ("batch_sampler", "collate_fn")}),
    ("auto_mixed_precision", "mindspore.amp"): (
        ("network", "amp_level"), {"amp_level": (("'O0'", '"O0"'), "msbridge runs amp_level='O0' only (float32): "
                                                                   "use torch.autocast around the forward pass")}),
    ("init", "mindspore.communication"): (
        ("backend_name",), {"backend_name": (("None", "'nccl'", '"nccl"', "'mccl'", '"mccl"'),
                                             "MindSpore's 'hccl' (Ascend) has no torch.distributed backend: "
                                             "call init() (gloo on CPU, nccl on GPUs)")}),
}


# torch -> MindSpore: msbridge.torch's Upsample and interpolate run MindSpore's kernels, and MindSpore's bicubic is
# another kernel (msbridge/torch/nn/upsample.py: the twins refuse it)
_NOT_BICUBIC = (tuple(f"{q}{mode}{q}" for mode in ("nearest", "linear", "bilinear", "trilinear", "area",
                                                       "nearest-exact") for q in ("'", '"')),
                "MindSpore's bicubic interpolation is another kernel than torch's (measured 0.28 apart): resize "
                "with 'bilinear' or keep this step in torch")
LIMITS_TO_MINDSPORE = {
    ("Upsample", "torch.nn"): (("size", "scale_factor", "mode"), {"mode": _NOT_BICUBIC}),
    ("interpolate", "torch.nn.functional"): (("input", "size", "scale_factor", "mode"), {"mode": _NOT_BICUBIC}),
}


def _limits(name: str, target: str):
    for (last, part), limits in (LIMITS if target == "torch" else LIMITS_TO_MINDSPORE).items():
        if name.rsplit(".", 1)[-1] == last and name.startswith(part):
            return limits
    return None


def refused(rewriter, name: str, call) -> list[str]:
    """Why the twin cannot run this call as written (empty when it can)."""
    limits = _limits(name, rewriter.target)
    if limits is None:
        return []
    positional, checked = limits
    names = tuple(dict.fromkeys((*positional, *checked)))
    ref = ApiRef(name, tuple(Param(n, None, keyword_only=n not in positional) for n in names))
    if any(a.star for a in call.args):
        return [f"arguments passed with * or ** cannot be checked against what msbridge's twin runs"]
    # only the declared positions and the checked keywords (the others are not ours to check)
    kept = [a for i, a in enumerate(call.args)
            if (a.keyword is None and i < len(positional)) or (a.keyword is not None and a.keyword.value in names)]
    bound = bind(call.with_changes(args=kept), ref, rewriter.code_of) or {}
    found = []
    for arg, (accepted, why) in checked.items():
        text = bound[arg].text.strip() if arg in bound else None
        if text is None or any(text == a or (a.startswith(".") and text.endswith(a)) for a in accepted):
            continue
        literal = text[:1] in "'\"" or text.rsplit(".", 1)[-1].isupper() or accepted == ("None",)
        found.append(f"{arg}={text}: {why}" if literal else f"{arg}={text} is not a literal, so it cannot be "
                                                              f"checked: {why}")
    return found
