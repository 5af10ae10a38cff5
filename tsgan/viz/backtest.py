"""The pictures of a forecast backtest: a fan chart, PIT histograms and rolling scores.

Same conventions as :mod:`tsgan.viz.plots`: plain arrays / frames in, one file written
atomically, its :class:`~pathlib.Path` out; figures live on their own Agg canvas. tsgan is
drawn in blue (as the product draws generated days), what happened in black, reference
forecasts in orange / grey and other non-blue colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from tsgan.errors import TsganError
from tsgan.viz.plots import GEN_BLUE, PLOT_SEED, REAL_GREY, PathLike, _figure, _save

__all__ = ["plot_fan_chart", "plot_pit_histogram", "plot_rolling_scores", "MODEL_METHOD",
           "METRIC_LABELS"]

#: The method name of tsgan's own forecast in a backtest.
MODEL_METHOD = "tsgan"
#: Axis wording per score column of ``daily_scores.csv``.
METRIC_LABELS = {"energy": "energy score (EUR/MWh)", "crps": "mean CRPS (EUR/MWh)",
                 "variogram": "variogram score"}
REF_ORANGE = "tab:orange"
# colours of the reference methods: no blue (tsgan's), the first one orange
REFERENCE_COLORS = ("tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
                    "tab:pink", "tab:olive", "tab:cyan", "0.45")
N_TRAJECTORIES = 3


def _is_model(method: str) -> bool:
    return str(method).strip().lower() == MODEL_METHOD


# --------------------------------------------------------------------------- fan chart
def _ensemble(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 3 or 0 in arr.shape:
        raise TsganError(f"{name} must be a non-empty (days, members, hours) array, "
                         f"got shape {arr.shape}")
    return arr


def _runs(dates: pd.DatetimeIndex) -> list[tuple[int, int]]:
    """[start, stop) index ranges of consecutive calendar days (lines break between runs)."""
    days = dates.normalize()
    breaks = [i for i in range(1, len(days)) if (days[i] - days[i - 1]) != pd.Timedelta(days=1)]
    edges = [0, *breaks, len(days)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def plot_fan_chart(dates: pd.DatetimeIndex, ensemble: np.ndarray, observed: np.ndarray,
                   path: PathLike, title: str | None = None,
                   reference: np.ndarray | None = None,
                   reference_name: str = "LEAR-lite") -> Path:
    """tsgan's forecast for ``k`` delivery days as one hourly time axis, with what happened.

    ``ensemble`` is (k, members, hours), ``observed`` (k, hours). Shaded central 90 % and
    50 % bands and the median of the members (blue), three members as thin lines, the
    observed prices in black; ``reference`` (k, members', hours), when given, adds its 90 %
    band as a dashed orange outline. A good forecast has the black line inside the 90 % band
    on about 9 hours in 10 with bands no wider than needed. Days that do not follow each
    other are drawn with a gap at their boundary.
    """
    ens = _ensemble(ensemble, "ensemble")
    k, m, hours = ens.shape
    obs = np.asarray(observed, dtype=float)
    if obs.shape != (k, hours):
        raise TsganError(f"observed must have shape ({k}, {hours}) to match the ensemble, "
                         f"got {obs.shape}")
    try:
        index = pd.DatetimeIndex(dates)
    except (TypeError, ValueError) as exc:
        raise TsganError(f"dates are not dates: {exc}") from exc
    if len(index) != k:
        raise TsganError(f"{len(index)} dates for {k} forecast days")
    ref = None
    if reference is not None:
        ref = _ensemble(reference, "reference")
        if ref.shape[0] != k or ref.shape[2] != hours:
            raise TsganError(f"reference must have shape ({k}, members, {hours}), "
                             f"got {ref.shape}")

    with np.errstate(all="ignore"):  # all-NaN hours leave a gap, not a warning
        q05, q25, q50, q75, q95 = np.nanquantile(ens, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        ref_band = np.nanquantile(ref, [0.05, 0.95], axis=1) if ref is not None else None
    picks = np.sort(np.random.default_rng(PLOT_SEED).choice(
        m, size=min(N_TRAJECTORIES, m), replace=False))

    fig = _figure(max(8.0, min(2.0 * k + 2.0, 16.0)), 5.5)
    ax = fig.add_subplot()
    x_all = np.arange(k * hours, dtype=float).reshape(k, hours)
    for start, stop in _runs(index):
        x = x_all[start:stop].ravel()

        def flat(a: np.ndarray, s: int = start, e: int = stop) -> np.ndarray:
            return a[s:e].ravel()

        ax.fill_between(x, flat(q05), flat(q95), color=GEN_BLUE, alpha=0.18, lw=0)
        ax.fill_between(x, flat(q25), flat(q75), color=GEN_BLUE, alpha=0.35, lw=0)
        for j in picks:
            ax.plot(x, flat(ens[:, j, :]), color=GEN_BLUE, lw=0.6, alpha=0.6)
        ax.plot(x, flat(q50), color="#08306b", lw=1.6)
        if ref_band is not None:
            for bound in ref_band:
                ax.plot(x, flat(bound), color=REF_ORANGE, lw=1.3, ls="--")
        ax.plot(x, flat(obs), color="black", lw=1.8, zorder=6)

    for i in range(1, k):
        gap = (index[i].normalize() - index[i - 1].normalize()) != pd.Timedelta(days=1)
        ax.axvline(i * hours - 0.5, color="0.2" if gap else "0.6", lw=1.2 if gap else 0.8,
                   ls="-" if gap else ":")
    ax.set_xticks(x_all[:, hours // 2])
    ax.set_xticklabels([d.strftime("%a\n%Y-%m-%d") for d in index], fontsize=8)
    ax.set_xlim(-0.5, k * hours - 0.5)
    ax.set_ylabel("EUR/MWh")
    ax.grid(alpha=0.3, axis="y")
    handles = [
        Patch(facecolor=GEN_BLUE, alpha=0.25, label="tsgan central 90 %"),
        Patch(facecolor=GEN_BLUE, alpha=0.5, label="tsgan central 50 %"),
        Line2D([], [], color="#08306b", lw=1.6, label="tsgan median"),
        Line2D([], [], color=GEN_BLUE, lw=0.6, label=f"{len(picks)} tsgan members"),
        Line2D([], [], color="black", lw=1.8, label="observed"),
    ]
    if ref is not None:
        handles.append(Line2D([], [], color=REF_ORANGE, lw=1.3, ls="--",
                              label=f"{reference_name} central 90 %"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8,
              ncols=len(handles), frameon=False)
    first, last = index[0].strftime("%Y-%m-%d"), index[-1].strftime("%Y-%m-%d")
    ax.set_title(title or f"tsgan forecast ({m} members) for {k} days, {first} to {last}: "
                          "bands blue, observed black")
    return _save(fig, path)


# --------------------------------------------------------------------------- PIT
def _pit_frequencies(method: str, counts: Any) -> np.ndarray:
    arr = np.asarray(counts, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise TsganError(f"PIT counts of {method} must be a non-empty list of bin counts")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
        raise TsganError(f"PIT counts of {method} must be non-negative with a positive total")
    return arr / arr.sum() * arr.size


def plot_pit_histogram(pit_counts: Mapping[str, Sequence[int]], path: PathLike) -> Path:
    """One small PIT histogram per method, scaled so that a calibrated forecast is flat at 1.

    The PIT is the rank of what happened among the forecast's members. Bars high at both
    ends (U shape): the forecast is too narrow, reality often falls outside; a hump in the
    middle: too wide; a slope: biased.
    """
    if not isinstance(pit_counts, Mapping) or not pit_counts:
        raise TsganError("no PIT counts to plot")
    freqs = {str(name): _pit_frequencies(str(name), c) for name, c in pit_counts.items()}
    n = len(freqs)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig = _figure(3.8 * cols + 0.4, 2.9 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True, squeeze=False)).ravel()
    top = max(1.5, max(float(f.max()) for f in freqs.values()) * 1.1)
    for ax, (name, f) in zip(axes, freqs.items(), strict=False):
        edges = np.linspace(0.0, 1.0, f.size + 1)
        ax.bar(edges[:-1], f, width=np.diff(edges), align="edge",
               color=GEN_BLUE if _is_model(name) else REAL_GREY, edgecolor="white", lw=0.6)
        ax.axhline(1.0, color="black", lw=1.0, ls="--")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, top)
        ax.set_title(name, fontsize=10, fontweight="bold" if _is_model(name) else "normal")
        ax.set_xlabel("PIT")
        ax.grid(alpha=0.3, axis="y")
    for ax in axes[: len(axes) : cols]:
        ax.set_ylabel("relative frequency")
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle("PIT histograms: flat at 1 = calibrated; U = too narrow, hump = too wide",
                 fontsize=11)
    return _save(fig, path)


# --------------------------------------------------------------------------- rolling
def plot_rolling_scores(daily: pd.DataFrame, path: PathLike, window: int = 28,
                        metric: str = "energy") -> Path:
    """Each method's daily score as a rolling mean over ``window`` days (lower is better).

    ``daily`` is the long table of ``daily_scores.csv`` (``date, method`` and a column per
    score). tsgan is the thick blue line, the references thin; where the blue line runs below
    the others, tsgan forecast better in those weeks.
    """
    if not isinstance(window, int | np.integer) or isinstance(window, bool) or window < 1:
        raise TsganError(f"window must be a positive number of days, got {window!r}")
    columns = getattr(daily, "columns", None)
    if columns is None:
        raise TsganError("daily scores must be a table with columns date, method and "
                         f"{metric}")
    missing = [c for c in ("date", "method", metric) if c not in columns]
    if missing:
        raise TsganError(f"daily scores lack the column(s) {', '.join(missing)}")
    if len(daily) == 0:
        raise TsganError("daily scores are empty")
    try:
        frame = pd.DataFrame({"date": pd.to_datetime(daily["date"]),
                              "method": daily["method"].astype(str),
                              "value": pd.to_numeric(daily[metric], errors="raise")})
    except (TypeError, ValueError) as exc:
        raise TsganError(f"daily scores hold a bad date or {metric} value: {exc}") from exc
    wide = frame.pivot_table(index="date", columns="method", values="value",
                             aggfunc="mean", sort=True)
    methods = list(dict.fromkeys(frame["method"]))
    wide = wide.reindex(columns=methods)
    rolling = wide.rolling(window, min_periods=min(window, len(wide))).mean()

    fig = _figure(11, 5.2)
    ax = fig.add_subplot()
    refs = iter(REFERENCE_COLORS * (len(methods) // len(REFERENCE_COLORS) + 1))
    for name in methods:
        if _is_model(name):
            ax.plot(rolling.index, rolling[name], color=GEN_BLUE, lw=2.6, zorder=5, label=name)
        else:
            ax.plot(rolling.index, rolling[name], color=next(refs), lw=1.1, alpha=0.9,
                    label=name)
    label = METRIC_LABELS.get(metric, f"{metric} score")
    ax.set_ylabel(f"{label}, {window}-day rolling mean")
    ax.set_xlabel("delivery day")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8, ncols=min(len(methods), 3), framealpha=0.85)
    ax.set_title(f"Rolling {window}-day mean {label.split(' (')[0]} per method "
                 "(lower is better; tsgan thick blue)")
    fig.autofmt_xdate()
    return _save(fig, path)
