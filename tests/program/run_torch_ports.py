"""Run converted torch programs on MindSpore with torch unimportable, as a ported user runs them.

Usage: python run_torch_ports.py RESULTS.json MANIFEST.json   (or under ``msrun``, for distributed programs)

MANIFEST.json is a list of ``{"program", "out", "weights", "trajectory_out", "also_as_main"}``. With
``weights`` (name -> MindSpore .ckpt, converted from the torch original's initial weights) the program's
``main(trajectory_out, init)`` runs, ``init(name, net)`` loading those weights, so its per-step losses can
be compared with the original's; without them (or with ``also_as_main``) the program runs as ``__main__``
with ``sys.argv = [program, out]``. Either way it runs to its end. RESULTS.json gets, per program, None or
the traceback it ended with; under MindSpore's launcher (which sets RANK_ID) RESULTS.json.<rank>.
"""
import json
import os
import runpy
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "convert"))
from run_blocked import Blocker  # noqa: E402  (the same blocker as the converter's run tests)


def _init(weights):
    import mindspore

    def init(name, net):
        missing, unexpected = mindspore.load_param_into_net(net, mindspore.load_checkpoint(weights[name]))
        if missing or unexpected:
            raise ValueError(f"{name}: weights not loaded {missing}, unexpected {unexpected}")
    return init


def main(argv):
    results_path, manifest_path = argv
    if "RANK_ID" in os.environ:
        results_path += "." + os.environ["RANK_ID"]
    sys.meta_path.insert(0, Blocker("torch"))
    results = {}
    with open(manifest_path) as handle:
        manifest = json.load(handle)
    for entry in manifest:
        program = entry["program"]
        try:
            if not entry.get("weights") or entry.get("also_as_main"):
                sys.argv = [program, entry["out"]]
                runpy.run_path(program, run_name="__main__")
            if entry.get("weights"):
                module = runpy.run_path(program, run_name="ported_program")
                module["main"](entry["trajectory_out"], _init(entry["weights"]))
            results[program] = None
        except BaseException:   # a converted program that fails: report how
            results[program] = traceback.format_exc()
    with open(results_path, "w") as handle:
        json.dump({"blocked_loaded": "torch" in sys.modules, "results": results}, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
