"""A MindSpore optimizer given ``loss_scale`` (MindSpore -> torch): msbridge's MindSpore-shaped twin.

MindSpore's optimizers divide the gradients by ``loss_scale`` inside the step (the other half of
``FixedLossScaleManager`` / ``TrainOneStepCell(sens=...)``); torch's have no such argument, so the
row translates only ``loss_scale=1.0``. msbridge's twin (``msbridge.mindspore.nn.Momentum``...) takes
MindSpore's arguments and multiplies by ``float32(1 / loss_scale)`` as MindSpore does, and msbridge's
``Model`` / ``TrainOneStepCell`` drive it, so the call goes to the twin, converted. Without a twin the
row's review stands.
"""
from __future__ import annotations

from msbridge.convert import report as rpt
from msbridge.convert.arguments import bind
from msbridge.convert.rules import param_groups

SCALE_ARG = "loss_scale"
UNSCALED = ("1", "1.0", "1.")


def to_twin(rewriter, public: str, rows, original, updated):
    """The twin call for an optimizer call with a non-1 ``loss_scale``; None when the rule does not apply."""
    if rewriter.target != "torch" or not rows or SCALE_ARG not in rows[0].mindspore.names:
        return None
    bound = bind(original, rows[0].mindspore, rewriter.code_of)
    if bound is None or SCALE_ARG not in bound or bound[SCALE_ARG].text.strip() in UNSCALED:
        return None
    twin = rewriter.catalog.mirror(public, rewriter.target)
    if twin is None:
        return None
    args, found = param_groups.twin_params(rewriter, rows, original, updated)
    rewriter.record(original, public, rpt.REVIEW if found else rpt.CONVERTED, twin, "; ".join(found) or
                    f"loss_scale={bound[SCALE_ARG].text}: msbridge's MindSpore-shaped optimizer divides the gradients "
                    f"by it as MindSpore does")
    return updated.with_changes(func=rewriter.needs.reference(twin), args=args)
