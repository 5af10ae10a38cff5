"""DiffAugment-style prototype: level shift + amplitude scaling of D's inputs (real and fake). AUG_L, AUG_A, AUG_P"""
import os, runpy
import tensorflow as tf
import tsgan.model.gan as g
SL = float(os.environ.get("AUG_L", "0.1")); SA = float(os.environ.get("AUG_A", "0.1")); P = float(os.environ.get("AUG_P", "1"))
orig_score = g.GAN.score
def score(self, x, condition=None, training=False):
    x = tf.cast(x, tf.float32)
    n = tf.shape(x)[0]
    on = tf.cast(tf.random.uniform((n, 1)) < P, tf.float32)
    mean = tf.reduce_mean(x, axis=1, keepdims=True)
    shift = SL * tf.random.normal((n, 1)) * on
    amp = tf.exp(SA * tf.random.normal((n, 1)) * on)
    x = mean + shift + (x - mean) * amp
    return orig_score(self, x, condition, training)
g.GAN.score = score
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
