"""The pictures of a run: blue generated samples over grey real ones, losses, evolution.

Every function takes plain arrays / frames (original units), writes one file atomically via
:func:`tsgan.data.io.atomic_path` and returns its :class:`~pathlib.Path`. Figures are built as
:class:`matplotlib.figure.Figure` objects on an Agg canvas, never through ``pyplot``'s global
figure registry, so nothing pops up a window and nothing leaks between calls.

Colours follow the seeds: real data grey (red for the quadratic tutorial), generated data
blue; generator loss blue, discriminator loss orange.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # leave an interactive session's choice alone
    matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from tsgan.data.io import atomic_path  # noqa: E402
from tsgan.errors import TsganError  # noqa: E402

PathLike = str | os.PathLike[str]

REAL_GREY = "0.55"
GEN_BLUE = "tab:blue"
D_ORANGE = "tab:orange"
QUAD_RED = "tab:red"
PRICE_LABEL = "Price (EUR/MWh)"
HOUR_LABEL = "Hour of day"
DPI = 110
# tab10 without its grey (grey is the background), then black
ANOMALY_COLORS = ("tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown",
                  "tab:pink", "tab:olive", "tab:cyan", "black")
PLOT_SEED = 20240601  # fixed: redraws of a run show the same generated samples
MAX_GRID_PANELS = 12
MAX_GIF_FRAMES = 60

__all__ = [
    "plot_day_overlay", "plot_losses", "plot_quadratic", "plot_heights",
    "plot_snapshot_grid", "write_evolution_gif", "plot_hourly_distributions",
    "plot_correlation_heatmaps", "plot_anomalies", "plot_run", "draw_run", "PLOT_SEED",
]


# --------------------------------------------------------------------------- helpers
def _figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas (no pyplot state, garbage-collected when dropped)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: PathLike) -> Path:
    """Write ``fig`` atomically to ``path`` (format from the suffix) and release it."""
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=DPI, facecolor="white")
    finally:
        fig.clear()
    return path


def _as_2d(values: Any, name: str, width: int | None = None) -> np.ndarray:
    """``values`` as a float (n, d) array; a 1-D input becomes one column."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise TsganError(f"{name} must be a 2-D array of samples, got shape {arr.shape}")
    if width is not None and arr.shape[1] != width:
        raise TsganError(f"{name} must have {width} columns, got {arr.shape[1]}")
    return arr


def _thin(arr: np.ndarray, limit: int, seed: int = 0) -> np.ndarray:
    """At most ``limit`` rows of ``arr`` (a fixed random subset keeps plots fast)."""
    if len(arr) <= limit:
        return arr
    idx = np.sort(np.random.default_rng(seed).choice(len(arr), size=limit, replace=False))
    return arr[idx]


def _day_lines(ax: Any, days: np.ndarray, color: str, alpha: float, lw: float) -> None:
    """Draw each row of ``days`` (n, 24) as one line over hours 0..23."""
    hours = np.arange(days.shape[1], dtype=float)
    segments = np.stack([np.broadcast_to(hours, days.shape), days], axis=-1)
    ax.add_collection(LineCollection(segments, colors=color, alpha=alpha, linewidths=lw))


def _hour_axis(ax: Any, n_hours: int = 24) -> None:
    ax.set_xlim(-0.3, n_hours - 0.7)
    ax.set_xticks(range(0, n_hours, 3))
    ax.set_xlabel(HOUR_LABEL)
    ax.set_ylabel(PRICE_LABEL)
    ax.grid(alpha=0.3)


def _line_alpha(n: int, base: float) -> float:
    """Fainter lines for more of them, so dense bundles stay readable."""
    return float(np.clip(base * 30.0 / max(n, 1) ** 0.5, 0.03, 0.8))


def _finite_range(*arrays: np.ndarray, lo: float = 0.0, hi: float = 100.0) -> tuple[float, float]:
    values = np.concatenate([a[np.isfinite(a)].ravel() for a in arrays if a.size])
    if values.size == 0:
        return -1.0, 1.0
    a, b = np.percentile(values, [lo, hi])
    if a == b:
        a, b = a - 1.0, b + 1.0
    return float(a), float(b)


