"""Sample-quality metrics: how close is a synthetic set to held-out real data?

Every function takes plain arrays in original units (rows = samples, e.g. days; columns =
features, e.g. the 24 hourly prices in EUR/MWh) and returns a float. They answer different
questions, which is why several are reported side by side:

* distribution distances — :func:`energy_distance` (+ the scale-free
  :func:`relative_energy_distance`), :func:`mean_wasserstein`, :func:`marginal_ks`;
* forecast-style scores of the synthetic set as an ensemble — :func:`energy_score`,
  :func:`variogram_score`;
* shape of a day — :func:`correlation_error`, :func:`daily_feature_ks`;
* usefulness and realism — :func:`discriminative_score` (can a classifier tell them apart?),
  :func:`predictive_score` (train on synthetic, test on real);
* privacy and coverage — :func:`memorisation` (copies of training days?),
  :func:`precision_recall` (k-NN manifolds).

Pairwise-distance computations are chunked so memory stays bounded (a few tens of MB) for
sets of tens of thousands of rows. Nothing here depends on TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats
from scipy.spatial.distance import cdist

from tsgan.errors import TsganError

#: Upper bound on the number of pairwise distances held in memory at once (~32 MB float64).
CHUNK_ELEMENTS = 4_000_000

#: Up to this many columns nearest neighbours come from a k-d tree (exact, much faster for
#: toy data); above it, from chunked brute-force distances (trees do not help in 24-D).
KD_TREE_MAX_DIM = 8

#: Daily features compared by :func:`daily_feature_ks` (see :func:`daily_features`).
DAILY_FEATURES = ("mean", "std", "spread", "peak_hour", "ramp")


# --------------------------------------------------------------------------- helpers
def as_2d(values: Any, name: str = "data") -> np.ndarray:
    """``values`` as a finite float64 array of shape (n, d); a 1-D input becomes one column.

    Raises TsganError for empty, ragged, higher-dimensional or non-finite input, so every
    metric fails with a readable message rather than a NumPy traceback.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise TsganError(f"{name} must be a non-empty 2-D array (rows, columns), got shape "
                         f"{arr.shape}")
    if not np.isfinite(arr).all():
        raise TsganError(f"{name} holds NaN or infinite values")
    return arr


