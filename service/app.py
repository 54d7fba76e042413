"""The FastAPI app: thin routes over the scorer that the lifespan loads.

Run it with ``python -m service`` or ``uvicorn service.app:create_app --factory``.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import ValidationError
from pydantic_core import to_json

from bundle import Manifest, ThresholdChoice
from service.middleware import BodySizeLimit, OneLineStartupFailure
from service.requestlog import RequestLog
from service.schemas import (
    PREDICT_OPENAPI,
    PREDICT_REQUEST,
    REQUEST_MODELS,
    SHAPE_TAGS,
    THRESHOLD,
    ErrorResponse,
    Health,
    PredictResponse,
    TransactionBatch,
    ValidationErrorResponse,
    feature_matrix,
)
from service.scorer import Scorer
from service.settings import Settings

logger = logging.getLogger(__name__)

# A batch of bad rows can produce thousands of errors; the answer lists this many.
MAX_REPORTED_ERRORS = 50


def create_app(
    settings: Settings | None = None, scorer_type: type[Scorer] = Scorer
) -> FastAPI:
    """Build the app; the bundle is loaded when the app starts (its lifespan).

    Args:
        settings: the configuration; read from the environment when omitted.
        scorer_type: what loads the bundle; the benchmark swaps in a slow scorer.

    Start-up raises ``bundle.BundleError`` when the bundle in
    ``settings.artifacts_dir`` cannot be served.
    """
    settings = settings or Settings()
    logging.getLogger("service").setLevel(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scorer = scorer_type.load(settings.artifacts_dir)
        app.state.default_threshold = (
            scorer.manifest.threshold.value
            if settings.default_threshold is None
            else settings.default_threshold
        )
        app.state.scorer = scorer
        logger.info(
            "serving model %s from %s, default threshold %.4g, /predict %s",
            scorer.manifest.version_id,
            settings.artifacts_dir,
            app.state.default_threshold,
            "requires a bearer token" if settings.api_token else "is open",
        )
        if scorer.manifest.data.synthetic:
            logger.warning(
                "model %s was trained on SYNTHETIC demo data: its scores mean "
                "nothing for real transactions",
                scorer.manifest.version_id,
            )
        yield
        app.state.scorer = None
        request_log.flush()

    app = FastAPI(
        title="Credit-card fraud scoring",
        summary="Scores card transactions with the model of an artifact bundle.",
        version="1",
        lifespan=lifespan,
    )
    request_log = RequestLog()
    app.state.settings = settings
    app.state.scorer = None
    app.state.request_log = request_log
    app.add_exception_handler(RequestValidationError, _validation_error_handler)

    # Added to the app's own router: a route of an included router costs ~10 µs
    # more per request.
    app.router.add_api_route(
        "/predict",
        predict,
        methods=["POST"],
        route_class_override=_DirectRoute,
        response_model=PredictResponse,
        responses=_PREDICT_ERRORS,
        openapi_extra=PREDICT_OPENAPI,
        summary="Score one transaction or a batch",
    )
    # Routes are matched in order and FastAPI's own (/openapi.json, /docs, ...)
    # come first; /predict takes nearly all traffic, so it is tried first (each
    # failed match costs ~2 µs).
    app.router.routes.insert(0, app.router.routes.pop())
    app.include_router(_info_router)
    _complete_openapi(app, bearer_token=settings.api_token is not None)

    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, request_log=request_log
    )
    app.add_middleware(OneLineStartupFailure)
    return app


class _DirectRoute(APIRoute):
    """A route whose endpoint takes the ``Request`` and returns a ``Response``:
    documented like any other, but served without FastAPI's parameter solving,
    which costs more per request (~25 µs) than scoring a transaction.

    Raises:
        TypeError: the endpoint declares parameters or dependencies, which would
            silently not be resolved.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        dependant = self.dependant
        if (
            dependant.dependencies
            or dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
        ):
            raise TypeError(f"{path}: a direct route takes the Request only")

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return self.endpoint


