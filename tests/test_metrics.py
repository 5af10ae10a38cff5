"""Known-answer tests for tsgan.evaluate.metrics (pure NumPy, no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tsgan.errors import TsganError
from tsgan.evaluate import metrics as M


def curves(n: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """Day-like rows: a random level, a daily sine shape and hourly noise (24 columns)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(24)
    level = rng.normal(80, 20, (n, 1))
    amp = rng.uniform(10, 40, (n, 1))
    return level + amp * np.sin(2 * np.pi * (hours - 6) / 24) + rng.normal(0, 5, (n, 24)) + shift


@pytest.fixture(scope="module")
def real():
    return curves(400, 1)


@pytest.fixture(scope="module")
def other():
    return curves(400, 2)


def test_mean_pairwise_distance_matches_brute_force(monkeypatch):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(37, 3)), rng.normal(size=(23, 3))
    full = np.linalg.norm(a[:, None] - b[None], axis=2).mean()
    within = np.linalg.norm(a[:, None] - a[None], axis=2).sum() / (37 * 36)
    monkeypatch.setattr(M, "CHUNK_ELEMENTS", 50)  # force many chunks
    assert M.mean_pairwise_distance(a, b) == pytest.approx(full)
    assert M.mean_pairwise_distance(a) == pytest.approx(within)


def test_energy_distance_of_identical_sets_is_zero(real):
    # Unbiased within-set terms: identical sets give exactly -2E|Y-Y'|/n, tiny vs the spread.
    assert abs(M.relative_energy_distance(real, real)) < 0.01
    assert abs(M.energy_distance(real, real)) < 0.01 * M.mean_pairwise_distance(real)


def test_energy_distance_same_distribution_near_zero(real, other):
    assert abs(M.relative_energy_distance(other, real)) < 0.01


def test_energy_distance_grows_monotonically_with_shift(real, other):
    shifts = [0, 5, 10, 20, 40, 80]
    values = [M.energy_distance(other + s, real) for s in shifts]
    assert all(b > a for a, b in zip(values, values[1:], strict=False))
    rel = [M.relative_energy_distance(other + s, real) for s in shifts]
    assert all(b > a for a, b in zip(rel, rel[1:], strict=False))


def test_energy_distance_agrees_with_scipy_in_1d():
    rng = np.random.default_rng(3)
    x, y = rng.normal(0, 1, 3000), rng.normal(1, 1, 3000)
    # scipy's 1-D energy distance is sqrt(2E|X-Y| - E|X-X'| - E|Y-Y'|) with V-statistics.
    ours = M.energy_distance(x, y)
    assert np.sqrt(ours) == pytest.approx(stats.energy_distance(x, y), rel=0.02)


def test_energy_score_prefers_the_right_ensemble(real, other):
    good = M.energy_score(other, real)
    assert good < M.energy_score(other + 30, real) < M.energy_score(other + 60, real)
    # For a single observation it reduces to E|X - y| - 0.5 E|X - X'|.
    y = real[:1]
    expected = np.linalg.norm(other - y, axis=1).mean() - 0.5 * M.mean_pairwise_distance(other)
    assert M.energy_score(other, y) == pytest.approx(expected)


def test_variogram_score_brute_force_and_shape_sensitivity(real, other):
    x, y = other[:30, :5], real[:7, :5]
    expected = 0.0
    for obs in y:
        for i in range(5):
            for j in range(i + 1, 5):
                ens = np.mean(np.abs(x[:, i] - x[:, j]) ** 0.5)
                expected += (abs(obs[i] - obs[j]) ** 0.5 - ens) ** 2
    assert M.variogram_score(x, y) == pytest.approx(expected / len(y))
    # A level shift leaves differences between hours unchanged; a scrambled order does not.
    assert M.variogram_score(other + 50, real) == pytest.approx(M.variogram_score(other, real))
    scrambled = other[:, np.random.default_rng(0).permutation(24)]
    assert M.variogram_score(scrambled, real) > 1.5 * M.variogram_score(other, real)


def test_wasserstein_is_zero_for_identical_and_equals_shift(real):
    assert M.mean_wasserstein(real, real) == pytest.approx(0.0, abs=1e-12)
    assert M.mean_wasserstein(real + 7.5, real) == pytest.approx(7.5)


def test_ks_statistic_matches_scipy():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=300), rng.normal(0.3, 1, size=250)
    assert M.ks_statistic(a, b) == pytest.approx(stats.ks_2samp(a, b).statistic)
    ties_a, ties_b = rng.integers(0, 24, 500).astype(float), rng.integers(0, 20, 400).astype(float)
    assert M.ks_statistic(ties_a, ties_b) == pytest.approx(
        stats.ks_2samp(ties_a, ties_b).statistic)


def test_correlation_error(real, other):
    assert M.correlation_error(real, real) == pytest.approx(0.0, abs=1e-12)
    assert M.correlation_error(other, real) < 0.05
    independent = np.column_stack([np.random.default_rng(j).permutation(other[:, j])
                                   for j in range(24)])
    assert M.correlation_error(independent, real) > 0.3
    np.testing.assert_allclose(M.correlation_matrix(real), np.corrcoef(real, rowvar=False),
                               atol=1e-12)


