"""D also sees EMA samples. FRAC = share of fake rows from the EMA generator."""
import os, runpy
import tensorflow as tf
import tsgan.model.gan as g
FRAC = float(os.environ.get("FRAC", "0.5"))
orig_gen = g.GAN.generate
def discriminator_step(self, real, noise, condition=None):
    real = tf.cast(real, tf.float32)
    b = tf.shape(noise)[0]; k = tf.cast(tf.cast(b, tf.float32) * FRAC, tf.int32)
    if self.condition_dim:
        f1 = self.generator([noise[k:], condition[k:]], training=False)
        f2 = self.ema_generator([noise[:k], condition[:k]], training=False)
    else:
        f1 = self.generator(noise[k:], training=False); f2 = self.ema_generator(noise[:k], training=False)
    fake = tf.stop_gradient(tf.concat([f2, f1], 0))
    weights = self.discriminator.trainable_weights
    with tf.GradientTape() as tape:
        out_real, out_fake = self._score_both(real, fake, condition)
        per_example = (self.per_example_bce(1.0 - self.label_smoothing, out_real) + self.per_example_bce(0.0, out_fake))
        loss = tf.nn.compute_average_loss(per_example)
    grads = tape.gradient(loss, weights)
    self.d_optimizer.apply_gradients(zip(grads, weights, strict=True))
    return {"d_loss": loss, "d_acc_real": tf.nn.compute_average_loss(self._says_real(out_real)),
            "d_acc_fake": tf.nn.compute_average_loss(1.0 - self._says_real(out_fake))}
g.GAN.discriminator_step = discriminator_step
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
