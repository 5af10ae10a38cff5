"""tsgan.viz.backtest and the backtest report: plots from synthetic forecasts, the HTML page
from a synthetic backtest directory, and ``tsgan report --backtest`` without TensorFlow."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tsgan.cli import main
from tsgan.errors import TsganError
from tsgan.viz import report
from tsgan.viz.backtest import plot_fan_chart, plot_pit_histogram, plot_rolling_scores

REPO = Path(__file__).resolve().parents[1]
METHODS = ["tsgan", "LEAR-lite", "last 8 of day type", "last 28 days", "climatology"]
DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- synthetic data
def synthetic_forecast(k: int = 7, m: int = 50, seed: int = 0
                       ) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """(dates, ensemble (k, m, 24), observed (k, 24)): a daily double peak plus noise."""
    rng = np.random.default_rng(seed)
    hours = np.arange(24)
    shape = 60 + 25 * np.exp(-((hours - 8) / 2.5) ** 2) + 35 * np.exp(-((hours - 19) / 2.5) ** 2)
    level = rng.normal(0, 8, size=(k, 1, 1))
    ensemble = shape + level + rng.normal(0, 9, size=(k, m, 24))
    observed = shape + level[:, 0] + rng.normal(0, 9, size=(k, 24))
    return pd.date_range("2025-03-03", periods=k, freq="D"), ensemble, observed


def synthetic_daily(n_days: int = 90, seed: int = 1) -> pd.DataFrame:
    """``daily_scores.csv`` in its long layout: tsgan a little better than the references."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-01", periods=n_days, freq="D")
    rows = []
    for i, method in enumerate(METHODS):
        energy = rng.gamma(6.0, 12.0 + 2.0 * i, size=n_days)
        rows.append(pd.DataFrame({"date": dates, "method": method, "energy": energy,
                                  "crps": energy / 6.0, "variogram": energy * 8.0}))
    return pd.concat(rows, ignore_index=True)


def synthetic_scores() -> dict[str, dict[str, Any]]:
    scores = {}
    for i, method in enumerate(METHODS):
        pit = [40 + 3 * i * abs(b - 4.5) for b in range(10)]
        scores[method] = {
            "energy": 90.125 + 7 * i, "crps": 14.25 + i, "variogram": 700.5 + 10 * i,
            "pinball": {str(q): 3.0 + i for q in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)},
            "pinball_mean": 5.25 + i, "coverage_50": 0.44 + 0.03 * i,
            "coverage_90": 0.86 + 0.01 * i, "pit_counts": [int(round(c)) for c in pit],
        }
    return scores


