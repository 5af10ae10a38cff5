"""Proper scores of ensemble forecasts of daily 24-hour price vectors.

Conventions: ``observed`` is a float array (d, 24) of realised prices (d delivery days,
EUR/MWh) and ``ensemble`` a float array (d, m, 24), the m members forecast for each day.
Lower is better for every score. The energy score, CRPS and variogram score come from
``scoringrules`` (tested estimators of proper scoring rules); the quantile, coverage, PIT and
Diebold–Mariano parts are plain numpy / scipy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tsgan.errors import TsganError

HOURS = 24
#: Quantile levels of the pinball loss: 0.05, 0.10, …, 0.95 (19 levels).
QUANTILES: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))
#: Central interval levels reported by :func:`score_ensembles`.
COVERAGE_LEVELS: tuple[float, ...] = (0.5, 0.9)
#: Bins of the PIT histogram reported by :func:`score_ensembles`.
PIT_BINS = 10


def check_forecast(observed: np.ndarray, ensemble: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64 after checking shapes (d, 24) and (d, m >= 2, 24) and finiteness.

    Every score calls this first so that a wrong shape fails with one readable line instead of
    a broadcasting error deep inside a library.
    """
    y = np.asarray(observed, dtype="float64")
    x = np.asarray(ensemble, dtype="float64")
    if y.ndim != 2 or y.shape[1] != HOURS:
        raise TsganError(f"observed must have shape (days, {HOURS}), got {y.shape}")
    if x.ndim != 3 or x.shape[2] != HOURS:
        raise TsganError(f"ensemble must have shape (days, members, {HOURS}), got {x.shape}")
    if x.shape[0] != y.shape[0]:
        raise TsganError(f"ensemble has {x.shape[0]} days but observed has {y.shape[0]}")
    if y.shape[0] == 0:
        raise TsganError("no days to score")
    if x.shape[1] < 2:
        raise TsganError(f"ensemble needs at least 2 members per day, got {x.shape[1]}")
    if not np.isfinite(y).all():
        raise TsganError("observed contains NaN or infinite prices")
    if not np.isfinite(x).all():
        raise TsganError("ensemble contains NaN or infinite prices")
    return y, x


