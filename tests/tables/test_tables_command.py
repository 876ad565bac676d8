"""`msbridge tables ...` and `msbridge explain`: the command line through ``cli.main`` in-process, plus
one subprocess smoke test of the real entry point (``python -m msbridge tables list``)."""
import contextlib
import io
import subprocess
import sys
from types import SimpleNamespace

import pytest

from msbridge import cli


def run(*args):
    """``msbridge ARGS`` in this process (no interpreter start, frameworks imported once)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_entry_point(*args):
    return subprocess.run([sys.executable, "-m", "msbridge", *args], capture_output=True, text=True, timeout=300)


def test_tables_list_and_validate():
    listing = run_entry_point("tables", "list")
    assert listing.returncode == 0
    assert any(line.split()[:3] == ["optim.Adam", "mindspore.nn.Adam", "torch.optim.Adam"]
               for line in listing.stdout.splitlines())
    filtered = run("tables", "list", "cosine").stdout.splitlines()
    assert filtered and all("cosine" in line.lower() for line in filtered)
    validate = run("tables", "validate")
    assert validate.returncode == 0 and validate.stdout.startswith("ok: ")


def test_docs_check_passes_on_committed_docs():
    result = run("tables", "docs", "--check")
    assert result.returncode == 0, result.stdout


def test_docs_check_fails_on_stale_docs(tmp_path):
    result = run("tables", "docs", "--check", "--docs-dir", str(tmp_path))
    assert result.returncode == 1 and "stale generated docs" in result.stdout


def test_explain_prints_counterpart_arguments_exactness_and_caveats():
    result = run("explain", "mindspore.nn.AdamWeightDecay")
    assert result.returncode == 0
    out = result.stdout
    assert "mindspore.nn.AdamWeightDecay  <->  torch.optim.AdamW" in out
    assert "exactness: impossible" in out and "bias correction" in out
    assert "beta1 | betas" in out and "(beta1, beta2)" in out
    assert "eps | eps" in out and "defaults differ" in out


def test_explain_accepts_suffix_and_row_id():
    assert "torch.optim.lr_scheduler.ExponentialLR" in run("explain", "nn.exponential_decay_lr").stdout
    assert "MindSpore's published mapping is wrong here" in run("explain", "lr.cosine_decay_lr").stdout


@pytest.mark.parametrize("api,message", [("nn.NoSuchThing", "no mapping row"), ("ExponentialLR", "ambiguous")])
def test_explain_user_errors(api, message):
    result = run("explain", api)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_verify_one_row_against_both_frameworks():
    result = run("tables", "verify", "lr.warmup_lr", "optim.AdamWeightDecay")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok  ") == 3


def test_validate_reports_bad_data_without_traceback(tmp_path):
    (tmp_path / "bad.toml").write_text(
        '[[row]]\nid = "x"\nkind = "renamed"\nexactness = "bit-exact"\nexactness_reason = "r"\nnote = "n"\n'
        'mindspore = { name = "mindspore.nn.SGD", params = ["learning_rate=0.1"] }\n'
        'torch = { name = "torch.optim.SGD", params = ["lr=0.1"] }\n'
        '[[row.args]]\nmindspore = "learning_rate"\ntorch = "lr"\nrule = "rename"\nto_torch = "learning_rate *"\n')
    result = run("tables", "validate", "--tables-dir", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{tmp_path.name}/bad.toml: row 'x' (#1), field 'args[0].to_torch'" in result.stderr


VALID = '''
[[row]]
id = "demo.SGD"
kind = "defaults_differ"
exactness = "float32-rounding"
rtol = 1e-5
exactness_reason = "why"
note = "a note"
mindspore = { name = "mindspore.nn.SGD", params = ["params", "learning_rate=0.1", "momentum=0.0"] }
torch = { name = "torch.optim.SGD", params = ["params", "lr=0.001", "momentum=0"] }
[[row.args]]
mindspore = "learning_rate"
torch = "lr"
rule = "default_differs"
[[row.args]]
mindspore = "momentum"
torch = "momentum"
rule = "transform"
to_torch = "momentum"
to_mindspore = "float(momentum)"
'''


def test_tables_list_says_when_nothing_matches(capsys):
    from msbridge.cli import main

    assert main(["tables", "list", "zzz"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "no row matches 'zzz'" in captured.err


def test_tables_list_by_family_and_category(capsys):
    from msbridge.cli import main
    from msbridge.tables import load_tables

    assert main(["tables", "list", "--family", "losses"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert listed == {row.id for row in load_tables().rows if row.file.endswith("/losses.toml")} and listed
    assert main(["tables", "list", "--category", "loss"]) == 0
    assert {line.split()[0] for line in capsys.readouterr().out.splitlines()} == {
        row.id for row in load_tables().rows if row.category == "loss"}
    assert main(["tables", "list", "--family", "nope"]) == 2
    assert "no table family 'nope'; the families are: activations, " in capsys.readouterr().err


@pytest.mark.parametrize("edit,fragment", [
    (('"learning_rate=0.1"', '"learning_rate=sum(range(10**15))"'), "mindspore.params[1]"),
    (('to_torch = "momentum"', 'to_torch = "momentum * sum(range(10**15))"'), "args[1].to_torch"),
])
def test_tables_validate_bounds_defaults_and_transforms(tmp_path, capsys, edit, fragment):
    from msbridge.cli import main

    (tmp_path / "demo.toml").write_text(VALID.replace(*edit))
    assert main(["tables", "validate", "--tables-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "demo.toml" in err and fragment in err and "at most" in err


def test_tables_non_utf8_table_names_the_file(tmp_path, capsys):
    from msbridge.cli import main

    (tmp_path / "demo.toml").write_bytes(VALID.replace("a note", "caf\xe9").encode("latin-1"))
    assert main(["tables", "validate", "--tables-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "demo.toml: not UTF-8" in err and "Traceback" not in err
