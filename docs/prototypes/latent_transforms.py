"""Latent-transform prototype. env LAT=tukeyh|sparse|cube; runs exp.py"""
import os, runpy, keras
import tsgan.model.networks as Mo, tsgan.api
LAT = os.environ.get("LAT", "tukeyh"); H = float(os.environ.get("H", "0.2"))
@keras.saving.register_keras_serializable(package="proto")
def transform(z):
    ops = keras.ops
    d = z.shape[-1]; half = d // 2
    if LAT == "tukeyh":
        return z * ops.exp(H * z * z / 2)
    if LAT == "cat":
        K = int(H)
        u = 0.5 * (1.0 + keras.ops.erf(z[:, :1] / 1.4142135))
        idx = keras.ops.cast(keras.ops.clip(keras.ops.floor(u * K), 0, K - 1), "int32")
        return keras.ops.concatenate([z[:, 1:], 3.0 * keras.ops.one_hot(idx[:, 0], K)], axis=-1)
    a, b = z[:, :half], z[:, half:]
    if LAT == "sparse":
        a = ops.sign(a) * ops.relu(ops.abs(a) - H)
    elif LAT == "cube":
        a = a * a * a / 3.0
    elif LAT == "scale":
        a = a * ops.exp(H * b[:, :1])
    return ops.concatenate([a, b], axis=-1)
orig = Mo.build_mlp
def build_mlp(input_dim, output_dim, net, name, discriminator=False, condition_dim=0):
    if discriminator: return orig(input_dim, output_dim, net, name, discriminator, condition_dim)
    inner = input_dim - 1 + int(H) if LAT == "cat" else input_dim
    m = orig(inner, output_dim, net, name, discriminator, condition_dim)
    inputs = [keras.Input((input_dim,))] + ([keras.Input((condition_dim,))] if condition_dim else [])
    z = keras.layers.Lambda(transform)(inputs[0])
    out = m([z] + inputs[1:]) if condition_dim else m(z)
    return keras.Model(inputs if condition_dim else inputs[0], out, name=name)
Mo.build_mlp = build_mlp
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
