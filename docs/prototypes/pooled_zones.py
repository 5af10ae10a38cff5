"""Pooled multi-zone prototype: DE (bundled) + other SMARD zones (2024-26, shifted by 28-year multiples), zone flags as user conditions. Evaluate on DE held-out weeks."""
import os
import sys, time, numpy as np, pandas as pd
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from other_zone import ZONES, zone_column
from tsgan.api import PriceGAN
from tsgan.data.sources import load_days
from tsgan.data.days import HOUR_COLUMNS
from tsgan.evaluate.tables import evaluate_arrays
seed = int(sys.argv[1]); zones = sys.argv[2].split(",") if len(sys.argv) > 2 else ["BE","DK1","DK2","FR","NL","NO2","AT","PL","SE4","CH","CZ"]
extra = sys.argv[3:]
EXPORT = os.environ.get("SMARD_EXPORT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "Gro_handelspreise_202403010000_202603020000_Stunde.csv"))
de = load_days()[HOUR_COLUMNS].copy()
frames = [de.assign(**{f"z_{z}": 0.0 for z in zones}, z_DE=1.0)]
shifts = [28 * k for k in range(1, 9)] + [-28 * k for k in range(1, 8)]
for z, yrs in zip(zones, shifts):
    d = load_days(EXPORT, column=zone_column(z))[HOUR_COLUMNS].copy()
    d.index = d.index + pd.DateOffset(years=yrs)
    flags = {f"z_{o}": float(o == z) for o in zones}
    frames.append(d.assign(**flags, z_DE=0.0))
days = pd.concat(frames).sort_index()
assert days.index.is_unique
conds = ["month", "weekday", "holiday", "level", "z_DE"] + [f"z_{z}" for z in zones]
over = dict(seed=seed)
for kv in extra:
    k, v = kv.split("=", 1); over[k] = eval(v)
t = time.time()
gan = PriceGAN("smard", conditions=conds, **over).fit(days)
tr, te = gan.train_data, gan.test_data
trc, tec = gan.train_conditions.reset_index(drop=True), gan.test_conditions.reset_index(drop=True)
mtr = (trc["z_DE"] == 1).to_numpy(); mte = (tec["z_DE"] == 1).to_numpy()
train = tr.to_numpy(float)[mtr]; test = te.to_numpy(float)[mte]
c = tec[mte].reset_index(drop=True)
synth = gan.sample(len(test), seed=0, conditions=c).to_numpy(float)
tab = evaluate_arrays(train, test, {"gan": synth}, seed=0)
r = tab.loc["gan"]
print(f"pool{len(zones)} s{seed} {' '.join(extra)} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} mem {r.memorisation:.3f} n_train {len(tr)} DE train {mtr.sum()} test {mte.sum()} t {gan.train_seconds:.0f}", flush=True)
