"""``tsgan anomalies``: the discriminator's second life, ranking real days by how odd they are.

A trained discriminator D outputs the probability that a day looks like the data it was
trained on. ``score = 1 − D(day)`` is therefore high for days unlike the learned
distribution (price spikes, negative-price holidays, crisis days). :func:`find_anomalies`
scores the run's own days (training + held-out) or any day file, most anomalous first;
:func:`write_anomalies` stores the ranking as CSV and plots the top K over all days in grey.

Each day is labelled with its ``split``: ``training`` (D trained on it), ``validation``
(model selection's weeks, inside the training period but never fitted), ``held-out`` (the
run's test weeks) or ``new`` (a day of a ``--data`` file that the run never had: another
date, or other prices on a date the run has). A discriminator that has memorised its
training days (see :func:`tsgan.evaluate.tables.discriminator_check`) scores days it never saw
as more anomalous, so scores compare fairly *within* a split: :func:`memorisation_note`
says when that skews the ranking, and ``split=`` ranks one split only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.errors import TsganError

SPLITS = ("all", "training", "validation", "held-out", "new")


def _run_parts(model: Any) -> list[tuple[pd.DataFrame, str]]:
    """The run's days by split: fitted training days, validation weeks, held-out days."""
    train, test = getattr(model, "train_data", None), getattr(model, "test_data", None)
    parts = []
    if train is not None and len(train):
        validation = model.validation_mask()
        parts += [(train[~validation], "training"), (train[validation], "validation")]
    if test is not None and len(test):
        parts.append((test, "held-out"))
    return [(frame, name) for frame, name in parts if len(frame)]


