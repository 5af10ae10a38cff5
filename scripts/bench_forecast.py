"""Benchmarks of the forecast preset: ablation, other market, exogenous inputs, paths, speed.

Prints one table per section; every figure in docs/forecasting.md comes from here::

    python scripts/bench_forecast.py                      # all sections (about 25 min on 2 cores)
    python scripts/bench_forecast.py --only ablation --seeds 0 1 2
    python scripts/bench_forecast.py --only exogenous     # needs ../shared/data/forecasts/

Sections:
* ``ablation``: energy score / CRPS / variogram / 90 % coverage of the default and of one change
  at a time, bundled DE-LU data, trained on days before 2025-01-01, scored 2025-01-01 … end.
* ``zone``: the same defaults on six other zones of the shared SMARD export, cutoff 2025-06-01.
* ``exogenous``: German prices with day-ahead load and wind+solar forecasts 2015-2018 (GPL data,
  read from ``../shared/data/forecasts/``, never bundled): train 2015-2017, forecast 2018, with
  and without the forecasts, against LEAR-lite given the same inputs.
* ``paths``: 28-day paths from each Monday of the test period: autocorrelation of daily means at
  lags 1-7 and the spread of weekly means, against the real days.
* ``markets``: the settings given with ``--set`` on DE, France and Austria (``--only markets
  --seeds 0 --set condition_noise=0.5``), the quick check behind "What was tried".
* ``speed``: ``tsgan forecast`` for 425 days x 100 scenarios as a whole process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
EXPORT = SHARED / "Gro_handelspreise_202403010000_202603020000_Stunde.csv"
FORECASTS = SHARED / "forecasts" / "DE_2015_2018_price_load_renewables.csv"
#: ForecastGAN settings every fit of this run gets (``--set KEY=VALUE``); empty = defaults.
SETTINGS: dict[str, object] = {}
#: France and Austria were looked at while the defaults were chosen; the other four were not.
ZONES = ("Frankreich", "Österreich", "Niederlande", "Belgien", "Polen", "Dänemark 1")
VARIANTS: dict[str, dict[str, object]] = {
    "default": {},
    "energy score only (no adversarial term)": {"adversarial_weight": 0.0},
    "adversarial only (no energy score)": {"energy_weight": 0.0},
    "in-sample core errors (no cross-fitting)": {"cross_fit": False},
    "core never refitted": {"refit": "none"},
    "no weight average": {"ema_decay": 0.0},
    "less condition noise (0.5)": {"condition_noise": 0.5},
    "spread calibrated time-forward": {"spread_calibration": True},
}


def _scores(observed: np.ndarray, ensemble: np.ndarray) -> dict[str, float]:
    from tsgan.evaluate.scores import coverage, crps, energy_score, variogram_score

    return {"energy": float(energy_score(observed, ensemble).mean()),
            "crps": float(crps(observed, ensemble).mean()),
            "variogram": float(variogram_score(observed, ensemble).mean()),
            "coverage_90": float(coverage(observed, ensemble, 0.9).mean())}


def _row(name: str, values: dict[str, float], extra: str = "") -> str:
    return (f"{name:<44} {values['energy']:7.2f} {values['crps']:7.2f} "
            f"{values['variogram']:8.0f} {100 * values['coverage_90']:6.1f} % {extra}")


HEADER = f"{'':<44} {'energy':>7} {'CRPS':>7} {'variogr.':>8} {'cov90':>8}"


def _tsgan(days: pd.DataFrame, cutoff: str, seed: int, exogenous: tuple[str, ...] = (),
           **settings: object) -> tuple[dict[str, float], float]:
    from tsgan.data.days import HOUR_COLUMNS
    from tsgan.forecast import ForecastGAN

    model = ForecastGAN(seed=seed, exogenous=list(exogenous), **{**SETTINGS, **settings})
    model.fit(days[days.index < cutoff])
    dates = days.index[days.index >= cutoff]
    ensemble = model.ensemble(days, dates, 100, seed)
    return _scores(days.loc[dates, HOUR_COLUMNS].to_numpy(), ensemble), model.train_seconds


def _lear(days: pd.DataFrame, cutoff: str, seed: int,
          exogenous: tuple[str, ...] = ()) -> dict[str, float]:
    from tsgan.checks import Stream, rng
    from tsgan.data.days import HOUR_COLUMNS
    from tsgan.evaluate.references import lear_lite

    dates = days.index[days.index >= cutoff]
    ensemble = lear_lite(days, dates, 100, rng(seed, Stream.LEAR_LITE),
                         exogenous=exogenous)
    return _scores(days.loc[dates, HOUR_COLUMNS].to_numpy(), ensemble)


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def section_ablation(seeds: list[int]) -> None:
    import tsgan

    days = tsgan.load_days()
    print(f"\nablation: bundled DE-LU, cutoff 2025-01-01, 100 scenarios, mean of seeds {seeds}")
    print(HEADER + "  per seed energy")
    print(_row("LEAR-lite (refitted every 28 days)", _mean([_lear(days, "2025-01-01", s)
                                                            for s in seeds])))
    for name, settings in VARIANTS.items():
        rows = [_tsgan(days, "2025-01-01", s, **settings)[0] for s in seeds]
        print(_row(name, _mean(rows), " ".join(f"{r['energy']:.1f}" for r in rows)), flush=True)


def section_zone(seeds: list[int]) -> None:
    import tsgan

    if not EXPORT.is_file():
        print(f"\nzone: skipped ({EXPORT} not found)")
        return
    print("\nother market, same defaults: cutoff 2025-06-01, 100 scenarios, "
          f"mean of seeds {seeds}")
    print(HEADER)
    for column in ZONES:
        days = tsgan.load_days(EXPORT, column=column)
        lear = _mean([_lear(days, "2025-06-01", s) for s in seeds])
        gan = _mean([_tsgan(days, "2025-06-01", s)[0] for s in seeds])
        print(_row(f"{column}: LEAR-lite", lear))
        print(_row(f"{column}: tsgan forecast", gan), flush=True)


def exogenous_days() -> pd.DataFrame:
    """The 2015-2018 file as a day frame: h00..h23 prices, load_h.., renewables_h.. (the file
    has exactly 24 rows per day, DST hours already removed or filled by its authors)."""
    from tsgan.data.days import HOUR_COLUMNS

    table = pd.read_csv(FORECASTS, index_col=0, parse_dates=True)
    dates = pd.DatetimeIndex(table.index.normalize().unique(), name="date")
    frame = {}
    for source, prefix in (("Price", None), ("Load_DA_Forecast", "load"),
                           ("Renewables_DA_Forecast", "renewables")):
        values = table[source].to_numpy(np.float64).reshape(len(dates), 24)
        names = HOUR_COLUMNS if prefix is None else [f"{prefix}_{h}" for h in HOUR_COLUMNS]
        frame.update(dict(zip(names, values.T, strict=True)))
    return pd.DataFrame(frame, index=dates)


def section_exogenous(seeds: list[int]) -> None:
    if not FORECASTS.is_file():
        print(f"\nexogenous: skipped ({FORECASTS} not found)")
        return
    days = exogenous_days()
    print(f"\nexogenous forecasts: DE 2015-2017 -> 2018, 100 scenarios, mean of seeds {seeds}")
    print(HEADER)
    for label, names in (("prices only", ()), ("+ load, wind+solar forecasts",
                                               ("load", "renewables"))):
        print(_row(f"LEAR-lite, {label}", _mean([_lear(days, "2018-01-01", s, names)
                                                 for s in seeds])))
        print(_row(f"tsgan forecast, {label}", _mean([_tsgan(days, "2018-01-01", s, names)[0]
                                                      for s in seeds])), flush=True)


def _autocorrelation(series: np.ndarray, lag: int) -> float:
    return float(np.corrcoef(series[:-lag], series[lag:])[0, 1])


def section_paths(seeds: list[int]) -> None:
    import tsgan
    from tsgan.data.days import HOUR_COLUMNS
    from tsgan.forecast import ForecastGAN

    days = tsgan.load_days()
    model = ForecastGAN(seed=seeds[0]).fit(days[days.index < "2025-01-01"])
    mondays = [d for d in days.index if d >= pd.Timestamp("2025-01-06") and d.weekday() == 0
               and d + pd.Timedelta(days=27) <= days.index[-1]]
    real_acf, path_acf, real_weeks, path_weeks = [], [], [], []
    for start in mondays[::4]:
        real = days.loc[start:start + pd.Timedelta(days=27), HOUR_COLUMNS].to_numpy()
        paths = model.paths(days, start, 28, 50, seeds[0])
        sim = paths[HOUR_COLUMNS].to_numpy().reshape(50, 28, 24)
        real_means, sim_means = real.mean(axis=1), sim.mean(axis=2)
        real_acf.append([_autocorrelation(real_means, k) for k in range(1, 8)])
        path_acf.append(np.mean([[_autocorrelation(p, k) for k in range(1, 8)]
                                 for p in sim_means], axis=0))
        real_weeks.append(real_means.reshape(4, 7).mean(axis=1).std())
        path_weeks.append(np.mean([p.reshape(4, 7).mean(axis=1).std() for p in sim_means]))
    print(f"\npaths: 28-day paths from {len(path_acf)} Mondays of 2025-2026 (50 paths each) "
          "against the real 28 days")
    print("lag of daily means        " + " ".join(f"{k:>6}" for k in range(1, 8)))
    print("autocorrelation, real     " + " ".join(f"{v:6.2f}" for v in np.mean(real_acf, 0)))
    print("autocorrelation, paths    " + " ".join(f"{v:6.2f}" for v in np.mean(path_acf, 0)))
    print(f"std of the 4 weekly means within 28 days: real {np.mean(real_weeks):.2f}, "
          f"paths {np.mean(path_weeks):.2f}, LEAR-lite's paths "
          f"{np.mean([_lear_path_weeks(days, s, seeds[0]) for s in mondays[::4]]):.2f} EUR/MWh")


def _lear_path_weeks(days: pd.DataFrame, start: pd.Timestamp, seed: int) -> float:
    """Std of the 4 weekly means of 50 LEAR-lite paths from ``start`` (point forecast from the
    path's own last days plus a residual vector drawn from the pool), averaged over paths."""
    from tsgan.data.days import HOUR_COLUMNS
    from tsgan.data.forecast_inputs import PRICE_LAGS, ForecastInputs, calendar_block
    from tsgan.model.linear import LearLite

    core = LearLite().fit(days, until="2025-01-01")
    rng = np.random.default_rng(seed)
    window = days.loc[start - pd.Timedelta(days=7):start - pd.Timedelta(days=1), HOUR_COLUMNS]
    window = np.repeat(window.to_numpy()[None], 50, axis=0)
    dates = pd.date_range(start, periods=28)
    calendar, holiday = calendar_block(dates)
    out = np.empty((50, 28, 24))
    for t in range(28):
        inputs = ForecastInputs(
            dates=pd.DatetimeIndex([dates[t]] * 50),
            prices=np.stack([window[:, 7 - lag] for lag in PRICE_LAGS], axis=1),
            exogenous=np.zeros((50, 0, 2, 24)), calendar=np.repeat(calendar[t][None], 50, 0),
            holiday=np.repeat(holiday[t:t + 1], 50))
        residual = core.residuals[rng.integers(0, len(core.residuals), 50)]
        out[:, t] = core.unscale_prices(core.predict_scaled(inputs) + residual)
        window = np.concatenate([window[:, 1:], out[:, t:t + 1]], axis=1)
    return float(np.mean([p.mean(axis=1).reshape(4, 7).mean(axis=1).std() for p in out]))


def section_speed(seeds: list[int]) -> None:
    import tsgan
    from tsgan.data.sources import write_days
    from tsgan.forecast import ForecastGAN

    days = tsgan.load_days()
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        start = time.perf_counter()
        ForecastGAN(seed=seeds[0]).fit(days[days.index < "2025-01-01"]).save(run)
        train = time.perf_counter() - start
        history = Path(tmp) / "days.csv"
        write_days(days, history)
        command = [sys.executable, "-c", "from tsgan.cli import main; raise SystemExit(main())",
                   "forecast", "--run", str(run),
                   "--history", str(history), "--start", "2025-01-01", "--end", "2026-03-01",
                   "-n", "100", "--out", str(Path(tmp) / "scenarios.parquet")]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        whole = time.perf_counter() - start
    print("\nspeed (this machine)")
    print(f"train --preset forecast on the bundled days before 2025: {train:6.1f} s")
    print(f"tsgan forecast, 425 days x 100 scenarios, whole process: {whole:6.1f} s")


def section_markets(seeds: list[int]) -> None:
    """The settings given with --set on DE (cutoff 2025-01-01), France and Austria (cutoff
    2025-06-01): the quick check used while choosing defaults."""
    import tsgan

    print(f"\nmarkets with settings {SETTINGS or 'default'}, mean of seeds {seeds}")
    print(HEADER)
    cases = [("DE-LU", tsgan.load_days(), "2025-01-01")]
    if EXPORT.is_file():
        cases += [(c, tsgan.load_days(EXPORT, column=c), "2025-06-01")
                  for c in ("Frankreich", "Österreich")]
    for name, days, cutoff in cases:
        print(_row(name, _mean([_tsgan(days, cutoff, s)[0] for s in seeds])), flush=True)


SECTIONS = {"ablation": section_ablation, "markets": section_markets, "zone": section_zone,
            "exogenous": section_exogenous, "paths": section_paths, "speed": section_speed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=tuple(SECTIONS), action="append")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="ForecastGAN setting for every fit, value as JSON (repeatable)")
    args = parser.parse_args()
    for item in args.set:
        key, _, value = item.partition("=")
        SETTINGS[key] = json.loads(value)
    for name in args.only or SECTIONS:
        SECTIONS[name](args.seeds)


if __name__ == "__main__":
    main()
