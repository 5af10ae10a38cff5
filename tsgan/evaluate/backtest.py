"""A day-ahead backtest: tsgan's forecast ensembles against reference forecasts.

Train :class:`tsgan.forecast.ForecastGAN` on the days before a cutoff, forecast every
delivery day from the cutoff on (each from the days before it only), let the references of
:mod:`tsgan.evaluate.references` forecast the same days, and score all of them against what
happened with :mod:`tsgan.evaluate.scores`. :func:`run_backtest` computes,
:func:`write_backtest` writes the directory ``tsgan report --backtest`` reads, and
:func:`format_table` is the table ``tsgan backtest`` prints.

TensorFlow (the model) and matplotlib (the plots) are imported only inside the functions that
need them.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan.checks import integer_at_least, positive_integer
from tsgan.data.days import HOUR_COLUMNS, delivery_day, require_day_frame
from tsgan.data.forecast_inputs import available_dates, require_exogenous
from tsgan.data.io import json_ready
from tsgan.data.sources import check_exogenous, exogenous_columns
from tsgan.errors import TsganError
from tsgan.evaluate.references import REFERENCE_NAMES, reference_ensembles
from tsgan.evaluate.scores import daily_scores, diebold_mariano, score_ensembles
from tsgan.runs import fingerprint

__all__ = ["BacktestResult", "run_backtest", "write_backtest", "format_table",
           "backtest_record", "check_preset", "data_fingerprint", "fan_days",
           "MODEL_METHOD", "PRESET", "MIN_TRAINING_DAYS", "MIN_DELIVERY_DAYS", "PLOT_FILES"]

#: The method name of tsgan's own forecast (as :mod:`tsgan.viz.backtest` and the report use).
MODEL_METHOD = "tsgan"
#: The only preset a backtest runs: the forecast model.
PRESET = "forecast"
#: Fewer training days than this before the cutoff: no model worth scoring.
MIN_TRAINING_DAYS = 60
#: The Diebold-Mariano test needs at least this many delivery days.
MIN_DELIVERY_DAYS = 3
#: The reference drawn in the fan chart beside tsgan.
FAN_REFERENCE = "LEAR-lite"
#: Days in the fan chart, and the window of the rolling-score plot.
FAN_DAY_COUNT = 7
ROLLING_WINDOW = 28
#: The plots of a backtest directory: key in backtest.json's "plots" -> file name.
PLOT_FILES: dict[str, str] = {"fan": "fan_chart.png", "pit": "pit_histogram.png",
                              "rolling": "rolling_energy.png"}
DAILY_FILE = "daily_scores.csv"
SCENARIO_FILE = "scenarios.parquet"
RECORD_FILE = "backtest.json"


# --------------------------------------------------------------------------- inputs
def check_preset(preset: Any) -> str:
    """``preset`` if it is ``forecast``; otherwise a one-line TsganError saying why not."""
    if preset == PRESET:
        return PRESET
    if preset == "smard":
        raise TsganError("preset 'smard' cannot be backtested: it generates days for a calendar "
                         "situation, not a forecast of a given delivery day from the days "
                         "before it; use --preset forecast")
    raise TsganError(f"unknown preset {preset!r} for a backtest; the backtest runs the "
                     f"forecast model: --preset {PRESET}")


def _day_frame(days: Any, exogenous: Sequence[str]) -> pd.DataFrame:
    """``days`` checked (a day frame with prices and the exogenous columns) and sorted."""
    frame = require_day_frame(days)
    require_exogenous(frame, exogenous)
    return frame


def data_fingerprint(days: pd.DataFrame, exogenous: Sequence[str] = ()) -> str:
    """:func:`tsgan.runs.fingerprint` of the prices ``h00`` … ``h23`` and the exogenous columns
    of ``days``: the same data gives the same fingerprint."""
    columns = [*HOUR_COLUMNS, *(c for name in exogenous for c in exogenous_columns(name))]
    return fingerprint(days[columns].to_numpy(dtype="float64"))


# --------------------------------------------------------------------------- result
@dataclass
class BacktestResult:
    """What :func:`run_backtest` computed: the ensembles, their scores and how they came about.

    ``ensembles`` maps each method (tsgan first, then the references) to its (d, n, 24) array
    in EUR/MWh for the delivery days ``dates``; ``observed`` (d, 24) is what happened.
    ``daily`` holds the per-day scores (columns ``date, method, energy, crps, variogram``).
    ``diebold_mariano`` compares tsgan's daily energy scores with the best reference's
    (negative statistic and mean difference: tsgan scored lower, i.e. better). ``fits`` is the
    number of models trained, ``seconds`` the time spent training, forecasting and on the
    references.
    """

    cutoff: pd.Timestamp
    dates: pd.DatetimeIndex
    observed: np.ndarray
    ensembles: dict[str, np.ndarray]
    scores: dict[str, dict]
    daily: pd.DataFrame
    best_reference: str
    diebold_mariano: dict[str, Any]
    members: int
    seed: int
    refit_every: int | None
    exogenous: list[str]
    config: dict[str, Any]
    data_source: str | None
    data_fingerprint: str
    fits: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def methods(self) -> list[str]:
        """tsgan first, then the references, in the order they were scored."""
        return list(self.ensembles)

    def scenarios(self) -> pd.DataFrame:
        """tsgan's scenarios in long form: ``date, scenario, h00`` … ``h23`` (EUR/MWh)."""
        ensemble = self.ensembles[MODEL_METHOD]
        d, n, _ = ensemble.shape
        frame = pd.DataFrame(ensemble.reshape(d * n, len(HOUR_COLUMNS)), columns=HOUR_COLUMNS)
        frame.insert(0, "scenario", np.tile(np.arange(n, dtype="int64"), d))
        frame.insert(0, "date", np.repeat(self.dates.to_numpy(), n))
        return frame


