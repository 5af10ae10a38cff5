"""Marginal calibration: the quantile map, its point masses and tails, runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli_helpers import assert_one_line_error, run_tsgan
from tsgan.api import PriceGAN, load
from tsgan.errors import TsganError
from tsgan.model import marginals


def _prices(rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal-ish prices with piles at exactly 0.00 (3 %) and -0.01 (2 %)."""
    values = rng.lognormal(4.0, 0.5, n)
    pick = rng.random(n)
    values[pick < 0.03] = 0.0
    values[(pick >= 0.03) & (pick < 0.05)] = -0.01
    return values


def test_map_gives_generated_values_the_target_distribution_and_point_masses() -> None:
    rng = np.random.default_rng(0)
    target = _prices(rng, 20_000)
    fitted = marginals.fit_marginal_map(rng.normal(60, 30, 300_000), target)
    mapped = fitted.apply(rng.normal(60, 30, 400_000))
    assert np.mean(mapped == 0.0) == pytest.approx(np.mean(target == 0.0), rel=0.05)
    assert np.mean(mapped == -0.01) == pytest.approx(np.mean(target == -0.01), rel=0.05)
    for level in (0.1, 0.5, 0.9, 0.99):
        assert np.quantile(mapped, level) == pytest.approx(np.quantile(target, level),
                                                           rel=0.03)


def test_a_pile_narrower_than_the_knot_spacing_is_reproduced_exactly() -> None:
    rng = np.random.default_rng(3)
    target = rng.normal(50, 20, 100_000)
    target[:150] = 0.0  # 0.15 %: above the point-mass share, under 3 knot spacings
    generated = rng.normal(40, 25, 200_000)
    mapped = marginals.fit_marginal_map(generated, target).apply(generated)
    # on its own calibration sample the map gives the pile its share, less one target value
    # (the stretch spans count - 1 of the n - 1 steps between sorted values)
    assert abs(np.mean(mapped == 0.0) - 0.0015) <= 1 / len(target) + 2 / len(generated)
    # without the point-mass knots only the regular knots inside the pile would map onto it
    plain = marginals.MarginalMap(*(marginals.quantiles(np.sort(a), np.linspace(0, 1, 2001))
                                    for a in (generated, target)))
    assert np.mean(plain.apply(generated) == 0.0) < 0.0012


def test_point_masses_are_a_share_not_a_count_so_long_histories_add_none() -> None:
    rng = np.random.default_rng(4)
    prices = np.round(rng.lognormal(4.0, 0.5, 50_000), 2)
    prices[:300] = 0.0  # 0.6 %
    for history in (prices, np.tile(prices, 4)):
        ordered = np.sort(history)
        levels = marginals.point_mass_levels(ordered)
        assert np.all(marginals.quantiles(ordered, levels) == 0.0)  # only the pile at 0
    few = np.sort(np.r_[np.zeros(9), np.arange(1.0, 100.0)])  # 9 % but under the count
    assert len(marginals.point_mass_levels(few)) == 0


def test_tied_generated_values_and_a_constant_generator() -> None:
    rng = np.random.default_rng(5)
    generated = rng.normal(0, 1, 10_000)
    generated[:2_000] = 0.5  # a generated pile: its knots tie
    target = rng.normal(50, 10, 10_000)
    fitted = marginals.fit_marginal_map(generated, target)
    assert np.all(np.diff(fitted.generated) > 0)
    pile = fitted.apply(np.array([0.5]))[0]
    share_below = np.mean(generated < 0.5)
    middle = np.quantile(target, share_below + 0.1)  # the middle of the 20 % it covers
    assert pile == pytest.approx(middle, abs=1.0)
    with pytest.raises(TsganError, match="one value only"):
        marginals.fit_marginal_map(np.full(100, 3.0), target)
    with pytest.raises(TsganError, match="knots must be an integer >= 2"):
        marginals.fit_marginal_map(generated, target, knots=1)


def test_map_is_monotone_keeps_shapes_and_leaves_the_tails_open() -> None:
    rng = np.random.default_rng(1)
    fitted = marginals.fit_marginal_map(rng.normal(0, 1, 10_000), _prices(rng, 10_000))
    x = np.sort(rng.normal(0, 2, 5_000))
    assert np.all(np.diff(fitted.apply(x)) >= 0)
    days = rng.normal(0, 1, (30, 24))
    assert fitted.apply(days).shape == (30, 24)
    assert fitted.apply(0.0) == pytest.approx(fitted.apply(np.array([0.0]))[0])
    assert np.isnan(fitted.apply(np.array([np.nan]))[0])
    top, bottom = fitted.generated[-1], fitted.generated[0]
    # beyond the calibration range: shifted by the end knot's offset, not clipped
    assert fitted.apply(np.array([top + 5.0]))[0] == pytest.approx(fitted.target[-1] + 5.0)
    assert fitted.apply(np.array([bottom - 3.0]))[0] == pytest.approx(fitted.target[0] - 3.0)


def test_identical_distributions_give_an_almost_identity_map() -> None:
    rng = np.random.default_rng(2)
    fitted = marginals.fit_marginal_map(rng.normal(50, 10, 200_000),
                                        rng.normal(50, 10, 200_000))
    x = np.linspace(30, 70, 101)
    assert np.abs(fitted.apply(x) - x).max() < 0.3


