"""experiments/run.py: every declared variant runs end to end through the real runner (tiny
settings, so the numbers mean nothing), runs are reused from --work-dir, and bad input is a
one-line error with a non-zero exit."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "experiments" / "run.py"
SHARED_EXPORT = (ROOT / ".." / "shared" / "data"
                 / "Gro_handelspreise_202403010000_202603020000_Stunde.csv").resolve()
TINY = ["--iterations", "30", "--repeats", "1", "--samples", "200"]


def _runner_module():
    spec = importlib.util.spec_from_file_location("experiments_run", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


VARIANTS = list(_runner_module().VARIANTS)


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run([sys.executable, str(RUNNER), *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, no traceback, the message in one line (the last; TensorFlow's native start-up
    notices, which TF_CPP_MIN_LOG_LEVEL does not silence, may come before it)."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("experiments/run.py: error: ")]
    assert len(errors) == 1 and errors[0] == lines[-1], lines
    for word in words:
        assert word in errors[0], (word, errors[0])


def test_the_four_variants_are_declared() -> None:
    assert VARIANTS == ["near-zero", "per-hour-map", "atom-snap", "where-classifier-wins"]
    proc = run("--list")
    assert proc.returncode == 0, proc.stderr
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == VARIANTS


@pytest.mark.slow
def test_every_variant_runs_and_reuses_its_runs(tmp_path: Path) -> None:
    """≈ 1 min on 2 busy cores: two 30-step trainings, five runner processes."""
    work = tmp_path / "work"
    for i, variant in enumerate(VARIANTS):
        last = i == len(VARIANTS) - 1
        seeds = ["0", "1"] if last else ["0"]  # the last one also shows the mean column
        proc = run(variant, "--seeds", *seeds, *TINY, "--work-dir", str(work))
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = proc.stdout
        assert f"### {variant}, zone DE" in out
        header = "| quantity | seed 0 | seed 1 | mean |" if last else "| quantity | seed 0 |"
        assert header in out
        assert ("seed 0: trained 30 steps" if i == 0 else "seed 0: reused ") in out
        if last:
            assert "seed 1: trained 30 steps" in out
    runs = sorted(p.name for p in work.iterdir())
    assert runs == ["DE-marginal_calibration-false-it30-s0",
                    "DE-marginal_calibration-false-it30-s1"]
    # a run whose settings are not the requested ones is refused, not silently reused
    shutil.copytree(work / runs[0], work / runs[0].replace("-it30-", "-it40-"))
    proc = run("where-classifier-wins", "--seeds", "0", "--iterations", "40",
               "--work-dir", str(work))
    one_line_error(proc, "trained with other settings (iterations)", "--work-dir")


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_EXPORT.is_file(), reason="no SMARD export in ../shared")
def test_a_variant_on_another_zone(tmp_path: Path) -> None:
    proc = run("where-classifier-wins", "--zone", "fr", *TINY, "--work-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "column 'Frankreich'" in proc.stdout and "### where-classifier-wins, zone FR" in (
        proc.stdout)


@pytest.mark.parametrize(("args", "words"), [
    (["no-such-variant"], ["invalid choice: 'no-such-variant'"]),
    ([], ["give a VARIANT"]),
    (["near-zero", "--seeds", "-1"], ["--seeds", "-1"]),
    (["near-zero", "--seeds", "x"], ["--seeds"]),
    (["near-zero", "--iterations", "0"], ["--iterations"]),
    (["near-zero", "--zone", "XX"], ["unknown --zone 'XX'"]),
    (["atom-snap", "--zone", "FR", "--data", "/nonexistent/export.csv"],
     ["zone FR needs the SMARD", "/nonexistent/export.csv", "--data"]),
])
def test_bad_input_is_one_line(args: list[str], words: list[str]) -> None:
    one_line_error(run(*args, timeout=60), *words)
