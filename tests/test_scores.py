"""Known-answer and calibration tests for tsgan.evaluate.scores (numpy, scipy, scoringrules)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scoringrules as sr
from scipy import stats

from tsgan.errors import TsganError
from tsgan.evaluate import scores as S


def tiny() -> tuple[np.ndarray, np.ndarray]:
    """Two days, two members, 24 hours of day-like prices."""
    rng = np.random.default_rng(5)
    y = rng.normal(80, 20, (2, 24))
    x = rng.normal(80, 20, (2, 2, 24))
    return y, x


def calibrated(days: int, members: int, spread: float, seed: int) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Observed hours ~ N(mu_d, 10) and members ~ N(mu_d, spread), hours independent."""
    rng = np.random.default_rng(seed)
    level = rng.normal(80, 30, (days, 1))
    y = level + rng.normal(0, 10, (days, 24))
    x = level[:, :, None] + rng.normal(0, spread, (days, members, 24))
    return y, x


def test_energy_score_and_crps_equal_hand_computed_values_for_two_members():
    y, x = tiny()
    a, b = x[:, 0], x[:, 1]
    norm = np.linalg.norm
    expected_es = (norm(a - y, axis=1) + norm(b - y, axis=1)) / 2 - norm(a - b, axis=1) / 4
    np.testing.assert_allclose(S.energy_score(y, x), expected_es, rtol=1e-12)
    expected_crps = (np.abs(a - y) + np.abs(b - y)) / 2 - np.abs(a - b) / 4
    np.testing.assert_allclose(S.crps(y, x), expected_crps, rtol=1e-12)
    assert S.crps(y, x).shape == (2, 24)


def test_crps_of_a_point_mass_ensemble_is_the_absolute_error():
    y, x = tiny()
    point = np.repeat(x[:, :1], 5, axis=1)
    np.testing.assert_allclose(S.crps(y, point), np.abs(point[:, 0] - y), rtol=1e-12)
    np.testing.assert_allclose(S.energy_score(y, point), np.linalg.norm(point[:, 0] - y, axis=1),
                               rtol=1e-12)


def test_variogram_score_counts_each_hour_pair_once():
    y, x = tiny()
    direct = np.zeros(2)
    for day in range(2):
        for i in range(24):
            for j in range(i + 1, 24):
                obs = abs(y[day, i] - y[day, j]) ** 0.5
                ens = np.mean(np.abs(x[day, :, i] - x[day, :, j]) ** 0.5)
                direct[day] += (obs - ens) ** 2
    ours = S.variogram_score(y, x, p=0.5)
    np.testing.assert_allclose(ours, direct, rtol=1e-10)
    np.testing.assert_allclose(2 * ours, sr.vs_ensemble(y, x, p=0.5), rtol=1e-10)
    assert (ours > 0).all()


def test_pinball_loss_of_a_constant_ensemble_is_the_tilted_absolute_error():
    y = np.zeros((1, 24))
    y[0, :12] = 10.0            # above the forecast 4 for 12 hours, below it for 12
    y[0, 12:] = -2.0
    x = np.full((1, 3, 24), 4.0)
    loss = S.pinball_loss(y, x, quantiles=(0.1, 0.5, 0.9))
    expected = [(0.1 * 6 + 0.9 * 6) / 2, (0.5 * 6 + 0.5 * 6) / 2, (0.9 * 6 + 0.1 * 6) / 2]
    np.testing.assert_allclose(loss, [expected])
    assert S.pinball_loss(y, x).shape == (1, 19)
    assert S.QUANTILES[0] == 0.05 and S.QUANTILES[-1] == 0.95 and len(S.QUANTILES) == 19


def test_calibrated_ensemble_covers_the_nominal_level_and_has_a_flat_pit_histogram():
    members = 100
    y, x = calibrated(2000, members, spread=10.0, seed=11)
    for level in (0.5, 0.9):
        covered = S.coverage(y, x, level).mean()
        # m members' interpolated quantiles cover (m - 1) level / (m + 1) on average
        assert abs(covered - (members - 1) * level / (members + 1)) < 0.01
        assert abs(covered - level) < 0.03
    counts = S.pit_histogram(S.pit_values(y, x, np.random.default_rng(0)))
    assert counts.sum() == y.size and counts.dtype.kind == "i"
    assert stats.chisquare(counts).pvalue > 0.001
    assert np.abs(counts / counts.mean() - 1).max() < 0.05


