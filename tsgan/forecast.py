"""Scenarios for given delivery days: ``ForecastGAN`` (``PriceGAN("forecast")``).

``fit(days)`` then ``forecast(history, start, end, n, seed)``::

    from tsgan import ForecastGAN, load_days
    days = load_days()                                   # bundled German prices
    gan = ForecastGAN(seed=0).fit(days[days.index < "2025-01-01"])
    frame = gan.forecast(days, "2025-01-01", "2025-01-31", n=100, seed=0)
    paths = gan.paths(days, "2025-01-01", days=28, n=100, seed=0)

Day D's scenarios use only what is known before D's auction (:mod:`tsgan.data.forecast_inputs`):
history prices dated before D and exogenous values dated D and D-1. A scenario is the point
forecast of the linear core (LEAR-lite, :mod:`tsgan.model.linear`) plus a residual drawn by the
conditional generator (:mod:`tsgan.model.forecast_gan`), mapped back to EUR/MWh. The core's
coefficients are refitted at forecast time on the history dated before the first day of D's
month (``refit="month"``), so a model trained once keeps up with the market; the generator and
the price scale stay as trained. Each delivery day's noise comes from its own random stream
(seed, date), so its scenarios do not depend on which other days are asked for.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.data.days import HOUR_COLUMNS, delivery_day, require_day_frame
from tsgan.data.forecast_inputs import (
    EXOGENOUS_LAGS,
    PRICE_LAGS,
    ForecastInputs,
    available_dates,
    calendar_block,
    forecast_inputs,
    require_exogenous,
)
from tsgan.data.sources import check_exogenous, exogenous_columns
from tsgan.errors import TsganError
from tsgan.model.linear import LearLite, input_rows
from tsgan.runs import FORECAST_PRESET, fingerprint, package_versions

REFITS = ("month", "none")
#: Spread factors the calibration tries.
SPREAD_GRID = tuple(round(0.8 + 0.05 * i, 2) for i in range(25))  # 0.8 … 2.0
#: Generated days stay within the training days' range widened by this much (model space:
#: asinh units, about e times the extremes): a path cannot run away to infinity.
RANGE_MARGIN = 1.0
#: Scenarios per validation day when calibrating the spread.
CALIBRATION_MEMBERS = 50
CONFIG_FILE = "config.json"
STATE_FILE = "forecast_state.json"
HISTORY_FILE = "history.csv"
GENERATOR_FILE = "generator.keras"
DISCRIMINATOR_FILE = "discriminator.keras"


@dataclass
class ForecastConfig:
    """Everything that decides a forecast run (written to ``config.json``)."""

    preset: str = FORECAST_PRESET
    #: exogenous series the model conditions on (``NAME_h00`` … ``NAME_h23`` in the history)
    exogenous: list[str] = field(default_factory=list)
    latent_dim: int = 24
    #: G's noise-to-shape network and the condition networks (loc, scale); D's layers
    generator_units: list[int] = field(default_factory=lambda: [64, 64])
    condition_units: list[int] = field(default_factory=lambda: [64])
    discriminator_units: list[int] = field(default_factory=lambda: [64, 64])
    adversarial_weight: float = 0.2
    energy_weight: float = 1.0
    energy_members: int = 8
    condition_noise: float = 0.8
    ema_decay: float = 0.999
    learning_rate: float = 1e-3
    beta_1: float = 0.5
    batch_size: int = 64
    iterations: int = 4000
    log_every: int = 100
    #: ridge penalty of the linear core, and when forecasts refit its coefficients
    linear_alpha: float = 1.0
    refit: str = "month"
    #: train the generator on out-of-fold errors of the core (5 blocks), which are as large
    #: as its errors on days it never saw
    cross_fit: bool = True
    #: spread calibration: a first model trained on the earlier ``1 - validation_fraction``
    #: of the days forecasts the later ones (time-forward, no look-ahead); the factor in
    #: :data:`SPREAD_GRID` with the lowest energy score there stretches every scenario's
    #: deviation from the generator's centre (1 = off)
    spread_calibration: bool = False
    validation_fraction: float = 0.2
    seed: int = 0

    def validate(self) -> ForecastConfig:
        """Raise one-line TsganErrors for values no model can be built from."""
        for name in ("cross_fit", "spread_calibration"):
            if not isinstance(getattr(self, name), bool):
                raise TsganError(f"{name} must be true or false, got {getattr(self, name)!r}")
        for name in ("adversarial_weight", "energy_weight", "condition_noise", "linear_alpha",
                     "ema_decay", "learning_rate", "beta_1", "validation_fraction"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TsganError(f"{name} must be a number, got {value!r}")
        if not isinstance(self.exogenous, list):
            raise TsganError(f"exogenous must be a list of series names, got "
                             f"{self.exogenous!r}")
        if self.preset != FORECAST_PRESET:
            raise TsganError(f"a forecast configuration has preset 'forecast', got "
                             f"{self.preset!r}")
        for name in ("latent_dim", "energy_members", "batch_size", "iterations", "log_every"):
            checks.positive_integer(getattr(self, name), name)
        if self.energy_members < 2:
            raise TsganError(f"energy_members must be at least 2, got {self.energy_members}")
        for name in ("generator_units", "condition_units", "discriminator_units"):
            units = getattr(self, name)
            if not isinstance(units, list) or not units or any(
                    not isinstance(u, int) or isinstance(u, bool) or u <= 0 for u in units):
                raise TsganError(f"{name} must be a non-empty list of positive integers, "
                                 f"got {units!r}")
        for name in ("adversarial_weight", "energy_weight", "condition_noise", "linear_alpha"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
                raise TsganError(f"{name} must be a non-negative number, got {value!r}")
        if self.adversarial_weight == 0 and self.energy_weight == 0:
            raise TsganError("adversarial_weight and energy_weight cannot both be 0")
        if not 0 <= self.ema_decay < 1:
            raise TsganError(f"ema_decay must be in [0, 1), got {self.ema_decay!r}")
        if not 0 < self.learning_rate < 1 or not 0 <= self.beta_1 < 1:
            raise TsganError("learning_rate must be in (0, 1) and beta_1 in [0, 1)")
        checks.choice(self.refit, "refit", REFITS)
        checks.integer_at_least(self.seed, "seed", 0)
        check_exogenous(self.exogenous)  # the names a day frame's columns can carry
        if not 0 < self.validation_fraction < 0.5:
            raise TsganError(f"validation_fraction must be in (0, 0.5), got "
                             f"{self.validation_fraction!r}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ForecastConfig:
        """Rebuild from :meth:`to_dict`; unknown keys → TsganError."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise TsganError(f"unknown forecast setting {unknown[0]!r}; valid settings: "
                             f"{', '.join(sorted(names))}")
        return cls(**data).validate()


