"""Run a training script and record the learning rate of every optimizer update.

    python -m msbridge.plot.probe OUT.json MAX_STEPS script.py [script args...]

``msbridge plot script.py`` runs this in a subprocess — the script runs exactly
as ``python script.py`` would run it (same ``sys.argv[0]``, its folder first
on ``sys.path``) — once for the script and once for its conversion, then
draws both. The probe watches the real frameworks' optimizers, so it sees the
LR the framework applied, not what the script believes:

* torch: a global optimizer-step pre-hook reads ``param_groups[0]["lr"]``, the
  value ``step()`` is about to use;
* MindSpore: ``nn.Optimizer.__call__`` (one call per update, PyNative) is
  wrapped; just before the update it evaluates the optimizer's own LR (float,
  Parameter, per-step list or schedule) at the optimizer's own ``global_step``,
  the value ``get_lr()`` computes inside the update (float32, as MindSpore
  holds it). Updates compiled into a graph (``Model.train``) are not seen.

After MAX_STEPS updates the script is stopped (the plot needs no more).
OUT.json: ``{"lrs": [...], "stopped": bool, "error": str | null}``.
"""
from __future__ import annotations

import json
import os
import runpy
import sys
import traceback

RECORD: list[float] = []


class _Enough(BaseException):
    """Raised inside the script once MAX_STEPS updates are recorded (BaseException: `except Exception` lets it through)."""


def _recorder(max_steps: int):
    def record(value: float) -> None:
        RECORD.append(float(value))
        if len(RECORD) > max_steps:
            raise _Enough

    return record


def _hook_torch(record) -> None:
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    def pre_hook(optimizer, args, kwargs):
        record(optimizer.param_groups[0]["lr"])

    register_optimizer_step_pre_hook(pre_hook)


def _hook_mindspore(record) -> None:
    from mindspore import nn

    original = nn.Optimizer.__call__

    def call(self, *args, **kwargs):
        lr = self.learning_rate[0] if isinstance(self.learning_rate, (tuple, list)) else self.learning_rate
        if self.dynamic_lr:
            lr = lr(self.global_step)
        record(lr.asnumpy().reshape(-1)[0])
        return original(self, *args, **kwargs)

    nn.Optimizer.__call__ = call


def main(argv: list[str]) -> int:
    out, max_steps, script, *script_args = argv
    record = _recorder(int(max_steps))
    with open(script, encoding="utf-8") as handle:
        source = handle.read()
    if "torch" in source:
        _hook_torch(record)
    if "mindspore" in source:
        _hook_mindspore(record)
    sys.argv = [script, *script_args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    result = {"lrs": RECORD, "stopped": False, "error": None}
    try:
        runpy.run_path(script, run_name="__main__")
    except _Enough:
        result["stopped"] = True
        del RECORD[int(max_steps):]
    except SystemExit as exc:
        if exc.code not in (None, 0):
            result["error"] = f"exited with status {exc.code}"
    except BaseException as exc:  # noqa: BLE001 - the script's own failure, reported to the plot
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        result["error"] = f"{type(exc).__name__}: {exc} (line {frame.lineno} of {os.path.basename(frame.filename)})"
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