_PREDICT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorResponse,
        "description": "API_TOKEN is set and the request has no or a wrong "
        "bearer token.",
    },
    413: {"model": ErrorResponse, "description": "The body is over MAX_BODY_BYTES."},
    415: {"model": ErrorResponse, "description": "The body is not JSON."},
    422: {
        "model": ValidationErrorResponse,
        "description": "A field, the threshold or the batch size is not valid; "
        "`loc` names it.",
    },
    503: {"model": ErrorResponse, "description": "The bundle is not loaded yet."},
}


async def predict(request: Request) -> Response:
    """A transaction (``Time``, ``V1``..``V28``, ``Amount``, optional ``id``) or
    ``{"transactions": [...]}``; the answer holds one prediction per transaction,
    in request order."""
    started = time.perf_counter()
    request_log: RequestLog = request.app.state.request_log
    try:
        response, scored, flagged = await _score_request(request)
    except HTTPException as error:
        request_log.add(error.status_code, 0, 0, started)
        raise
    except RequestValidationError:
        request_log.add(422, 0, 0, started)
        raise
    except Exception:
        request_log.add(500, 0, 0, started)
        raise
    request_log.add(200, scored, flagged, started)
    return response


async def _score_request(request: Request) -> tuple[Response, int, int]:
    """Validate and score the request; return the answer and the counts of
    transactions scored and flagged."""
    # The route parses its own body and query (see _DirectRoute); pydantic's
    # validate_json reads and validates the body in one pass.
    scorer = _serving(request)
    settings = request.app.state.settings
    if settings.api_token is not None:
        _check_token(request, settings.api_token.get_secret_value())
    content_type = request.headers.get("content-type")
    if not _is_json(content_type):
        detail = (
            "the body must be JSON (Content-Type: application/json), "
            f"got {content_type!r}"
        )
        raise HTTPException(415, detail)
    try:
        body = PREDICT_REQUEST.validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError(_located(error, "body")) from None
    threshold = _requested_threshold(request)
    if threshold is None:
        threshold = request.app.state.default_threshold

    transactions = body.transactions if isinstance(body, TransactionBatch) else [body]
    if len(transactions) > settings.max_batch_size:
        raise RequestValidationError(
            [
                {
                    "type": "too_long",
                    "loc": ("body", "transactions"),
                    "msg": f"the batch holds {len(transactions)} transactions, more "
                    f"than MAX_BATCH_SIZE ({settings.max_batch_size})",
                }
            ]
        )

    # Scored on the event loop: of the ~150 ms that a batch of 10,000 spends here,
    # scoring takes ~6 ms and validating the body ~120 ms, so handing the scoring
    # to a thread would not shorten the stall.
    probabilities = scorer.score(feature_matrix(transactions)).tolist()
    if not all(map(math.isfinite, probabilities)):
        # The schema's bounds should make this impossible; never answer NaN, which
        # would compare as "not fraud" and is not valid JSON.
        raise RequestValidationError(
            [
                {
                    "type": "not_scorable",
                    "loc": ("body", "transactions", int(index))
                    if isinstance(body, TransactionBatch)
                    else ("body",),
                    "msg": "the model cannot score this transaction: its values "
                    "overflow the network's arithmetic",
                }
                for index, probability in enumerate(probabilities)
                if not math.isfinite(probability)
            ]
        )
    # Compared as Python floats, in float64: float32 would round the threshold.
    flags = [probability >= threshold for probability in probabilities]

    predictions = []
    for transaction, probability, is_fraud in zip(
        transactions, probabilities, flags, strict=True
    ):
        prediction = {"fraud_probability": probability, "is_fraud": is_fraud}
        if transaction.id is not None:
            prediction = {"id": transaction.id, **prediction}
        predictions.append(prediction)
    answer = {
        "predictions": predictions,
        "threshold": threshold,
        "model_version": scorer.manifest.version_id,
    }
    response = Response(to_json(answer), media_type="application/json")
    return response, len(transactions), sum(flags)


_info_router = APIRouter()


@_info_router.get("/metrics", summary="The evaluation table of the served model")
async def metrics(request: Request) -> Response:
    """``metrics.json`` of the bundle, byte for byte."""
    return Response(_serving(request).metrics_json, media_type="application/json")


