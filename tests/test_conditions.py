"""Conditional generation: condition frames, encoding, requests, the conditional GAN, EMA."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from tests.gan_helpers import (
    assert_discriminator_step_freezes_generator,
    assert_generator_step_freezes_discriminator,
    weight_values,
)
from tsgan.data.conditions import (
    ConditionEncoder,
    condition_frame,
    parse_value,
    previous_level,
    request_conditions,
)
from tsgan.data.days import HOUR_COLUMNS
from tsgan.errors import TsganError


def _days(n: int = 400, start: str = "2024-01-01", seed: int = 0) -> pd.DataFrame:
    """Synthetic days: weekdays at 80, weekends at 30 EUR/MWh, plus a user column ``temp``
    that shifts the whole day (2 EUR/MWh per degree); a little noise."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=n, freq="D", name="date")
    weekend = index.day_of_week >= 5
    temp = rng.uniform(-5, 25, n)
    level = np.where(weekend, 30.0, 80.0) - 2.0 * (temp - 10.0)
    shape = 10 * np.sin(np.linspace(0, 2 * np.pi, 24))
    values = level[:, None] + shape[None, :] + rng.normal(0, 2, (n, 24))
    frame = pd.DataFrame(values, index=index, columns=HOUR_COLUMNS)
    frame["temp"] = temp
    return frame


# --------------------------------------------------------------------------- frames
def test_calendar_conditions_of_known_dates() -> None:
    index = pd.DatetimeIndex(["2024-12-24", "2024-12-25", "2025-06-01"], name="date")
    days = pd.DataFrame(50.0, index=index, columns=HOUR_COLUMNS)
    raw = condition_frame(days, ["month", "weekday", "holiday"])
    assert raw["month"].tolist() == [12, 12, 6]
    assert raw["weekday"].tolist() == [1, 2, 6]  # Tuesday, Wednesday, Sunday
    assert raw["holiday"].tolist() == [0, 1, 0]  # Christmas Day is a German holiday


def test_level_is_mean_of_the_days_before_with_gaps() -> None:
    index = pd.date_range("2025-01-01", periods=20, freq="D", name="date").delete([9, 10])
    daily = np.arange(len(index), dtype=float) * 10.0
    days = pd.DataFrame(np.repeat(daily[:, None], 24, axis=1), index=index,
                        columns=HOUR_COLUMNS)
    level = previous_level(days, 7)
    assert np.isnan(level[0])
    assert level[1] == pytest.approx(0.0)
    for i, day in enumerate(index):
        window = (index >= day - pd.Timedelta(days=7)) & (index < day)
        if window.any():
            assert level[i] == pytest.approx(daily[window].mean())
    shuffled = days.iloc[np.random.default_rng(1).permutation(len(days))]
    again = pd.Series(previous_level(shuffled, 7), index=shuffled.index).sort_index()
    np.testing.assert_allclose(again.to_numpy(), level, equal_nan=True)
    with pytest.raises(TsganError, match="level_days"):
        previous_level(days, 0)


def test_user_column_conditions_and_errors() -> None:
    days = _days(20)
    raw = condition_frame(days, ["temp"])
    np.testing.assert_array_equal(raw["temp"].to_numpy(), days["temp"].to_numpy())
    with pytest.raises(TsganError, match="'wind' is not in the data"):
        condition_frame(days, ["wind"])
    days.loc[days.index[3], "temp"] = np.nan
    with pytest.raises(TsganError, match=r"missing or not a number on \d{4}-\d\d-\d\d"):
        condition_frame(days, ["temp"])