def _view_range(real: np.ndarray, gen: np.ndarray) -> tuple[float, float]:
    """Real range plus the bulk (1st–99th percentile) of generated values, at most one real
    span beyond the real range on each side.

    Early generators can emit wild values; capping keeps the real data readable (the plots
    say how many generated samples fall outside).
    """
    r0, r1 = _finite_range(real)
    g0, g1 = _finite_range(gen, lo=1, hi=99)
    span = r1 - r0
    return max(min(r0, g0), r0 - span), min(max(r1, g1), r1 + span)


def _padded(lo: float, hi: float, pad: float = 0.05) -> tuple[float, float]:
    span = hi - lo
    return lo - pad * span, hi + pad * span


# --------------------------------------------------------------------------- prices
def plot_day_overlay(real: Any, generated: Any, path: PathLike,
                     title: str | None = None) -> Path:
    """Generated days in blue over real days in grey on one axes (hour 0–23, EUR/MWh).

    The seed blog's picture: if the blue bundle has the grey bundle's shape (night trough,
    morning and evening peaks) and spread, the generator has learned the stylised facts.
    The view covers all real days; wild generated days beyond it are counted in a note.
    """
    real = _as_2d(real, "real days")
    gen = _as_2d(generated, "generated days", width=real.shape[1])
    fig = _figure(10, 5.5)
    ax = fig.add_subplot()
    _day_lines(ax, real, REAL_GREY, _line_alpha(len(real), 0.25), 0.6)
    _day_lines(ax, gen, GEN_BLUE, _line_alpha(len(gen), 0.3), 0.8)
    lo, hi = _padded(*_view_range(real, gen))
    ax.set_ylim(lo, hi)
    _outside_note(ax, float(np.mean(np.any((gen < lo) | (gen > hi), axis=1))),
                  "generated days partly outside the view", fontsize=9)
    _hour_axis(ax, real.shape[1])
    ax.legend(handles=[
        Line2D([], [], color=REAL_GREY, lw=2, label=f"real days (n = {len(real):,})"),
        Line2D([], [], color=GEN_BLUE, lw=2, label=f"generated days (n = {len(gen):,})"),
    ], loc="upper left")
    ax.set_title(title or f"{len(gen):,} generated days (blue) over {len(real):,} real days "
                          "(grey)")
    return _save(fig, path)


#: The calendar situations of the conditional plot: (title, conditions asked for).
CONDITION_PANELS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("January weekdays", {"month": 1, "weekday": "mon-fri", "holiday": 0}),
    ("July Sundays", {"month": 7, "weekday": 6}),
)


