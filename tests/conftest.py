"""Shared test set-up: the differential tests need both real frameworks.

A missing framework is an error in CI (``CI=true``), never a skip: a
differential test that silently skips proves nothing.

Hypothesis runs derandomized and without an example database by default, so a
newcomer's run draws exactly the examples CI draws and leaves nothing behind
(no ``.hypothesis/``; its caches go to the temporary folder).  Every counterexample it ever found is an explicit
``@example`` next to its test.  To hunt for new ones, run
``python -m pytest --hypothesis-profile=explore``.
"""
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

REQUIRED = ("torch", "mindspore")

# Under pytest-xdist each worker already has a core of its own: one intra-op thread per worker (and
# per subprocess it starts) avoids oversubscribing the machine.  Set before torch is imported.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# MindSpore's synchronous dispatch (see pytest_configure) for the subprocesses the tests start too: the
# blocked-framework runners, converted programs, msrun workers, README examples. MindSpore reads this
# variable at start-up; same kernels, same results, only when each op's Python call returns changes.
# Measured: the converted models' runner (tests/layers/model_runner.py, torch blocked) 7.7 -> 4.6 CPU-s.
os.environ.setdefault("MS_DEV_LAUNCH_BLOCKING", "1")

# Helpers shared by test files (the same tiny net in both frameworks, ...) live in tests/support.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "support"))

# The same examples on every run, here and in CI (a landing must not depend on luck); no database,
# so a failure found once cannot make later runs differ from CI.
settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
settings.load_profile("default")
# Hypothesis also caches constants and Unicode tables in its home folder: outside the checkout.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "msbridge-hypothesis")


def pytest_configure(config):
    """MindSpore's PyNative ops run synchronously in the processes that run tests.

    Asynchronous dispatch hands each op to a queue thread; for the thousands of tiny reference calls the
    differential tests make, that hand-off costs ~35% more CPU than the op (measured: 1000 schedule-cell
    calls, 5.0-6.2 CPU-s async, 3.2-3.7 s synchronous). Same kernels, same results: only when the Python
    call returns changes. The xdist controller runs no tests and imports no framework."""
    if hasattr(config.option, "loadscopereorder"):   # pytest-xdist >= 3.6 (older ones keep collection order):
        config.option.loadscopereorder = False       # hand files out costliest first (COSTLIEST_FIRST below)
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        return
    if importlib.util.find_spec("mindspore") is not None:
        import mindspore.runtime

        mindspore.runtime.launch_blocking()


def pytest_sessionstart(session):
    missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
    if missing and os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run with both frameworks installed; missing: {missing}")


# The costliest files (CPU-s under ``-n 0``, measured), costliest first. Under ``-n 2 --dist loadfile``
# a file runs whole on one worker and pytest-xdist hands files out in collection order; by default it
# first re-sorts them by number of tests, which put these few-test, many-second files LAST, so one
# worker ran the final ~40-s file while the other idled. Handing them out first (longest first),
# the many small files fill in behind them and the two workers finish together. A file not listed
# keeps its place after these; re-measure with ``--durations`` when the order drifts.
COSTLIEST_FIRST = (
    "tests/cli/test_readme_examples.py",
    "tests/program/test_torch_ports.py",
    "tests/cli/test_cli_plot.py",
    "tests/cli/test_cli_plot_script_torch.py",
    "tests/torch/test_lrsched_training.py",
    "tests/layers/test_model_conversion.py",
    "tests/convert/test_convert_scripts.py",
    "tests/mindspore/test_ms_lr_schedule.py",
    "tests/cli/test_cli_plot_script.py",
    "tests/cli/test_cli_plot_engines.py",
    "tests/program/test_program_ports.py",
    "tests/convert/test_convert_idempotence_even.py",
    "tests/convert/test_convert_idempotence_odd.py",
    "tests/mindspore/test_msoptim_training.py",
    "tests/mindspore/test_ms_dynamic_lr.py",
    "tests/convert/test_convert_checkpoint.py",
    "tests/convert/test_convert_training.py",
    "tests/convert/test_convert_call_styles.py",
    "tests/test_packaging.py",   # builds and installs a wheel: alphabetically last, it ran alone at the end
    "tests/convert/test_convert_run.py",
    "tests/tables/test_tables_rows.py",
)


def pytest_collection_modifyitems(config, items):
    """Costliest files first (stable: every file keeps its own test order, the rest their order)."""
    rank = {path: i for i, path in enumerate(COSTLIEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
