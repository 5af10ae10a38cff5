"""Per-hour move statistics of a run's samples against its held-out days: python move_sizes.py RUN"""
import sys, numpy as np
from tsgan.api import load
from tsgan.evaluate.tables import sample_like_test
from tsgan.evaluate import metrics as M
gan = load(sys.argv[1])
train = gan.train_data.to_numpy(np.float64); test = gan.test_data.to_numpy(np.float64)
synth = sample_like_test(gan, len(test), seed=0)
dt, ds = np.diff(test, axis=1), np.diff(synth, axis=1)
print("hour  KS   std_real std_gan  med|d| real gan")
for h in range(23):
    print(h, f"{M.ks_statistic(dt[:,h], ds[:,h]):.3f} {dt[:,h].std():7.2f} {ds[:,h].std():7.2f} {np.median(np.abs(dt[:,h])):6.2f} {np.median(np.abs(ds[:,h])):6.2f}")
for thr in (0.01, 0.1, 0.5, 1, 2):
    print("frac |diff|<", thr, (np.abs(dt)<thr).mean().round(3), (np.abs(ds)<thr).mean().round(3))
# sign agreement
print("frac diff>0 real", (dt>0).mean(0).round(2))
print("frac diff>0 gan ", (ds>0).mean(0).round(2))
# single-feature disc score per diff column
sc = [M.discriminative_score(ds[:,[h]], dt[:,[h]]) for h in range(23)]
print("single-diff disc", np.round(sc,3))
# relative diffs