def test_encoder_one_hot_and_standardised() -> None:
    raw = pd.DataFrame({"month": [1, 12], "weekday": [0, 6], "holiday": [0, 1],
                        "level": [10.0, 30.0]})
    encoder = ConditionEncoder.fit(raw, ["month", "weekday", "holiday", "level"])
    assert encoder.width == 12 + 7 + 1 + 1
    assert encoder.labels()[:2] == ["month=1", "month=2"]
    encoded = encoder.encode(raw)
    assert encoded.dtype == np.float32 and encoded.shape == (2, 21)
    assert encoded[0, 0] == 1 and encoded[1, 11] == 1 and encoded[:, :12].sum() == 2
    assert encoded[0, 12] == 1 and encoded[1, 18] == 1
    assert encoded[:, 19].tolist() == [0, 1]
    np.testing.assert_allclose(encoded[:, 20], [-1.0, 1.0])
    bad = raw.assign(month=[0, 12])
    with pytest.raises(TsganError, match="condition month has invalid value 0"):
        encoder.encode(bad)
    with pytest.raises(TsganError, match="must be a finite number"):
        encoder.encode(raw.assign(level=[1.0, np.inf]))
    with pytest.raises(TsganError, match="conditions lack level"):
        encoder.encode(raw.drop(columns="level"))


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("weekday", "sat", [5.0]), ("weekday", "Saturday", [5.0]), ("weekday", "mon-fri",
                                                                 [0.0, 1.0, 2.0, 3.0, 4.0]),
    ("weekday", [0, "sun"], [0.0, 6.0]), ("month", "jan", [1.0]), ("month", "6-8",
                                                                    [6.0, 7.0, 8.0]),
    ("month", "dec,jan,feb", [1.0, 2.0, 12.0]), ("holiday", "yes", [1.0]),
    ("level", "80.5", 80.5), ("level", -20, -20.0),
])
def test_parse_value(name: str, value: object, expected: object) -> None:
    assert parse_value(name, value) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("weekday", "sa", "invalid value 'sa'"), ("month", "13", "invalid value '13'"),
    ("month", "8-6", "runs backwards"), ("holiday", "2", "valid: 0 or 1"),
    ("level", "high", "must be a number"), ("level", "nan", "finite"),
])
def test_parse_value_errors(name: str, value: object, message: str) -> None:
    with pytest.raises(TsganError, match=message):
        parse_value(name, value)


# --------------------------------------------------------------------------- requests
def _train_raw() -> pd.DataFrame:
    days = _days(400)
    days["level"] = 0.0
    raw = condition_frame(days, ["month", "weekday", "holiday", "temp"])
    return raw.reset_index(drop=True)


def test_request_matches_named_and_draws_the_rest_from_matching_days() -> None:
    train = _train_raw()
    names = list(train.columns)
    rng = np.random.default_rng(0)
    out = request_conditions(train, names, 200, rng, {"month": "jan", "weekday": "sat"})
    assert len(out) == 200 and list(out.columns) == names
    assert (out["month"] == 1).all() and (out["weekday"] == 5).all()
    jan_sat = train[(train["month"] == 1) & (train["weekday"] == 5)]
    assert set(out["temp"]) <= set(jan_sat["temp"])
    fixed = request_conditions(train, names, 5, rng, {"temp": 3.5})
    assert (fixed["temp"] == 3.5).all()
    free = request_conditions(train, names, 1000, rng, None)
    assert set(free["month"]) == set(train["month"])


def test_request_without_matching_days_uses_the_sets() -> None:
    train = _train_raw()
    train = train[train["month"] != 7]
    out = request_conditions(train, list(train.columns), 50, np.random.default_rng(0),
                             {"month": 7, "weekday": [5, 6]})
    assert (out["month"] == 7).all() and set(out["weekday"]) <= {5, 6}


