"""Simple rivals to the GAN, fitted on the same training rows and sampled like it.

A GAN is only worth its training time if it beats these:

* ``bootstrap`` — resampled training days (perfect realism, pure memorisation);
* ``kde`` — training days plus Gaussian noise (a Gaussian kernel density estimate) with
  Scott's bandwidth times a factor chosen on validation weeks carved out of the training
  days, by energy distance among factors that do not copy training days (the strongest
  simple rival);
* ``gaussian`` — one multivariate normal with the training mean and covariance;
* ``independent`` — each column drawn from its own empirical marginal (right hourly
  distributions, no hour-to-hour structure).

``fit_baseline(name, train, rng_seed)`` returns an object with ``sample(n, seed) -> ndarray``
(n, d) in the training data's units. Everything is seeded: the same seeds give the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.checks import MEMORISATION_LIMIT
from tsgan.errors import TsganError
from tsgan.evaluate.metrics import as_2d, energy_distance

BASELINE_NAMES = ("bootstrap", "kde", "gaussian", "independent")

#: Multiples of Scott's bandwidth tried by the KDE baseline.
KDE_FACTORS = tuple(round(0.1 * i, 1) for i in range(1, 11))


@dataclass
class Bootstrap:
    """Training rows drawn uniformly with replacement."""

    data: np.ndarray
    name: str = "bootstrap"

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` training rows resampled with replacement."""
        n = checks.positive_integer(n, "number of samples")
        rng = checks.rng(seed, checks.Stream.BOOTSTRAP)
        return self.data[rng.integers(0, len(self.data), n)].copy()


def _sqrt_cov(cov: np.ndarray) -> np.ndarray:
    """A matrix L with L Lᵀ = cov (Cholesky; eigen-decomposition if cov is singular)."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(cov)
        return vectors * np.sqrt(np.clip(values, 0.0, None))


def _cov(data: np.ndarray) -> np.ndarray:
    if len(data) < 2:
        return np.zeros((data.shape[1], data.shape[1]))
    return np.atleast_2d(np.cov(data, rowvar=False))


def scott_factor(n: int, d: int) -> float:
    """Scott's rule bandwidth factor n^(−1/(d+4)) (as scipy.stats.gaussian_kde)."""
    return float(n ** (-1.0 / (d + 4)))


@dataclass
class KDE:
    """Gaussian KDE: a resampled training row plus N(0, (factor·scott)² · Σ) noise.

    ``factor`` multiplies Scott's bandwidth; Σ is the training covariance (the kernel has
    the data's shape, as in scipy.stats.gaussian_kde). ``scores`` maps each factor tried to
    its validation energy distance and ``memorisation`` its validation memorisation when
    the factor was selected by :func:`select_kde_factor`.
    """

    data: np.ndarray
    factor: float
    scores: dict[float, float] = field(default_factory=dict)
    memorisation: dict[float, float] = field(default_factory=dict)
    name: str = "kde"

    def __post_init__(self) -> None:
        n, d = self.data.shape
        self.bandwidth = self.factor * scott_factor(n, d)
        self._root = _sqrt_cov(_cov(self.data))

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` rows: resampled training rows plus kernel noise."""
        n = checks.positive_integer(n, "number of samples")
        rng = checks.rng(seed, checks.Stream.KDE)
        rows = self.data[rng.integers(0, len(self.data), n)]
        noise = rng.standard_normal((n, self.data.shape[1])) @ self._root.T
        return rows + self.bandwidth * noise


@dataclass
class Gaussian:
    """One multivariate normal with the training mean and covariance."""

    data: np.ndarray
    name: str = "gaussian"

    def __post_init__(self) -> None:
        self.mean = self.data.mean(axis=0)
        self.cov = _cov(self.data)
        self._root = _sqrt_cov(self.cov)

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` rows from N(mean, cov)."""
        n = checks.positive_integer(n, "number of samples")
        z = checks.rng(seed, checks.Stream.GAUSSIAN).standard_normal((n, self.data.shape[1]))
        return self.mean + z @ self._root.T


@dataclass
class Independent:
    """Each column resampled from its own empirical marginal, independently of the others."""

    data: np.ndarray
    name: str = "independent"

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """``n`` rows whose columns come from different, independently drawn training rows."""
        n = checks.positive_integer(n, "number of samples")
        rng = checks.rng(seed, checks.Stream.SHUFFLED_HOURS)
        idx = rng.integers(0, len(self.data), (n, self.data.shape[1]))
        return np.take_along_axis(self.data, idx, axis=0)


def validation_parts(train: Any, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fit, validation) rows: whole weeks for a date-indexed day frame, else a random 20 %.

    Day frames use :func:`tsgan.data.split.validation_split` (never touches the test weeks);
    arrays (toy data, no dates) hold out a seeded random fifth of the rows.
    """
    if isinstance(train, pd.DataFrame) and isinstance(train.index, pd.DatetimeIndex):
        from tsgan.data.split import validation_split

        fit_part, val_part = validation_split(train)
        fit_arr, val_arr = fit_part.to_numpy(np.float64), val_part.to_numpy(np.float64)
    else:
        arr = as_2d(train, "training data")
        order = checks.rng(seed, checks.Stream.KDE_VALIDATION).permutation(len(arr))
        cut = len(arr) // 5
        fit_arr, val_arr = arr[order[cut:]], arr[order[:cut]]
    if len(fit_arr) < 2 or len(val_arr) < 2:
        raise TsganError("too few training rows to choose the KDE bandwidth on validation data "
                         "(need at least a few weeks)")
    return fit_arr, val_arr


