"""Shared fixtures for the GAN tests: quiet TensorFlow, small trained models reused per session."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def quadratic_gan():
    """A quadratic-preset PriceGAN trained for a few hundred steps (shared, do not mutate)."""
    from tsgan.api import PriceGAN

    return PriceGAN("quadratic", iterations=300, snapshot_every=100, snapshot_size=50,
                    seed=3).fit()


@pytest.fixture(scope="session")
def smard_gan():
    """A smard-preset PriceGAN on the bundled data, trained briefly (shared, do not mutate)."""
    from tsgan.api import PriceGAN

    return PriceGAN("smard", iterations=200, snapshot_every=100, seed=0).fit()


@pytest.fixture(scope="session")
def saved_quadratic_run(quadratic_gan, tmp_path_factory):
    """The quadratic model saved to a run directory."""
    run_dir = tmp_path_factory.mktemp("runs") / "quad"
    quadratic_gan.save(run_dir)
    return run_dir
