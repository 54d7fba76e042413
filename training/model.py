"""The reference network and the focal loss it is trained with."""

from __future__ import annotations

import math

import keras
from keras import ops

HIDDEN_UNITS = (200, 100, 20)


@keras.saving.register_keras_serializable(package="fraud_scoring")
class FocalLoss(keras.losses.BinaryFocalCrossentropy):
    """Keras's class-balanced binary focal cross-entropy on clipped probabilities.

    For a transaction with label y and predicted fraud probability p, first clipped
    to [epsilon, 1 - epsilon], let p_t = p if y = 1 else 1 - p and alpha_t = alpha
    if y = 1 else 1 - alpha. The loss is

        FL(p_t) = -alpha_t * (1 - p_t) ** gamma * ln(p_t)

    (Lin et al. 2017). ``gamma`` = 0 gives alpha-weighted binary cross-entropy;
    larger ``gamma`` shrinks the loss of well-classified transactions most.
    ``alpha`` > 0.5 weights frauds (class 1) above legitimate transactions.

    Example: with the default epsilon of 1e-6 and alpha = 0.8, a fraud scored 0
    costs 0.8 * ln(1e6) ~= 11.05 and a legitimate transaction scored 1 costs
    0.2 * ln(1e6) ~= 2.76.

    >>> float(FocalLoss(alpha=0.8, gamma=2.0)([[1.0]], [[0.0]]))  # doctest: +SKIP
    11.05...

    Raises:
        ValueError: alpha outside (0, 1), gamma negative or epsilon outside
            (0, 0.5).
    """

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        epsilon: float = 1e-6,
        name: str = "focal_loss",
        **kwargs,
    ):
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must be between 0 and 1 (exclusive), got {alpha}")
        if gamma < 0.0:
            raise ValueError(f"gamma must be >= 0, got {gamma}")
        if not 0.0 < epsilon < 0.5:
            raise ValueError(f"epsilon must be in (0, 0.5), got {epsilon}")
        kwargs.pop("apply_class_balancing", None)
        super().__init__(
            apply_class_balancing=True, alpha=alpha, gamma=gamma, name=name, **kwargs
        )
        self.epsilon = epsilon

    def call(self, y_true, y_pred):
        y_pred = ops.clip(
            ops.convert_to_tensor(y_pred), self.epsilon, 1.0 - self.epsilon
        )
        return super().call(ops.convert_to_tensor(y_true), y_pred)

    def get_config(self) -> dict:
        return {**super().get_config(), "epsilon": self.epsilon}


def build_mlp(
    n_features: int,
    prior: float = 0.01,
    seed: int | None = None,
    l2: float = 0.0,
) -> keras.Model:
    """Build the reference MLP: Dense 200 → 100 → 20 (ReLU, He-normal) → 1 sigmoid.

    The output bias starts at -ln((1 - prior) / prior), so the untrained network
    predicts about ``prior`` for every transaction instead of 0.5, which spares the
    first epochs from unlearning a 50% fraud rate. ``l2`` > 0 adds
    ``l2 * sum(w ** 2)`` of the hidden kernels to the loss (weight decay), which
    keeps the network from memorising the few hundred frauds it sees.

    Raises:
        ValueError: ``prior`` outside (0, 1), ``n_features`` < 1 or ``l2`` < 0.
    """
    if not 0.0 < prior < 1.0:
        raise ValueError(f"prior must be between 0 and 1 (exclusive), got {prior}")
    if n_features < 1:
        raise ValueError(f"n_features must be >= 1, got {n_features}")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    regularizer = keras.regularizers.L2(l2) if l2 > 0 else None

    layers = [keras.Input(shape=(n_features,), name="scaled_features")]
    for index, units in enumerate(HIDDEN_UNITS):
        layers.append(
            keras.layers.Dense(
                units,
                activation="relu",
                kernel_initializer=keras.initializers.HeNormal(
                    seed=None if seed is None else seed + index
                ),
                kernel_regularizer=regularizer,
                name=f"hidden_{index + 1}",
            )
        )
    layers.append(
        keras.layers.Dense(
            1,
            activation="sigmoid",
            bias_initializer=keras.initializers.Constant(
                -math.log((1 - prior) / prior)
            ),
            name="fraud_probability",
        )
    )
    return keras.Sequential(layers, name="fraud_mlp")
