"""SIR with GBDT density ratio; many evaluators. python sir2.py RUN K alphas"""
import sys, numpy as np, pandas as pd, time
from tsgan.api import load
from tsgan.evaluate.tables import evaluate_arrays
from tsgan.evaluate import metrics as M
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import cross_val_score, StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
run = sys.argv[1]; K = int(sys.argv[2]); alphas = [float(a) for a in sys.argv[3].split(",")]
gan = load(run)
train = gan.train_data.to_numpy(np.float64); test = gan.test_data.to_numpy(np.float64)
trc = gan.train_conditions.reset_index(drop=True); tec = gan.test_conditions.reset_index(drop=True)
enc = gan.condition_encoder.encode
feats = lambda x, c: np.hstack([M.classifier_features(x), enc(c)])
reps = 2; cc2 = pd.concat([trc]*reps, ignore_index=True)
gtr = gan.sample(len(train)*reps, seed=101, conditions=cc2).to_numpy(np.float64)
X = np.vstack([feats(train, trc), feats(gtr, cc2)]); y = np.r_[np.ones(len(train)), np.zeros(len(gtr))]
import os
if os.environ.get("CORR", "gbdt") == "gbdt":
    clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0, random_state=0, class_weight="balanced").fit(X, y)
    prior = 0.0
else:
    feats = lambda x, c: np.hstack([M.classifier_features(gan.scaler.transform(x)), enc(c)])
    X = np.vstack([feats(train, trc), feats(gtr, cc2)])
    clf = make_pipeline(StandardScaler(), MLPClassifier((256,128), alpha=float(os.environ.get("ALPHA_L2", "1e-3")), max_iter=int(os.environ.get("EPOCHS", "200")), random_state=0)).fit(X, y)
    prior = np.log(len(train)/len(gtr))
def logit(x, c):
    p = np.clip(clf.predict_proba(feats(x, c))[:, 1], 1e-6, 1-1e-6); return np.log(p/(1-p)) - prior
n = len(test); cc = pd.concat([tec]*K, ignore_index=True)
cand = gan.sample(n*K, seed=7, conditions=cc).to_numpy(np.float64)
lg = logit(cand, cc).reshape(K, n); cand = cand.reshape(K, n, -1)
rng = np.random.default_rng(0); sources = {"plain": cand[0]}
for a in alphas:
    w = a*lg; w = np.exp(w - w.max(0)); w /= w.sum(0)
    pick = (np.cumsum(w, 0) < rng.random(n)).sum(0).clip(max=K-1)
    sources[f"sir{a}"] = cand[pick, np.arange(n)]
tab = evaluate_arrays(train, test, sources, seed=0)
cv = StratifiedKFold(5, shuffle=True, random_state=0)
evals = {"rf": lambda: RandomForestClassifier(300, min_samples_leaf=3, random_state=0, n_jobs=2),
         "mlp": lambda: make_pipeline(StandardScaler(), MLPClassifier((256,128), alpha=1e-3, max_iter=500, random_state=0))}
for name, s in sources.items():
    r = tab.loc[name]; extra = []
    for en, mk in evals.items():
        for vn, vf in (("eur", M.classifier_features), ("asinh", lambda v: M.classifier_features(gan.scaler.transform(v)))):
            Xc = vf(np.vstack([test, s])); yc = np.r_[np.ones(n), np.zeros(n)]
            extra.append(f"{en}-{vn} {abs(cross_val_score(mk(), Xc, yc, cv=cv).mean()-0.5):.3f}")
    print(f"{run[-4:]} {name:8s} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} mem {r.memorisation:.3f} | " + " ".join(extra), flush=True)