def test_request_from_a_frame_with_dates() -> None:
    train = _train_raw()
    names = ["month", "weekday", "holiday", "temp"]
    frame = pd.DataFrame({"date": ["2026-12-25", "2026-07-05"], "temp": ["1,5", 20]})
    with pytest.raises(TsganError, match="temp has invalid value"):
        request_conditions(train, names, 2, np.random.default_rng(0), frame)
    frame["temp"] = [1.5, 20]
    out = request_conditions(train, names, 2, np.random.default_rng(0), frame)
    assert out.to_dict("list") == {"month": [12, 7], "weekday": [4, 6], "holiday": [1, 0],
                                   "temp": [1.5, 20.0]}
    one = request_conditions(train, names, 3, np.random.default_rng(0), frame.iloc[:1])
    assert len(one) == 3 and (one["month"] == 12).all()
    with pytest.raises(TsganError, match="give one row per wanted day"):
        request_conditions(train, names, 5, np.random.default_rng(0), frame)
    with pytest.raises(TsganError, match="not a date"):
        request_conditions(train, names, 1, np.random.default_rng(0),
                           pd.DataFrame({"date": ["someday"], "temp": [1]}))
    with pytest.raises(TsganError, match="unknown condition wind"):
        request_conditions(train, names, 1, np.random.default_rng(0), {"wind": 3})


# --------------------------------------------------------------------------- the model
def _conditional_gan(**extra: object):  # noqa: ANN202 - returns tsgan.model.gan.GAN
    from tsgan.model.config import GANConfig, NetworkConfig
    from tsgan.model.gan import GAN
    from tsgan.model.networks import build_discriminator, build_generator, build_optimizer

    keras.utils.set_random_seed(0)
    config = GANConfig(latent_dim=4, generator=NetworkConfig(units=[8], batch_norm=True,
                                                             dropout=0.1),
                       discriminator=NetworkConfig(units=[8], shape_features=True,
                                                   minibatch_stddev=True)).validate()
    gan = GAN(build_generator(config, 5, 3), build_discriminator(config, 5, 3), 4,
              condition_dim=3, seed=0, **extra)
    gan.compile(d_optimizer=build_optimizer(config, 0.01),
                g_optimizer=build_optimizer(config, 0.01))
    return gan


def test_conditional_steps_freeze_the_other_network() -> None:
    gan = _conditional_gan()
    real = tf.random.stateless_normal((16, 5), seed=[1, 2])
    cond = tf.random.stateless_normal((16, 3), seed=[3, 4])
    noise = tf.random.stateless_normal((16, 4), seed=[5, 6])
    assert_generator_step_freezes_discriminator(gan, noise, cond)
    assert_discriminator_step_freezes_generator(gan, real, noise, cond)
    logs = tf.function(gan.train_step)(tf.concat([real, cond], axis=1))
    assert all(np.isfinite(float(v)) for v in logs.values())


def test_ema_is_the_exact_moving_average() -> None:
    gan = _conditional_gan(ema_decay=0.9)
    noise = tf.random.stateless_normal((16, 4), seed=[5, 6])
    cond = tf.random.stateless_normal((16, 3), seed=[3, 4])
    before = weight_values(gan.ema_generator)
    assert all(np.array_equal(a, b) for a, b in zip(before, weight_values(gan.generator),
                                                    strict=True))
    gan.generator_step(noise, cond)
    new = weight_values(gan.generator)
    for average, old, weight, var in zip(weight_values(gan.ema_generator), before, new,
                                         gan.generator.weights, strict=True):
        if "float" in str(var.dtype):
            np.testing.assert_allclose(average, 0.9 * old + 0.1 * weight, rtol=1e-6,
                                       atol=1e-7)
    assert gan.sampling_generator is gan.ema_generator
    with pytest.raises(TsganError, match="ema_decay"):
        _conditional_gan(ema_decay=1.0)


