"""``msbridge plot train.py``: a whole script's LR per training step, next to its conversion's.

The script is converted with ``msbridge convert`` (into a temporary folder;
the input is never touched), then the original and the converted script both
RUN — each in its own subprocess under ``msbridge.plot.probe``, exactly as
``python train.py ARGS`` would, stopped after ``--steps`` optimizer updates —
and the LR each optimizer update really used is drawn for both. The
difference panel is the end-to-end check that conversion kept the schedule.
Running a script executes it: point this only at code you would run anyway.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from msbridge.errors import UserError
from msbridge.plot.compare import Curve
from msbridge.plot.notes import note

DEFAULT_STEPS = 1000
DEFAULT_TIMEOUT = 600


@dataclass(frozen=True)
class Run:
    """One probed run of a script: the LR of each optimizer update."""

    lrs: tuple
    stopped: bool  # stopped early at the requested number of steps


def is_script(text: str) -> bool:
    return text.strip().endswith(".py")


def script_curves(path: str, script_args: list[str], overlay: bool, steps: int | None, timeout: float):
    """(source curve, [converted curve], x label, title) for a training script."""
    src = Path(path)
    if not src.is_file():
        raise UserError(f"no such script: {path}")
    steps = steps or DEFAULT_STEPS
    with tempfile.TemporaryDirectory(prefix="msbridge-plot-") as tmp:
        converted = Path(tmp) / src.name
        target, complete = None, True
        if overlay:
            target, complete = _convert(src, converted)
        jobs = [(src, "as written")] + ([(converted, f"converted to {target}")] if overlay else [])
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            futures = [pool.submit(_probe, path, script_args, steps, timeout, src.parent, what) for path, what in jobs]
            runs = [futures[0].result()]
            if overlay:
                try:
                    runs.append(futures[1].result())
                except UserError as exc:
                    if complete:
                        raise
                    raise UserError(f"{exc} — msbridge convert left APIs unconverted: `msbridge convert {path}` lists them") from None
    if runs[0].stopped:
        note(f"stopped {src.name} after {steps} optimizer updates (--steps)")
    framework = _framework_of(src)
    args_text = " ".join(script_args)
    source = Curve(f"{src.name} {args_text} as written ({framework})".replace("  ", " "), runs[0].lrs)
    others = []
    if overlay:
        others.append(Curve(f"{src.name} {args_text} converted to {target} by msbridge convert".replace("  ", " "), runs[1].lrs))
    title = f"learning rate per optimizer update: {src.name} {args_text}".rstrip()
    return source, others, "optimizer update (training step)", title


def _convert(src: Path, out: Path) -> tuple[str, bool]:
    """Convert ``src`` to ``out``: (target framework, whether every API converted)."""
    try:
        from msbridge.convert.driver import convert_paths
    except ImportError as exc:
        raise UserError(f"plotting a script with its conversion needs libcst ({exc}): pip install 'msbridge[convert]'") from None

    report = convert_paths(src, out)
    (file_report,) = report.files
    if file_report.error is not None:
        raise UserError(f"{src}: msbridge convert could not parse it: {file_report.error}")
    if file_report.direction is None:
        raise UserError(f"{src}: uses neither MindSpore nor torch, nothing to convert")
    note(f"msbridge convert: {report.render().splitlines()[-1]}")
    return file_report.direction, report.complete


def _framework_of(src: Path) -> str:
    text = src.read_text(encoding="utf-8", errors="replace")
    has_ms, has_torch = "mindspore" in text, "torch" in text
    return "MindSpore" if has_ms and not has_torch else "torch" if has_torch and not has_ms else "MindSpore and torch"


def _probe(script: Path, script_args: list[str], steps: int, timeout: float, home: Path, what: str) -> Run:
    """Run ``script`` under the probe; ``home``: the original script's folder (its helper modules)."""
    with tempfile.TemporaryDirectory(prefix="msbridge-probe-") as tmp:
        out = Path(tmp) / "lrs.json"
        command = [sys.executable, "-m", "msbridge.plot.probe", str(out), str(steps), str(script), *script_args]
        try:
            finished = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, cwd=os.getcwd(), env=_env(home)
            )
        except subprocess.TimeoutExpired:
            raise UserError(f"{script.name} ({what}) did not finish {steps} steps within {timeout:g} s") from None
        if not out.exists():
            tail = (finished.stderr.strip().splitlines() or ["no output"])[-1]
            raise UserError(f"{script.name} ({what}) could not be run: {tail}")
        result = json.loads(out.read_text())
    return _checked(result, script, what)


def _checked(result: dict, script: Path, what: str) -> Run:
    if result["error"]:
        raise UserError(f"{script.name} ({what}) failed: {result['error']}")
    if not result["lrs"]:
        raise UserError(
            f"{script.name} ({what}) ran without a single optimizer update the probe can see "
            "(torch optimizer.step() / MindSpore optimizer(grads) in PyNative mode)"
        )
    return Run(tuple(result["lrs"]), result["stopped"])


def _env(home: Path) -> dict:
    """The child finds msbridge (even from a source tree) and the script's own helper modules."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(home.resolve()), root, env.get("PYTHONPATH")) if p)
    return env