def _run_days(model: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """The run's training and held-out rows together, in date (or row) order, and the split
    label of each row."""
    parts = _run_parts(model)
    if not parts:
        raise TsganError("the run holds no data to score; pass --data PATH")
    frame = pd.concat([f for f, _ in parts])
    labels = np.concatenate([np.full(len(f), name, dtype=object) for f, name in parts])
    if isinstance(frame.index, pd.DatetimeIndex):
        order = np.argsort(frame.index.to_numpy(), kind="stable")
        return frame.iloc[order], labels[order]
    return frame.reset_index(drop=True), labels


def _file_day_splits(model: Any, days: pd.DataFrame) -> np.ndarray:
    """The run's split of each day of a file whose date *and* prices are a run day's (to
    1e-6 EUR/MWh), ``new`` for every other day."""
    labels = np.full(len(days), "new", dtype=object)
    if not isinstance(days.index, pd.DatetimeIndex):
        return labels
    dates = days.index.normalize()
    columns = list(model.columns)
    for frame, name in _run_parts(model):
        if not isinstance(frame.index, pd.DatetimeIndex):
            continue
        known = frame.set_axis(frame.index.normalize())[columns]
        known = known[~known.index.duplicated()]
        hit = np.flatnonzero(dates.isin(known.index))
        if len(hit) == 0:
            continue
        same = np.isclose(days[columns].to_numpy(np.float64)[hit],
                          known.loc[dates[hit]].to_numpy(np.float64), rtol=0.0, atol=1e-6)
        labels[hit[same.all(axis=1)]] = name
    return labels


def _labels(index: pd.Index) -> list[str]:
    """Row labels for the ``date`` column: ISO dates for day frames, else the row number."""
    if isinstance(index, pd.DatetimeIndex):
        return [d.strftime("%Y-%m-%d") for d in index]
    return [str(i) for i in index]


def score_days(model: Any, days: pd.DataFrame,
               splits: np.ndarray | None = None) -> pd.DataFrame:
    """Score every row of ``days`` with the model's discriminator, most anomalous first.

    Returns columns ``date, score, split`` and the model's columns (h00..h23 for prices);
    ``score = 1 − D(day)`` in [0, 1]; ``split`` is ``splits`` (one label per row; default:
    by date, see the module docs). Ties keep the input order (stable sort).
    """
    columns = list(model.columns)
    missing = [c for c in columns if c not in days.columns]
    if missing:
        raise TsganError(f"days to score lack columns {', '.join(missing[:5])} "
                         f"(the run's model expects {columns[0]}..{columns[-1]})")
    values = days[columns].to_numpy(np.float64)
    if len(values) == 0:
        raise TsganError("no days to score")
    if not np.isfinite(values).all():
        raise TsganError("days to score hold NaN or infinite prices")
    # a conditional model judges each day under its own conditions, computed from the frame
    judged = days if getattr(model, "condition_names", None) else values
    probability = np.asarray(model.discriminate(judged), dtype=np.float64)
    scores = 1.0 - probability.reshape(-1)
    if splits is None:
        splits = _file_day_splits(model, days)
    if len(splits) != len(values):
        raise TsganError(f"need one split label per day ({len(values)}), got {len(splits)}")
    table = pd.DataFrame(values, columns=columns)
    table.insert(0, "split", np.asarray(splits, dtype=object))
    table.insert(0, "score", scores)
    table.insert(0, "date", _labels(days.index))
    order = np.argsort(-scores, kind="stable")
    return table.iloc[order].reset_index(drop=True)


def find_anomalies(model: Any, data_path: str | os.PathLike[str] | None = None,
                   top: int = 10, split: str = "all") -> pd.DataFrame:
    """Rank real days by ``1 − D(day)`` under ``model``'s discriminator (a trained
    :class:`~tsgan.api.PriceGAN`, e.g. ``tsgan.load(RUN)``), most anomalous first.

    ``data_path`` None scores the run's own training and held-out days; otherwise any file
    :func:`tsgan.data.sources.load_days` reads (SMARD export, tidy or wide CSV/Parquet). All days
    of ``split`` (one of :data:`SPLITS`; ``all`` = every day) are returned (the first ``top``
    are the ones to look at); columns ``date, score, split, h00..h23`` (for toy presets the
    preset's columns and row numbers as ``date``).
    """
    checks.positive_integer(top, "--top")
    checks.choice(split, "--split", SPLITS)
    if data_path is None:
        days, splits = _run_days(model)
    else:
        if model.config.preset != "smard":
            raise TsganError(f"--data applies to price runs (preset smard), not to "
                             f"{model.config.preset!r}")
        from tsgan.data.sources import load_days

        days = load_days(data_path)
        splits = _file_day_splits(model, days)
    ranked = score_days(model, days, splits)
    if split != "all":
        ranked = ranked[ranked["split"] == split].reset_index(drop=True)
        if ranked.empty:
            raise TsganError(f"no {split} days to score among the {len(days)} given")
    return ranked


def memorisation_note(ranked: pd.DataFrame) -> str | None:
    """One line when days the discriminator never saw crowd the top of a ranking.

    Compares the share of unseen days (``held-out``, ``validation``, ``new``) among the top
    max(10, 5 %) of the ranking with their share among all ranked days; None unless the top
    holds at least twice their share and 20 points more (or either kind of day is absent).
    """
    unseen = ranked["split"].isin(("held-out", "validation", "new")).to_numpy()
    if unseen.all() or not unseen.any():
        return None
    top = max(10, len(ranked) // 20)
    overall, at_top = float(unseen.mean()), float(unseen[:top].mean())
    if at_top < min(1.0, 2.0 * overall) or at_top - overall < 0.2:
        return None
    return (f"note: days the discriminator never trained on are {overall:.0%} of these days "
            f"but {at_top:.0%} of the top {top}: it has memorised its training days, so unseen "
            f"days rank higher; compare scores within one split (column split) or rank one "
            f"with --split")


def _anomaly_plot_path(run_dir: Path, out: Path | None) -> Path:
    """RUN/plots/anomalies.png by default; beside ``out`` (same stem, .png) when given."""
    if out is None:
        return run_dir / "plots" / "anomalies.png"
    return out.with_name(out.stem + ".png")


def write_anomalies(run_dir: str | os.PathLike[str], ranked: pd.DataFrame, top: int = 10,
                    out: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write the ranking as CSV (date, score, split, prices) and plot the top ``top`` days.

    CSV: ``out`` or ``RUN/anomalies.csv``, all ranked days, written atomically. Plot: the top
    ``top`` in colour over all scored days in grey (:func:`tsgan.viz.plots.plot_anomalies`),
    ``RUN/plots/anomalies.png`` or beside ``out``. Returns [csv path, plot path]; toy
    presets (no hour columns) get the CSV only.
    """
    from tsgan.data.io import write_frame

    run_dir = Path(run_dir)
    top = checks.positive_integer(top, "--top")
    if "date" not in ranked.columns or "score" not in ranked.columns:
        raise TsganError("anomaly ranking must have columns date and score")
    csv_path = Path(out) if out is not None else run_dir / "anomalies.csv"
    if csv_path.suffix.lower() not in (".csv", ".parquet"):
        raise TsganError(f"--out must end in .csv or .parquet, got {csv_path.name!r}")
    write_frame(ranked, csv_path)
    paths = [csv_path]
    value_columns = [c for c in ranked.columns if c not in ("date", "score", "split")]
    if value_columns and all(c.startswith("h") for c in value_columns):
        from tsgan.viz.plots import plot_anomalies

        background = ranked[value_columns].to_numpy(np.float64)
        paths.append(plot_anomalies(background, ranked.head(int(top)),
                                    _anomaly_plot_path(run_dir, Path(out) if out else None)))
    return paths
