"""What a classifier sees in a run's days near zero (stop 16, before marginal calibration).

    .venv/bin/python docs/prototypes/near_zero_prices.py RUN_DIR

For the run's real days (training + held-out) and its generator's own output (the marginal
map switched off): the shares of hours at exactly 0.00 and -0.01 EUR/MWh, the share of
consecutive-hour pairs whose mean lies within +-5 EUR/MWh, the classifier features
(tsgan.evaluate.metrics.classifier_features) whose distributions differ most (two-sample KS), and the
discriminative score of each classifier view alone (evaluation sample, 5 classifier seeds).
Last, how many training values repeat ten or more times and what share of prices they hold.
"""
import sys

import numpy as np

from tsgan.evaluate import metrics as M
from tsgan.api import load
from tsgan.evaluate.tables import sample_like_test

gan = load(sys.argv[1])
gan.marginal_map = None
train = gan.train_data.to_numpy(np.float64)
test = gan.test_data.to_numpy(np.float64)
real = np.vstack([train, test])
generated = gan.sample(3000, seed=1).to_numpy()

for name, days in (("real", real), ("generated", generated)):
    pair_mean = (days[:, 1:] + days[:, :-1]) / 2
    print(f"{name:9s}: hours at 0.00 {np.mean(days == 0.0):.2%}, at -0.01 "
          f"{np.mean(days == -0.01):.2%}; hour pairs with mean in [-5, 5) "
          f"{np.mean((pair_mean >= -5) & (pair_mean < 5)):.3f}")

names = ([f"hour {h}" for h in range(24)] + [f"sorted {k}" for k in range(24)]
         + [f"diff {h}-{h + 1}" for h in range(23)])
fr, fg = M.classifier_features(real), M.classifier_features(generated)
ks = np.array([M.ks_statistic(fr[:, j], fg[:, j]) for j in range(fr.shape[1])])
print("features that differ most (KS):",
      ", ".join(f"{names[j]} {ks[j]:.3f}" for j in np.argsort(-ks)[:6]))

synth = sample_like_test(gan, len(test), seed=0)
views = {"all": None, "raw": lambda v: v, "sorted": lambda v: np.sort(v, axis=1),
         "diff": lambda v: np.diff(v, axis=1)}
for view, features in views.items():
    score = np.mean([M.discriminative_score(synth, test, seed=e, features=features)
                     for e in range(5)])
    print(f"discriminative, {view} view: {score:.3f}")

_, counts = np.unique(train, return_counts=True)
print(f"training values repeated >= 10 times: {(counts >= 10).sum()}, holding "
      f"{counts[counts >= 10].sum() / train.size:.1%} of the training prices")
