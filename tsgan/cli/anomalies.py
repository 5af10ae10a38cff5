"""``tsgan anomalies``: rank real days by how unlike the learned distribution they are."""

from __future__ import annotations

import argparse
import sys

from tsgan.checks import EXIT_OK, positive_int
from tsgan.cli.common import quiet_tensorflow

#: tsgan.evaluate.anomalies.SPLITS, repeated so that parsing does not import pandas (a test keeps
#: the two equal)
ANOMALY_SPLITS = ("all", "training", "validation", "held-out", "new")


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    quiet_tensorflow()
    from tsgan.cli.common import load_calendar_run
    from tsgan.evaluate.anomalies import find_anomalies, memorisation_note, write_anomalies

    ranked = find_anomalies(load_calendar_run(args.run), data_path=args.data, top=args.top,
                            split=args.split)
    paths = write_anomalies(args.run, ranked, top=args.top, out=args.out)
    shown = ranked.head(args.top)
    for _, row in shown.iterrows():
        print(f"{row['date']}  score {row['score']:.4f}  {row['split']}")
    note = memorisation_note(ranked)
    if note:
        print(note, file=sys.stderr)
    for path in paths:
        print(path, file=sys.stderr)
    return EXIT_OK
