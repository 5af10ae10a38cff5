"""Whole-week held-out split: rule, determinism, share and description."""

from __future__ import annotations

import pandas as pd
import pytest

from tsgan.data.sources import load_days
from tsgan.data.split import describe_split, split_weeks, validation_split, week_numbers
from tsgan.errors import TsganError


@pytest.fixture(scope="module")
def days() -> pd.DataFrame:
    return load_days()


def test_week_numbers_are_monday_based() -> None:
    index = pd.DatetimeIndex(["1970-01-05", "1970-01-11", "1970-01-12", "2024-06-03"])
    assert week_numbers(index).tolist() == [0, 0, 1, (pd.Timestamp("2024-06-03")
                                                      - pd.Timestamp("1970-01-05")).days // 7]
    assert pd.Timestamp("2024-06-03").day_name() == "Monday"


def test_split_is_whole_weeks_deterministic_and_about_a_fifth(days: pd.DataFrame) -> None:
    train, test = split_weeks(days)
    assert len(train) + len(test) == len(days)
    assert train.index.intersection(test.index).empty
    weeks_test, weeks_train = set(week_numbers(test.index)), set(week_numbers(train.index))
    assert weeks_test.isdisjoint(weeks_train)  # no week is split between the two
    assert all(w % 5 == 0 for w in weeks_test)
    assert (test.index.day_of_week == 0).sum() == len(weeks_test)  # full weeks start Monday
    assert 0.18 < len(test) / len(days) < 0.22
    again_train, again_test = split_weeks(days)
    assert again_train.equals(train) and again_test.equals(test)
    shuffled_train, shuffled_test = split_weeks(days.sample(frac=1.0, random_state=1))
    assert shuffled_test.sort_index().equals(test)
    other_train, other_test = split_weeks(days, every=4, offset=3)
    assert all(w % 4 == 3 for w in week_numbers(other_test.index))


def test_validation_split_never_touches_test_weeks(days: pd.DataFrame) -> None:
    train, test = split_weeks(days)
    fit, valid = validation_split(train)
    assert len(fit) + len(valid) == len(train) and len(valid) > 0
    assert valid.index.intersection(test.index).empty
    assert all(w % 5 == 1 for w in week_numbers(valid.index))


def test_describe_split(days: pd.DataFrame) -> None:
    train, test = split_weeks(days, every=5, offset=2)
    info = describe_split(train, test)
    assert info["n_train"] == len(train) and info["n_test"] == len(test)
    assert info["every"] == 5 and info["offset"] == 2
    assert info["first_train"] <= "2018-01-07" and info["last_train"] <= "2026-03-01"
    assert info["first_test"] >= "2018-01-01" and 0.18 < info["test_fraction"] < 0.22
    assert info["n_test_weeks"] * 7 >= info["n_test"]
    import json
    json.dumps(info)  # recordable as is


def test_bad_arguments(days: pd.DataFrame) -> None:
    for every, offset in ((1, 0), (5, 5), (5, -1), (2.5, 0)):
        with pytest.raises(TsganError):
            split_weeks(days, every=every, offset=offset)
    with pytest.raises(TsganError, match="DatetimeIndex"):
        split_weeks(days.reset_index())
