"""The CLI shell: help without TensorFlow, one-line errors for bad arguments."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli_helpers import REPO, assert_one_line_error, run_tsgan

COMMANDS = ["train", "generate", "forecast", "plot", "fetch", "evaluate", "backtest", "report",
            "anomalies"]


def test_help_lists_every_command() -> None:
    result = run_tsgan("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_does_not_import_tensorflow(command: str) -> None:
    code = (
        "import sys\n"
        "from tsgan.cli import main\n"
        "try:\n"
        f"    main([{command!r}, '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout
    assert "usage: tsgan " + command in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--preset", "nope"],
        ["train", "--iterations", "0"],
        ["train", "--iterations", "-5"],
        ["train", "--batch-size", "abc"],
        ["train", "--seed", "-1"],
        ["generate", "--run", "x", "-n", "0", "--out", "a.csv"],
        ["generate", "--run", "x", "-n", "-3", "--out", "a.csv"],
        ["generate", "--run", "x", "--out", "a.csv"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_arguments_give_one_line(args: list[str]) -> None:
    line = assert_one_line_error(run_tsgan(*args))
    assert line.startswith("tsgan")


def test_generate_rejects_unknown_suffix_before_loading(tmp_path) -> None:
    line = assert_one_line_error(
        run_tsgan("generate", "--run", str(tmp_path), "-n", "5", "--out", str(tmp_path / "a.txt"))
    )
    assert ".csv or .parquet" in line


def test_train_data_with_toy_preset_is_refused(tmp_path) -> None:
    line = assert_one_line_error(
        run_tsgan("train", "--preset", "quadratic", "--data", "x.csv",
                  "--run-dir", str(tmp_path / "r"))
    )
    assert "smard preset" in line


def test_train_refuses_to_overwrite_an_existing_run(tmp_path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.json").write_text("{}")
    line = assert_one_line_error(run_tsgan("train", "--run-dir", str(run_dir)))
    assert "already holds a run" in line
    assert (run_dir / "config.json").read_text() == "{}"


def test_train_unwritable_run_dir_fails_before_training(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    line = assert_one_line_error(run_tsgan("train", "--run-dir", str(blocker / "run")))
    assert "cannot write" in line or "not a directory" in line


def test_train_into_an_unfinished_run_suggests_resume(tmp_path) -> None:
    run = tmp_path / "run"
    (run / "checkpoint").mkdir(parents=True)
    (run / "config.json").write_text('{"complete": false}')
    result = run_tsgan("train", "--preset", "quadratic", "--run-dir", str(run))
    assert f"resume it with 'tsgan train --resume {run}'" in assert_one_line_error(result)
    assert (run / "config.json").read_text() == '{"complete": false}'


@pytest.mark.parametrize(("script", "args", "message"), [
    ("classifier_views.py", ["--run", "missing-run"], "run directory missing-run does not exist"),
    ("conditional_check.py", ["--run", "missing-run"], "run directory missing-run does not exist"),
    ("other_zone.py", ["--data", "missing.csv"], "data file missing.csv not found"),
    ("other_zone.py", ["--baseline", "nope"], "unknown --baseline 'nope'"),
    ("other_zone.py", ["--set", "anchor_neighbours=-1"], "anchor_neighbours must be"),
    ("kde_frontier.py", ["--run", "missing-run"], "run directory missing-run does not exist"),
    ("kde_frontier.py", ["--run", "r", "--factors", "0"], "--factors must be positive"),
    ("kde_frontier.py", ["--run", "r", "--seeds", "-1"], "--seeds must be integers >= 0"),
    ("overfit_curve.py", ["--set", "iterations=abc"], "iterations"),
])
def test_quality_scripts_report_bad_input_in_one_line(tmp_path, script: str, args: list[str],
                                                      message: str) -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / script), *args],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    line = assert_one_line_error(result)
    assert line.startswith(f"{script}: error: ") and message in line, line
