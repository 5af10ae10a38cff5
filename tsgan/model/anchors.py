"""Anchors of an anchored generator: which training day G edits, and the copy guard.

An anchored generator (``anchor_neighbours`` K > 0) computes
``G(z, anchor | c) = anchor + r(z, anchor, c)``: it starts from a real training day and
learns an edit, instead of building every day from noise. The anchor of a day wanted under
conditions ``c`` is one of the K training days whose *encoded* conditions are nearest to
``c`` (Euclidean; one-hot month and weekday, so the nearest are days of the same month and
weekday type with the closest level), drawn uniformly. Training uses the same rule with the
real batch's conditions, so G learns edits for exactly the anchors sampling gives it.
Why: the discriminative gap of the noise-only GAN came from fine day structure (prices
piled at zero, heavy-tailed hour-to-hour moves) that a KDE of real days keeps and a
noise-to-day map blends away (docs/evaluation.md).

The copy guard keeps the edit from shrinking to nothing (which would copy training days):
G's loss adds ``COPY_GUARD_WEIGHT · mean(relu(τ − ‖G − anchor‖))`` with
``τ = copy_guard ×`` the median distance of a training day to its nearest other training day
(model space) — unseen real days lie about that far from the training days.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsgan import checks

#: Weight of the copy-guard hinge in G's loss.
COPY_GUARD_WEIGHT = 10.0
#: At most this many training days serve as anchors (a seeded subsample beyond): the
#: nearest-condition search costs (batch × pool) per step.
ANCHOR_POOL = 50_000
#: The median nearest-neighbour distance is estimated on at most this many days.
GUARD_SAMPLE = 2_000


def anchor_pool(rows: np.ndarray, data_dim: int,
                seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The anchor candidates from the model-space training rows ``[day | conditions]``:
    (days, encoded conditions), float32, at most :data:`ANCHOR_POOL` rows (seeded)."""
    rows = np.asarray(rows, np.float32)
    if len(rows) > ANCHOR_POOL:
        pick = np.sort(checks.rng(seed, checks.Stream.ANCHOR_POOL).choice(
            len(rows), ANCHOR_POOL, replace=False))
        rows = rows[pick]
    return rows[:, :data_dim].copy(), rows[:, data_dim:].copy()


def median_neighbour_distance(days: np.ndarray, seed: int) -> float:
    """Median Euclidean distance from a day to its nearest *other* day of ``days`` (at most
    :data:`GUARD_SAMPLE` query days, seeded; all days are candidates)."""
    from tsgan.evaluate.metrics import nearest_distances

    days = np.asarray(days, np.float64)
    if len(days) < 2:
        return 0.0
    queries = np.arange(len(days))
    if len(days) > GUARD_SAMPLE:
        queries = checks.rng(seed, checks.Stream.GUARD_SAMPLE).choice(len(days), GUARD_SAMPLE,
                                                                       replace=False)
    # the 2 nearest of each query among all days: the first is the query itself
    two = nearest_distances(days[queries], days, k=2)
    return float(np.median(two))


def anchor_indices(pool_conditions: Any, conditions: Any, k: int, column: Any) -> Any:
    """Index into the pool of each row's anchor: its ``column``-th nearest pool row by
    encoded conditions (``column`` in [0, k), one per row; ties by pool order).

    A TensorFlow function (training calls it inside the compiled step; sampling eagerly).
    ``conditions`` (n, c) float32, ``column`` (n,) int32. With no conditions (c = 0) every
    pool row is equally near, so the anchor is pool row ``column`` — callers then draw
    ``column`` over the whole pool.
    """
    import tensorflow as tf

    pool = tf.convert_to_tensor(pool_conditions, tf.float32)
    if int(pool.shape[-1]) == 0:
        return tf.cast(column, tf.int32)
    cond = tf.convert_to_tensor(conditions, tf.float32)
    k = min(int(k), int(pool.shape[0]))
    # squared distances without the (n, pool, c) intermediate
    dist = (tf.reduce_sum(tf.square(cond), 1, keepdims=True)
            - 2.0 * tf.matmul(cond, pool, transpose_b=True)
            + tf.reduce_sum(tf.square(pool), 1)[None, :])
    nearest = tf.math.top_k(-dist, k=k, sorted=True).indices  # (n, k)
    column = tf.minimum(tf.cast(column, tf.int32), k - 1)
    return tf.gather(nearest, column, batch_dims=1)


def rows_per_chunk(pool_size: int) -> int:
    """Rows whose anchors are looked up at once when sampling: their (rows × pool) distance
    matrix stays under about 64 MB."""
    return max(256, (1 << 24) // max(int(pool_size), 1))


def choices(pool_size: int, conditioned: bool, k: int) -> int:
    """How many candidates a row's anchor is drawn from: k nearest, or the whole pool for
    an unconditional model."""
    return min(int(k), int(pool_size)) if conditioned else int(pool_size)
