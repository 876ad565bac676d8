"""``msbridge plot train.py`` on a PyTorch script and its MindSpore conversion; a script's mistakes.

Split from test_cli_plot_script.py (see there); the same checks, against real torch computed here.
"""
from pathlib import Path

import torch

from msbridge import cli
from plot_script_csv import as_float32, read_columns

SCRIPTS = Path(__file__).resolve().parent / "scripts"


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
