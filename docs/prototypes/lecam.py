"""LeCam regularisation prototype (Tseng et al. 2021). LC=weight, LC_DECAY"""
import os, runpy
import tensorflow as tf
import tsgan.model.gan as g
LC = float(os.environ.get("LC", "0.3")); DEC = float(os.environ.get("LC_DECAY", "0.99"))
def discriminator_step(self, real, noise, condition=None):
    if not hasattr(self, "_lc_r"):
        self._lc_r = tf.Variable(0.0, trainable=False); self._lc_f = tf.Variable(0.0, trainable=False)
    real = tf.cast(real, tf.float32)
    fake = tf.stop_gradient(self.generate(noise, condition, training=False))
    weights = self.discriminator.trainable_weights
    with tf.GradientTape() as tape:
        out_real, out_fake = self._score_both(real, fake, condition)
        per_example = (self.per_example_bce(1.0 - self.label_smoothing, out_real) + self.per_example_bce(0.0, out_fake))
        loss = tf.nn.compute_average_loss(per_example)
        reg = tf.reduce_mean(tf.square(out_real - self._lc_f)) + tf.reduce_mean(tf.square(out_fake - self._lc_r))
        total = loss + LC * reg
    grads = tape.gradient(total, weights)
    self.d_optimizer.apply_gradients(zip(grads, weights, strict=True))
    self._lc_r.assign(DEC * self._lc_r + (1 - DEC) * tf.reduce_mean(out_real))
    self._lc_f.assign(DEC * self._lc_f + (1 - DEC) * tf.reduce_mean(out_fake))
    return {"d_loss": loss, "d_acc_real": tf.nn.compute_average_loss(self._says_real(out_real)),
            "d_acc_fake": tf.nn.compute_average_loss(1.0 - self._says_real(out_fake))}
g.GAN.discriminator_step = discriminator_step
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