# --------------------------------------------------------------------------- run
def _blocks(dates: pd.DatetimeIndex, refit_every: int | None) -> list[pd.DatetimeIndex]:
    """The delivery days in consecutive blocks of ``refit_every`` (one block: no refits)."""
    if refit_every is None:
        return [dates]
    return [dates[i:i + refit_every] for i in range(0, len(dates), refit_every)]


def run_backtest(days: pd.DataFrame, cutoff: Any, *, n: int = 100, seed: int = 0,
                 refit_every: int | None = None, exogenous: Sequence[str] = (),
                 preset: str = PRESET, end: Any = None,
                 overrides: Mapping[str, Any] | None = None, source: str | None = None,
                 progress: Callable[[str], None] | None = None) -> BacktestResult:
    """Backtest tsgan's forecast model on the delivery days of ``days`` from ``cutoff`` on.

    The delivery days are the dates of ``days`` (with all 24 prices) from ``cutoff`` to
    ``end`` (both included; default: the last day). A :class:`~tsgan.forecast.ForecastGAN`
    (``overrides``: any ForecastConfig field, e.g. ``iterations``) is trained with ``seed`` on
    the days before the cutoff; with ``refit_every=N`` the delivery days go in consecutive
    blocks of N and a fresh model is trained on all days before each block's first day. Every
    day gets ``n`` scenarios; the references forecast the same days (LEAR-lite with its own
    28-day refits, the benchmark as specified). ``source`` names the data in the record;
    ``progress`` receives one line per stage. Raises a one-line TsganError for a cutoff or end
    that is not a date, an end before the cutoff, fewer than
    :data:`MIN_DELIVERY_DAYS` delivery days or :data:`MIN_TRAINING_DAYS` training days, and
    ``n`` < 2. Training days are the days whose forecast inputs (D-1, D-2, D-7, exogenous
    series) exist.
    """
    check_preset(preset)
    names = check_exogenous(exogenous)
    frame = _day_frame(days, names)
    if len(frame) == 0:
        raise TsganError("days hold no days to backtest on")
    cutoff = delivery_day(cutoff, "cutoff")
    if end is None:
        end = frame.index.max()
    else:
        end = delivery_day(end, "end")
        if end < cutoff:
            raise TsganError(f"end {end.date()} comes before the cutoff {cutoff.date()}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise TsganError(f"n must be at least 2 scenarios per delivery day, got {n!r}")
    n = int(n)
    seed = integer_at_least(seed, "seed", 0)
    if refit_every is not None:
        refit_every = positive_integer(refit_every, "refit_every")
    settings = dict(overrides or {})
    clash = sorted(set(settings) & {"seed", "exogenous"})
    if clash:
        raise TsganError(f"pass {clash[0]} to run_backtest itself, not in overrides")

    frame = frame.loc[frame.index <= end]
    complete = np.isfinite(frame[HOUR_COLUMNS].to_numpy(dtype="float64")).all(axis=1)
    dates = frame.index[complete & (frame.index >= cutoff)]
    if len(dates) == 0:
        raise TsganError(f"no delivery days from the cutoff {cutoff.date()} to {end.date()} "
                         f"(the data's last day: {days.index.max().date()})")
    if len(dates) < MIN_DELIVERY_DAYS:
        raise TsganError(f"only {len(dates)} delivery day(s) from {cutoff.date()} to "
                         f"{end.date()}; the Diebold-Mariano test needs at least "
                         f"{MIN_DELIVERY_DAYS}")
    n_train = len(available_dates(frame.loc[frame.index < cutoff], names))
    if n_train < MIN_TRAINING_DAYS:
        raise TsganError(f"only {n_train} training day(s) with their forecast inputs before the "
                         f"cutoff {cutoff.date()}; the backtest needs at least "
                         f"{MIN_TRAINING_DAYS}")

    from tsgan.forecast import ForecastGAN

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    blocks = _blocks(dates, refit_every)
    seconds = {"train": 0.0, "forecast": 0.0, "references": 0.0}
    parts: list[np.ndarray] = []
    model = None
    for k, block in enumerate(blocks, start=1):
        history = frame.loc[frame.index < block[0]]
        fit_note = f" (fit {k} of {len(blocks)})" if len(blocks) > 1 else ""
        say(f"training on {len(available_dates(history, names))} days before "
            f"{block[0].date()}{fit_note}")
        started = time.perf_counter()
        model = ForecastGAN(**settings, seed=seed, exogenous=names).fit(history, source=source)
        seconds["train"] += time.perf_counter() - started
        say(f"forecasting {len(block)} day(s) from {block[0].date()} to {block[-1].date()} "
            f"with {n} scenarios each")
        started = time.perf_counter()
        part = np.asarray(model.ensemble(frame, block, n, seed), dtype="float64")
        seconds["forecast"] += time.perf_counter() - started
        if part.shape != (len(block), n, len(HOUR_COLUMNS)):
            raise TsganError(f"the model returned ensembles of shape {part.shape} for "
                             f"{len(block)} days x {n} scenarios x 24 hours")
        parts.append(part)

    say(f"reference forecasts: {', '.join(REFERENCE_NAMES)}")
    started = time.perf_counter()
    references = reference_ensembles(frame, dates, n, seed, train_end=cutoff, exogenous=names)
    seconds["references"] = time.perf_counter() - started

    observed = frame.loc[dates, HOUR_COLUMNS].to_numpy(dtype="float64")
    ensembles = {MODEL_METHOD: np.concatenate(parts, axis=0), **references}
    scores = score_ensembles(observed, ensembles, seed)
    daily = daily_scores(observed, ensembles)
    daily.insert(0, "date", dates[daily.pop("day").to_numpy()])
    best = min(references, key=lambda name: scores[name]["energy"])
    energy = daily.pivot(index="date", columns="method", values="energy")
    test = diebold_mariano(energy[MODEL_METHOD].to_numpy(), energy[best].to_numpy())
    return BacktestResult(
        cutoff=cutoff, dates=dates, observed=observed, ensembles=ensembles, scores=scores,
        daily=daily, best_reference=best, diebold_mariano={"against": best, **test},
        members=n, seed=seed, refit_every=refit_every, exogenous=names,
        config=dict(model.config.to_dict()), data_source=source,
        data_fingerprint=data_fingerprint(frame, names), fits=len(blocks),
        seconds={key: round(value, 3) for key, value in seconds.items()},
    )


# --------------------------------------------------------------------------- output
def backtest_record(result: BacktestResult, command: str | None = None) -> dict[str, Any]:
    """The content of ``backtest.json`` (the layout ``tsgan report --backtest`` reads)."""
    from tsgan import __version__

    return json_ready({
        "tsgan_version": __version__,
        "data_source": result.data_source,
        "data_fingerprint": result.data_fingerprint,
        "cutoff": result.cutoff.strftime("%Y-%m-%d"),
        "first_day": result.dates[0].strftime("%Y-%m-%d"),
        "last_day": result.dates[-1].strftime("%Y-%m-%d"),
        "n_days": len(result.dates),
        "members": result.members,
        "seed": result.seed,
        "refit_every": result.refit_every,
        "preset": PRESET,
        "exogenous": list(result.exogenous),
        "command": command,
        "config": result.config,
        "methods": result.methods,
        "scores": result.scores,
        "best_reference": result.best_reference,
        "diebold_mariano": {key: result.diebold_mariano[key] for key in
                            ("against", "statistic", "p_value", "mean_difference", "n")},
        "plots": dict(PLOT_FILES),
        "seconds": result.seconds,
        "fits": result.fits,
    })


def fan_days(dates: pd.DatetimeIndex, observed: np.ndarray) -> np.ndarray:
    """Positions of the fan chart's days: the complete Monday-to-Sunday week of delivery days
    with the widest observed price range (highest minus lowest hour), or else the last 7
    delivery days (all, if fewer)."""
    positions = np.arange(len(dates))
    best, widest = None, -math.inf
    mondays = positions[dates.day_of_week == 0]
    for start in mondays:
        week = positions[start:start + FAN_DAY_COUNT]
        if len(week) == FAN_DAY_COUNT and dates[week[-1]] - dates[start] == pd.Timedelta(days=6):
            spread = float(observed[week].max() - observed[week].min())
            if spread > widest:
                best, widest = week, spread
    return best if best is not None else positions[-FAN_DAY_COUNT:]


def write_backtest(result: BacktestResult, out_dir: str | os.PathLike[str],
                   command: str | None = None) -> Path:
    """Write the backtest directory ``out_dir``, every file atomically, and return it.

    Files: ``daily_scores.csv`` (date, method, energy, crps, variogram), ``scenarios.parquet``
    (tsgan's scenarios), the plots ``fan_chart.png``, ``pit_histogram.png`` and
    ``rolling_energy.png``, and last ``backtest.json`` (:func:`backtest_record`), so that a
    directory with backtest.json holds the complete backtest.
    """
    from tsgan.data.io import write_frame, write_json
    from tsgan.viz.backtest import plot_fan_chart, plot_pit_histogram, plot_rolling_scores

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise TsganError(f"{out} exists and is not a directory")
    daily = result.daily.copy()
    daily["date"] = pd.DatetimeIndex(daily["date"]).strftime("%Y-%m-%d")
    write_frame(daily, out / DAILY_FILE)
    write_frame(result.scenarios(), out / SCENARIO_FILE)

    week = fan_days(result.dates, result.observed)
    reference = result.ensembles.get(FAN_REFERENCE)
    plot_fan_chart(result.dates[week], result.ensembles[MODEL_METHOD][week],
                   result.observed[week], out / PLOT_FILES["fan"],
                   reference=None if reference is None else reference[week],
                   reference_name=FAN_REFERENCE)
    plot_pit_histogram({m: result.scores[m]["pit_counts"] for m in result.methods},
                       out / PLOT_FILES["pit"])
    plot_rolling_scores(result.daily, out / PLOT_FILES["rolling"], window=ROLLING_WINDOW)
    write_json(out / RECORD_FILE, backtest_record(result, command))
    return out


#: Columns of the terminal table: (score key, heading, shown as a percentage).
TABLE_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("energy", "energy", False),
    ("crps", "mean CRPS", False),
    ("variogram", "variogram", False),
    ("pinball_mean", "mean pinball", False),
    ("coverage_50", "coverage 50 %", True),
    ("coverage_90", "coverage 90 %", True),
)


