"""``tsgan evaluate``: the run's samples and simple baselines scored against held-out real data.

:func:`evaluate_arrays` computes every metric of :mod:`tsgan.evaluate.metrics` for each source of
synthetic rows against the held-out rows; :func:`evaluate_run` does it for a trained model (the
GAN's samples plus the baselines of :mod:`tsgan.evaluate.baselines`, all fitted on the run's own
training data); :func:`format_table` prints the result and :func:`write_metrics` stores it
as ``RUN/metrics.json``.

Which metrics are computed depends on the data: rows with ≥ 3 columns are curves (days) and
get the shape metrics too (variogram score, correlation error, daily-feature KS, predictive
score); 1-D and 2-D toy data get the distribution metrics that make sense for them
(energy distance and score, Wasserstein, KS of the values, discriminative, memorisation,
precision/recall).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsgan import checks
from tsgan.data.io import json_ready
from tsgan.errors import TsganError
from tsgan.evaluate import metrics as M

#: Metrics for curves (days): table column order.
PROFILE_METRICS = (
    "energy_distance", "energy_distance_rel", "energy_score", "variogram_score", "wasserstein",
    "corr_error", "feature_ks", "discriminative", "predictive_tstr", "predictive_trtr",
    "memorisation", "precision", "recall",
)
#: Metrics for 1-D / 2-D toy data.
TOY_METRICS = (
    "energy_distance", "energy_distance_rel", "energy_score", "wasserstein", "marginal_ks",
    "discriminative", "memorisation", "precision", "recall",
)

#: One plain sentence per metric: what it measures and how to read it.
METRIC_DESCRIPTIONS: dict[str, str] = {
    "energy_distance": "Energy distance to the held-out real days in the data's units "
                       "(EUR/MWh for prices); 0 means the same distribution, lower is better.",
    "energy_distance_rel": "Energy distance divided by the typical distance between two "
                           "held-out real days (scale-free, unbiased: resampled real days "
                           "score about 0, slightly negative is noise); lower is better.",
    "energy_score": "Energy score of the synthetic set used as a forecast ensemble for each "
                    "held-out day (EUR/MWh); lower is better, compare it across sources "
                    "since even perfect samples score the real data's own spread.",
    "variogram_score": "Variogram score (p = 0.5) of the set as a forecast ensemble; it "
                       "punishes wrong differences between hours, lower is better, compare "
                       "across sources.",
    "wasserstein": "Mean over columns (hours) of the 1-D Wasserstein distance between "
                   "synthetic and real values, in the data's units; lower is better.",
    "corr_error": "Mean absolute difference between the synthetic and real hour-to-hour "
                  "correlation matrices; 0 means the same co-movement of hours, lower is "
                  "better.",
    "feature_ks": "Mean Kolmogorov-Smirnov distance of daily mean, standard deviation, "
                  "max-min spread, peak hour and mean ramp between synthetic and real days "
                  "(0 to 1); lower is better.",
    "marginal_ks": "Mean Kolmogorov-Smirnov distance between synthetic and real values of "
                   "each column (0 to 1); lower is better.",
    "discriminative": "How much better than a coin a cross-validated classifier tells "
                      "held-out real rows from synthetic ones, |accuracy - 0.5| (0 to 0.5); "
                      "0 means indistinguishable, lower is better.",
    "predictive_tstr": "Error (MAE, EUR/MWh) predicting the evening hours 17-23 of held-out "
                       "days from hours 0-16 with a ridge regression trained on the synthetic "
                       "days; lower is better, ideally close to predictive_trtr.",
    "predictive_trtr": "The same prediction error when the regression is trained on the real "
                       "training days: the reference for predictive_tstr.",
    "memorisation": "Share of synthetic rows closer to a training row than 95% of held-out "
                    "real rows are (0 to 1); 1.0 means copies of training data, about 0.05 "
                    "or less is honest, lower is better.",
    "precision": "Share of synthetic rows that fall within the k-nearest-neighbour manifold of "
                 "the real rows (0 to 1): are the samples realistic? Higher is better.",
    "recall": "Share of real rows that fall within the k-nearest-neighbour manifold of the "
              "synthetic rows (0 to 1): is the real variety covered? Higher is better.",
}

#: Short labels for the terminal table.
SHORT_LABELS = {
    "energy_distance": "energy distance",
    "energy_distance_rel": "energy dist / spread",
    "energy_score": "energy score",
    "variogram_score": "variogram score",
    "wasserstein": "mean Wasserstein",
    "corr_error": "correlation error",
    "feature_ks": "daily-feature KS",
    "marginal_ks": "marginal KS",
    "discriminative": "discriminative",
    "predictive_tstr": "predictive TSTR",
    "predictive_trtr": "predictive TRTR",
    "memorisation": "memorisation",
    "precision": "precision",
    "recall": "recall",
}

LEGEND = ("lower is better, except precision/recall; compare scores across sources and TSTR "
          "with TRTR; EUR/MWh unless 0-1")


def metric_names(n_columns: int) -> tuple[str, ...]:
    """The metrics computed for rows with ``n_columns`` columns (curves vs toy data)."""
    return PROFILE_METRICS if n_columns >= 3 else TOY_METRICS


def evaluate_arrays(train: Any, test: Any, sources: dict[str, Any], seed: int = 0,
                    timings: dict[str, float] | None = None) -> pd.DataFrame:
    """Score each synthetic set in ``sources`` against the held-out rows ``test``.

    ``train`` (the rows the generators were fitted on) is needed for memorisation and the
    train-on-real predictive reference. Returns a DataFrame: rows = source names in the given
    order, columns = metrics (:func:`metric_names`). ``timings``, when given, receives the
    seconds spent per metric summed over sources (to keep ``tsgan evaluate`` fast).
    """
    train_arr, test_arr = M.as_2d(train, "training data"), M.as_2d(test, "held-out data")
    if train_arr.shape[1] != test_arr.shape[1]:
        raise TsganError("training and held-out data differ in columns")
    if not sources:
        raise TsganError("no synthetic sources to evaluate")
    names = metric_names(test_arr.shape[1])
    clock = timings if timings is not None else {}
    trtr = None
    rows: dict[str, dict[str, float]] = {}
    for source, values in sources.items():
        synth = M.as_2d(values, f"samples of {source}")
        if synth.shape[1] != test_arr.shape[1]:
            raise TsganError(f"samples of {source} have {synth.shape[1]} columns, held-out "
                             f"data {test_arr.shape[1]}")
        row: dict[str, float] = {}

        def timed(key: str, func: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            value = func(*args, **kwargs)
            clock[key] = clock.get(key, 0.0) + time.perf_counter() - start
            return value

        if "energy_distance" in names:
            # One set of pairwise means serves the distance, its relative form and the score.
            start = time.perf_counter()
            xy = M.mean_pairwise_distance(synth, test_arr)
            xx = M.mean_pairwise_distance(synth) if len(synth) > 1 else 0.0
            yy = M.mean_pairwise_distance(test_arr)
            row["energy_distance"] = 2 * xy - xx - yy
            row["energy_distance_rel"] = (2 * xy - xx - yy) / yy if yy > 0 else math.nan
            row["energy_score"] = xy - 0.5 * xx
            clock["energy"] = clock.get("energy", 0.0) + time.perf_counter() - start
        if "variogram_score" in names:
            row["variogram_score"] = timed("variogram_score", M.variogram_score, synth, test_arr)
        row["wasserstein"] = timed("wasserstein", M.mean_wasserstein, synth, test_arr)
        if "corr_error" in names:
            row["corr_error"] = timed("corr_error", M.correlation_error, synth, test_arr)
        if "feature_ks" in names:
            row["feature_ks"] = timed("feature_ks", M.daily_feature_ks, synth, test_arr)
        if "marginal_ks" in names:
            row["marginal_ks"] = timed("marginal_ks", M.marginal_ks, synth, test_arr)
        row["discriminative"] = timed("discriminative", M.discriminative_score, synth, test_arr,
                                      seed=seed)
        if "predictive_tstr" in names:
            row["predictive_tstr"] = timed("predictive", M.predictive_score, synth, test_arr)
            if trtr is None:
                trtr = M.predictive_score(train_arr, test_arr)
            row["predictive_trtr"] = trtr
        row["memorisation"] = timed("memorisation", M.memorisation, synth, train_arr, test_arr)
        k = min(5, len(synth) - 1, len(test_arr) - 1)
        if k >= 1:
            row["precision"], row["recall"] = timed("precision_recall", M.precision_recall,
                                                    synth, test_arr, k=k)
        else:
            row["precision"] = row["recall"] = math.nan
        rows[str(source)] = row
    table = pd.DataFrame.from_dict(rows, orient="index")[list(names)]
    table.index.name = "source"
    table.attrs.update({"seed": int(seed), "n_train": len(train_arr), "n_test": len(test_arr)})
    return table


def like_test_conditions(model: Any, n: int, seed: int) -> pd.DataFrame | None:
    """The raw conditions :func:`sample_like_test` generates under (None: unconditional).

    Each held-out day's own calendar and level once when ``n`` equals their number, else
    ``n`` of them drawn with ``seed``.
    """
    if not model.condition_names:
        return None
    conditions = model.test_conditions.reset_index(drop=True)
    if n != len(conditions):
        pick = checks.rng(seed, checks.Stream.TEST_CONDITIONS).integers(0, len(conditions), n)
        conditions = conditions.iloc[pick].reset_index(drop=True)
    return conditions


def sample_with_test_conditions(model: Any, n: int,
                                seed: int) -> tuple[np.ndarray, pd.DataFrame | None]:
    """:func:`sample_like_test`'s rows together with the conditions they were generated
    under (None for an unconditional model), e.g. to judge them with
    :func:`discriminator_check`."""
    conditions = like_test_conditions(model, n, seed)
    rows = model.sample(n, seed=seed, conditions=conditions).to_numpy(np.float64)
    return rows, conditions


def sample_like_test(model: Any, n: int, seed: int) -> np.ndarray:
    """``n`` GAN rows to compare with the held-out days (float64 array).

    A conditional model generates under the held-out days' own conditions
    (:func:`like_test_conditions`), so its scenarios answer the question a user asks it:
    days for *this* calendar situation. An unconditional model samples freely.
    """
    return sample_with_test_conditions(model, n, seed)[0]


#: Below this gap between D's mean logit on training and on generated days the overfitting
#: ratio is not computed (it would divide by next to nothing).
MIN_LOGIT_GAP = 0.05


def _judged(model: Any, rows: Any, conditions: pd.DataFrame | None) -> np.ndarray:
    """D's raw verdict on ``rows`` as logits (critic scores for a WGAN critic)."""
    values = model.discriminate(rows, conditions=conditions if model.condition_names else None,
                                raw=True)
    if model.discriminator_is_linear:
        return values
    p = np.clip(values, 1e-7, 1.0 - 1e-7)  # a sigmoid output: back to logits
    return np.log(p / (1.0 - p))