def _pair(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_2d(x, "synthetic data"), as_2d(y, "real data")
    if x.shape[1] != y.shape[1]:
        raise TsganError(f"synthetic and real data differ in columns: {x.shape[1]} vs "
                         f"{y.shape[1]}")
    return x, y


def _row_chunks(n_rows: int, n_cols: int) -> range:
    """Start indices of row chunks such that chunk × n_cols ≤ CHUNK_ELEMENTS."""
    step = max(1, CHUNK_ELEMENTS // max(n_cols, 1))
    return range(0, n_rows, step)


def mean_pairwise_distance(a: Any, b: Any | None = None) -> float:
    """Mean Euclidean distance E|A − B| over all pairs (rows of ``a`` × rows of ``b``).

    With ``b`` None it is the within-set mean E|A − A'| over pairs of *different* rows
    (the diagonal excluded, i.e. the unbiased U-statistic). Chunked: memory is bounded by
    :data:`CHUNK_ELEMENTS` distances whatever the set sizes. Units: those of the data.
    """
    a = as_2d(a)
    same = b is None
    b = a if same else as_2d(b)
    n, m = len(a), len(b)
    if same and n < 2:
        raise TsganError("need at least 2 rows for a within-set distance")
    total = 0.0
    step = _row_chunks(n, m).step
    for start in range(0, n, step):
        total += float(cdist(a[start:start + step], b).sum())
    pairs = n * (n - 1) if same else n * m  # the diagonal adds zeros only
    return total / pairs


def nearest_distances(a: np.ndarray, b: np.ndarray, k: int = 1,
                      exclude_self: bool = False) -> np.ndarray:
    """Euclidean distance from each row of ``a`` to its k-th nearest row of ``b``.

    Exact; a k-d tree for few columns, chunked brute force (bounded memory) otherwise.
    Used by memorisation, precision/recall and the KDE
    bandwidth choice.

    ``exclude_self`` (``a`` is ``b``) skips each row's zero distance to itself.
    """
    kth = k if exclude_self else k - 1
    if kth >= len(b):
        raise TsganError(f"need more than {kth} reference rows for the {k}-th neighbour")
    if b.shape[1] <= KD_TREE_MAX_DIM:
        from scipy.spatial import cKDTree

        dist, _ = cKDTree(b).query(a, k=[kth + 1])
        return dist[:, 0]
    out = np.empty(len(a))
    step = _row_chunks(len(a), len(b)).step
    for start in range(0, len(a), step):
        dist = cdist(a[start:start + step], b)
        out[start:start + step] = np.partition(dist, kth, axis=1)[:, kth]
    return out


# --------------------------------------------------------------------------- distances
def energy_distance(x: Any, y: Any) -> float:
    """Energy distance 2E|X−Y| − E|X−X'| − E|Y−Y'| between two sets of rows (Euclidean).

    What: a proper distance between multivariate distributions; 0 exactly when they are equal
    (in expectation), growing with any difference in location, spread or shape. Why: one
    number that sees all 24 hours jointly. Within-set terms exclude the diagonal (unbiased),
    so two samples of the same distribution give ≈ 0 (can be slightly negative). Units: those
    of the data (EUR/MWh for days). Memory-bounded by chunked pairwise distances.
    """
    x, y = _pair(x, y)
    return 2.0 * mean_pairwise_distance(x, y) - mean_pairwise_distance(x) \
        - mean_pairwise_distance(y)


def relative_energy_distance(x: Any, y: Any) -> float:
    """:func:`energy_distance` divided by E|Y−Y'|, the typical distance between two real rows.

    What: the energy distance as a share of the real data's own spread (``y`` = held-out real
    data). Why: scale-free, so markets with different price levels, and toy data, compare on
    one scale. Unitless; 0 = indistinguishable, ≈ 0.003 for resampled German training days.
    """
    x, y = _pair(x, y)
    spread = mean_pairwise_distance(y)
    if spread <= 0:
        raise TsganError("the real rows are all identical; relative energy distance undefined")
    return (2.0 * mean_pairwise_distance(x, y) - mean_pairwise_distance(x) - spread) / spread


def energy_score(ensemble: Any, observations: Any) -> float:
    """Energy score of the synthetic set as an ensemble forecast, averaged over observations.

    What: ES(y) = E|X − y| − ½E|X − X'| for each held-out row y (fair, unbiased version: the
    within-ensemble term excludes the diagonal), then the mean over y. Why: the standard
    proper scoring rule for multivariate probabilistic forecasts; a scenario set used as a
    forecast should score as well as real data does. Lower is better. Units: those of the
    data (EUR/MWh). Note that it is not 0 for a perfect set (it is the real data's own spread).
    """
    x, y = _pair(ensemble, observations)
    if len(x) < 2:
        raise TsganError("an ensemble needs at least 2 members")
    return mean_pairwise_distance(x, y) - 0.5 * mean_pairwise_distance(x)


def variogram_score(ensemble: Any, observations: Any, p: float = 0.5) -> float:
    """Variogram score of order ``p`` of the ensemble, averaged over the observations.

    What: VS(y) = Σ_{i<j} (|y_i − y_j|^p − E|X_i − X_j|^p)² for each held-out row y, then the
    mean over y (all pair weights 1). Why: unlike the energy score it is sensitive to the
    dependence between columns (hour-to-hour structure) — Scheuerer & Hamill (2015).
    Lower is better. Units: (data units)^(2p), i.e. EUR/MWh for p = 0.5. Needs ≥ 2 columns.
    """
    x, y = _pair(ensemble, observations)
    d = x.shape[1]
    if d < 2:
        raise TsganError("the variogram score needs at least 2 columns")
    iu = np.triu_indices(d, k=1)
    expected = np.zeros(len(iu[0]))
    step = max(1, CHUNK_ELEMENTS // len(iu[0]))
    for start in range(0, len(x), step):
        block = x[start:start + step]
        expected += (np.abs(block[:, iu[0]] - block[:, iu[1]]) ** p).sum(axis=0)
    expected /= len(x)
    total = 0.0
    for start in range(0, len(y), step):
        block = y[start:start + step]
        observed = np.abs(block[:, iu[0]] - block[:, iu[1]]) ** p
        total += float(((observed - expected) ** 2).sum())
    return total / len(y)


def mean_wasserstein(x: Any, y: Any) -> float:
    """Mean over columns of the 1-D Wasserstein (earth mover's) distance of the marginals.

    What: for each column (hour) the average amount each value must move to turn one
    distribution into the other (scipy.stats.wasserstein_distance), averaged over columns.
    Why: an interpretable per-hour error in the data's own units (EUR/MWh). Lower is better.
    """
    x, y = _pair(x, y)
    return float(np.mean([stats.wasserstein_distance(x[:, j], y[:, j])
                          for j in range(x.shape[1])]))


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov distance: the largest gap between the two empirical CDFs.

    Unitless in [0, 1]; exact for ties (discrete values such as the peak hour).
    """
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def marginal_ks(x: Any, y: Any) -> float:
    """Mean over columns of the two-sample KS distance of the values.

    What: for each column the largest gap between the synthetic and real CDFs, averaged.
    Why: a unitless marginal check for toy data (heights, x/y) where daily shape is
    meaningless. Lower is better; in [0, 1].
    """
    x, y = _pair(x, y)
    return float(np.mean([ks_statistic(x[:, j], y[:, j]) for j in range(x.shape[1])]))


# --------------------------------------------------------------------------- day shape
def correlation_matrix(values: Any) -> np.ndarray:
    """d×d Pearson correlation matrix of the columns; a constant column correlates 0."""
    arr = as_2d(values)
    centred = arr - arr.mean(axis=0)
    std = np.sqrt((centred ** 2).mean(axis=0))
    safe = np.where(std > 0, std, 1.0)
    z = centred / safe
    corr = z.T @ z / len(arr)
    corr[std == 0, :] = 0.0
    corr[:, std == 0] = 0.0
    np.fill_diagonal(corr, 1.0)
    return np.clip(corr, -1.0, 1.0)


def correlation_error(x: Any, y: Any) -> float:
    """Mean absolute difference of the hour-to-hour correlation matrices (off-diagonal).

    What: how well the synthetic set reproduces which hours move together (e.g. the evening
    peak with the morning peak). Why: marginals can be right while the shape of days is
    wrong. Unitless in [0, 2]; lower is better.
    """
    x, y = _pair(x, y)
    d = x.shape[1]
    if d < 2:
        raise TsganError("the correlation error needs at least 2 columns")
    diff = np.abs(correlation_matrix(x) - correlation_matrix(y))
    return float(diff[~np.eye(d, dtype=bool)].mean())


def daily_features(values: Any) -> dict[str, np.ndarray]:
    """Per-row summary features of a daily curve.

    ``mean`` and ``std`` of the day's prices, ``spread`` = max − min, ``peak_hour`` = index of
    the highest hour, ``ramp`` = mean absolute hour-to-hour change. Units: EUR/MWh except
    peak_hour (hour of day).
    """
    arr = as_2d(values)
    return {
        "mean": arr.mean(axis=1),
        "std": arr.std(axis=1),
        "spread": arr.max(axis=1) - arr.min(axis=1),
        "peak_hour": arr.argmax(axis=1).astype(np.float64),
        "ramp": np.abs(np.diff(arr, axis=1)).mean(axis=1) if arr.shape[1] > 1
        else np.zeros(len(arr)),
    }


def daily_feature_ks(x: Any, y: Any) -> float:
    """Mean two-sample KS distance of the daily features (see :func:`daily_features`).

    What: compares the distributions of day level, volatility, spread, peak hour and ramps.
    Why: summarises the day shapes users care about in risk models. Unitless in [0, 1];
    lower is better.
    """
    x, y = _pair(x, y)
    fx, fy = daily_features(x), daily_features(y)
    return float(np.mean([ks_statistic(fx[k], fy[k]) for k in DAILY_FEATURES]))


# --------------------------------------------------------------------------- classifiers
def classifier_features(values: np.ndarray) -> np.ndarray:
    """Raw values, the values sorted within the row, and consecutive differences.

    Sorted values expose the day's price-duration curve, differences its ramps, so a
    tree classifier sees level, distribution and shape directly.
    """
    parts = [values]
    if values.shape[1] > 1:
        parts += [np.sort(values, axis=1), np.diff(values, axis=1)]
    return np.hstack(parts)


def discriminative_score(synthetic: Any, real: Any, seed: int = 0, folds: int = 5,
                         max_iter: int = 50, max_leaf_nodes: int = 15,
                         features: Callable[[np.ndarray], np.ndarray] | None = None) -> float:
    """|accuracy − 0.5| of a cross-validated classifier telling real rows from synthetic ones.

    What: a gradient-boosted tree classifier (scikit-learn HistGradientBoosting, on raw +
    sorted + difference features) is trained on ``folds``-fold stratified splits of equally
    many real (``real``, held-out days) and synthetic rows (the larger set is subsampled,
    seeded); the mean out-of-fold accuracy minus chance. Why: the sharpest realism check —
    any systematic detail a model gets wrong, the classifier finds. 0 = indistinguishable,
    0.5 = perfectly separable; lower is better. Small positive values (≈ 0.02–0.05) are noise.
    Runs single-threaded: on a busy 2-core machine OpenMP threads made a fit 10–50× slower;
    one thread takes ≈ 1.5 s per 600 + 600 days (5 folds). ``features`` replaces
    :func:`classifier_features` (rows → feature matrix), e.g. to ask which view of the days
    still separates them (``scripts/classifier_views.py``).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    x, y = _pair(synthetic, real)
    rng = np.random.default_rng(seed)
    size = min(len(x), len(y))
    if size < folds:
        raise TsganError(f"need at least {folds} rows per set for the discriminative score")
    x = x[rng.choice(len(x), size, replace=False)] if len(x) > size else x
    y = y[rng.choice(len(y), size, replace=False)] if len(y) > size else y
    matrix = (features or classifier_features)(np.vstack([y, x]))
    labels = np.r_[np.ones(size, dtype=int), np.zeros(size, dtype=int)]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    correct = 0
    with threadpool_limits(limits=1):
        for train_idx, test_idx in splitter.split(matrix, labels):
            clf = HistGradientBoostingClassifier(
                max_iter=max_iter, learning_rate=0.1, max_leaf_nodes=max_leaf_nodes,
                early_stopping=False, random_state=seed)
            clf.fit(matrix[train_idx], labels[train_idx])
            correct += int((clf.predict(matrix[test_idx]) == labels[test_idx]).sum())
    return abs(correct / len(labels) - 0.5)


def predictive_split(d: int) -> int:
    """Number of leading input columns for :func:`predictive_score` (17 of 24 hours)."""
    return max(1, min(d - 1, round(d * 17 / 24)))


def predictive_score(train: Any, test: Any, alpha: float = 1.0) -> float:
    """MAE of a ridge regression fitted on ``train`` predicting the evening from the morning.

    What: hours 17–23 are predicted from hours 0–16 (for d columns: the last ≈ 7/24 from the
    rest); the model is fitted on ``train`` and scored by mean absolute error on ``test``
    (held-out real days). Train-on-synthetic/test-on-real (TSTR) next to train-on-real
    (TRTR, ``train`` = real training days) tells whether synthetic days carry the same
    usable relations. Units: EUR/MWh; lower is better, TSTR ≈ TRTR is the goal.
    """
    from sklearn.linear_model import Ridge

    train, test = _pair(train, test)
    d = train.shape[1]
    if d < 2:
        raise TsganError("the predictive score needs at least 2 columns")
    k = predictive_split(d)
    model = Ridge(alpha=alpha).fit(train[:, :k], train[:, k:])
    return float(np.abs(model.predict(test[:, :k]) - test[:, k:]).mean())


# --------------------------------------------------------------------------- privacy, coverage
def memorisation(synthetic: Any, train: Any, test: Any, quantile: float = 0.05) -> float:
    """Share of synthetic rows closer to a training row than 95 % of held-out rows are.

    What: each synthetic row's Euclidean distance to its nearest training row is compared
    with the ``quantile`` (5th percentile) of the same distance for held-out real rows;
    the share below that threshold. Why: a generator that copies training days scores 1.0,
    an honest one about ``quantile`` (real unseen days fall below by construction 5 % of the
    time). Unitless in [0, 1]; lower is better, ≈ 0.05 or less is fine.
    """
    x, tr = _pair(synthetic, train)
    te, _ = _pair(test, train)
    threshold = float(np.quantile(nearest_distances(te, tr), quantile))
    return float(np.mean(nearest_distances(x, tr) < threshold))


def precision_recall(synthetic: Any, real: Any, k: int = 5) -> tuple[float, float]:
    """Improved precision and recall with k-NN manifolds (Kynkäänniemi et al., 2019).

    What: each set's manifold is the union of balls around its rows with radius = distance to
    the row's k-th nearest neighbour in the same set. Precision = share of synthetic rows
    inside the real manifold (are generated rows realistic?); recall = share of real rows
    inside the synthetic manifold (is the real variety covered?). Why: separates quality
    from diversity — a collapsed generator has fine precision but recall near 0. Unitless in
    [0, 1]; higher is better.
    """
    x, y = _pair(synthetic, real)
    if len(x) <= k or len(y) <= k:
        raise TsganError(f"precision/recall need more than k = {k} rows per set")
    radius_real = nearest_distances(y, y, k=k, exclude_self=True)
    radius_fake = nearest_distances(x, x, k=k, exclude_self=True)
    return _coverage(x, y, radius_real), _coverage(y, x, radius_fake)


def _coverage(points: np.ndarray, centres: np.ndarray, radius: np.ndarray) -> float:
    """Share of ``points`` within ``radius[j]`` of at least one ``centres[j]`` (chunked)."""
    inside = np.zeros(len(points), dtype=bool)
    step = _row_chunks(len(points), len(centres)).step
    for start in range(0, len(points), step):
        dist = cdist(points[start:start + step], centres)
        inside[start:start + step] = (dist <= radius[None, :]).any(axis=1)
    return float(inside.mean())
