"""LEAR-lite: a per-hour ridge regression of tomorrow's prices in asinh space.

A simplified version of the LEAR model of the epftoolbox benchmark (Lago, Marcjasz,
De Schutter, Weron 2021). Prices are mapped ``x → asinh(x / s)`` with ``s`` the median absolute
deviation of the training prices (the variance-stabilising transform of price forecasting: it
tames spikes and keeps negative prices). For each hour h a ridge regression (``alpha`` 1,
intercept not penalised) explains ``asinh(price_h(D) / s)`` by the 24 scaled prices of D-1, D-2
and D-7, min and max of D-1, one-hot weekday and month, and, per exogenous series, its scaled
values at hour h of D and D-1 (series scaled ``asinh((x - median) / MAD)``).

It serves twice: as the statistical reference ensemble of a backtest (point forecast plus joint
24-hour residual vectors drawn from its last 365 in-sample residuals, which keeps the hour-to-hour
dependence) and as the point forecast the forecast GAN learns its residual around.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tsgan.data.days import HOUR_COLUMNS
from tsgan.data.forecast_inputs import (
    EXOGENOUS_LAGS,
    PRICE_LAGS,
    ForecastInputs,
    available_dates,
    forecast_inputs,
)
from tsgan.data.sources import exogenous_columns
from tsgan.errors import TsganError

#: In-sample residual vectors a LEAR-lite ensemble draws from (the most recent ones).
RESIDUAL_POOL = 365
#: Fewest training days a fit accepts.
MIN_TRAINING_DAYS = 30


def mad(values: np.ndarray) -> float:
    """Median absolute deviation around the median (no normal-consistency factor)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 1.0
    spread = float(np.median(np.abs(values - np.median(values))))
    return spread if spread > 0 else 1.0


