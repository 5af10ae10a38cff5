"""Two discriminators on disjoint halves of the training days (cross-fitted D). MODE=half|full"""
import os, runpy, numpy as np, keras
import tensorflow as tf
import tsgan.model.gan as g, tsgan.api as api
from tsgan.model.networks import build_optimizer
MODE = os.environ.get("MODE", "half")
orig_build = api.PriceGAN._build_gan
def _build_gan(self):
    gan = orig_build(self)
    gan.d2 = keras.models.clone_model(gan.discriminator)
    gan.d2_opt = build_optimizer(self.config, self.config.d_lr)
    gan.split_w = tf.constant(np.random.default_rng(123).standard_normal((len(self.columns), 1)).astype(np.float32))
    return gan
api.PriceGAN._build_gan = _build_gan
def d2score(self, x, c, training):
    return self.d2([x, c], training=training) if self.condition_dim else self.d2(x, training=training)
def one(self, D, opt, real, fake, condition, wreal, scorefn):
    weights = D.trainable_weights
    with tf.GradientTape() as tape:
        both = None if condition is None else tf.concat([condition, condition], 0)
        out = tf.reshape(scorefn(tf.concat([real, fake], 0), both), [-1])
        n = tf.shape(real)[0]; o_r, o_f = out[:n], out[n:]
        lr = tf.reduce_sum(wreal * self.per_example_bce(1.0, o_r)) / (tf.reduce_sum(wreal) + 1e-6)
        lf = tf.reduce_mean(self.per_example_bce(0.0, o_f))
        loss = lr + lf
    opt.apply_gradients(zip(tape.gradient(loss, weights), weights))
    return loss, o_r, o_f
def discriminator_step(self, real, noise, condition=None):
    real = tf.cast(real, tf.float32)
    fake = tf.stop_gradient(self.generate(noise, condition, training=False))
    h = tf.reshape(real @ self.split_w, [-1]) * 1000.0
    m = tf.cast(h - tf.floor(h) > 0.5, tf.float32)
    if MODE == "full": m = tf.ones_like(m)
    l1, o_r, o_f = one(self, self.discriminator, self.d_optimizer, real, fake, condition, m, lambda x, c: self.score(x, c, training=True))
    l2, _, _ = one(self, self.d2, self.d2_opt, real, fake, condition, 1.0 - m if MODE == "half" else m, lambda x, c: d2score(self, x, c, True))
    return {"d_loss": 0.5 * (l1 + l2), "d_acc_real": tf.reduce_mean(self._says_real(o_r)), "d_acc_fake": tf.reduce_mean(1.0 - self._says_real(o_f))}
def generator_step(self, noise, condition=None, real=None):
    weights = self.generator.trainable_weights
    with tf.GradientTape() as tape:
        fake = self.generate(noise, condition, training=True)
        o1 = self.score(fake, condition, training=False); o2 = d2score(self, fake, condition, False)
        loss = 0.5 * (tf.reduce_mean(self.per_example_bce(1.0, o1)) + tf.reduce_mean(self.per_example_bce(1.0, o2)))
        if self.feature_matching:
            loss += self.feature_matching * self.feature_matching_loss(real, fake, condition)
    self.g_optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
    if self.ema_decay and not self.ema_outside_step: self.update_ema()
    return {"g_loss": loss}
g.GAN.discriminator_step = discriminator_step; g.GAN.generator_step = generator_step
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
