"""Pooled conversion rate of the training-program APIs (issue 15) on the corpus's MindSpore train files.

Converts each file in-process (``msbridge.convert.source.convert_source``, MindSpore -> torch) and
pools the report's uses whose API is part of the program around the model: the driver (Model,
callbacks, metrics, loss scaling, WithLossCell/TrainOneStepCell), datasets and their operations,
the runtime set-up (context, seeds, jit, stop_gradient) and distributed set-up.

    python benchmarks/corpus_program_rate.py /work/corpus [--show N]
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


def is_program_api(api: str) -> bool:
    if any(api.endswith("." + f) for f in CHECKPOINT_FUNCTIONS):
        return False
    return any(api == p or api.startswith(p + ".") for p in PROGRAM_PREFIXES)


def measure(corpus: Path) -> tuple[collections.Counter, collections.Counter, int]:
    catalog = Catalog()
    statuses: collections.Counter = collections.Counter()
    unconverted: collections.Counter = collections.Counter()
    files = sorted((corpus / "mindspore" / "train").glob("*.py"))
    for path in files:
        _, report = convert_source(path.read_text(encoding="utf-8"), to="torch", path=str(path), catalog=catalog)
        for use in report.uses:
            for api in (a.strip() for a in use.api.split(",")):   # an unused-import mark lists several
                if is_program_api(api):
                    statuses[use.status] += 1
                    if use.status != "converted":
                        unconverted[(api, use.status, use.message[:90])] += 1
    return statuses, unconverted, len(files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--show", type=int, default=25)
    args = parser.parse_args()
    statuses, unconverted, n = measure(args.corpus)
    total = sum(statuses.values())
    print(f"{n} MindSpore train files; training-program API uses: {total}; " +
          ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) +
          f"; pooled conversion rate {statuses['converted'] / max(total, 1):.1%}")
    for (api, status, message), count in unconverted.most_common(args.show):
        print(f"{count:4d}  {status:11s} {api}  {message}")


if __name__ == "__main__":
    main()
