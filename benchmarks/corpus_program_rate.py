"""Pooled conversion rate of the training-program APIs (issue 15) on the corpus's train files, both ways.

Converts each train file in-process (``msbridge.convert.source.convert_source``) in its own direction
and pools the report's uses whose API is part of the program around the model.

* MindSpore -> torch: the driver (Model, callbacks, metrics, loss scaling, WithLossCell/TrainOneStepCell),
  datasets and their operations, the runtime set-up (context, seeds, jit, stop_gradient), distributed set-up.
* torch -> MindSpore: ``torch.utils.data``, devices (cuda, accelerator, backends), seeds, grad modes,
  clipping, amp, distributed, ``nn.parallel``/``DataParallel``, ``torch.save/load``, tensorboard,
  multiprocessing, and the methods ``.to() .cuda() .cpu() .train() .eval() .load_state_dict() .state_dict()``.

    python benchmarks/corpus_program_rate.py /work/corpus [--to torch|mindspore|both] [--show N]
"""
from __future__ import annotations

import argparse
import collections
from pathlib import Path

from msbridge.convert.catalog import Catalog
from msbridge.convert.source import convert_source

PROGRAM_PREFIXES = (
    "mindspore.train", "mindspore.dataset", "mindspore.context", "mindspore.communication",
    "mindspore.set_context", "mindspore.get_context", "mindspore.set_seed", "mindspore.set_device",
    "mindspore.set_auto_parallel_context", "mindspore.reset_auto_parallel_context", "mindspore.ParallelMode",
    "mindspore.Model", "mindspore.jit", "mindspore.ops.stop_gradient", "mindspore.common.set_seed",
    "mindspore.nn.WithLossCell", "mindspore.nn.TrainOneStepCell", "mindspore.nn.TrainOneStepWithLossScaleCell",
    "mindspore.nn.WithEvalCell", "mindspore.nn.metrics", "mindspore.nn.Accuracy", "mindspore.nn.Loss",
    "mindspore.nn.Top1CategoricalAccuracy", "mindspore.nn.Top5CategoricalAccuracy", "mindspore.amp",
    "mindspore.FixedLossScaleManager", "mindspore.DynamicLossScaleManager", "mindspore.LossMonitor",
    "mindspore.TimeMonitor", "mindspore.ModelCheckpoint", "mindspore.CheckpointConfig", "mindspore.Callback",
    "mindspore.GRAPH_MODE", "mindspore.PYNATIVE_MODE", "mindspore.common.api.jit", "mindspore._no_grad",
)
CHECKPOINT_FUNCTIONS = ("save_checkpoint", "load_checkpoint", "load_param_into_net")  # issue 14's, not counted
TORCH_PROGRAM_PREFIXES = (
    "torch.utils.data", "torch.device", "torch.cuda", "torch.accelerator", "torch.backends", "torch.manual_seed",
    "torch.seed", "torch.no_grad", "torch.inference_mode", "torch.enable_grad", "torch.nn.utils.clip_grad",
    "torch.amp", "torch.autocast", "torch.distributed", "torch.nn.parallel", "torch.nn.DataParallel",
    "torch.save", "torch.load", "torch.utils.tensorboard", "torch.multiprocessing",
)
TORCH_PROGRAM_METHODS = (".to()", ".cuda()", ".cpu()", ".train()", ".eval()", ".load_state_dict()", ".state_dict()")


def is_program_api(api: str) -> bool:
    if any(api.endswith("." + f) for f in CHECKPOINT_FUNCTIONS):
        return False
    return any(api == p or api.startswith(p + ".") for p in PROGRAM_PREFIXES)


def is_torch_program_api(api: str) -> bool:
    return api.startswith(TORCH_PROGRAM_PREFIXES) or api in TORCH_PROGRAM_METHODS


def measure(corpus: Path, to: str = "torch") -> tuple[collections.Counter, collections.Counter, int]:
    catalog = Catalog()
    statuses: collections.Counter = collections.Counter()
    unconverted: collections.Counter = collections.Counter()
    source = "mindspore" if to == "torch" else "torch"
    wanted = is_program_api if to == "torch" else is_torch_program_api
    files = sorted((corpus / source / "train").glob("*.py"))
    for path in files:
        _, report = convert_source(path.read_text(encoding="utf-8"), to=to, path=str(path), catalog=catalog)
        for use in report.uses:
            for api in (a.strip() for a in use.api.split(",")):   # an unused-import mark lists several
                if wanted(api):
                    statuses[use.status] += 1
                    if use.status != "converted":
                        unconverted[(api, use.status, use.message[:90])] += 1
    return statuses, unconverted, len(files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--to", choices=("torch", "mindspore", "both"), default="both")
    parser.add_argument("--show", type=int, default=25)
    args = parser.parse_args()
    for to in (("torch", "mindspore") if args.to == "both" else (args.to,)):
        statuses, unconverted, n = measure(args.corpus, to)
        total = sum(statuses.values())
        source = "MindSpore" if to == "torch" else "torch"
        print(f"{n} {source} train files -> {to}; training-program API uses: {total}; " +
              ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) +
              f"; pooled conversion rate {statuses['converted'] / max(total, 1):.1%}")
        for (api, status, message), count in unconverted.most_common(args.show):
            print(f"{count:4d}  {status:11s} {api}  {message}")


if __name__ == "__main__":
    main()
