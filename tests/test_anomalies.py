"""tsgan.evaluate.anomalies: ranking real days by 1 - D(day) with a briefly trained run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsgan.api import load
from tsgan.errors import TsganError
from tsgan.evaluate.anomalies import find_anomalies, memorisation_note, score_days, write_anomalies

HOURS = [f"h{h:02d}" for h in range(24)]


@pytest.fixture(scope="module")
def smard_run(smard_gan, tmp_path_factory):
    """The shared briefly trained smard model (conftest) saved as a run directory."""
    run_dir = tmp_path_factory.mktemp("anom") / "smard"
    smard_gan.save(run_dir)
    return run_dir


@pytest.fixture(scope="module")
def saved(smard_run):
    """The run as loaded from its directory (what ``tsgan anomalies`` scores)."""
    return load(smard_run)


@pytest.fixture(scope="module")
def ranked(saved):
    return find_anomalies(saved)


def test_ranks_all_run_days_most_anomalous_first(ranked, smard_gan):
    assert list(ranked.columns) == ["date", "score", "split", *HOURS]
    assert len(ranked) == len(smard_gan.train_data) + len(smard_gan.test_data)
    held = set(smard_gan.test_data.index.strftime("%Y-%m-%d"))
    assert (ranked["split"] == "held-out").sum() == len(held)
    assert ranked["date"].isin(held).eq(ranked["split"] == "held-out").all()
    assert set(ranked["split"]) == {"training", "held-out"}
    scores = ranked["score"].to_numpy()
    assert (np.diff(scores) <= 0).all()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert ranked["date"].is_unique and ranked["date"].str.match(r"\d{4}-\d{2}-\d{2}$").all()
    top = ranked.iloc[0]
    days = pd.concat([smard_gan.train_data, smard_gan.test_data]).sort_index()
    where = days.index.get_loc(pd.Timestamp(top["date"]))  # conditional: judged in context
    assert top["score"] == pytest.approx(1 - smard_gan.discriminate(days)[where], abs=1e-6)


def test_planted_outlier_ranks_first(saved, smard_gan, tmp_path):
    from tsgan.data.sources import write_days

    days = smard_gan.test_data.iloc[-60:].copy()
    planted = pd.Timestamp("2030-06-03")
    sawtooth = np.where(np.arange(24) % 2 == 0, 400.0, -400.0)
    days.loc[planted] = sawtooth
    days.index.name = "date"
    path = tmp_path / "days.csv"
    write_days(days, path)
    ranked = find_anomalies(saved, data_path=path, top=3)
    assert ranked.iloc[0]["date"] == "2030-06-03"
    assert len(ranked) == 61
    # the file's days are the run's held-out days plus the planted one, which is new
    assert ranked.iloc[0]["split"] == "new"
    assert (ranked["split"].iloc[1:] == "held-out").all()
    only_new = find_anomalies(saved, data_path=path, split="new")
    assert list(only_new["date"]) == ["2030-06-03"]
    np.testing.assert_allclose(ranked.iloc[0][HOURS].to_numpy(float), sawtooth)


def test_write_anomalies_csv_and_plot(smard_run, ranked, tmp_path):
    paths = write_anomalies(smard_run, ranked, top=5)
    assert paths == [smard_run / "anomalies.csv", smard_run / "plots" / "anomalies.png"]
    back = pd.read_csv(paths[0])
    assert list(back.columns) == ["date", "score", "split", *HOURS] and len(back) == len(ranked)
    assert back["date"].iloc[0] == ranked["date"].iloc[0]
    assert paths[1].stat().st_size > 1000
    out = tmp_path / "elsewhere" / "odd.csv"
    paths = write_anomalies(smard_run, ranked, top=2, out=out)
    assert paths == [out, out.with_name("odd.png")] and all(p.is_file() for p in paths)
    with pytest.raises(TsganError):
        write_anomalies(smard_run, ranked, top=2, out=tmp_path / "x.txt")


def test_score_days_rejects_wrong_columns(smard_gan):
    with pytest.raises(TsganError):
        score_days(smard_gan, pd.DataFrame({"a": [1.0]}))
    bad = pd.DataFrame([[np.nan] * 24], columns=HOURS)
    with pytest.raises(TsganError):
        score_days(smard_gan, bad)


def test_cli_anomalies(smard_run, capsys):
    from tsgan.cli import main

    assert main(["anomalies", "--run", str(smard_run), "--top", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all("score" in line for line in lines)
    assert main(["anomalies", "--run", str(smard_run), "--top", "3", "--split", "held-out",
                 "--out", str(smard_run / "held.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all(line.endswith("held-out") for line in lines)
    assert set(pd.read_csv(smard_run / "held.csv")["split"]) == {"held-out"}


def test_file_days_are_matched_by_date_and_prices(saved, smard_gan, tmp_path):
    """A file's day is a training / held-out day only if date and prices are the run's."""
    from tsgan.data.sources import write_days

    days = pd.concat([smard_gan.train_data.iloc[:5], smard_gan.test_data.iloc[:3]])
    days = days.sort_index()
    changed = smard_gan.train_data.index[0]
    days.loc[changed, "h12"] += 50.0  # same date, other prices (another zone, say)
    days.index.name = "date"
    path = tmp_path / "mixed.csv"
    write_days(days, path)
    ranked = find_anomalies(saved, data_path=path).set_index("date")["split"]
    assert ranked[changed.strftime("%Y-%m-%d")] == "new"
    for day in smard_gan.train_data.index[1:5]:
        assert ranked[day.strftime("%Y-%m-%d")] == "training"
    for day in smard_gan.test_data.index[:3]:
        assert ranked[day.strftime("%Y-%m-%d")] == "held-out"


def test_cli_split_choices_are_the_modules():
    from tsgan.cli import ANOMALY_SPLITS
    from tsgan.evaluate.anomalies import SPLITS

    assert ANOMALY_SPLITS == SPLITS


def test_split_filter_errors(saved):
    with pytest.raises(TsganError, match="unknown --split 'test'"):
        find_anomalies(saved, split="test")
    with pytest.raises(TsganError, match="no new days to score"):
        find_anomalies(saved, split="new")


def test_memorisation_note_compares_the_splits():
    def ranking(splits):
        return pd.DataFrame({"score": np.linspace(1, 0, len(splits)), "split": splits})

    crowded = ["held-out"] * 10 + ["training"] * 60 + ["held-out"] * 10
    note = memorisation_note(ranking(crowded))
    assert note is not None and "25% of these days but 100% of the top 10" in note
    mixed = ["held-out", "training", "training", "training"] * 20
    assert memorisation_note(ranking(mixed)) is None
    assert memorisation_note(ranking(["training"] * 30)) is None
    assert memorisation_note(ranking(["new"] * 30)) is None
