"""``tsgan train``: train a GAN (or resume an interrupted run) and write its run directory."""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tsgan.checks import EXIT_OK, non_negative_int, positive_int
from tsgan.cli.common import PRESET_NAMES, quiet_tensorflow
from tsgan.errors import TsganError

#: The preset ``tsgan train`` trains with :class:`tsgan.forecast.ForecastGAN`.
FORECAST_PRESET = "forecast"
TRAIN_PRESETS = (*PRESET_NAMES, FORECAST_PRESET)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a GAN and write a run directory",
        description=(
            "Train a GAN on price days (preset smard, the default), a forecast model of given "
            "delivery days (preset forecast, for 'tsgan forecast') or a classic toy case "
            "(quadratic: points on y = x^2; heights: N(69, 3) inches) and write a run "
            "directory with the models, scaler, configuration, history and plots."
        ),
    )
    p.add_argument("--preset", default="smard", choices=TRAIN_PRESETS,
                   help="what to learn (default: smard)")
    p.add_argument("--data", metavar="PATH",
                   help="price file for smard and forecast: SMARD CSV export, tidy hourly "
                        "CSV/Parquet, or wide daily CSV/Parquet (default: the bundled German "
                        "SMARD prices)")
    p.add_argument("--column", metavar="NAME",
                   help="zone column to use when the file holds several (e.g. 'Frankreich')")
    p.add_argument("--exogenous", metavar="NAMES",
                   help="forecast: comma-separated exogenous hourly series of the data file "
                        "the model conditions on (e.g. load,wind; see docs/exogenous.md)")
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
                     "patience": None, "exogenous": None}


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
    quiet_tensorflow()
    from tsgan.api import resume

    model = resume(run_dir, progress=not args.quiet, checkpoint_every=args.checkpoint_every)
    _report_selection(model, args, run_dir)
    return _after_training(args, run_dir)


def cmd_train(args: argparse.Namespace) -> int:
    """``tsgan train``."""
    if args.resume:
        return _resume(args)
    if args.preset == FORECAST_PRESET:
        return _train_forecast(args)
    if args.exogenous is not None:
        raise TsganError("--exogenous applies to --preset forecast")
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


#: ``tsgan train`` options the forecast preset has no use for, and their defaults
_FORECAST_CONFLICTS = {"conditions": None, "strategy": "default", "select_every": None,
                       "patience": None, "snapshot_every": None, "checkpoint_every": None}


def _train_forecast(args: argparse.Namespace) -> int:
    """``tsgan train --preset forecast``: fit a ForecastGAN and save its run directory."""
    given = [f"--{k.replace('_', '-')}" for k, default in _FORECAST_CONFLICTS.items()
             if getattr(args, k) != default]
    if given:
        raise TsganError(f"--preset forecast does not use {', '.join(given)}")
    from tsgan.cli.common import comma_list
    from tsgan.forecast import ForecastGAN

    settings: dict[str, Any] = {"iterations": args.iterations, "batch_size": args.batch_size,
                                "latent_dim": args.latent_dim, "seed": args.seed}
    settings = {k: v for k, v in settings.items() if v is not None}
    names = comma_list(args.exogenous)
    if names:
        settings["exogenous"] = names
    settings.update(parse_settings(args.settings))
    model = ForecastGAN(**settings)  # an unknown or bad setting: one line, before any work
    run_dir = Path(args.run_dir) if args.run_dir else _default_run_dir(FORECAST_PRESET)
    created = not run_dir.exists()
    prepare_run_dir(run_dir, args.overwrite)
    try:
        quiet_tensorflow()
        from tsgan.api import BUNDLED_SOURCE
        from tsgan.data.sources import load_days

        days = load_days(args.data, column=args.column, exogenous=model.exogenous)
        model.fit(days, source=str(args.data) if args.data else BUNDLED_SOURCE)
        model.save(run_dir)
    except BaseException:
        if created:  # bad data or an early failure: leave no empty run directory behind
            with contextlib.suppress(OSError):
                run_dir.rmdir()
        raise
    if not args.quiet:
        assert model.train_first is not None and model.train_last is not None
        series = f", exogenous {', '.join(model.exogenous)}" if model.exogenous else ""
        print(f"trained the forecast model on {model.n_train_days:,} days "
              f"({model.train_first.date()} to {model.train_last.date()}{series}) in "
              f"{model.train_seconds:.1f} s")
        print(f"run written to {run_dir}")
    return EXIT_OK


def _is_chief(strategy: str) -> bool:
    """Whether this process writes the run (always, except non-chief multi-workers)."""
    if strategy != "multiworker":
        return True
    from tsgan.training.distribute import is_chief

    return is_chief()


def _train(args: argparse.Namespace, run_dir: Path) -> int:
    """The body of ``tsgan train`` once the run directory is ready."""
    quiet_tensorflow()
    from tsgan.training.distribute import make_strategy

    strategy = make_strategy(args.strategy)  # multi-worker: before any other TF operation
    from tsgan.api import BUNDLED_SOURCE, PriceGAN

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
    data = source = None
    if args.preset == "smard":
        from tsgan.data.sources import load_days

        data = load_days(args.data, column=args.column)
        source = str(args.data) if args.data else BUNDLED_SOURCE
    if args.strategy == "multiworker":  # no checkpoints: every worker would write them
        model.fit(data, progress=not args.quiet and args.chief, source=source)
        model.save(run_dir)
    else:  # checkpoints into run_dir, saves the finished run there
        model.fit(data, progress=not args.quiet, run_dir=run_dir,
                  checkpoint_every=1000 if args.checkpoint_every is None
                  else args.checkpoint_every, source=source)
    if not args.chief:
        return EXIT_OK
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
        from tsgan.api import PriceGAN
        from tsgan.viz.plots import plot_run

        plot_run(PriceGAN.load(run_dir), run_dir)  # as saved, like 'tsgan plot' draws it
    if not args.quiet:
        print(f"run written to {run_dir}")
    return EXIT_OK
