"""Command line: ``python -m training --data data/creditcard.csv --out artifacts``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

# TensorFlow's C++ start-up chatter says nothing a user of this command needs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

logger = logging.getLogger("training")

DEFAULT_DATA = Path("data/creditcard.csv")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from training.config import FitSettings, TrainingConfig

    defaults, fit_defaults = TrainingConfig(), FitSettings()
    parser = argparse.ArgumentParser(
        prog="python -m training",
        description="Train the focal-loss fraud model (and a binary cross-entropy "
        "model for comparison) and write an artifact bundle for the service.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="the ULB credit-card CSV (Time, V1..V28, Amount, Class) "
        f"(default: {DEFAULT_DATA})",
    )
    source.add_argument(
        "--demo",
        action="store_true",
        help="train on a generated SYNTHETIC data set instead (no download needed)",
    )
    parser.add_argument(
        "--demo-if-missing",
        action="store_true",
        help="train on the SYNTHETIC demo set when the --data file does not exist "
        "(what the quick-start script and the compose file do)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=defaults.out,
        help=f"bundle directory to write (default: {defaults.out})",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=defaults.alpha,
        help=f"focal-loss weight of frauds, in (0, 1) (default: {defaults.alpha})",
    )
    parser.add_argument(
        "--gamma",
        type=float,
        default=defaults.gamma,
        help="focal-loss focusing parameter, >= 0; 0 gives weighted "
        f"cross-entropy (default: {defaults.gamma})",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=fit_defaults.epochs,
        help="most epochs; early stopping on validation AUPRC may end "
        f"sooner (default: {fit_defaults.epochs})",
    )
    parser.add_argument(
        "--l2",
        type=float,
        default=defaults.l2,
        help="L2 weight decay on the hidden layers' kernels, >= 0 "
        f"(default: {defaults.l2})",
    )
    parser.add_argument(
        "--patience",
        type=int,
        default=fit_defaults.patience,
        help="epochs without validation improvement before stopping "
        f"(default: {fit_defaults.patience})",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=fit_defaults.batch_size,
        help=f"(default: {fit_defaults.batch_size})",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=fit_defaults.learning_rate,
        help=f"Adam learning rate (default: {fit_defaults.learning_rate})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help=f"seed for the split and the weights (default: {defaults.seed})",
    )
    parser.add_argument(
        "--split",
        choices=("stratified", "time"),
        default=defaults.split,
        help="stratified 70/30 (the reference protocol) or time: test "
        f"on the latest transactions (default: {defaults.split})",
    )
    parser.add_argument(
        "--test-fraction",
        type=float,
        default=defaults.test_fraction,
        help=f"(default: {defaults.test_fraction})",
    )
    parser.add_argument(
        "--validation-fraction",
        type=float,
        default=defaults.validation_fraction,
        help="share of the training part held out for early stopping "
        f"and the threshold (default: {defaults.validation_fraction})",
    )
    parser.add_argument(
        "--threshold-beta",
        type=float,
        default=defaults.threshold_beta,
        help="the default threshold maximises F-beta on validation "
        f"rows; beta > 1 favours recall (default: {defaults.threshold_beta})",
    )
    parser.add_argument(
        "--ignore-extra-columns",
        action="store_true",
        help="drop columns other than Time, V1..V28, Amount, Class "
        "instead of refusing the file",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )
    return parser.parse_args(argv)


def _stop_on_sigterm(signum, frame):
    # SystemExit unwinds through the bundle writer, which removes its staging
    # directory: a stopped run leaves the previous bundle as it was.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run training; return 0 on success, 2 when the input cannot be used."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    from training.artifacts import BundleOutputError
    from training.config import FitSettings, TrainingConfig
    from training.data import DataValidationError
    from training.pipeline import run
    from training.split import SplitError

    use_demo = args.demo
    if args.demo_if_missing and not args.data.exists():
        logger.warning(
            "%s not found: training on SYNTHETIC demo data instead; see README.md for "
            "the real data set",
            args.data,
        )
        use_demo = True

    try:
        config = TrainingConfig(
            data=None if use_demo else args.data,
            out=args.out,
            alpha=args.alpha,
            gamma=args.gamma,
            l2=args.l2,
            fit=FitSettings(
                epochs=args.epochs,
                batch_size=args.batch_size,
                learning_rate=args.learning_rate,
                patience=args.patience,
            ),
            seed=args.seed,
            split=args.split,
            test_fraction=args.test_fraction,
            validation_fraction=args.validation_fraction,
            threshold_beta=args.threshold_beta,
            ignore_extra_columns=args.ignore_extra_columns,
        )
        manifest = run(config)
    except (DataValidationError, SplitError, BundleOutputError, ValueError) as error:
        logger.error("%s", error)
        return 2
    except KeyboardInterrupt:
        logger.error("interrupted; no bundle was written")
        return 130
    logger.info(
        "bundle %s ready in %s (default threshold %.4f); serve it with "
        "`python -m service --artifacts %s`",
        manifest.version_id,
        args.out,
        manifest.threshold.value,
        args.out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
