"""Which code computes each curve: the real frameworks, msbridge's re-implementations (``--vs msbridge``),
and msbridge's stand-ins when a framework is not installed. Every value is checked against the real
framework run in this test, through the ``--csv`` the command writes."""
import csv
import json
import subprocess
import sys
import textwrap

import mindspore
import torch
from mindspore import nn as ms_nn

from msbridge import cli


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert [int(r[0]) for r in body] == list(range(len(body)))
    return {label: [float(r[i]) for r in body if r[i] != ""] for i, label in enumerate(header) if i}


def torch_lrs(make_scheduler, lr, steps, every):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = make_scheduler(optimizer)
    values = []
    for step in range(steps):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if (step + 1) % every == 0:
            scheduler.step()
    return values


def test_csv_holds_every_plotted_value_bit_for_bit(tmp_path, capsys):
    table = tmp_path / "lr.csv"
    code = cli.main(["plot", "nn.cosine_decay_lr(0.001, 0.1, 20, 2, 10)", "-o", str(tmp_path / "a.png"), "--csv", str(table)])
    assert code == 0, capsys.readouterr().err
    columns = read_csv(table)
    assert columns["mindspore nn.cosine_decay_lr"] == ms_nn.cosine_decay_lr(0.001, 0.1, 20, 2, 10)
    assert len(columns) >= 2  # the table's torch counterpart(s)


def test_csv_to_standard_output(tmp_path, capfd):
    code = cli.main(["plot", "nn.warmup_lr(0.1, 12, 2, 3)", "--vs", "none", "-o", str(tmp_path / "a.png"), "--csv", "-"])
    out, err = capfd.readouterr()
    assert code == 0, err
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["step", "mindspore nn.warmup_lr"]
    assert [float(r[1]) for r in rows[1:]] == ms_nn.warmup_lr(0.1, 12, 2, 3)
    assert err.startswith(f"wrote {tmp_path / 'a.png'}: 12 steps of nn.warmup_lr")


def test_msbridge_overlay_of_a_mindspore_cell_is_the_real_cell(tmp_path, capsys):
    table = tmp_path / "lr.csv"
    code = cli.main([
        "plot", "nn.PolynomialDecayLR(0.1, 0.01, 20, 0.5, update_decay_steps=True)", "--steps", "70",
        "--vs", "msbridge", "-o", str(tmp_path / "a.png"), "--csv", str(table),
    ])
    out = capsys.readouterr().out
    assert code == 0
    cell = ms_nn.PolynomialDecayLR(0.1, 0.01, 20, 0.5, update_decay_steps=True)
    real = [float(cell(mindspore.Tensor(s, mindspore.int32)).asnumpy()) for s in range(70)]
    source, ours = read_csv(table).values()
    assert source == real
    assert ours == real
    assert "msbridge.mindspore.nn.PolynomialDecayLR (msbridge, computing on torch): identical at all 70 steps" in out


def test_msbridge_overlay_of_a_torch_scheduler_is_real_torch(tmp_path, capsys):
    table = tmp_path / "lr.csv"
    code = cli.main([
        "plot", "lr_scheduler.CosineAnnealingWarmRestarts(T_0=5, T_mult=2, eta_min=0.001)", "--epochs", "40",
        "--steps-per-epoch", "2", "--vs", "msbridge", "--vs", "mindspore", "-o", str(tmp_path / "a.png"),
        "--csv", str(table),
    ])
    assert code == 0, capsys.readouterr().err
    real = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001), 0.1, 80, 2
    )
    columns = read_csv(table)
    source = columns.pop(next(iter(columns)))
    ours = columns.pop(next(k for k in columns if k.startswith("msbridge.torch.optim.lr_scheduler.")))
    assert source == real
    assert ours == real


BLOCK_IMPORTS = textwrap.dedent(
    """
    import sys

    class Absent:
        '''Makes a framework look not installed, as on a machine without it.'''
        def __init__(self, names):
            self.names = names
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.names:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Absent({sys.argv[1]}))
    from msbridge.cli import main
    codes = []
    for argv in json.loads(sys.argv[2]):  # several commands, one interpreter: the frameworks load once
        print(SEPARATOR, file=sys.stderr, flush=True)
        codes.append(main(argv))
    print(SEPARATOR, json.dumps(codes), file=sys.stderr, flush=True)
    """
)
SEPARATOR = "@@ msbridge run @@"