def test_point_mass_knots_are_exact_at_the_ends_of_a_flat_stretch() -> None:
    ordered = np.sort(np.r_[np.arange(100.0), np.zeros(30)])
    levels = marginals.point_mass_levels(ordered)
    values = marginals.quantiles(ordered, levels)
    assert np.all(values == 0.0)
    assert levels[0] * (len(ordered) - 1) == pytest.approx(0)
    assert levels[1] * (len(ordered) - 1) == pytest.approx(30)  # zeros at sorted 0..30
    assert marginals.quantiles(ordered, np.array([0.5])) == pytest.approx(
        np.quantile(ordered, 0.5))


def test_fit_refuses_too_few_values() -> None:
    with pytest.raises(TsganError, match="fewer than 2 finite generated values"):
        marginals.fit_marginal_map(np.array([np.nan, 1.0]), np.arange(10.0))
    with pytest.raises(TsganError, match="fewer than 2 finite training values"):
        marginals.fit_marginal_map(np.arange(10.0), np.array([np.inf]))


def test_record_round_trip_and_bad_records() -> None:
    fitted = marginals.fit_marginal_map(np.linspace(-1, 1, 1001), np.linspace(0, 5, 400))
    back = marginals.MarginalMap.from_dict(json.loads(json.dumps(fitted.to_dict())))
    assert np.array_equal(back.generated, fitted.generated)
    assert np.array_equal(back.target, fitted.target)
    for bad in (None, {"generated": [0.0, 1.0]}, {"generated": [0, 1], "target": [0]},
                {"generated": [0], "target": [0]}, {"generated": [1, 0], "target": [0, 1]},
                {"generated": [0, 1], "target": [0, "x"]},
                {"generated": [0, float("nan")], "target": [0, 1]},
                {"generated": [0, 0], "target": [0, 1]},
                {"generated": [False, True], "target": [0, 1]}):
        with pytest.raises(TsganError, match="invalid marginal map") as info:
            marginals.MarginalMap.from_dict(bad)
        assert "\n" not in str(info.value)


def test_smard_run_calibrates_its_marginals_and_saves_the_map(
        smard_gan: PriceGAN, tmp_path) -> None:
    fitted = smard_gan.marginal_map
    assert fitted is not None
    train = smard_gan.train_data.to_numpy()
    sample = smard_gan.sample(3_000, seed=5).to_numpy()
    for price in (0.0, -0.01):  # the bundled data's piles
        assert np.mean(sample == price) == pytest.approx(np.mean(train == price), rel=0.35)
    assert np.quantile(sample, 0.5) == pytest.approx(np.quantile(train, 0.5), rel=0.05)
    run = tmp_path / "run"
    smard_gan.save(run)
    loaded = load(run)
    assert np.array_equal(loaded.sample(50, seed=2).to_numpy(),
                          smard_gan.sample(50, seed=2).to_numpy())
    (run / "marginal_map.json").write_text('{"generated": [1, 0], "target": [0, 1]}')
    with pytest.raises(TsganError, match="marginal_map.json: invalid marginal map") as info:
        load(run)
    assert "\n" not in str(info.value)
    (run / "marginal_map.json").unlink()
    with pytest.raises(TsganError, match="marginal_map.json is missing"):
        load(run)


def test_calibration_off_writes_no_map_and_removes_a_stale_one(smard_gan: PriceGAN,
                                                               tmp_path) -> None:
    run = tmp_path / "run"
    smard_gan.save(run)
    assert (run / "marginal_map.json").is_file()
    model = PriceGAN("smard", iterations=50, snapshot_every=0,
                     marginal_calibration=False).fit()
    assert model.marginal_map is None
    model.save(run)  # the same directory: the earlier run's map must not survive
    assert not (run / "marginal_map.json").exists()
    assert load(run).marginal_map is None
    blocked = tmp_path / "blocked"
    (blocked / "marginal_map.json").mkdir(parents=True)  # cannot be removed as a file
    with pytest.raises(TsganError, match="cannot remove the stale") as info:
        model.save(blocked)
    assert "\n" not in str(info.value)
    assert sorted(p.name for p in blocked.iterdir()) == ["marginal_map.json"]  # nothing written


def test_a_refit_that_fails_keeps_the_map(smard_gan: PriceGAN, tmp_path) -> None:
    smard_gan.save(tmp_path / "run")
    model = load(tmp_path / "run")
    before = model.sample(5, seed=0).to_numpy()
    with pytest.raises(TsganError):
        model.fit(model.train_data.iloc[:10])
    assert model.marginal_map is not None
    assert np.array_equal(model.sample(5, seed=0).to_numpy(), before)


def test_marginal_calibration_is_smard_only_and_typed() -> None:
    with pytest.raises(TsganError, match="smard preset only"):
        PriceGAN("quadratic", marginal_calibration=True)
    with pytest.raises(TsganError, match="marginal_calibration must be") as info:
        PriceGAN("smard", marginal_calibration="often")
    assert "\n" not in str(info.value)


def test_cli_bad_marginal_setting_is_a_one_line_error(tmp_path) -> None:
    result = run_tsgan("train", "--run-dir", str(tmp_path / "run"), "--iterations", "10",
                       "--preset", "heights", "--set", "marginal_calibration=true")
    assert "smard preset only" in assert_one_line_error(result)
    assert not (tmp_path / "run").exists()
