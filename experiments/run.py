"""Experiments behind figures of docs/evaluation.md, one runner.

    .venv/bin/python experiments/run.py VARIANT --seeds 0 1 2 [--zone DE|FR|AT]
                                        [--iterations N] [--work-dir DIR]

For each seed the runner trains the ``smard`` preset with the variant's training overrides
on the zone's days (``DE``: the bundled German prices; ``FR``, ``AT``, …: that zone of the
SMARD export read by ``scripts/other_zone.py``, ``../shared/data/…`` or ``--data``), or reuses
the run from ``--work-dir`` when one trained with the same settings is there, then runs the
variant's analysis and prints one Markdown table: a row per quantity, a column per seed and
their mean. Every variant is declared in :data:`VARIANTS`; ``--list`` prints them. See
experiments/README.md for what each one measures and which figure it backs.

Training is deterministic per seed on one machine; oneDNN numerics differ between machines,
so figures reproduce to a few thousandths there. ``--repeats`` (classifier / evaluation
seeds per figure, default 5) and ``--samples`` (generated days where the analysis draws a
free sample, default 3,000) exist so that the tests can run every variant in seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
PROG = "experiments/run.py"
#: The zone trained on the bundled data (every other zone comes from the SMARD export).
BUNDLED_ZONE = "DE"

Figures = dict[str, Any]  # quantity -> number (or a short text)


@dataclass(frozen=True)
class Options:
    """How much work an analysis does (the paper settings are the defaults)."""

    repeats: int = 5
    samples: int = 3000


# --------------------------------------------------------------------------- near-zero
def _view_raw(days: np.ndarray) -> np.ndarray:
    return days


def _view_sorted(days: np.ndarray) -> np.ndarray:
    return np.sort(days, axis=1)


def _view_diff(days: np.ndarray) -> np.ndarray:
    return np.diff(days, axis=1)


#: Classifier views scored alone (None = all of tsgan's classifier features together).
CLASSIFIER_VIEWS: dict[str, Callable[[np.ndarray], np.ndarray] | None] = {
    "all": None, "raw": _view_raw, "sorted": _view_sorted, "diff": _view_diff}


def feature_names(hours: int) -> list[str]:
    """Names of :func:`tsgan.evaluate.metrics.classifier_features`' columns."""
    return ([f"hour {h}" for h in range(hours)] + [f"sorted {k}" for k in range(hours)]
            + [f"diff {h}-{h + 1}" for h in range(hours - 1)])


def near_zero(gan: Any, opts: Options) -> Figures:
    """Prices near zero in the run's real days (training + held-out) and in its generator's
    own output; the classifier features that differ most; each classifier view alone; how
    many training values repeat ten or more times."""
    from tsgan.evaluate import metrics as M
    from tsgan.evaluate.tables import sample_like_test

    train = gan.train_data.to_numpy(np.float64)
    test = gan.test_data.to_numpy(np.float64)
    real = np.vstack([train, test])
    generated = gan.sample(opts.samples, seed=1).to_numpy(np.float64)
    out: Figures = {}
    for name, days in (("real", real), ("generated", generated)):
        pair_mean = (days[:, 1:] + days[:, :-1]) / 2
        out[f"share of hours at 0.00, {name}"] = float(np.mean(days == 0.0))
        out[f"share of hours at -0.01, {name}"] = float(np.mean(days == -0.01))
        out[f"share of hour pairs with mean in [-5, 5), {name}"] = float(
            np.mean((pair_mean >= -5) & (pair_mean < 5)))
    names = feature_names(real.shape[1])
    fr, fg = M.classifier_features(real), M.classifier_features(generated)
    ks = np.array([M.ks_statistic(fr[:, j], fg[:, j]) for j in range(fr.shape[1])])
    for rank, j in enumerate(np.argsort(-ks)[:3], start=1):
        out[f"feature that differs most #{rank} (KS)"] = f"{names[j]} {ks[j]:.3f}"
    out["KS of the day's lowest price (sorted 0)"] = float(ks[names.index("sorted 0")])
    synth = sample_like_test(gan, len(test), seed=0)
    for view, features in CLASSIFIER_VIEWS.items():
        out[f"discriminative, {view} view"] = float(np.mean([
            M.discriminative_score(synth, test, seed=e, features=features)
            for e in range(opts.repeats)]))
    _, counts = np.unique(train, return_counts=True)
    out["training values repeated >= 10 times"] = int((counts >= 10).sum())
    out["share of training prices they hold"] = float(counts[counts >= 10].sum() / train.size)
    return out


