"""The ``msbridge`` entry point itself: help, usage errors, user errors without tracebacks.

The entry points themselves (``python -m msbridge`` and the installed ``msbridge`` script) run in a
subprocess, as a person would run them; argument handling that does not depend on the process runs
through ``cli.main`` in-process (cheaper, same parser).
"""
import shutil
import subprocess
import sys

import pytest

from msbridge import cli
from msbridge.errors import UserError

PRESENT_COMMANDS = {
    "convert": "msbridge.convert.command",
    "tables": "msbridge.tables.command",
    "explain": "msbridge.tables.command",
    "plot": "msbridge.plot.command",
}


def run_cli(*args, entry=(sys.executable, "-m", "msbridge"), **kwargs):
    return subprocess.run([*entry, *args], capture_output=True, text=True, timeout=300, **kwargs)


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("msbridge: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_help_lists_every_present_command_with_examples():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "examples:" in result.stdout
    for command, module in PRESENT_COMMANDS.items():
        present = cli._module_exists(module)
        assert (f"    {command}" in result.stdout) == present, (command, result.stdout)
    assert "    plot" in result.stdout  # ours is always there
    examples = result.stdout.split("examples:", 1)[1]
    for command, module in PRESENT_COMMANDS.items():
        # an example is shown exactly for the commands that exist
        assert (f"msbridge {command} " in examples) == cli._module_exists(module), (command, examples)


def test_installed_script_is_the_same_entry_point():
    script = shutil.which("msbridge", path=str(__import__("pathlib").Path(sys.executable).parent))
    script = script or shutil.which("msbridge")
    assert script, "the `msbridge` console script is not installed (pip install -e .)"
    via_script = run_cli("--version", entry=(script,))
    via_module = run_cli("--version")
    assert via_script.returncode == via_module.returncode == 0
    assert via_script.stdout == via_module.stdout
    assert via_script.stdout.startswith("msbridge ")


def test_no_command_prints_usage_and_exits_2(capsys):
    assert cli.main([]) == 2
    captured = capsys.readouterr()
    assert "usage: msbridge" in captured.err
    assert captured.out == ""


def test_unknown_command_is_an_argparse_usage_error(capsys):
    assert cli.main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'frobnicate'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", sorted(PRESENT_COMMANDS))
def test_every_present_command_has_help_with_examples(command, capsys):
    if not cli._module_exists(PRESENT_COMMANDS[command]):
        # Not built yet by its owner: then it must not be listed either (checked above).
        assert command not in cli.build_parser()._subparsers._group_actions[0].choices
        return
    assert cli.main([command, "--help"]) == 0
    stdout = capsys.readouterr().out
    assert f"usage: msbridge {command}" in stdout
    assert "example" in stdout.lower()


def test_main_returns_exit_codes_instead_of_exiting(capsys):
    assert cli.main(["--version"]) == 0
    assert cli.main(["plot"]) == 2  # missing the expression: argparse usage error
    assert "the following arguments are required: expression" in capsys.readouterr().err


def _with_extra_command(monkeypatch, name, func):
    """Add a throw-away subcommand to the real parser, to drive main()'s error handling."""
    original = cli.build_parser

    def build():
        parser = original()
        parser._subparsers._group_actions[0].add_parser(name).set_defaults(func=func)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)


def test_user_error_is_one_line_without_traceback(capsys, monkeypatch):
    def failing(args):
        raise UserError("something the user can fix")

    _with_extra_command(monkeypatch, "fail", failing)
    assert cli.main(["fail"]) == 2
    assert capsys.readouterr().err == "msbridge: error: something the user can fix\n"


def test_missing_file_from_any_command_is_a_one_line_error(capsys, monkeypatch, tmp_path):
    missing = tmp_path / "no_such_script.py"
    _with_extra_command(monkeypatch, "read", lambda args: len(missing.read_text()))
    assert cli.main(["read"]) == 2
    assert capsys.readouterr().err == f"msbridge: error: No such file or directory: {missing}\n"


def test_a_bug_is_not_disguised_as_a_user_error(monkeypatch):
    def buggy(args):
        raise KeyError("internal")

    _with_extra_command(monkeypatch, "buggy", buggy)
    with pytest.raises(KeyError):
        cli.main(["buggy"])


def test_missing_command_module_is_not_listed_but_a_broken_one_is_not_hidden(tmp_path, monkeypatch):
    package = tmp_path / "brokenpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "command.py").write_text("import no_such_dependency_of_msbridge_tests\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not cli._module_exists("msbridge.no_such_subpackage.command")
    assert not cli._module_exists("no_such_top_level_package.command")
    assert cli._module_exists("brokenpkg.command")

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("msbridge.no_such_subpackage.command", "msbridge.plot.command"))
    choices = cli.build_parser()._subparsers._group_actions[0].choices
    assert list(choices) == ["plot"]

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("brokenpkg.command",))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_of_msbridge_tests"):
        cli.build_parser()


def test_help_does_not_import_the_frameworks():
    code = (
        "import sys; from msbridge.cli import main; main(['--help']); "
        "print(sorted(m for m in ('torch', 'mindspore', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().splitlines()[-1]
    # `msbridge --help` answers at once: no command module imports a framework just to register
    assert loaded == "[]", loaded


def test_output_cut_short_by_the_reader_is_quiet():
    """`msbridge ... | head`: the reader leaving is not an error (exit 0, no traceback)."""
    code = (
        "import sys\n"
        "from msbridge import cli\n"
        "original = cli.build_parser\n"
        "def build():\n"
        "    parser = original()\n"
        "    def chatty(args):\n"
        "        for i in range(200000):\n"
        "            print('line', i)\n"
        "        return 0\n"
        "    parser._subparsers._group_actions[0].add_parser('chatty').set_defaults(func=chatty)\n"
        "    return parser\n"
        "cli.build_parser = build\n"
        "sys.exit(cli.main(['chatty']))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(100).startswith(b"line 0")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err, err
