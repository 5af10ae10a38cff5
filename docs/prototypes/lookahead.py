"""Lookahead-minmax prototype (Chavdarova et al. 2021). LA_K, LA_A env."""
import os, runpy
import tensorflow as tf
import tsgan.model.gan as g
K = int(os.environ.get("LA_K", "5")); A = float(os.environ.get("LA_A", "0.5"))
orig_train_step = g.GAN.train_step
def train_step(self, data):
    if not hasattr(self, "_la_slow"):
        ws = self.generator.trainable_weights + self.discriminator.trainable_weights
        self._la_ws = ws
        self._la_slow = [tf.Variable(w, trainable=False) for w in ws]
        self._la_count = tf.Variable(0, dtype=tf.int64, trainable=False)
    logs = orig_train_step(self, data)
    self._la_count.assign_add(1)
    def sync():
        for s, w in zip(self._la_slow, self._la_ws):
            s.assign(s + A * (w - s)); w.assign(s)
        return tf.constant(0)
    tf.cond(tf.equal(self._la_count % K, 0), sync, lambda: tf.constant(0))
    return logs
g.GAN.train_step = train_step
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