# --------------------------------------------------------------------------- per-hour-map
def quantile_map(x: np.ndarray, calib: np.ndarray, train: np.ndarray,
                 pooled: bool) -> np.ndarray:
    """Empirical quantile map of ``x`` from the calibration sample to the training values,
    one per hour (``pooled=False``) or one for all hours (knots: every calibration value;
    beyond its range shifted by the end offset)."""
    out = np.empty_like(x)
    for h in range(x.shape[1]):
        gen = np.sort(calib.ravel() if pooled else calib[:, h])
        real = train.ravel() if pooled else train[:, h]
        y = np.quantile(real, np.interp(x[:, h], gen, np.linspace(0, 1, len(gen))))
        high, low = x[:, h] > gen[-1], x[:, h] < gen[0]
        y[high] = real.max() + x[high, h] - gen[-1]
        y[low] = real.min() + x[low, h] - gen[0]
        out[:, h] = y
    return out


def per_hour_map(gan: Any, opts: Options) -> Figures:
    """The held-out-like sample scored uncalibrated, with one quantile map per hour, with one
    pooled map and with the product's map (:func:`tsgan.model.marginals.fit_marginal_map`:
    pooled, plus exact point-mass knots), all fitted on one calibration sample."""
    from tsgan.evaluate import metrics as M
    from tsgan.evaluate.tables import sample_like_test
    from tsgan.model.marginals import fit_marginal_map

    test = gan.test_data.to_numpy(np.float64)
    train = gan.train_data.to_numpy(np.float64)
    synth = sample_like_test(gan, len(test), seed=0)
    calib = gan.sample(opts.samples, seed=123).to_numpy(np.float64)
    versions = {"uncalibrated": synth,
                "per-hour map": quantile_map(synth, calib, train, pooled=False),
                "pooled map": quantile_map(synth, calib, train, pooled=True),
                "product map": fit_marginal_map(calib, train).apply(synth)}
    out: Figures = {}
    for name, days in versions.items():
        out[f"{name}: discriminative"] = float(np.mean([
            M.discriminative_score(days, test, seed=e) for e in range(opts.repeats)]))
        out[f"{name}: hourly W1 (EUR/MWh)"] = M.mean_wasserstein(days, test)
        out[f"{name}: corr error"] = M.correlation_error(days, test)
        out[f"{name}: feature KS"] = M.daily_feature_ks(days, test)
        out[f"{name}: memorisation"] = M.memorisation(days, train, test)
    return out


# --------------------------------------------------------------------------- atom-snap
#: A training price is an atom (a pile) when it holds this share of the training prices and
#: at least MIN_COUNT of them.
ATOM_SHARE, ATOM_MIN_COUNT = 0.0015, 20
#: The GAN row of ``tsgan evaluate`` reported by atom-snap.
EVALUATION_METRICS = ("energy_distance_rel", "wasserstein", "corr_error", "feature_ks",
                      "discriminative", "memorisation")