def run_without(framework, tmp_path, *commands):
    """Run ``msbridge plot ARGS`` for each ARGS in one interpreter where ``framework`` cannot be imported.

    Returns one ``(exit status, stderr)`` per command."""
    script = tmp_path / "without.py"
    script.write_text(f"import json\nSEPARATOR = {SEPARATOR!r}\n" + BLOCK_IMPORTS)
    argvs = [["plot", *args] for args in commands]
    result = subprocess.run(
        [sys.executable, str(script), framework, json.dumps(argvs)], capture_output=True, text=True, timeout=300
    )
    chunks = result.stderr.split(SEPARATOR)
    assert len(chunks) == len(commands) + 2, (result.returncode, result.stderr)
    codes = json.loads(chunks[-1])
    return [(code, chunk.lstrip("\n")) for code, chunk in zip(codes, chunks[1:-1])]


def test_without_mindspore_msbridge_stands_in_with_the_same_values(tmp_path):
    table = tmp_path / "lr.csv"
    ((code, stderr),) = run_without(
        "mindspore", tmp_path, ["nn.natural_exp_decay_lr(0.1, 0.05, 60, 2, 3, True)", "-o", str(tmp_path / "a.png"),
                                "--csv", str(table)],
    )
    assert code == 0, stderr
    assert "MindSpore is not installed: the source curve is computed by msbridge's stand-in" in stderr
    columns = read_csv(table)
    assert columns["msbridge.mindspore.nn.natural_exp_decay_lr (MindSpore not installed)"] == (
        ms_nn.natural_exp_decay_lr(0.1, 0.05, 60, 2, 3, True)
    )


def test_without_torch_msbridge_stands_in_for_source_and_counterpart(tmp_path):
    """Both torch-less runs in one interpreter: torch as the source, then torch as the counterpart."""
    source_table, counterpart_table = tmp_path / "source.csv", tmp_path / "counterpart.csv"
    (code, stderr), (code2, stderr2) = run_without(
        "torch", tmp_path,
        ["lr_scheduler.MultiStepLR(milestones=[2, 5], gamma=0.5)", "--epochs", "8", "--steps-per-epoch", "3",
         "--vs", "none", "-o", str(tmp_path / "a.png"), "--csv", str(source_table)],
        ["nn.exponential_decay_lr(0.1, 0.9, 24, 2, 3, is_stair=True)", "-o", str(tmp_path / "b.png"),
         "--csv", str(counterpart_table)],
    )
    assert code == 0, stderr
    assert "torch is not installed: the source curve is computed by msbridge's stand-in" in stderr
    (label, values), = read_csv(source_table).items()
    assert label.startswith("msbridge.torch.optim.lr_scheduler.MultiStepLR (torch not installed)")
    assert values == torch_lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [2, 5], 0.5), 0.1, 24, 3)

    assert code2 == 0, stderr2
    columns = read_csv(counterpart_table)
    assert columns.pop("mindspore nn.exponential_decay_lr") == ms_nn.exponential_decay_lr(0.1, 0.9, 24, 2, 3, True)
    (label, values), = [(k, v) for k, v in columns.items() if "StepLR" in k]
    assert label.startswith("(msbridge stand-in: torch not installed) torch StepLR(step_size=3, gamma=0.9)")
    assert values == torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.9), 0.1, 24, 2)


def test_overlay_choices_are_checked(capsys):
    assert cli.main(["plot", "nn.warmup_lr(0.1, 10, 1, 2)", "--vs", "none", "--vs", "torch"]) == 2
    assert "--vs none cannot be combined" in capsys.readouterr().err
    assert cli.main(["plot", "lr_scheduler.StepLR(3)", "--epochs", "5", "--vs", "torch"]) == 2
    assert "already torch" in capsys.readouterr().err


def test_without_matplotlib_the_error_says_what_to_install(tmp_path):
    ((code, stderr),) = run_without("matplotlib", tmp_path, ["nn.warmup_lr(0.1, 10, 1, 2)", "-o", str(tmp_path / "a.png")])
    assert code == 2
    assert "Traceback" not in stderr
    assert stderr.startswith("msbridge: error: msbridge plot needs matplotlib")
    assert "pip install 'msbridge[plot]'" in stderr
