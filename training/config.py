"""Every setting a training run depends on, in one place; no heavy imports here so
that the command line answers --help at once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

SplitMethod = Literal["stratified", "time"]


@dataclass(frozen=True)
class FitSettings:
    """How long and how fast to train.

    ``epochs`` is the most that will run; training stops earlier once validation
    AUPRC has not improved for ``patience`` epochs, and the weights of the best
    epoch are kept.
    """

    epochs: int = 60
    batch_size: int = 512
    learning_rate: float = 1e-3
    patience: int = 10

    def __post_init__(self):
        for name in ("epochs", "batch_size", "patience"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")


@dataclass(frozen=True)
class TrainingConfig:
    """Everything a run depends on; recorded whole in the manifest."""

    data: Path | None = None  # None: the synthetic demo set
    out: Path = Path("artifacts")
    alpha: float = 0.25
    gamma: float = 2.0
    fit: FitSettings = field(default_factory=FitSettings)
    prior: float = 0.01
    l2: float = 1e-4
    seed: int = 42
    split: SplitMethod = "stratified"
    test_fraction: float = 0.3
    validation_fraction: float = 0.2
    threshold_beta: float = 2.0
    ignore_extra_columns: bool = False
    demo_rows: int = 60_000

    def parameters(self) -> dict:
        recorded = asdict(self)
        recorded.pop("data"), recorded.pop("out")
        return recorded
