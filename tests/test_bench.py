"""The benchmark script runs end to end in smoke mode (so it cannot rot) and prints its tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_train.py"
HEADERS = ("### quadratic preset", "### smard preset", "### training loop",
           "### value map", "### tsgan generate -n", "### start-up")


@pytest.mark.slow
def test_bench_smoke_prints_every_table() -> None:
    """≈ 60-120 s on 2 busy cores (three TensorFlow processes), hence ``slow``."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--smoke"], capture_output=True,
                          text=True, env=env, cwd=SCRIPT.parents[1], timeout=420)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith("Machine: ") and "oneDNN" in out and "intra-op threads" in out
    for header in HEADERS:
        assert header in out, header
    assert "| tsgan trainer |" in out and "| parquet |" in out and "| csv |" in out
    loop = out.split("### training loop")[1].split("###")[0]
    for preset in ("quadratic", "smard"):  # both loops on both presets, with their ratio
        assert f"| {preset} (no XLA) | tsgan loop (`training.loop.train`) | 200 |" in loop
        assert f"| {preset} (no XLA) | Keras `fit`, `steps_per_execution=100` | 200 |" in loop
    assert loop.count("| 1.00x |") >= 2
    value_map = out.split("### value map")[1].split("###")[0]
    for row in ("| with the map | 2,000 |", "| without | 2,000 |",
                "| the map alone (`MarginalMap.apply`) |", "| difference (with - without) |"):
        assert row in value_map, row