def test_conditional_price_gan_follows_its_conditions(tmp_path) -> None:
    """Weekends at 30, weekdays at 80 EUR/MWh, minus 2 per degree: the model must follow."""
    from tsgan.api import PriceGAN, load

    gan = PriceGAN("smard", conditions=["weekday", "temp"], iterations=1500,
                   snapshot_every=0, ema_decay=0.99, scaler="standard", seed=0).fit(_days(700))
    assert gan.condition_encoder.width == 8
    weekday = gan.sample(400, seed=1, conditions={"weekday": "mon-fri", "temp": 10})
    weekend = gan.sample(400, seed=1, conditions={"weekday": "sat,sun", "temp": 10})
    cold = gan.sample(400, seed=1, conditions={"weekday": "wed", "temp": -5})
    warm = gan.sample(400, seed=1, conditions={"weekday": "wed", "temp": 25})
    gap = weekday.to_numpy().mean() - weekend.to_numpy().mean()
    assert 35 < gap < 65, gap                                  # truth: 50
    spread = cold.to_numpy().mean() - warm.to_numpy().mean()
    assert 40 < spread < 80, spread                            # truth: 60
    with_conditions = gan.sample(5, seed=2, conditions={"weekday": 6}, return_conditions=True)
    assert list(with_conditions.columns) == [*HOUR_COLUMNS, "weekday", "temp"]
    assert (with_conditions["weekday"] == 6).all()
    again = load(gan.save(tmp_path / "run"))
    assert again.condition_names == ["weekday", "temp"]
    np.testing.assert_array_equal(
        again.sample(50, seed=3, conditions={"weekday": 2}).to_numpy(),
        gan.sample(50, seed=3, conditions={"weekday": 2}).to_numpy())
    np.testing.assert_array_equal(again.test_conditions.to_numpy(),
                                  gan.test_conditions.to_numpy())
    assert list(again.test_conditions.index) == list(gan.test_conditions.index)
    scores = again.discriminate(again.test_data.iloc[:10].join(_days(700)["temp"]))
    assert scores.shape == (10,) and np.isfinite(scores).all()
    with pytest.raises(TsganError, match="conditioned on weekday, temp"):
        again.discriminate(again.test_data.to_numpy()[:3])


def test_conditions_need_smard_and_a_conditional_model(quadratic_gan) -> None:
    from tsgan.api import PriceGAN

    with pytest.raises(TsganError, match="smard preset only"):
        PriceGAN("quadratic", conditions=["month"])
    with pytest.raises(TsganError, match="listed twice"):
        PriceGAN("smard", conditions=["month", "month"])
    with pytest.raises(TsganError, match="trained without conditions"):
        quadratic_gan.sample(3, conditions={"month": 1})


