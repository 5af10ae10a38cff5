"""Prototype: an anchored (refiner) conditional GAN.

G(z, anchor, c) = anchor + r(z, anchor, c), where anchor is a training day drawn among the
K training days whose encoded conditions are nearest to c. A copy guard adds
guard * mean(relu(tau - |G - anchor|)) to G's loss (scaled space), tau = tau_c x median
leave-one-out nearest-neighbour distance of the training days (scaled space).

usage: anchored.py NAME SEED key=val ...   (keys: iters K tau_c guard res_scale lr fm ema)
"""
import sys
import time

import keras
import numpy as np
import tensorflow as tf

from tsgan.evaluate import metrics as M
from tsgan.api import PriceGAN
from tsgan.evaluate.tables import evaluate_arrays
from tsgan.model.gan import GAN
from tsgan.model.networks import build_discriminator
from tsgan.data.sources import load_days

name, seed = sys.argv[1], int(sys.argv[2])
opt = dict(iters=20000, K=20, tau_c=0.5, guard=10.0, lr=5e-4, fm=10.0, ema=0.999,
           units=128, layers=3, batch=64, zdim=32, res_init=0.1, self_anchor=0, hi_c=0.0, hi_w=10.0)
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    opt[k] = type(opt[k])(eval(v))

keras.utils.set_random_seed(seed)
shell = PriceGAN("smard", seed=seed, iterations=1)
shell.fit(load_days())
config = shell.config
train_raw = shell.train_data.to_numpy(np.float64)
test_raw = shell.test_data.to_numpy(np.float64)
days = shell.scaler.transform(train_raw).astype(np.float32)
enc = shell.condition_encoder.encode(shell.train_conditions).astype(np.float32)
test_enc = shell.condition_encoder.encode(shell.test_conditions).astype(np.float32)
n, d = days.shape
cdim = enc.shape[1]
K = opt["K"]


def cond_neighbours(query: np.ndarray, exclude_self: bool) -> np.ndarray:
    dist = ((query[:, None, :] - enc[None, :, :]) ** 2).sum(-1)
    if exclude_self:
        np.fill_diagonal(dist, np.inf)
    return np.argsort(dist, axis=1, kind="stable")[:, :K]


nbr = cond_neighbours(enc, exclude_self=not opt["self_anchor"])
dd = ((days[:, None, :] - days[None, :, :]) ** 2).sum(-1)
np.fill_diagonal(dd, np.inf)
loo = np.sqrt(dd.min(1))
tau = float(opt["tau_c"] * np.median(loo))
hi_tau = float(opt["hi_c"] * np.median(loo))
print(f"median LOO NN dist (scaled) {np.median(loo):.3f}, tau {tau:.3f}", flush=True)

# ---- networks
latent = opt["zdim"]
z_in = keras.Input((latent + d,), name="noise_and_anchor")
c_in = keras.Input((cdim,), name="condition")
anchor = z_in[:, latent:]
h = keras.layers.Concatenate()([z_in, c_in])
for i in range(opt["layers"]):
    h = keras.layers.Dense(opt["units"])(h)
    h = keras.layers.LeakyReLU(0.2)(h)
res = keras.layers.Dense(d, kernel_initializer=keras.initializers.VarianceScaling(
    opt["res_init"]))(h)
out = keras.layers.Add()([anchor, res])
G = keras.Model([z_in, c_in], out, name="generator")
D = build_discriminator(config, d, cdim)

days_t = tf.constant(days)
enc_t = tf.constant(enc)
nbr_t = tf.constant(nbr, tf.int32)


class AnchoredGAN(GAN):
    def anchored_noise(self, idx):
        b = tf.shape(idx)[0]
        col = tf.random.uniform((b,), 0, K, dtype=tf.int32)
        j = tf.gather_nd(nbr_t, tf.stack([idx, col], 1))
        z = tf.random.normal((b, latent))
        return tf.concat([z, tf.gather(days_t, j)], 1)

    def generator_step(self, noise, condition=None, real=None):
        weights = self.generator.trainable_weights
        with tf.GradientTape() as tape:
            fake = self.generate(noise, condition, training=True)
            out = self.score(fake, condition, training=False)
            loss = tf.reduce_mean(self.per_example_bce(1.0, out))
            loss += self.feature_matching * self.feature_matching_loss(real, fake, condition)
            move = tf.norm(fake - noise[:, latent:], axis=1)
            guard = tf.reduce_mean(tf.nn.relu(tau - move))
            loss += opt["guard"] * guard
            if opt["hi_c"]:
                loss += opt["hi_w"] * tf.reduce_mean(tf.nn.relu(move - hi_tau))
        grads = tape.gradient(loss, weights)
        self.g_optimizer.apply_gradients(zip(grads, weights))
        self.update_ema()
        return {"g_loss": loss, "guard": guard, "move": tf.reduce_mean(move)}

    @tf.function
    def step(self, idx):
        real = tf.gather(days_t, idx)
        cond = tf.gather(enc_t, idx)
        logs = self.discriminator_step(real, self.anchored_noise(idx), cond)
        logs.update(self.generator_step(self.anchored_noise(idx), cond, real))
        return logs


gan = AnchoredGAN(G, D, latent + d, condition_dim=cdim, ema_decay=opt["ema"],
                  feature_matching=opt["fm"], seed=seed)
gan.compile(d_optimizer=keras.optimizers.Adam(opt["lr"], beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(opt["lr"], beta_1=0.5))
rng = np.random.default_rng(seed)
t = time.time()
for it in range(opt["iters"]):
    logs = gan.step(tf.constant(rng.integers(0, n, opt["batch"]), tf.int32))
    if (it + 1) % 5000 == 0:
        print(it + 1, {k: round(float(v), 3) for k, v in logs.items()}, flush=True)
secs = time.time() - t

# ---- sample under the held-out days' conditions
test_nbr = cond_neighbours(test_enc, exclude_self=False)
srng = np.random.default_rng([0, 99])
pick = test_nbr[np.arange(len(test_enc)), srng.integers(0, K, len(test_enc))]
noise = np.hstack([srng.standard_normal((len(test_enc), latent)).astype(np.float32),
                   days[pick]])
gen = gan.ema_generator([tf.constant(noise), tf.constant(test_enc)], training=False).numpy()
synth = shell.scaler.inverse_transform(gen.astype(np.float64))
tab = evaluate_arrays(train_raw, test_raw, {"gan": synth}, seed=0)
old = M.classifier_features
M.classifier_features = lambda v: np.diff(v, axis=1)
ddisc = M.discriminative_score(synth, test_raw)
M.classifier_features = old
r = tab.loc["gan"]
print(f"{name:28s} s{seed} ED {r.energy_distance_rel:.4f} W1 {r.wasserstein:5.2f} "
      f"corr {r.corr_error:.3f} KS {r.feature_ks:.3f} disc {r.discriminative:.3f} "
      f"mem {r.memorisation:.3f} diffdisc {ddisc:.3f} t {secs:.0f}", flush=True)
