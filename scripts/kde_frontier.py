"""The KDE baseline at several bandwidths: how close to held-out days, how close to copies.

``tsgan evaluate``'s ``kde`` row uses one bandwidth factor, chosen on validation weeks among
factors that do not copy training days. This script fits the KDE on a run's training days at
each ``--factors`` value (× Scott's rule) and scores it like the ``gan`` row (as many samples
as held-out days, metric seed 0), once per sample seed, so a GAN's discriminative score and
memorisation can be read against the whole trade-off a KDE offers, not one point of it.
The last column is the memorisation the evaluate KDE's bandwidth choice sees for each factor
on validation weeks inside the training days (evaluate only takes a factor whose
validation memorisation is at most 0.05).

    .venv/bin/python scripts/kde_frontier.py --run runs/quickstart --factors 0.1 0.15 0.2 0.3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

COLUMNS = {"energy_distance_rel": "energy dist / spread", "wasserstein": "hourly W1",
           "corr_error": "corr error", "feature_ks": "feature KS",
           "discriminative": "discriminative", "memorisation": "memorisation"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a run directory")
    parser.add_argument("--factors", type=float, nargs="+", default=[0.1, 0.15, 0.2, 0.3],
                        help="bandwidth factors (× Scott's rule)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="sample seeds (mean ± standard deviation over them)")
    args = parser.parse_args(argv)

    from tsgan.api import load
    from tsgan.errors import TsganError
    from tsgan.evaluate.baselines import fit_baseline, select_kde_factor, validation_parts
    from tsgan.evaluate.tables import evaluate_arrays

    if any(not f > 0 for f in args.factors):
        raise TsganError(f"--factors must be positive, got {args.factors}")
    if any(s < 0 for s in args.seeds):
        raise TsganError(f"--seeds must be integers >= 0, got {args.seeds}")
    model = load(args.run)
    train = model.train_data.to_numpy(np.float64)
    test = model.test_data.to_numpy(np.float64)
    fit_rows, val_rows = validation_parts(model.train_data, 0)
    _, _, validation_memorisation = select_kde_factor(fit_rows, val_rows,
                                                      factors=tuple(args.factors), seed=0)
    print(f"run {args.run}: {len(train)} training days, {len(test)} held-out days; "
          f"mean ± sd over sample seeds {args.seeds}\n")
    print("| KDE factor | " + " | ".join(COLUMNS.values()) + " | validation memorisation |")
    print("|---|" + "---|" * (len(COLUMNS) + 1))
    for factor in args.factors:
        kde = fit_baseline("kde", train, factor=factor)
        sources = {f"s{s}": kde.sample(len(test), seed=s) for s in args.seeds}
        table = evaluate_arrays(train, test, sources, seed=0)
        cells = [f"{table[c].mean():.4f} ± {table[c].std(ddof=0):.4f}"
                 if c == "energy_distance_rel" else
                 f"{table[c].mean():.3f} ± {table[c].std(ddof=0):.3f}"
                 if c in table else "-" for c in COLUMNS]
        cells.append(f"{validation_memorisation[float(factor)]:.3f}")
        print(f"| {factor:g} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, Path(__file__).name))
