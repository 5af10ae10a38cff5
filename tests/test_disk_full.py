"""A full disk, simulated with RLIMIT_FSIZE (no file may grow past a limit; EFBIG like ENOSPC).

Works without root or a special filesystem: the child process gets the limit and ignores
SIGXFSZ, so a too-large write fails with an OSError the way a full disk does.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

from tests.cli_helpers import REPO, assert_one_line_error

MIB = 1024 * 1024


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_run_directory_fails_before_training(tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "tsgan", "train", "--preset", "quadratic", "--run-dir", str(run)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        preexec_fn=_file_size_limit(256 * 1024))
    line = assert_one_line_error(result)
    assert "cannot write to run directory" in line and "too large" in line.lower()
    assert not run.exists() or not any(run.iterdir())


def test_disk_filling_up_during_training_is_one_clear_error(tmp_path: Path) -> None:
    """The run's start files fit, the first checkpoint does not: one TsganError line, no
    partial checkpoint or temporary file left, the files already written stay intact."""
    run = tmp_path / "run"
    code = (
        "import sys\n"
        "from tsgan.api import PriceGAN\n"
        "from tsgan.errors import TsganError\n"
        "try:\n"
        "    PriceGAN('smard', iterations=300, snapshot_every=0,\n"
        "             generator={'units': [512, 512, 512]}).fit(run_dir=sys.argv[1],\n"
        "                                                      checkpoint_every=100)\n"
        "except TsganError as exc:\n"
        "    print(exc, file=sys.stderr)\n"
        "    sys.exit(2)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(run)], capture_output=True,
                            text=True, timeout=300, cwd=REPO,
                            preexec_fn=_file_size_limit(MIB + 4096))
    assert result.returncode == 2, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert "cannot write checkpoint" in last and "too large" in last.lower(), last
    names = sorted(p.name for p in run.iterdir())
    assert names == ["config.json", "data.npz", "scaler.json"], names