def discriminator_check(model: Any, generated: np.ndarray,
                        conditions: pd.DataFrame | None = None) -> dict[str, float | None]:
    """How the run's own discriminator judges training, held-out and generated days.

    What: D's share of rows it calls real (logit > 0) and its mean logit on the days it was
    trained on (training days minus model selection's validation weeks), the held-out real
    days and ``generated`` (under ``conditions`` for a conditional model), plus the
    overfitting ratio (mean logit on training days − on held-out days) / (on training days −
    on generated days): 0 when D judges unseen real days like the days it trained on, near
    or above 1 when it finds them no more real than generated ones (Karras et al. 2020's
    validation heuristic; negative when it finds them *more* real than its training days).
    Why: a D that has memorised its training days teaches G "look like those days", not
    "look like real days" — then longer training or a stronger D does not make better
    scenarios. The ratio is None when D's training-day logits exceed its generated-day ones
    by less than :data:`MIN_LOGIT_GAP` (nothing to compare) or any verdict is not finite.
    For a WGAN critic the logits are its scores, whose sign means nothing: the shares are
    None there, the ratio (scale- and offset-free) still applies.
    """
    names = model.condition_names
    fitted = ~model.validation_mask()
    train_conditions = model.train_conditions.reset_index(drop=True)[fitted] if names else None
    train = _judged(model, model.train_data[fitted], train_conditions)
    held_out = _judged(model, model.test_data,
                       model.test_conditions.reset_index(drop=True) if names else None)
    fake = _judged(model, np.asarray(generated, dtype=np.float64), conditions)
    critic = model.config.loss == "wgan-gp"
    means = [float(v.mean()) for v in (train, held_out, fake)]
    spread = means[0] - means[2]
    usable = all(math.isfinite(m) for m in means) and spread >= MIN_LOGIT_GAP
    return {
        "train_real_share": None if critic else float(np.mean(train > 0)),
        "held_out_real_share": None if critic else float(np.mean(held_out > 0)),
        "generated_real_share": None if critic else float(np.mean(fake > 0)),
        "train_logit": means[0], "held_out_logit": means[1], "generated_logit": means[2],
        "overfit_ratio": (means[0] - means[1]) / spread if usable else None,
    }


