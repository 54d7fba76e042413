"""The focal loss and the reference network, checked against hand-computed values."""

import math

import keras
import numpy as np
import pytest

from training.model import FocalLoss, build_mlp

LN_1E6 = math.log(1e6)  # cost of a probability clipped to 1e-6 for its true class


def loss_of(loss, label: float, probability: float) -> float:
    return float(loss(np.array([[label]]), np.array([[probability]])))


def test_fraud_scored_zero_costs_alpha_times_ln_1e6():
    loss = FocalLoss(alpha=0.8, gamma=2.0)

    assert loss_of(loss, 1.0, 0.0) == pytest.approx(0.8 * LN_1E6, abs=0.01)  # 11.05


def test_legitimate_scored_one_costs_one_minus_alpha_times_ln_1e6():
    loss = FocalLoss(alpha=0.8, gamma=2.0)

    # float32 cannot hold 1 - 1e-6 exactly, hence the looser tolerance
    assert loss_of(loss, 0.0, 1.0) == pytest.approx(0.2 * LN_1E6, abs=0.01)  # 2.76


def test_both_confident_mistakes_cost_the_same_at_alpha_one_half():
    loss = FocalLoss(alpha=0.5, gamma=2.0)

    assert loss_of(loss, 1.0, 0.0) == pytest.approx(loss_of(loss, 0.0, 1.0), rel=1e-3)


def test_gamma_two_matches_the_formula_by_hand():
    # fraud scored 0.6: 0.25 * (1 - 0.6)^2 * -ln(0.6) = 0.25 * 0.16 * 0.510826
    loss = FocalLoss(alpha=0.25, gamma=2.0)

    assert loss_of(loss, 1.0, 0.6) == pytest.approx(0.0204330, rel=1e-4)


def test_gamma_zero_is_alpha_weighted_binary_crossentropy():
    labels = np.array([[1.0], [0.0], [1.0], [0.0]])
    probabilities = np.array([[0.9], [0.2], [0.3], [0.7]])
    weights = np.where(labels == 1.0, 0.7, 0.3)
    by_hand = -(
        weights
        * np.where(labels == 1.0, np.log(probabilities), np.log(1 - probabilities))
    ).mean()

    focal = float(FocalLoss(alpha=0.7, gamma=0.0)(labels, probabilities))
    keras_bce = float(
        keras.losses.BinaryCrossentropy()(labels, probabilities, sample_weight=weights)
    )

    assert focal == pytest.approx(by_hand, rel=1e-5)
    assert focal == pytest.approx(keras_bce, rel=1e-5)


def test_hard_fraud_outweighs_easy_legitimate_more_as_gamma_grows():
    # Both scored 0.1: p_t is 0.1 for the fraud, 0.9 for the legitimate one, so
    # their loss ratio is (alpha / (1 - alpha)) * ln(10) / ln(10/9) * 9**gamma.
    ratios = []
    for gamma in (0.0, 1.0, 2.0, 5.0):
        loss = FocalLoss(alpha=0.5, gamma=gamma)
        ratios.append(loss_of(loss, 1.0, 0.1) / loss_of(loss, 0.0, 0.1))

    assert ratios == sorted(ratios) and len(set(ratios)) == 4
    expected_at_zero = math.log(10) / math.log(10 / 9)
    assert ratios[0] == pytest.approx(expected_at_zero, rel=1e-4)
    assert ratios[2] / ratios[0] == pytest.approx(81.0, rel=1e-3)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"gamma": -1.0}, "gamma"),
        ({"epsilon": 0.0}, "epsilon"),
    ],
)
def test_bad_loss_arguments_are_refused_at_construction(arguments, named):
    with pytest.raises(ValueError, match=named):
        FocalLoss(**arguments)


def test_loss_survives_a_config_round_trip():
    original = FocalLoss(alpha=0.6, gamma=1.5, epsilon=1e-5)

    copy = FocalLoss.from_config(original.get_config())

    assert (copy.alpha, copy.gamma, copy.epsilon) == (0.6, 1.5, 1e-5)


def test_untrained_network_predicts_the_prior_for_an_average_transaction():
    network = build_mlp(30, prior=0.01, seed=0)

    # Scaled features of an average transaction are all zero; every hidden unit
    # then outputs relu(0) = 0 and only the output bias speaks.
    probability = network.predict(np.zeros((1, 30), np.float32), verbose=0)

    assert probability.item() == pytest.approx(0.01, rel=1e-5)


def test_network_has_the_reference_shape():
    network = build_mlp(30, seed=0)

    dense = [layer for layer in network.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [200, 100, 20, 1]
    assert [layer.activation.__name__ for layer in dense] == [
        "relu",
        "relu",
        "relu",
        "sigmoid",
    ]
    assert isinstance(dense[0].kernel_initializer, keras.initializers.HeNormal)


def test_l2_weight_decay_adds_the_squared_hidden_kernels_to_the_loss():
    network = build_mlp(30, seed=0, l2=1e-3)
    network(np.zeros((1, 30), np.float32))

    hidden = [layer for layer in network.layers if layer.name.startswith("hidden_")]
    by_hand = sum(1e-3 * float(np.sum(layer.kernel.numpy() ** 2)) for layer in hidden)

    penalty = sum(float(loss) for loss in network.losses)
    assert penalty == pytest.approx(by_hand, rel=1e-5)
    assert build_mlp(30, seed=0).losses == []
