"""The ``tsgan`` command: a thin shell over the Python API.

Heavy libraries (TensorFlow, pandas, matplotlib) are imported inside the command
functions, so ``tsgan --help`` and ``tsgan CMD --help`` answer in well under a second.
Every :class:`~tsgan.errors.TsganError` becomes one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tsgan import __version__
from tsgan.errors import TsganError

PRESET_NAMES = ("smard", "quadratic", "heights")
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
tsgan learns the shape of daily electricity price curves (24 hourly prices per day) with a
generative adversarial network and writes realistic synthetic price scenarios.

Typical session:
  tsgan train                       # train on the bundled German SMARD prices
  tsgan generate --run runs/RUN -n 1000 --out scenarios.csv
  tsgan evaluate --run runs/RUN     # numbers against held-out real days and baselines
  tsgan report --run runs/RUN       # one self-contained report.html

Prices: Bundesnetzagentur | SMARD.de (CC BY 4.0)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def positive_int(text: str) -> int:
    """argparse type: an integer > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0 (seeds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the block (C++ libraries write there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    """Wraps TensorFlow's loader: its package import runs with stderr on /dev/null."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        try:
            with _stderr_to_devnull():
                self._loader.exec_module(module)
        finally:
            module.__loader__ = self._loader
            if getattr(module, "__spec__", None) is not None:
                module.__spec__.loader = self._loader


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Meta path hook: the first ``import tensorflow``, wherever it happens, is quiet."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def _quiet_tensorflow() -> None:
    """Keep TensorFlow's start-up log lines off stderr (one-line-error contract).

    TensorFlow >= 2.19 prints absl/oneDNN INFO lines when it is imported, even with
    ``TF_CPP_MIN_LOG_LEVEL=2`` (tensorflow/tensorflow#100442). A meta path hook runs that
    import, whenever a command first needs it, with file descriptor 2 on /dev/null; nothing
    is imported here, so commands that fail early stay fast. ``TSGAN_DEBUG=1`` keeps it all.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or os.environ.get("TSGAN_DEBUG"):
        return
    if not any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())


# --------------------------------------------------------------------------- train
def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a GAN and write a run directory",
        description=(
            "Train a GAN on price days (preset smard, the default) or on a classic toy case "
            "(quadratic: points on y = x^2; heights: N(69, 3) inches) and write a run "
            "directory with the models, scaler, configuration, history and plots."
        ),
    )
    p.add_argument("--preset", default="smard", choices=PRESET_NAMES,
                   help="what to learn (default: smard)")
    p.add_argument("--data", metavar="PATH",
                   help="price file for smard: SMARD CSV export, tidy hourly CSV/Parquet, or wide "
                        "daily CSV/Parquet (default: the bundled German SMARD prices)")
    p.add_argument("--column", metavar="NAME",
                   help="zone column to use when the file holds several (e.g. 'Frankreich')")
    p.add_argument("--iterations", type=positive_int, metavar="N",
                   help="training iterations (default: the preset's)")
    p.add_argument("--batch-size", type=positive_int, metavar="N",
                   help="real samples per batch (default: the preset's)")
    p.add_argument("--latent-dim", type=positive_int, metavar="N",
                   help="size of the generator's Gaussian noise input (default: the preset's)")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                   help="random seed; the same seed gives the same run (default: 0)")
    p.add_argument("--run-dir", metavar="DIR",
                   help="where to write the run (default: runs/<preset>-<timestamp>)")
    p.add_argument("--snapshot-every", type=positive_int, metavar="N",
                   help="record generated samples every N iterations for the evolution plots")
    p.add_argument("--strategy", default="default", choices=("default", "mirrored", "multiworker"),
                   help="tf.distribute strategy: default (one device), mirrored (all local "
                        "GPUs, or TSGAN_CPU_DEVICES logical CPUs), multiworker (cluster from "
                        "TF_CONFIG; only the chief writes the run); --batch-size is the "
                        "global batch (see docs/scaling.md)")
    p.add_argument("--conditions", metavar="LIST",
                   help="smard: train a conditional GAN on these comma-separated conditions: "
                        "month, weekday, holiday (German public holiday), level (mean price "
                        "of the 7 days before), 'calendar' (= month,weekday,holiday), or "
                        "numeric columns of a daily --data file; 'none' = unconditional "
                        "(default: the preset's)")
    p.add_argument("--select-every", type=non_negative_int, metavar="N",
                   help="smard: model selection: every N iterations score the generator on "
                        "validation weeks of the training days (held out of fitting) and "
                        "keep the best weights; 0 = off (default: the preset's)")
    p.add_argument("--patience", type=non_negative_int, metavar="K",
                   help="with --select-every: stop after K scorings without a new best "
                        "(0 = train the full budget)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                   help="override any configuration field (repeatable), value as JSON or "
                        "text, e.g. --set loss=wgan-gp --set learning_rate=1e-4 --set "
                        "discriminator.shape_features=true (fields: docs/interfaces.md)")
    p.add_argument("--overwrite", action="store_true",
                   help="allow writing into a run directory that already holds a run")
    p.add_argument("--checkpoint-every", type=non_negative_int, metavar="N",
                   help="save a checkpoint (models, optimisers, random state) into "
                        "RUN/checkpoint/ every N iterations; 0 = only when interrupted "
                        "(Ctrl-C / SIGTERM save one too; default: 1000, with --resume: the run's)")
    p.add_argument("--resume", metavar="DIR",
                   help="continue the interrupted run in DIR from its checkpoint, with the "
                        "run's own settings (other training options are refused)")
    p.add_argument("--no-plots", action="store_true", help="skip drawing the plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=cmd_train)


def _default_run_dir(preset: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{preset}-{stamp}"


def prepare_run_dir(run_dir: Path, overwrite: bool) -> None:
    """Fail before training, not after, if the run directory cannot take a run."""
    if run_dir.exists() and not run_dir.is_dir():
        raise TsganError(f"--run-dir {run_dir} exists and is not a directory")
    if (run_dir / "config.json").exists() and not overwrite:
        hint = (f"resume it with 'tsgan train --resume {run_dir}', "
                if (run_dir / "checkpoint").is_dir() else "")
        raise TsganError(
            f"{run_dir} already holds a run; {hint}choose another --run-dir or pass --overwrite"
        )
    created = not run_dir.exists()
    probe = run_dir / ".tsgan-write-test"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"0" * 1024 * 1024)
        probe.unlink()
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink()
        if created:
            with contextlib.suppress(OSError):
                run_dir.rmdir()
        raise TsganError(
            f"cannot write to run directory {run_dir}: {exc.strerror or exc}"
        ) from None


#: training options ``--resume`` refuses (the run's own settings apply) and their defaults
_RESUME_CONFLICTS = {"preset": "smard", "data": None, "column": None, "iterations": None,
                     "batch_size": None, "latent_dim": None, "seed": 0, "run_dir": None,
                     "snapshot_every": None, "overwrite": False, "strategy": "default",
                     "conditions": None, "settings": [], "select_every": None,
                     "patience": None}


def _resume(args: argparse.Namespace) -> int:
    """``tsgan train --resume DIR``."""
    given = [f"--{k.replace('_', '-')}" for k, default in _RESUME_CONFLICTS.items()
             if getattr(args, k) != default]
    if given:
        raise TsganError(f"--resume continues the run with its own settings; drop "
                         f"{', '.join(given)}")
    run_dir = Path(args.resume)
    from tsgan.runs import read_run_start

    read_run_start(run_dir)  # finished run / no checkpoint: a clear error before TensorFlow
    _quiet_tensorflow()
    from tsgan.api import resume

    model = resume(run_dir, progress=not args.quiet, checkpoint_every=args.checkpoint_every)
    _report_selection(model, args, run_dir)
    return _after_training(args, run_dir)


def cmd_train(args: argparse.Namespace) -> int:
    """``tsgan train``."""
    if args.resume:
        return _resume(args)
    if args.preset != "smard" and (args.data or args.column):
        raise TsganError(f"--data/--column apply to the smard preset, not to {args.preset!r}")
    run_dir = Path(args.run_dir) if args.run_dir else _default_run_dir(args.preset)
    if args.strategy == "multiworker" and args.run_dir is None:
        raise TsganError("--strategy multiworker needs --run-dir (the same on every worker)")
    args.chief = _is_chief(args.strategy)
    created = not run_dir.exists()
    if args.chief:
        prepare_run_dir(run_dir, args.overwrite)
    try:
        return _train(args, run_dir)
    except BaseException:
        if created:  # bad data or an early failure: leave no empty run directory behind
            with contextlib.suppress(OSError):
                run_dir.rmdir()  # only succeeds while it is still empty
        raise


def _is_chief(strategy: str) -> bool:
    """Whether this process writes the run (always, except non-chief multi-workers)."""
    if strategy != "multiworker":
        return True
    from tsgan.training.distribute import is_chief

    return is_chief()


def _train(args: argparse.Namespace, run_dir: Path) -> int:
    """The body of ``tsgan train`` once the run directory is ready."""
    _quiet_tensorflow()
    from tsgan.training.distribute import make_strategy

    strategy = make_strategy(args.strategy)  # multi-worker: before any other TF operation
    from tsgan.api import PriceGAN

    overrides = {
        "iterations": args.iterations,
        "batch_size": args.batch_size,
        "latent_dim": args.latent_dim,
        "snapshot_every": args.snapshot_every,
        "seed": args.seed,
        "select_every": args.select_every,
        "select_patience": args.patience,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    overrides.update(parse_settings(args.settings))
    if args.conditions is not None:
        overrides["conditions"] = parse_condition_list(args.conditions)
    model = PriceGAN(preset=args.preset, strategy=strategy, **overrides)
    data = None
    if args.preset == "smard":
        from tsgan.data.sources import load_days

        data = load_days(args.data, column=args.column)
        model.data_source = str(args.data) if args.data else "bundled SMARD DE-LU"
    if args.strategy == "multiworker":  # no checkpoints: every worker would write them
        model.fit(data, progress=not args.quiet and args.chief)
        model.save(run_dir)
    else:  # checkpoints into run_dir, saves the finished run there
        model.fit(data, progress=not args.quiet, run_dir=run_dir,
                  checkpoint_every=1000 if args.checkpoint_every is None
                  else args.checkpoint_every)
    if not args.chief:
        return 0
    _report_selection(model, args, run_dir)
    return _after_training(args, run_dir)


def _report_selection(model: Any, args: argparse.Namespace, run_dir: Path) -> None:
    """One line on the step model selection kept (runs with ``select_every`` only)."""
    if model.best_step is None or args.quiet:
        return
    score = model.selection["score"].min()
    print(f"model selection kept step {model.best_step:,} of {model.steps_trained:,} "
          f"(validation score {score:.3f}; curve: {run_dir / 'selection.csv'})")


def parse_condition_list(text: str) -> list[str]:
    """``--conditions``: comma-separated names; ``calendar`` expands, ``none`` is empty."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part.lower() == "none":
            continue
        if part.lower() == "calendar":
            from tsgan.data.conditions import CALENDAR

            names += list(CALENDAR)
        elif part:
            names.append(part)
    return names


def parse_settings(items: Sequence[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` items as config overrides (``net.field`` keys nest; JSON values).

    A value that is not JSON is taken as a string (``--set loss=wgan-gp``).
    """
    import json

    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise TsganError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        head, dot, field = key.partition(".")
        if dot:
            if head not in ("generator", "discriminator") or not field:
                raise TsganError(f"--set {key}: only generator.FIELD and discriminator.FIELD "
                                 f"nest")
            out.setdefault(head, {})[field] = value
        else:
            out[key] = value
    return out


def _after_training(args: argparse.Namespace, run_dir: Path) -> int:
    if not args.no_plots:
        from tsgan.viz.plots import plot_run

        plot_run(run_dir)
    if not args.quiet:
        print(f"run written to {run_dir}")
    return 0


# --------------------------------------------------------------------------- generate
def _add_generate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "generate",
        help="write N synthetic samples from a trained run",
        description=(
            "Write N synthetic samples in original units (EUR/MWh days with columns "
            "scenario,h00..h23 for prices; x,y for quadratic; height in inches for heights). "
            "Generation and writing happen in chunks, so N can be millions."
        ),
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.add_argument("-n", type=positive_int, metavar="N",
                   help="number of scenarios (required unless --condition-file gives one row "
                        "per scenario)")
    p.add_argument("--seed", type=non_negative_int, metavar="N",
                   help="random seed (same seed, same scenarios)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output file, .csv or .parquet (written atomically)")
    g = p.add_argument_group(
        "conditions (runs trained with --conditions; unnamed conditions follow the training "
        "days that match the named ones)")
    g.add_argument("--month", metavar="M", help="month(s): 1-12 or jan-dec, lists and ranges "
                   "(e.g. 1 or dec,jan,feb or 6-8)")
    g.add_argument("--weekday", metavar="D", help="weekday(s): mon-sun or 0-6 (0 = Monday), "
                   "lists and ranges (e.g. sat or mon-fri)")
    g.add_argument("--holiday", metavar="0|1", help="German public holiday (1) or not (0)")
    g.add_argument("--level", metavar="EUR", help="mean price of the 7 days before, EUR/MWh")
    g.add_argument("--condition", action="append", default=[], metavar="NAME=VALUE",
                   help="any condition of the run, e.g. a user column (repeatable)")
    g.add_argument("--condition-file", metavar="FILE",
                   help="CSV with one row of conditions per scenario (columns: the run's "
                        "conditions; a 'date' column fills in month, weekday and holiday)")
    p.set_defaults(func=cmd_generate)


def _generate_conditions(args: argparse.Namespace) -> Any:
    """The conditions ``tsgan generate`` asks for: None, a mapping or a frame (from a file)."""
    given: dict[str, Any] = {}
    for name in ("month", "weekday", "holiday", "level"):
        if getattr(args, name) is not None:
            given[name] = getattr(args, name)
    for item in args.condition:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise TsganError(f"--condition expects NAME=VALUE, got {item!r}")
        given[key.strip()] = value.strip()
    if args.condition_file:
        if given:
            raise TsganError("--condition-file cannot be combined with --month/--weekday/"
                             "--holiday/--level/--condition")
        from tsgan.data.sources import read_condition_file

        return read_condition_file(args.condition_file)
    return given or None


def cmd_generate(args: argparse.Namespace) -> int:
    """``tsgan generate``."""
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise TsganError(f"--out must end in .csv or .parquet, got {out.name!r}")
    if out.is_dir():  # fail before loading the model, not after
        raise TsganError(f"--out {out} is a directory; give a file name ending in {out.suffix}")
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise TsganError(f"cannot write {out}: {blocker} is a file, not a folder")
    _quiet_tensorflow()
    from tsgan.api import load
    from tsgan.scenarios import PRICE_CSV_FORMAT, write_scenarios

    conditions = _generate_conditions(args)
    n = args.n
    if n is None:
        if conditions is None or not hasattr(conditions, "columns"):
            raise TsganError("give -n N (or --condition-file with one row per scenario)")
        n = len(conditions)
    elif hasattr(conditions, "columns") and len(conditions) not in (1, n):
        raise TsganError(f"--condition-file has {len(conditions)} rows but -n is {n}; drop -n "
                         f"to get one scenario per row")
    model = load(args.run)
    if hasattr(conditions, "columns"):  # check, complete and repeat the rows up front
        conditions = model.conditions_for(n, conditions)
    float_format = PRICE_CSV_FORMAT if model.config.preset == "smard" else None
    write_scenarios(model, n, out, seed=args.seed, float_format=float_format,
                    conditions=conditions)
    print(f"wrote {n} scenarios to {out}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- plot
def _add_plot(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="redraw every plot of a saved run",
        description="Redraw the overlay, loss curves and evolution plots into RUN/plots/.",
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.set_defaults(func=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    """``tsgan plot``."""
    _quiet_tensorflow()
    from tsgan.viz.plots import plot_run

    for path in plot_run(args.run):
        print(path)
    return 0


# --------------------------------------------------------------------------- fetch
def _add_fetch(sub: argparse._SubParsersAction) -> None:
    from tsgan.data.fetch import add_fetch_arguments

    p = sub.add_parser(
        "fetch",
        help="download day-ahead prices from SMARD.de",
        description=(
            "Download hourly day-ahead prices from the SMARD.de chart-data API "
            "(Bundesnetzagentur | SMARD.de, CC BY 4.0), cache the raw weekly chunks, and "
            "write a tidy hourly CSV/Parquet and optionally one 24-hour vector per day."
        ),
    )
    add_fetch_arguments(p)
    p.set_defaults(func=cmd_fetch)


def cmd_fetch(args: argparse.Namespace) -> int:
    """``tsgan fetch`` (same implementation as scripts/fetch_smard.py)."""
    from tsgan.data.fetch import run_fetch

    return run_fetch(args)


# --------------------------------------------------------------------------- evaluate
def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score generated samples against held-out real days and baselines",
        description=(
            "Compare the run's generated samples, and baselines fitted on the same training "
            "days (bootstrap, kde, gaussian, independent), with the held-out real days. "
            "Prints a table and writes RUN/metrics.json."
        ),
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.add_argument("-n", type=positive_int, metavar="N",
                   help="synthetic samples per source (default: as many as held-out days)")
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N", help="random seed")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``tsgan evaluate``."""
    _quiet_tensorflow()
    import json

    from tsgan.evaluate.tables import evaluate_run, format_table, write_metrics

    table = evaluate_run(args.run, n=args.n, seed=args.seed)
    write_metrics(args.run, table)
    if args.json:
        print(json.dumps(table.to_dict(orient="index"), indent=2, default=float))
    else:
        print(format_table(table))
    return 0


# --------------------------------------------------------------------------- report
def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write one self-contained report.html for a run",
        description="Write RUN/report.html: plots, metric table with baselines, configuration.",
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.add_argument("--out", metavar="FILE", help="where to write (default: RUN/report.html)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """``tsgan report``."""
    _quiet_tensorflow()
    from tsgan.viz.report import write_report

    print(write_report(args.run, args.out))
    return 0


# --------------------------------------------------------------------------- anomalies
#: tsgan.evaluate.anomalies.SPLITS, repeated so that parsing does not import pandas (a test keeps
#: the two equal)
ANOMALY_SPLITS = ("all", "training", "validation", "held-out", "new")


def _add_anomalies(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "anomalies",
        help="rank real days by how unlike the learned distribution they are",
        description=(
            "Score real days with the run's discriminator (score = 1 - D(day)), write "
            "RUN/anomalies.csv (date, score, split, prices) most anomalous first, and plot "
            "the top K in colour over the grey background. split says whether D trained on "
            "the day (training), model selection held it out (validation), the run held it "
            "out (held-out) or the run never had it (new: a --data day whose date or prices "
            "the run lacks); a discriminator that has memorised its training days scores "
            "the others higher, so compare within a split."
        ),
    )
    p.add_argument("--run", required=True, metavar="DIR", help="run directory from tsgan train")
    p.add_argument("--data", metavar="PATH",
                   help="days to score (default: the run's own training and held-out days)")
    p.add_argument("--top", type=positive_int, default=10, metavar="K",
                   help="how many to show (default: 10)")
    p.add_argument("--out", metavar="FILE", help="CSV to write (default: RUN/anomalies.csv)")
    p.add_argument("--split", default="all", choices=ANOMALY_SPLITS,
                   help="rank only these days (default: all)")
    p.set_defaults(func=cmd_anomalies)


def cmd_anomalies(args: argparse.Namespace) -> int:
    """``tsgan anomalies``."""
    _quiet_tensorflow()
    from tsgan.evaluate.anomalies import find_anomalies, memorisation_note, write_anomalies

    ranked = find_anomalies(args.run, data_path=args.data, top=args.top, split=args.split)
    paths = write_anomalies(args.run, ranked, top=args.top, out=args.out)
    shown = ranked.head(args.top)
    for _, row in shown.iterrows():
        print(f"{row['date']}  score {row['score']:.4f}  {row['split']}")
    note = memorisation_note(ranked)
    if note:
        print(note, file=sys.stderr)
    for path in paths:
        print(path, file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- main
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_train, _add_generate, _add_plot, _add_fetch, _add_evaluate, _add_report, _add_anomalies,
)


def build_parser() -> argparse.ArgumentParser:
    """The full ``tsgan`` argument parser (no heavy imports)."""
    parser = _Parser(
        prog="tsgan", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tsgan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tsgan`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TsganError as exc:  # an interruption (checkpoint saved) is no error
        kind = "" if getattr(exc, "interrupted", False) else "error: "
        print(f"tsgan {args.command}: {kind}{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"tsgan {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 1
    except MemoryError:
        print(f"tsgan {args.command}: error: out of memory; try a smaller -n or batch",
              file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if os.environ.get("TSGAN_DEBUG"):
            raise
        print(
            f"tsgan {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(rerun with TSGAN_DEBUG=1 for a traceback and please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
