import sys, numpy as np
from tsgan.api import load
from tsgan.evaluate.tables import sample_like_test
from tsgan.evaluate import metrics as M
gan = load(sys.argv[1])
test = gan.test_data.to_numpy(np.float64); train = gan.train_data.to_numpy(np.float64)
synth = sample_like_test(gan, len(test), seed=0)
print("plain", round(M.discriminative_score(synth, test),3))
for w in (2, 5, 10, 20):
    s = synth.copy(); m = np.abs(s) < w; s[m] *= 0.01
    print("snap |p|<", w, "frac", m.mean().round(4), round(M.discriminative_score(s, test),3))
# how about test days with near-zero excluded
