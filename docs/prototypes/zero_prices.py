import sys, numpy as np
from tsgan.api import load
from tsgan.evaluate.tables import sample_like_test
gan = load(sys.argv[1])
test = gan.test_data.to_numpy(np.float64); train = gan.train_data.to_numpy(np.float64)
synth = sample_like_test(gan, len(test), seed=0)
for nm, a in (("train", train), ("test", test), ("gan", synth)):
    print(nm, "frac |p|<0.1:", (np.abs(a)<0.1).mean().round(4), "p in[-5,5]:", (np.abs(a)<5).mean().round(4), "p<0:", (a<0).mean().round(4), "p<-20:", (a<-20).mean().round(4), "negdays", (a.min(1)<0).mean().round(3), "min<-5 days", (a.min(1)<-5).mean().round(3))
vals, cnt = np.unique(np.round(test[np.abs(test)<1], 2), return_counts=True)
print("test common small values", sorted(zip(cnt, vals))[-8:])
print("gan quantiles of daily min", np.quantile(synth.min(1), [0.01,0.05,0.1,0.15,0.2]).round(1))
print("test quantiles of daily min", np.quantile(test.min(1), [0.01,0.05,0.1,0.15,0.2]).round(1))
print("train quantiles of daily min", np.quantile(train.min(1), [0.01,0.05,0.1,0.15,0.2]).round(1))
