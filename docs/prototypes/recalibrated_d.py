"""Recalibrated-D SIR prototype: python drs.py RUN STEPS LR K alphas"""
import sys, numpy as np, pandas as pd, time
import keras, tensorflow as tf
from tsgan.api import load
from tsgan.evaluate.tables import evaluate_arrays
from tsgan.evaluate import metrics as M
run, steps, lr, K = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
alphas = [float(a) for a in sys.argv[5].split(",")]
gan = load(run)
train = gan.train_data.to_numpy(np.float64); test = gan.test_data.to_numpy(np.float64)
trc = gan.train_conditions.reset_index(drop=True); tec = gan.test_conditions.reset_index(drop=True)
enc = gan.condition_encoder.encode
D0 = gan.discriminator
D = keras.models.clone_model(D0); D.set_weights(D0.get_weights())
opt = keras.optimizers.Adam(lr, beta_1=0.5)
xr = gan.scaler.transform(train).astype(np.float32); cr = enc(trc).astype(np.float32)
G = gan.generator
@tf.function
def step(x, c, z):
    fake = G([z, c], training=False)
    with tf.GradientTape() as t:
        lr_ = D([x, c], training=True); lf = D([fake, c], training=True)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(lr_), lr_)) + tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.zeros_like(lf), lf))
    g = t.gradient(loss, D.trainable_weights); opt.apply_gradients(zip(g, D.trainable_weights)); return loss
rng = np.random.default_rng(0); t0=time.time(); L=[]
for s in range(steps):
    i = rng.integers(0, len(xr), 64)
    L.append(float(step(xr[i], cr[i], rng.standard_normal((64, gan.config.latent_dim)).astype(np.float32))))
    if (s+1) % 500 == 0: print("step", s+1, "loss", np.mean(L[-500:]).round(3), flush=True)
print("recal", round(time.time()-t0,1), "s")
def logit(x, c):
    return D([tf.constant(gan.scaler.transform(x).astype(np.float32)), tf.constant(enc(c).astype(np.float32))], training=False).numpy().reshape(-1)
n = len(test)
cc = pd.concat([tec]*K, ignore_index=True)
cand = gan.sample(n*K, seed=7, conditions=cc).to_numpy(np.float64)
lg = logit(cand, cc).reshape(K, n); cand = cand.reshape(K, n, -1)
sources = {"plain": cand[0]}
for a in alphas:
    w = a*lg; w = np.exp(w - w.max(0)); w /= w.sum(0)
    u = rng.random(n); pick = (np.cumsum(w, 0) < u).sum(0).clip(max=K-1)
    sources[f"sir a={a}"] = cand[pick, np.arange(n)]
    print(f"a={a} mean ESS {(1/(w**2).sum(0)).mean():.2f}/{K}")
tab = evaluate_arrays(train, test, sources, seed=0)
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score
for name, s in sources.items():
    r = tab.loc[name]
    Xc = np.vstack([M.classifier_features(test), M.classifier_features(s)]); yc = np.r_[np.ones(n), np.zeros(n)]
    rf = abs(cross_val_score(RandomForestClassifier(300, min_samples_leaf=3, random_state=0, n_jobs=2), Xc, yc, cv=5).mean()-0.5)
    print(f"{name:10s} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} mem {r.memorisation:.3f} | RF {rf:.3f}", flush=True)
