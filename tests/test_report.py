"""tsgan.viz.report: one self-contained HTML page that holds every section and renders offline."""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.test_plots import fake_days, fake_history, fake_snapshots, trained_run
from tsgan.api import load
from tsgan.viz import plots, report

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "scripts" / "screenshot_report.py"
DATA_URI = re.compile(r'src="data:(image/(?:png|gif));base64,([A-Za-z0-9+/=]+)"')


# --------------------------------------------------------------------------- checks
def check_self_contained(page: str) -> None:
    """No scripts, no stylesheets or images from elsewhere; only the credit links leave."""
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "url(" not in page
    for attr, value in re.findall(r'\b(src|href|action|srcset)\s*=\s*"([^"]*)"', page):
        if attr == "src":
            assert value.startswith("data:image/"), value[:80]
        elif value.startswith("#"):
            continue
        else:
            assert value in report.CREDIT_LINKS, value
    # nothing external in unquoted form either
    for match in re.findall(r'(?:src|href)\s*=\s*(?!["#])(\S+)', page):
        raise AssertionError(f"unquoted attribute {match[:60]}")


def decoded_images(page: str) -> list[Image.Image]:
    """Every embedded image decodes with Pillow."""
    images = []
    for mime, payload in DATA_URI.findall(page):
        raw = base64.b64decode(payload, validate=True)
        img = Image.open(io.BytesIO(raw))
        img.load()
        assert img.format.lower() == mime.split("/")[1]
        images.append(img)
    return images


def check_sections(page: str) -> None:
    for anchor, title in report.SECTIONS:
        assert f'id="{anchor}"' in page
        assert f"<h2>{title}</h2>" in page, title
    assert report.CREDIT_TEXT in page or "Bundesnetzagentur | SMARD.de" in page


