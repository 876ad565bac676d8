"""``msbridge plot`` on hostile expressions ends at once with a one-line error (issue 11, items 3
and 4), and the README's own example runs without a note on stderr (issue 10)."""
import resource
import time

import pytest

from msbridge.cli import main

README_EXAMPLE = "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)"


@pytest.mark.parametrize("expression,message", [
    ("nn.warmup_lr(0.1, 10**9, 1, 1)", "at most 200,000"),
    ("nn.piecewise_constant_lr([10, 10**10], [0.1, 0.01])", "at most 200,000"),
    ("nn.warmup_lr(0.1, sum(range(10**15)), 1, 1)", "at most"),
    ("nn.warmup_lr(0.1, 10, 1, " + "1 + " * 25_000 + "1)", "characters long"),
    ("nn.warmup_lr(0.1, " + "[" * 600 + "]" * 600 + ", 1, 1)", "nested too deeply|cannot parse"),
    ("nn.warmup_lr(0.1, " + "-" * 600 + "1, 1, 1)", "nested too deeply"),
])
def test_plot_bounds_refuse_before_building_anything(tmp_path, capsys, expression, message):
    import importlib
    import re

    from msbridge.plot import runners

    importlib.import_module(runners.mindspore_nn())   # the framework's own import is not what is measured
    start, rss = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = main(["plot", expression, "--vs", "none", "-o", str(tmp_path / "lr.png")])
    err = capsys.readouterr().err
    assert code == 2 and re.search(message, err), err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert time.process_time() - start < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 200 * 1024   # KiB
    assert not (tmp_path / "lr.png").exists()


def test_plot_readme_example_prints_no_note(tmp_path, capsys):
    code = main(["plot", README_EXAMPLE, "--vs", "torch", "-o", str(tmp_path / "lr.png")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    assert "[table: lr.exponential_decay_lr.stair" in captured.out