def test_under_dispersed_ensemble_under_covers_and_has_a_u_shaped_pit_histogram():
    y, x = calibrated(2000, 100, spread=4.0, seed=11)
    assert S.coverage(y, x, 0.9).mean() < 0.6
    counts = S.pit_histogram(S.pit_values(y, x, np.random.default_rng(0)))
    assert stats.chisquare(counts).pvalue < 1e-6
    assert counts[0] > 2 * counts[4] and counts[-1] > 2 * counts[5]


def test_randomised_pit_is_uniform_for_a_discrete_distribution_with_ties():
    rng = np.random.default_rng(3)
    values = np.array([0.0, 0.0, 0.0, 10.0, 25.0])       # 0.00 with probability 0.6
    y = rng.choice(values, size=(3000, 24))
    x = rng.choice(values, size=(3000, 9, 24))
    pit = S.pit_values(y, x, np.random.default_rng(4))
    assert ((pit >= 0) & (pit < 1)).all()
    counts = S.pit_histogram(pit)
    assert stats.chisquare(counts).pvalue > 0.001
    # without the random tie-breaking the zero hours would all land in the lowest bins
    naive = (x < y[:, None]).sum(axis=1) / 10
    assert stats.chisquare(S.pit_histogram(naive)).pvalue < 1e-6


def test_energy_score_expectation_is_lowest_for_the_true_distribution():
    rng = np.random.default_rng(8)
    hours = np.arange(24)
    cov = 100 * np.exp(-np.abs(hours[:, None] - hours[None]) / 6)
    mean = 80 + 20 * np.sin(2 * np.pi * (hours - 6) / 24)
    days, members = 600, 50
    y = rng.multivariate_normal(mean, cov, days)
    true = rng.multivariate_normal(mean, cov, (days, members))
    shifted = true + 4.0
    independent = mean + rng.normal(0, 10, (days, members, 24))
    es_true = S.energy_score(y, true).mean()
    assert es_true < S.energy_score(y, shifted).mean()
    assert es_true < S.energy_score(y, independent).mean()
    assert S.variogram_score(y, true).mean() < S.variogram_score(y, independent).mean()


def test_diebold_mariano_identical_losses_give_statistic_zero_and_p_one():
    loss = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    result = S.diebold_mariano(loss, loss.copy())
    assert result == {"statistic": 0.0, "p_value": 1.0, "mean_difference": 0.0, "n": 5}


def test_diebold_mariano_constant_nonzero_difference_is_infinite():
    loss = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    result = S.diebold_mariano(loss - 1.0, loss)
    assert result["statistic"] == -np.inf and result["p_value"] == 0.0
    assert result["mean_difference"] == pytest.approx(-1.0)


def test_diebold_mariano_horizon_one_is_the_one_sample_t_test_and_negative_for_better_a():
    rng = np.random.default_rng(2)
    b = rng.gamma(4.0, 5.0, 300)
    a = b - 2.0 + rng.normal(0, 3, 300)
    result = S.diebold_mariano(a, b)
    t = stats.ttest_1samp(a - b, 0.0)
    assert result["statistic"] == pytest.approx(t.statistic, rel=1e-10)
    assert result["p_value"] == pytest.approx(t.pvalue, rel=1e-8)
    assert result["statistic"] < -5 and result["p_value"] < 1e-6
    assert result["n"] == 300 and result["mean_difference"] < 0
    json.dumps(result)
    swapped = S.diebold_mariano(b, a)
    assert swapped["statistic"] == pytest.approx(-result["statistic"])


def test_diebold_mariano_longer_horizon_uses_bartlett_weighted_autocovariances():
    rng = np.random.default_rng(6)
    d = np.convolve(rng.normal(0.3, 1, 203), np.ones(4) / 4, mode="valid")   # 200 days, MA(3)
    n, h = d.size, 4
    c = d - d.mean()
    gamma = [c[k:] @ c[:n - k] / n for k in range(h)]
    variance = (gamma[0] + 2 * sum((1 - k / h) * gamma[k] for k in range(1, h))) / n
    hln = np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    expected = hln * d.mean() / np.sqrt(variance)
    result = S.diebold_mariano(d, np.zeros(n), horizon=h)
    assert result["statistic"] == pytest.approx(expected, rel=1e-10)
    assert result["p_value"] == pytest.approx(2 * stats.t.sf(abs(expected), n - 1), rel=1e-8)
    # ignoring the autocorrelation would overstate the evidence
    assert abs(S.diebold_mariano(d, np.zeros(n))["statistic"]) > abs(expected)


