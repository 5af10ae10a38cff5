"""Reference ensembles: shapes, seeds, day types and no look-ahead (bundled and synthetic days)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsgan.checks import Stream, rng
from tsgan.data.days import HOUR_COLUMNS
from tsgan.data.sources import exogenous_columns, load_days
from tsgan.errors import TsganError
from tsgan.evaluate import references as R
from tsgan.evaluate.scores import crps


@pytest.fixture(scope="module")
def days() -> pd.DataFrame:
    return load_days()


def frame(dates: pd.DatetimeIndex, values: np.ndarray) -> pd.DataFrame:
    """A day frame whose day i has the constant price values[i] in all 24 hours."""
    prices = np.repeat(np.asarray(values, dtype="float64")[:, None], 24, axis=1)
    return pd.DataFrame(prices, index=pd.DatetimeIndex(dates, name="date"), columns=HOUR_COLUMNS)


def test_reference_ensembles_have_the_right_shape_and_repeat_with_the_seed(days):
    dates = pd.date_range("2025-03-01", periods=20, freq="D")
    first = R.reference_ensembles(days, dates, 30, seed=4, train_end="2025-01-01")
    assert tuple(first) == R.REFERENCE_NAMES
    for ensemble in first.values():
        assert ensemble.shape == (20, 30, 24) and np.isfinite(ensemble).all()
    again = R.reference_ensembles(days, dates, 30, seed=4, train_end="2025-01-01")
    other = R.reference_ensembles(days, dates, 30, seed=5, train_end="2025-01-01")
    for name in R.REFERENCE_NAMES:
        np.testing.assert_array_equal(first[name], again[name])
        assert not np.array_equal(first[name], other[name])
    # each reference draws from its own stream of the seed
    alone = R.last_days(days, dates, 30, rng(4, Stream.LAST_DAYS))
    np.testing.assert_array_equal(first["last 28 days"], alone)


def test_no_reference_reads_prices_of_the_delivery_day_or_later(days):
    dates = pd.date_range("2025-05-26", periods=10, freq="D")     # includes a block boundary
    base = R.reference_ensembles(days, dates, 20, seed=1, train_end="2025-01-01", refit_every=4)
    for k in (0, 3, 4, 9):
        changed = days.copy()
        later = changed.index >= dates[k]
        changed.loc[later, HOUR_COLUMNS] = changed.loc[later, HOUR_COLUMNS] * 3 + 500
        moved = R.reference_ensembles(changed, dates, 20, seed=1, train_end="2025-01-01",
                                      refit_every=4)
        for name in R.REFERENCE_NAMES:
            np.testing.assert_array_equal(moved[name][:k + 1], base[name][:k + 1], err_msg=name)
        if k < 9:   # the change does reach the later days of the history-based references
            assert not np.array_equal(moved["LEAR-lite"][k + 1:], base["LEAR-lite"][k + 1:])
            assert not np.array_equal(moved["last 28 days"][k + 1:],
                                      base["last 28 days"][k + 1:])


def test_the_day_after_the_history_can_be_forecast(days):
    after = days.index[-1] + pd.Timedelta(days=1)
    ensembles = R.reference_ensembles(days, pd.DatetimeIndex([after]), 10, seed=0,
                                      train_end="2025-01-01")
    for ensemble in ensembles.values():
        assert ensemble.shape == (1, 10, 24) and np.isfinite(ensemble).all()
    with pytest.raises(TsganError, match=r"delivery day 2026-03-03 is neither in the days"):
        R.last_days(days, pd.DatetimeIndex(["2026-03-03"]), 10, np.random.default_rng(0))


def test_last_day_type_takes_sundays_and_holidays_for_a_sunday():
    dates = pd.date_range("2024-10-01", "2025-01-10", freq="D")
    types = R.day_types(dates)
    # day type in the thousands, the day's position below: each member names its source day
    synthetic = frame(dates, 1000 * (types + 1) + np.arange(len(dates)))
    rng = np.random.default_rng(0)
    ens = R.last_day_type(synthetic, pd.DatetimeIndex(["2025-01-04", "2025-01-05", "2025-01-07",
                                                       "2025-01-09"]), 16, rng)
    positions = (ens[..., 0] % 1000).astype(int)
    sources = [pd.DatetimeIndex(dates[row]) for row in positions]
    expected_sunday = pd.DatetimeIndex(["2024-12-01", "2024-12-08", "2024-12-15", "2024-12-22",
                                        "2024-12-25", "2024-12-26", "2024-12-29", "2025-01-01"])
    assert (ens[0] // 1000 == 2).all()                               # Saturday
    assert sources[1].unique().sort_values().equals(expected_sunday)  # Christmas, New Year in
    assert sources[1].value_counts().tolist() == [2] * 8
    assert (ens[2] // 1000 == 1).all() and (ens[3] // 1000 == 1).all()
    assert pd.Timestamp("2025-01-01") not in sources[2]               # holiday not a weekday
    assert pd.Timestamp("2024-12-31") in sources[2]
    assert R.day_types(pd.DatetimeIndex(["2025-01-01", "2025-01-04", "2025-01-05",
                                         "2025-01-06"])).tolist() == [2, 1, 2, 0]


def test_last_days_uses_each_of_the_window_days_equally_and_skips_gaps():
    dates = pd.date_range("2025-01-01", periods=60, freq="D").delete([50, 51, 52])
    synthetic = frame(dates, np.arange(len(dates), dtype=float))
    ens = R.last_days(synthetic, pd.DatetimeIndex(["2025-02-28"]), 60, np.random.default_rng(2),
                      window=28)
    used, counts = np.unique(ens[0, :, 0], return_counts=True)
    # 2025-02-28 is position 55 in the frame with three missing days: the 28 rows before it
    assert used.tolist() == list(range(27, 55))
    assert sorted(counts.tolist()) == [2] * 24 + [3] * 4
    fewer = R.last_days(synthetic, pd.DatetimeIndex(["2025-02-28"]), 10,
                        np.random.default_rng(2), window=28)
    assert len(np.unique(fewer[0, :, 0])) == 10            # drawn without replacement


def test_climatology_draws_only_from_days_before_train_end():
    dates = pd.date_range("2024-01-01", periods=400, freq="D")
    train_end = pd.Timestamp("2024-10-01")
    values = np.where(dates < train_end, 1.0, 1000.0) + np.arange(400)
    synthetic = frame(dates, values)
    delivery = pd.date_range("2024-11-01", periods=30, freq="D")
    ens = R.climatology(synthetic, delivery, 200, np.random.default_rng(3), train_end)
    assert ens.shape == (30, 200, 24)
    assert (ens < 1000).all()
    assert len(np.unique(ens[..., 0])) > 250                # draws spread over the whole period
    changed = synthetic.copy()
    changed.loc[dates >= train_end] = -5.0
    again = R.climatology(changed, delivery, 200, np.random.default_rng(3), train_end)
    np.testing.assert_array_equal(ens, again)
    with pytest.raises(TsganError, match="delivery day 2024-09-30 comes before train_end"):
        R.climatology(synthetic, pd.DatetimeIndex(["2024-09-30"]), 5, np.random.default_rng(0),
                      train_end)


def test_lear_lite_reads_exogenous_series_of_the_delivery_day():
    rng = np.random.default_rng(7)
    dates = pd.date_range("2024-01-01", periods=300, freq="D")
    load = rng.normal(0, 1, (300, 24))
    prices = 60 + 25 * load + rng.normal(0, 2, (300, 24))
    synthetic = pd.DataFrame(prices, index=pd.DatetimeIndex(dates, name="date"),
                             columns=HOUR_COLUMNS)
    synthetic[exogenous_columns("load")] = load
    # the next day: its load forecast is known, its prices are not
    next_day = dates[-1] + pd.Timedelta(days=1)
    synthetic.loc[next_day, exogenous_columns("load")] = rng.normal(0, 1, 24)
    delivery = dates[-40:]
    observed = synthetic.loc[delivery, HOUR_COLUMNS].to_numpy()
    plain = R.lear_lite(synthetic, delivery, 50, np.random.default_rng(1))
    informed = R.lear_lite(synthetic, delivery, 50, np.random.default_rng(1), exogenous=["load"])
    assert crps(observed, informed).mean() < 0.5 * crps(observed, plain).mean()
    tomorrow = R.lear_lite(synthetic, pd.DatetimeIndex([next_day]), 5, np.random.default_rng(1),
                           exogenous=["load"])
    assert tomorrow.shape == (1, 5, 24) and np.isfinite(tomorrow).all()


@pytest.mark.parametrize(("call", "message"), [
    (lambda d: R.last_days(d, pd.DatetimeIndex(["2024-01-20"]), 5, np.random.default_rng(0)),
     "delivery day 2024-01-20 has only 19 days before it, needs 28"),
    (lambda d: R.last_day_type(d, pd.DatetimeIndex(["2024-02-04"]), 5, np.random.default_rng(0)),
     "delivery day 2024-02-04 has only 5 days of its day type before it, needs 8"),
    (lambda d: R.lear_lite(d, pd.DatetimeIndex(["2024-01-20"]), 5, np.random.default_rng(0)),
     "LEAR-lite for delivery day 2024-01-20: LEAR-lite needs at least 30 training days"),
    (lambda d: R.last_days(d, pd.DatetimeIndex(["2024-03-02", "2024-03-01"]), 5,
                           np.random.default_rng(0)),
     "delivery dates must be strictly increasing"),
    (lambda d: R.last_days(d, pd.DatetimeIndex([]), 5, np.random.default_rng(0)),
     "no delivery dates given"),
    (lambda d: R.last_days(d, pd.DatetimeIndex(["2024-03-01"]), 0, np.random.default_rng(0)),
     "n must be a positive integer, got 0"),
    (lambda d: R.last_days(d[["h00"]], pd.DatetimeIndex(["2024-03-01"]), 5,
                           np.random.default_rng(0)),
     "days lack the price column h01"),
    (lambda d: R.climatology(d, pd.DatetimeIndex(["2024-03-01"]), 5, np.random.default_rng(0),
                             "2023-01-01"),
     "no days before train_end 2023-01-01"),
    (lambda d: R.reference_ensembles(d, pd.DatetimeIndex(["2024-03-01"]), 5, -1, "2024-02-01"),
     "seed must be an integer >= 0"),
])
def test_bad_requests_raise_one_line_errors(call, message):
    synthetic = frame(pd.date_range("2024-01-01", periods=80, freq="D"), np.arange(80.0))
    with pytest.raises(TsganError, match=message):
        call(synthetic)
