"""The lighter variant tried before marginal calibration: snap only to the price piles.

    .venv/bin/python docs/prototypes/atom_snap.py RUN_DIR [RUN_DIR ...]

For runs trained without the marginal map (``--set marginal_calibration=false``): an *atom* is
a training price held by >= 0.15 % of the training prices (and >= 20 of them: 0.00, -0.01,
... EUR/MWh). After training, each atom gets a bin of generated values holding exactly its
training share of a calibration sample (max(2,000, n_train) days, the product's calibration
seed), centred on the atom in quantile; overlapping bins are merged into ordered runs. Values
in an atom's bin become the atom, all others stay. Prints each run's GAN row of
``tsgan evaluate`` (mean over evaluation seeds 0-4) with the snap, like
``scripts/other_zone.py --eval-seeds 0 1 2 3 4``.
"""
import sys

import numpy as np

from tsgan.api import load
from tsgan.evaluate.tables import evaluate_arrays, sample_with_test_conditions

SHARE, MIN_COUNT = 0.0015, 20
METRICS = ("energy_distance_rel", "wasserstein", "corr_error", "feature_ks", "discriminative",
           "memorisation")


def quantile_bins(centres, widths):
    groups = [[i] for i in range(len(centres))]

    def span(group):
        width = sum(widths[i] for i in group)
        centre = sum(centres[i] * widths[i] for i in group) / width
        low = min(max(centre - width / 2, 0.0), 1.0 - width)
        return low, low + width

    merged = True
    while merged:
        merged = False
        for j in range(len(groups) - 1):
            if span(groups[j])[1] > span(groups[j + 1])[0]:
                groups[j] += groups.pop(j + 1)
                merged = True
                break
    lower, upper = np.empty(len(centres)), np.empty(len(centres))
    for group in groups:
        start = span(group)[0]
        for i in group:
            lower[i], upper[i] = start, start + widths[i]
            start += widths[i]
    return lower, upper


class AtomSnap:
    def __init__(self, gan):
        values, counts = np.unique(gan.train_data.to_numpy(np.float64), return_counts=True)
        keep = counts >= max(MIN_COUNT, SHARE * gan.train_data.size)
        self.atoms, shares = values[keep], counts[keep] / gan.train_data.size
        seed = int(np.random.default_rng([gan.config.seed, 43]).integers(2**31))
        ordered = np.sort(gan.sample(max(2000, len(gan.train_data)), seed=seed)
                          .to_numpy().ravel())
        centres = (np.searchsorted(ordered, self.atoms, "left")
                   + np.searchsorted(ordered, self.atoms, "right")) / (2.0 * len(ordered))
        q_low, q_high = quantile_bins(centres, shares)
        self.lower, self.upper = np.quantile(ordered, q_low), np.quantile(ordered, q_high)

    def apply(self, x):
        original = np.asarray(x, dtype=np.float64)
        out = original.copy()
        for atom, low, high in zip(self.atoms, self.lower, self.upper, strict=True):
            out[(original >= low) & (original < high)] = atom
        return out


for run in sys.argv[1:]:
    gan = load(run)
    gan.marginal_map = None
    gan.marginal_map = AtomSnap(gan)
    train, test = (gan.train_data.to_numpy(np.float64), gan.test_data.to_numpy(np.float64))
    rows = [evaluate_arrays(train, test, {"gan": sample_with_test_conditions(gan, len(test),
                                                                             seed)[0]},
                            seed=seed).loc["gan"] for seed in range(5)]
    mean = {m: float(np.mean([r[m] for r in rows])) for m in METRICS}
    print(run, "atoms", gan.marginal_map.atoms.tolist(), "|",
          " ".join(f"{m}={v:.4g}" for m, v in mean.items()), flush=True)
