"""Other-market check: the default ``smard`` preset on zones it was not tuned on.

For each zone of the SMARD Downloadcenter export "Großhandelspreise" (hourly, 2024-03 →
2026-03), the days are read with tsgan's own loader (:func:`tsgan.data.sources.load_days`), the
default ``smard`` preset is trained with its default budget once per seed, and every run is
scored with :func:`tsgan.evaluate.tables.evaluate_run` (``seed=0``; ``--eval-seeds 0 1 2 3 4``
averages every row over several evaluation seeds, which matters on a two-year history: its
≈ 140 held-out days make one classifier draw noisy). Per zone a Markdown table
shows, for each quality metric, the GAN's mean ± std over seeds, the resampling baseline
(``bootstrap``: resampled training days; mean over seeds), the ratio GAN / baseline and
whether the GAN is within 1.5× of it. Memorisation is shown but is not part of the check
(the resampling baseline copies training days, memorisation 1.0 by construction). All
metrics are lower-is-better; a ratio is undefined where the baseline is ≤ 0 (the unbiased
relative energy distance of resampled real days is ≈ 0 or slightly negative).

    .venv/bin/python scripts/other_zone.py                         # FR and AT, seeds 0 1 2
    .venv/bin/python scripts/other_zone.py --zones FR --seeds 0    # one zone, one seed
    .venv/bin/python scripts/other_zone.py --zones NL BE --iterations 4000
    .venv/bin/python scripts/other_zone.py --zones "Polen" --save-dir runs/other-zones
    .venv/bin/python scripts/other_zone.py --data my_export.csv --zones CH

Zones are short codes (``FR``, ``AT``, ``DE-LU``, ``NL``, ``BE``, ``PL``, ``CH``, ``CZ``, …,
see ``ZONES``) or a zone name as written in the export's header. Runs go into a temporary
directory (deleted at the end) unless ``--save-dir`` is given; saved runs also get their
``metrics.json``. A missing data file is a one-line error with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (PROJECT_ROOT / ".." / "shared" / "data"
                / "Gro_handelspreise_202403010000_202603020000_Stunde.csv").resolve()

#: Short zone codes → zone names as in the SMARD export's German column headers
#: (``<name> [€/MWh] Berechnete Auflösungen``).
ZONES: dict[str, str] = {
    "DE-LU": "Deutschland/Luxemburg",
    "DE-LU-NEIGHBOURS": "∅ Anrainer DE/LU",
    "BE": "Belgien",
    "DK1": "Dänemark 1",
    "DK2": "Dänemark 2",
    "FR": "Frankreich",
    "NL": "Niederlande",
    "NO2": "Norwegen 2",
    "AT": "Österreich",
    "PL": "Polen",
    "SE4": "Schweden 4",
    "CH": "Schweiz",
    "CZ": "Tschechien",
    "IT-NORTH": "Italien (Nord)",
    "SI": "Slowenien",
    "HU": "Ungarn",
}

#: The quality metrics (all lower is better); memorisation is reported, not checked.
METRICS = ("energy_distance_rel", "wasserstein", "corr_error", "feature_ks", "discriminative",
           "memorisation")
NOT_CHECKED = ("memorisation",)
DIGITS = {"energy_distance_rel": 4, "wasserstein": 2}
BOUND = 1.5
#: The resampling baseline of :mod:`tsgan.evaluate.baselines` (resampled training days).
RESAMPLING_BASELINE = "bootstrap"


def zone_column(zone: str) -> str:
    """The export's zone name for a short code (case-insensitive), else ``zone`` itself."""
    return ZONES.get(zone.strip().upper(), zone)


def zone_label(zone: str) -> str:
    """Known codes in upper case (``at`` → ``AT``), header names as given."""
    return zone.strip().upper() if zone.strip().upper() in ZONES else zone.strip()


def fmt(value: float, digits: int = 3) -> str:
    """Fixed decimals; '-' for NaN."""
    return "-" if not np.isfinite(value) else f"{value:.{digits}f}"


def price_summary(days: pd.DataFrame) -> dict[str, float]:
    """Mean, std, min, max and share of negative hours of the day vectors (EUR/MWh)."""
    values = days.to_numpy(np.float64)
    return {"mean": float(values.mean()), "std": float(values.std()),
            "min": float(values.min()), "max": float(values.max()),
            "negative_share": float((values < 0).mean())}


def summary_line(label: str, days: pd.DataFrame) -> str:
    """One Markdown row: days, span and :func:`price_summary` of ``days``."""
    s = price_summary(days)
    return (f"| {label} | {len(days)} | {days.index[0].date()} → {days.index[-1].date()} | "
            f"{s['mean']:.2f} | {s['std']:.2f} | {s['min']:.2f} | {s['max']:.2f} | "
            f"{100 * s['negative_share']:.2f} % |")


