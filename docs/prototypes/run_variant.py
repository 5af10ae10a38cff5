"""usage: exp.py NAME SEED key=val ... ; prints one line of metrics."""
import sys, time, numpy as np
from tsgan.api import PriceGAN
from tsgan.data.sources import load_days
from tsgan.evaluate.tables import evaluate_arrays, sample_like_test
from tsgan.evaluate import metrics as M
name, seed = sys.argv[1], int(sys.argv[2])
over = dict(seed=seed)
disc = {}; gen = {}
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    if k.startswith("d."): disc[k[2:]] = eval(v)
    elif k.startswith("g."): gen[k[2:]] = eval(v)
    else: over[k] = eval(v)
if disc:
    from tsgan.model.presets import preset_config
    d = preset_config("smard").discriminator.to_dict(); d.update(disc); over["discriminator"] = d
if gen:
    from tsgan.model.presets import preset_config
    d = preset_config("smard").generator.to_dict(); d.update(gen); over["generator"] = d
t=time.time()
gan = PriceGAN("smard", **over).fit(load_days())
train = gan.train_data.to_numpy(np.float64); test = gan.test_data.to_numpy(np.float64)
synth = sample_like_test(gan, len(test), seed=0)
tab = evaluate_arrays(train, test, {"gan": synth}, seed=0)
old = M.classifier_features; M.classifier_features = lambda v: np.diff(v, axis=1)
dd = M.discriminative_score(synth, test); M.classifier_features = old
r = tab.loc["gan"]
print(f"{name:28s} s{seed} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} mem {r.memorisation:.3f} diffdisc {dd:.3f} t {gan.train_seconds:.0f}", flush=True)
