"""tsgan.viz.plots: every picture is a real, non-blank image of sensible size, written safely."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tsgan.api import load
from tsgan.errors import TsganError
from tsgan.viz import plots

HOURS = [f"h{h:02d}" for h in range(24)]


# --------------------------------------------------------------------------- helpers
def assert_image(path: Path, fmt: str = "PNG", min_size: tuple[int, int] = (400, 300),
                 max_size: tuple[int, int] = (4000, 3000)) -> SimpleNamespace:
    """The file is a decodable image of the format, a sensible size, and not one colour.

    Returns size, n_frames, info and the first frame as an RGB array (file closed).
    """
    assert path.is_file(), path
    with Image.open(path) as img:
        img.verify()
    with Image.open(path) as img:
        assert img.format == fmt
        w, h = img.size
        assert min_size[0] <= w <= max_size[0] and min_size[1] <= h <= max_size[1], img.size
        rgb_img = img.convert("RGB")
        colours = rgb_img.getcolors(maxcolors=1_000_000)
        assert colours is None or len(colours) > 20, f"{path.name} is (nearly) one colour"
        return SimpleNamespace(size=img.size, n_frames=getattr(img, "n_frames", 1),
                               info=dict(img.info), rgb=np.asarray(rgb_img))


def assert_no_temp_files(folder: Path) -> None:
    """Atomic writes leave no half-written '.name.xxxx' files behind."""
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert not leftovers, leftovers


def fake_days(n: int, rng: np.random.Generator, level: float = 80.0) -> np.ndarray:
    """Price-like days: a level times a two-peak daily shape plus a random walk."""
    h = np.arange(24)
    shape = 1 + 0.3 * np.exp(-(h - 8) ** 2 / 6) + 0.4 * np.exp(-(h - 19) ** 2 / 5)
    levels = rng.gamma(4.0, level / 4.0, size=(n, 1))
    return levels * shape + rng.normal(0, 4, (n, 24)).cumsum(axis=1)


def fake_history(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    step = np.arange(n) * 10
    return pd.DataFrame({
        "step": step,
        "d_loss": 1.4 * np.exp(-step / 500) + 0.6 + rng.normal(0, 0.03, n),
        "g_loss": 0.8 + rng.normal(0, 0.05, n),
        "d_acc_real": np.clip(0.6 + rng.normal(0, 0.05, n), 0, 1),
        "d_acc_fake": np.clip(0.5 + rng.normal(0, 0.05, n), 0, 1),
    })


def fake_snapshots(preset: str, k: int = 5) -> tuple[dict, np.ndarray]:
    """(snapshots, real) moving from noise towards the real data."""
    rng = np.random.default_rng(2)
    if preset == "smard":
        real = fake_days(300, rng)
        samples = [fake_days(60, rng) * (i / (k - 1)) + rng.normal(0, 50 * (1 - i / k), (60, 24))
                   for i in range(k)]
    elif preset == "quadratic":
        x = rng.uniform(-0.5, 0.5, 400)
        real = np.c_[x, x ** 2]
        samples = [np.c_[x, x ** 2 * (i / (k - 1)) + rng.normal(0, 0.2 * (1 - i / k), 400)]
                   for i in range(k)]
    else:
        real = rng.normal(69, 3, (500, 1))
        samples = [rng.normal(69 * i / (k - 1), 3 + 5 * (1 - i / k), (300, 1)) for i in range(k)]
    return {"steps": np.arange(k) * 100, "samples": np.stack(samples)}, real


# --------------------------------------------------------------------------- per function
def test_day_overlay(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    real, gen = fake_days(500, rng), fake_days(100, rng)
    path = plots.plot_day_overlay(real, gen, tmp_path / "overlay.png")
    assert path == tmp_path / "overlay.png"
    img = assert_image(path)
    # blue generated lines and grey real lines are both visible
    rgb = img.rgb.astype(int)
    blueish = (rgb[..., 2] - rgb[..., 0] > 60).mean()
    greyish = ((np.ptp(rgb, axis=-1) < 12) & (rgb[..., 0] < 235) & (rgb[..., 0] > 120)).mean()
    assert blueish > 0.01 and greyish > 0.005, (blueish, greyish)
    assert_no_temp_files(tmp_path)


def test_day_overlay_accepts_frames(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    real = pd.DataFrame(fake_days(50, rng), columns=HOURS)
    gen = pd.DataFrame(fake_days(20, rng), columns=HOURS)
    assert_image(plots.plot_day_overlay(real, gen, tmp_path / "o.png"))


def test_day_overlay_rejects_mismatched_widths(tmp_path: Path) -> None:
    with pytest.raises(TsganError):
        plots.plot_day_overlay(np.zeros((5, 24)), np.zeros((5, 23)), tmp_path / "o.png")
    assert not (tmp_path / "o.png").exists()


def test_losses(tmp_path: Path) -> None:
    assert_image(plots.plot_losses(fake_history(), tmp_path / "losses.png"))
    # a short history without accuracy columns still draws
    short = fake_history(3)[["step", "d_loss", "g_loss"]]
    assert_image(plots.plot_losses(short, tmp_path / "short.png"))
    with pytest.raises(TsganError):
        plots.plot_losses(pd.DataFrame({"d_loss": []}), tmp_path / "empty.png")


def test_quadratic(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.5, 0.5, 500)
    real = np.c_[x, x ** 2]
    gen = real + rng.normal(0, 0.02, real.shape)
    img = assert_image(plots.plot_quadratic(real, gen, tmp_path / "q.png", step=2000))
    rgb = img.rgb.astype(int)
    assert ((rgb[..., 0] - rgb[..., 2]) > 80).mean() > 0.001  # red real points
    assert ((rgb[..., 2] - rgb[..., 0]) > 60).mean() > 0.001  # blue generated points
    with pytest.raises(TsganError):
        plots.plot_quadratic(np.zeros((5, 3)), gen, tmp_path / "bad.png")


@pytest.mark.parametrize("kind", ["callable", "pair", "none"])
def test_heights(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(0)
    real, gen = rng.normal(69, 3, (800, 1)), rng.normal(68, 2.5, (800,))
    seen: list[tuple[int, ...]] = []

    def d_fn(grid: np.ndarray) -> np.ndarray:
        seen.append(grid.shape)
        return 1 / (1 + np.exp(-(grid[:, 0] - 69)))

    grid = np.linspace(55, 80, 50)
    disc = {"callable": d_fn, "pair": (grid, 1 / (1 + np.exp(-(grid - 69)))), "none": None}[kind]
    assert_image(plots.plot_heights(real, gen, disc, tmp_path / "h.png"))
    if kind == "callable":
        assert seen and seen[0][1] == 1  # D is asked about an (m, 1) grid


def test_hourly_distributions(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    img = assert_image(plots.plot_hourly_distributions(fake_days(400, rng), fake_days(200, rng),
                                                       tmp_path / "hourly.png"))
    assert img.size[0] > img.size[1]


def test_correlation_heatmaps(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    real = fake_days(300, rng)
    gen = fake_days(300, rng)
    gen[:, 5] = 42.0  # a constant hour must not break the plot (NaN correlations)
    assert_image(plots.plot_correlation_heatmaps(real, gen, tmp_path / "corr.png"))


def test_anomalies(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    back = fake_days(400, rng)
    top = pd.DataFrame(back[:5] * 3, columns=HOURS)
    top.insert(0, "score", np.linspace(0.99, 0.9, 5))
    top.insert(0, "date", pd.date_range("2022-08-01", periods=5))
    assert_image(plots.plot_anomalies(back, top, tmp_path / "anomalies.png"))
    with pytest.raises(TsganError):
        plots.plot_anomalies(back, top.drop(columns=["score"]), tmp_path / "bad.png")


@pytest.mark.parametrize("preset", ["smard", "quadratic", "heights"])
def test_snapshot_grid_and_gif(tmp_path: Path, preset: str) -> None:
    snaps, real = fake_snapshots(preset)
    assert_image(plots.plot_snapshot_grid(snaps, real, preset, tmp_path / "evolution.png"))
    gif = plots.write_evolution_gif(snaps, real, preset, tmp_path / "evolution.gif")
    img = assert_image(gif, fmt="GIF")
    assert img.n_frames >= 2
    assert img.info.get("loop") == 0
    assert_no_temp_files(tmp_path)


def test_snapshot_grid_limits_panels(tmp_path: Path) -> None:
    snaps, real = fake_snapshots("quadratic", k=40)
    assert_image(plots.plot_snapshot_grid(snaps, real, "quadratic", tmp_path / "e.png"),
                 max_size=(4000, 4000))


def test_snapshot_errors(tmp_path: Path) -> None:
    snaps, real = fake_snapshots("smard")
    with pytest.raises(TsganError):
        plots.plot_snapshot_grid({"steps": [1]}, real, "smard", tmp_path / "e.png")
    with pytest.raises(TsganError):
        plots.plot_snapshot_grid(snaps, real, "nope", tmp_path / "e.png")


def test_no_pyplot_figures_leak(tmp_path: Path) -> None:
    import matplotlib
    import matplotlib.pyplot as plt

    assert matplotlib.get_backend().lower() == "agg"
    before = set(plt.get_fignums())
    rng = np.random.default_rng(0)
    for i in range(3):
        plots.plot_day_overlay(fake_days(20, rng), fake_days(5, rng), tmp_path / f"{i}.png")
    assert set(plt.get_fignums()) == before


def test_failed_write_keeps_old_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    path = plots.plot_day_overlay(fake_days(20, rng), fake_days(5, rng), tmp_path / "o.png")
    old = path.read_bytes()
    with pytest.raises(TsganError):
        plots.plot_day_overlay(fake_days(20, rng), np.zeros((5, 3)), path)
    assert path.read_bytes() == old


# --------------------------------------------------------------------------- whole runs
TINY_ITERATIONS = {"smard": 300, "quadratic": 400, "heights": 300}


@functools.cache
def trained_run(preset: str) -> Path:
    """Train a tiny run once per test session (shared with test_report) and save it."""
    from tsgan.api import PriceGAN

    folder = Path(tempfile.mkdtemp(prefix=f"tsgan-test-{preset}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    iterations = TINY_ITERATIONS[preset]
    gan = PriceGAN(preset, iterations=iterations, snapshot_every=iterations // 3, seed=0)
    gan.fit()
    run_dir = folder / "run"
    gan.save(run_dir)
    return run_dir


def _copy_run(preset: str, tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(trained_run(preset), target)
    shutil.rmtree(target / "plots", ignore_errors=True)
    return target


EXPECTED = {
    "smard": {"overlay.png", "losses.png", "evolution.png", "evolution.gif", "hourly.png",
              "correlation.png"},
    "quadratic": {"scatter.png", "losses.png", "evolution.png", "evolution.gif"},
    "heights": {"density.png", "losses.png", "evolution.png", "evolution.gif"},
}


@pytest.mark.parametrize("preset", ["smard", "quadratic", "heights"])
def test_plot_run(tmp_path: Path, preset: str) -> None:
    run_dir = _copy_run(preset, tmp_path)
    paths = plots.plot_run(load(run_dir), run_dir)
    names = {p.name for p in paths}
    assert EXPECTED[preset] <= names, names
    assert all(p.parent == run_dir / "plots" for p in paths)
    for p in paths:
        assert_image(p, fmt="GIF" if p.suffix == ".gif" else "PNG", max_size=(4000, 4000))
    if preset == "quadratic":
        steps = [n for n in names if n.startswith("scatter_step_")]
        assert len(steps) >= 2 and all(len(n) == len("scatter_step_00000.png") for n in steps)
    assert_no_temp_files(run_dir / "plots")
    if preset == "smard":
        # fixed plotting seed: a redraw gives the same overlay
        before = (run_dir / "plots" / "overlay.png").read_bytes()
        plots.plot_run(load(run_dir), run_dir)
        assert (run_dir / "plots" / "overlay.png").read_bytes() == before
