"""Does a conditional run follow its conditions? Calendar situations and price levels.

Trains the ``smard`` preset conditioned on month, weekday, holiday and level (or loads a run
with ``--run``) and prints two Markdown tables:

1. calendar situations (January weekdays, July Sundays, …): mean price and mean absolute
   difference of the mean day profiles, generated vs the real days of that situation
   (training and held-out days; held-out only in the last columns);
2. price levels: for each asked level (mean price of the 7 days before, EUR/MWh) the mean
   of generated days next to the mean of real days whose level lies within ±20 % (±10 EUR/MWh
   below 50) — the regime question (2021-22 crisis): what ``tsgan generate --level L`` gives.

    .venv/bin/python scripts/conditional_check.py                    # train (seed 0), check
    .venv/bin/python scripts/conditional_check.py --run runs/cond    # check a saved run
    .venv/bin/python scripts/conditional_check.py --save-plot conditions.png
    .venv/bin/python scripts/conditional_check.py --run runs/cond --without-map

``--without-map`` checks the generator's own output, without the run's marginal map
(:mod:`tsgan.model.marginals`): the same weights, so the difference is what the map does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SITUATIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("January weekdays", {"month": 1, "weekday": "mon-fri", "holiday": 0}),
    ("January Sundays", {"month": 1, "weekday": 6}),
    ("July weekdays", {"month": 7, "weekday": "mon-fri", "holiday": 0}),
    ("July Sundays", {"month": 7, "weekday": 6}),
    ("public holidays", {"holiday": 1}),
)
LEVELS = (0.0, 25.0, 50.0, 100.0, 200.0, 300.0, 450.0)
N_GENERATED = 1000


def calendar_table(model: Any) -> str:
    """Markdown: generated vs real means per calendar situation."""
    from tsgan.data.conditions import matching

    names = model.condition_names
    real = pd.concat([model.train_data, model.test_data])[model.columns].to_numpy()
    raw = pd.concat([model.train_conditions, model.test_conditions])
    held = model.test_data[model.columns].to_numpy()
    lines = ["| situation | real days | real mean | generated mean | profile MAE | "
             "held-out days | held-out mean |", "|---|---|---|---|---|---|---|"]
    for title, spec in SITUATIONS:
        wanted = {k: v for k, v in spec.items() if k in names}
        keep = matching(raw, wanted)
        if not wanted or not keep.any():
            continue
        gen = model.sample(N_GENERATED, seed=0, conditions=wanted)[model.columns].to_numpy()
        days = real[keep]
        mae = float(np.abs(gen.mean(axis=0) - days.mean(axis=0)).mean())
        test_keep = matching(model.test_conditions, wanted)
        held_mean = f"{held[test_keep].mean():.1f}" if test_keep.any() else "—"
        lines.append(f"| {title} | {len(days)} | {days.mean():.1f} | {gen.mean():.1f} | "
                     f"{mae:.1f} | {int(test_keep.sum())} | {held_mean} |")
    return "\n".join(lines)


def level_table(model: Any) -> str:
    """Markdown: generated mean for an asked level vs real days near that level."""
    real = pd.concat([model.train_data, model.test_data])[model.columns].to_numpy()
    raw = pd.concat([model.train_conditions, model.test_conditions])
    level = raw["level"].to_numpy()
    lines = ["| asked level | generated mean | generated p5 … p95 | real days near it | "
             "their mean | their p5 … p95 |", "|---|---|---|---|---|---|"]
    for asked in LEVELS:
        gen = model.sample(N_GENERATED, seed=0, conditions={"level": asked})
        values = gen[model.columns].to_numpy()
        lo, hi = (asked - 10.0, asked + 10.0) if asked < 50 else (0.8 * asked, 1.2 * asked)
        near = (level >= lo) & (level <= hi)
        real_cells = "0 | — | —"
        if near.any():
            days = real[near]
            real_cells = (f"{int(near.sum())} | {days.mean():.1f} | "
                          f"{np.percentile(days, 5):.0f} … {np.percentile(days, 95):.0f}")
        lines.append(f"| {asked:.0f} | {values.mean():.1f} | {np.percentile(values, 5):.0f} … "
                     f"{np.percentile(values, 95):.0f} | {real_cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="check this saved conditional run")
    parser.add_argument("--seed", type=int, default=0, help="training seed (without --run)")
    parser.add_argument("--iterations", type=int, help="training budget (default: preset's)")
    parser.add_argument("--save-plot", type=Path, help="also draw the condition panels here")
    parser.add_argument("--without-map", action="store_true",
                        help="check the generator's own output, without the marginal map")
    args = parser.parse_args(argv)

    from tsgan.api import PriceGAN, load

    if args.run is not None:
        model = load(args.run)
        what = f"run {args.run}"
    else:
        overrides: dict[str, Any] = {"seed": args.seed,
                                     "conditions": ["month", "weekday", "holiday", "level"]}
        if args.iterations:
            overrides["iterations"] = args.iterations
        model = PriceGAN("smard", **overrides).fit()
        what = f"smard preset conditioned on month, weekday, holiday, level, seed {args.seed}"
    if "level" not in model.condition_names or "month" not in model.condition_names:
        print("the run must be conditioned on month, weekday, holiday and level",
              file=sys.stderr)
        return 2
    if args.without_map:
        model.marginal_map = None
        what += ", without its marginal map"
    print(f"{what}; {N_GENERATED} generated days per row (seed 0), EUR/MWh\n")
    print(calendar_table(model))
    print()
    print(level_table(model))
    if args.save_plot is not None:
        from tsgan.viz.plots import condition_panels, plot_condition_panels

        print(f"\nplot: {plot_condition_panels(condition_panels(model), args.save_plot)}")
    return 0


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, Path(__file__).name))
