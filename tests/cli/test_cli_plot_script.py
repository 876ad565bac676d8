"""``msbridge plot train.py``: a whole script's LR per optimizer update, as written and as converted.

The scripts really run (the command runs them in subprocesses; the command itself runs in-process here,
its entry point being smoke-tested in test_cli_plot.py); the recorded values are checked against the real frameworks
computed here, through the ``--csv`` the command writes. MindSpore scripts here; torch scripts and the
script errors in test_cli_plot_script_torch.py (two files: each pays for its script subprocesses, and
``--dist loadfile`` runs a file whole on one worker).
"""
from pathlib import Path

import mindspore
from mindspore import nn as ms_nn

from msbridge import cli
from plot_script_csv import as_float32, read_columns

SCRIPTS = Path(__file__).resolve().parent / "scripts"


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