def _p_value(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def diebold_mariano_line(result: BacktestResult, alpha: float = 0.05) -> str:
    """The Diebold-Mariano comparison in words, one line."""
    from tsgan.evaluate.tables import _fmt

    dm = result.diebold_mariano
    head = f"{MODEL_METHOD} vs {dm['against']} (best reference): daily energy score"
    diff, stat, p = dm["mean_difference"], dm["statistic"], dm["p_value"]
    if diff == 0:
        change = "equal on average"
    else:
        change = f"{'lower' if diff < 0 else 'higher'} by {_fmt(abs(diff))} on average"
    verdict = "significant" if p < alpha else "not significant"
    return (f"{head} {change}, Diebold-Mariano statistic {stat:.2f}, {_p_value(p)} "
            f"({verdict} at the {100 * alpha:g} % level)")


def format_table(result: BacktestResult) -> str:
    """The scores as aligned text, one row per method, then the period and the
    Diebold-Mariano line (the house style of ``tsgan evaluate``)."""
    from tsgan.evaluate.tables import _fmt

    methods = result.methods
    rows = [[f"{100 * result.scores[m][key]:.1f} %" if percent else _fmt(result.scores[m][key])
             for key, _, percent in TABLE_COLUMNS] for m in methods]
    name_width = max(len("method"), *map(len, methods))
    widths = [max(len(title), *(len(row[j]) for row in rows))
              for j, (_, title, _) in enumerate(TABLE_COLUMNS)]
    header = "method".ljust(name_width) + "".join(
        "  " + title.rjust(w) for (_, title, _), w in zip(TABLE_COLUMNS, widths, strict=True))
    lines = [header, "-" * len(header)]
    for method, row in zip(methods, rows, strict=True):
        lines.append(method.ljust(name_width) + "".join(
            "  " + cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    refits = ("trained once" if result.fits == 1
              else f"{result.fits} fits, refitted every {result.refit_every} days")
    lines.append(
        f"lower is better; coverage best near 50 % / 90 % | {len(result.dates)} delivery days "
        f"{result.dates[0].date()} to {result.dates[-1].date()}, {result.members} scenarios, "
        f"seed {result.seed}, {refits}")
    lines.append(diebold_mariano_line(result))
    return "\n".join(lines)