def plot_condition_panels(panels: Sequence[tuple[str, Any, Any]], path: PathLike) -> Path:
    """One panel per calendar situation: generated days (blue) over the real days of that
    situation (grey), the two means as thick lines, on a shared price axis.

    ``panels``: (title, real days, generated days). If the blue bundle moves with the grey
    one from panel to panel, the model follows its conditions.
    """
    fig = _figure(6.5 * len(panels), 5.5)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    arrays = [(_as_2d(r, "real days"), _as_2d(g, "generated days")) for _, r, g in panels]
    lo, hi = _padded(*_view_range(np.vstack([a for a, _ in arrays]),
                                  np.vstack([b for _, b in arrays])))
    for ax, (title, _, _), (real, gen) in zip(axes, panels, arrays, strict=True):
        _day_lines(ax, real, REAL_GREY, _line_alpha(len(real), 0.35), 0.6)
        _day_lines(ax, gen, GEN_BLUE, _line_alpha(len(gen), 0.3), 0.8)
        hours = np.arange(real.shape[1])
        ax.plot(hours, real.mean(axis=0), color="black", lw=2.5, zorder=5, label="real mean")
        ax.plot(hours, gen.mean(axis=0), color="#08306b", lw=2.5, ls="--", zorder=6,
                label="generated mean")
        ax.set_ylim(lo, hi)
        _hour_axis(ax, real.shape[1])
        ax.set_title(f"{title}: {len(gen):,} generated (blue), {len(real):,} real (grey)",
                     fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def condition_panels(run: Any, max_generated: int = 300) -> list[tuple[str, Any, Any]]:
    """The :data:`CONDITION_PANELS` of a conditional run: real days of each situation (train
    and held-out) and as many generated days (at most ``max_generated``) asked for with it."""
    import pandas as pd

    names = list(run.condition_names)
    real_all = pd.concat([run.train_data, run.test_data])[run.columns]
    raw_all = pd.concat([run.train_conditions, run.test_conditions])
    panels = []
    for title, spec in CONDITION_PANELS:
        wanted = {k: v for k, v in spec.items() if k in names}
        if not wanted:
            continue
        from tsgan.data.conditions import matching

        match = matching(raw_all, wanted)
        if not match.any():
            continue
        real = real_all.to_numpy(np.float64)[match]
        n = int(min(max(len(real), 50), max_generated))
        gen = run.sample(n, seed=PLOT_SEED, conditions=wanted)[run.columns].to_numpy()
        panels.append((title, real, gen))
    return panels


def plot_hourly_distributions(real: Any, generated: Any, path: PathLike) -> Path:
    """Per-hour box plots, real (grey) beside synthetic (blue), EUR/MWh.

    Boxes span the quartiles, whiskers the 5th–95th percentiles; extreme spikes are left out
    so the typical spread stays visible (the hour-level Wasserstein metric covers the tails).
    """
    real = _as_2d(real, "real days")
    gen = _as_2d(generated, "generated days", width=real.shape[1])
    d = real.shape[1]
    fig = _figure(12, 5.5)
    ax = fig.add_subplot()
    hours = np.arange(d, dtype=float)
    common = dict(widths=0.34, whis=(5, 95), showfliers=False, patch_artist=True,
                  medianprops=dict(color="black", lw=1.2))
    for values, offset, color in ((real, -0.2, REAL_GREY), (gen, 0.2, GEN_BLUE)):
        cols = [c[np.isfinite(c)] for c in values.T]
        parts = ax.boxplot(cols, positions=hours + offset, **common)
        for box in parts["boxes"]:
            box.set_facecolor(color)
            box.set_alpha(0.75)
    ax.plot(hours - 0.2, np.nanmean(real, axis=0), "o", color="0.25", ms=3)
    ax.plot(hours + 0.2, np.nanmean(gen, axis=0), "o", color="navy", ms=3)
    _hour_axis(ax, d)
    ax.set_xticks(range(d))
    ax.set_xticklabels([str(h) for h in range(d)])
    ax.legend(handles=[
        Patch(facecolor=REAL_GREY, label=f"real (n = {len(real):,})"),
        Patch(facecolor=GEN_BLUE, label=f"synthetic (n = {len(gen):,})"),
        Line2D([], [], marker="o", ls="", color="0.25", label="mean"),
    ], loc="upper left")
    ax.set_title("Price distribution per hour: boxes = quartiles, whiskers = 5–95th "
                 "percentile, line = median")
    return _save(fig, path)


def _corr(values: np.ndarray) -> np.ndarray:
    """Hour-to-hour correlation matrix; constant hours give 0 instead of NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.corrcoef(values, rowvar=False)
    c = np.atleast_2d(np.nan_to_num(c, nan=0.0))
    np.fill_diagonal(c, 1.0)
    return c


def plot_correlation_heatmaps(real: Any, generated: Any, path: PathLike) -> Path:
    """24×24 hour-to-hour correlations, real and synthetic side by side on one colour scale.

    A third panel shows the difference (synthetic − real) on its own symmetric scale, since
    the structure of the error is easier to see there than by comparing two heatmaps.
    """
    real = _as_2d(real, "real days")
    gen = _as_2d(generated, "generated days", width=real.shape[1])
    cr, cg = _corr(real), _corr(gen)
    vmin = float(min(cr.min(), cg.min(), 0.0))
    vmin = max(-1.0, np.floor(vmin * 10) / 10)
    diff = cg - cr
    dmax = max(float(np.abs(diff).max()), 0.05)
    fig = _figure(15, 5.2)
    axes = fig.subplots(1, 3)
    d = real.shape[1]
    ticks = list(range(0, d, 3))
    image = None
    for ax, mat, name in ((axes[0], cr, f"real (n = {len(real):,})"),
                          (axes[1], cg, f"synthetic (n = {len(gen):,})")):
        image = ax.imshow(mat, vmin=vmin, vmax=1.0, cmap="viridis", origin="upper")
        ax.set_title(f"Correlation, {name}")
    fig.colorbar(image, ax=axes[:2].tolist(), shrink=0.85, label="Pearson correlation")
    dimg = axes[2].imshow(diff, vmin=-dmax, vmax=dmax, cmap="RdBu_r", origin="upper")
    axes[2].set_title(f"Synthetic − real (mean |diff| = {np.abs(diff).mean():.3f})")
    fig.colorbar(dimg, ax=axes[2], shrink=0.85, label="difference")
    for ax in axes:
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        ax.set_xlabel(HOUR_LABEL)
        ax.set_ylabel(HOUR_LABEL)
    return _save(fig, path)


def plot_anomalies(background: Any, top: Any, path: PathLike,
                   title: str | None = None) -> Path:
    """The most anomalous days in colour (labelled with date, score and split) over all scored
    days in grey.

    ``top`` is a DataFrame with columns ``date, score, h00..h23`` and optionally ``split``
    (most anomalous first), as written by :mod:`tsgan.evaluate.anomalies`.
    """
    back = _as_2d(background, "background days")
    d = back.shape[1]
    hour_cols = [f"h{h:02d}" for h in range(d)]
    missing = [c for c in ("date", "score", *hour_cols) if c not in getattr(top, "columns", [])]
    if missing:
        raise TsganError(f"anomaly table lacks columns {', '.join(missing[:4])}")
    fig = _figure(11, 6)
    ax = fig.add_subplot()
    _day_lines(ax, back, REAL_GREY, _line_alpha(len(back), 0.25), 0.5)
    top_values = top[hour_cols].to_numpy(dtype=float)
    colors = ANOMALY_COLORS
    handles = [Line2D([], [], color=REAL_GREY, lw=2, label=f"all scored days (n = {len(back):,})")]
    hours = np.arange(d)
    splits = top["split"] if "split" in top.columns else [None] * len(top)
    rows = zip(top["date"], top["score"], splits, top_values, strict=True)
    for i, (date_value, score_value, split, values) in enumerate(rows):
        color = colors[i % len(colors)]
        date = str(date_value)[:10]
        score = float(score_value)
        label = f"{i + 1}. {date} (score {score:.3f}{f', {split}' if split else ''})"
        ax.plot(hours, values, color=color, lw=1.8, label=label)
        handles.append(Line2D([], [], color=color, lw=2, label=label))
    lo, hi = _finite_range(back, top_values)
    ax.set_ylim(*_padded(lo, hi))
    _hour_axis(ax, d)
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8,
              title="most anomalous first")
    ax.set_title(title or f"Top {len(top)} anomalous days by the discriminator (1 − D(day))")
    return _save(fig, path)


# --------------------------------------------------------------------------- losses
def plot_losses(history: Any, path: PathLike) -> Path:
    """Generator (blue) and discriminator (orange) loss per step; below, D's accuracy.

    The accuracy panel shows how often D calls real samples real and generated samples
    generated; both near 0.5 means D can no longer tell them apart.
    """
    import pandas as pd

    hist = pd.DataFrame(history)
    if "step" not in hist.columns or len(hist) == 0:
        raise TsganError("training history is empty or has no 'step' column")
    step = hist["step"].to_numpy(dtype=float)
    fig = _figure(10, 7)
    ax_loss, ax_acc = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    smooth = max(1, len(hist) // 50)

    def draw(ax: Any, column: str, color: str, label: str) -> None:
        if column not in hist.columns:
            return
        values = hist[column].astype(float)
        if smooth > 1:
            ax.plot(step, values, color=color, alpha=0.25, lw=0.8)
            values = values.rolling(smooth, min_periods=1, center=True).mean()
            label = f"{label} (rolling mean of {smooth})"
        ax.plot(step, values, color=color, lw=1.6, label=label)

    draw(ax_loss, "g_loss", GEN_BLUE, "generator loss")
    draw(ax_loss, "d_loss", D_ORANGE, "discriminator loss")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("Training losses: generator (blue), discriminator (orange)")
    ax_loss.legend(loc="upper right")
    ax_loss.grid(alpha=0.3)
    draw(ax_acc, "d_acc_real", "0.2", "D accuracy on real samples")
    draw(ax_acc, "d_acc_fake", GEN_BLUE, "D accuracy on generated samples")
    ax_acc.axhline(0.5, color="0.5", ls="--", lw=1, label="0.5 (cannot tell)")
    ax_acc.set_ylim(-0.03, 1.03)
    ax_acc.set_ylabel("discriminator accuracy")
    ax_acc.set_xlabel("training step")
    ax_acc.legend(loc="lower right", fontsize=8)
    ax_acc.grid(alpha=0.3)
    return _save(fig, path)


# --------------------------------------------------------------------------- toy presets
def _quadratic_axes(ax: Any, real: np.ndarray, gen: np.ndarray,
                    limits: tuple[tuple[float, float], tuple[float, float]] | None) -> None:
    """Faint y = x² curve, real points red, generated blue (the tutorial's scatter)."""
    (x0, x1), (y0, y1) = limits or (
        _padded(*_view_range(real[:, 0], gen[:, 0])), _padded(*_view_range(real[:, 1], gen[:, 1]))
    )
    xs = np.linspace(x0, x1, 200)
    ax.plot(xs, xs ** 2, color="0.6", lw=1, alpha=0.5, zorder=1)
    ax.scatter(real[:, 0], real[:, 1], s=6, color=QUAD_RED, alpha=0.6, lw=0, zorder=2)
    ax.scatter(gen[:, 0], gen[:, 1], s=6, color=GEN_BLUE, alpha=0.6, lw=0, zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.grid(alpha=0.3)
    outside = (gen[:, 0] < x0) | (gen[:, 0] > x1) | (gen[:, 1] < y0) | (gen[:, 1] > y1)
    _outside_note(ax, float(np.mean(outside)))


def plot_quadratic(real: Any, generated: Any, path: PathLike, step: int | None = None) -> Path:
    """Real (x, x²) points in red, generated points in blue, the curve y = x² faint."""
    real = _as_2d(real, "real points", width=2)
    gen = _as_2d(generated, "generated points", width=2)
    fig = _figure(7, 6)
    ax = fig.add_subplot()
    _quadratic_axes(ax, _thin(real, 5000), gen, None)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(handles=[
        Line2D([], [], marker="o", ls="", color=QUAD_RED, label=f"real (n = {len(real):,})"),
        Line2D([], [], marker="o", ls="", color=GEN_BLUE,
               label=f"generated (n = {len(gen):,})"),
        Line2D([], [], color="0.6", label="y = x²"),
    ], loc="upper center")
    where = f" after step {step:,}" if step is not None else ""
    ax.set_title(f"Quadratic: real (red) and generated (blue) points{where}")
    return _save(fig, path)


def _density(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Histogram density normalised by *all* samples, so mass outside the bins is not hidden."""
    values = values[np.isfinite(values)]
    counts, _ = np.histogram(values, bins=edges)
    return counts / (max(len(values), 1) * np.diff(edges))


def _outside_note(ax: Any, share: float, what: str = "generated samples outside the view",
                  fontsize: float = 7) -> None:
    """Say how many generated samples fall (partly) outside the view."""
    if share > 0:
        text = f"{share:.1%}" if share < 0.1 else f"{share:.0%}"
        ax.text(0.98, 0.97, f"{text} of {what}",
                transform=ax.transAxes, ha="right", va="top", fontsize=fontsize, color=GEN_BLUE,
                bbox=dict(facecolor="white", alpha=0.8, lw=0))


def _density_edges(*arrays: np.ndarray, bins: int | None = None) -> np.ndarray:
    """Shared histogram bin edges; about sqrt(n) bins (15–50) for the smallest sample."""
    if bins is None:
        bins = int(np.clip(np.sqrt(min(a.size for a in arrays)), 15, 50))
    lo, hi = _padded(*_finite_range(*arrays, lo=0.5, hi=99.5), pad=0.1)
    return np.linspace(lo, hi, bins + 1)


def plot_heights(real: Any, generated: Any,
                 discriminator: Callable[[np.ndarray], Any] | tuple[Any, Any] | None,
                 path: PathLike) -> Path:
    """Real (grey) and generated (blue) height densities with D(x) on a right-hand axis.

    ``discriminator`` is either a function mapping an (m, 1) grid of heights to D's
    probability "real", or a ready ``(grid, d_values)`` pair, or None (no D curve). Where the
    curve sits near the dashed 0.5 line, D can no longer tell real from generated heights.
    """
    real = _as_2d(real, "real heights", width=1)[:, 0]
    gen = _as_2d(generated, "generated heights", width=1)[:, 0]
    edges = _density_edges(real, gen)
    fig = _figure(9, 5.5)
    ax = fig.add_subplot()
    ax.stairs(_density(real, edges), edges, fill=True, color=REAL_GREY, alpha=0.6,
              label=f"real (n = {len(real):,}, mean {np.mean(real):.2f}, "
                    f"sd {np.std(real):.2f})")
    ax.stairs(_density(gen, edges), edges, lw=2, color=GEN_BLUE,
              label=f"generated (n = {len(gen):,}, mean {np.mean(gen):.2f}, "
                    f"sd {np.std(gen):.2f})")
    ax.set_ylim(bottom=0)
    _outside_note(ax, float(np.mean((gen < edges[0]) | (gen > edges[-1]))))
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("height (inches)")
    ax.set_ylabel("density")
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if discriminator is not None:
        if callable(discriminator):
            grid = np.linspace(edges[0], edges[-1], 200)
            d_values = discriminator(grid.reshape(-1, 1))
        else:
            grid, d_values = discriminator
        grid = np.asarray(grid, dtype=float).ravel()
        d_values = np.asarray(d_values, dtype=float).ravel()
        ax_d = ax.twinx()
        ax_d.plot(grid, d_values, color=D_ORANGE, lw=2, label="D(x): probability 'real'")
        ax_d.axhline(0.5, color=D_ORANGE, ls="--", lw=1, alpha=0.7, label="D = 0.5")
        ax_d.set_ylim(-0.02, 1.02)
        ax_d.set_ylabel("discriminator D(x)", color=D_ORANGE)
        ax_d.tick_params(axis="y", colors=D_ORANGE)
        handles += ax_d.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", fontsize=8)
    ax.set_title("Heights: real and generated densities, discriminator D(x) on the right")
    return _save(fig, path)


# --------------------------------------------------------------------------- evolution
def _snapshot_arrays(snapshots: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    try:
        steps = np.asarray(snapshots["steps"]).ravel()
        samples = np.asarray(snapshots["samples"], dtype=float)
    except (KeyError, TypeError) as exc:
        raise TsganError("snapshots must hold 'steps' and 'samples'") from exc
    if samples.ndim == 2:
        samples = samples[..., None]
    if samples.ndim != 3 or len(samples) != len(steps) or len(steps) == 0:
        raise TsganError(f"snapshots have {len(steps)} steps but samples of shape "
                         f"{samples.shape}; expected (steps, samples, dims)")
    return steps, samples


def _pick(n: int, limit: int) -> np.ndarray:
    """Evenly spaced indices into ``range(n)``, first and last included, at most ``limit``."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


class _EvolutionPanel:
    """Draws one snapshot of any preset on fixed axes (same limits in every panel/frame)."""

    def __init__(self, real: np.ndarray, samples: np.ndarray, preset: str) -> None:
        self.preset = preset
        self.real = _thin(real, 250 if preset == "smard" else 2000)
        flat = samples.reshape(-1, samples.shape[-1])
        if preset == "quadratic":
            self.limits = tuple(
                _padded(*_view_range(real[:, j], flat[:, j])) for j in range(2)
            )
        elif preset == "heights":
            self.edges = _density_edges(real[:, 0], np.clip(
                flat[:, 0], *_view_range(real[:, 0], flat[:, 0])))
            real_max = float(_density(real[:, 0], self.edges).max()) or 1.0
            gen_max = max(float(_density(snap[:, 0], self.edges).max()) for snap in samples)
            self.ymax = 1.1 * min(max(real_max, gen_max), 2.5 * real_max)
        else:
            self.ylim = _padded(*_view_range(real, flat))

    def draw(self, ax: Any, gen: np.ndarray, step: Any, small: bool) -> None:
        if self.preset == "quadratic":
            _quadratic_axes(ax, self.real, gen, self.limits)  # type: ignore[arg-type]
        elif self.preset == "heights":
            ax.stairs(_density(self.real[:, 0], self.edges), self.edges, fill=True,
                      color=REAL_GREY, alpha=0.6)
            ax.stairs(np.minimum(_density(gen[:, 0], self.edges), self.ymax), self.edges,
                      lw=1.8, color=GEN_BLUE)
            ax.set_xlim(self.edges[0], self.edges[-1])
            ax.set_ylim(0, self.ymax)
            ax.grid(alpha=0.3)
            outside = (gen[:, 0] < self.edges[0]) | (gen[:, 0] > self.edges[-1])
            _outside_note(ax, float(np.mean(outside)))
        else:
            lo, hi = self.ylim
            outside = np.any((gen < lo) | (gen > hi), axis=1)
            _outside_note(ax, float(np.mean(outside)), "generated days partly outside the view")
            _day_lines(ax, self.real, REAL_GREY, _line_alpha(len(self.real), 0.25), 0.5)
            gen = _thin(gen, 80)
            _day_lines(ax, gen, GEN_BLUE, _line_alpha(len(gen), 0.6), 0.8)
            ax.set_xlim(-0.3, gen.shape[1] - 0.7)
            ax.set_ylim(*self.ylim)
            ax.set_xticks(range(0, gen.shape[1], 6))
            ax.grid(alpha=0.3)
        ax.set_title(f"step {int(step):,}", fontsize=9 if small else 12)
        if small:
            ax.tick_params(labelsize=7)

    def labels(self) -> tuple[str, str]:
        if self.preset == "quadratic":
            return "x", "y"
        if self.preset == "heights":
            return "height (inches)", "density"
        return HOUR_LABEL, PRICE_LABEL

    def legend(self) -> list[Any]:
        real_color = QUAD_RED if self.preset == "quadratic" else REAL_GREY
        return [Line2D([], [], color=real_color, lw=3, label="real"),
                Line2D([], [], color=GEN_BLUE, lw=3, label="generated")]


def _check_preset(preset: str) -> None:
    if preset not in ("smard", "quadratic", "heights"):
        raise TsganError(f"unknown preset {preset!r} (expected smard, quadratic or heights)")


def plot_snapshot_grid(snapshots: Mapping[str, Any], real: Any, preset: str,
                       path: PathLike) -> Path:
    """A grid of panels, one per recorded training step, showing how the samples evolved.

    At most 12 evenly spaced snapshots (first and last included); all panels share axes
    limits so the movement of the blue samples towards the real data is comparable.
    """
    _check_preset(preset)
    steps, samples = _snapshot_arrays(snapshots)
    real = _as_2d(real, "real data", width=samples.shape[-1])
    chosen = _pick(len(steps), MAX_GRID_PANELS)
    ncols = min(4, len(chosen))
    nrows = int(np.ceil(len(chosen) / ncols))
    panel = _EvolutionPanel(real, samples[chosen], preset)
    fig = _figure(3.4 * ncols + 0.6, 2.7 * nrows + 0.8)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False))
    for ax, i in zip(axes.ravel(), chosen, strict=False):
        panel.draw(ax, samples[i], steps[i], small=True)
    for ax in axes.ravel()[len(chosen):]:
        ax.set_visible(False)
    xlabel, ylabel = panel.labels()
    fig.supxlabel(xlabel)
    fig.supylabel(ylabel)
    fig.legend(handles=panel.legend(), loc="outside upper right", ncols=2)
    fig.suptitle(f"How the generated samples (blue) evolved during training ({preset})")
    return _save(fig, path)


def write_evolution_gif(snapshots: Mapping[str, Any], real: Any, preset: str, path: PathLike,
                        frame_ms: int = 400) -> Path:
    """An animated GIF (Pillow), one frame per snapshot, the last frame held longer.

    At most 60 evenly spaced frames; a single snapshot gives a single-frame GIF.
    """
    from PIL import Image

    _check_preset(preset)
    steps, samples = _snapshot_arrays(snapshots)
    real = _as_2d(real, "real data", width=samples.shape[-1])
    chosen = _pick(len(steps), MAX_GIF_FRAMES)
    panel = _EvolutionPanel(real, samples[chosen], preset)
    xlabel, ylabel = panel.labels()
    frames = []
    fig = _figure(6.4, 4.4)
    for i in chosen:
        fig.clear()
        ax = fig.add_subplot()
        panel.draw(ax, samples[i], steps[i], small=False)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(handles=panel.legend(), loc="upper left", fontsize=8)
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba())
        img = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
        frames.append(img.convert("P", palette=Image.Palette.ADAPTIVE, colors=128))
    fig.clear()
    durations = [frame_ms] * (len(frames) - 1) + [max(frame_ms * 5, 2000)]
    path = Path(path)
    with atomic_path(path) as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=durations, loop=0, disposal=1)
    return path


