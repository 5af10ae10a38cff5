"""Quantile-map prototype on top of asinh. env LAM (blend), KNOTS. then runs exp.py"""
import os, runpy, numpy as np
from scipy.stats import norm
import tsgan.model.scaling as S
LAM = float(os.environ.get("LAM", "1")); KN = int(os.environ.get("KNOTS", "256"))
orig_fit, orig_t, orig_i = S.Scaler._fit_asinh, S.Scaler.transform, S.Scaler.inverse_transform
STATE = {}
def fit_asinh(self, x):
    params = orig_fit(self, x)
    y = np.arcsinh((x - params["center"]) / params["scale"]); u = ((y - params["mean"]) / params["std"]).ravel()
    q = (np.arange(KN) + 0.5) / KN
    uk = np.quantile(u, q); zk = norm.ppf(q)
    keep = np.r_[True, np.diff(uk) > 1e-9]; uk, zk = uk[keep], zk[keep]
    zk = (1 - LAM) * uk + LAM * zk
    STATE[id(self)] = (uk, zk)
    return params
def _pl(x, a, b):
    out = np.interp(x, a, b)
    lo, hi = x < a[0], x > a[-1]
    s_lo = (b[1]-b[0])/(a[1]-a[0]); s_hi = (b[-1]-b[-2])/(a[-1]-a[-2])
    out[lo] = b[0] + (x[lo]-a[0])*s_lo; out[hi] = b[-1] + (x[hi]-a[-1])*s_hi
    return out
def transform(self, x):
    u = orig_t(self, x)
    if self.kind != "asinh" or id(self) not in STATE: return u
    uk, zk = STATE[id(self)]; return _pl(u, uk, zk)
def inverse(self, z):
    if self.kind == "asinh" and id(self) in STATE:
        uk, zk = STATE[id(self)]; z = _pl(np.asarray(z, dtype=float), zk, uk)
    return orig_i(self, z)
S.Scaler._fit_asinh = fit_asinh; S.Scaler.transform = transform; S.Scaler.inverse_transform = inverse
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_variant.py"), run_name="__main__")
