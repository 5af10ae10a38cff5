"""Held-out test days as whole Monday-based weeks, chosen by a fixed rule (no randomness).

A day belongs to week ``(date - 1970-01-05).days // 7`` (1970-01-05 was a Monday); it is a
test day when ``week % every == offset``. Whole weeks keep the strongly correlated
neighbouring days of a test day out of training, every season contributes test weeks, and
the same data always gives the same split. With the default ``every=5`` about 20 % of the days
are held out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tsgan.errors import TsganError

EPOCH_MONDAY = pd.Timestamp("1970-01-05")


def week_numbers(index: pd.Index) -> np.ndarray:
    """Monday-based week number since 1970-01-05 of each date in ``index``."""
    if not isinstance(index, pd.DatetimeIndex):
        raise TsganError("days must be indexed by date (a DatetimeIndex) to split by weeks")
    dates = index.tz_localize(None) if index.tz is not None else index
    return ((dates.normalize() - EPOCH_MONDAY).days // 7).to_numpy()


def _check(every: int, offset: int) -> None:
    if int(every) != every or every < 2:
        raise TsganError(f"every must be a whole number >= 2, got {every!r}")
    if int(offset) != offset or not 0 <= offset < every:
        raise TsganError(f"offset must be a whole number in [0, {every - 1}], got {offset!r}")


def split_weeks(days: pd.DataFrame, every: int = 5,
                offset: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): test = days of the weeks with ``week % every == offset``.

    Both frames keep the input's order and columns; ``attrs["split"]`` records the rule.
    """
    _check(every, offset)
    test_mask = week_numbers(days.index) % every == offset
    train, test = days[~test_mask].copy(), days[test_mask].copy()
    rule = {"every": int(every), "offset": int(offset)}
    train.attrs["split"], test.attrs["split"] = dict(rule), dict(rule)
    return train, test


def validation_split(train_days: pd.DataFrame, every: int = 5,
                     offset: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fit, validation) from the training days by the same week rule, for model selection.

    It only ever sees training days, so held-out test weeks are never used for choices.
    """
    return split_weeks(train_days, every=every, offset=offset)


def _span(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    if frame.empty:
        return None, None
    index = pd.DatetimeIndex(frame.index)
    return index.min().strftime("%Y-%m-%d"), index.max().strftime("%Y-%m-%d")


def describe_split(train: pd.DataFrame, test: pd.DataFrame, every: int | None = None,
                   offset: int | None = None) -> dict[str, Any]:
    """Plain dict of the split for run records: sizes, rule, first/last dates, test share.

    ``every``/``offset`` default to the rule stored by :func:`split_weeks` in ``attrs``.
    """
    rule = test.attrs.get("split") or train.attrs.get("split") or {}
    first_train, last_train = _span(train)
    first_test, last_test = _span(test)
    total = len(train) + len(test)
    return {
        "n_train": int(len(train)), "n_test": int(len(test)),
        "every": int(every if every is not None else rule.get("every", 0)) or None,
        "offset": offset if offset is not None else rule.get("offset"),
        "test_fraction": round(len(test) / total, 4) if total else 0.0,
        "first_train": first_train, "last_train": last_train,
        "first_test": first_test, "last_test": last_test,
        "n_test_weeks": int(len(np.unique(week_numbers(test.index)))) if len(test) else 0,
    }
