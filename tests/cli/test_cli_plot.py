"""``msbridge plot``: a readable PNG, or a one-line error (in-process, plus one entry-point smoke test)."""
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest

from msbridge import cli

# matplotlib's default colour cycle, as the plot draws the source and the first counterpart
SOURCE_RGB = (0x1F, 0x77, 0xB4)  # tab:blue
COUNTERPART_RGB = (0xFF, 0x7F, 0x0E)  # tab:orange


def run_plot(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "msbridge", "plot", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def pixels_near(image, rgb, tolerance=12):
    rgb255 = (image[:, :, :3] * 255).astype(int)
    return int(np.sum(np.all(np.abs(rgb255 - np.array(rgb)) <= tolerance, axis=-1)))


def assert_readable_png(path, counterparts):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert width >= 800 and height >= 500, image.shape
    colours = np.unique((image[:, :, :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20  # text, axes, curves: not a blank or single-colour image
    assert pixels_near(image, SOURCE_RGB) > 500  # the source curve (and its legend line)
    near = pixels_near(image, COUNTERPART_RGB)
    assert (near > 300) if counterparts else (near == 0), near
    return image


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("msbridge: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def plot_in_process(capsys, *args):
    """``msbridge plot`` through ``cli.main`` in this process (frameworks already imported: fast)."""
    code = cli.main(["plot", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_mindspore_function_against_torch(tmp_path, capsys, monkeypatch):
    """The issue's example, verbatim (in-process; the entry point itself is smoke-tested below)."""
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = plot_in_process(
        capsys, "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)", "--vs", "torch", "-o", "lr.png"
    )
    assert code == 0, stderr
    assert stdout.startswith("wrote lr.png: 600 steps of nn.exponential_decay_lr")
    assert "torch StepLR(step_size=5, gamma=0.9) on lr=0.1, stepped every 20 steps" in stdout
    assert_readable_png(tmp_path / "lr.png", counterparts=True)


def test_torch_scheduler_against_mindspore(tmp_path, capsys):
    out = tmp_path / "step.png"
    code, stdout, stderr = plot_in_process(
        capsys, "lr_scheduler.StepLR(step_size=10, gamma=0.5)", "--lr", "0.1", "--epochs", "30",
        "--steps-per-epoch", "3", "-o", str(out),
    )
    assert code == 0, stderr
    assert "90 steps of lr_scheduler.StepLR" in stdout
    assert (
        "mindspore nn.exponential_decay_lr(learning_rate=0.1, decay_rate=0.5, total_step=90, step_per_epoch=3, "
        "decay_epoch=10, is_stair=True) [table: lr.exponential_decay_lr.stair" in stdout
    )
    assert "mindspore.experimental StepLR(step_size=10, gamma=0.5) on lr=0.1, stepped every 3 steps" in stdout
    assert_readable_png(out, counterparts=True)


def test_mindspore_schedule_cell_with_steps(tmp_path, capsys):
    out = tmp_path / "decay.png"
    code, stdout, stderr = plot_in_process(
        capsys, "nn.ExponentialDecayLR(0.1, 0.9, 10, is_stair=True)", "--steps", "120", "-o", str(out)
    )
    assert code == 0, stderr
    assert "120 steps of nn.ExponentialDecayLR" in stdout
    assert "torch StepLR(step_size=10, gamma=0.9) on lr=0.1, stepped every step" in stdout
    assert_readable_png(out, counterparts=True)


def test_source_alone_in_another_format(tmp_path, capsys):
    out = tmp_path / "warmup.svg"
    code, stdout, stderr = plot_in_process(capsys, "nn.warmup_lr(0.1, 40, 2, 5)", "--vs", "none", "-o", str(out))
    assert code == 0, stderr
    assert stdout.strip() == f"wrote {out}: 40 steps of nn.warmup_lr"
    assert out.read_text().lstrip().startswith("<?xml")


def test_rows_that_do_not_apply_are_noted(tmp_path, capsys):
    # torch's CyclicLR cycles momentum by default; MindSpore's experimental CyclicLR cannot
    out = tmp_path / "cyclic.png"
    code, stdout, stderr = plot_in_process(
        capsys, "lr_scheduler.CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=5)", "--steps", "30", "-o", str(out)
    )
    assert code == 0, stderr
    assert "30 steps of lr_scheduler.CyclicLR" in stdout
    assert "msbridge plot: note: row lr.experimental.CyclicLR does not apply" in stderr
    assert_readable_png(out, counterparts="[table: lr.CyclicLR" in stdout)


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["nn.exponential_decay_lr(0.1, 0.9"], ["cannot parse expression"]),
        (["nn.exponential_decay(0.1, 0.9, 10, 1, 1)"], ["unknown API 'nn.exponential_decay'", "did you mean"]),
        (["lr_scheduler.ReduceLROnPlateau(mode='min')"], ["cannot plot lr_scheduler.ReduceLROnPlateau"]),
        (["nn.warmup_lr(lr, 10, 1, 2)"], ["uses the variable 'lr'"]),
        (["nn.ExponentialDecayLR(0.1, 0.9, 4)"], ["--steps N"]),
        (["nn.warmup_lr(0.1, 10, 1, 2)", "--steps", "5"], ["drop --steps"]),
        (["nn.warmup_lr(0.1, 10, 1, 2)", "--lr", "0.5"], ["--lr is for torch schedulers"]),
        (["nn.warmup_lr(0.1, 10, 1, 2)", "--vs", "mindspore"], ["already MindSpore"]),
        (["lr_scheduler.StepLR(3)", "--vs", "torch"], ["already torch"]),
        (["lr_scheduler.StepLR(3)"], ["--epochs N"]),
        (["lr_scheduler.StepLR(3)", "--epochs", "0"], ["--epochs must be a positive integer"]),
        (["nn.warmup_lr(0.1, 10, 1, 2)", "-o", "/no/such/folder/lr.png"], ["folder /no/such/folder does not exist"]),
    ],
)
def test_user_mistakes_fail_fast_with_one_line(args, fragments, capsys):
    code, stdout, stderr = plot_in_process(capsys, *args)
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1 and stderr.startswith("msbridge: error: "), stderr
    for fragment in fragments:
        assert fragment in stderr, (fragment, stderr)


def test_user_mistake_through_the_entry_point():
    """The one subprocess smoke test of ``python -m msbridge plot``: a one-line error, no traceback."""
    assert_one_line_error(run_plot("nn.exponential_decay(0.1, 0.9, 10, 1, 1)"), "unknown API 'nn.exponential_decay'")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["nn.exponential_decay_lr(0.1, 0.9"], "cannot parse expression"),
        (["nn.warmup_lr(0.1, 10, 1, 2)", "-o", "/no/such/folder/lr.png"], "does not exist"),
    ],
)
def test_user_mistakes_are_one_line_errors_in_process(args, fragment, capsys):
    code, stdout, stderr = plot_in_process(capsys, *args)
    assert (code, stdout) == (2, "")
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1 and stderr.startswith("msbridge: error: ") and fragment in stderr, stderr


def test_log_scale(tmp_path, capsys):
    linear, log = tmp_path / "linear.png", tmp_path / "log.png"
    decay = "nn.exponential_decay_lr(0.1, 0.5, 40, 1, 1)"
    assert plot_in_process(capsys, decay, "--vs", "none", "-o", str(linear))[0] == 0
    code, _, stderr = plot_in_process(capsys, decay, "--vs", "none", "--log", "-o", str(log))
    assert (code, stderr) == (0, "")
    assert linear.read_bytes() != log.read_bytes()
    # warm-up starts at 0: no log axis, and the person is told why
    code, _, stderr = plot_in_process(capsys, "nn.warmup_lr(0.1, 10, 1, 5)", "--vs", "none", "--log", "-o", str(log))
    assert code == 0
    assert stderr == "msbridge plot: note: --log needs positive learning rates; drawn on a linear axis\n"


def test_unknown_image_format_is_a_user_error(tmp_path, capsys):
    code, stdout, stderr = plot_in_process(capsys, "nn.warmup_lr(0.1, 10, 1, 2)", "--vs", "none", "-o", str(tmp_path / "lr.xyz"))
    assert (code, stdout) == (2, "")
    assert stderr == f"msbridge: error: cannot write {tmp_path / 'lr.xyz'}: unknown image format; use .png, .svg or .pdf\n"
    assert not (tmp_path / "lr.xyz").exists()


def test_framework_rejection_is_the_framework_message(capsys):
    code, _, stderr = plot_in_process(capsys, "nn.exponential_decay_lr(1, 0.9, 10, 2, 1)")
    assert code == 2
    assert stderr.startswith("msbridge: error: mindspore.nn.exponential_decay_lr rejected the arguments: TypeError")
    assert "'learning_rate'" in stderr and stderr.count("\n") == 1


def test_argparse_usage_errors_exit_2(capsys):
    code, _, stderr = plot_in_process(capsys, "nn.warmup_lr(0.1, 10, 1, 2)", "--vs", "jax")
    assert code == 2
    assert "invalid choice: 'jax'" in stderr


def test_help_lists_examples_and_apis(capsys):
    assert cli.main(["plot", "--help"]) == 0
    stdout = capsys.readouterr().out
    assert "examples:" in stdout
    assert 'msbridge plot "nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5, is_stair=True)"' in stdout
    for name in ("exponential_decay_lr", "CosineDecayLR", "OneCycleLR", "SequentialLR"):
        assert name in stdout


def test_difference_panel_shows_the_difference(tmp_path):
    """In-process render: the lower panel (counterpart − source) carries the counterpart's colour."""
    from msbridge.plot.compare import Curve
    from msbridge.plot.render import render

    source = Curve("source", tuple(0.1 * 0.97**i for i in range(200)))
    shifted = Curve("counterpart", tuple(v * (1 + 1e-6 * (i % 7)) for i, v in enumerate(source.values)))
    out = tmp_path / "diff.png"
    render(str(out), "a title", source, [shifted])
    image = assert_readable_png(out, counterparts=True)
    lower = image[int(image.shape[0] * 0.7):]
    assert pixels_near(lower, COUNTERPART_RGB) > 300

    identical = tmp_path / "same.png"
    render(str(identical), "a title", source, [Curve("same", source.values)])
    lower = matplotlib.image.imread(identical)[int(image.shape[0] * 0.7):]
    # a zero difference is drawn flat on the zero line: far fewer coloured pixels than a varying one
    assert pixels_near(lower, COUNTERPART_RGB) < pixels_near(image[int(image.shape[0] * 0.7):], COUNTERPART_RGB)
