"""Fit a network on scaled training rows, stopping on validation AUPRC."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import keras
import numpy as np

from training.config import FitSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitReport:
    epochs_run: int
    best_epoch: int
    best_validation_auprc: float
    seconds: float


class _EpochLog(keras.callbacks.Callback):
    """One log line per epoch with the loss and validation AUPRC."""

    def __init__(self, label: str, epochs: int):
        super().__init__()
        self.label, self.epochs = label, epochs

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        logger.info(
            "%s epoch %d/%d: loss %.5f, validation loss %.5f, validation AUPRC %.4f "
            "(%.1f s)",
            self.label,
            epoch + 1,
            self.epochs,
            logs.get("loss", float("nan")),
            logs.get("val_loss", float("nan")),
            logs.get("val_auprc", float("nan")),
            time.perf_counter() - self.started,
        )


def fit_model(
    model: keras.Model,
    loss: keras.losses.Loss,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    settings: FitSettings,
    label: str,
) -> FitReport:
    """Compile ``model`` with Adam and ``loss`` and fit it on ``train`` (scaled
    features, labels), keeping the weights of the epoch with the best AUPRC on
    ``validation``. Logs one line per epoch."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss=loss,
        metrics=[keras.metrics.AUC(curve="PR", num_thresholds=1000, name="auprc")],
    )
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_auprc",
        mode="max",
        patience=settings.patience,
        restore_best_weights=True,
    )
    started = time.perf_counter()
    history = model.fit(
        *train,
        validation_data=validation,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[stopper, _EpochLog(label, settings.epochs)],
    )
    seconds = time.perf_counter() - started

    scores = history.history["val_auprc"]
    best = int(np.argmax(scores))
    report = FitReport(len(scores), best + 1, float(scores[best]), seconds)
    logger.info(
        "%s: %d epochs in %.1f s, best validation AUPRC %.4f at epoch %d",
        label,
        report.epochs_run,
        seconds,
        report.best_validation_auprc,
        report.best_epoch,
    )
    return report
