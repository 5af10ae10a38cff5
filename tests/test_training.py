"""The training loop: data pipeline, chunk boundaries, history, snapshots, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from tsgan.api import PriceGAN
from tsgan.errors import TsganError
from tsgan.model.presets import preset_config
from tsgan.training.loop import make_dataset, step_boundaries


def test_dataset_is_seeded_shuffled_and_endless() -> None:
    data = np.arange(40, dtype=np.float32).reshape(20, 2)

    def batches(seed: int) -> list[np.ndarray]:
        it = iter(make_dataset(data, 8, seed))
        return [next(it).numpy() for _ in range(6)]  # > one pass over 20 rows

    first, again, other = batches(1), batches(1), batches(2)
    assert all(b.shape == (8, 2) for b in first)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert not np.array_equal(first[0], data[:8])  # shuffled


def test_dataset_smaller_than_batch_is_an_error() -> None:
    with pytest.raises(TsganError, match="batch size"):
        make_dataset(np.zeros((3, 2)), 8, 0)


def test_boundaries_cover_chunks_logs_snapshots_and_the_end() -> None:
    config = preset_config("quadratic", iterations=250, steps_per_execution=100, log_every=50,
                           snapshot_every=120)
    assert step_boundaries(config) == [50, 100, 120, 150, 200, 240, 250]
    assert step_boundaries(config, callback_every=70) == [50, 70, 100, 120, 140, 150, 200, 210,
                                                      240, 250]


def test_history_and_snapshots(quadratic_gan: PriceGAN) -> None:
    history = quadratic_gan.history
    assert list(history.columns) == ["step", "d_loss", "g_loss", "d_acc_real", "d_acc_fake"]
    assert history["step"].tolist() == [100, 200, 300]
    assert np.isfinite(history.drop(columns="step").to_numpy()).all()
    snaps = quadratic_gan.snapshots
    assert snaps["steps"].tolist() == [0, 100, 200, 300]
    assert snaps["samples"].shape == (4, 50, 2)
    assert np.all((snaps["acc_real"] >= 0) & (snaps["acc_real"] <= 1))
    # snapshots are in original units: the last one matches the model's generator output scale
    assert np.abs(snaps["samples"][-1]).max() < 50


def test_same_seed_gives_bit_identical_weights_and_samples() -> None:
    def run(seed: int) -> PriceGAN:
        return PriceGAN("heights", iterations=150, snapshot_every=0, seed=seed).fit()

    a, b, c = run(4), run(4), run(5)
    for wa, wb in zip(a.generator.weights + a.discriminator.weights,
                      b.generator.weights + b.discriminator.weights, strict=True):
        assert np.array_equal(wa.numpy(), wb.numpy())
    assert np.array_equal(a.sample(300, seed=1).to_numpy(), b.sample(300, seed=1).to_numpy())
    assert a.history.equals(b.history)
    assert not np.array_equal(a.sample(300, seed=1).to_numpy(),
                              c.sample(300, seed=1).to_numpy())


def test_nan_loss_stops_with_one_line_error() -> None:
    from tsgan.model.gan import GAN
    from tsgan.model.networks import build_discriminator, build_generator, build_optimizer
    from tsgan.training.loop import train

    config = preset_config("quadratic", iterations=200,
                           discriminator={"activation": "tanh"}, jit_compile=False)
    gan = GAN(build_generator(config, 2), build_discriminator(config, 2), 5, seed=0)
    gan.compile(d_optimizer=build_optimizer(config, 1e-3),
                g_optimizer=build_optimizer(config, 1e-3))
    data = np.full((256, 2), np.nan, dtype=np.float32)
    with pytest.raises(TsganError, match="lower learning rate") as info:
        train(gan, data, config)
    assert "\n" not in str(info.value)


def test_progress_bar_runs(capsys: pytest.CaptureFixture[str]) -> None:
    PriceGAN("quadratic", iterations=200, snapshot_every=100, snapshot_size=20,
             jit_compile=False).fit(
        progress=True)
    err = capsys.readouterr().err
    assert "d_loss" in err and "200/200" in err
    assert "discriminator accuracy on real" in err


def test_callback_runs_every_n_steps_and_excludes_its_own_time() -> None:
    import time

    calls: list[tuple[int, float]] = []

    def slow_check(step: int, model: PriceGAN, train_seconds: float) -> bool:
        assert isinstance(model, PriceGAN)
        assert model.sample(5, seed=0).shape == (5, 2)  # usable mid-training
        calls.append((step, train_seconds))
        time.sleep(0.3)
        return False

    gan = PriceGAN("quadratic", iterations=250, snapshot_every=0, jit_compile=False,
                   seed=0).fit(callback=slow_check, callback_every=60)
    assert [s for s, _ in calls] == [60, 120, 180, 240]
    seconds = [t for _, t in calls]
    assert seconds == sorted(seconds)
    # the 0.3 s sleeps are not training time
    assert seconds[-1] - seconds[0] < 0.9 and gan.train_seconds < calls[-1][1] + 0.9
    assert gan.steps_trained == 250 and gan.history["step"].tolist() == [100, 200, 250]


def test_callback_returning_true_stops_early() -> None:
    gan = PriceGAN("quadratic", iterations=1000, snapshot_every=100, snapshot_size=10,
                   jit_compile=False, seed=0)
    gan.fit(callback=lambda step, model, seconds: step >= 200, callback_every=50)
    assert gan.steps_trained == 200
    assert gan.history["step"].tolist() == [100, 200]
    assert gan.snapshots["steps"].tolist() == [0, 100, 200]
    with pytest.raises(TsganError, match="callback_every"):
        PriceGAN("quadratic", iterations=10).fit(callback=lambda *a: False, callback_every=0)


def test_jit_compiled_training_is_reproducible() -> None:
    """The XLA path (the quadratic preset's default) gives the same weights for the same seed."""
    def run() -> PriceGAN:
        return PriceGAN("quadratic", iterations=101, snapshot_every=0, seed=2).fit()

    a, b = run(), run()
    assert a.config.jit_compile
    for wa, wb in zip(a.generator.weights, b.generator.weights, strict=True):
        assert np.array_equal(wa.numpy(), wb.numpy())