def evaluate_run(model: Any, n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Evaluate a trained model (a :class:`~tsgan.api.PriceGAN`, e.g. ``tsgan.load(RUN)``):
    its GAN's samples and every baseline against its held-out data.

    ``n`` synthetic rows per source (default: as many as held-out rows), drawn with ``seed``;
    the baselines are fitted on the run's training data (the KDE chooses its bandwidth on
    validation weeks inside it). Returns the table of :func:`evaluate_arrays` with the GAN
    as the first row ``gan``; ``table.attrs`` holds n, seed, the KDE factor and timings.
    """
    from tsgan.evaluate.baselines import BASELINE_NAMES, fit_baseline

    started = time.perf_counter()
    train_df, test_df = model.train_data, model.test_data
    if train_df is None or test_df is None or len(test_df) < 2:
        raise TsganError("the run holds no held-out data to evaluate against")
    n = int(n) if n is not None else len(test_df)
    if n < 2:
        raise TsganError(f"need at least 2 samples per source, got -n {n}")
    gan_rows, gan_conditions = sample_with_test_conditions(model, n, seed)
    sources: dict[str, np.ndarray] = {"gan": gan_rows}
    check_started = time.perf_counter()
    judged = discriminator_check(model, sources["gan"], gan_conditions)
    check_seconds = time.perf_counter() - check_started
    kde_factor = None
    kde_scores: dict[float, float] = {}
    kde_memorisation: dict[float, float] = {}
    fit_started = time.perf_counter()
    for name in BASELINE_NAMES:
        baseline = fit_baseline(name, train_df, rng_seed=seed)
        if name == "kde":
            kde_factor, kde_scores = baseline.factor, baseline.scores
            kde_memorisation = baseline.memorisation
        sources[name] = baseline.sample(n, seed=seed)
    timings: dict[str, float] = {"baselines": time.perf_counter() - fit_started,
                                 "discriminator_check": check_seconds}
    table = evaluate_arrays(train_df.to_numpy(np.float64), test_df.to_numpy(np.float64),
                            sources, seed=seed, timings=timings)
    table.attrs.update({
        "n": n, "seed": int(seed), "preset": model.config.preset,
        "kde_factor": kde_factor,
        "kde_scores": {str(k): v for k, v in kde_scores.items()},
        "kde_memorisation": {str(k): v for k, v in kde_memorisation.items()},
        "discriminator": judged,
        "seconds": round(time.perf_counter() - started, 3),
        "timings": {k: round(v, 3) for k, v in timings.items()},
    })
    return table


# --------------------------------------------------------------------------- output
def _fmt(value: Any) -> str:
    """A number with about 3 significant digits, at most 4 decimals; '-' for missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "-"
    size = abs(v)
    if size >= 100:
        return f"{v:.0f}"
    if size >= 10:
        return f"{v:.1f}"
    if size >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}" if size >= 0.01 or v == 0 else f"{v:.4f}"


