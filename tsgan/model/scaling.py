"""Scalers between prices (EUR/MWh) and the range a GAN trains on; JSON round trip, no pickle.

Kinds:

* ``minmax``: linear map of the training range to [-1, 1] (matches a tanh output layer);
* ``standard``: subtract the mean, divide by the standard deviation;
* ``asinh``: the variance-stabilising transform of electricity price forecasting,
  ``z = asinh((x - median) / scale)`` with ``scale`` = the normal-consistent median absolute
  deviation, then (``standardize=True``) standardised. It is linear near the median and
  logarithmic in the tails, so spikes to +900 and -500 EUR/MWh do not squash ordinary days,
  and unlike a log it accepts negative prices;
* ``none``: identity.

Statistics are global over all values by default, so the relation between the 24 hours of a
day is kept; ``per_feature=True`` fits one set per column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsgan.errors import TsganError

KINDS = ("minmax", "standard", "asinh", "none")
MAD_TO_SIGMA = 1.482602218505602  # 1 / Phi^-1(3/4): MAD of a normal sample ≈ sigma / this
FORMAT_VERSION = 1


def _safe_scale(scale: np.ndarray) -> np.ndarray:
    """Replace zero or non-finite scales by 1 (a constant column stays constant, no NaN)."""
    scale = np.asarray(scale, dtype="float64")
    return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


class Scaler:
    """Fit / transform / inverse_transform of 2-D arrays ``(n, d)``; see the module docs."""

    def __init__(self, kind: str = "asinh", per_feature: bool = False,
                 standardize: bool = True) -> None:
        if kind not in KINDS:
            raise TsganError(f"unknown scaler {kind!r}; valid scalers: {', '.join(KINDS)}")
        self.kind = kind
        self.per_feature = bool(per_feature)
        self.standardize = bool(standardize)
        self.params: dict[str, np.ndarray] | None = None
        self.n_features: int | None = None

    def __repr__(self) -> str:
        state = "fitted" if self.params is not None else "not fitted"
        return f"Scaler(kind={self.kind!r}, per_feature={self.per_feature}, {state})"

    # ------------------------------------------------------------------ helpers
    def _array(self, x: Any, what: str) -> np.ndarray:
        arr = np.asarray(x, dtype="float64")
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1) if self.n_features in (None, 1) else arr.reshape(1, -1)
        if arr.ndim != 2:
            raise TsganError(f"{what} must be a 2-D array (rows, features), got {arr.ndim}-D")
        if self.n_features is not None and arr.shape[1] != self.n_features:
            raise TsganError(f"{what} has {arr.shape[1]} features; the scaler was fitted on "
                             f"{self.n_features}")
        return arr

    def _stat(self, func: Any, x: np.ndarray) -> np.ndarray:
        """A statistic per column (per_feature) or over all values, shaped (1, d) or (1, 1)."""
        if self.per_feature:
            return np.asarray(func(x, axis=0), dtype="float64").reshape(1, -1)
        return np.asarray(func(x), dtype="float64").reshape(1, 1)

    def _fitted(self) -> dict[str, np.ndarray]:
        if self.params is None:
            raise TsganError("the scaler is not fitted yet; call fit(x) first")
        return self.params

    # ------------------------------------------------------------------ API
    def fit(self, x: Any) -> Scaler:
        """Learn the statistics of ``x`` (n, d); returns self. Needs finite values."""
        self.n_features = None
        arr = self._array(x, "data to fit")
        if arr.size == 0:
            raise TsganError("cannot fit a scaler on no data")
        if not np.isfinite(arr).all():
            raise TsganError("cannot fit a scaler on data with NaN or infinite values")
        self.n_features = arr.shape[1]
        self.params = getattr(self, f"_fit_{self.kind}")(arr)
        return self

    def _fit_none(self, x: np.ndarray) -> dict[str, np.ndarray]:
        return {}

    def _fit_minmax(self, x: np.ndarray) -> dict[str, np.ndarray]:
        low, high = self._stat(np.min, x), self._stat(np.max, x)
        return {"low": low, "span": _safe_scale(high - low)}

    def _fit_standard(self, x: np.ndarray) -> dict[str, np.ndarray]:
        return {"mean": self._stat(np.mean, x), "std": _safe_scale(self._stat(np.std, x))}

    def _fit_asinh(self, x: np.ndarray) -> dict[str, np.ndarray]:
        center = self._stat(np.median, x)
        mad = self._stat(np.median, np.abs(x - center)) * MAD_TO_SIGMA
        fallback = self._stat(np.std, x)
        scale = _safe_scale(np.where(mad > 0, mad, fallback))
        params = {"center": center, "scale": scale}
        if self.standardize:
            y = np.arcsinh((x - center) / scale)
            params["mean"] = self._stat(np.mean, y)
            params["std"] = _safe_scale(self._stat(np.std, y))
        return params

    def transform(self, x: Any) -> np.ndarray:
        """Prices → model space (float64, same shape as the 2-D input)."""
        p = self._fitted()
        arr = self._array(x, "data to transform")
        if self.kind == "minmax":
            return 2.0 * (arr - p["low"]) / p["span"] - 1.0
        if self.kind == "standard":
            return (arr - p["mean"]) / p["std"]
        if self.kind == "asinh":
            z = np.arcsinh((arr - p["center"]) / p["scale"])
            return (z - p["mean"]) / p["std"] if "mean" in p else z
        return arr.copy()

    def inverse_transform(self, z: Any) -> np.ndarray:
        """Model space → prices; the exact inverse of :meth:`transform`."""
        p = self._fitted()
        arr = self._array(z, "data to inverse-transform")
        if self.kind == "minmax":
            return (arr + 1.0) / 2.0 * p["span"] + p["low"]
        if self.kind == "standard":
            return arr * p["std"] + p["mean"]
        if self.kind == "asinh":
            y = arr * p["std"] + p["mean"] if "mean" in p else arr
            return np.sinh(y) * p["scale"] + p["center"]
        return arr.copy()

    def fit_transform(self, x: Any) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``."""
        return self.fit(x).transform(x)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (plain floats and lists) for ``scaler.json``."""
        params = self._fitted()
        return {
            "format_version": FORMAT_VERSION, "kind": self.kind,
            "per_feature": self.per_feature, "standardize": self.standardize,
            "n_features": self.n_features,
            "params": {k: v.ravel().tolist() for k, v in params.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scaler:
        """Rebuild a fitted scaler from :meth:`to_dict` output; bad content → TsganError."""
        if not isinstance(data, dict) or "kind" not in data or "params" not in data:
            raise TsganError("scaler description must be an object with kind and params")
        scaler = cls(str(data["kind"]), bool(data.get("per_feature", False)),
                     bool(data.get("standardize", True)))
        try:
            n_features = int(data["n_features"])
            params = {str(k): np.asarray(v, dtype="float64").reshape(1, -1)
                      for k, v in dict(data["params"]).items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise TsganError(f"scaler description is invalid: {exc}") from exc
        expected = {"minmax": {"low", "span"}, "standard": {"mean", "std"},
                    "asinh": {"center", "scale", "mean", "std"} if scaler.standardize
                    else {"center", "scale"}, "none": set()}[scaler.kind]
        width = n_features if scaler.per_feature else 1
        if set(params) != expected or any(v.shape != (1, width) for v in params.values()):
            raise TsganError(f"scaler description for {scaler.kind!r} has parameters "
                             f"{sorted(params)}, expected {sorted(expected)} of width {width}")
        if not all(np.isfinite(v).all() for v in params.values()):
            raise TsganError("scaler description holds non-finite parameters")
        scaler.params, scaler.n_features = params, n_features
        return scaler
