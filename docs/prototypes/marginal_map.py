"""Post-hoc marginal map on a saved run: per-hour vs pooled quantile mapping (stop 16).

    .venv/bin/python docs/prototypes/marginal_map.py RUN_DIR

Scores the run's held-out-like sample (evaluation seed 0) uncalibrated, with one quantile map
per hour and with one pooled map (knots: even levels; both fitted on a 3,000-day calibration
sample, seed 123), each over five classifier seeds. The product's map is the pooled one
(tsgan/marginals.py), with exact point-mass knots added.
"""
import sys

import numpy as np

from tsgan.evaluate import metrics as M
from tsgan.api import load
from tsgan.evaluate.tables import sample_like_test

gan = load(sys.argv[1])
gan.marginal_map = None  # score the generator's own output
test = gan.test_data.to_numpy(np.float64)
train = gan.train_data.to_numpy(np.float64)
synth = sample_like_test(gan, len(test), seed=0)
calib = gan.sample(3000, seed=123).to_numpy()


def qmap(x, pooled):
    out = np.empty_like(x)
    for h in range(x.shape[1]):
        gen = np.sort(calib.ravel() if pooled else calib[:, h])
        real = train.ravel() if pooled else train[:, h]
        y = np.quantile(real, np.interp(x[:, h], gen, np.linspace(0, 1, len(gen))))
        high, low = x[:, h] > gen[-1], x[:, h] < gen[0]
        y[high] = real.max() + x[high, h] - gen[-1]
        y[low] = real.min() + x[low, h] - gen[0]
        out[:, h] = y
    return out


for name, s in (("uncalibrated", synth), ("per-hour map", qmap(synth, False)),
                ("pooled map", qmap(synth, True))):
    disc = np.mean([M.discriminative_score(s, test, seed=e) for e in range(5)])
    print(f"{name:14s} discriminative {disc:.3f} W1 {M.mean_wasserstein(s, test):.2f} "
          f"corr {M.correlation_error(s, test):.3f} KS {M.daily_feature_ks(s, test):.3f} "
          f"memorisation {M.memorisation(s, train, test):.3f}")
