"""``msbridge plot train.py``: a whole script's LR per optimizer update, as written and as converted.

The scripts really run (the command runs them in subprocesses; the command itself runs in-process here,
its entry point being smoke-tested in test_cli_plot.py); the recorded values are checked against the real frameworks
computed here, through the ``--csv`` the command writes.
"""
import csv
from pathlib import Path

import mindspore
import numpy as np
import torch
from mindspore import nn as ms_nn

from msbridge import cli

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def read_columns(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [[float(r[i]) for r in rows[1:] if r[i] != ""] for i in range(1, len(rows[0]))]


def as_float32(values):
    return [float(np.float32(v)) for v in values]


def test_mindspore_script_and_its_torch_conversion(tmp_path, capsys):
    table = tmp_path / "lr.csv"
    code = cli.main(["plot", str(SCRIPTS / "ms_tiny_train.py"), "--args", "4",
                     "-o", str(tmp_path / "lr.png"), "--csv", str(table)])
    result = capsys.readouterr()
    assert code == 0, result.err
    stdout = result.out
    assert stdout.startswith(f"wrote {tmp_path / 'lr.png'}: 12 optimizer updates of ms_tiny_train.py")
    assert "converted to torch by msbridge convert: " in stdout
    as_written, converted = read_columns(table)
    schedule = ms_nn.piecewise_constant_lr([4, 7, 12], [0.1, 0.05, 0.01])
    assert as_written == as_float32(schedule)  # MindSpore's optimizer holds its LR in float32
    assert converted == schedule  # torch, driven by msbridge's MindSporeLR: the list's own values
    assert (tmp_path / "lr.png").stat().st_size > 10_000


def test_mindspore_schedule_cell_as_the_optimizer_uses_it(tmp_path, capsys):
    table = tmp_path / "lr.csv"
    code = cli.main(["plot", str(SCRIPTS / "ms_tiny_train.py"), "--args", "3 schedule", "--vs", "none",
                     "-o", str(tmp_path / "lr.png"), "--csv", str(table)])
    assert code == 0, capsys.readouterr().err
    (as_written,) = read_columns(table)
    cell = ms_nn.ExponentialDecayLR(0.1, 0.8, 2, is_stair=True)
    assert as_written == [float(cell(mindspore.Tensor(step, mindspore.int32)).asnumpy()) for step in range(9)]


def torch_step_lr(epochs, steps_per_epoch):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    values = []
    for _ in range(epochs):
        for _ in range(steps_per_epoch):
            values.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
        scheduler.step()
    return values


def test_torch_script_and_its_mindspore_conversion(tmp_path, capsys):
    table = tmp_path / "lr.csv"
    code = cli.main(["plot", str(SCRIPTS / "torch_tiny_train.py"), "--args", "5", "--steps", "18",
                     "-o", str(tmp_path / "lr.png"), "--csv", str(table)])
    captured = capsys.readouterr()
    assert code == 0
    assert "18 optimizer updates of torch_tiny_train.py" in captured.out  # 5 epochs x 4 = 20, stopped at 18
    assert "stopped torch_tiny_train.py after 18 optimizer updates (--steps)" in captured.err
    as_written, converted = read_columns(table)
    expected = torch_step_lr(5, 4)[:18]
    assert as_written == expected
    assert as_float32(converted) == as_float32(expected)  # MindSpore applies the float32 of torch's LR


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def plot_script(capsys, *args):
    code = cli.main(["plot", *args])
    return code, capsys.readouterr().err


def test_script_mistakes_are_one_line_errors(tmp_path, capsys):
    out = str(tmp_path / "lr.png")
    code, err = plot_script(capsys, str(tmp_path / "missing.py"), "-o", out)
    assert code == 2 and err == f"msbridge: error: no such script: {tmp_path / 'missing.py'}\n"

    failing = write(tmp_path, "failing.py", "x = 1\ny = x / 0\n")
    code, err = plot_script(capsys, failing, "--vs", "none", "-o", out)
    assert code == 2
    assert err == ("msbridge: error: failing.py (as written) failed: ZeroDivisionError: division by zero "
                   "(line 2 of failing.py)\n")

    idle = write(tmp_path, "idle.py", "print('no training here')\n")
    code, err = plot_script(capsys, idle, "--vs", "none", "-o", out)
    assert code == 2 and "ran without a single optimizer update" in err and err.count("\n") == 1

    code, err = plot_script(capsys, idle, "--lr", "0.1", "-o", out)
    assert code == 2 and "--lr does not apply to a script" in err

    code, err = plot_script(capsys, "nn.warmup_lr(0.1, 10, 1, 2)", "--args", "x", "-o", out)
    assert code == 2 and "--args is for scripts" in err


def test_a_conversion_that_does_not_run_is_reported(tmp_path, capsys):
    text = (SCRIPTS / "torch_tiny_train.py").read_text().replace(
        "x = torch.tensor(rng.standard_normal((8, 2)).astype(np.float32))",
        "x = torch.nan_to_num(torch.tensor(rng.standard_normal((8, 2)).astype(np.float32)))"
    )
    assert "torch.nan_to_num" in text   # no row: the converted script stays half torch
    script = write(tmp_path, "unconverted.py", text)
    code, err = plot_script(capsys, script, "--args", "1", "--steps", "2", "-o", str(tmp_path / "lr.png"))
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("msbridge: error: unconverted.py (converted to mindspore) failed: ")
    assert "msbridge convert left APIs unconverted" in last