# --------------------------------------------------------------------------- the command
def test_cli_conditional_train_generate_and_errors(tmp_path) -> None:
    from tests.cli_helpers import assert_one_line_error, run_tsgan

    run = tmp_path / "run"
    done = run_tsgan("train", "--conditions", "calendar,level", "--iterations", "200",
                     "--set", "ema_decay=0.99", "--set", "discriminator.shape_features=true",
                     "--run-dir", str(run), "--quiet")
    assert done.returncode == 0, done.stderr
    config = __import__("json").loads((run / "config.json").read_text())["config"]
    assert config["conditions"] == ["month", "weekday", "holiday", "level"]
    assert config["ema_decay"] == 0.99 and config["discriminator"]["shape_features"] is True
    assert (run / "plots" / "conditions.png").is_file()

    out = tmp_path / "jan.csv"
    done = run_tsgan("generate", "--run", str(run), "-n", "40", "--month", "jan",
                     "--weekday", "mon-fri", "--level", "120", "--seed", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["scenario", *HOUR_COLUMNS, "month", "weekday", "holiday",
                                   "level"]
    assert (frame["month"] == 1).all() and frame["weekday"].between(0, 4).all()
    assert (frame["level"] == 120).all()

    spec = tmp_path / "days.csv"
    spec.write_text("date,level\n2026-12-24,90\n2026-12-25,85.5\n2026-12-27,70\n")
    out2 = tmp_path / "xmas.parquet"
    done = run_tsgan("generate", "--run", str(run), "--condition-file", str(spec),
                     "--out", str(out2))
    assert done.returncode == 0, done.stderr
    xmas = pd.read_parquet(out2)
    assert xmas[["month", "weekday", "holiday"]].to_numpy().tolist() == \
        [[12, 3, 0], [12, 4, 1], [12, 6, 0]]
    assert xmas["level"].tolist() == [90.0, 85.5, 70.0]

    out.write_text("keep me")
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("date,level\n")
    blank = tmp_path / "blank.csv"
    blank.write_text("\n")
    for args, message in [
        (["-n", "3", "--weekday", "funday"], "condition weekday has invalid value 'funday'"),
        (["-n", "3", "--condition", "wind=3"], "unknown condition wind"),
        (["--month", "1"], "give -n N"),
        (["-n", "2", "--condition-file", str(spec)], "has 3 rows but -n is 2"),
        (["-n", "2", "--condition-file", str(tmp_path / "nope.csv")], "does not exist"),
        (["-n", "2", "--condition-file", str(spec), "--month", "1"], "cannot be combined"),
        (["--condition-file", str(header_only)], "condition file"),
        (["--condition-file", str(blank)], "condition file"),
    ]:
        line = assert_one_line_error(run_tsgan("generate", "--run", str(run), *args,
                                               "--out", str(out)))
        assert message in line, line
    assert out.read_text() == "keep me"  # nothing already written is lost


def test_cli_settings_and_conditions_errors(tmp_path, saved_quadratic_run) -> None:
    from tests.cli_helpers import assert_one_line_error, run_tsgan

    for args, message in [
        (["--set", "loss"], "--set expects KEY=VALUE"),
        (["--set", "optimizer.lr=1"], "only generator.FIELD and discriminator.FIELD nest"),
        (["--set", "loss=hinge"], "unknown loss 'hinge'"),
        (["--set", "discriminator.widths=[3]"], "unknown discriminator setting"),
        (["--conditions", "month,month"], "listed twice"),
        (["--conditions", "wind"], "condition column 'wind' is not in the data"),
        (["--preset", "quadratic", "--conditions", "month"], "smard preset only"),
        (["--set", "iterations=abc"], "iterations must be an integer, got 'abc'"),
        (["--set", "learning_rate=fast"], "learning_rate must be a number"),
        (["--set", "generator.units=abc"], "generator.units must be a list of integers"),
        (["--set", "discriminator.shape_features=1"], "must be true or false"),
        (["--set", "beta_1=1.5"], "beta_1 must be in [0, 1)"),
        (["--set", "ema_decay=1"], "ema_decay must be in [0, 1)"),
    ]:
        line = assert_one_line_error(run_tsgan("train", "--iterations", "10", "--run-dir",
                                               str(tmp_path / "r"), *args))
        assert message in line, line
        assert not (tmp_path / "r").exists()
    line = assert_one_line_error(run_tsgan("generate", "--run", str(saved_quadratic_run),
                                           "-n", "3", "--month", "1",
                                           "--out", str(tmp_path / "q.csv")))
    assert "trained without conditions" in line


def test_wide_daily_file_keeps_numeric_user_columns(tmp_path) -> None:
    from tsgan.data.sources import load_days

    days = _days(10)
    frame = days.reset_index()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame["note"] = "text"                                   # not a number: left out
    frame["gas"] = [f"{v:.1f}".replace(".", ",") for v in np.linspace(30, 40, 10)]
    path = tmp_path / "days.csv"
    frame.to_csv(path, index=False)
    loaded = load_days(path)
    assert "note" not in loaded.columns
    np.testing.assert_allclose(loaded["temp"].to_numpy(), days["temp"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(loaded["gas"].to_numpy(), np.round(np.linspace(30, 40, 10), 1))
    raw = condition_frame(loaded, ["weekday", "gas"])
    assert list(raw.columns) == ["weekday", "gas"]