# --------------------------------------------------------------------------- a fake run
@pytest.fixture(scope="module")
def fake_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A run folder with hand-drawn plots, built without training anything."""
    run_dir = tmp_path_factory.mktemp("fake") / "run"
    pdir = run_dir / "plots"
    rng = np.random.default_rng(0)
    real, gen = fake_days(200, rng), fake_days(100, rng)
    snaps, sreal = fake_snapshots("smard", k=3)
    paths = [
        plots.plot_day_overlay(real, gen, pdir / "overlay.png"),
        plots.plot_hourly_distributions(real, gen, pdir / "hourly.png"),
        plots.plot_correlation_heatmaps(real, gen, pdir / "correlation.png"),
        plots.plot_losses(fake_history(), pdir / "losses.png"),
        plots.plot_snapshot_grid(snaps, sreal, "smard", pdir / "evolution.png"),
        plots.write_evolution_gif(snaps, sreal, "smard", pdir / "evolution.gif"),
    ]
    return run_dir, {p.name: p for p in paths}


CONFIG = {
    "format_version": 1, "preset": "smard",
    "config": {"preset": "smard", "latent_dim": 16, "note": "<b>not bold</b> & \"quoted\""},
    "data": {"source": "bundled <SMARD>", "n_train": 200, "n_test": 50},
    "train_seconds": 12.5,
}
METRICS = {
    src: {"energy_distance": 0.01 * (i + 1), "wasserstein_mean": 9.7 + i,
          "weird<metric>": float("nan")}
    for i, src in enumerate(["bootstrap", "gan", "kde", "gaussian", "independent"])
}
DESCRIPTIONS = {"energy_distance": "Distance between the distributions; 0 means identical.",
                "wasserstein_mean": "Average per-hour distance in EUR/MWh & <more>."}


def test_build_html_holds_everything(fake_run: tuple[Path, dict[str, Path]]) -> None:
    run_dir, plot_paths = fake_run
    page = report.build_html(run_dir, CONFIG, plot_paths, METRICS, None, DESCRIPTIONS)
    check_sections(page)
    check_self_contained(page)
    images = decoded_images(page)
    assert len(images) == len(plot_paths)
    assert any(getattr(img, "n_frames", 1) >= 2 for img in images)  # the animated GIF
    for name in ("energy_distance", "wasserstein_mean", "weird&lt;metric&gt;"):
        assert name in page
    for source in METRICS:
        assert f">{source}</th>" in page
    # the generator's column comes first, before the baselines
    assert page.index(">gan</th>") < page.index(">bootstrap</th>")
    # every piece of run text is escaped
    assert "<b>not bold</b>" not in page and "&lt;b&gt;not bold&lt;/b&gt;" in page
    assert "bundled &lt;SMARD&gt;" in page
    assert DESCRIPTIONS["energy_distance"] in page
    assert "EUR/MWh &amp; &lt;more&gt;." in page


def test_build_html_missing_pieces(fake_run: tuple[Path, dict[str, Path]]) -> None:
    run_dir, _ = fake_run
    page = report.build_html(run_dir, {**CONFIG, "preset": "quadratic"}, {}, None,
                             "no <metrics>", {})
    check_sections(page)
    check_self_contained(page)
    assert "no &lt;metrics&gt;" in page
    assert "do not apply to the quadratic preset" in page


@pytest.mark.parametrize("layout", ["index", "wrapped", "records"])
def test_metrics_table_layouts(layout: str) -> None:
    rows = {"gan": {"m1": 1.0}, "kde": {"m1": 2.0}}
    obj = {
        "index": rows,
        "wrapped": {"n": 10, "table": rows},
        "records": [{"source": k, **v} for k, v in rows.items()],
    }[layout]
    assert report.metrics_table(obj) == rows


# --------------------------------------------------------------------------- real runs
def test_write_report_on_trained_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tsgan.evaluate import tables as evaluation

    # the report evaluates the run when metrics.json is missing; a small n keeps this fast
    monkeypatch.setattr(evaluation, "evaluate_run",
                        functools.partial(evaluation.evaluate_run, n=40))
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run("smard"), run_dir)
    (run_dir / "metrics.json").unlink(missing_ok=True)
    path = report.write_report(load(run_dir), run_dir)
    assert path == run_dir / "report.html"
    assert (run_dir / "metrics.json").is_file()  # computed and written on the way
    page = path.read_text(encoding="utf-8")
    check_sections(page)
    check_self_contained(page)
    assert "discriminator calls real" in page and "overfitting ratio" in page
    images = decoded_images(page)
    assert len(images) >= 6
    from tsgan.evaluate.tables import METRIC_DESCRIPTIONS

    table = report.metrics_table(json.loads((run_dir / "metrics.json").read_text()))
    assert len(table) >= 5, list(table)  # the generator and the four baselines
    for row in table.values():
        for metric in row:
            assert f">{metric}</td>" in page, metric
            if metric in METRIC_DESCRIPTIONS:
                assert METRIC_DESCRIPTIONS[metric].replace("&", "&amp;")[:40] in page
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".")]

    # --out elsewhere
    other = report.write_report(load(run_dir), run_dir, tmp_path / "elsewhere" / "r.html")
    assert other.is_file()

    # a real browser renders it (Debian's chromium) into a non-blank screenshot
    if not any(shutil.which(b) for b in ("chromium", "chromium-browser")):
        pytest.skip("no chromium on PATH: browser rendering not checked")
    shot = tmp_path / "report.png"
    result = subprocess.run([sys.executable, str(SCREENSHOT), str(path), str(shot)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    img = Image.open(shot).convert("RGB")
    assert img.size == (1280, 4000)
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is None or len(colours) > 200
    arr = np.asarray(img)
    assert (arr.std(axis=(0, 1)) > 10).all()  # not a blank page


@pytest.mark.parametrize("preset", ["quadratic", "heights"])
def test_write_report_toy_presets(tmp_path: Path, preset: str) -> None:
    import pandas as pd

    from tsgan.evaluate.tables import write_metrics

    run_dir = tmp_path / "run"
    shutil.copytree(trained_run(preset), run_dir)
    # an existing metrics.json (the evaluate command's layout) is used as it is
    table = pd.DataFrame({"wasserstein": [0.1, 0.2], "recall": [0.9, 0.8]},
                         index=["gan", "kde"])
    write_metrics(run_dir, table)
    page = report.write_report(load(run_dir), run_dir).read_text(encoding="utf-8")
    assert ">wasserstein</td>" in page and ">recall</td>" in page
    check_sections(page)
    check_self_contained(page)
    assert len(decoded_images(page)) >= 4
    assert f"do not apply to the {preset} preset" in page


def test_write_report_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tsgan.cli import main
    from tsgan.errors import TsganError

    with pytest.raises(TsganError, match="does not exist"):
        report.check_run_dir(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TsganError, match="holds no run"):
        report.check_run_dir(tmp_path / "empty")
    # the command checks the folder before loading a model from it
    assert main(["report", "--run", str(tmp_path / "empty")]) == 2
    assert "holds no run (config.json missing)" in capsys.readouterr().err