def format_table(table: pd.DataFrame) -> str:
    """The metric table as aligned text: one line per metric, one column per source.

    Ends with a one-line legend on how to read it (full sentences: METRIC_DESCRIPTIONS).
    """
    sources = [str(s) for s in table.index]
    labels = [SHORT_LABELS.get(str(c), str(c)) for c in table.columns]
    cells = [[_fmt(table.iloc[i, j]) for i in range(len(sources))]
             for j in range(len(table.columns))]
    label_width = max([len("metric"), *map(len, labels)])
    widths = [max(len(s), *(len(cells[j][i]) for j in range(len(labels))), 6)
              for i, s in enumerate(sources)]
    lines = ["metric".ljust(label_width) + "".join(
        "  " + s.rjust(w) for s, w in zip(sources, widths, strict=True))]
    lines.append("-" * len(lines[0]))
    for label, row in zip(labels, cells, strict=True):
        lines.append(label.ljust(label_width) + "".join(
            "  " + c.rjust(w) for c, w in zip(row, widths, strict=True)))
    attrs = table.attrs or {}
    note = f" | n = {attrs['n']}, seed {attrs.get('seed', 0)}" if "n" in attrs else ""
    if attrs.get("kde_factor") is not None:
        note += f", kde {attrs['kde_factor']:g} x Scott"
    lines.append(LEGEND + note)
    if attrs.get("discriminator"):
        lines.extend(format_discriminator_check(attrs["discriminator"]))
    return "\n".join(lines)