def make_backtest_dir(root: Path, dm: dict[str, Any] | None = None,
                      data_source: str = "bundled SMARD DE-LU") -> Path:
    """A directory as ``tsgan backtest --out DIR`` writes it, from synthetic numbers."""
    root.mkdir(parents=True, exist_ok=True)
    scores = synthetic_scores()
    record = {
        "tsgan_version": "0.1.0", "data_source": data_source, "data_fingerprint": "ab" * 32,
        "cutoff": "2025-01-01", "first_day": "2025-01-01", "last_day": "2025-03-31",
        "n_days": 90, "members": 50, "seed": 0, "refit_every": None, "preset": "forecast",
        "exogenous": [], "command": "tsgan backtest --cutoff 2025-01-01 -n 50",
        "methods": METHODS, "scores": scores, "best_reference": "LEAR-lite",
        "diebold_mariano": dm if dm is not None else {
            "against": "LEAR-lite", "statistic": -2.1, "p_value": 0.03,
            "mean_difference": -1.2, "n": 90},
        "plots": {"fan": "fan_chart.png", "pit": "pit_histogram.png",
                  "rolling": "rolling_energy.png"},
        "seconds": {"train": 120.0, "forecast": 8.0, "references": 30.0},
    }
    (root / "backtest.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    daily = synthetic_daily()
    daily.assign(date=daily["date"].dt.strftime("%Y-%m-%d")).to_csv(
        root / "daily_scores.csv", index=False)
    dates, ensemble, observed = synthetic_forecast()
    plot_fan_chart(dates, ensemble, observed, root / "fan_chart.png",
                   reference=ensemble[:, :20] + 5.0)
    plot_pit_histogram({m: s["pit_counts"] for m, s in scores.items()},
                       root / "pit_histogram.png")
    plot_rolling_scores(pd.read_csv(root / "daily_scores.csv"), root / "rolling_energy.png")
    return root


@pytest.fixture(scope="module")
def backtest_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_backtest_dir(tmp_path_factory.mktemp("backtest") / "bt")


def assert_png(path: Path, min_bytes: int = 8_000) -> Image.Image:
    assert path.is_file()
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > min_bytes
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.width > 400 and image.height > 300
    assert not [p.name for p in path.parent.iterdir() if p.name.startswith(".")]  # atomic
    return image


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


# --------------------------------------------------------------------------- plots
def test_fan_chart_written(tmp_path: Path) -> None:
    dates, ensemble, observed = synthetic_forecast()
    gaps = dates.delete(3).append(pd.DatetimeIndex(["2025-03-20"]))  # not consecutive
    for name, days, ref in (("plain.png", dates, None), ("ref.png", gaps, ensemble + 3.0)):
        out = plot_fan_chart(days, ensemble, observed, tmp_path / name, title="A week",
                             reference=ref, reference_name="LEAR-lite")
        assert out == tmp_path / name
        assert_png(out)


def test_pit_and_rolling_written(tmp_path: Path) -> None:
    counts = {m: s["pit_counts"] for m, s in synthetic_scores().items()}
    assert_png(plot_pit_histogram(counts, tmp_path / "pit.png"))
    assert_png(plot_pit_histogram({"tsgan": np.arange(1, 21)}, tmp_path / "one.png"))
    daily = synthetic_daily()
    assert_png(plot_rolling_scores(daily, tmp_path / "rolling.png"))
    assert_png(plot_rolling_scores(daily, tmp_path / "crps.png", window=7, metric="crps"))
    # fewer days than the window still draws the mean over all of them
    assert_png(plot_rolling_scores(daily[daily["date"] < "2025-01-10"], tmp_path / "short.png"))


def _fan(**change: Any) -> dict[str, Any]:
    dates, ensemble, observed = synthetic_forecast(k=3, m=10)
    args = {"dates": dates, "ensemble": ensemble, "observed": observed}
    return {**args, **change}


@pytest.mark.parametrize("change", [
    {"ensemble": np.zeros((3, 24))},
    {"ensemble": np.zeros((3, 0, 24))},
    {"ensemble": np.zeros((0, 10, 24)), "observed": np.zeros((0, 24)),
     "dates": pd.DatetimeIndex([])},
    {"observed": np.zeros((3, 23))},
    {"observed": np.zeros((2, 24))},
    {"dates": pd.date_range("2025-01-01", periods=2)},
    {"dates": ["not a date"] * 3},
    {"reference": np.zeros((2, 5, 24))},
    {"reference": np.zeros((3, 24))},
])
def test_fan_chart_bad_shapes(tmp_path: Path, change: dict[str, Any]) -> None:
    with pytest.raises(TsganError) as info:
        plot_fan_chart(path=tmp_path / "fan.png", **_fan(**change))
    assert "\n" not in str(info.value)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("counts", [
    {}, {"tsgan": []}, {"tsgan": [[1, 2], [3, 4]]}, {"tsgan": [0, 0, 0]}, {"tsgan": [3, -1, 2]},
])
def test_pit_histogram_bad_counts(tmp_path: Path, counts: dict[str, Any]) -> None:
    with pytest.raises(TsganError) as info:
        plot_pit_histogram(counts, tmp_path / "pit.png")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("daily, kwargs", [
    (synthetic_daily().iloc[0:0], {}),
    (synthetic_daily().drop(columns="energy"), {}),
    (synthetic_daily(), {"metric": "nope"}),
    (synthetic_daily(), {"window": 0}),
    (synthetic_daily().assign(energy="x"), {}),
    ([1, 2, 3], {}),
])
def test_rolling_scores_bad_input(tmp_path: Path, daily: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(TsganError) as info:
        plot_rolling_scores(daily, tmp_path / "rolling.png", **kwargs)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- report
def test_backtest_report_holds_everything(backtest_dir: Path, tmp_path: Path) -> None:
    out = report.write_backtest_report(backtest_dir, tmp_path / "page.html")
    assert out == tmp_path / "page.html"
    page = out.read_text(encoding="utf-8")
    for anchor, title in report.BACKTEST_SECTIONS:
        assert f'<section id="{anchor}"><h2>{title}</h2>' in page
    # self-contained: no scripts, images only as data URIs, links only to the credit
    assert "<script" not in page.lower() and "<link" not in page.lower()
    for value in re.findall(r'\b(?:src|href)="([^"]*)"', page):
        assert value.startswith(("data:image/", "#")) or value in report.CREDIT_LINKS, value
    images = DATA_URI.findall(page)
    assert len(images) == 3
    for payload in images:
        Image.open(io.BytesIO(base64.b64decode(payload, validate=True))).load()
    # the table: every method a row, the values, the best per column in bold
    for method in METHODS:
        assert f">{report._esc(method)}</td>" in page
    for value in ("90.12", "14.25", "700.5", "5.25", "44.0 %", "56.0 %", "86.0 %"):
        assert value in page, value
    assert '<td class="model best">90.12</td>' in page  # lowest energy score: tsgan
    assert '<td class="best">50.0 %</td>' in page  # coverage nearest 50 % (a reference)
    assert '<td class="best">90.0 %</td>' in page  # coverage nearest 90 % (climatology)
    assert '<td class="model">86.0 %</td>' in page  # tsgan's too-narrow 90 % interval
    # what was done, the test in words, the credit
    for fact in ("bundled SMARD DE-LU", "2025-01-01", "2025-03-31", "90 days", "50 members",
                 "seed 0", "<code>tsgan backtest --cutoff 2025-01-01 -n 50</code>"):
        assert fact in page, fact
    assert ("tsgan&#x27;s daily energy scores are lower than LEAR-lite&#x27;s on average by "
            "1.2 over 90 days (DM statistic −2.1, p = 0.03)") in page
    assert "Prices: Bundesnetzagentur | SMARD.de (CC BY 4.0)" in page
    for word in ("multivariate", "per hour", "hour-to-hour", "quantile", "Coverage", "PIT"):
        assert word in page, word
    # default destination
    assert report.write_backtest_report(backtest_dir) == backtest_dir / "report.html"


def test_backtest_report_missing_plot_and_foreign_data(tmp_path: Path) -> None:
    bt = make_backtest_dir(tmp_path / "bt", data_source="my <own> prices.csv")
    (bt / "pit_histogram.png").unlink()
    record = json.loads((bt / "backtest.json").read_text())
    record["plots"]["rolling"] = "../elsewhere.png"
    record["diebold_mariano"] = None
    (bt / "backtest.json").write_text(json.dumps(record))
    page = report.write_backtest_report(bt).read_text(encoding="utf-8")
    assert len(DATA_URI.findall(page)) == 1
    assert "pit_histogram.png is missing from this backtest" in page
    assert "../elsewhere.png is missing from this backtest" in page
    assert "my &lt;own&gt; prices.csv" in page and "<own>" not in page
    assert "SMARD.de (CC BY 4.0)" not in page
    assert "holds no Diebold–Mariano test" in page


@pytest.mark.parametrize("dm, expected", [
    ({"against": "LEAR-lite", "statistic": 2.4, "p_value": 0.016, "mean_difference": 3.5,
      "n": 425},
     "tsgan's daily energy scores are higher than LEAR-lite's on average by 3.5 over 425 days "
     "(DM statistic 2.4, p = 0.016): LEAR-lite forecast significantly better than tsgan."),
    ({"against": "climatology", "statistic": -0.8, "p_value": 0.42, "mean_difference": -0.5,
      "n": 90},
     "tsgan's daily energy scores are lower than climatology's on average by 0.5 over 90 days "
     "(DM statistic −0.8, p = 0.42), but the difference is not significant at the 5% level: "
     "over this period tsgan and climatology cannot be told apart."),
    ({"against": "LEAR-lite", "statistic": -5.0, "p_value": 1e-6, "mean_difference": -4.0},
     "tsgan's daily energy scores are lower than LEAR-lite's on average by 4 (DM statistic "
     "−5, p < 0.001): tsgan forecast significantly better than LEAR-lite."),
    ({"against": "LEAR-lite", "statistic": 1.0, "p_value": None, "mean_difference": 2.0},
     "tsgan's daily energy scores are higher than LEAR-lite's on average by 2 (DM statistic "
     "1); the test gave no p-value, so its significance is unknown."),
])
def test_diebold_mariano_in_words(dm: dict[str, Any], expected: str) -> None:
    record = {"methods": METHODS, "scores": synthetic_scores(), "diebold_mariano": dm}
    assert report.diebold_mariano_sentence(record) == expected


# --------------------------------------------------------------------------- CLI
def test_cli_backtest_report(backtest_dir: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "r.html"
    assert main(["report", "--backtest", str(backtest_dir), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "LEAR-lite" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("damage", ["no dir", "no json", "bad json", "no scores"])
def test_cli_backtest_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    damage: str) -> None:
    bt = tmp_path / "bt"
    if damage != "no dir":
        bt.mkdir()
    if damage == "bad json":
        (bt / "backtest.json").write_text('{"scores": {', encoding="utf-8")
    if damage == "no scores":
        (bt / "backtest.json").write_text('{"methods": []}', encoding="utf-8")
    assert main(["report", "--backtest", str(bt)]) != 0
    line = one_line_error(capsys)
    assert line.startswith("tsgan report: error: ")
    assert ("does not exist" in line) if damage == "no dir" else ("backtest.json" in line)
    assert not (bt / "report.html").exists()


@pytest.mark.parametrize("args", [
    ["report", "--run", "x", "--backtest", "y"],
    ["report"],
    ["report", "--out", "r.html"],
])
def test_cli_run_and_backtest_exclusive(args: list[str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    line = one_line_error(capsys)
    assert "--run" in line and "--backtest" in line


def test_backtest_report_imports_no_tensorflow(backtest_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code = (
        "import sys\n"
        "from tsgan.cli import main\n"
        f"rc = main(['report', '--backtest', {str(backtest_dir)!r}, '--out', {str(out)!r}])\n"
        "print('RC', rc)\n"
        "print('HEAVY', [m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "RC 0" in result.stdout
    assert "HEAVY []" in result.stdout
    assert out.is_file()
