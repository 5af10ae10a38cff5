"""How the GAN's own discriminator comes to judge unseen real days during training.

Trains the ``smard`` preset on the bundled data (``--set KEY=VALUE`` overrides a config
field, as in ``tsgan train``) and every ``--every`` steps prints what
:func:`tsgan.evaluate.tables.discriminator_check` reports — the share of training days, held-out
real days and generated days (as many as held-out days, under their conditions) that D
calls real, and the overfitting ratio — next to the discriminative score of those generated
days. A ratio near 1 means D finds unseen real days no more real than generated ones: it
has memorised its training days.

    .venv/bin/python scripts/overfit_curve.py --seed 0 --every 2000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="training seed")
    parser.add_argument("--iterations", type=int, help="training steps (default: the preset's)")
    parser.add_argument("--every", type=int, default=2000, help="report every N steps")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, as in tsgan train (repeatable)")
    args = parser.parse_args(argv)

    from tsgan.api import PriceGAN
    from tsgan.cli import parse_settings
    from tsgan.errors import TsganError
    from tsgan.evaluate import metrics
    from tsgan.evaluate.tables import discriminator_check, sample_with_test_conditions

    if args.every <= 0:
        raise TsganError(f"--every must be a positive number of steps, got {args.every}")
    overrides = parse_settings(args.set)
    if args.iterations is not None:
        overrides["iterations"] = args.iterations
    if overrides.get("loss") == "wgan-gp":
        raise TsganError("this script reports the shares of days D calls real; a WGAN critic "
                         "has none (tsgan evaluate still gives its overfitting ratio)")

    def report(step: int, model: PriceGAN, _seconds: float) -> bool:
        generated, conditions = sample_with_test_conditions(model, len(model.test_data), 0)
        check = discriminator_check(model, generated, conditions)
        ratio = check["overfit_ratio"]
        score = metrics.discriminative_score(generated, model.test_data.to_numpy())
        print(f"| {step} | {check['train_real_share']:.2f} | {check['held_out_real_share']:.2f} "
              f"| {check['generated_real_share']:.2f} | "
              f"{'-' if ratio is None else f'{ratio:.2f}'} | {score:.3f} |", flush=True)
        return False

    print("| step | D calls real: training days | held-out days | generated days "
          "| overfitting ratio | discriminative |")
    print("|---|---|---|---|---|---|")
    PriceGAN("smard", seed=args.seed, **overrides).fit(callback=report,
                                                        callback_every=args.every)
    return 0


if __name__ == "__main__":
    from tsgan.errors import run_script

    sys.exit(run_script(main, Path(__file__).name))
