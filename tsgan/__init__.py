"""tsgan: learn daily electricity price curves with GANs and generate synthetic scenarios.

Heavy modules (TensorFlow) are imported lazily so that ``import tsgan`` and
``tsgan --help`` stay fast.
"""

from __future__ import annotations

from typing import Any

from tsgan.errors import TsganError

__version__ = "0.1.0"

_LAZY = {
    "PriceGAN": "tsgan.api",
    "load": "tsgan.api",
    "ForecastGAN": "tsgan.forecast",
    "fetch_exogenous": "tsgan.data.smard",
    "load_days": "tsgan.data.sources",
    "load_prices": "tsgan.data.sources",
    "fetch_prices": "tsgan.data.smard",
    "to_day_vectors": "tsgan.data.days",
    "calendar_features": "tsgan.data.days",
    "Scaler": "tsgan.model.scaling",
}

__all__ = ["TsganError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tsgan' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