@_info_router.get("/model", response_model=Manifest, summary="The served bundle")
async def model(request: Request) -> Manifest:
    """The bundle's manifest: version, parameters, features, data checksum and the
    default threshold; a DEFAULT_THRESHOLD override shows in ``threshold``."""
    manifest = _serving(request).manifest
    default_threshold = request.app.state.default_threshold
    if default_threshold == manifest.threshold.value:
        return manifest
    rule = (
        f"DEFAULT_THRESHOLD set for this service; the bundle's is "
        f"{manifest.threshold.value} ({manifest.threshold.rule})"
    )
    return manifest.model_copy(
        update={"threshold": ThresholdChoice(value=default_threshold, rule=rule)}
    )


@_info_router.head("/health/live", include_in_schema=False)
@_info_router.get("/health/live", response_model=Health)
async def live() -> Health:
    """200 while the process serves requests."""
    return Health(status="live")


@_info_router.head("/health/ready", include_in_schema=False)
@_info_router.get(
    "/health/ready",
    response_model=Health,
    responses={503: {"model": Health, "description": "The bundle is not loaded yet."}},
)
async def ready(request: Request) -> Response:
    """200 once the bundle is loaded and its self-check passed, else 503."""
    if request.app.state.scorer is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    return JSONResponse({"status": "ready"})


def _serving(request: Request) -> Scorer:
    scorer = request.app.state.scorer
    if scorer is None:
        raise HTTPException(503, "the model bundle is not loaded yet")
    return scorer


def _check_token(request: Request, expected: str) -> None:
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() != "bearer" or not token:
        detail = "POST /predict needs an `Authorization: Bearer <token>` header"
    elif not secrets.compare_digest(token.encode(), expected.encode()):
        detail = "the bearer token is not valid"
    else:
        return
    raise HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def _is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _requested_threshold(request: Request) -> float | None:
    # Most requests have no query string; parsing none is the fast path.
    if not request.scope["query_string"]:
        return None
    values = request.query_params.getlist("threshold")
    if not values:
        return None
    if len(values) > 1:
        raise RequestValidationError(
            [
                {
                    "type": "repeated",
                    "loc": ("query", "threshold"),
                    "msg": f"threshold is given {len(values)} times; give it once",
                }
            ]
        )
    value = values[0]
    try:
        return THRESHOLD.validate_python(value)
    except ValidationError as error:
        raise RequestValidationError(_located(error, "query", "threshold")) from None


def _located(error: ValidationError, *where: str) -> list[dict[str, Any]]:
    """The errors of ``error`` with ``where`` in front of each location and the
    single/batch tag that pydantic puts in a body location taken out, so that a
    location reads ``["body", "transactions", 3, "Amount"]``."""
    located = []
    for e in error.errors(
        include_url=False, include_context=False, include_input=False
    ):
        loc = e["loc"]
        if loc and loc[0] in SHAPE_TAGS:
            loc = loc[1:]
        located.append({"loc": (*where, *loc), "msg": e["msg"], "type": e["type"]})
    return located


async def _validation_error_handler(
    request: Request, error: RequestValidationError
) -> JSONResponse:
    """422 naming each invalid field; never echoes the input, which is card data."""
    errors = error.errors()
    detail = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
        for e in errors[:MAX_REPORTED_ERRORS]
    ]
    if len(errors) > MAX_REPORTED_ERRORS:
        detail.append(
            {
                "loc": ["body"],
                "msg": f"{len(errors) - MAX_REPORTED_ERRORS} more errors not listed",
                "type": "too_many_errors",
            }
        )
    return JSONResponse({"detail": detail}, status_code=422)


def _complete_openapi(app: FastAPI, bearer_token: bool) -> None:
    """Add to the OpenAPI document what /predict declares by hand: the models its
    body refers to and, when API_TOKEN is set, its bearer-token security."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            components = document.setdefault("components", {})
            components.setdefault("schemas", {}).update(REQUEST_MODELS)
            if bearer_token:
                components["securitySchemes"] = {
                    "bearer": {"type": "http", "scheme": "bearer"}
                }
                document["paths"]["/predict"]["post"]["security"] = [{"bearer": []}]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
