"""Previous day's 24 prices (or a summary) as user conditions. MODE=full|last|mean"""
import sys, os, numpy as np, pandas as pd
from tsgan.api import PriceGAN
from tsgan.data.sources import load_days
from tsgan.data.days import HOUR_COLUMNS
from tsgan.evaluate.tables import evaluate_arrays, sample_like_test
MODE = os.environ.get("MODE", "full"); seed = int(sys.argv[1])
days = load_days()
full = days[HOUR_COLUMNS].reindex(pd.date_range(days.index.min(), days.index.max(), freq="D"))
prev = full.shift(1).reindex(days.index)
prev = prev.fillna(days[HOUR_COLUMNS].rename(columns=dict(zip(HOUR_COLUMNS, HOUR_COLUMNS))))  # first day: itself
if MODE == "full":
    cols = [f"p{h:02d}" for h in range(24)]
    for h, c in enumerate(cols): days[c] = prev[HOUR_COLUMNS[h]].to_numpy()
elif MODE == "last":
    cols = ["p_last", "p_mean"]; days["p_last"] = prev["h23"].to_numpy(); days["p_mean"] = prev.mean(1).to_numpy()
gan = PriceGAN("smard", conditions=["month", "weekday", "holiday", "level"] + cols, seed=seed).fit(days)
train = gan.train_data.to_numpy(float); test = gan.test_data.to_numpy(float)
synth = sample_like_test(gan, len(test), seed=0)
r = evaluate_arrays(train, test, {"gan": synth}, seed=0).loc["gan"]
print(f"prevday-{MODE} s{seed} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} mem {r.memorisation:.3f} t {gan.train_seconds:.0f}", flush=True)
