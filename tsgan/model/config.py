"""Configuration of a GAN run: plain dataclasses with a JSON round trip.

``GANConfig`` holds everything that decides a run (architecture, optimiser, schedule, budget,
scaling, split, seed). It is written in full to ``config.json`` so a run can be rebuilt and
compared; ``replace(**overrides)`` is how presets, the CLI and the API change single fields,
and unknown names raise :class:`TsganError` instead of being silently ignored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from tsgan import checks
from tsgan.errors import TsganError

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "linear")
OUTPUT_ACTIVATIONS = ("linear", "sigmoid", "tanh")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
LOSSES = ("bce", "wgan-gp")
SCHEDULES = ("constant", "exponential")
SCALERS = ("minmax", "standard", "asinh", "none")
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
                "lecun_uniform", "orthogonal")


@dataclass
class NetworkConfig:
    """An MLP: ``units`` gives width and depth (one entry per hidden layer).

    Each hidden layer is Dense → [BatchNormalization] → activation → [Dropout]; the output
    layer is Dense with ``output_activation`` (``linear`` for a discriminator means logits).
    """

    units: list[int] = field(default_factory=lambda: [64, 64])
    activation: str = "relu"
    negative_slope: float = 0.2
    batch_norm: bool = False
    batch_norm_momentum: float = 0.99
    dropout: float = 0.0
    initializer: str = "glorot_uniform"
    output_activation: str = "linear"
    # Discriminator-only input/feature options (see tsgan.model.networks.build_discriminator).
    shape_features: bool = False
    conv_filters: list[int] = field(default_factory=list)
    conv_kernel: int = 3
    minibatch_stddev: bool = False
    minibatch_group: int = 4
    spectral_norm: bool = False

    def validate(self, what: str) -> None:
        """Raise TsganError for values no network can be built from."""
        _check_types(self, what)
        if not self.units or any(int(u) != u or u <= 0 for u in self.units):
            raise TsganError(f"{what}.units must be a non-empty list of positive integers, "
                             f"got {self.units!r}")
        checks.choice(self.activation, f"{what}.activation", ACTIVATIONS)
        checks.choice(self.output_activation, f"{what}.output_activation", OUTPUT_ACTIVATIONS)
        checks.choice(self.initializer, f"{what}.initializer", INITIALIZERS)
        if not 0.0 <= self.dropout < 1.0:
            raise TsganError(f"{what}.dropout must be in [0, 1), got {self.dropout!r}")
        if not 0.0 <= self.batch_norm_momentum < 1.0:
            raise TsganError(f"{what}.batch_norm_momentum must be in [0, 1)")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], what: str = "network") -> NetworkConfig:
        """Rebuild from :meth:`to_dict`; unknown keys → TsganError."""
        if isinstance(data, NetworkConfig):
            return dataclasses.replace(data)
        if not isinstance(data, dict):
            raise TsganError(f"{what} must be an object, got {type(data).__name__}")
        _check_keys(data, cls, what)
        net = cls(**data)
        _check_types(net, what)
        net.units = [int(u) for u in net.units]
        return net


@dataclass
class GANConfig:
    """Full, resolved configuration of one GAN run (see :mod:`tsgan.model.presets` for values)."""

    preset: str = "smard"
    latent_dim: int = 32
    generator: NetworkConfig = field(default_factory=NetworkConfig)
    discriminator: NetworkConfig = field(default_factory=NetworkConfig)
    #: ``"bce"`` (non-saturating) or ``"wgan-gp"`` (critic with gradient penalty; needs a
    #: linear D output and no batch norm in D; see :mod:`tsgan.model.gan`).
    loss: str = "bce"
    label_smoothing: float = 0.0
    #: WGAN-GP only: critic updates per generator update, and the gradient-penalty weight.
    critic_steps: int = 5
    gp_weight: float = 10.0
    #: Exponential moving average of G's weights (0 = off; e.g. 0.999): samples come from the
    #: average, which smooths the generator's step-to-step oscillation.
    ema_decay: float = 0.0
    #: Feature matching: weight of ``mean (E f(real) − E f(fake))²`` over D's last hidden
    #: layer in G's loss (0 = off), next to the adversarial term.
    feature_matching: float = 0.0
    #: Anchored generator (smard only, see :mod:`tsgan.model.anchors`): G edits one of the
    #: ``anchor_neighbours`` training days whose encoded conditions are nearest to the
    #: wanted ones, ``G(z, anchor | c) = anchor + r(z, anchor, c)`` (0 = off: G maps noise
    #: alone). ``copy_guard`` is the copy guard: G's loss penalises outputs closer to their
    #: anchor than that fraction of the training days' median nearest-neighbour distance.
    #: ``edit_threshold`` (model space, 0 = off) soft-thresholds the edit per hour: hours
    #: whose edit is smaller keep the anchor's value exactly (plateaus at zero survive).
    #: Like ``copy_guard`` it has no effect without anchors.
    anchor_neighbours: int = 0
    copy_guard: float = 1.0
    edit_threshold: float = 0.0
    #: Marginal calibration (smard only, :mod:`tsgan.model.marginals`): after training, fit a
    #: monotone map that gives generated prices the pooled distribution of the training
    #: prices (their piles at 0.00 and -0.01 EUR/MWh included); ``sample`` applies it.
    marginal_calibration: bool = False
    optimizer: str = "adam"
    learning_rate: float = 2e-4
    g_learning_rate: float | None = None
    d_learning_rate: float | None = None
    beta_1: float = 0.5
    beta_2: float = 0.999
    lr_schedule: str = "constant"
    lr_decay_rate: float = 1.0
    lr_decay_steps: int = 1000
    lr_staircase: bool = True
    batch_size: int = 64
    iterations: int = 1000
    snapshot_every: int = 0
    snapshot_size: int = 500
    log_every: int = 100
    steps_per_execution: int = 100
    jit_compile: bool = False
    scaler: str = "none"
    scaler_per_feature: bool = False
    #: Conditional GAN (smard only): condition names — ``month``, ``weekday``, ``holiday``,
    #: ``level`` (mean price of the ``level_days`` days before) or user columns of the day
    #: frame; empty = unconditional. See :mod:`tsgan.data.conditions`.
    conditions: list[str] = field(default_factory=list)
    level_days: int = 7
    #: Model selection (smard only, see :mod:`tsgan.training.selection`): score on validation weeks
    #: every ``select_every`` steps (0 = off) and keep the best weights; stop after
    #: ``select_patience`` scorings without a new best (0 = never early). Validation weeks:
    #: training weeks with ``week % validation_every_nth_week == 1``, held out of fitting.
    select_every: int = 0
    select_patience: int = 0
    validation_every_nth_week: int = 10
    test_every_nth_week: int = 5
    train_size: int = 10_000
    test_size: int = 2_000
    seed: int = 0

    # ------------------------------------------------------------------ derived
    @property
    def g_lr(self) -> float:
        """Generator learning rate (``g_learning_rate`` or ``learning_rate``)."""
        return float(self.g_learning_rate or self.learning_rate)

    @property
    def d_lr(self) -> float:
        """Discriminator learning rate (``d_learning_rate`` or ``learning_rate``)."""
        return float(self.d_learning_rate or self.learning_rate)

    # ------------------------------------------------------------------ checks
    def validate(self) -> GANConfig:
        """Raise TsganError for inconsistent values; returns self."""
        _check_types(self, "configuration")
        for name in ("beta_1", "beta_2"):
            if not 0.0 <= float(getattr(self, name)) < 1.0:
                raise TsganError(f"{name} must be in [0, 1), got {getattr(self, name)!r}")
        for name in ("latent_dim", "batch_size", "iterations", "log_every",
                     "steps_per_execution", "lr_decay_steps", "snapshot_size", "train_size",
                     "test_size", "level_days"):
            setattr(self, name, checks.positive_integer(getattr(self, name), name))
        checks.integer_at_least(self.snapshot_every, "snapshot_every", 0, " (0 = off)")
        for name, minimum, note in (("seed", 0, ""),
                                    ("test_every_nth_week", 2, ""),
                                    ("validation_every_nth_week", 2, ""),
                                    ("select_every", 0, " (0 = off)"),
                                    ("select_patience", 0, " (0 = off)")):
            setattr(self, name, checks.integer_at_least(getattr(self, name), name, minimum, note))
        checks.integer_at_least(self.anchor_neighbours, "anchor_neighbours", 0, " (0 = off)")
        if not 0.0 <= float(self.copy_guard) < float("inf"):
            raise TsganError(f"copy_guard must be a finite number >= 0, got "
                             f"{self.copy_guard!r}")
        if not 0.0 <= float(self.edit_threshold) < float("inf"):
            raise TsganError(f"edit_threshold must be a finite number >= 0, got "
                             f"{self.edit_threshold!r}")
        if self.marginal_calibration and self.preset != "smard":
            raise TsganError("marginal_calibration applies to the smard preset only (its "
                             "columns are one quantity, the hourly price)")
        if self.anchor_neighbours and self.preset != "smard":
            raise TsganError(f"an anchored generator (anchor_neighbours) applies to the smard "
                             f"preset only, not {self.preset!r}")
        if self.select_patience and not self.select_every:
            raise TsganError("select_patience needs model selection: set select_every too")
        if self.select_every and self.preset != "smard":
            raise TsganError(f"model selection (select_every) applies to the smard preset "
                             f"only, not {self.preset!r}")
        checks.choice(self.loss, "loss", LOSSES)
        checks.choice(self.optimizer, "optimizer", OPTIMIZERS)
        checks.choice(self.lr_schedule, "lr_schedule", SCHEDULES)
        checks.choice(self.scaler, "scaler", SCALERS)
        for name in ("learning_rate", "g_learning_rate", "d_learning_rate"):
            value = getattr(self, name)
            if value is not None and not (float(value) > 0.0):
                raise TsganError(f"{name} must be > 0, got {value!r}")
        if not 0.0 < self.lr_decay_rate <= 1.0:
            raise TsganError(f"lr_decay_rate must be in (0, 1], got {self.lr_decay_rate!r}")
        if not 0.0 <= self.label_smoothing < 0.5:
            raise TsganError(f"label_smoothing must be in [0, 0.5), got {self.label_smoothing!r}")
        check_loss_settings(self.loss, self.critic_steps, self.gp_weight,
                            self.label_smoothing, self.ema_decay, self.feature_matching)
        self.critic_steps = int(self.critic_steps)
        self.generator.validate("generator")
        self.discriminator.validate("discriminator")
        from tsgan.data.conditions import check_names

        self.conditions = check_names(self.conditions)
        if self.conditions and self.preset != "smard":
            raise TsganError(f"conditions apply to the smard preset only, not {self.preset!r}")
        if self.loss == "wgan-gp":
            check_critic(self.discriminator.output_activation, self.discriminator.batch_norm)
        return self

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (networks as nested dicts)."""
        data = dataclasses.asdict(self)
        data["generator"] = self.generator.to_dict()
        data["discriminator"] = self.discriminator.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GANConfig:
        """Rebuild from :meth:`to_dict` output; unknown or bad keys → TsganError."""
        if not isinstance(data, dict):
            raise TsganError(f"configuration must be an object, got {type(data).__name__}")
        _check_keys(data, cls, "configuration")
        values = dict(data)
        for net in ("generator", "discriminator"):
            if net in values:
                values[net] = NetworkConfig.from_dict(values[net], net)
        try:
            config = cls(**values)
        except TypeError as exc:
            raise TsganError(f"configuration is invalid: {exc}") from None
        return config.validate()

    def replace(self, **overrides: Any) -> GANConfig:
        """A copy with ``overrides`` applied (validated); unknown names → TsganError.

        ``generator`` / ``discriminator`` take a NetworkConfig or a dict of the fields to
        change, e.g. ``replace(generator={"units": [64, 64]})``.
        """
        _check_keys(overrides, type(self), "configuration")
        values = self.to_dict()
        for key, value in overrides.items():
            if key in ("generator", "discriminator"):
                if isinstance(value, NetworkConfig):
                    value = value.to_dict()
                if not isinstance(value, dict):
                    raise TsganError(f"{key} must be a NetworkConfig or a dict")
                _check_keys(value, NetworkConfig, key)
                values[key] = {**values[key], **value}
            else:
                values[key] = value
        return GANConfig.from_dict(values)