def quantile_bins(centres: np.ndarray, widths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantile intervals of the given widths centred on ``centres`` (ascending), kept inside
    [0, 1]; overlapping ones are merged into ordered runs of adjacent intervals."""
    groups = [[i] for i in range(len(centres))]

    def span(group: list[int]) -> tuple[float, float]:
        width = sum(widths[i] for i in group)
        centre = sum(centres[i] * widths[i] for i in group) / width
        low = min(max(centre - width / 2, 0.0), 1.0 - width)
        return low, low + width

    merged = True
    while merged:
        merged = False
        for j in range(len(groups) - 1):
            if span(groups[j])[1] > span(groups[j + 1])[0]:
                groups[j] += groups.pop(j + 1)
                merged = True
                break
    lower, upper = np.empty(len(centres)), np.empty(len(centres))
    for group in groups:
        start = span(group)[0]
        for i in group:
            lower[i], upper[i] = start, start + widths[i]
            start += widths[i]
    return lower, upper


class AtomSnap:
    """Snap generated values to the training prices' piles only: each atom gets the bin of
    generated values that holds exactly its training share of a calibration sample
    (max(2,000, n_train) days, the product's calibration seed), centred on the atom in
    quantile; values in an atom's bin become the atom, all others stay."""

    def __init__(self, gan: Any) -> None:
        from tsgan import checks
        from tsgan.model.marginals import CALIBRATION_DAYS

        train = gan.train_data.to_numpy(np.float64)
        values, counts = np.unique(train, return_counts=True)
        keep = counts >= max(ATOM_MIN_COUNT, ATOM_SHARE * train.size)
        self.atoms, shares = values[keep], counts[keep] / train.size
        seed = int(checks.rng(gan.config.seed, checks.Stream.CALIBRATION).integers(2**31))
        ordered = np.sort(gan.sample(max(CALIBRATION_DAYS, len(train)), seed=seed)
                          .to_numpy(np.float64).ravel())
        centres = (np.searchsorted(ordered, self.atoms, "left")
                   + np.searchsorted(ordered, self.atoms, "right")) / (2.0 * len(ordered))
        q_low, q_high = quantile_bins(centres, shares)
        self.lower, self.upper = np.quantile(ordered, q_low), np.quantile(ordered, q_high)

    def apply(self, x: Any) -> np.ndarray:
        original = np.asarray(x, dtype=np.float64)
        out = original.copy()
        for atom, low, high in zip(self.atoms, self.lower, self.upper, strict=True):
            out[(original >= low) & (original < high)] = atom
        return out


def atom_snap(gan: Any, opts: Options) -> Figures:
    """``tsgan evaluate``'s GAN row (mean over evaluation seeds) of the generator's own output
    and of the same days snapped to the piles."""
    from tsgan.evaluate.tables import evaluate_arrays, sample_with_test_conditions

    snap = AtomSnap(gan)
    train = gan.train_data.to_numpy(np.float64)
    test = gan.test_data.to_numpy(np.float64)
    tables = []
    for seed in range(opts.repeats):
        rows = sample_with_test_conditions(gan, len(test), seed)[0]
        tables.append(evaluate_arrays(train, test, {"no map": rows, "atom snap":
                                                    snap.apply(rows)}, seed=seed))
    out: Figures = {"atoms (EUR/MWh)": " ".join(f"{a:g}" for a in snap.atoms)}
    for source in ("no map", "atom snap"):
        for metric in EVALUATION_METRICS:
            out[f"{source}: {metric}"] = float(np.mean([t.loc[source, metric]
                                                        for t in tables]))
    return out


# --------------------------------------------------------------------------- where-classifier-wins
SEASONS = {11: "winter (Nov-Feb)", 12: "winter (Nov-Feb)", 1: "winter (Nov-Feb)",
           2: "winter (Nov-Feb)", 5: "summer (May-Aug)", 6: "summer (May-Aug)",
           7: "summer (May-Aug)", 8: "summer (May-Aug)"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def where_classifier_wins(gan: Any, opts: Options) -> Figures:
    """Per held-out day and generated day (under that day's conditions): how often a
    gradient-boosting classifier on tsgan's classifier features is right (out of fold,
    ``repeats`` × 5-fold), by the day's level, year, negative hour, season and weekday."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from threadpoolctl import threadpool_limits

    from tsgan.evaluate import metrics as M
    from tsgan.evaluate.tables import sample_like_test

    test = gan.test_data.to_numpy(np.float64)
    synth = sample_like_test(gan, len(test), seed=0)
    n = len(test)
    x = M.classifier_features(np.vstack([test, synth]))
    y = np.r_[np.ones(n), np.zeros(n)]
    right = np.zeros(2 * n)
    with threadpool_limits(limits=1):
        for rep in range(opts.repeats):
            clf = HistGradientBoostingClassifier(max_iter=50, max_leaf_nodes=15,
                                                 early_stopping=False, random_state=rep)
            p = cross_val_predict(clf, x, y, method="predict_proba",
                                  cv=StratifiedKFold(5, shuffle=True, random_state=rep))[:, 1]
            right += ((p > 0.5) == y) / opts.repeats
    dates = pd.DatetimeIndex(gan.test_data.index)
    days = pd.DataFrame({"right": right, "real": y == 1,
                         "year": np.tile(dates.year, 2), "month": np.tile(dates.month, 2),
                         "weekday": np.tile(dates.day_of_week, 2),
                         "negative": np.r_[test.min(axis=1), synth.min(axis=1)] < 0})
    out: Figures = {"overall accuracy": float(days.right.mean())}
    conditions = gan.test_conditions
    if conditions is not None and "level" in conditions:
        level = np.tile(conditions["level"].to_numpy(np.float64), 2)
        for bin_, acc in days.groupby(pd.qcut(level, 5), observed=True).right.mean().items():
            out[f"level {bin_.left:.1f} to {bin_.right:.1f} EUR/MWh"] = float(acc)
    for year, acc in days.groupby("year").right.mean().items():
        out[f"year {year}"] = float(acc)
    for negative, label in ((True, "with a negative hour"), (False, "without one")):
        for real, kind in ((True, "real"), (False, "generated")):
            part = days[(days.negative == negative) & (days.real == real)]
            out[f"{kind} days {label}"] = float(part.right.mean()) if len(part) else float("nan")
    for real, kind in ((True, "real"), (False, "generated")):
        out[f"{kind} days with a negative hour (count)"] = int(
            (days.negative & (days.real == real)).sum())
    season = days.month.map(lambda m: SEASONS.get(m, "shoulder (Mar-Apr, Sep-Oct)"))
    for name, acc in days.groupby(season).right.mean().items():
        out[name] = float(acc)
    for day, acc in days.groupby("weekday").right.mean().items():
        out[WEEKDAYS[day]] = float(acc)
    return out


# --------------------------------------------------------------------------- variants
@dataclass(frozen=True)
class Variant:
    """One experiment: what it measures, how its runs are trained, what it computes."""

    description: str
    analysis: Callable[[Any, Options], Figures]
    #: ``PriceGAN("smard", ...)`` overrides of the runs the analysis needs.
    training: dict[str, Any] = field(default_factory=dict)
    #: The documented figure it reproduces (see experiments/README.md).
    figure: str = ""


#: The analyses study the generator's own output, without the value map: every variant
#: trains with the map off (training itself is the same with it on).
WITHOUT_MAP = {"marginal_calibration": False}

VARIANTS: dict[str, Variant] = {
    "near-zero": Variant(
        "prices near zero, real vs generated, and each classifier view alone",
        near_zero, WITHOUT_MAP,
        "docs/evaluation.md 'Value map': what the map fixes (France; the German repeated "
        "values with --zone DE)"),
    "per-hour-map": Variant(
        "value map fitted after training: one per hour vs one pooled (and the product's)",
        per_hour_map, WITHOUT_MAP,
        "docs/evaluation.md 'Value map': one pooled map, not one per hour (France)"),
    "atom-snap": Variant(
        "snapping generated prices only to the training prices' piles (atoms)",
        atom_snap, WITHOUT_MAP,
        "docs/evaluation.md 'Value map': snapping only to the piles (France 0.100)"),
    "where-classifier-wins": Variant(
        "which real and generated days a classifier tells apart (level, year, negative "
        "hours, season, weekday)",
        where_classifier_wins, WITHOUT_MAP,
        "docs/evaluation.md 'Other markets' (France's negative-price days) and 'Which "
        "view of a day gives the generated ones away'"),
}


# --------------------------------------------------------------------------- zones and runs
def export_zones() -> tuple[Path, dict[str, str]]:
    """The SMARD export's default path and zone codes, from scripts/other_zone.py."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import other_zone
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return other_zone.DEFAULT_DATA, dict(other_zone.ZONES)


def zone_days(zone: str, data: Path | None) -> tuple[pd.DataFrame | None, str]:
    """(days to fit, or None for the bundled data; where they came from)."""
    from tsgan.errors import TsganError

    if zone == BUNDLED_ZONE:
        return None, "bundled SMARD DE-LU prices"
    from tsgan.data.sources import load_days

    default, zones = export_zones()
    path = data if data is not None else default
    if not path.is_file():
        raise TsganError(f"zone {zone} needs the SMARD 'Großhandelspreise' export, not found "
                         f"at {path} (pass --data PATH, or --zone {BUNDLED_ZONE} for the "
                         f"bundled data)")
    days = load_days(path, column=zones[zone])
    return days, f"{path}, column '{zones[zone]}', {len(days)} days"


def run_name(zone: str, variant: Variant, iterations: int, seed: int) -> str:
    """The run directory's name: zone, training overrides, budget and seed."""
    settings = "".join(f"-{key}-{str(value).lower()}"
                       for key, value in sorted(variant.training.items()))
    return f"{zone}{settings}-it{iterations}-s{seed}"


def trained_run(zone: str, days: pd.DataFrame | None, variant: Variant, seed: int,
                iterations: int | None, work_dir: Path) -> tuple[Any, str]:
    """The run of ``seed``: reused from ``work_dir`` when it is there, else trained and saved
    there; always read back from disk, so that a reused run gives the same figures."""
    import tsgan
    from tsgan.errors import TsganError
    from tsgan.model.presets import preset_config

    settings = {**variant.training, "seed": seed}
    if iterations is not None:
        settings["iterations"] = iterations
    wanted = preset_config("smard", **settings)
    run_dir = work_dir / run_name(zone, variant, wanted.iterations, seed)
    if run_dir.exists():
        gan = tsgan.load(run_dir)
        have, want = gan.config.to_dict(), wanted.to_dict()
        differ = sorted(k for k in want if have.get(k) != want[k])
        if differ:
            raise TsganError(f"{run_dir} was trained with other settings ({', '.join(differ)});"
                             f" remove it or choose another --work-dir")
        return gan, f"reused {run_dir}"
    started = time.perf_counter()
    gan = tsgan.PriceGAN("smard", **settings).fit(days)
    gan.save(run_dir)
    took = time.perf_counter() - started
    return tsgan.load(run_dir), f"trained {gan.steps_trained:,} steps in {took:.0f} s"


# --------------------------------------------------------------------------- table
def fmt(value: Any) -> str:
    """Integers with separators, shares and scores with three decimals (four below 0.01)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    value = float(value)
    if not np.isfinite(value):
        return "-"
    return f"{value:.4f}" if 0 < abs(value) < 0.01 else f"{value:.3f}"


def mean_of(values: list[Any]) -> str:
    """The mean of the seeds' numbers ('-' for texts or missing values)."""
    if any(v is None or isinstance(v, str) for v in values):
        return "-"
    mean = float(np.mean(values))
    if all(isinstance(v, (int, np.integer)) for v in values) and mean.is_integer():
        return fmt(int(mean))
    return fmt(mean)


def print_table(title: str, seeds: list[int], figures: list[Figures]) -> None:
    """A Markdown table: a row per quantity, a column per seed, then the mean."""
    print(f"\n### {title}\n")
    header = ["quantity", *(f"seed {s}" for s in seeds)] + (["mean"] if len(seeds) > 1 else [])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    quantities = list(dict.fromkeys(k for f in figures for k in f))
    for quantity in quantities:
        values = [f.get(quantity) for f in figures]
        cells = ["-" if v is None else fmt(v) for v in values]
        if len(seeds) > 1:
            cells.append(mean_of(values))
        print(f"| {quantity} | " + " | ".join(cells) + " |")
    sys.stdout.flush()


# --------------------------------------------------------------------------- main
class Parser(argparse.ArgumentParser):
    """argparse with a one-line error instead of a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from tsgan.checks import non_negative_int, positive_int

    parser = Parser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("variant", nargs="?", choices=list(VARIANTS), metavar="VARIANT",
                        help=f"one of: {', '.join(VARIANTS)}")
    parser.add_argument("--seeds", nargs="+", type=non_negative_int, default=[0],
                        help="training seeds, one run each (default: 0)")
    parser.add_argument("--zone", default=BUNDLED_ZONE, type=str.upper,
                        help=f"{BUNDLED_ZONE} (bundled German data, default) or a zone code of "
                             "scripts/other_zone.py's ZONES (FR, AT, ...: the SMARD export)")
    parser.add_argument("--data", type=Path, default=None,
                        help="the SMARD 'Großhandelspreise' export for other zones (default: "
                             "scripts/other_zone.py's, ../shared/data/...)")
    parser.add_argument("--iterations", type=positive_int, default=None,
                        help="training budget (default: the preset's)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="keep the runs here and reuse those trained with the same "
                             "settings (default: a temporary directory)")
    parser.add_argument("--repeats", type=positive_int, default=Options.repeats,
                        help="classifier / evaluation seeds per figure (default: %(default)s)")
    parser.add_argument("--samples", type=positive_int, default=Options.samples,
                        help="generated days of free samples (default: %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    from tsgan.errors import TsganError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        for name, variant in VARIANTS.items():
            print(f"{name}: {variant.description} [{variant.figure}]")
        return 0
    if args.variant is None:
        parser.error(f"give a VARIANT ({', '.join(VARIANTS)})")
    zones = [BUNDLED_ZONE, *export_zones()[1]]
    if args.zone not in zones:
        parser.error(f"unknown --zone {args.zone!r}; valid: {', '.join(zones)}")
    if args.samples < 10:
        parser.error(f"--samples must be at least 10, got {args.samples}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    variant = VARIANTS[args.variant]
    seeds = list(dict.fromkeys(args.seeds))
    opts = Options(repeats=args.repeats, samples=args.samples)
    days, source = zone_days(args.zone, args.data)
    started = time.perf_counter()
    settings = ", ".join(f"{k}={v}" for k, v in variant.training.items()) or "none"
    print(f"# {args.variant}: {variant.description}\n\nzone {args.zone} ({source}); smard "
          f"preset, iterations {args.iterations or 'preset default'}, overrides: {settings}; "
          f"seeds {' '.join(map(str, seeds))}; repeats {opts.repeats}, samples {opts.samples}"
          f"\nbacks: {variant.figure}\n", flush=True)
    figures = []
    with tempfile.TemporaryDirectory(prefix="tsgan_experiment_") as tmp:
        work_dir = args.work_dir if args.work_dir is not None else Path(tmp)
        try:
            work_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TsganError(f"cannot create --work-dir {work_dir}: {exc.strerror}") from None
        for seed in seeds:
            gan, how = trained_run(args.zone, days, variant, seed, args.iterations, work_dir)
            analysis_started = time.perf_counter()
            figures.append(variant.analysis(gan, opts))
            print(f"seed {seed}: {how}; analysis {time.perf_counter() - analysis_started:.0f} s",
                  flush=True)
    print_table(f"{args.variant}, zone {args.zone}", seeds, figures)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, PROG))