def test_constant_column_correlation_is_finite(real):
    flat = real.copy()
    flat[:, 3] = 42.0
    assert np.isfinite(M.correlation_error(flat, real))


def test_daily_features_and_ks(real, other):
    day = np.array([[10.0, 30.0, 20.0, 50.0, 40.0]])
    f = M.daily_features(day)
    assert f["mean"][0] == 30 and f["spread"][0] == 40 and f["peak_hour"][0] == 3
    assert f["ramp"][0] == pytest.approx((20 + 10 + 30 + 10) / 4)
    assert M.daily_feature_ks(real, real) == 0.0
    assert M.daily_feature_ks(other, real) < 0.15
    assert M.daily_feature_ks(other * 2, real) > 0.3


def test_marginal_ks(real):
    assert M.marginal_ks(real, real) == 0.0
    assert M.marginal_ks(real + 1000, real) == 1.0


def test_discriminative_low_for_same_high_for_shifted_and_collapsed(real, other):
    same = M.discriminative_score(other, real, seed=0)
    assert same < 0.1
    assert M.discriminative_score(other + 40, real, seed=0) > 0.35
    collapsed = np.repeat(other[:1], len(real), axis=0)
    assert M.discriminative_score(collapsed, real, seed=0) > 0.45
    assert M.discriminative_score(other, real, seed=0) == same  # seeded


def test_discriminative_balances_unequal_sets(real, other):
    assert M.discriminative_score(np.vstack([other, other + 0.01]), real[:100], seed=1) < 0.15


def test_predictive_score(real, other):
    trtr = M.predictive_score(real, other)
    assert M.predictive_score(other, real) == pytest.approx(trtr, rel=0.2)
    noise = np.random.default_rng(0).normal(80, 30, real.shape)
    assert M.predictive_score(noise, real) > 1.5 * trtr
    assert M.predictive_split(24) == 17


def test_memorisation_copy_is_one_fresh_is_low(real, other):
    train = real
    test = curves(300, 7)
    assert M.memorisation(train[:200], train, test) == 1.0
    assert M.memorisation(curves(300, 9), train, test) < 0.15


def test_precision_recall(real, other):
    p, r = M.precision_recall(other, real)
    assert p > 0.7 and r > 0.7
    collapsed = np.repeat(other[:1], 300, axis=0)
    p_c, r_c = M.precision_recall(collapsed, real)
    assert r_c < 0.05
    p_far, r_far = M.precision_recall(other + 500, real)
    assert p_far == 0.0 and r_far == 0.0


def test_nearest_distances_exclude_self():
    a = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(M.nearest_distances(a, a, k=1, exclude_self=True), [1, 1, 2, 4])
    np.testing.assert_allclose(M.nearest_distances(a, a, k=1), [0, 0, 0, 0])


def test_toy_shapes_work_in_1d_and_2d():
    rng = np.random.default_rng(0)
    heights = rng.normal(69, 3, 500)
    assert abs(M.relative_energy_distance(rng.normal(69, 3, 500), heights)) < 0.02
    assert M.relative_energy_distance(rng.normal(72, 3, 500), heights) > 0.05
    quad_x = rng.uniform(-0.5, 0.5, 400)
    quad = np.column_stack([quad_x, quad_x ** 2])
    p, r = M.precision_recall(quad, quad[::-1] + 1e-3)
    assert p > 0.9 and r > 0.9


def test_bad_input_raises_tsgan_error(real):
    with pytest.raises(TsganError):
        M.energy_distance(real, real[:, :5])
    with pytest.raises(TsganError):
        M.mean_wasserstein(np.full((3, 24), np.nan), real)
    with pytest.raises(TsganError):
        M.energy_distance(np.empty((0, 24)), real)
    with pytest.raises(TsganError):
        M.variogram_score(real[:, :1], real[:, :1])


def test_tree_and_brute_force_neighbours_agree(monkeypatch):
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(200, 2)), rng.normal(size=(300, 2))
    tree = M.nearest_distances(a, b, k=3), M.nearest_distances(b, b, k=5, exclude_self=True)
    monkeypatch.setattr(M, "KD_TREE_MAX_DIM", 0)
    brute = M.nearest_distances(a, b, k=3), M.nearest_distances(b, b, k=5, exclude_self=True)
    for t, f in zip(tree, brute, strict=True):
        np.testing.assert_allclose(t, f)


def test_discriminative_view_sees_only_what_it_is_given(real, other):
    """A shift of the whole day is invisible to a view of the hour-to-hour moves."""
    shifted = other + 40
    assert M.discriminative_score(shifted, real, seed=0) > 0.35
    moves = M.discriminative_score(shifted, real, seed=0,
                                   features=lambda v: np.diff(v, axis=1))
    assert moves == M.discriminative_score(other, real, seed=0,
                                           features=lambda v: np.diff(v, axis=1))
    assert moves < 0.1
