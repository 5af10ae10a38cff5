"""Scaler round trips (exact and property-based), JSON round trip and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tsgan.data.sources import load_days
from tsgan.errors import TsganError
from tsgan.model.scaling import KINDS, Scaler


@pytest.fixture(scope="module")
def prices() -> np.ndarray:
    return load_days().to_numpy()


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-6, atol=1e-6))


@pytest.mark.parametrize("per_feature", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_on_real_prices(prices: np.ndarray, kind: str, per_feature: bool) -> None:
    scaler = Scaler(kind, per_feature=per_feature).fit(prices)
    z = scaler.transform(prices)
    assert z.shape == prices.shape and np.isfinite(z).all()
    assert close(scaler.inverse_transform(z), prices)
    clone = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    assert np.array_equal(clone.transform(prices), z)
    assert close(clone.inverse_transform(z), prices)


def test_minmax_maps_to_minus_one_one(prices: np.ndarray) -> None:
    z = Scaler("minmax").fit_transform(prices)
    assert z.min() == pytest.approx(-1.0) and z.max() == pytest.approx(1.0)
    zf = Scaler("minmax", per_feature=True).fit_transform(prices)
    assert np.allclose(zf.min(axis=0), -1.0) and np.allclose(zf.max(axis=0), 1.0)


def test_standard_has_zero_mean_unit_std(prices: np.ndarray) -> None:
    z = Scaler("standard").fit_transform(prices)
    assert z.mean() == pytest.approx(0.0, abs=1e-9) and z.std() == pytest.approx(1.0)


def test_asinh_tames_spikes_and_negative_prices(prices: np.ndarray) -> None:
    scaler = Scaler("asinh").fit(prices)
    z = scaler.transform(np.array([[-500.0], [0.0], [90.0], [936.28]]).repeat(24, axis=1))
    assert np.all(np.diff(z[:, 0]) > 0)  # monotone
    assert np.abs(z).max() < 6  # spikes compressed, unlike standard scaling
    standard = Scaler("standard").fit(prices).transform(np.full((1, 24), 936.28))
    assert standard.max() > z.max()
    raw = Scaler("asinh", standardize=False).fit(prices)
    assert "mean" not in raw.to_dict()["params"]
    assert close(raw.inverse_transform(raw.transform(prices)), prices)


def test_constant_data_does_not_divide_by_zero() -> None:
    x = np.full((5, 3), 7.0)
    for kind in KINDS:
        scaler = Scaler(kind).fit(x)
        assert np.isfinite(scaler.transform(x)).all()
        assert close(scaler.inverse_transform(scaler.transform(x)), x)


finite = st.floats(-2000, 2000, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 12), st.integers(1, 5)), elements=finite),
       kind=st.sampled_from(KINDS), per_feature=st.booleans())
def test_round_trip_property(x: np.ndarray, kind: str, per_feature: bool) -> None:
    scaler = Scaler(kind, per_feature=per_feature).fit(x)
    back = scaler.inverse_transform(scaler.transform(x))
    scale = max(1.0, float(np.abs(x).max()))
    assert np.allclose(back, x, rtol=1e-6, atol=1e-9 * scale)


def test_errors() -> None:
    with pytest.raises(TsganError, match="unknown scaler 'log'"):
        Scaler("log")
    with pytest.raises(TsganError, match="not fitted"):
        Scaler("minmax").transform(np.ones((2, 2)))
    with pytest.raises(TsganError, match="not fitted"):
        Scaler("asinh").to_dict()
    with pytest.raises(TsganError, match="NaN"):
        Scaler().fit(np.array([[1.0, np.nan]]))
    with pytest.raises(TsganError, match="no data"):
        Scaler().fit(np.empty((0, 3)))
    scaler = Scaler("standard", per_feature=True).fit(np.random.default_rng(0).normal(size=(9, 3)))
    with pytest.raises(TsganError, match="3"):
        scaler.transform(np.ones((2, 4)))
    data = scaler.to_dict()
    with pytest.raises(TsganError, match="unknown scaler"):
        Scaler.from_dict({**data, "kind": "weird"})
    with pytest.raises(TsganError, match="parameters"):
        Scaler.from_dict({**data, "params": {"mean": [0.0]}})
    with pytest.raises(TsganError, match="kind and params"):
        Scaler.from_dict({"params": {}})
    for err in (TsganError("x"),):
        assert "\n" not in str(err)
