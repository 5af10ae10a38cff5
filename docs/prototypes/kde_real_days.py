"""D's real days are KDE-perturbed training days (fresh Sigma-shaped noise each step, reals only). NB = factor of scaled-cov root."""
import os, runpy, numpy as np
import tensorflow as tf
import tsgan.model.gan as g
from tsgan.model.scaling import Scaler
from tsgan.data.sources import load_days
from tsgan.data.days import HOUR_COLUMNS
NB = float(os.environ.get("NB", "0.114"))
z = Scaler("asinh").fit_transform(load_days()[HOUR_COLUMNS].to_numpy(float))
L = tf.constant(np.linalg.cholesky(np.cov(z.T) + 1e-9*np.eye(24)).T.astype(np.float32))
orig = g.GAN.split_batch
def split_batch(self, data):
    real, cond = orig(self, data)
    if real.shape[-1] == 24:
        real = real + NB * tf.random.normal(tf.shape(real)) @ L
    return real, cond
g.GAN.split_batch = split_batch
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
