"""The README's Python API example runs as written (with a tiny budget and a real export)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXPORT = REPO / "tests" / "fixtures" / "imports" / "smard_grosshandel_excerpt.csv"


def readme_python_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README has no python example under 'Python API'"
    return match.group(1)


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = readme_python_example()
    assert "iterations=5000" in code and "my_smard_export.csv" in code
    code = code.replace("iterations=5000", "iterations=200")
    code = code.replace('"my_smard_export.csv"', repr(str(EXPORT)))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    assert namespace["scenarios"].shape == (1000, 24)
    same = namespace["same"].sample(1000, seed=7)
    assert same.equals(namespace["scenarios"])
    assert len(namespace["fr_days"]) >= 1
    assert list(namespace["features"].columns) == ["weekday", "month", "weekend", "holiday"]


@pytest.mark.slow
def test_readme_conditional_example_runs() -> None:
    import pandas as pd

    import tsgan

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Conditional scenarios", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert 'PriceGAN("smard", conditions=[' in code
    code = code.replace('PriceGAN("smard", conditions=[',
                        'PriceGAN("smard", iterations=200, conditions=[')
    namespace: dict = {"tsgan": tsgan, "pd": pd}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    jan = namespace["jan"]
    assert len(jan) == 500 and (jan["month"] == 1).all() and jan["weekday"].max() <= 4
    assert namespace["xmas"].shape == (3, 24)