def check_loss_settings(loss: str, critic_steps: Any, gp_weight: Any, label_smoothing: Any,
                        ema_decay: Any, feature_matching: Any = 0.0) -> None:
    """TsganError for loss / critic / EMA settings no GAN can train with (shared by
    :meth:`GANConfig.validate` and :class:`tsgan.model.gan.GAN` built by hand)."""
    if isinstance(critic_steps, bool) or not _is_number(critic_steps) \
            or int(critic_steps) != critic_steps or critic_steps < 1:
        raise TsganError(f"critic_steps must be a positive integer, got {critic_steps!r}")
    if not _is_number(gp_weight) or not float(gp_weight) >= 0.0:
        raise TsganError(f"gp_weight must be >= 0, got {gp_weight!r}")
    if not _is_number(ema_decay) or not 0.0 <= float(ema_decay) < 1.0:
        raise TsganError(f"ema_decay must be in [0, 1), got {ema_decay!r}")
    if not _is_number(feature_matching) or not 0.0 <= float(feature_matching) < float("inf"):
        raise TsganError(f"feature_matching must be a finite number >= 0, got "
                         f"{feature_matching!r}")
    if loss == "wgan-gp" and label_smoothing:
        raise TsganError("label_smoothing applies to the 'bce' loss only")


def check_critic(output_activation: str, batch_norm: bool) -> None:
    """TsganError unless a discriminator with this output activation and batch-norm setting
    can be a WGAN-GP critic: a linear output and no batch normalisation (shared by
    :meth:`GANConfig.validate` and :class:`tsgan.model.gan.GAN` built by hand)."""
    if output_activation != "linear":
        raise TsganError("loss 'wgan-gp' needs discriminator.output_activation 'linear' (a "
                         f"critic), got {output_activation!r}")
    if batch_norm:
        raise TsganError("loss 'wgan-gp' needs discriminator.batch_norm off (the gradient "
                         "penalty is per example)")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fits(value: Any, kind: str) -> bool:
    """Whether ``value`` has the type a field annotated ``kind`` needs (JSON-level types:
    whole floats pass as integers, integers as floats; bools are never numbers)."""
    if kind.endswith(" | None"):
        return value is None or _fits(value, kind[:-len(" | None")])
    if kind == "int":
        return _is_number(value) and float(value).is_integer()
    if kind == "float":
        return _is_number(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind.startswith("list[") and kind.endswith("]"):
        return isinstance(value, (list, tuple)) and all(_fits(v, kind[5:-1]) for v in value)
    return True  # nested configs check themselves


_TYPE_WORDS = {"int": "an integer", "float": "a number", "bool": "true or false",
               "str": "text", "list[int]": "a list of integers", "list[str]": "a list of names",
               "float | None": "a number or null"}


def _check_types(obj: Any, what: str) -> None:
    """One-line TsganError for a field whose value has the wrong type (e.g. text from
    ``tsgan train --set`` where a number belongs), before any value check runs."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        kind = str(f.type)
        if not _fits(value, kind):
            label = f.name if what == "configuration" else f"{what}.{f.name}"
            raise TsganError(f"{label} must be {_TYPE_WORDS.get(kind, kind)}, got {value!r}")


def _check_keys(data: dict[str, Any], cls: type, what: str) -> None:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise TsganError(f"unknown {what} setting(s): {', '.join(map(str, unknown))}; "
                         f"valid: {', '.join(sorted(known))}")