@pytest.mark.parametrize(("a", "b", "kwargs", "message"), [
    (np.ones(5), np.ones(4), {}, "loss series differ in length: 5 and 4 days"),
    (np.ones(2), np.ones(2), {}, "at least 3 days of losses, got 2"),
    (np.array([1.0, np.nan, 2.0]), np.ones(3), {}, "NaN or infinite"),
    (np.ones(5), np.array([1.0, np.inf, 1, 1, 1]), {}, "NaN or infinite"),
    (np.ones(5), np.ones(5), {"horizon": 0}, "horizon must be a positive integer"),
    (np.ones(5), np.ones(5), {"horizon": 5}, "horizon 5 must be smaller than the number of days"),
])
def test_diebold_mariano_rejects_bad_input(a, b, kwargs, message):
    with pytest.raises(TsganError, match=message):
        S.diebold_mariano(a, b, **kwargs)


@pytest.mark.parametrize(("observed", "ensemble", "message"), [
    (np.zeros((3, 23)), np.zeros((3, 4, 24)), r"observed must have shape \(days, 24\)"),
    (np.zeros((3, 24)), np.zeros((3, 24)), r"ensemble must have shape \(days, members, 24\)"),
    (np.zeros((3, 24)), np.zeros((2, 4, 24)), "ensemble has 2 days but observed has 3"),
    (np.zeros((3, 24)), np.zeros((3, 1, 24)), "at least 2 members per day, got 1"),
    (np.full((3, 24), np.nan), np.zeros((3, 4, 24)), "observed contains NaN"),
    (np.zeros((3, 24)), np.full((3, 4, 24), np.inf), "ensemble contains NaN or infinite"),
])
def test_scores_reject_bad_shapes_and_values(observed, ensemble, message):
    for score in (S.energy_score, S.crps, S.variogram_score, S.pinball_loss):
        with pytest.raises(TsganError, match=message):
            score(observed, ensemble)
    with pytest.raises(TsganError, match=message):
        S.score_ensembles(observed, {"x": ensemble})


def test_other_bad_arguments_raise_one_line_errors():
    y, x = tiny()
    with pytest.raises(TsganError, match="coverage level must lie strictly between 0 and 1"):
        S.coverage(y, x, 90)
    with pytest.raises(TsganError, match="quantile levels must lie strictly between 0 and 1"):
        S.pinball_loss(y, x, quantiles=(0.5, 1.0))
    with pytest.raises(TsganError, match="variogram order p must be a positive number"):
        S.variogram_score(y, x, p=0)
    with pytest.raises(TsganError, match="PIT values must be finite numbers in"):
        S.pit_histogram(np.array([0.2, 1.5]))
    with pytest.raises(TsganError, match="non-empty dict"):
        S.score_ensembles(y, {})


def test_score_ensembles_and_daily_scores_are_json_ready_and_consistent():
    y, x = calibrated(40, 20, spread=10.0, seed=1)
    ensembles = {"good": x, "shifted": x + 15.0}
    result = S.score_ensembles(y, ensembles, seed=3)
    assert json.loads(json.dumps(result)) == result
    good = result["good"]
    assert set(good) == {"energy", "crps", "variogram", "pinball", "pinball_mean",
                         "coverage_50", "coverage_90", "pit_counts"}
    assert list(good["pinball"]) == [f"{q:.2f}" for q in S.QUANTILES]
    assert good["pinball_mean"] == pytest.approx(np.mean(list(good["pinball"].values())))
    assert sum(good["pit_counts"]) == y.size and len(good["pit_counts"]) == 10
    assert good["energy"] < result["shifted"]["energy"]
    assert good["crps"] < result["shifted"]["crps"]
    assert good["coverage_90"] > result["shifted"]["coverage_90"]
    # the same seed gives the same PIT counts whichever other methods are scored
    assert S.score_ensembles(y, {"good": x}, seed=3)["good"] == good

    daily = S.daily_scores(y, ensembles)
    assert list(daily.columns) == ["method", "day", "energy", "crps", "variogram"]
    assert len(daily) == 80 and daily["day"].tolist() == list(range(40)) * 2
    part = daily[daily["method"] == "good"]
    assert part["energy"].mean() == pytest.approx(good["energy"])
    assert part["crps"].mean() == pytest.approx(good["crps"])
    assert part["variogram"].mean() == pytest.approx(good["variogram"])
