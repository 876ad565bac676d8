"""Run a training script and record the learning rate of every optimizer update.

    python -m msbridge.plot.probe OUT.json MAX_STEPS script.py [script args...]

``msbridge plot script.py`` runs this in a subprocess — the script runs exactly
as ``python script.py`` would run it (same ``sys.argv[0]``, its folder first
on ``sys.path``) — once for the script and once for its conversion, then
draws both. The probe watches the real frameworks' optimizers, so it sees the
LR the framework applied, not what the script believes (each hook is set the
moment its framework is imported, so the probe imports no framework itself):

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

import importlib.abc
import importlib.util
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


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``hook`` right after the module ``name`` has executed, whoever imports it (the script, a helper
    module, msbridge's runtime), so a framework the script never imports is never imported here (a
    converted script still names the other framework: ``msbridge.mindspore``, ``msbridge.torch``)."""

    def __init__(self, name: str, hook) -> None:
        self.name, self.hook = name, hook

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)   # once; and the look-up below must not find this finder again
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module, hook = spec.loader.exec_module, self.hook

        def exec_then_hook(module):
            exec_module(module)
            hook()

        spec.loader.exec_module = exec_then_hook
        return spec


def after_import(name: str, hook) -> None:
    if name in sys.modules:
        hook()
    else:
        sys.meta_path.insert(0, _AfterImport(name, hook))


def _hook_torch(record) -> None:
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    def pre_hook(optimizer, args, kwargs):
        record(optimizer.param_groups[0]["lr"])

    register_optimizer_step_pre_hook(pre_hook)


def _hook_mindspore(record) -> None:
    # the module that defines the class, read as soon as it has run (mindspore.nn may still be importing)
    optimizer_class = sys.modules["mindspore.nn.optim.optimizer"].Optimizer
    original = optimizer_class.__call__

    def call(self, *args, **kwargs):
        lr = self.learning_rate[0] if isinstance(self.learning_rate, (tuple, list)) else self.learning_rate
        if self.dynamic_lr:
            lr = lr(self.global_step)
        record(lr.asnumpy().reshape(-1)[0])
        return original(self, *args, **kwargs)

    optimizer_class.__call__ = call


def main(argv: list[str]) -> int:
    out, max_steps, script, *script_args = argv
    record = _recorder(int(max_steps))
    with open(script, encoding="utf-8") as handle:
        source = handle.read()
    if "torch" in source:
        after_import("torch.optim.optimizer", lambda: _hook_torch(record))
    if "mindspore" in source:
        after_import("mindspore.nn.optim.optimizer", lambda: _hook_mindspore(record))
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
