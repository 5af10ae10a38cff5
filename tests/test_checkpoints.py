"""Training reliability: checkpoints, signals, resume, NaN.

Real training with tiny budgets; the signal tests send a real SIGINT / SIGTERM to a real
``python -m tsgan train`` subprocess once its first checkpoint exists (the loop that handles
signals is running then).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.cli_helpers import REPO, assert_one_line_error, run_tsgan
from tsgan.api import PriceGAN, load, resume
from tsgan.errors import TsganError
from tsgan.training import checkpoints


class _Stop(Exception):
    """Stands in for a crash (kill -9) at a known step in the in-process tests."""


def _stop_at(step: int):  # noqa: ANN202
    def callback(at: int, model: PriceGAN, seconds: float) -> bool:
        if at == step:
            raise _Stop
        return False

    return callback


def _weights(model: PriceGAN) -> list[np.ndarray]:
    return [w.numpy() for w in model.generator.weights + model.discriminator.weights]


def _assert_same_run(a: PriceGAN, b: PriceGAN) -> None:
    wa, wb = _weights(a), _weights(b)
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb, strict=True):
        assert np.array_equal(x, y)  # bit-identical
    assert a.history.equals(b.history)
    assert set(a.snapshots) == set(b.snapshots)
    for key in a.snapshots:
        assert np.array_equal(a.snapshots[key], b.snapshots[key])


def test_checkpoint_round_trip_restores_every_variable(tmp_path: Path) -> None:
    model = PriceGAN("quadratic", iterations=100)
    gan = model.build_gan()
    variables = checkpoints.gan_variables(gan)
    # generator, discriminator, both optimisers (iterations, slots) and the random state
    assert any(v is gan.noise_seed.state for v in variables)
    assert sum(1 for v in variables if "iteration" in checkpoints.variable_name(v)) >= 2
    rng = np.random.default_rng(0)
    for var in variables:
        var.assign(rng.integers(1, 1000, size=var.shape).astype(var.dtype))
    before = [v.numpy().copy() for v in variables]
    state = checkpoints.TrainState(step=40, rows=[[20, 0.1, 0.2, 0.3, 0.4]],
                                   window=[1.0, 2.0, 3.0, 4.0], window_steps=20, seconds=1.5,
                                   snapshots={"steps": [0], "samples": [np.ones((3, 2))],
                                              "acc_real": [0.5], "acc_fake": [0.25]})
    checkpoints.save(tmp_path, gan, state)
    checkpoints.save(tmp_path, gan, state)  # replacing a checkpoint leaves no temp/old folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]
    for var in variables:
        var.assign(np.zeros(var.shape, var.dtype))
    loaded = checkpoints.load(tmp_path, gan)
    for var, old in zip(variables, before, strict=True):
        assert np.array_equal(var.numpy(), old)
    assert (loaded.step, loaded.rows, loaded.window, loaded.window_steps, loaded.seconds) == \
        (40, [[20, 0.1, 0.2, 0.3, 0.4]], [1.0, 2.0, 3.0, 4.0], 20, 1.5)
    assert np.array_equal(loaded.snapshots["samples"][0], np.ones((3, 2)))
    # no pickle: every array loads with allow_pickle=False
    with np.load(tmp_path / "checkpoint" / "variables.npz", allow_pickle=False) as npz:
        assert len(npz.files) == len(variables) + 1
    # a crash between the two renames leaves only .checkpoint.old: it is used
    os.replace(tmp_path / "checkpoint", tmp_path / checkpoints.OLD_DIR)
    assert checkpoints.load(tmp_path, gan).step == 40


def test_resume_after_a_crash_is_bit_identical(tmp_path: Path) -> None:
    """Crash at step 250 (after the checkpoint at 200): resume ends where a clean run ends."""
    kwargs = {"iterations": 400, "snapshot_every": 150, "snapshot_size": 20, "seed": 4}
    PriceGAN("heights", **kwargs).fit(run_dir=tmp_path / "clean", checkpoint_every=100)
    assert not (tmp_path / "clean" / "checkpoint").exists()  # removed after the final save
    run = tmp_path / "crashed"
    with pytest.raises(_Stop):
        PriceGAN("heights", **kwargs).fit(run_dir=run, checkpoint_every=100,
                                          callback=_stop_at(250), callback_every=250)
    record = json.loads((run / "config.json").read_text())
    assert record["complete"] is False and record["checkpoint_every"] == 100
    with pytest.raises(TsganError, match="training did not finish; resume with tsgan train "
                                         "--resume"):
        load(run)
    assert json.loads((run / "checkpoint" / "state.json").read_text())["step"] == 200
    resumed = resume(run)
    assert resumed.history["step"].iloc[-1] == 400 and resumed.steps_trained == 400
    assert not (run / "checkpoint").exists()
    assert json.loads((run / "config.json").read_text())["complete"] is True
    _assert_same_run(load(tmp_path / "clean"), load(run))
    with pytest.raises(TsganError, match="finished training already"):
        resume(run)


def test_nan_keeps_the_last_good_checkpoint(tmp_path: Path) -> None:
    """A loss turning NaN after step 100 (weights poisoned at 150): one line, checkpoint 100."""

    def poison(step: int, model: PriceGAN, seconds: float) -> bool:
        for weight in model.discriminator.trainable_weights:
            weight.assign(np.full(weight.shape, np.nan, np.float32))
        return False

    run = tmp_path / "run"
    model = PriceGAN("quadratic", iterations=300, snapshot_every=0, jit_compile=False)
    with pytest.raises(TsganError) as info:
        model.fit(run_dir=run, checkpoint_every=100, callback=poison, callback_every=150)
    message = str(info.value)
    assert "\n" not in message
    assert "training diverged at step 200" in message
    assert "last good checkpoint (step 100)" in message and "lower learning rate" in message
    state = json.loads((run / "checkpoint" / "state.json").read_text())
    assert state["step"] == 100
    with np.load(run / "checkpoint" / "variables.npz", allow_pickle=False) as npz:
        assert all(np.isfinite(npz[k]).all() for k in npz.files if k != "names")


def _start_train(run_dir: Path, iterations: int) -> subprocess.Popen[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen(
        [sys.executable, "-m", "tsgan", "train", "--preset", "quadratic", "--iterations",
         str(iterations), "--checkpoint-every", "1000", "--run-dir", str(run_dir),
         "--no-plots", "--quiet"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _interrupt(run_dir: Path, iterations: int, signum: int) -> tuple[int, str, int]:
    """Start training, wait for its first checkpoint, send ``signum``: (rc, stderr, step)."""
    proc = _start_train(run_dir, iterations)
    deadline = time.monotonic() + 120
    try:
        while not (run_dir / "checkpoint" / "state.json").is_file():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no checkpoint within 120 s"
            time.sleep(0.02)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    step = json.loads((run_dir / "checkpoint" / "state.json").read_text())["step"]
    return proc.returncode, err, step


@pytest.mark.slow
def test_sigint_saves_then_resume_is_bit_identical(tmp_path: Path) -> None:
    iterations = 12_000
    run = tmp_path / "run"
    rc, err, step = _interrupt(run, iterations, signal.SIGINT)
    assert rc == 130, err
    assert err.splitlines() == [f"tsgan train: interrupted at step {step} of {iterations}; "
                                f"checkpoint saved; resume with: tsgan train --resume {run}"]
    assert 1000 <= step < iterations and step % 100 == 0
    error = assert_one_line_error(run_tsgan("generate", "--run", str(run), "-n", "5", "--out",
                                            str(tmp_path / "x.csv")))
    assert f"training did not finish; resume with tsgan train --resume {run}" in error

    done = run_tsgan("train", "--resume", str(run), "--no-plots", "--quiet")
    assert done.returncode == 0, done.stderr
    resumed = load(run)
    assert resumed.history["step"].iloc[-1] == iterations
    assert not (run / "checkpoint").exists()
    # the same run without the interruption, in this process
    clean = PriceGAN("quadratic", iterations=iterations, seed=0).fit(
        run_dir=tmp_path / "clean", checkpoint_every=1000)
    _assert_same_run(load(tmp_path / "clean"), resumed)
    assert clean.history["step"].iloc[-1] == iterations


def test_sigterm_saves_and_exits_143(tmp_path: Path) -> None:
    run = tmp_path / "run"
    rc, err, step = _interrupt(run, 1_000_000, signal.SIGTERM)
    assert rc == 143, err
    assert err.splitlines() == [f"tsgan train: interrupted at step {step} of 1000000; "
                                f"checkpoint saved; resume with: tsgan train --resume {run}"]
    assert json.loads((run / "config.json").read_text())["complete"] is False


def test_resume_errors_are_one_line(tmp_path: Path, saved_quadratic_run: Path) -> None:
    finished = assert_one_line_error(run_tsgan("train", "--resume", str(saved_quadratic_run)))
    assert "finished training already; nothing to resume" in finished
    missing = assert_one_line_error(run_tsgan("train", "--resume", str(tmp_path / "nope")))
    assert "does not exist" in missing
    # an unfinished run whose checkpoint is gone
    run = tmp_path / "run"
    from tsgan.runs import write_run_start

    model = load(saved_quadratic_run)
    write_run_start(model.config, model.state, run, 100)
    no_ckpt = assert_one_line_error(run_tsgan("train", "--resume", str(run)))
    assert "holds no checkpoint to resume from" in no_ckpt
    both = assert_one_line_error(run_tsgan("train", "--resume", str(run), "--iterations", "5"))
    assert "--resume continues the run with its own settings; drop --iterations" in both
