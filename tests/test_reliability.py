"""Bad input through the real ``tsgan`` command: one line, non-zero exit, nothing touched.

Every case runs ``python -m tsgan`` in a subprocess (as a user would) inside a scratch folder
that already holds files (a previous ``--out``, a finished run). The contract:
exit code != 0, exactly one line on stderr, no traceback, and every file and folder that
existed before is byte-identical afterwards (no new files or folders either). See
docs/reliability.md for the table that maps each fault to its test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_helpers import REPO, assert_one_line_error, run_tsgan
from tests.smard_server import FIXTURES, SmardServer
from tsgan.data.sources import load_days

GERMAN = REPO / "tests" / "fixtures" / "imports" / "smard_grosshandel_excerpt.csv"
TIDY_HEAD = "timestamp_utc,price_eur_mwh\n"
TRAIN = ["--iterations", "20", "--no-plots", "--quiet"]
PREVIOUS = "previous.csv"
INDEX = "4169/DE-LU/index_hour.json"
LAST_WEEK = 1761519600000  # Monday 2025-10-27 (synthetic fixture week)
LAST_CHUNK = f"4169/DE-LU/4169_DE-LU_hour_{LAST_WEEK}.json"


def hours(values: list[str], start: str = "2024-06-03T00:00:00Z", sep: str = ",") -> str:
    """Tidy CSV rows, one hour each, from ``start``."""
    stamps = pd.date_range(start, periods=len(values), freq="h")
    return "".join(f"{s:%Y-%m-%dT%H:%M:%SZ}{sep}{v}\n" for s, v in zip(stamps, values,
                                                                       strict=True))


def snapshot(root: Path) -> dict[str, str]:
    """Every file (sha256) and folder under ``root``: what 'untouched' compares."""
    state = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        state[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return state


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real smard run, trained for 20 iterations by the CLI (shared; cases copy it)."""
    run_dir = tmp_path_factory.mktemp("reliability") / "run"
    result = run_tsgan("train", *TRAIN, "--run-dir", str(run_dir), timeout=300)
    assert result.returncode == 0, result.stderr
    assert (run_dir / "config.json").is_file()
    return run_dir


@pytest.fixture(scope="module")
def server() -> Iterator[SmardServer]:
    with SmardServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def fetch_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("smard-cache")


# --------------------------------------------------------------------------- the cases
# A case builds its input inside ``tmp`` (which already holds previous.csv and a copy of the
# trained run at tmp/run) and returns the command line. ``ctx`` has tmp, run, server, cache.
Case = Callable[[dict], list[str]]


def data_file(name: str, text: str | bytes, *extra: str) -> Case:
    """``tsgan train --data FILE`` on a malformed file."""

    def build(ctx: dict) -> list[str]:
        path = ctx["tmp"] / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return ["train", "--data", str(path), *extra, "--run-dir", str(ctx["tmp"] / "new"),
                *TRAIN]

    return build


def train_on(path: Path | str, *extra: str) -> Case:
    return lambda ctx: ["train", "--data", str(ctx["tmp"] / path), *extra,
                        "--run-dir", str(ctx["tmp"] / "new"), *TRAIN]


def edited_run(edit: Callable[[Path], None], command: str, *extra: str) -> Case:
    """``tsgan COMMAND --run DIR`` on the trained run after ``edit(DIR)`` damaged it."""

    def build(ctx: dict) -> list[str]:
        run = ctx["tmp"] / "damaged"
        shutil.copytree(ctx["run"], run)
        edit(run)
        return [command, "--run", str(run), *extra]

    return build


def drop(name: str) -> Callable[[Path], None]:
    return lambda run: (run / name).unlink()