def energy_score(observed: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """Energy score of each day's 24-hour vector, shape (d,).

    ``scoringrules.es_ensemble`` with its default estimator:
    mean ||X - y|| - 1/(2 m^2) sum_{i,j} ||X_i - X_j|| (Euclidean norm over the 24 hours).
    """
    import scoringrules as sr

    y, x = check_forecast(observed, ensemble)
    return np.asarray(sr.es_ensemble(y, x, m_axis=1, v_axis=2), dtype="float64")


def crps(observed: np.ndarray, ensemble: np.ndarray) -> np.ndarray:
    """CRPS of each hour's marginal ensemble, shape (d, 24).

    ``scoringrules.crps_ensemble`` with its default estimator, equal to
    mean |X - y| - 1/(2 m^2) sum_{i,j} |X_i - X_j|; the mean over hours and days is the
    "mean hourly CRPS" of the tables.
    """
    import scoringrules as sr

    y, x = check_forecast(observed, ensemble)
    return np.asarray(sr.crps_ensemble(y, x, m_axis=1), dtype="float64")


def variogram_score(observed: np.ndarray, ensemble: np.ndarray, p: float = 0.5) -> np.ndarray:
    """Variogram score of order ``p`` of each day, shape (d,), each hour pair counted once.

    Convention: sum over hour pairs i < j of (|y_i - y_j|^p - mean_k |X_ki - X_kj|^p)^2,
    unweighted. ``scoringrules.vs_ensemble`` sums over both orders (i, j) and (j, i), exactly
    twice this value; it is halved here so the score reads per unordered pair.
    """
    import scoringrules as sr

    if not (isinstance(p, (int, float)) and math.isfinite(p) and p > 0):
        raise TsganError(f"variogram order p must be a positive number, got {p!r}")
    y, x = check_forecast(observed, ensemble)
    both_orders = sr.vs_ensemble(y, x, m_axis=1, v_axis=2, p=float(p))
    return 0.5 * np.asarray(both_orders, dtype="float64")


def _check_quantiles(quantiles: tuple[float, ...] | list[float]) -> np.ndarray:
    levels = np.asarray(quantiles, dtype="float64").reshape(-1)
    if levels.size == 0 or not ((levels > 0) & (levels < 1)).all():
        raise TsganError(f"quantile levels must lie strictly between 0 and 1, got {quantiles!r}")
    return levels


def pinball_loss(observed: np.ndarray, ensemble: np.ndarray,
                 quantiles: tuple[float, ...] | list[float] = QUANTILES) -> np.ndarray:
    """Pinball loss of the empirical ensemble quantiles, mean over the 24 hours, (d, len(q)).

    Each level's quantile is ``np.quantile`` of the members (linear interpolation); the loss
    of quantile q at level tau is tau (y - q) for y >= q and (1 - tau)(q - y) otherwise.
    """
    y, x = check_forecast(observed, ensemble)
    levels = _check_quantiles(quantiles)
    q = np.quantile(x, levels, axis=1)                      # (len(q), d, 24)
    diff = y[None] - q
    tau = levels[:, None, None]
    loss = np.maximum(tau * diff, (tau - 1.0) * diff)
    return loss.mean(axis=2).T


def coverage(observed: np.ndarray, ensemble: np.ndarray, level: float) -> np.ndarray:
    """Whether each observed hour lies in the members' central ``level`` interval, (d, 24).

    The interval is [q_{(1-level)/2}, q_{(1+level)/2}] of the members (``np.quantile``, linear
    interpolation), ends included; a calibrated ensemble covers about ``level`` of the hours.
    """
    y, x = check_forecast(observed, ensemble)
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise TsganError(f"coverage level must lie strictly between 0 and 1, got {level!r}")
    low, high = np.quantile(x, [(1 - level) / 2, (1 + level) / 2], axis=1)
    return (y >= low) & (y <= high)


def pit_values(observed: np.ndarray, ensemble: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
    """Randomised probability integral transform of each observed hour, (d, 24) in [0, 1).

    rank = #(members < y) + U, with U uniform on the integers {0, …, #(members == y)};
    pit = (rank + V) / (m + 1) with V uniform on [0, 1). For a calibrated ensemble the rank
    of y among the m + 1 exchangeable values is uniform on {0, …, m} even when prices tie
    (many hours clear at exactly 0.00), so pit is uniform on [0, 1).
    """
    y, x = check_forecast(observed, ensemble)
    m = x.shape[1]
    below = (x < y[:, None, :]).sum(axis=1)
    equal = (x == y[:, None, :]).sum(axis=1)
    u = rng.integers(0, equal + 1)
    v = rng.random(y.shape)
    return (below + u + v) / (m + 1)


def pit_histogram(pit: np.ndarray, bins: int = PIT_BINS) -> np.ndarray:
    """Counts of PIT values in ``bins`` equal bins of [0, 1], shape (bins,), integers.

    A flat histogram means calibration; a U shape under-dispersion, a hump over-dispersion.
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise TsganError(f"bins must be a positive integer, got {bins!r}")
    values = np.asarray(pit, dtype="float64").reshape(-1)
    if not np.isfinite(values).all() or ((values < 0) | (values > 1)).any():
        raise TsganError("PIT values must be finite numbers in [0, 1]")
    counts, _ = np.histogram(values, bins=int(bins), range=(0.0, 1.0))
    return counts.astype("int64")


def diebold_mariano(loss_a: np.ndarray, loss_b: np.ndarray, horizon: int = 1) -> dict:
    """Diebold–Mariano test of equal expected loss on the daily differential d_t = a_t - b_t.

    The variance of the mean differential is the Newey–West (Bartlett-weighted HAC) estimate
    with ``horizon - 1`` lags, (gamma_0 + 2 sum_k (1 - k/horizon) gamma_k) / n, which for
    horizon 1 is the plain variance of the mean (divisor n). The statistic carries the
    Harvey–Leybourne–Newbold small-sample factor sqrt((n + 1 - 2h + h(h-1)/n) / n) and its
    two-sided p-value comes from Student's t with n - 1 degrees of freedom (scipy.stats.t).
    A negative statistic means ``a`` has the lower loss. When the differential has zero
    variance the statistic is 0 with p 1 if its mean is 0, else ±inf with p 0.

    Returns ``{"statistic", "p_value", "mean_difference", "n"}`` as plain floats / int.
    """
    from scipy import stats

    a = np.asarray(loss_a, dtype="float64").reshape(-1)
    b = np.asarray(loss_b, dtype="float64").reshape(-1)
    if a.shape != b.shape:
        raise TsganError(f"loss series differ in length: {a.size} and {b.size} days")
    n = a.size
    if n < 3:
        raise TsganError(f"Diebold-Mariano test needs at least 3 days of losses, got {n}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise TsganError("loss series contain NaN or infinite values")
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise TsganError(f"horizon must be a positive integer, got {horizon!r}")
    h = int(horizon)
    if h >= n:
        raise TsganError(f"horizon {h} must be smaller than the number of days {n}")
    d = a - b
    mean = float(d.mean())
    centred = d - mean
    variance = float(centred @ centred) / n
    for lag in range(1, h):
        weight = 1.0 - lag / h
        variance += 2.0 * weight * float(centred[lag:] @ centred[:-lag]) / n
    variance /= n
    scale = float(np.abs(d).max())
    if variance <= (1e-12 * scale) ** 2 / n:
        if mean == 0.0:
            statistic, p_value = 0.0, 1.0
        else:
            statistic, p_value = math.copysign(math.inf, mean), 0.0
    else:
        correction = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
        statistic = correction * mean / math.sqrt(variance)
        p_value = float(2.0 * stats.t.sf(abs(statistic), df=n - 1))
    return {"statistic": float(statistic), "p_value": float(p_value),
            "mean_difference": mean, "n": int(n)}


def _check_methods(ensembles: dict[str, np.ndarray]) -> None:
    if not isinstance(ensembles, dict) or not ensembles:
        raise TsganError("ensembles must be a non-empty dict of method name -> (d, m, 24) array")


def score_ensembles(observed: np.ndarray, ensembles: dict[str, np.ndarray],
                    seed: int = 0) -> dict[str, dict]:
    """Every score of every method, averaged over days, as JSON-ready plain numbers.

    Per method: ``energy``, ``crps`` (mean hourly CRPS), ``variogram`` (p = 0.5), ``pinball``
    (level "0.05" … "0.95" -> mean loss), ``pinball_mean``, ``coverage_50`` / ``coverage_90``
    (fraction of hours inside the central interval) and ``pit_counts`` (10-bin histogram).
    Every method's PIT draws from a fresh generator seeded with ``seed``, so a method's
    numbers do not depend on which other methods are scored.
    """
    _check_methods(ensembles)
    results: dict[str, dict] = {}
    for name, ensemble in ensembles.items():
        y, x = check_forecast(observed, ensemble)
        pinball = pinball_loss(y, x).mean(axis=0)
        pit = pit_values(y, x, np.random.default_rng(seed))
        results[name] = {
            "energy": float(energy_score(y, x).mean()),
            "crps": float(crps(y, x).mean()),
            "variogram": float(variogram_score(y, x).mean()),
            "pinball": {f"{q:.2f}": float(v) for q, v in zip(QUANTILES, pinball, strict=True)},
            "pinball_mean": float(pinball.mean()),
            **{f"coverage_{round(level * 100)}": float(coverage(y, x, level).mean())
               for level in COVERAGE_LEVELS},
            "pit_counts": [int(c) for c in pit_histogram(pit, PIT_BINS)],
        }
    return results


def daily_scores(observed: np.ndarray, ensembles: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per-day scores in long format: columns ``method, day, energy, crps, variogram``.

    ``day`` is the position of the day in ``observed`` and ``crps`` the mean over its hours;
    these daily series are what :func:`diebold_mariano` compares.
    """
    _check_methods(ensembles)
    frames = []
    for name, ensemble in ensembles.items():
        y, x = check_forecast(observed, ensemble)
        frames.append(pd.DataFrame({
            "method": name,
            "day": np.arange(y.shape[0], dtype="int64"),
            "energy": energy_score(y, x),
            "crps": crps(y, x).mean(axis=1),
            "variogram": variogram_score(y, x),
        }))
    return pd.concat(frames, ignore_index=True)
