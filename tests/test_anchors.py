"""Anchored generator: anchor choice, the residual network, the copy guard, runs."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.cli_helpers import assert_one_line_error, run_tsgan
from tests.gan_helpers import (
    assert_discriminator_step_freezes_generator,
    assert_generator_step_freezes_discriminator,
    assert_train_step_updates_both,
)
from tsgan.api import PriceGAN, load
from tsgan.errors import TsganError
from tsgan.model import anchors
from tsgan.model.config import GANConfig, NetworkConfig
from tsgan.model.gan import GAN
from tsgan.model.networks import build_discriminator, build_generator, build_optimizer


def test_anchor_is_the_chosen_one_of_the_k_nearest_by_conditions() -> None:
    pool = np.array([[0.0], [10.0], [1.0], [11.0], [2.0]], np.float32)
    wanted = np.array([[0.2], [10.4]], np.float32)
    # nearest to 0.2: rows 0 (0), 2 (1), 4 (2); to 10.4: rows 1 (10), 3 (11), 4 (2)
    for column, expected in ((0, [0, 1]), (1, [2, 3]), (2, [4, 4])):
        got = anchors.anchor_indices(pool, wanted, 3, np.array([column, column]))
        assert np.asarray(got).tolist() == expected


def test_column_beyond_the_pool_is_clipped_and_unconditional_anchor_is_the_column() -> None:
    pool = np.array([[0.0], [5.0]], np.float32)
    got = anchors.anchor_indices(pool, np.array([[4.0]], np.float32), 10, np.array([7]))
    assert np.asarray(got).tolist() == [0]  # k = 2 here: the farther of the two
    empty = np.zeros((4, 0), np.float32)
    got = anchors.anchor_indices(empty, np.zeros((3, 0), np.float32), 5, np.array([3, 0, 2]))
    assert np.asarray(got).tolist() == [3, 0, 2]
    assert anchors.choices(4, conditioned=False, k=2) == 4
    assert anchors.choices(4, conditioned=True, k=2) == 2
    assert anchors.choices(4, conditioned=True, k=9) == 4


def test_median_neighbour_distance_and_pool_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    days = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 5.0], [10.0, 0.0]])
    # nearest others: 5, 1, 1, sqrt(65)
    assert anchors.median_neighbour_distance(days, seed=0) == pytest.approx(3.0)
    assert anchors.median_neighbour_distance(days[:1], seed=0) == 0.0
    monkeypatch.setattr(anchors, "ANCHOR_POOL", 3)
    rows = np.arange(20, dtype=np.float32).reshape(10, 2)
    pool_days, pool_conditions = anchors.anchor_pool(rows, 1, seed=0)
    assert pool_days.shape == (3, 1) and pool_conditions.shape == (3, 1)
    assert np.array_equal(pool_conditions[:, 0], pool_days[:, 0] + 1)  # rows stay whole
    assert anchors.rows_per_chunk(10**9) == 256
    assert anchors.rows_per_chunk(1000) * 1000 <= 1 << 24


def _config(**overrides: object) -> GANConfig:
    return GANConfig(preset="smard", latent_dim=4,
                     generator=NetworkConfig(units=[8], activation="tanh"),
                     discriminator=NetworkConfig(units=[6], activation="relu"),
                     anchor_neighbours=2, **overrides).validate()


def test_anchored_generator_is_its_anchor_plus_the_residual() -> None:
    keras.utils.set_random_seed(0)
    generator = build_generator(_config(), 3, condition_dim=2)
    assert [int(s[-1]) for s in generator.input_shape] == [4 + 3, 2]
    out_layer = generator.get_layer("generator_out")
    out_layer.set_weights([np.zeros_like(w) for w in out_layer.get_weights()])
    noise = np.random.default_rng(0).standard_normal((5, 7)).astype(np.float32)
    condition = np.ones((5, 2), np.float32)
    assert np.array_equal(generator([noise, condition]).numpy(), noise[:, 4:])
    out_layer.set_weights([np.full_like(w, 0.5) for w in out_layer.get_weights()])
    assert not np.allclose(generator([noise, condition]).numpy(), noise[:, 4:])


def _gan(copy_guard: float = 1.0) -> GAN:
    keras.utils.set_random_seed(0)
    config = _config()
    rng = np.random.default_rng(0)
    days = rng.standard_normal((12, 3)).astype(np.float32)
    conditions = rng.standard_normal((12, 2)).astype(np.float32)
    gan = GAN(build_generator(config, 3, 2), build_discriminator(config, 3, 2), 4, seed=0,
              condition_dim=2, anchor_days=days, anchor_conditions=conditions,
              anchor_neighbours=2, copy_guard=copy_guard)
    gan.compile(d_optimizer=build_optimizer(config, 0.01),
                g_optimizer=build_optimizer(config, 0.01))
    return gan


def test_edit_threshold_keeps_small_edits_on_the_anchor_exactly(tmp_path) -> None:
    keras.utils.set_random_seed(0)
    generator = build_generator(_config(edit_threshold=0.3), 3, condition_dim=2)
    layer = generator.get_layer("generator_anchored")
    noise = np.random.default_rng(1).standard_normal((4, 7)).astype(np.float32)
    anchor = noise[:, 4:]
    residual = np.array([[0.1, -0.2, 0.5], [-0.9, 0.3, 0.0], [0.29, -0.31, 2.0],
                         [0.0, 0.0, -0.4]], np.float32)
    out = layer([noise, residual]).numpy()
    expected = anchor + np.sign(residual) * np.maximum(np.abs(residual) - 0.3, 0.0)
    np.testing.assert_allclose(out, expected, atol=1e-6)
    kept = np.abs(residual) <= 0.3
    assert kept.sum() == 7 and np.array_equal(out[kept], anchor[kept])  # bit for bit
    # the threshold survives saving, loading and the weight average's clone
    generator.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras", safe_mode=True, compile=False)
    assert loaded.get_layer("generator_anchored").threshold == 0.3
    assert keras.models.clone_model(generator).get_layer("generator_anchored").threshold == 0.3
    condition = np.ones((4, 2), np.float32)
    np.testing.assert_array_equal(loaded([noise, condition]).numpy(),
                                  generator([noise, condition]).numpy())


def test_generator_and_anchors_must_agree() -> None:
    config = _config()
    days = np.zeros((4, 3), np.float32)
    anchored = build_generator(config, 3, 2)
    with pytest.raises(ValueError, match="noise input has 7 columns, the GAN feeds 4"):
        GAN(anchored, build_discriminator(config, 3, 2), 4, condition_dim=2)
    plain = build_generator(config.replace(anchor_neighbours=0), 3, 2)
    with pytest.raises(ValueError, match="noise input has 4 columns, the GAN feeds 7"):
        GAN(plain, build_discriminator(config, 3, 2), 4, condition_dim=2, anchor_days=days,
            anchor_conditions=np.zeros((4, 2), np.float32), anchor_neighbours=2)


def test_anchored_gan_draws_anchors_among_the_nearest_and_freezes_each_network() -> None:
    gan = _gan()
    condition = tf.constant(gan.anchor_conditions.numpy()[:5])
    noise = gan.draw_anchors(gan.noise(5), condition)
    assert noise.shape == (5, 7)
    pool = gan.anchor_days.numpy()
    for row, cond in zip(noise.numpy()[:, 4:], condition.numpy(), strict=True):
        near = np.argsort(((gan.anchor_conditions.numpy() - cond) ** 2).sum(1))[:2]
        assert any(np.array_equal(row, pool[j]) for j in near)
    assert_generator_step_freezes_discriminator(gan, noise, condition)
    real = tf.constant(pool[:5])
    assert_discriminator_step_freezes_generator(gan, real, noise, condition)
    rows = tf.constant(np.hstack([pool, gan.anchor_conditions.numpy()]))
    assert_train_step_updates_both(gan, rows)


def test_copy_guard_penalises_edits_smaller_than_tau_only() -> None:
    gan = _gan(copy_guard=1.0)
    anchor = np.zeros((3, 3), np.float32)
    noise = tf.constant(np.hstack([np.zeros((3, 4), np.float32), anchor]))
    fake = tf.constant([[0.0, 0.0, 0.0], [0.6, 0.0, 0.0], [3.0, 4.0, 0.0]])
    assert np.allclose(gan.copy_guard_loss(fake, noise).numpy(), [1.0, 0.4, 0.0])


def test_copy_guard_gradient_is_finite_for_an_exact_copy() -> None:
    gan = _gan(copy_guard=1.0)
    noise = tf.constant(np.hstack([np.zeros((2, 4)), np.ones((2, 3))]), tf.float32)
    fake = tf.Variable(np.ones((2, 3), np.float32))  # edit exactly zero, as a threshold allows
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(gan.copy_guard_loss(fake, noise))
    assert np.isfinite(tape.gradient(loss, fake).numpy()).all()
    assert np.allclose(loss.numpy(), 2.0, atol=1e-5)


def test_copy_guard_pushes_the_generator_away_from_its_anchors() -> None:
    def mean_edit(copy_guard: float) -> float:
        model = PriceGAN("smard", iterations=300, anchor_neighbours=5, copy_guard=copy_guard,
                         snapshot_every=0, ema_decay=0.0, seed=1).fit()
        days, _ = model.anchors()
        rng = np.random.default_rng(0)
        noise = rng.standard_normal((200, model.config.latent_dim)).astype(np.float32)
        encoded = model.condition_encoder.encode(model.train_conditions.iloc[:200])
        inputs = model.with_anchors(noise, encoded, rng)
        out = model.generator([inputs, encoded], training=False).numpy()
        return float(np.linalg.norm(out - inputs[:, -24:], axis=1).mean())

    assert mean_edit(copy_guard=3.0) > 1.5 * mean_edit(copy_guard=0.0)


def test_tiny_anchored_run_samples_reproducibly_saves_loads_and_follows_conditions(
        tmp_path) -> None:
    model = PriceGAN("smard", iterations=200, anchor_neighbours=5, snapshot_every=100).fit()
    assert np.isfinite(model.history[["d_loss", "g_loss"]].to_numpy()).all()
    assert model.snapshots["samples"].shape[1:] == (100, 24)
    first = model.sample(30, seed=3).to_numpy()
    assert np.array_equal(first, model.sample(30, seed=3).to_numpy())
    model.save(tmp_path / "run")
    loaded = load(tmp_path / "run")
    assert loaded.config.anchor_neighbours == 5
    assert np.array_equal(first, loaded.sample(30, seed=3).to_numpy())
    # the anchors of January Saturdays are January Saturdays of the training days
    wanted = model.conditions_for(40, {"month": 1, "weekday": "sat"}, seed=0)
    encoded = model.condition_encoder.encode(wanted)
    noise = np.zeros((40, model.config.latent_dim), np.float32)
    anchor = model.with_anchors(noise, encoded, np.random.default_rng(0))[:, -24:]
    days, _ = model.anchors()
    train = model.train_conditions.reset_index(drop=True)
    january_saturdays = days[((train["month"] == 1) & (train["weekday"] == 5)).to_numpy()]
    for row in anchor:
        assert (np.abs(january_saturdays - row).max(axis=1) == 0).any()


def test_unconditional_anchored_run_draws_anchors_from_all_training_days() -> None:
    model = PriceGAN("smard", iterations=50, anchor_neighbours=3, conditions=[],
                     snapshot_every=0).fit()
    noise = np.zeros((500, model.config.latent_dim), np.float32)
    anchor = model.with_anchors(noise, None, np.random.default_rng(0))[:, -24:]
    assert len(np.unique(anchor, axis=0)) > 300  # not just 3 candidates
    assert model.sample(10, seed=0).shape == (10, 24)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"anchor_neighbours": -1}, "anchor_neighbours must be an integer >= 0"),
    ({"anchor_neighbours": 2.5}, "anchor_neighbours must be an integer"),
    ({"anchor_neighbours": "many"}, "anchor_neighbours must be"),
    ({"copy_guard": -0.1}, "copy_guard must be a finite number >= 0"),
    ({"copy_guard": float("inf")}, "copy_guard must be a finite number >= 0"),
    ({"edit_threshold": -0.1}, "edit_threshold must be a finite number >= 0"),
    ({"edit_threshold": float("nan")}, "edit_threshold must be a finite number >= 0"),
])
def test_bad_anchor_settings_are_one_line_errors(overrides: dict, message: str) -> None:
    with pytest.raises(TsganError, match=message) as info:
        PriceGAN("smard", **overrides)
    assert "\n" not in str(info.value)


def test_anchoring_is_smard_only() -> None:
    with pytest.raises(TsganError, match="smard preset only"):
        PriceGAN("quadratic", anchor_neighbours=3)


def test_cli_bad_anchor_setting_is_one_line_error(tmp_path) -> None:
    result = run_tsgan("train", "--run-dir", str(tmp_path / "run"), "--iterations", "10",
                       "--set", "anchor_neighbours=-3")
    assert "anchor_neighbours must be an integer >= 0" in assert_one_line_error(result)
    assert not (tmp_path / "run").exists()
