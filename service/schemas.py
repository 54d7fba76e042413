"""Request and response bodies of the service, and the feature matrix of a request.

Numbers are validated strictly: a JSON string such as ``"1.5"``, ``true``, ``null``,
``NaN`` or ``Infinity`` is rejected where a number is expected, so a caller's mistake
is never scored as if it were data.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    TypeAdapter,
    create_model,
)
from pydantic_core import PydanticCustomError

from bundle import FEATURE_NAMES

# Made-up values in the ranges of the published data set (no real card's data).
EXAMPLE_TRANSACTION: dict[str, Any] = {
    "id": "txn-000184",
    "Time": 41523.0,
    "V1": -0.932168,
    "V2": 0.71539,
    "V3": 1.468253,
    "V4": -0.378905,
    "V5": 0.264104,
    "V6": -0.51287,
    "V7": 0.689531,
    "V8": -0.093117,
    "V9": 0.204662,
    "V10": -0.318447,
    "V11": 1.102735,
    "V12": 0.517394,
    "V13": -0.662011,
    "V14": 0.127309,
    "V15": 0.841552,
    "V16": -0.23587,
    "V17": 0.096414,
    "V18": -0.401236,
    "V19": 0.31885,
    "V20": 0.122097,
    "V21": -0.196548,
    "V22": -0.487163,
    "V23": 0.052784,
    "V24": 0.381256,
    "V25": -0.203318,
    "V26": 0.138905,
    "V27": 0.241107,
    "V28": 0.087661,
    "Amount": 37.5,
}


# Longest string id echoed back; a reference, not a payload.
MAX_ID_LENGTH = 256

# Largest magnitude accepted for any feature. The data set's values lie far inside
# it (|V| < 200, Amount < 30,000, Time < 200,000); far beyond it the network's
# float32 arithmetic overflows and cannot score the transaction.
FEATURE_LIMIT = 1e9


def _string_or_integer(value: Any) -> str | int:
    # One error for a bad id, instead of one per member of a `str | int` union.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError("id_type", "id should be a string or an integer")
    if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
        raise PydanticCustomError(
            "id_too_long", f"id should have at most {MAX_ID_LENGTH} characters"
        )
    return value


TransactionId = Annotated[
    str | int, PlainValidator(_string_or_integer, json_schema_input_type=str | int)
]


class _TransactionBase(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        json_schema_extra={"examples": [EXAMPLE_TRANSACTION]},
    )

    id: TransactionId | None = Field(
        default=None, description="The caller's reference, echoed in the prediction."
    )


def _feature_field(name: str) -> tuple[type, Any]:
    if name == "Time":
        description = "Seconds since the first transaction of the data set."
        return float, Field(ge=0.0, le=FEATURE_LIMIT, description=description)
    if name == "Amount":
        return float, Field(ge=0.0, le=FEATURE_LIMIT, description="Transaction amount.")
    description = f"Principal component {name[1:]} of the anonymised card data."
    return float, Field(ge=-FEATURE_LIMIT, le=FEATURE_LIMIT, description=description)


# Built from FEATURE_NAMES so the fields can never disagree with the bundle format.
Transaction = create_model(
    "Transaction",
    __base__=_TransactionBase,
    __doc__="One card transaction: its features and an optional caller id.",
    **{name: _feature_field(name) for name in FEATURE_NAMES},
)


class TransactionBatch(BaseModel):
    """Several transactions scored in one request; predictions keep their order."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"transactions": [EXAMPLE_TRANSACTION]}]},
    )

    transactions: list[Transaction] = Field(min_length=1)  # type: ignore[valid-type]


def _request_shape(body: Any) -> str:
    if isinstance(body, TransactionBatch) or (
        isinstance(body, dict) and "transactions" in body
    ):
        return "batch"
    return "single"


# The tag ("single" or "batch") heads pydantic's error locations; the app removes
# it so that a location reads ["body", "V17"].
SHAPE_TAGS = ("single", "batch")
PredictRequest = Annotated[
    Annotated[Transaction, Tag("single")]  # type: ignore[valid-type]
    | Annotated[TransactionBatch, Tag("batch")],
    Discriminator(_request_shape),
]


PREDICT_REQUEST: TypeAdapter[Any] = TypeAdapter(PredictRequest)

# A query parameter arrives as text: lax mode parses "0.5", refuses "nan".
THRESHOLD: TypeAdapter[float] = TypeAdapter(
    Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
)

# /predict parses its body and query itself, so the OpenAPI document is told
# about them here; the app adds REQUEST_MODELS to the document's components.
_REQUEST_SCHEMA = PREDICT_REQUEST.json_schema(
    ref_template="#/components/schemas/{model}"
)
REQUEST_MODELS = _REQUEST_SCHEMA.pop("$defs")
PREDICT_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "threshold",
            "in": "query",
            "required": False,
            "description": "Flag transactions whose fraud probability is at least "
            "this; default: the bundle's operating point (or DEFAULT_THRESHOLD).",
            "schema": THRESHOLD.json_schema(),
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": _REQUEST_SCHEMA,
                "examples": {
                    "single": {
                        "summary": "One transaction",
                        "value": EXAMPLE_TRANSACTION,
                    },
                    "batch": {
                        "summary": "A batch",
                        "value": {
                            "transactions": [
                                EXAMPLE_TRANSACTION,
                                {**EXAMPLE_TRANSACTION, "id": 7, "Amount": 1.0},
                            ]
                        },
                    },
                },
            }
        },
    },
}


_feature_values = operator.attrgetter(*FEATURE_NAMES)


def feature_matrix(transactions: Sequence[Any]) -> np.ndarray:
    """Return the features of ``transactions`` as a float64 array of shape
    ``(len(transactions), len(FEATURE_NAMES))``, columns in ``FEATURE_NAMES`` order."""
    return np.array([_feature_values(t) for t in transactions], dtype=np.float64)


class Prediction(BaseModel):
    """The score of one transaction."""

    id: str | int | None = Field(
        default=None, description="The transaction's id; absent when none was sent."
    )
    fraud_probability: float = Field(ge=0.0, le=1.0)
    is_fraud: bool = Field(description="fraud_probability >= threshold.")


class PredictResponse(BaseModel):
    """One prediction per transaction, in request order."""

    predictions: list[Prediction]
    threshold: float = Field(ge=0.0, le=1.0, description="The threshold applied.")
    model_version: str = Field(description="version_id of the bundle's manifest.")


class ErrorDetail(BaseModel):
    """One problem with a request; ``loc`` names the field, as in
    ``["body", "transactions", 3, "Amount"]`` or ``["query", "threshold"]``."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    detail: list[ErrorDetail]


class ErrorResponse(BaseModel):
    detail: str


class Health(BaseModel):
    status: Literal["live", "ready", "loading"]
