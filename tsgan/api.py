"""The Python API: ``PriceGAN`` (fit / sample / discriminate / save) and ``load``.

Shaped like scikit-learn / SDV synthesizers::

    from tsgan import PriceGAN, load
    gan = PriceGAN("smard", iterations=2000, seed=1).fit()   # bundled German prices
    days = gan.sample(1000, seed=0)                          # DataFrame h00..h23, EUR/MWh
    gan.save("runs/demo"); same = load("runs/demo")

Everything the user sees is in original units (EUR/MWh, x/y, inches); scaling to the model's
space and back is internal. The CLI calls exactly these functions.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.checks import Stream
from tsgan.errors import TsganError
from tsgan.model.config import GANConfig
from tsgan.model.presets import PRESET_COLUMNS, TOY_SAMPLERS, preset_config
from tsgan.runs import FORECAST_PRESET, RunState, fingerprint, is_forecast_run

#: Rows per generator call in :meth:`PriceGAN.sample` (bounded memory, few calls).
SAMPLE_CHUNK = 65_536
BUNDLED_SOURCE = "bundled SMARD DE-LU"


def _seed_everything(seed: int) -> None:
    import keras

    keras.utils.set_random_seed(int(seed))


def _fitted(name: str, doc: str) -> property:
    """A read-only attribute of :class:`PriceGAN` that is the field ``name`` of its state."""
    return property(lambda self: getattr(self.state, name), doc=doc)


class PriceGAN:
    """A GAN for daily price curves (preset ``smard``) or a classic toy case.

    ``PriceGAN(preset, **overrides)``: any :class:`~tsgan.model.config.GANConfig` field may be
    overridden (``iterations``, ``batch_size``, ``latent_dim``, ``learning_rate``, ``seed``,
    ``generator={"units": [...]}``, ...). Unknown names raise TsganError.
    """

    def __new__(cls, preset: str = "smard", **settings: Any) -> Any:
        """``PriceGAN("forecast", exogenous=[...])`` is a :class:`tsgan.forecast.ForecastGAN`:
        scenarios for given delivery days instead of calendar-conditioned days."""
        if preset == FORECAST_PRESET and cls is PriceGAN:
            from tsgan.forecast import ForecastGAN

            return ForecastGAN(**settings)
        return super().__new__(cls)

    def __init__(self, preset: str = "smard", *, strategy: Any = None,
                 **overrides: Any) -> None:
        #: The configuration (what to train and how); :attr:`state` holds what fitting made.
        self.config: GANConfig = preset_config(preset, **overrides)
        #: ``tf.distribute`` strategy: None / "default", "mirrored", "multiworker" or an
        #: instance; ``batch_size`` is the global batch (see docs/scaling.md).
        self.strategy: Any = None if strategy == "default" else strategy
        #: The fitted state (:class:`tsgan.runs.RunState`): a fresh one per :meth:`fit`,
        #: read from the run directory by :meth:`load`. Its fields are also read-only
        #: attributes of the model (``history``, ``train_data``, ...).
        self.state: RunState = RunState(columns=list(PRESET_COLUMNS[preset]))
        self._sample_fn: Any = None
        self._anchors: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_state(cls, config: GANConfig, state: RunState, *,
                   strategy: Any = None) -> PriceGAN:
        """A model with ``config`` and the fitted ``state`` (as :mod:`tsgan.runs` reads them)."""
        model = cls(config.preset, strategy=strategy)
        model.config = config
        model.state = state
        return model

    @classmethod
    def load(cls, run_dir: str | os.PathLike[str]) -> PriceGAN:
        """Load a run directory written by :meth:`save` (Keras safe mode, no pickle).

        Missing, half-written, corrupt, foreign or incompatible runs raise TsganError.
        """
        from tsgan.runs import read_run

        if is_forecast_run(run_dir):
            from tsgan.forecast import ForecastGAN

            return ForecastGAN.load(run_dir)  # type: ignore[return-value]
        return cls.from_state(*read_run(run_dir))

    def __repr__(self) -> str:
        state = "fitted" if self.generator is not None else "not fitted"
        return f"PriceGAN(preset={self.config.preset!r}, {state})"

    # ------------------------------------------------------------------ fitted state
    columns = _fitted("columns", "Value columns (original units), e.g. h00..h23.")
    scaler = _fitted("scaler", "The :class:`~tsgan.model.scaling.Scaler` (None before fit).")
    generator = _fitted("generator", "The Keras generator (with ``ema_decay``: the weight "
                                     "average).")
    discriminator = _fitted("discriminator", "The Keras discriminator.")
    train_data = _fitted("train_data", "Training rows, original units (smard: by date).")
    test_data = _fitted("test_data", "Held-out rows, original units.")
    train_conditions = _fitted("train_conditions", "Conditional runs: raw conditions of the "
                                                   "training days (same index).")
    test_conditions = _fitted("test_conditions", "Conditional runs: raw conditions of the "
                                                 "held-out days.")
    condition_encoder = _fitted("condition_encoder", "Conditional runs: the fitted "
                                                     ":class:`~tsgan.data.conditions."
                                                     "ConditionEncoder`.")
    history = _fitted("history", "Training history: step, d_loss, g_loss, d_acc_real, "
                                 "d_acc_fake.")
    snapshots = _fitted("snapshots", "Evolution snapshots: steps, samples (original units).")
    selection = _fitted("selection", "Model selection's validation curve (None when off).")
    best_step = _fitted("best_step", "The step whose weights model selection kept.")
    data_source = _fitted("data_source", "Where the training data came from.")
    data_fingerprint = _fitted("data_fingerprint", "sha256 of the training + test arrays.")
    split = _fitted("split", "How the data were split into training and held-out rows.")
    train_seconds = _fitted("train_seconds", "Training wall time without callbacks.")
    ms_per_step = _fitted("ms_per_step", "Steady-state milliseconds per training step.")
    compile_seconds = _fitted("compile_seconds", "Time spent tracing / compiling.")
    steps_trained = _fitted("steps_trained", "Where training ended.")
    created_utc = _fitted("created_utc", "When training finished (UTC).")

    @property
    def marginal_map(self) -> Any:
        """Marginal calibration (``marginal_calibration``, :mod:`tsgan.model.marginals`): the
        value map fitted after training and applied by :meth:`sample`; None when off. Set
        it to None to sample the generator's own output."""
        return self.state.marginal_map

    @marginal_map.setter
    def marginal_map(self, value: Any) -> None:
        self.state.marginal_map = value

    # ------------------------------------------------------------------ data
    def _prepare_data(self, days: Any, source: str | None) -> RunState:
        """A new state holding the training and held-out data of ``days``, their split, raw
        conditions and provenance (``source``, or what ``days`` is)."""
        config = self.config
        columns = list(PRESET_COLUMNS[config.preset])
        if config.preset == "smard":
            if days is None:
                from tsgan.data.sources import load_days

                days = load_days(None)
                source = source or BUNDLED_SOURCE
            if not isinstance(days, pd.DataFrame) or not isinstance(days.index,
                                                                     pd.DatetimeIndex):
                raise TsganError("smard training data must be a day frame indexed by date "
                                 "with columns h00..h23 (see tsgan.data.sources.load_days)")
            missing = [c for c in columns if c not in days.columns]
            if missing:
                raise TsganError(f"day frame lacks columns {', '.join(missing[:5])}")
            from tsgan.data.split import describe_split, split_weeks

            frame = days[columns].astype(np.float64)
            if not np.isfinite(frame.to_numpy()).all():
                raise TsganError("day frame holds NaN or infinite prices")
            raw = None
            if config.conditions:
                from tsgan.data.conditions import condition_frame

                raw = condition_frame(days, config.conditions, config.level_days, columns)
                known = raw.notna().all(axis=1).to_numpy()  # level: not for the first day
                frame, raw = frame[known], raw[known]
            train, test = split_weeks(frame, every=config.test_every_nth_week)
            if len(train) < config.batch_size:
                raise TsganError(f"only {len(train)} training days, fewer than batch_size "
                                 f"{config.batch_size}; give more data or a smaller batch")
            state = RunState(columns=columns, train_data=train, test_data=test,
                             split=describe_split(train, test),
                             data_source=source or "DataFrame")
            if raw is not None:
                state.train_conditions = raw.loc[train.index]
                state.test_conditions = raw.loc[test.index]
                state.split["n_without_conditions"] = int(len(days) - len(frame))
            return state
        sampler = TOY_SAMPLERS[config.preset]
        test = sampler(config.test_size, checks.rng(config.seed, Stream.TEST_DATA))
        if days is None:
            train = sampler(config.train_size, checks.rng(config.seed, Stream.TRAIN_DATA))
            source = source or f"{config.preset} sampler"
        else:
            train = np.asarray(days, dtype=np.float64)
            if train.ndim == 1:
                train = train.reshape(-1, 1)
            if train.ndim != 2 or train.shape[1] != len(columns):
                raise TsganError(f"{config.preset} data must have columns "
                                 f"{', '.join(columns)}")
            source = source or "array"
        return RunState(columns=columns, train_data=pd.DataFrame(train, columns=columns),
                        test_data=pd.DataFrame(test, columns=columns), data_source=source,
                        split={"n_train": len(train), "n_test": len(test),
                               "rule": "independent draws (train and test seeds differ)"})

    # ------------------------------------------------------------------ fit
    def fit(self, days: pd.DataFrame | None = None, progress: bool = False,
            callback: Callable[[int, PriceGAN, float], bool] | None = None,
            callback_every: int = 1000, *, run_dir: str | os.PathLike[str] | None = None,
            checkpoint_every: int = 1000, source: str | None = None) -> PriceGAN:
        """Train on ``days`` (smard: a day frame; None = bundled data) and return self.

        Every fit starts from a fresh :attr:`state`: nothing of an earlier fit is kept.
        ``source`` names the data in the run's record (e.g. the file they came from; default:
        what ``days`` is: the bundled data, "DataFrame", "array" or the toy sampler).

        smard: whole weeks are held out as test data (``test_every_nth_week``). Toy presets
        draw a fixed training set and an independent test set from their sampler.

        ``callback(step, self, train_seconds)`` runs every ``callback_every`` steps with the
        model usable (``sample``, ``discriminate``, ``test_data``); return True to stop
        training there (early stopping, model selection). ``train_seconds`` is the training
        wall time so far without the callbacks' own time; :attr:`steps_trained` records
        where training ended.

        With ``select_every`` (:mod:`tsgan.training.selection`) the training days of
        validation weeks are held out of fitting (the scaler and the condition encoder still
        see all training days), the model is scored on them every ``select_every`` steps and
        the best weights are kept: :attr:`selection`, :attr:`best_step`.

        ``run_dir``: train into that run directory with checkpoints (``RUN/checkpoint/``
        every ``checkpoint_every`` steps, 0 = only on SIGINT/SIGTERM, which then save one and
        raise :class:`tsgan.training.checkpoints.TrainingInterrupted`; continue with :func:`resume`)
        and save the finished run there (the checkpoint is removed then).
        """
        from tsgan.model.scaling import Scaler

        config = self.config
        state = self._prepare_data(days, source)
        train_arr = state.train_data.to_numpy(np.float64)
        test_arr = state.test_data.to_numpy(np.float64)
        state.data_fingerprint = fingerprint(train_arr, test_arr)
        self.state = state
        self._sample_fn = None
        self._anchors = None  # the data have changed since the last fit
        if config.select_every:
            state.split["validation"] = {"every": config.validation_every_nth_week,
                                         "offset": 1,
                                         "n_validation": int(self.validation_mask().sum())}
        state.scaler = Scaler(config.scaler, per_feature=config.scaler_per_feature).fit(train_arr)
        if config.conditions:
            from tsgan.data.conditions import ConditionEncoder

            state.condition_encoder = ConditionEncoder.fit(state.train_conditions,
                                                           config.conditions)
        scaled = self.training_rows()
        selector = self._selector()  # a bad validation split fails before anything is written
        gan = self.build_gan()
        checkpointer = None
        if run_dir is not None:
            from tsgan.runs import write_run_start
            from tsgan.training import checkpoints
            from tsgan.training.distribute import is_multi_worker

            if is_multi_worker(self.strategy):
                raise TsganError("checkpoints (run_dir=) are not supported with multi-worker "
                                 "training; call fit() without run_dir and save() after")
            every = _check_every(checkpoint_every)
            checkpoints.remove(run_dir)  # a stale one from an earlier run must not be resumed
            write_run_start(config, state, run_dir, every)
            checkpointer = checkpoints.Checkpointer(Path(run_dir), every)
        return self._train(gan, scaled, progress, callback, callback_every, checkpointer,
                           selector)

    def training_rows(self) -> np.ndarray:
        """Rows training fits, in model space: the scaled day, then its encoded conditions
        (without the validation weeks when model selection is on)."""
        assert self.train_data is not None
        scaled = self.scaler.transform(self.train_data.to_numpy(np.float64))
        if self.condition_encoder is not None:
            encoded = self.condition_encoder.encode(self.train_conditions)
            scaled = np.hstack([scaled, encoded])
        return scaled[~self.validation_mask()].astype(np.float32)

    def validation_mask(self) -> np.ndarray:
        """Which training days are validation days (model selection), as a boolean array;
        all False without ``select_every``."""
        assert self.train_data is not None
        if not self.config.select_every:
            return np.zeros(len(self.train_data), dtype=bool)
        from tsgan.data.split import week_numbers

        weeks = week_numbers(pd.DatetimeIndex(self.train_data.index))
        return weeks % self.config.validation_every_nth_week == 1

    def _selector(self) -> Any:
        """The model selector of a run with ``select_every`` (else None)."""
        config = self.config
        if not config.select_every:
            return None
        from tsgan.training.selection import ModelSelector

        assert self.train_data is not None
        mask = self.validation_mask()
        days = self.train_data.to_numpy(np.float64)
        if mask.sum() < 5 or (~mask).sum() < config.batch_size:
            raise TsganError(f"model selection needs validation and fitting days: "
                             f"{int(mask.sum())} of {len(days)} training days fall in "
                             f"validation weeks (every {config.validation_every_nth_week}th); "
                             f"give more data or set select_every=0")
        conditions = None
        if self.condition_names:
            conditions = self.train_conditions[mask].reset_index(drop=True)
        return ModelSelector(days[mask], conditions, days[~mask], every=config.select_every,
                             patience=config.select_patience, seed=config.seed)

    @property
    def condition_names(self) -> list[str]:
        """The conditions this model generates under (empty: unconditional)."""
        return list(self.config.conditions)

    def build_gan(self) -> Any:
        """Seed and build G, D, the GAN and both optimisers (under the strategy's scope) for
        the current state; the model's :attr:`generator` and :attr:`discriminator` become
        the new, untrained ones. Returns the compiled GAN that :meth:`fit` trains."""
        from tsgan.model.gan import GAN
        from tsgan.model.networks import build_discriminator, build_generator, build_optimizer
        from tsgan.training.distribute import check_global_batch, resolve_strategy, scope

        config = self.config
        self.strategy = strategy = resolve_strategy(self.strategy)
        check_global_batch(config.batch_size, strategy)
        _seed_everything(config.seed)
        dim = len(self.columns)
        cond_dim = self.condition_encoder.width if self.condition_encoder is not None else 0
        anchoring = self._anchoring()
        with scope(strategy):  # models, optimisers and seed state as (mirrored) variables
            generator = build_generator(config, dim, cond_dim)
            discriminator = build_discriminator(config, dim, cond_dim)
            gan = GAN(generator, discriminator, config.latent_dim, loss=config.loss,
                      label_smoothing=config.label_smoothing, seed=config.seed,
                      critic_steps=config.critic_steps, gp_weight=config.gp_weight,
                      condition_dim=cond_dim, ema_decay=config.ema_decay,
                      feature_matching=config.feature_matching, **anchoring)
            gan.compile(d_optimizer=build_optimizer(config, config.d_lr),
                        g_optimizer=build_optimizer(config, config.g_lr))
        self.state.discriminator = discriminator
        self.state.generator = gan.sampling_generator  # with ema_decay: the weight average
        self._sample_fn = None
        return gan

    def anchors(self) -> tuple[np.ndarray, np.ndarray]:
        """An anchored model's anchor candidates: the fitted training days in model space and
        their encoded conditions (:func:`tsgan.model.anchors.anchor_pool`)."""
        if self._anchors is None:
            from tsgan.model.anchors import anchor_pool

            self._anchors = anchor_pool(self.training_rows(), len(self.columns),
                                        self.config.seed)
        return self._anchors

    def _anchoring(self) -> dict[str, Any]:
        """The GAN's anchor arguments (none for a generator that maps noise alone)."""
        config = self.config
        if not config.anchor_neighbours:
            return {}
        from tsgan.model.anchors import median_neighbour_distance

        self._anchors = None  # the data may have changed since the last fit
        days, conditions = self.anchors()
        guard = config.copy_guard * median_neighbour_distance(days, config.seed)
        return {"anchor_days": days, "anchor_conditions": conditions,
                "anchor_neighbours": config.anchor_neighbours, "copy_guard": guard}

    def _train(self, gan: Any, scaled: np.ndarray, progress: bool, callback: Any,
               callback_every: int, checkpointer: Any, selector: Any = None) -> PriceGAN:
        """Run the training loop and take over its results (and, with checkpoints, save)."""
        from tsgan.training.loop import train

        state = self.state
        state.marginal_map = None  # training's callbacks must not see an earlier fit's map
        result = train(gan, scaled, self.config, progress=progress,
                       to_original=self.scaler.inverse_transform, callback=callback,
                       callback_every=callback_every, callback_model=self,
                       strategy=self.strategy, checkpointer=checkpointer, selector=selector)
        if selector is not None:
            state.selection = selector.curve
            state.best_step = selector.best_step if selector.best_step >= 0 else None
        state.steps_trained = int(result.steps)
        state.history = result.history
        state.snapshots = result.snapshots
        state.train_seconds = float(result.seconds)
        state.ms_per_step = float(result.ms_per_step)
        state.compile_seconds = float(result.compile_seconds)
        state.created_utc = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        state.marginal_map = self._calibrate_marginals()
        if checkpointer is not None:
            from tsgan.training import checkpoints

            self.save(checkpointer.run_dir)
            checkpoints.remove(checkpointer.run_dir)
        return self

    def _calibrate_marginals(self) -> Any:
        """The marginal map from the trained generator's uncalibrated output (a seeded
        sample under the training days' conditions; :meth:`_train` has cleared any earlier
        map) to the training values; None when off."""
        from tsgan.model.marginals import CALIBRATION_DAYS, fit_marginal_map

        if not self.config.marginal_calibration:
            return None
        n = max(CALIBRATION_DAYS, len(self.train_data))
        seed = int(checks.rng(self.config.seed, Stream.CALIBRATION).integers(2**31))
        generated = self.sample(n, seed=seed).to_numpy(np.float64)
        return fit_marginal_map(generated, self.train_data.to_numpy(np.float64))

    # ------------------------------------------------------------------ use
    def _require_fitted(self) -> None:
        if self.generator is None or self.scaler is None:
            raise TsganError("the model is not trained yet; call fit() or load a run first")

    def _generate(self, noise: np.ndarray, encoded: np.ndarray | None,
                  rng: np.random.Generator) -> np.ndarray:
        import tensorflow as tf

        if self.config.anchor_neighbours:
            noise = self.with_anchors(noise, encoded, rng)
        if self._sample_fn is None:
            generator = self.generator
            spec = tf.TensorSpec([None, noise.shape[1]], tf.float32)
            if self.condition_names:
                cspec = tf.TensorSpec([None, self.condition_encoder.width], tf.float32)
                self._sample_fn = tf.function(lambda z, c: generator([z, c], training=False),
                                              input_signature=[spec, cspec])
            else:
                self._sample_fn = tf.function(lambda z: generator(z, training=False),
                                              input_signature=[spec])
        if encoded is None:
            return self._sample_fn(tf.constant(noise, tf.float32)).numpy()
        return self._sample_fn(tf.constant(noise, tf.float32),
                               tf.constant(encoded, tf.float32)).numpy()

    def with_anchors(self, noise: np.ndarray, encoded: np.ndarray | None,
                      rng: np.random.Generator) -> np.ndarray:
        """``[noise | anchor day]`` for sampling: each row's anchor drawn with ``rng`` among
        its nearest training days by conditions (in chunks of bounded memory)."""
        from tsgan.model.anchors import anchor_indices, choices, rows_per_chunk

        days, conditions = self.anchors()
        k = choices(len(days), encoded is not None, self.config.anchor_neighbours)
        column = rng.integers(0, k, len(noise))
        if encoded is None:
            encoded = np.zeros((len(noise), 0), np.float32)
        index = np.empty(len(noise), np.int64)
        step = rows_per_chunk(len(days))
        for start in range(0, len(noise), step):
            part = slice(start, start + step)
            index[part] = np.asarray(anchor_indices(conditions, encoded[part], k, column[part]))
        return np.hstack([np.asarray(noise, np.float32), days[index]])

    def conditions_for(self, n: int, conditions: Any = None,
                       seed: int | None = None) -> pd.DataFrame:
        """The raw conditions ``sample(n, conditions=...)`` generates under (n rows).

        ``conditions``: None (training days' conditions at random), a mapping of fixed
        values or sets (``{"month": 1, "weekday": "sat"}``) or a frame with one row per day
        (or one row for all); see :func:`tsgan.data.conditions.request_conditions`.
        """
        self._require_fitted()
        from tsgan.data.conditions import request_conditions

        names = self.condition_names
        if not names:
            if conditions is not None and len(conditions) > 0:
                raise TsganError("this model was trained without conditions; train with "
                                 "--conditions to generate for a calendar situation")
            return pd.DataFrame(index=range(n))
        rng = checks.rng(seed, Stream.SAMPLE)
        return request_conditions(self.train_conditions, names, n, rng, conditions)

    def sample(self, n: int, seed: int | None = None, conditions: Any = None,
               return_conditions: bool = False) -> pd.DataFrame:
        """``n`` synthetic rows in original units with columns :attr:`columns`.

        The same ``seed`` gives the same rows; None draws fresh noise. Generated in chunks of
        :data:`SAMPLE_CHUNK` rows through a compiled generator call (no ``predict`` overhead).

        A conditional model generates each row under one row of conditions: see
        :meth:`conditions_for` for what ``conditions`` may be. ``return_conditions`` puts the
        raw conditions after the value columns. With ``marginal_calibration`` the values go
        through :attr:`marginal_map` (fitted at the end of training).
        """
        self._require_fitted()
        n = checks.positive_integer(n, "number of samples")
        raw = self.conditions_for(n, conditions, seed)
        encoded = self.condition_encoder.encode(raw) if self.condition_names else None
        rng = np.random.default_rng(seed)
        out = np.empty((n, len(self.columns)), dtype=np.float64)
        for start in range(0, n, SAMPLE_CHUNK):
            size = min(SAMPLE_CHUNK, n - start)
            noise = rng.standard_normal((size, self.config.latent_dim), dtype=np.float32)
            part = None if encoded is None else encoded[start:start + size]
            out[start:start + size] = self._generate(noise, part, rng)
        values = self.scaler.inverse_transform(out)
        if self.marginal_map is not None:
            values = self.marginal_map.apply(values)
        frame = pd.DataFrame(values, columns=self.columns)
        if return_conditions and self.condition_names:
            frame = pd.concat([frame, raw.reset_index(drop=True)], axis=1)
        return frame

    def discriminate(self, data: pd.DataFrame | np.ndarray,
                     conditions: pd.DataFrame | None = None, raw: bool = False) -> np.ndarray:
        """D's probability that each row (original units) is real; shape (n,).

        A conditional model judges each row under its conditions: give them as a frame (one
        row per data row), or pass a day frame indexed by date and they are computed from it
        (``level`` of a day without days before it in the frame: that day's own mean).
        ``raw=True`` returns D's output as it is: a logit (linear output), a WGAN critic's
        score, or a probability (sigmoid output); see :attr:`discriminator_is_linear`.
        """
        self._require_fitted()
        if isinstance(data, pd.DataFrame):
            cols = [c for c in self.columns if c in data.columns]
            arr = data[self.columns].to_numpy(np.float64) if len(cols) == len(self.columns) \
                else data.to_numpy(np.float64)
        else:
            arr = np.asarray(data, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr.reshape(-1, len(self.columns))
        if arr.ndim != 2 or arr.shape[1] != len(self.columns):
            raise TsganError(f"data to discriminate must have {len(self.columns)} columns, "
                             f"got shape {arr.shape}")
        import tensorflow as tf

        z = self.scaler.transform(arr).astype(np.float32)
        encoded = None
        if self.condition_names:
            encoded = self.condition_encoder.encode(self._conditions_of(data, conditions, arr))
        out = []
        for start in range(0, len(z), SAMPLE_CHUNK):
            chunk = tf.constant(z[start:start + SAMPLE_CHUNK])
            if encoded is not None:
                chunk = [chunk, tf.constant(encoded[start:start + SAMPLE_CHUNK])]
            out.append(self.discriminator(chunk, training=False).numpy().reshape(-1))
        values = np.concatenate(out) if out else np.empty(0)
        if raw:
            return values.astype(np.float64)
        if _from_logits(self.discriminator):
            values = 1.0 / (1.0 + np.exp(-values.astype(np.float64)))
        return values.astype(np.float64)

    @property
    def discriminator_is_linear(self) -> bool:
        """Whether D outputs logits or critic scores (linear output) rather than probabilities."""
        self._require_fitted()
        return _from_logits(self.discriminator)

    def _conditions_of(self, data: Any, conditions: pd.DataFrame | None,
                       arr: np.ndarray) -> pd.DataFrame:
        from tsgan.data.conditions import condition_frame, request_conditions

        names = self.condition_names
        if conditions is not None:
            if not isinstance(conditions, pd.DataFrame) or len(conditions) != len(arr):
                raise TsganError(f"give one row of conditions per row to discriminate "
                                 f"({len(arr)})")
            return request_conditions(self.train_conditions, names, len(arr),
                                      np.random.default_rng(0), conditions)
        if not isinstance(data, pd.DataFrame) or not isinstance(data.index, pd.DatetimeIndex):
            raise TsganError(f"this model is conditioned on {', '.join(names)}: pass a day "
                             f"frame indexed by date, or conditions=")
        raw = condition_frame(data, names, self.config.level_days, self.columns)
        if "level" in raw:
            raw["level"] = raw["level"].fillna(pd.Series(arr.mean(axis=1), index=raw.index))
        return raw

    # ------------------------------------------------------------------ persistence
    def save(self, run_dir: str | os.PathLike[str]) -> Path:
        """Write the run directory (see docs/interfaces.md); returns its path."""
        self._require_fitted()
        from tsgan.runs import write_run
        from tsgan.training.distribute import save_dir

        with save_dir(run_dir, self.strategy) as target:  # multi-worker: the chief writes
            write_run(self.config, self.state, target)
        return Path(run_dir)


def _from_logits(discriminator: Any) -> bool:
    from tsgan.model.gan import _output_activation

    return _output_activation(discriminator) == "linear"


def _check_every(every: Any) -> int:
    return checks.integer_at_least(every, "checkpoint_every", 0, " (0 = only on a signal)")


def resume(run_dir: str | os.PathLike[str], progress: bool = False,
           checkpoint_every: int | None = None) -> PriceGAN:
    """Continue the unfinished run in ``run_dir`` from its checkpoint and save it there.

    Training ends at the run's ``iterations``, as an uninterrupted run would; with the same
    ``checkpoint_every`` (default: the run's own) the single-device weights are bit-identical
    to an uninterrupted run's. A finished run or one without a checkpoint raises TsganError.
    """
    from tsgan.runs import read_run_start
    from tsgan.training import checkpoints

    config, state, record = read_run_start(run_dir)
    model = PriceGAN.from_state(config, state)
    every = record.get("checkpoint_every", 0) if checkpoint_every is None else checkpoint_every
    every = _check_every(every)
    scaled = model.training_rows()
    selector = model._selector()
    gan = model.build_gan()
    checkpointer = checkpoints.Checkpointer(Path(run_dir), every, resume=True)
    return model._train(gan, scaled, progress, None, 0, checkpointer, selector)


def load(run_dir: str | os.PathLike[str]) -> PriceGAN:
    """Load a run directory written by :meth:`PriceGAN.save` (Keras safe mode, no pickle).

    Missing, half-written, corrupt, foreign or incompatible runs raise TsganError.
    """
    return PriceGAN.load(run_dir)
