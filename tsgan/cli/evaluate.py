"""``tsgan evaluate``: score a run's samples against held-out real days and baselines."""

from __future__ import annotations

import argparse

from tsgan.checks import EXIT_OK, non_negative_int, positive_int
from tsgan.cli.common import quiet_tensorflow


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    quiet_tensorflow()
    import json

    from tsgan.cli.common import load_calendar_run
    from tsgan.evaluate.tables import evaluate_run, format_table, write_metrics

    table = evaluate_run(load_calendar_run(args.run), n=args.n, seed=args.seed)
    write_metrics(args.run, table)
    if args.json:
        print(json.dumps(table.to_dict(orient="index"), indent=2, default=float))
    else:
        print(format_table(table))
    return EXIT_OK