def ridge(design: np.ndarray, target: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients (p, q) and intercept (q,) for ``target`` (n, q) on ``design`` (n, p);
    the intercept is not penalised (the data are centred first, as scikit-learn does)."""
    x_mean, y_mean = design.mean(axis=0), target.mean(axis=0)
    x, y = design - x_mean, target - y_mean
    gram = x.T @ x + alpha * np.eye(x.shape[1])
    coef = np.linalg.solve(gram, x.T @ y)
    return coef, y_mean - x_mean @ coef


class LearLite:
    """Per-hour ridge in asinh space; ``fit(days, until)`` then ``point`` / ``ensemble``."""

    def __init__(self, alpha: float = 1.0, exogenous: Sequence[str] = (),
                 pool: int = RESIDUAL_POOL) -> None:
        self.alpha = float(alpha)
        self.exogenous = list(exogenous)
        self.pool = int(pool)
        self.price_scale: float = 1.0
        self.exogenous_centre = np.zeros(len(self.exogenous))
        self.exogenous_scale = np.ones(len(self.exogenous))
        #: shared coefficients (p, 24), per-hour exogenous coefficients (24, 2k), intercepts
        self.coef: np.ndarray | None = None
        self.exogenous_coef = np.zeros((24, 0))
        self.intercept = np.zeros(24)
        #: the last ``pool`` in-sample residual vectors (scaled space), oldest first
        self.residuals = np.zeros((0, 24))
        self.train_end: pd.Timestamp | None = None

    # ------------------------------------------------------------------ scaled space
    def scale_prices(self, prices: np.ndarray) -> np.ndarray:
        """EUR/MWh → model space ``asinh(x / s)``."""
        return np.arcsinh(np.asarray(prices, dtype=np.float64) / self.price_scale)

    def unscale_prices(self, values: np.ndarray) -> np.ndarray:
        """Model space → EUR/MWh."""
        return np.sinh(np.asarray(values, dtype=np.float64)) * self.price_scale

    def shared_design(self, inputs: ForecastInputs) -> np.ndarray:
        """Regressors every hour shares: scaled D-1, D-2, D-7, min/max of D-1, calendar."""
        lags = self.scale_prices(inputs.prices)  # (n, lags, 24)
        previous = lags[:, 0]
        return np.concatenate([lags.reshape(len(lags), -1), previous.min(axis=1, keepdims=True),
                               previous.max(axis=1, keepdims=True), inputs.calendar], axis=1)

    def hourly_design(self, inputs: ForecastInputs) -> np.ndarray:
        """Per-hour exogenous regressors (n, 24, k·lags): series k at hour h of D and D-1."""
        exo = inputs.exogenous  # (n, k, lags, 24)
        if not self.exogenous:
            return np.zeros((len(exo), 24, 0))
        centre = self.exogenous_centre[None, :, None, None]
        scale = self.exogenous_scale[None, :, None, None]
        scaled = np.arcsinh((exo - centre) / scale)
        return scaled.transpose(0, 3, 1, 2).reshape(len(exo), 24, -1)

    # ------------------------------------------------------------------ fit / predict
    def fit(self, days: pd.DataFrame, until: pd.Timestamp | str | None = None) -> LearLite:
        """Fit on every day of ``days`` dated before ``until`` (all when None) whose inputs
        exist; keeps the last ``pool`` in-sample residual vectors."""
        train = days if until is None else days[days.index < pd.Timestamp(until)]
        dates = available_dates(train, self.exogenous)
        if len(dates) < MIN_TRAINING_DAYS:
            raise TsganError(f"LEAR-lite needs at least {MIN_TRAINING_DAYS} training days with "
                             f"D-1, D-2 and D-7 before them, got {len(dates)}")
        self.price_scale = mad(train[HOUR_COLUMNS].to_numpy())
        for k, name in enumerate(self.exogenous):
            values = train[exogenous_columns(name)].to_numpy()
            values = values[np.isfinite(values)]
            self.exogenous_centre[k] = float(np.median(values))
            self.exogenous_scale[k] = mad(values)
        return self._fit_coefficients(train, dates)

    def refit_coefficients(self, days: pd.DataFrame) -> LearLite:
        """Refit the coefficients on every day of ``days`` whose inputs exist, keeping the
        price and exogenous scales (a forecast model's generator was trained in them)."""
        dates = available_dates(days, self.exogenous)
        if len(dates) < MIN_TRAINING_DAYS:
            raise TsganError(f"LEAR-lite needs at least {MIN_TRAINING_DAYS} training days with "
                             f"D-1, D-2 and D-7 before them, got {len(dates)}")
        return self._fit_coefficients(days, dates)

    def _fit_coefficients(self, train: pd.DataFrame, dates: pd.DatetimeIndex) -> LearLite:
        inputs = forecast_inputs(train, dates, self.exogenous)
        target = self.scale_prices(train.loc[dates, HOUR_COLUMNS].to_numpy())
        self._solve(self.shared_design(inputs), self.hourly_design(inputs), target)
        self.residuals = (target - self.predict_scaled(inputs))[-self.pool:]
        self.train_end = pd.Timestamp(dates[-1])
        return self

    def _solve(self, shared: np.ndarray, hourly: np.ndarray, target: np.ndarray) -> None:
        """Set the coefficients: one multi-output ridge, or one per hour with exogenous input."""
        if hourly.shape[2] == 0:
            self.coef, self.intercept = ridge(shared, target, self.alpha)
            self.exogenous_coef = np.zeros((24, 0))
            return
        self.coef = np.zeros((shared.shape[1], 24))
        self.exogenous_coef = np.zeros((24, hourly.shape[2]))
        self.intercept = np.zeros(24)
        for hour in range(24):
            coef, intercept = ridge(np.concatenate([shared, hourly[:, hour]], axis=1),
                                    target[:, hour:hour + 1], self.alpha)
            self.coef[:, hour] = coef[:shared.shape[1], 0]
            self.exogenous_coef[hour] = coef[shared.shape[1]:, 0]
            self.intercept[hour] = intercept[0]

    def cross_fitted(self, days: pd.DataFrame, dates: pd.DatetimeIndex,
                     folds: int = 5) -> np.ndarray:
        """Out-of-fold point forecasts (n, 24, scaled) of ``dates``: the days of every
        ``folds``-th week form a fold, predicted by coefficients fitted on the other weeks
        (scales kept). Their errors are out-of-sample errors, like those of a forecast; the
        interleaved weeks keep every season in every fit."""
        inputs = forecast_inputs(days, dates, self.exogenous)
        target = self.scale_prices(days.loc[dates, HOUR_COLUMNS].to_numpy())
        shared, hourly = self.shared_design(inputs), self.hourly_design(inputs)
        out = np.empty_like(target)
        fold = LearLite.from_dict(self.to_dict())
        week = (dates - dates[0]).days.to_numpy() // 7
        for fold_number in range(folds):
            rows = np.flatnonzero(week % folds == fold_number)
            keep = np.ones(len(dates), dtype=bool)
            keep[rows] = False
            fold._solve(shared[keep], hourly[keep], target[keep])
            out[rows] = fold.predict_scaled(input_rows(inputs, rows))
        return out

    def predict_scaled(self, inputs: ForecastInputs) -> np.ndarray:
        """Point forecasts (n, 24) in model space."""
        if self.coef is None:
            raise TsganError("LEAR-lite is not fitted")
        out = self.shared_design(inputs) @ self.coef + self.intercept
        if self.exogenous_coef.shape[1]:
            out += np.einsum("nhf,hf->nh", self.hourly_design(inputs), self.exogenous_coef)
        return out

    def point(self, days: pd.DataFrame, dates: Sequence[pd.Timestamp]) -> np.ndarray:
        """Point forecasts (len(dates), 24) in EUR/MWh from the history in ``days``."""
        return self.unscale_prices(self.predict_scaled(
            forecast_inputs(days, dates, self.exogenous)))

    def ensemble(self, days: pd.DataFrame, dates: Sequence[pd.Timestamp], n: int,
                 rng: np.random.Generator) -> np.ndarray:
        """(len(dates), n, 24) EUR/MWh: point forecast plus ``n`` joint residual vectors per
        day, drawn without replacement from the pool (with replacement when n exceeds it)."""
        point = self.predict_scaled(forecast_inputs(days, dates, self.exogenous))
        size = len(self.residuals)
        picks = np.stack([rng.choice(size, size=n, replace=n > size) for _ in range(len(point))])
        return self.unscale_prices(point[:, None, :] + self.residuals[picks])

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters (a forecast run stores its linear core this way)."""
        if self.coef is None:
            raise TsganError("LEAR-lite is not fitted")
        return {"alpha": self.alpha, "exogenous": self.exogenous, "pool": self.pool,
                "price_scale": self.price_scale,
                "exogenous_centre": self.exogenous_centre.tolist(),
                "exogenous_scale": self.exogenous_scale.tolist(),
                "coef": self.coef.tolist(), "exogenous_coef": self.exogenous_coef.tolist(),
                "intercept": self.intercept.tolist(), "residuals": self.residuals.tolist(),
                "train_end": None if self.train_end is None else str(self.train_end.date()),
                "price_lags": list(PRICE_LAGS), "exogenous_lags": list(EXOGENOUS_LAGS)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearLite:
        """Rebuild from :meth:`to_dict`."""
        model = cls(data["alpha"], data["exogenous"], data["pool"])
        model.price_scale = float(data["price_scale"])
        model.exogenous_centre = np.asarray(data["exogenous_centre"], dtype=np.float64)
        model.exogenous_scale = np.asarray(data["exogenous_scale"], dtype=np.float64)
        model.coef = np.asarray(data["coef"], dtype=np.float64)
        model.exogenous_coef = np.asarray(data["exogenous_coef"],
                                          dtype=np.float64).reshape(24, -1)
        model.intercept = np.asarray(data["intercept"], dtype=np.float64)
        model.residuals = np.asarray(data["residuals"], dtype=np.float64).reshape(-1, 24)
        model.train_end = None if data["train_end"] is None else pd.Timestamp(data["train_end"])
        return model


def input_rows(inputs: ForecastInputs, rows: np.ndarray) -> ForecastInputs:
    """The forecast inputs of the days at positions ``rows``."""
    return ForecastInputs(dates=inputs.dates[rows], prices=inputs.prices[rows],
                          exogenous=inputs.exogenous[rows], calendar=inputs.calendar[rows],
                          holiday=inputs.holiday[rows])
