"""Run training scripts and record the LR each optimizer update actually used.

    python convert_lr_probe.py OUT.json script.py [args...] [-- script2.py [args...] ...]

OUT.json gets one list per script run, in order. Several runs share one
process only to pay the frameworks' import time once; each run builds its own
model and optimizer.

The script is run unmodified (``runpy``). The probe hooks the real frameworks'
optimizers as soon as they are imported (``msbridge.plot.probe.after_import``), so it sees what the framework applied, not what
the script believes:
* torch: a global optimizer step pre-hook records ``param_groups[0]['lr']``
  (the value ``step()`` is about to use);
* MindSpore: ``nn.Optimizer.__call__`` (one call per update) is wrapped; just
  before the update it evaluates the optimizer's own LR object at the
  optimizer's own ``global_step`` -- what ``get_lr()`` inside the (graph-compiled)
  ``construct`` computes -- and records it (float32, as MindSpore holds it).
"""
import json
import runpy
import sys

from msbridge.plot.probe import after_import

RECORD: list[float] = []


def _hook_torch():
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    def pre_hook(optimizer, args, kwargs):
        RECORD.append(float(optimizer.param_groups[0]["lr"]))

    register_optimizer_step_pre_hook(pre_hook)


def _hook_mindspore():
    # the defining module, read as soon as it has run (mindspore.nn may still be importing)
    optimizer_class = sys.modules["mindspore.nn.optim.optimizer"].Optimizer
    original = optimizer_class.__call__

    def call(self, *args, **kwargs):
        lr = self.learning_rate[0] if isinstance(self.learning_rate, tuple) else self.learning_rate
        if self.dynamic_lr:
            lr = lr(self.global_step)
        RECORD.append(float(lr.asnumpy().reshape(-1)[0]))
        return original(self, *args, **kwargs)

    optimizer_class.__call__ = call


def main() -> None:
    out, *rest = sys.argv[1:]
    runs, current = [], []
    for item in rest + ["--"]:
        if item == "--":
            if current:
                runs.append(current)
            current = []
        else:
            current.append(item)
    sources = "".join(open(run[0], encoding="utf-8").read() for run in runs)
    # each hook is set once its framework is imported: a converted script names both frameworks
    # (msbridge.torch, msbridge.mindspore) but imports one; importing the other would cost ~3 CPU-s
    if "torch" in sources:
        after_import("torch.optim.optimizer", _hook_torch)
    if "mindspore" in sources:
        after_import("mindspore.nn.optim.optimizer", _hook_mindspore)
    results = []
    try:
        for script, *args in runs:
            start = len(RECORD)
            sys.argv = [script, *args]
            runpy.run_path(script, run_name="__main__")
            results.append(RECORD[start:])
    finally:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(results, handle)


if __name__ == "__main__":
    main()