def run_seed(days: pd.DataFrame, seed: int, iterations: int | None, run_dir: Path,
             settings: dict[str, Any] | None = None,
             eval_seeds: list[int] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Train the smard preset (with ``settings`` overrides) on ``days`` with ``seed``, save
    it, evaluate_run it (the mean table over ``eval_seeds``, default [0])."""
    from tsgan.api import PriceGAN, load
    from tsgan.evaluate.tables import evaluate_run

    overrides: dict[str, Any] = {**(settings or {}), "seed": seed}
    if iterations is not None:
        overrides["iterations"] = iterations
    gan = PriceGAN("smard", **overrides).fit(days)
    gan.save(run_dir)
    started = time.perf_counter()
    saved = load(run_dir)  # evaluated as saved, like tsgan evaluate
    table = mean_table([evaluate_run(saved, seed=s) for s in (eval_seeds or [0])])
    info = {"train_s": gan.train_seconds, "eval_s": time.perf_counter() - started,
            "steps": gan.steps_trained, "split": dict(gan.split)}
    return table, info


def mean_table(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The cell-wise mean of evaluation tables of one run (same rows and columns)."""
    if len(tables) == 1:
        return tables[0]
    mean = pd.concat(tables).groupby(level=0, sort=False).mean(numeric_only=True)
    mean.attrs = {**tables[0].attrs, "seed": [t.attrs.get("seed") for t in tables]}
    return mean


def check_table(tables: list[pd.DataFrame], baseline: str) -> tuple[str, dict[str, str]]:
    """Markdown table (one row per metric) and the verdict per metric."""
    lines = [f"| metric | GAN mean ± std (n={len(tables)}) | {baseline} (resampled) | "
             f"GAN / {baseline} | within {BOUND:g}× |", "|---|---|---|---|---|"]
    verdicts: dict[str, str] = {}
    for metric in METRICS:
        gan = np.array([float(t.loc["gan", metric]) for t in tables])
        base = float(np.mean([float(t.loc[baseline, metric]) for t in tables]))
        std = float(gan.std(ddof=1)) if len(gan) > 1 else 0.0
        digits = DIGITS.get(metric, 3)
        mean = float(gan.mean())
        if base > 0:
            ratio = mean / base
            ratio_text = f"{ratio:.2f}"
            verdict = "yes" if ratio <= BOUND else "NO"
        else:
            ratio_text = "undefined (baseline ≤ 0)"
            verdict = "n/a"
        if metric in NOT_CHECKED:
            verdict = "not checked"
        verdicts[metric] = verdict
        lines.append(f"| {metric} | {fmt(mean, digits)} ± {fmt(std, digits)} | "
                     f"{fmt(base, digits)} | {ratio_text} | {verdict} |")
    return "\n".join(lines), verdicts


def all_sources_table(tables: list[pd.DataFrame]) -> str:
    """Markdown table of every source's mean over seeds (context: the other baselines)."""
    sources = [str(s) for s in tables[0].index]
    lines = ["| metric | " + " | ".join(sources) + " |", "|---|" + "---|" * len(sources)]
    for metric in METRICS:
        digits = DIGITS.get(metric, 3)
        cells = [fmt(float(np.mean([float(t.loc[s, metric]) for t in tables])), digits)
                 for s in sources]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check_zone(data: Path, zone: str, seeds: list[int], iterations: int | None,
               root: Path, baseline: str, save: bool,
               settings: dict[str, Any] | None = None,
               eval_seeds: list[int] | None = None) -> dict[str, str]:
    """Load, train and evaluate one zone; print its report; return the verdicts."""
    from tsgan.data.sources import load_days
    from tsgan.data.split import split_weeks
    from tsgan.evaluate.tables import write_metrics
    from tsgan.model.presets import preset_config

    column = zone_column(zone)
    days = load_days(data, column=column)
    config = preset_config("smard")
    train, test = split_weeks(days, every=config.test_every_nth_week)
    print(f"\n## Zone {zone} (column '{column}')\n", flush=True)
    print(f"- days loaded: {len(days)}; loader report: {days.attrs.get('report', 'n/a')}")
    print(f"- split (every {config.test_every_nth_week}th week held out): "
          f"{len(train)} training days, {len(test)} held-out days")
    budget = iterations if iterations is not None else config.iterations
    changed = ", ".join(f"{k}={v}" for k, v in (settings or {}).items()) or "none"
    print(f"- smard preset defaults, iterations {budget:,}, seeds {seeds}, evaluate_run seeds "
          f"{eval_seeds or [0]} (mean); "
          f"settings changed: {changed}\n")
    print("| data | days | span | mean | std | min | max | negative hours |")
    print("|---|---|---|---|---|---|---|---|")
    print(summary_line(zone, days), flush=True)
    tables = []
    zone_started = time.perf_counter()
    for seed in seeds:
        run_dir = root / f"{zone.replace('/', '_')}-s{seed}"
        table, info = run_seed(days, seed, iterations, run_dir, settings, eval_seeds)
        if save:
            write_metrics(run_dir, table)
        tables.append(table)
        values = " ".join(f"{m}={float(table.loc['gan', m]):.4g}" for m in METRICS)
        print(f"seed {seed}: steps {info['steps']}, train {info['train_s']:.0f} s, "
              f"evaluate {info['eval_s']:.0f} s, n_train {info['split'].get('n_train')}, "
              f"n_test {info['split'].get('n_test')} | gan {values}", flush=True)
    if baseline not in tables[0].index:
        raise SystemExit(f"other_zone.py: error: no baseline {baseline!r} in the evaluation "
                         f"table (rows: {', '.join(map(str, tables[0].index))})")
    text, verdicts = check_table(tables, baseline)
    print(f"\n### {zone}: GAN vs resampling baseline ({baseline}), bound {BOUND:g}×\n")
    print(text)
    checked = {m: v for m, v in verdicts.items() if m not in NOT_CHECKED}
    passed = sum(v == "yes" for v in checked.values())
    undefined = sum(v == "n/a" for v in checked.values())
    print(f"\n{zone}: {passed} of {len(checked)} checked metrics within {BOUND:g}×"
          + (f" ({undefined} undefined: baseline ≤ 0)" if undefined else "")
          + f"; {time.perf_counter() - zone_started:.0f} s for {len(seeds)} run(s)")
    print(f"\n### {zone}: every source, mean over seeds (context)\n")
    print(all_sources_table(tables), flush=True)
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="SMARD 'Großhandelspreise' CSV export (default: %(default)s)")
    parser.add_argument("--zones", nargs="+", default=["FR", "AT"], type=zone_label,
                        help=f"zone codes ({', '.join(ZONES)}) or header zone names "
                             "(default: FR AT)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--iterations", type=int, default=None,
                        help="training budget (default: the preset's)")
    parser.add_argument("--baseline", default=RESAMPLING_BASELINE,
                        help="evaluate_run row to compare with (default: %(default)s, "
                             "the resampled training days)")
    parser.add_argument("--save-dir", type=Path, default=None,
                        help="keep the runs here (default: a temporary directory)")
    parser.add_argument("--eval-seeds", nargs="+", type=int, default=[0],
                        help="evaluate each run with these seeds and average (default: 0)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, as in tsgan train (repeatable; e.g. "
                             "anchor_neighbours=0 for the noise-only generator)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tsgan
    from tsgan.cli import parse_settings
    from tsgan.data.sources import load_days
    from tsgan.errors import TsganError
    from tsgan.evaluate.baselines import BASELINE_NAMES
    from tsgan.model.presets import preset_config

    settings = parse_settings(args.set)
    preset_config("smard", **settings)  # a bad setting fails now, in one line, not mid-run

    if not args.data.is_file():
        raise TsganError(f"data file {args.data} not found (pass --data PATH)")
    if args.baseline not in BASELINE_NAMES:
        raise TsganError(f"unknown --baseline {args.baseline!r}; choose from "
                         f"{', '.join(BASELINE_NAMES)}")

    started = time.perf_counter()
    print(f"# Other-zone check\n\ndata: {args.data}\n"
          f"tsgan: {Path(tsgan.__file__).parent}")
    reference = load_days(None)
    print("\nreference, the data the defaults were tuned on:\n")
    print("| data | days | span | mean | std | min | max | negative hours |")
    print("|---|---|---|---|---|---|---|---|")
    print(summary_line("bundled DE-LU", reference), flush=True)
    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="other_zone_") as tmp:
        root = args.save_dir if args.save_dir is not None else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for zone in args.zones:
            results[zone] = check_zone(args.data, zone, args.seeds, args.iterations, root,
                                       args.baseline, args.save_dir is not None, settings,
                                       args.eval_seeds)
    print("\n## Verdict per metric (within "
          f"{BOUND:g}× of {args.baseline}; memorisation not checked)\n")
    print("| metric | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for metric in METRICS:
        print(f"| {metric} | " + " | ".join(v[metric] for v in results.values()) + " |")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, Path(__file__).name))