def plot_selection(curve: Any, best_step: int | None, path: PathLike) -> Path:
    """Model selection's validation curve: the score and its three terms per scoring, the
    kept step marked (lower is better; 0 = like real unseen days)."""
    import pandas as pd

    frame = pd.DataFrame(curve)
    if not {"step", "score"} <= set(frame.columns) or len(frame) == 0:
        raise TsganError("the selection curve is empty or lacks its 'step' / 'score' columns")
    step = frame["step"].to_numpy(dtype=float)
    fig = _figure(10, 4.5)
    ax = fig.subplots()
    ax.plot(step, frame["score"], color="0.1", lw=2, marker="o", ms=3, label="score (sum)")
    for column, color, label in (
            ("discriminative", GEN_BLUE, "discriminative (3-fold)"),
            ("energy_distance_rel", D_ORANGE, "relative energy distance"),
            ("memorisation", "tab:red", "memorisation")):
        if column in frame.columns:
            ax.plot(step, frame[column], color=color, lw=1.2, alpha=0.8, label=label)
    if best_step is not None and best_step >= 0:
        ax.axvline(best_step, color="tab:green", ls="--", lw=1.2,
                   label=f"kept: step {int(best_step):,}")
    ax.set_xlabel("training step")
    ax.set_ylabel("on validation weeks (lower is better)")
    ax.set_title("Model selection: validation score per scoring")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


