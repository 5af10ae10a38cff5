"""usage: expc.py NAME SEED extra1,extra2 key=val ... ; default + extra previous-week conditions"""
import sys, time, numpy as np, pandas as pd
from tsgan.api import PriceGAN
from tsgan.data.sources import load_days
from tsgan.evaluate.tables import evaluate_arrays, sample_like_test
from tsgan.data.days import HOUR_COLUMNS
name, seed, extras = sys.argv[1], int(sys.argv[2]), [e for e in sys.argv[3].split(",") if e]
over = dict(seed=seed)
for kv in sys.argv[4:]:
    k, v = kv.split("=", 1); over[k] = eval(v)
days = load_days()
v = days[HOUR_COLUMNS]
daily = pd.DataFrame({"low": v.min(1), "spread": v.max(1)-v.min(1), "neg": (v<0).mean(1), "std": v.std(1), "high": v.max(1)}, index=days.index)
full = daily.reindex(pd.date_range(days.index.min(), days.index.max(), freq="D"))
prev = full.rolling(7, min_periods=1).mean().shift(1).reindex(days.index)
prev = prev.fillna(daily)  # first day: its own
for e in extras:
    days["prev_" + e] = prev[e].to_numpy()
conds = ["month", "weekday", "holiday", "level"] + ["prev_" + e for e in extras]
t=time.time()
gan = PriceGAN("smard", conditions=conds, **over).fit(days)
train = gan.train_data.to_numpy(np.float64); test = gan.test_data.to_numpy(np.float64)
synth = sample_like_test(gan, len(test), seed=0)
tab = evaluate_arrays(train, test, {"gan": synth}, seed=0)
r = tab.loc["gan"]
nneg = ((test.min(1)<0).mean(), (synth.min(1)<0).mean())
print(f"{name:28s} s{seed} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} mem {r.memorisation:.3f} negdays {nneg[0]:.3f}/{nneg[1]:.3f} t {gan.train_seconds:.0f}", flush=True)
