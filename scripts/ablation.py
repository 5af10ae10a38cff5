"""Ablation of the smard quality options (scenario quality).

Trains the ``smard`` preset once per variant and seed (``default``: as it ships;
``default-X`` / ``default+X``: as it ships without / with one option; every other variant
starts from the plain GAN — unconditional, no weight average, no discriminator options, no
feature matching — and adds options),
scores every run's samples against its held-out weeks exactly as ``tsgan evaluate`` scores
the ``gan`` row (same n = number of held-out days, same sampling and metric seed; conditional
runs generate under the held-out days' conditions), and prints a Markdown table of mean ± std
over seeds per metric plus training seconds. With ``--baselines`` the baseline rows of
:func:`tsgan.evaluate.tables.evaluate_run` (seed 0) are printed for reference.

    .venv/bin/python scripts/ablation.py                       # default budget, seeds 0 1 2
    .venv/bin/python scripts/ablation.py --iterations 6000 --variants base shape mbstd
    .venv/bin/python scripts/ablation.py --save-dir runs/ablation   # also keep the runs
    .venv/bin/python scripts/ablation.py --variants base wgan-gp --iterations 6000
    .venv/bin/python scripts/ablation.py --variants default default-fm default-shape+mbstd

Runs go one after another in this process (CPU time is shared; the training seconds are
comparable only within one invocation). ``--csv PATH`` writes the per-run rows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

METRICS = ("energy_distance_rel", "wasserstein", "corr_error", "feature_ks", "discriminative",
           "memorisation")

#: Discriminator overrides per variant (applied on top of the smard preset's discriminator).
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},  # the smard preset as it ships
    "base": {"shape_features": False, "conv_filters": [], "minibatch_stddev": False,
             "spectral_norm": False},
    "shape": {"shape_features": True},
    "mbstd": {"minibatch_stddev": True},
    "conv": {"conv_filters": [16, 16]},
    "sn": {"spectral_norm": True},
    "shape+mbstd": {"shape_features": True, "minibatch_stddev": True},
    "shape+conv+mbstd": {"shape_features": True, "conv_filters": [16, 16],
                         "minibatch_stddev": True},
    "wgan-gp": {},
    "wgan-gp-b05": {},
    "wgan-gp-lr3e-4": {},
    "ema": {},
    "ema0.99": {},
    "ema0.9999": {},
    "ema0.998": {},
    "ema-10k": {},
    "shape+mbstd+ema": {"shape_features": True, "minibatch_stddev": True},
    "cal+level+ema": {},
    "cal": {},
    "cal+level": {},
    "wgan-gp+cal+level": {},
    "wgan-gp+ema": {},
    "wgan-gp+cal+level+ema": {},
}

#: WGAN-GP: critic with gradient penalty, 5 critic steps per G step
#: (``critic_steps`` and ``gp_weight`` at their defaults, 5 and 10), base discriminator.
#: Adam 1e-4, beta_1 0.0, beta_2 0.9 are the WGAN-GP paper's settings; the ``-b05`` and
#: ``-lr3e-4`` variants check those two choices on this data.
_WGAN: dict[str, Any] = {"loss": "wgan-gp", "learning_rate": 1e-4, "beta_1": 0.0,
                         "beta_2": 0.9}
_CALENDAR = ["month", "weekday", "holiday"]
#: What every variant but ``default`` starts from: the preset without its quality options.
PLAIN: dict[str, Any] = {"conditions": [], "ema_decay": 0.0, "feature_matching": 0.0,
                         "anchor_neighbours": 0, "marginal_calibration": False}
#: The discriminator options every plain variant starts from (all off).
PLAIN_DISCRIMINATOR: dict[str, Any] = VARIANTS["base"]
#: Variants of the preset as it ships with one option removed or added (config overrides;
#: ``discriminator`` holds discriminator fields).
FROM_DEFAULT: dict[str, dict[str, Any]] = {
    "default-fm": {"feature_matching": 0.0},
    "default-shape": {"discriminator": {"shape_features": False}},
    "default-mbstd": {"discriminator": {"minibatch_stddev": False}},
    "default-shape+mbstd": {"discriminator": {"shape_features": False,
                                              "minibatch_stddev": False}},
    "default-ema": {"ema_decay": 0.0},
    "default-level": {"conditions": _CALENDAR},
    "default-conditions": {"conditions": []},
    "default+select": {"select_every": 1000},
    "default-anchor": {"anchor_neighbours": 0},
    "default+threshold": {"edit_threshold": 0.1},
    "default-marginal": {"marginal_calibration": False},
    "default-anchor-marginal": {"anchor_neighbours": 0, "marginal_calibration": False},
}
#: Top-level config overrides per variant (on top of the smard preset), besides VARIANTS.
CONFIG_OVERRIDES: dict[str, dict[str, Any]] = {
    "wgan-gp": _WGAN,
    "wgan-gp-b05": {**_WGAN, "beta_1": 0.5},
    "wgan-gp-lr3e-4": {**_WGAN, "learning_rate": 3e-4},
    "ema": {"ema_decay": 0.999},
    "ema0.99": {"ema_decay": 0.99},
    "ema0.9999": {"ema_decay": 0.9999},
    "ema0.998": {"ema_decay": 0.998},
    "ema-10k": {"ema_decay": 0.999, "iterations": 10_000},
    "shape+mbstd+ema": {"ema_decay": 0.999},
    "cal+level+ema": {"conditions": [*_CALENDAR, "level"], "ema_decay": 0.999},
    "cal": {"conditions": _CALENDAR},
    "cal+level": {"conditions": [*_CALENDAR, "level"]},
    "wgan-gp+cal+level": {**_WGAN, "conditions": [*_CALENDAR, "level"]},
    "wgan-gp+ema": {**_WGAN, "ema_decay": 0.999},
    "wgan-gp+cal+level+ema": {**_WGAN, "conditions": [*_CALENDAR, "level"],
                              "ema_decay": 0.999},
}


def run_one(variant: str, seed: int, iterations: int | None, save_dir: Path | None,
            days: pd.DataFrame) -> dict[str, Any]:
    """Train one run and score its GAN samples like ``evaluate_run`` scores the gan row."""
    from tsgan.api import PriceGAN
    from tsgan.evaluate.tables import evaluate_arrays, sample_like_test

    overrides: dict[str, Any] = {"seed": seed}
    if variant in FROM_DEFAULT:
        overrides.update(FROM_DEFAULT[variant])
    elif variant != "default":  # from the plain GAN: unconditional, no EMA, no D options
        overrides.update({"discriminator": {**PLAIN_DISCRIMINATOR, **VARIANTS[variant]},
                          **PLAIN, **CONFIG_OVERRIDES.get(variant, {})})
    if iterations is not None:
        overrides["iterations"] = iterations
    gan = PriceGAN("smard", **overrides).fit(days)
    if save_dir is not None:
        gan.save(save_dir / f"{variant}-s{seed}")
    train = gan.train_data.to_numpy(np.float64)
    test = gan.test_data.to_numpy(np.float64)
    synth = sample_like_test(gan, len(test), seed=0)
    table = evaluate_arrays(train, test, {"gan": synth}, seed=0)
    row = {"variant": variant, "seed": seed, "train_s": gan.train_seconds}
    row.update({m: float(table.loc["gan", m]) for m in METRICS})
    return row


def summarise(rows: pd.DataFrame, order: list[str]) -> str:
    """Markdown table: one row per variant, mean ± std over seeds per column."""
    cols = [*METRICS, "train_s"]
    head = "| variant | seeds | " + " | ".join(cols) + " |"
    lines = [head, "|" + "---|" * (len(cols) + 2)]
    for variant in order:
        part = rows[rows["variant"] == variant]
        if part.empty:
            continue
        cells = []
        for c in cols:
            mean, std = part[c].mean(), part[c].std(ddof=1) if len(part) > 1 else 0.0
            digits = 1 if c in ("wasserstein", "train_s") else 4 if c == "energy_distance_rel" \
                else 3
            cells.append(f"{mean:.{digits}f} ± {std:.{digits}f}")
        lines.append(f"| {variant} | {len(part)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS),
                        choices=[*VARIANTS, *FROM_DEFAULT])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--iterations", type=int, default=None,
                        help="training budget (default: the preset's, 20,000)")
    parser.add_argument("--save-dir", type=Path, default=None, help="keep the runs here")
    parser.add_argument("--csv", type=Path, default=None, help="write per-run rows here")
    parser.add_argument("--baselines", action="store_true",
                        help="also print evaluate_run's baseline rows (seed-0 run)")
    args = parser.parse_args(argv)

    from tsgan.data.sources import load_days

    days = load_days()
    rows = []
    started = time.perf_counter()
    for variant in args.variants:
        for seed in args.seeds:
            row = run_one(variant, seed, args.iterations, args.save_dir, days)
            rows.append(row)
            print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in row.items()), flush=True)
            if args.csv is not None:
                pd.DataFrame(rows).to_csv(args.csv, index=False)
    frame = pd.DataFrame(rows)
    budget = args.iterations or "preset default (20,000)"
    print(f"\nsmard preset, iterations {budget}, seeds {args.seeds}, "
          f"{time.perf_counter() - started:.0f} s in all\n")
    print(summarise(frame, args.variants))
    if args.baselines:
        from tsgan.api import PriceGAN, load
        from tsgan.evaluate.tables import evaluate_run

        with tempfile.TemporaryDirectory() as tmp:
            overrides: dict[str, Any] = {"seed": 0}
            if args.iterations is not None:
                overrides["iterations"] = args.iterations
            PriceGAN("smard", **overrides).fit(days).save(Path(tmp) / "run")
            table = evaluate_run(load(Path(tmp) / "run"), seed=0)
        print("\nevaluate_run, preset default, seed 0 (all sources):\n")
        print(table[list(METRICS)].to_markdown(floatfmt=".4g")
              if _has_tabulate() else table[list(METRICS)].to_string())
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, Path(__file__).name))