def truncate(name: str) -> Callable[[Path], None]:
    def edit(run: Path) -> None:
        data = (run / name).read_bytes()
        (run / name).write_bytes(data[: len(data) // 2])

    return edit


def set_format_version(run: Path) -> None:
    record = json.loads((run / "config.json").read_text())
    record["format_version"] = 99
    (run / "config.json").write_text(json.dumps(record))


def pickled_data(run: Path) -> None:
    """data.npz with an object array: only readable with pickle, which tsgan never allows."""
    with open(run / "data.npz", "wb") as handle:
        np.savez(handle, train=np.array([{"evil": 1}], dtype=object))


def foreign(run: Path) -> None:
    for child in run.iterdir():
        child.unlink()
    (run / "config.json").write_text('{"model": "someone else\'s", "epochs": 3}')
    (run / "weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n")


def fetch(*args: str, server: bool = False) -> Case:
    """``tsgan fetch`` with ``--out previous.csv`` (must stay as it was)."""

    def build(ctx: dict) -> list[str]:
        base = ctx["server"].base_url if server else "http://127.0.0.1:9/app/chart_data"
        options = {"--start": "2025-10-20", "--end": "2025-10-26",
                   "--out": str(ctx["tmp"] / PREVIOUS)}
        options.update(dict(zip(args[::2], args[1::2], strict=True)))
        return ["fetch", "--base-url", base, "--cache-dir", str(ctx["cache"]),
                "--retry-backoff", "0.001", "--quiet", *[x for kv in options.items() for x in kv]]

    return build


def mkdir_then(name: str, build: Case) -> Case:
    def wrapped(ctx: dict) -> list[str]:
        (ctx["tmp"] / name).mkdir()
        return build(ctx)

    return wrapped


NINE_DAYS = TIDY_HEAD + hours(["50"] * 24 * 9)

CASES: dict[str, tuple[Case, str]] = {
    # ----- --data files (tsgan train)
    "data: missing file": (train_on("nope.csv"), "does not exist"),
    "data: a directory": (mkdir_then("folder", train_on("folder")), "is a directory"),
    "data: empty file": (data_file("empty.csv", ""), "is empty"),
    "data: header only": (data_file("head.csv", TIDY_HEAD), "header but no data rows"),
    "data: wrong delimiter (tab)": (
        data_file("tab.csv", TIDY_HEAD.replace(",", "\t") + hours(["1"] * 24, sep="\t")),
        "not a recognised price file"),
    "data: non-numeric price": (
        data_file("text.csv", TIDY_HEAD + hours(["1"] * 5 + ["n/v"] + ["1"] * 18)),
        "non-numeric price 'n/v'"),
    "data: NaN price": (data_file("nan.csv", TIDY_HEAD + hours(["NaN"] + ["1"] * 23)),
                        "NaN price"),
    "data: Inf price": (data_file("inf.csv", TIDY_HEAD + hours(["1"] * 23 + ["-inf"])),
                        "infinite price"),
    "data: duplicate timestamps": (
        data_file("dup.csv", TIDY_HEAD + hours(["1"] * 24) + hours(["2"] * 3)),
        "duplicate timestamp"),
    "data: two tidy files concatenated": (
        data_file("cat.csv", NINE_DAYS + TIDY_HEAD + hours(["7"] * 24, "2024-07-01T00:00Z")),
        "cannot read timestamp 'timestamp_utc'"),
    "data: SMARD export, chosen zone all '-'": (train_on(GERMAN, "--column", "DE/AT/LU"),
                                                "holds no prices"),
    "data: SMARD export, unknown zone": (train_on(GERMAN, "--column", "Atlantis"),
                                         "no column 'Atlantis'"),
    "data: all prices empty": (data_file("null.csv", TIDY_HEAD + hours([""] * 48)),
                               "holds no prices"),
    "data: absurd price 1e12": (
        data_file("big.csv", TIDY_HEAD + hours(["60"] * 30 + ["1e12"] + ["60"] * 17)),
        "absurd price 1e+12"),
    "data: malformed timestamp": (
        data_file("when.csv", TIDY_HEAD + hours(["1"] * 24) + "2024-06-31T00:00:00Z,1\n"),
        "cannot read timestamp '2024-06-31T00:00:00Z'"),
    "data: decimal comma mixed with points": (
        data_file("marks.csv", "timestamp_utc;price_eur_mwh\n"
                  + hours(["12,5"] + ["1.5"] * 23, sep=";")),
        "decimal comma"),
    "data: gzip garbage": (data_file("prices.csv.gz", b"\x1f\x8b\x08\x00broken"),
                           "cannot read"),
    "data: wide daily file with a time of day": (
        data_file("wide.csv", "date," + ",".join(f"h{h:02d}" for h in range(24)) + "\n"
                  + "2024-06-03T12:00," + ",".join(["1"] * 24) + "\n"),
        "holds times of day"),
    "data: fewer days than one batch": (data_file("short.csv", NINE_DAYS),
                                        "fewer than batch_size"),
    # ----- arguments
    "args: -n 0 keeps the previous --out": (
        lambda ctx: ["generate", "--run", str(ctx["run"]), "-n", "0",
                     "--out", str(ctx["tmp"] / PREVIOUS)], "expected a positive integer"),
    "args: --column with a toy preset": (
        lambda ctx: ["train", "--preset", "heights", "--column", "FR"], "smard preset"),
    "fetch: malformed date": (fetch("--start", "2025-10-32"), "is not a valid date"),
    "fetch: start after end": (fetch("--start", "2025-10-27"), "is after end date"),
    "fetch: end in the future (beyond the index)": (
        fetch("--end", "2031-01-01", server=True), "is beyond the SMARD DE-LU hour index"),
    "fetch: unknown zone": (fetch("--zone", "Atlantis"), "unknown zone 'Atlantis'"),
    "fetch: --out onto a directory": (
        mkdir_then("outdir.csv", lambda ctx: fetch("--out", str(ctx["tmp"] / "outdir.csv"))(ctx)),
        "is a directory"),
    # ----- run directories
    "run: missing": (lambda ctx: ["generate", "--run", str(ctx["tmp"] / "nowhere"), "-n", "3",
                                  "--out", str(ctx["tmp"] / PREVIOUS)], "does not exist"),
    "run: a file, not a directory": (
        lambda ctx: ["evaluate", "--run", str(ctx["tmp"] / PREVIOUS)], "is not a directory"),
    "run: half-written (no config.json)": (edited_run(drop("config.json"), "plot"),
                                           "config.json missing"),
    "run: half-written (no generator)": (edited_run(drop("generator.keras"), "evaluate"),
                                         "missing generator.keras"),
    "run: corrupt config.json": (edited_run(truncate("config.json"), "report"), "config.json"),
    "run: corrupt model file": (edited_run(truncate("generator.keras"), "evaluate"),
                                "generator.keras is corrupt"),
    "run: foreign directory": (
        edited_run(foreign, "generate", "-n", "3", "--out", "x.csv"), "not a tsgan run"),
    "run: data.npz needs pickle": (edited_run(pickled_data, "generate", "-n", "3",
                                              "--out", "x.csv"), "data.npz is corrupt"),
    "run: incompatible format_version": (
        edited_run(set_format_version, "anomalies"), "format_version 99"),
    "run: anomalies --data is empty": (
        lambda ctx: ["anomalies", "--run", str(ctx["run"]), "--data",
                     str(ctx["tmp"] / "empty.csv")], "is empty"),
    "run: generate --out onto a directory": (
        mkdir_then("outdir.csv", lambda ctx: ["generate", "--run", str(ctx["run"]), "-n", "3",
                                              "--out", str(ctx["tmp"] / "outdir.csv")]),
        "is a directory"),
    "run: generate --out below a file": (
        lambda ctx: ["generate", "--run", str(ctx["run"]), "-n", "3",
                     "--out", str(ctx["tmp"] / PREVIOUS / "x.csv")], "is a file, not a folder"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_one_line_and_nothing_touched(case: str, tmp_path: Path, trained_run: Path,
                                                server: SmardServer, fetch_cache: Path) -> None:
    build, message = CASES[case]
    (tmp_path / PREVIOUS).write_text("scenario,h00\n0,1.5\n")
    (tmp_path / "empty.csv").write_text("")
    run = tmp_path / "run"
    shutil.copytree(trained_run, run)
    ctx = {"tmp": tmp_path, "run": run, "server": server, "cache": fetch_cache}
    args = build(ctx)
    before = snapshot(tmp_path)
    result = run_tsgan(*args, cwd=tmp_path, timeout=180)
    line = assert_one_line_error(result)
    assert message in line, line
    assert line.startswith("tsgan"), line
    assert "internal error" not in line, line
    assert snapshot(tmp_path) == before


def test_out_into_a_missing_folder_creates_it(trained_run: Path, tmp_path: Path) -> None:
    """Not an error: --out into a folder that does not exist yet creates it (atomic write)."""
    out = tmp_path / "new" / "deeper" / "s.csv"
    result = run_tsgan("generate", "--run", str(trained_run), "-n", "4", "--out", str(out),
                       cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [f"wrote 4 scenarios to {out}"]
    assert len(pd.read_csv(out)) == 4
    assert [p.name for p in out.parent.iterdir()] == ["s.csv"]  # no temporary file left


def test_run_holds_no_pickle(trained_run: Path) -> None:
    """Scaler and config are JSON, arrays load with allow_pickle=False, no pickle files."""
    for name in ("config.json", "scaler.json"):
        assert isinstance(json.loads((trained_run / name).read_text()), dict)
    for name in ("data.npz", "snapshots.npz"):
        with np.load(trained_run / name, allow_pickle=False) as npz:
            assert all(npz[key].dtype != object for key in npz.files)
    assert not [p for p in trained_run.rglob("*") if p.suffix in (".pkl", ".pickle", ".joblib")]


def test_unsorted_timestamps_are_sorted_not_refused(tmp_path: Path) -> None:
    """Not an error: rows in any order give the same days as sorted rows."""
    rows = hours([str(h % 24) for h in range(72)]).splitlines(keepends=True)
    (tmp_path / "sorted.csv").write_text(TIDY_HEAD + "".join(rows))
    (tmp_path / "shuffled.csv").write_text(TIDY_HEAD + "".join(rows[1::2][::-1] + rows[::2]))
    expected = load_days(tmp_path / "sorted.csv")
    pd.testing.assert_frame_equal(load_days(tmp_path / "shuffled.csv"), expected)
    assert expected.index.is_monotonic_increasing and len(expected) >= 2


def test_decimal_comma_in_a_tidy_file_is_not_a_thousands_separator(tmp_path: Path) -> None:
    """'12,5' in a ';' tidy file is 12.5 EUR/MWh, not 125 (was read as 125 before)."""
    path = tmp_path / "de.csv"
    path.write_text("timestamp_utc;price_eur_mwh\n" + hours(["12,5"] * 47 + ["1.234,5"], sep=";"))
    days = load_days(path)
    assert (days.to_numpy() == 12.5).sum() >= 24 and days.to_numpy().max() <= 1234.5


def test_fetch_end_after_newest_published_hour_says_so(tmp_path: Path) -> None:
    """--end inside the newest weekly chunk but after its last published hour.

    SMARD's newest chunk holds ``null`` for hours not yet auctioned. Today the output simply
    stops (exit 0, 'wrote 60 hourly prices'); an unattended nightly fetch must say on stderr
    that the data ends before --end and where.
    """
    index = json.loads((FIXTURES / INDEX).read_text())["timestamps"]
    body = json.loads((FIXTURES / "_synthetic" / LAST_CHUNK).read_text())
    body["series"] = [[t, v if i < 60 else None] for i, (t, v) in enumerate(body["series"])]
    with SmardServer() as srv:
        srv.overrides[INDEX] = json.dumps(
            {"timestamps": [t for t in index if t <= LAST_WEEK]}).encode()
        srv.overrides[LAST_CHUNK] = json.dumps(body).encode()
        result = run_tsgan("fetch", "--base-url", srv.base_url, "--cache-dir",
                           str(tmp_path / "cache"), "--retry-backoff", "0.001", "--quiet",
                           "--start", "2025-10-27", "--end", "2025-11-02",
                           "--out", str(tmp_path / "p.csv"), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(tmp_path / "p.csv")) == 60
    assert "2025-10-29" in result.stderr and "2025-11-02" in result.stderr, result.stderr