class ForecastGAN:
    """Scenarios of given delivery days from what is known before their auction.

    ``ForecastGAN(exogenous=[...], **settings)``: any :class:`ForecastConfig` field may be
    given (``iterations``, ``seed``, ...).
    """

    def __init__(self, **settings: Any) -> None:
        settings.setdefault("preset", FORECAST_PRESET)
        self.config = ForecastConfig.from_dict(settings)
        self.core: LearLite | None = None
        self.generator: Any = None
        self.discriminator: Any = None
        self.condition_mean = np.zeros(0)
        self.condition_std = np.ones(0)
        self.history = pd.DataFrame()
        self.train_seconds = 0.0
        self.data_source: str | None = None
        self.data_fingerprint: str | None = None
        self.train_first: pd.Timestamp | None = None
        self.train_last: pd.Timestamp | None = None
        self.n_train_days = 0
        #: the calibrated spread factor (1 = none) and the model-space range of the output
        self.spread = 1.0
        self.scaled_range = (-np.inf, np.inf)
        self.calibration = pd.DataFrame()
        self._parts: Any = None

    def __repr__(self) -> str:
        state = "fitted" if self.generator is not None else "not fitted"
        return f"ForecastGAN(exogenous={self.config.exogenous!r}, {state})"

    @property
    def exogenous(self) -> list[str]:
        """The exogenous series the model reads from a history."""
        return list(self.config.exogenous)

    # ------------------------------------------------------------------ conditions
    def condition_matrix(self, inputs: ForecastInputs, base: np.ndarray) -> np.ndarray:
        """The generator's raw condition per day: calendar, holiday, the core's point forecast
        (scaled), the spread and roughness of D-1 (scaled), and each exogenous series' level
        and spread on D (scaled like the core scales it)."""
        core = self.core
        assert core is not None
        previous = core.scale_prices(inputs.prices[:, 0])
        parts = [inputs.calendar, inputs.holiday[:, None], base,
                 previous.std(axis=1, keepdims=True),
                 np.diff(previous, axis=1).std(axis=1, keepdims=True)]
        if self.exogenous:
            hourly = core.hourly_design(inputs)  # (n, 24, k * lags), series-major
            today = hourly.reshape(len(base), 24, len(self.exogenous), len(EXOGENOUS_LAGS))[..., 0]
            parts += [today.mean(axis=1), today.std(axis=1)]
        return np.concatenate(parts, axis=1)

    def _standardise(self, raw: np.ndarray) -> np.ndarray:
        return ((raw - self.condition_mean) / self.condition_std).astype(np.float32)

    # ------------------------------------------------------------------ fit
    def fit(self, days: pd.DataFrame, source: str | None = None) -> ForecastGAN:
        """Train on every day of ``days`` whose forecast inputs exist (D-1, D-2, D-7 and the
        exogenous series of D and D-1)."""
        import keras

        from tsgan.model.forecast_gan import (
            ForecastGANModel,
            build_discriminator,
            build_generator,
        )

        config = self.config
        days = require_day_frame(days, "the training days")
        require_exogenous(days, config.exogenous)
        dates = available_dates(days, config.exogenous)
        needed = max(config.batch_size, 60)
        if config.spread_calibration:  # the earlier part alone trains a model too
            needed = int(np.ceil(needed / (1 - config.validation_fraction))) + 1
        if len(dates) < needed:
            raise TsganError(f"only {len(dates)} training days have D-1, D-2 and D-7 (and the "
                             f"exogenous series) before them; the forecast preset needs at "
                             f"least {needed}")
        start = time.perf_counter()
        spread, calibration = 1.0, pd.DataFrame()
        if config.spread_calibration:
            spread, calibration = self._calibrate_spread(days, dates)
        keras.utils.set_random_seed(config.seed)
        self.core = LearLite(config.linear_alpha, config.exogenous).fit(days)
        inputs = forecast_inputs(days, dates, config.exogenous)
        base = self.core.cross_fitted(days, dates) if config.cross_fit else \
            self.core.predict_scaled(inputs)
        target = self.core.scale_prices(days.loc[dates, HOUR_COLUMNS].to_numpy())
        raw = self.condition_matrix(inputs, base)
        self.condition_mean = raw.mean(axis=0)
        self.condition_std = np.where(raw.std(axis=0) > 1e-9, raw.std(axis=0), 1.0)
        conditions = self._standardise(raw)
        residuals = (target - base).astype(np.float32)
        self.scaled_range = (float(target.min()) - RANGE_MARGIN,
                             float(target.max()) + RANGE_MARGIN)
        self.spread, self.calibration = spread, calibration
        self._parts = None

        width = conditions.shape[1]
        self.generator = build_generator(config.latent_dim, width, config.generator_units,
                                         config.condition_units)
        self.discriminator = build_discriminator(width, config.discriminator_units)
        gan = ForecastGANModel(self.generator, self.discriminator, config.latent_dim,
                               config.adversarial_weight, config.energy_weight,
                               config.energy_members, config.condition_noise, config.ema_decay,
                               seed=config.seed)
        gan.compile(d_optimizer=keras.optimizers.Adam(config.learning_rate, config.beta_1),
                    g_optimizer=keras.optimizers.Adam(config.learning_rate, config.beta_1),
                    steps_per_execution=math.gcd(config.iterations, config.log_every))
        self.history = self._train(gan, conditions, residuals)
        self.generator = gan.average if config.ema_decay > 0 else gan.generator
        self.train_seconds = time.perf_counter() - start
        self.data_source = source or "DataFrame"
        columns = HOUR_COLUMNS + [c for n in config.exogenous for c in exogenous_columns(n)]
        self.data_fingerprint = fingerprint(days[columns].to_numpy(np.float64))
        self.train_first, self.train_last = dates[0], dates[-1]
        self.n_train_days = len(dates)
        return self

    def _calibrate_spread(self, days: pd.DataFrame,
                          dates: pd.DatetimeIndex) -> tuple[float, pd.DataFrame]:
        """Train on the earlier days, forecast the later ones time-forward, and return the
        spread factor with the lowest mean energy score there (and the whole curve)."""
        from tsgan.evaluate.scores import energy_score

        split = dates[int(len(dates) * (1 - self.config.validation_fraction))]
        settings = {**self.config.to_dict(), "spread_calibration": False}
        early = ForecastGAN(**settings).fit(days[days.index < split])
        later = dates[dates >= split]
        observed = days.loc[later, HOUR_COLUMNS].to_numpy()
        parts = early._scaled_parts(days, later, CALIBRATION_MEMBERS, self.config.seed, {})
        scores = [float(energy_score(observed, early._combine(*parts, spread)).mean())
                  for spread in SPREAD_GRID]
        curve = pd.DataFrame({"spread": SPREAD_GRID, "energy": scores})
        return float(SPREAD_GRID[int(np.argmin(scores))]), curve

    def _train(self, gan: Any, conditions: np.ndarray, residuals: np.ndarray) -> pd.DataFrame:
        """``iterations`` steps on batches drawn with replacement; one history row per
        ``log_every`` steps."""
        import tensorflow as tf

        config = self.config
        rng = checks.rng(config.seed, checks.Stream.TRAIN_DATA)
        rows = rng.integers(0, len(conditions), size=(config.iterations, config.batch_size))
        dataset = tf.data.Dataset.from_tensor_slices(
            (conditions[rows], residuals[rows]))
        chunk = math.gcd(config.iterations, config.log_every)  # every step is trained
        epochs = config.iterations // chunk
        fitted = gan.fit(dataset, steps_per_epoch=chunk, epochs=epochs, verbose=0,
                         shuffle=False)
        frame = pd.DataFrame(fitted.history)
        frame.insert(0, "step", (np.arange(len(frame)) + 1) * chunk)
        return frame

    # ------------------------------------------------------------------ forecast
    def _require_fitted(self) -> None:
        if self.generator is None or self.core is None:
            raise TsganError("the forecast model is not fitted; call fit() or load a run")

    def _require_after_training(self, first: pd.Timestamp) -> None:
        """Delivery days inside the training period would be forecast by a model that has
        learned from their own and later prices: refused."""
        if self.train_last is not None and first <= self.train_last:
            raise TsganError(f"delivery day {first.date()} is not after the model's training "
                             f"days (last {self.train_last.date()}): its scenarios would come "
                             "from a model that learned from it; train on earlier days")

    def core_for(self, history: pd.DataFrame, day: pd.Timestamp,
                 cache: dict[pd.Timestamp, LearLite]) -> LearLite:
        """The linear core for delivery day ``day``: refitted on the history dated before the
        first day of its month (``refit="month"``), else the trained one. ``cache`` holds the
        cores of one history (one call)."""
        assert self.core is not None
        if self.config.refit == "none":
            return self.core
        month = day.normalize().replace(day=1)
        core = cache.get(month)
        if core is None:
            core = LearLite.from_dict(self.core.to_dict())
            before = history[history.index < month]
            if len(available_dates(before, self.exogenous)) >= 60:
                core.refit_coefficients(before)
            cache[month] = core
        return core

    def _generate(self, conditions: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray,
                                                                             np.ndarray]:
        """The generator's residuals (n, 24) and centres (n, 24) for standardised
        ``conditions`` (n, c) and ``noise`` (n, latent), run eagerly: the same inputs give
        the same bits whatever ran before."""
        import keras

        if self._parts is None:
            centre = self.generator.get_layer("loc_out").output
            self._parts = keras.Model(self.generator.inputs, [self.generator.output, centre])
        residual, centre = self._parts([np.asarray(noise, np.float32),
                                        np.asarray(conditions, np.float32)], training=False)
        return (keras.ops.convert_to_numpy(residual).astype(np.float64),
                keras.ops.convert_to_numpy(centre).astype(np.float64))

    def _scaled_parts(self, history: pd.DataFrame, index: pd.DatetimeIndex, n: int, seed: int,
                      cache: dict[pd.Timestamp, LearLite]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[LearLite]]:
        """Per delivery day: the core's forecast (d, 24), the generator's centre (d, 24) and
        residuals (d, n, 24), in model space, and the core that made each forecast. One
        generator call per day, with that day's own noise stream."""
        inputs = forecast_inputs(history, index, self.exogenous)
        base = np.empty((len(index), 24))
        centre = np.empty((len(index), 24))
        residual = np.empty((len(index), n, 24))
        cores = []
        for row, day in enumerate(index):
            core = self.core_for(history, day, cache)
            part = input_rows(inputs, np.array([row]))
            base[row] = core.predict_scaled(part)[0]
            condition = self._standardise(self.condition_matrix(part, base[row:row + 1]))
            residual[row], centres = self._generate(np.repeat(condition, n, axis=0),
                                                    self._day_noise(seed, day, n))
            centre[row] = centres[0]
            cores.append(core)
        return base, centre, residual, cores

    def _combine(self, base: np.ndarray, centre: np.ndarray, residual: np.ndarray,
                 cores: list[LearLite], spread: float) -> np.ndarray:
        """EUR/MWh scenarios: core forecast + centre + ``spread`` × (residual − centre),
        kept within the training range widened by :data:`RANGE_MARGIN`."""
        scaled = base[:, None] + centre[:, None] + spread * (residual - centre[:, None])
        scaled = np.clip(scaled, *self.scaled_range)
        return np.stack([core.unscale_prices(day) for core, day in zip(cores, scaled,
                                                                        strict=True)])

    def ensemble(self, history: pd.DataFrame, dates: Sequence[Any], n: int,
                 seed: int = 0) -> np.ndarray:
        """(len(dates), n, 24) EUR/MWh: ``n`` scenarios of each delivery day in ``dates``,
        each day from the history dated before it (exogenous: dated D and D-1)."""
        self._require_fitted()
        checks.positive_integer(n, "n")
        checks.integer_at_least(seed, "seed", 0)
        history = require_day_frame(history, "the history days")
        require_exogenous(history, self.exogenous)
        index = pd.DatetimeIndex([delivery_day(d, "date") for d in dates])
        if len(index) == 0:
            return np.empty((0, n, 24))
        self._require_after_training(index.min())
        return self._combine(*self._scaled_parts(history, index, n, seed, {}), self.spread)

    def _day_noise(self, seed: int, day: pd.Timestamp, n: int) -> np.ndarray:
        rng = np.random.default_rng([int(seed), checks.Stream.FORECAST, day.toordinal()])
        return rng.standard_normal((n, self.config.latent_dim))

    def forecast(self, history: pd.DataFrame, start: Any, end: Any, n: int,
                 seed: int = 0) -> pd.DataFrame:
        """``n`` scenarios of every delivery day from ``start`` to ``end`` (inclusive):
        a frame with columns ``date, scenario, h00..h23`` (EUR/MWh)."""
        self._require_fitted()
        history = require_day_frame(history, "the history days")
        first, last = delivery_day(start, "start"), delivery_day(end, "end")
        if first > last:
            raise TsganError(f"start {first.date()} is after end {last.date()}")
        limit = history.index.max() + pd.Timedelta(days=1)
        if last > limit:
            raise TsganError(f"end {last.date()} is beyond the history's last day + 1 "
                             f"({limit.date()}): later days lack the prices of D-1")
        dates = pd.date_range(first, last, freq="D")
        ensemble = self.ensemble(history, dates, n, seed)
        return _scenario_frame("date", np.repeat(dates, n), "scenario",
                               np.tile(np.arange(n), len(dates)), ensemble.reshape(-1, 24))

    def paths(self, history: pd.DataFrame, start: Any, days: int, n: int,
              seed: int = 0) -> pd.DataFrame:
        """``n`` coherent ``days``-day trajectories from ``start``: day t+1 of a path reads
        that path's own generated days as its recent prices. Frame ``path, date, h00..h23``."""
        self._require_fitted()
        checks.positive_integer(days, "days")
        checks.positive_integer(n, "n")
        checks.integer_at_least(seed, "seed", 0)
        history = require_day_frame(history, "the history days")
        require_exogenous(history, self.exogenous)
        first = delivery_day(start, "start")
        limit = history.index.max() + pd.Timedelta(days=1)
        if first > limit:
            raise TsganError(f"start {first.date()} is beyond the history's last day + 1 "
                             f"({limit.date()})")
        self._require_after_training(first)
        dates = pd.date_range(first, periods=days, freq="D")
        depth = max(PRICE_LAGS)
        window_dates = pd.date_range(first - pd.Timedelta(days=depth), periods=depth, freq="D")
        past = history[HOUR_COLUMNS].reindex(window_dates)
        gaps = ~np.isfinite(past.to_numpy(np.float64)).all(axis=1)
        if gaps.any():  # later path days read every one of the 7 days before the start
            raise TsganError(f"the history lacks prices for {window_dates[gaps][0].date()}, "
                             f"needed by paths from {first.date()} (first missing date)")
        window = np.repeat(past.to_numpy(np.float64)[None], n, axis=0)  # (n, depth, 24)
        exo = self._path_exogenous(history, dates)
        core = self.core_for(history, first, {})
        calendar, holiday = calendar_block(dates)
        streams = [np.random.default_rng([int(seed), checks.Stream.PATHS, first.toordinal(), p])
                   for p in range(n)]  # path p's noise does not depend on n
        out = np.empty((n, days, 24))
        for t in range(days):
            prices = np.stack([window[:, depth - lag] for lag in PRICE_LAGS], axis=1)
            part = ForecastInputs(dates=pd.DatetimeIndex([dates[t]] * n), prices=prices,
                                  exogenous=np.repeat(exo[t][None], n, axis=0),
                                  calendar=np.repeat(calendar[t][None], n, axis=0),
                                  holiday=np.repeat(holiday[t:t + 1], n))
            base = core.predict_scaled(part)
            noise = np.stack([g.standard_normal(self.config.latent_dim) for g in streams])
            residual, centre = self._generate(
                self._standardise(self.condition_matrix(part, base)), noise)
            scaled = np.clip(base + centre + self.spread * (residual - centre),
                             *self.scaled_range)
            out[:, t] = core.unscale_prices(scaled)
            window = np.concatenate([window[:, 1:], out[:, t:t + 1]], axis=1)
        return _scenario_frame("path", np.repeat(np.arange(n), days), "date",
                               np.tile(dates, n), out.reshape(-1, 24))

    def _path_exogenous(self, history: pd.DataFrame, dates: pd.DatetimeIndex) -> np.ndarray:
        """Exogenous inputs (days, k, lags, 24) of every path day, from the history."""
        exo = np.zeros((len(dates), len(self.exogenous), len(EXOGENOUS_LAGS), 24))
        for k, name in enumerate(self.exogenous):
            frame = history[exogenous_columns(name)]
            for j, lag in enumerate(EXOGENOUS_LAGS):
                values = frame.reindex(dates - pd.Timedelta(days=lag)).to_numpy(np.float64)
                bad = ~np.isfinite(values).all(axis=1)
                if bad.any():
                    day = dates[np.flatnonzero(bad)[0]] - pd.Timedelta(days=lag)
                    raise TsganError(f"paths need the exogenous series {name!r} for every "
                                     f"path day; the history lacks {day.date()}")
                exo[:, k, j] = values
        return exo

    # ------------------------------------------------------------------ persistence
    def save(self, run_dir: str | os.PathLike[str]) -> Path:
        """Write a run directory: configuration, linear core, models, history, record."""
        from tsgan.data import io

        self._require_fitted()
        target = Path(run_dir)
        target.mkdir(parents=True, exist_ok=True)
        for name, model in ((GENERATOR_FILE, self.generator),
                            (DISCRIMINATOR_FILE, self.discriminator)):
            with io.atomic_path(target / name, suffix=".keras") as tmp:
                model.save(tmp)
        io.write_frame(self.history, target / HISTORY_FILE)
        assert self.core is not None
        io.write_json(target / STATE_FILE, {
            "core": self.core.to_dict(),
            "condition_mean": self.condition_mean.tolist(),
            "condition_std": self.condition_std.tolist(),
            "data_source": self.data_source, "data_fingerprint": self.data_fingerprint,
            "train_first": str(self.train_first.date()) if self.train_first else None,
            "train_last": str(self.train_last.date()) if self.train_last else None,
            "n_train_days": self.n_train_days, "train_seconds": self.train_seconds,
            "spread": self.spread, "scaled_range": list(self.scaled_range),
            "calibration": self.calibration.to_dict(orient="list"),
            "package_versions": package_versions(),
            "metrics": self._final_metrics(),
        })
        io.write_json(target / CONFIG_FILE, self.config.to_dict())  # last: marks a full run
        return target

    def _final_metrics(self) -> dict[str, float]:
        if self.history.empty:
            return {}
        last = self.history.iloc[-1]
        return {k: float(last[k]) for k in self.history.columns if k != "step"}

    @classmethod
    def load(cls, run_dir: str | os.PathLike[str]) -> ForecastGAN:
        """Load a run directory written by :meth:`save` (Keras safe mode)."""
        import keras

        from tsgan.model.forecast_gan import BoundedScale  # noqa: F401 - registers the layer

        target = Path(run_dir)
        config = read_forecast_config(target)
        try:
            state = json.loads((target / STATE_FILE).read_text(encoding="utf-8"))
            model = cls(**config.to_dict())
            model.core = LearLite.from_dict(state["core"])
            model.condition_mean = np.asarray(state["condition_mean"], dtype=np.float64)
            model.condition_std = np.asarray(state["condition_std"], dtype=np.float64)
            model.data_source = state["data_source"]
            model.data_fingerprint = state["data_fingerprint"]
            model.train_first = pd.Timestamp(state["train_first"])
            model.train_last = pd.Timestamp(state["train_last"])
            model.n_train_days = int(state["n_train_days"])
            model.train_seconds = float(state["train_seconds"])
            model.spread = float(state["spread"])
            low, high = state["scaled_range"]
            model.scaled_range = (float(low), float(high))
            model.calibration = pd.DataFrame(state["calibration"])
            model.generator = keras.saving.load_model(target / GENERATOR_FILE, compile=False)
            model.discriminator = keras.saving.load_model(target / DISCRIMINATOR_FILE,
                                                          compile=False)
            model.history = pd.read_csv(target / HISTORY_FILE)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TsganError(f"{target} is not a complete forecast run ({exc})") from None
        return model


def read_forecast_config(run_dir: str | os.PathLike[str]) -> ForecastConfig:
    """The configuration of a forecast run; a clear error for anything else."""
    target = Path(run_dir)
    path = target / CONFIG_FILE
    if not path.is_file():
        raise TsganError(f"{target} holds no run (no {CONFIG_FILE})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TsganError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("preset") != FORECAST_PRESET:
        preset = data.get("preset") if isinstance(data, dict) else None
        raise TsganError(f"{target} was trained with preset {preset!r}, not with --preset "
                         "forecast; only forecast runs make scenarios for given delivery days")
    return ForecastConfig.from_dict(data)


def _scenario_frame(first: str, first_values: Any, second: str, second_values: Any,
                    values: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(values, columns=HOUR_COLUMNS)
    frame.insert(0, second, second_values)
    frame.insert(0, first, first_values)
    return frame
