"""Model selection on validation weeks: score the generator every K steps, keep the best
weights, stop early.

GAN losses say little about sample quality, and quality does not rise monotonically: the
last step is not necessarily the best. With ``select_every`` > 0 a conditional or
unconditional ``smard`` run holds out whole *validation weeks* of its training days
(training weeks with ``week % validation_every_nth_week == 1``, see
:meth:`tsgan.api.PriceGAN.validation_mask`; never a test week), fits on the rest, and
every ``select_every`` steps (and at the end) generates as many days as there are
validation days — under the validation days' own conditions for a conditional model — and
scores them:

``score = discriminative + max(relative energy distance, 0) + max(memorisation − 0.05, 0)``

each term 0 for days indistinguishable from real unseen days: the classifier check (the
hardest metric, on a cheaper 3-fold classifier), the distance of the whole distribution, and
a penalty only when generated days sit closer to fitted days than 95 % of real validation
days do (copying). The weights with the lowest score are kept (generator, its weight average
and the discriminator) and restored when training ends; ``select_patience`` > 0 stops
training after that many scorings without a new best. The curve is the run's
``selection.csv``. The generated days scored are the generator's own output: the marginal
map (:mod:`tsgan.model.marginals`) is fitted only after training, on the kept weights.

Held-out test weeks are never looked at, so ``tsgan evaluate`` stays an honest test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tsgan.checks import MEMORISATION_LIMIT
from tsgan.errors import TsganError
from tsgan.evaluate import metrics

#: Columns of the selection curve (``selection.csv``).
CURVE_COLUMNS = ["step", "score", "discriminative", "energy_distance_rel", "memorisation",
                 "seconds"]
#: Folds of the selection's classifier check (the reported metric uses 5).
SELECTION_FOLDS = 3


def selection_score(synthetic: np.ndarray, validation: np.ndarray,
                    fitted: np.ndarray, seed: int = 0) -> dict[str, float]:
    """The selection terms and their sum for ``synthetic`` days against ``validation``
    days; ``fitted`` are the days the model was trained on (for memorisation)."""
    disc = metrics.discriminative_score(synthetic, validation, seed=seed,
                                        folds=SELECTION_FOLDS)
    energy = metrics.relative_energy_distance(synthetic, validation)
    memo = metrics.memorisation(synthetic, fitted, validation)
    score = disc + max(energy, 0.0) + max(memo - MEMORISATION_LIMIT, 0.0)
    return {"score": score, "discriminative": disc, "energy_distance_rel": energy,
            "memorisation": memo}


@dataclass
class ModelSelector:
    """Keeps the best weights of a training run by :func:`selection_score` on validation days.

    ``validation``: validation days (original units); ``conditions``: their raw conditions
    (None for an unconditional model); ``fitted``: the days training uses (original units).
    :func:`tsgan.training.loop.train` calls :meth:`update` every ``every`` steps and at the end,
    and :meth:`restore` after the last step.
    """

    validation: np.ndarray
    conditions: pd.DataFrame | None
    fitted: np.ndarray
    every: int
    patience: int = 0
    seed: int = 0
    rows: list[list[float]] = field(default_factory=list)
    best_step: int = -1
    best_score: float = float("inf")
    since_best: int = 0
    best_weights: list[np.ndarray] | None = None

    def update(self, step: int, model: Any, gan: Any) -> bool:
        """Score the model at ``step``; keep its weights if best. True: stop (patience)."""
        started = time.perf_counter()
        n = len(self.validation)
        synthetic = model.sample(n, seed=self.seed, conditions=self.conditions)
        terms = selection_score(synthetic.to_numpy(np.float64), self.validation,
                                self.fitted, seed=self.seed)
        self.rows.append([float(step), *(terms[c] for c in CURVE_COLUMNS[1:-1]),
                          time.perf_counter() - started])
        if terms["score"] < self.best_score:
            self.best_score, self.best_step, self.since_best = terms["score"], int(step), 0
            self.best_weights = [np.array(v.numpy()) for v in selected_variables(gan)]
        else:
            self.since_best += 1
        return bool(self.patience) and self.since_best >= self.patience

    def restore(self, gan: Any) -> None:
        """Put the best weights back into ``gan`` (no-op if none were kept)."""
        if self.best_weights is None:
            return
        for var, value in zip(selected_variables(gan), self.best_weights, strict=True):
            var.assign(value)

    @property
    def curve(self) -> pd.DataFrame:
        """The scorings so far, one row each (:data:`CURVE_COLUMNS`)."""
        frame = pd.DataFrame(self.rows, columns=CURVE_COLUMNS)
        frame["step"] = frame["step"].astype(np.int64)
        return frame

    # ------------------------------------------------------------------ checkpoints
    def state(self) -> dict[str, Any]:
        """JSON-ready state (the weights travel separately: :attr:`best_weights`)."""
        return {"rows": [[float(x) for x in row] for row in self.rows],
                "best_step": int(self.best_step), "best_score": float(self.best_score),
                "since_best": int(self.since_best)}

    def load_state(self, state: dict[str, Any], weights: list[np.ndarray] | None,
                   gan: Any) -> None:
        """Continue from :meth:`state` and the kept weights (a resumed run); TsganError if
        the weights do not fit ``gan``."""
        if weights is None and int(state.get("best_step", -1)) >= 0:
            raise TsganError("the checkpoint names a best step but holds no kept weights "
                             "(best.npz); train again")
        if weights is not None:
            variables = selected_variables(gan)
            if len(weights) != len(variables) or any(
                    tuple(w.shape) != tuple(v.shape)
                    for w, v in zip(weights, variables, strict=True)):
                raise TsganError("the checkpoint's kept best weights do not fit the run's "
                                 "model; train again")
        self.rows = [list(map(float, row)) for row in state.get("rows", [])]
        self.best_step = int(state.get("best_step", -1))
        self.best_score = float(state.get("best_score", float("inf")))
        self.since_best = int(state.get("since_best", 0))
        self.best_weights = weights


def selected_variables(gan: Any) -> list[Any]:
    """The variables a kept checkpoint holds: G, D and G's weight average (if any)."""
    groups = [gan.generator.variables, gan.discriminator.variables]
    if gan.ema_generator is not None:
        groups.append(gan.ema_generator.variables)
    return [v for group in groups for v in group]