# --------------------------------------------------------------------------- a whole run
def _step_label(history: Any) -> int | None:
    try:
        return int(history["step"].iloc[-1])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def draw_run(run: Any, plots_dir: PathLike) -> list[Path]:
    """Draw every plot that fits ``run``'s preset into ``plots_dir``; return the paths.

    ``run`` is a trained :class:`~tsgan.api.PriceGAN` (e.g. ``tsgan.load(RUN)``). Generated
    samples use the fixed :data:`PLOT_SEED`, so redrawing a run gives identical pictures.
    """
    plots_dir = Path(plots_dir)
    preset = run.config.preset
    _check_preset(preset)
    columns = list(getattr(run, "columns", []) or [])

    def values(frame: Any) -> np.ndarray:
        """Sample values only (drop e.g. a 'scenario' column if a frame carries one)."""
        if columns and hasattr(frame, "columns") and set(columns) <= set(frame.columns):
            frame = frame[columns]
        return np.asarray(frame, dtype=float)

    real = values(run.train_data)
    paths: list[Path] = []
    history = getattr(run, "history", None)
    if history is not None and len(history):
        paths.append(plot_losses(history, plots_dir / "losses.png"))
    selection = getattr(run, "selection", None)
    if selection is not None and len(selection):
        paths.append(plot_selection(selection, getattr(run, "best_step", None),
                                    plots_dir / "selection.png"))
    if preset == "smard":
        n_gen = int(min(max(len(real), 200), 2000))
        gen = values(run.sample(n_gen, seed=PLOT_SEED))
        paths.append(plot_day_overlay(real, gen[:300], plots_dir / "overlay.png"))
        paths.append(plot_hourly_distributions(real, gen, plots_dir / "hourly.png"))
        paths.append(plot_correlation_heatmaps(real, gen, plots_dir / "correlation.png"))
        panels = condition_panels(run) if getattr(run, "condition_names", None) else []
        if panels:
            paths.append(plot_condition_panels(panels, plots_dir / "conditions.png"))
    elif preset == "quadratic":
        gen = values(run.sample(1000, seed=PLOT_SEED))
        paths.append(plot_quadratic(real, gen, plots_dir / "scatter.png",
                                    step=_step_label(history)))
    else:
        gen = values(run.sample(2000, seed=PLOT_SEED))
        paths.append(plot_heights(real, gen, run.discriminate, plots_dir / "density.png"))
    snapshots = getattr(run, "snapshots", None)
    if snapshots and len(np.asarray(snapshots.get("steps", []))):
        paths.append(plot_snapshot_grid(snapshots, real, preset, plots_dir / "evolution.png"))
        paths.append(write_evolution_gif(snapshots, real, preset, plots_dir / "evolution.gif"))
        if preset == "quadratic":
            steps, samples = _snapshot_arrays(snapshots)
            for step, snap in zip(steps, samples, strict=True):
                paths.append(plot_quadratic(real, snap, plots_dir /
                                            f"scatter_step_{int(step):05d}.png", step=int(step)))
    return paths


def plot_run(run: Any, run_dir: PathLike) -> list[Path]:
    """(Re)draw all plots of ``run`` (a trained PriceGAN, e.g. ``tsgan.load(run_dir)``) into
    ``run_dir/plots/``."""
    return draw_run(run, Path(run_dir) / "plots")


