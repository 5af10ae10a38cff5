"""tf.distribute: strategies by name, TF_CONFIG / chief rules, mirrored ≡ default, the
doubled-update pitfall, and two local multi-worker processes that train, save and generate.

Every check that needs logical CPU devices or TF_CONFIG runs ``tests/distribute_worker.py``
in a fresh subprocess (TensorFlow fixes both at first use), with a timeout; the processes
this file starts are killed if anything goes wrong.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tsgan.errors import TsganError
from tsgan.training.distribute import (
    STRATEGY_NAMES,
    TaskInfo,
    check_global_batch,
    is_chief,
    make_strategy,
    parse_tf_config,
    task_run_dir,
    worker_temp_dir,
)

REPO = Path(__file__).resolve().parents[1]
WORKER = REPO / "tests" / "distribute_worker.py"


# --------------------------------------------------------------------------- helpers
def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **extra})
    return env


def _result(output: str) -> dict[str, Any]:
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    assert lines, output[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def _run_worker(*args: str, timeout: float = 90) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(WORKER), *args], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return _result(proc.stdout)


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


# --------------------------------------------------------------------------- pure logic
def test_parse_tf_config_and_chief_rules() -> None:
    assert parse_tf_config("") == TaskInfo()
    assert TaskInfo().is_chief and TaskInfo().num_workers == 1
    workers = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    w0 = parse_tf_config(json.dumps({"cluster": workers, "task": {"type": "worker",
                                                                 "index": 0}}))
    w1 = parse_tf_config(json.dumps({"cluster": workers, "task": {"type": "worker",
                                                                 "index": 1}}))
    assert (w0.is_chief, w1.is_chief, w0.num_workers) == (True, False, 2)
    with_chief = {"chief": ["h:1"], "worker": ["h:2"]}
    chief = parse_tf_config(json.dumps({"cluster": with_chief, "task": {"type": "chief"}}))
    worker = parse_tf_config(json.dumps({"cluster": with_chief,
                                         "task": {"type": "worker", "index": 0}}))
    assert chief.is_chief and not worker.is_chief and chief.num_workers == 2
    for bad in ("{not json", "[1]", json.dumps({"cluster": workers, "task": {"type": "worker",
                                                                            "index": 5}}),
                json.dumps({"cluster": {"worker": "h:1"}, "task": {"type": "worker"}})):
        with pytest.raises(TsganError):
            parse_tf_config(bad)


def test_is_chief_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert is_chief()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1", "b:2"]},
                                                "task": {"type": "worker", "index": 1}}))
    assert not is_chief()


def test_non_chief_writes_to_a_removed_temp_dir(tmp_path: Path) -> None:
    cluster = {"worker": ["a:1", "b:2"]}
    run_dir = tmp_path / "runs" / "demo"
    with task_run_dir(run_dir, TaskInfo("worker", 0, cluster)) as out:
        assert out == run_dir
    worker = TaskInfo("worker", 1, cluster)
    temp = worker_temp_dir(run_dir, worker)
    assert temp == tmp_path / "runs" / "workertemp_1" / "demo"
    with task_run_dir(run_dir, worker) as out:
        assert out == temp and out.is_dir()
        (out / "config.json").write_text("{}")
    assert not temp.parent.exists() and not run_dir.exists()


def test_strategy_names_and_global_batch() -> None:
    assert STRATEGY_NAMES == ("default", "mirrored", "multiworker")
    assert make_strategy("default") is None
    with pytest.raises(TsganError, match="unknown strategy"):
        make_strategy("tpu")

    class Two:
        num_replicas_in_sync = 2

    check_global_batch(64, Two())
    with pytest.raises(TsganError, match="multiple of 2"):
        check_global_batch(63, Two())


# --------------------------------------------------------------------------- subprocesses
@pytest.mark.slow
def test_mirrored_matches_default_and_has_no_doubled_update() -> None:
    out = _run_worker("equivalence", "--devices", "2", "--steps", "20", "--batch", "64")
    assert out["replicas"] == 2
    default = np.asarray(out["histories"]["default"])
    mirrored = np.asarray(out["histories"]["mirrored"])
    assert default.shape == (4, 4)
    # same seed, weights and global batches: the losses after 20 steps agree to float noise
    np.testing.assert_allclose(mirrored, default, rtol=1e-5, atol=1e-6)
    assert out["final_weight_max_abs_diff"] < 1e-5
    # one SGD step from fixed real + noise: tsgan's loss gives the default update ...
    assert out["update_norm"] > 0
    assert out["update_ratio"]["mirrored_tsgan"] == pytest.approx(1.0, abs=1e-4)
    assert out["update_rel_err"]["mirrored_tsgan"] < 1e-4
    # ... while a hand-written tf.reduce_mean loss is summed over 2 replicas: doubled
    assert out["update_ratio"]["mirrored_reduce_mean"] == pytest.approx(2.0, abs=1e-3)


@pytest.mark.slow
def test_two_local_workers_train_chief_saves_and_the_run_generates(tmp_path: Path) -> None:
    from tsgan.api import load

    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    run_dir = tmp_path / "runs" / "multi"
    procs: list[subprocess.Popen[str]] = []
    logs = []
    try:
        for index in range(2):
            tf_config = json.dumps({"cluster": cluster,
                                    "task": {"type": "worker", "index": index}})
            log = open(tmp_path / f"worker{index}.log", "w+")
            logs.append(log)
            procs.append(subprocess.Popen(
                [sys.executable, str(WORKER), "multiworker", "--run-dir", str(run_dir),
                 "--steps", "40", "--batch", "64"],
                cwd=REPO, env=_env(TF_CONFIG=tf_config), stdout=log, stderr=subprocess.STDOUT,
                text=True, start_new_session=True))
        deadline = time.monotonic() + 100
        for proc in procs:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        outputs = []
        for log in logs:
            log.seek(0)
            outputs.append(log.read())
            log.close()
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output[-3000:]
    results = [_result(output) for output in outputs]
    assert [r["chief"] for r in results] == [True, False]
    assert all(r["replicas"] == 2 for r in results)
    # both workers took part in the same synchronous steps
    np.testing.assert_allclose(results[0]["history"], results[1]["history"], rtol=1e-6)
    assert results[0]["wrote"] == str(run_dir)
    assert not results[1]["temp_left"] and not (run_dir.parent / "workertemp_1").exists()
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["multi"]
    model = load(run_dir)
    samples = model.sample(200, seed=0)
    assert samples.shape == (200, 2) and np.isfinite(samples.to_numpy()).all()
    assert model.history["step"].tolist() == [20, 40]


def test_save_dir_ignores_tf_config_without_multiworker(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tsgan.training.distribute import save_dir

    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1", "b:2"]},
                                                "task": {"type": "worker", "index": 1}}))
    with save_dir(tmp_path / "run", None) as out:
        assert out == tmp_path / "run"


@pytest.mark.slow
def test_cli_train_mirrored_over_two_logical_cpus(tmp_path: Path) -> None:
    """``tsgan train --strategy mirrored`` with 2 logical CPU devices trains, saves, generates."""
    run_dir = tmp_path / "run"
    env = {**os.environ, "TSGAN_CPU_DEVICES": "2"}
    train = subprocess.run(
        [sys.executable, "-m", "tsgan", "train", "--preset", "quadratic", "--strategy",
         "mirrored", "--iterations", "100", "--run-dir", str(run_dir), "--quiet", "--no-plots"],
        capture_output=True, text=True, env=env, timeout=180, cwd=REPO)
    assert train.returncode == 0, train.stderr
    out = tmp_path / "s.csv"
    generate = subprocess.run(
        [sys.executable, "-m", "tsgan", "generate", "--run", str(run_dir), "-n", "10", "--out",
         str(out)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert generate.returncode == 0, generate.stderr
    assert len(out.read_text().splitlines()) == 11


def test_cli_odd_batch_for_two_replicas_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "TSGAN_CPU_DEVICES": "2"}
    result = subprocess.run(
        [sys.executable, "-m", "tsgan", "train", "--preset", "quadratic", "--strategy",
         "mirrored", "--batch-size", "63", "--iterations", "10", "--run-dir",
         str(tmp_path / "run"), "--quiet", "--no-plots"],
        capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not split evenly over 2 replicas" in lines[0], result.stderr