def format_discriminator_check(check: dict[str, Any]) -> list[str]:
    """Two lines on :func:`discriminator_check`'s result for the terminal table."""
    ratio = check.get("overfit_ratio")
    if check.get("train_real_share") is None:  # a WGAN critic: its scores' sign means nothing
        shares = (f"the GAN's critic scores training days {check['train_logit']:.3g}, held-out "
                  f"real days {check['held_out_logit']:.3g}, generated days "
                  f"{check['generated_logit']:.3g} on average")
    else:
        shares = (f"the GAN's discriminator calls real {check['train_real_share']:.0%} of "
                  f"training days, {check['held_out_real_share']:.0%} of held-out real days, "
                  f"{check['generated_real_share']:.0%} of generated days")
    if ratio is None:
        return [shares, "overfitting ratio: - (D does not judge training days clearly more "
                        "real than generated ones)"]
    return [shares, f"overfitting ratio {ratio:.2f} (0 = judges unseen days like its "
                    f"training days; about 1 or more = it has memorised its training days)"]


def write_metrics(run_dir: str | os.PathLike[str], table: pd.DataFrame) -> Path:
    """Write ``RUN/metrics.json`` atomically: the table plus n, seed and the KDE factor.

    Layout: ``{"table": {source: {metric: value}}, "metrics": [...], "sources": [...],
    "n", "seed", "kde_factor", "kde_scores", "kde_memorisation", "discriminator", "preset",
    "seconds", "timings", "descriptions", "created_utc"}``; missing values are null.
    """
    from tsgan.data.io import write_json

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise TsganError(f"run directory {run_dir} does not exist")
    attrs = dict(table.attrs or {})
    payload = {
        "table": {str(s): {str(k): json_ready(v) for k, v in row.items()}
                  for s, row in table.to_dict(orient="index").items()},
        "metrics": [str(c) for c in table.columns],
        "sources": [str(s) for s in table.index],
        "n": attrs.get("n"),
        "seed": attrs.get("seed"),
        "kde_factor": attrs.get("kde_factor"),
        "kde_scores": attrs.get("kde_scores"),
        "kde_memorisation": attrs.get("kde_memorisation"),
        "discriminator": attrs.get("discriminator"),
        "preset": attrs.get("preset"),
        "seconds": attrs.get("seconds"),
        "timings": attrs.get("timings"),
        "descriptions": {str(c): METRIC_DESCRIPTIONS.get(str(c), "") for c in table.columns},
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = run_dir / "metrics.json"
    write_json(path, json_ready(payload))
    return path
