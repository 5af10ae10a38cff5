"""Marginal calibration: a monotone value map, fitted after training, that gives generated
prices the pooled distribution of the training prices.

Day-ahead prices pile up where a continuous generator spreads out: 2.6 % of French hours in
2024–2026 clear at exactly 0.00 EUR/MWh and 1.5 % at −0.01 (renewables bidding at or just
below zero), and a tenth of French hour pairs lie within ±5 EUR/MWh of zero, against half
that in the anchored GAN's days. A classifier finds real days by exactly these details: the
day's minimum, the midday hours, the tiny hour-to-hour steps of a plateau at zero
(docs/model.md, "Value map").

The map is empirical quantile mapping with one map for all hours (the 24 columns are the same
quantity, and pooling gives the map 24× the data of a per-hour one; per hour it also did
worse, docs/evaluation.md). Knots at :data:`KNOTS` evenly spaced quantile levels pair the
quantiles of a calibration sample of the trained generator's output (``generated``) with those
of the training values (``target``); a value is mapped by linear interpolation between knots.
Flat stretches of the training quantile function (values that occur many times, such as 0.00)
become flat stretches of the map; point masses (values held by at least 0.1 % of the training
values) get extra knots at their ends, so generated days get them in full. Beyond the
calibration sample's range the map shifts values by the end knot's offset, so the tails stay
open (a generated spike above every training price stays above it). The map is monotone: the
order of values, and so each day's shape and the generator's dependence between hours, is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tsgan import checks
from tsgan.errors import TsganError

#: Evenly spaced quantile levels of the map (0, 1/(KNOTS−1), …, 1).
KNOTS = 2001
#: A training value holding at least this share of the training values (and at least
#: :data:`POINT_MASS_COUNT` of them) is a *point mass*: it also gets knots at both ends of its
#: flat stretch, so its whole share maps onto it exactly (not just the knots inside). A share,
#: not a count: with a count alone, a long history makes every round price a point mass.
POINT_MASS_SHARE = 0.001
POINT_MASS_COUNT = 10
#: Generated days in the calibration sample (at least; the training set's size if larger).
CALIBRATION_DAYS = 2_000


@dataclass(frozen=True)
class MarginalMap:
    """Knots of a monotone piecewise-linear map: ``generated[k]`` → ``target[k]``."""

    generated: np.ndarray
    target: np.ndarray

    def apply(self, x: Any) -> np.ndarray:
        """``x`` (any shape, original units) mapped; outside the knots shifted by the end
        knot's offset; NaN stays NaN."""
        values = np.asarray(x, dtype=np.float64)
        out = np.interp(values, self.generated, self.target)
        out = np.where(values < self.generated[0],
                       values + (self.target[0] - self.generated[0]), out)
        return np.where(values > self.generated[-1],
                        values + (self.target[-1] - self.generated[-1]), out)

    def to_dict(self) -> dict[str, list[float]]:
        """JSON-ready form (``marginal_map.json`` of a run)."""
        return {"generated": [float(v) for v in self.generated],
                "target": [float(v) for v in self.target]}

    @classmethod
    def from_dict(cls, data: Any) -> MarginalMap:
        """Inverse of :meth:`to_dict`; TsganError for anything that is not such a record."""
        try:
            lists = [data["generated"], data["target"]]
            if any(isinstance(v, bool) for part in lists for v in part):
                raise TypeError("knots must be numbers, not true/false")
            generated, target = (np.asarray(part, dtype=np.float64) for part in lists)
        except (KeyError, TypeError, ValueError) as exc:
            raise TsganError(f"invalid marginal map: {exc}") from None
        if generated.ndim != 1 or generated.shape != target.shape or len(generated) < 2:
            raise TsganError("invalid marginal map: 'generated' and 'target' must be equally "
                             "long lists of at least 2 numbers")
        if not (np.isfinite(generated).all() and np.isfinite(target).all()):
            raise TsganError("invalid marginal map: knots must be finite")
        if np.any(np.diff(generated) <= 0) or np.any(np.diff(target) < 0):
            raise TsganError("invalid marginal map: knots must be ascending ('generated' "
                             "strictly)")
        return cls(generated, target)


def fit_marginal_map(generated: Any, target: Any, knots: int = KNOTS) -> MarginalMap:
    """The quantile map from the pooled finite values of ``generated`` (the model's
    uncalibrated output) to those of ``target`` (the training values).

    Where the generated quantiles tie (a generator that puts mass on one value), the tied
    knots become one, mapped to the mean of their targets: a monotone map cannot split a
    pile, so it sends it to the middle of the range it should cover."""
    knots = checks.integer_at_least(knots, "knots", 2)
    pools = []
    for name, values in (("generated", generated), ("training", target)):
        flat = np.asarray(values, dtype=np.float64).ravel()
        flat = flat[np.isfinite(flat)]
        if len(flat) < 2:
            raise TsganError(f"cannot calibrate the marginal distribution: fewer than 2 "
                             f"finite {name} values")
        pools.append(flat)
    generated_sorted, target_sorted = np.sort(pools[0]), np.sort(pools[1])
    if generated_sorted[0] == generated_sorted[-1]:
        raise TsganError("cannot calibrate the marginal distribution: the generator gives "
                         "one value only")
    levels = np.union1d(np.linspace(0.0, 1.0, int(knots)), point_mass_levels(target_sorted))
    source = quantiles(generated_sorted, levels)
    destination = quantiles(target_sorted, levels)
    unique, inverse = np.unique(source, return_inverse=True)
    if len(unique) < len(source):
        destination = np.bincount(inverse, destination) / np.bincount(inverse)
    return MarginalMap(unique, destination)


def quantiles(ordered: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``np.quantile``'s linear quantiles of sorted ``ordered``, exact at repeated values: a
    level that rounding puts a hair below a flat stretch still gives the stretch's value."""
    position = np.asarray(levels, dtype=np.float64) * (len(ordered) - 1)
    below = np.clip(np.floor(position + 1e-9).astype(np.int64), 0, len(ordered) - 1)
    above = np.minimum(below + 1, len(ordered) - 1)
    fraction = np.clip(position - below, 0.0, 1.0)
    fraction[fraction < 1e-9] = 0.0  # a hair above a knot's position is the position
    return ordered[below] + fraction * (ordered[above] - ordered[below])


def point_mass_levels(ordered: np.ndarray) -> np.ndarray:
    """Quantile levels where the flat stretches of the point masses of sorted ``ordered``
    (values held by at least :data:`POINT_MASS_SHARE` of them and at least
    :data:`POINT_MASS_COUNT`) begin and end, in ``np.quantile``'s linear convention (the k-th
    smallest of n values sits at level k / (n − 1))."""
    _, first, counts = np.unique(ordered, return_index=True, return_counts=True)
    repeated = counts >= max(POINT_MASS_COUNT, POINT_MASS_SHARE * len(ordered))
    span = max(len(ordered) - 1, 1)
    return np.r_[first[repeated], first[repeated] + counts[repeated] - 1] / span
