"""The README and the docs: examples run as written, links resolve, no development history."""

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


# --------------------------------------------------------------------------- documentation
#: The documents a newcomer reads: README, the current docs and the changelog.
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
CHANGELOG = REPO / "CHANGELOG.md"
MAX_README_LINES = 250
#: Development history belongs in git log and CHANGELOG.md's versions, not in the docs.
HISTORY = re.compile(
    r"\bstop[- ]?[0-9]+\b|this\s+stop|earlier\s+stops|\bissue[- ]?#?[0-9]+\b"
    r"|which it predates|earlier default|since changed|re-measured|while other jobs ran"
    r"|load average|\(load [0-9.]+",
    re.IGNORECASE,
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose_lines(path: Path) -> list[str]:
    """The file's lines outside fenced code blocks (code may hold '#' comments and '](')."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for line in prose_lines(path):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(path: Path) -> list[str]:
    return [target for line in prose_lines(path) for target in LINK.findall(line)]


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"


def test_readme_keeps_the_ci_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ('python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" '
               "&& .venv/bin/python -m pytest")
    assert command in README.read_text(encoding="utf-8").splitlines()
    assert command in ci.splitlines()


def test_readme_contents_links_reach_headings() -> None:
    targets = {t[1:] for t in links(README) if t.startswith("#")}
    assert targets, "README has no contents links"
    missing = targets - anchors(README)
    assert not missing, f"README links to missing headings: {sorted(missing)}"


@pytest.mark.parametrize("path", [README, CHANGELOG, *DOCS], ids=lambda p: p.name)
def test_relative_links_point_to_files_and_headings(path: Path) -> None:
    broken = []
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # web links; in-page anchors are checked for the README above
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve()
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(target)
    assert not broken, f"{path.name}: broken links {broken}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_docs_in_page_links_reach_headings(path: Path) -> None:
    missing = {t[1:] for t in links(path) if t.startswith("#")} - anchors(path)
    assert not missing, f"{path.name} links to missing headings: {sorted(missing)}"


def test_docs_speak_of_the_product_not_its_history() -> None:
    assert CHANGELOG.exists() and DOCS
    hits = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
            for path in [README, CHANGELOG, *DOCS]
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if HISTORY.search(line)]
    assert not hits, "development history in the docs:\n" + "\n".join(hits)


def test_docs_do_not_link_to_the_prototypes() -> None:
    for path in [README, *DOCS]:
        assert "docs/prototypes/" not in " ".join(links(path)), path.name
        assert "](prototypes/" not in path.read_text(encoding="utf-8"), path.name


def test_changelog_has_a_section_for_the_package_version() -> None:
    version = re.search(r'^version = "([^"]+)"',
                        (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    assert f"## {version}" in CHANGELOG.read_text(encoding="utf-8").splitlines()