def select_kde_factor(fit_rows: np.ndarray, val_rows: np.ndarray,
                      factors: tuple[float, ...] = KDE_FACTORS, seed: int = 0,
                      n: int | None = None, max_validation: int = 2_000,
                      memorisation_limit: float = MEMORISATION_LIMIT,
                      ) -> tuple[float, dict[float, float], dict[float, float]]:
    """The bandwidth factor whose KDE on ``fit_rows`` is nearest to ``val_rows``.

    Each factor is scored by the energy distance between ``n`` KDE samples (default: as
    many as validation rows, at least 1,000) and the validation rows, using the same
    resampled rows and standard-normal noise for every factor (common random numbers), so
    the comparison is not swamped by sampling noise. The energy distance alone always
    prefers the smallest bandwidth (it barely sees fine-scale smoothing but punishes the
    variance the noise adds), i.e. near-copies of training days; so only factors whose
    samples are not copies count: validation memorisation (share of samples nearer to a
    fit row than 95 % of validation rows are) at most ``memorisation_limit``, the rate of
    honest unseen days. If no factor qualifies, the least memorising one is taken.
    Returns (best factor, {factor: energy distance}, {factor: memorisation}).
    """
    from tsgan.evaluate.metrics import nearest_distances

    rng = checks.rng(seed, checks.Stream.KDE_SELECTION)
    if len(val_rows) > max_validation:
        val_rows = val_rows[rng.choice(len(val_rows), max_validation, replace=False)]
    n = n or max(len(val_rows), 1_000)
    base = KDE(fit_rows, 1.0)
    rows = fit_rows[rng.integers(0, len(fit_rows), n)]
    noise = rng.standard_normal((n, fit_rows.shape[1])) @ base._root.T * base.bandwidth
    threshold = float(np.quantile(nearest_distances(val_rows, fit_rows), 0.05))
    scores: dict[float, float] = {}
    memorised: dict[float, float] = {}
    for f in factors:
        samples = rows + f * noise
        scores[float(f)] = energy_distance(samples, val_rows)
        memorised[float(f)] = float(np.mean(nearest_distances(samples, fit_rows) < threshold))
    allowed = [f for f in scores if memorised[f] <= memorisation_limit]
    if allowed:
        best = min(allowed, key=lambda f: (scores[f], f))
    else:
        best = min(scores, key=lambda f: (memorised[f], -f))
    return best, scores, memorised


def fit_kde(train: Any, rng_seed: int = 0, factor: float | None = None) -> KDE:
    """KDE baseline on all training rows, its factor chosen on validation weeks unless given."""
    data = as_2d(train, "training data")
    if factor is not None:
        if not factor > 0:
            raise TsganError(f"KDE factor must be positive, got {factor!r}")
        return KDE(data, float(factor))
    fit_rows, val_rows = validation_parts(train, rng_seed)
    best, scores, memorised = select_kde_factor(fit_rows, val_rows, seed=rng_seed)
    return KDE(data, best, scores, memorised)


def fit_baseline(name: str, train: Any, rng_seed: int = 0, **options: Any) -> Any:
    """Fit baseline ``name`` (one of :data:`BASELINE_NAMES`) on the training rows.

    ``train`` is an array (n, d) or a day frame; a date-indexed frame lets ``kde`` hold out
    whole validation weeks. ``rng_seed`` seeds the fitting (KDE selection); ``options`` go to
    the KDE (``factor=`` skips the selection). Returns an object with
    ``sample(n, seed) -> ndarray`` and ``name``; the KDE also has ``factor`` and ``scores``.
    """
    if name == "kde":
        return fit_kde(train, rng_seed, **options)
    if options:
        raise TsganError(f"baseline {name!r} takes no options, got {', '.join(options)}")
    classes = {"bootstrap": Bootstrap, "gaussian": Gaussian, "independent": Independent}
    if name not in classes:
        raise TsganError(f"unknown baseline {name!r}; choose from {', '.join(BASELINE_NAMES)}")
    return classes[name](as_2d(train, "training data"))
