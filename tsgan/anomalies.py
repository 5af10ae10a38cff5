"""``tsgan anomalies``: the discriminator's second life, ranking real days by how odd they are.

A trained discriminator D outputs the probability that a day looks like the data it was
trained on. ``score = 1 − D(day)`` is therefore high for days unlike the learned
distribution (price spikes, negative-price holidays, crisis days). :func:`find_anomalies`
scores the run's own days (training + held-out) or any day file, most anomalous first;
:func:`write_anomalies` stores the ranking as CSV and plots the top K over all days in grey.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan.errors import TsganError


def _run_days(model: Any) -> pd.DataFrame:
    """The run's training and held-out rows together, in date (or row) order."""
    parts = [f for f in (getattr(model, "train_data", None), getattr(model, "test_data", None))
             if f is not None and len(f)]
    if not parts:
        raise TsganError("the run holds no data to score; pass --data PATH")
    frame = pd.concat(parts)
    if isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.sort_index(kind="stable")
    else:
        frame = frame.reset_index(drop=True)
    return frame


def _labels(index: pd.Index) -> list[str]:
    """Row labels for the ``date`` column: ISO dates for day frames, else the row number."""
    if isinstance(index, pd.DatetimeIndex):
        return [d.strftime("%Y-%m-%d") for d in index]
    return [str(i) for i in index]


def score_days(model: Any, days: pd.DataFrame) -> pd.DataFrame:
    """Score every row of ``days`` with the model's discriminator, most anomalous first.

    Returns columns ``date, score`` and the model's columns (h00..h23 for prices);
    ``score = 1 − D(day)`` in [0, 1]. Ties keep the input order (stable sort).
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
    table = pd.DataFrame(values, columns=columns)
    table.insert(0, "score", scores)
    table.insert(0, "date", _labels(days.index))
    order = np.argsort(-scores, kind="stable")
    return table.iloc[order].reset_index(drop=True)


def find_anomalies(run_dir: str | os.PathLike[str],
                   data_path: str | os.PathLike[str] | None = None, top: int = 10) -> pd.DataFrame:
    """Rank real days by ``1 − D(day)`` under the run's discriminator, most anomalous first.

    ``data_path`` None scores the run's own training and held-out days; otherwise any file
    :func:`tsgan.sources.load_days` reads (SMARD export, tidy or wide CSV/Parquet). All days
    are returned (the first ``top`` are the ones to look at); columns ``date, score,
    h00..h23`` (for toy presets the preset's columns and row numbers as ``date``).
    """
    from tsgan.api import load

    if isinstance(top, bool) or int(top) != top or top <= 0:
        raise TsganError(f"--top must be a positive integer, got {top!r}")
    model = load(run_dir)
    if data_path is None:
        days = _run_days(model)
    else:
        if model.config.preset != "smard":
            raise TsganError(f"--data applies to price runs (preset smard), not to "
                             f"{model.config.preset!r}")
        from tsgan.sources import load_days

        days = load_days(data_path)
    return score_days(model, days)


def _anomaly_plot_path(run_dir: Path, out: Path | None) -> Path:
    """RUN/plots/anomalies.png by default; beside ``out`` (same stem, .png) when given."""
    if out is None:
        return run_dir / "plots" / "anomalies.png"
    return out.with_name(out.stem + ".png")


def write_anomalies(run_dir: str | os.PathLike[str], ranked: pd.DataFrame, top: int = 10,
                    out: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write the ranking as CSV (date, score, prices) and plot the top ``top`` days.

    CSV: ``out`` or ``RUN/anomalies.csv``, all ranked days, written atomically. Plot: the top
    ``top`` in colour over all scored days in grey (:func:`tsgan.plots.plot_anomalies`),
    ``RUN/plots/anomalies.png`` or beside ``out``. Returns [csv path, plot path]; toy
    presets (no hour columns) get the CSV only.
    """
    from tsgan.io import write_frame

    run_dir = Path(run_dir)
    if isinstance(top, bool) or int(top) != top or top <= 0:
        raise TsganError(f"--top must be a positive integer, got {top!r}")
    if "date" not in ranked.columns or "score" not in ranked.columns:
        raise TsganError("anomaly ranking must have columns date and score")
    csv_path = Path(out) if out is not None else run_dir / "anomalies.csv"
    if csv_path.suffix.lower() not in (".csv", ".parquet"):
        raise TsganError(f"--out must end in .csv or .parquet, got {csv_path.name!r}")
    write_frame(ranked, csv_path)
    paths = [csv_path]
    value_columns = [c for c in ranked.columns if c not in ("date", "score")]
    if value_columns and all(c.startswith("h") for c in value_columns):
        from tsgan.plots import plot_anomalies

        background = ranked[value_columns].to_numpy(np.float64)
        paths.append(plot_anomalies(background, ranked.head(int(top)),
                                    _anomaly_plot_path(run_dir, Path(out) if out else None)))
    return paths
