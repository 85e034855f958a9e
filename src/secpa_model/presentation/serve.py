"""An HTTP interface to the library (``secpa-model serve``, the ``[serve]`` extra): a
FastAPI application whose OpenAPI description is generated (``GET /openapi.json``).

``POST /allocate`` (one structure or a list), ``POST /explain`` (the JSON trace of one
structure) and ``POST /compare`` (the reference values against a scenario, per structure)
take a model name, a year or a period and an optional scenario (``name``, ``overrides``,
``description``, as :meth:`~secpa_model.Scenario.from_dict`); ``GET /models``,
``GET /parameters``, ``GET /schema/{name}`` and ``GET /health`` describe. Amounts are
strings of Decimal euros, as in the JSON trace; every computed answer carries a
``manifest``. Invalid input is 422 with ``{"problems": [...]}`` (the fields of
:class:`~secpa_model.Problem`); a body over ``max_bytes`` or more than ``max_rows``
structures is 413; a failure of secpa-model itself is 500 with one line, the traceback
going to the log only. The computations run in the server's thread pool.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any, Final

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secpa_model import (
    Model,
    Parameters,
    Period,
    Portfolio,
    Problem,
    Scenario,
    SecpaError,
    __version__,
    add_euro_columns,
    allocate,
    allocate_frame,
    available_models,
    explain_json,
    get_model,
    json_schema,
    manifest_for,
    portfolio,
)
from secpa_model.io.schemas import SchemaName
from secpa_model.presentation.explain import parameters_record

__all__ = ["create_app", "manifest"]

LOG: Final = logging.getLogger("secpa_model.serve")


class ScenarioBody(BaseModel):
    """A scenario: named overrides of the model's reference values (docs/scenarios.md)."""

    name: str
    overrides: dict[str, Any] = Field(default_factory=dict)
    description: str = ""


class Computation(BaseModel):
    """What every computation names: the model, the period and an optional scenario."""

    model: str = Field("experimentation", description="a model of GET /models")
    year: int | None = Field(None, strict=True, description="a calendar year")
    period: str | None = Field(None, description="an inclusive period YYYY-MM-DD..YYYY-MM-DD")
    scenario: ScenarioBody | None = None


class AllocateBody(Computation):
    """``POST /allocate``: without year or period, each structure's ``year`` field."""

    structures: dict[str, Any] | list[dict[str, Any]] = Field(
        description="one structure or a list (the fields of GET /schema/structure)"
    )


class ExplainBody(Computation):
    """``POST /explain``: one structure."""

    structure: dict[str, Any]


class CompareBody(AllocateBody):
    """``POST /compare``: the structures under the reference values and under ``scenario``."""

    scenario: ScenarioBody


def manifest(model: Model, parameters: Parameters | Scenario, period: Period | None) -> Any:
    """What made an answer (the library's :class:`~secpa_model.Manifest`: version, model and
    its hash, the parameter set or the scenario applied to it, the period; None: each
    structure's year), as JSON data."""
    if isinstance(parameters, Scenario):
        made = manifest_for(model, parameters.apply(), period, scenarios=[parameters])
    else:
        made = manifest_for(model, parameters, period)
    return made.model_dump(mode="json")


def _refusal(message: str, field: str, value: Any = None) -> SecpaError:
    """The error of a request naming what no library function checks (answered 422)."""
    return SecpaError(problems=[Problem("invalid_input", message, field=field, value=value)])


def _problems(status: int, problems: list[Problem]) -> JSONResponse:
    return JSONResponse({"problems": [p.to_dict() for p in problems]}, status_code=status)


def _model(name: str) -> Model:
    """A model found by name; never a module or a file (a client must not run code)."""
    if name not in available_models():
        known = ", ".join(available_models())
        raise _refusal(f"unknown model; known: {known}", "model", name)
    return get_model(name)


def _setting(body: Computation) -> tuple[Model, Parameters | Scenario, Period | None]:
    """The model, the parameters (a scenario applied) and the period of a request."""
    model = _model(body.model)
    if body.year is not None and body.period is not None:
        raise _refusal("give year or period, not both", "period", body.period)
    period: Period | None = None
    given = body.year if body.year is not None else body.period
    if given is not None:
        try:
            period = Period.parse(given)
        except ValueError as exc:
            field = "year" if body.year is not None else "period"
            raise _refusal(str(exc), field, given) from exc
    parameters: Parameters | Scenario = model.reference_parameters()
    if body.scenario is not None:
        parameters = Scenario.from_dict(body.scenario.model_dump(), model=model)
    return model, parameters, period


def _frame(body: AllocateBody, model: Model, max_rows: int) -> Portfolio:
    """The structures validated; a key left out takes its input's default, as in a JSON
    Lines file (a required input left out is missing)."""
    rows = body.structures if isinstance(body.structures, list) else [body.structures]
    if len(rows) > max_rows:
        raise HTTPException(413, f"{len(rows)} structures: at most {max_rows} per request")
    given = list(dict.fromkeys(key for row in rows for key in row))
    optional = [item for item in model.inputs if not item.required and item.name in given]
    filled = [{item.name: item.default for item in optional} | row for row in rows]
    return portfolio(pd.DataFrame.from_records(filled, columns=given), model=model)


def _euros(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The ``<line>_cents`` columns of each row as ``<line>_eur``: Decimal euros as text."""
    euros = add_euro_columns(frame)
    names = [str(c) for c in euros.columns if str(c).endswith("_eur")]
    return [{name: str(row[name]) for name in names} for row in euros.to_dict("records")]


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Allocated rows as JSON objects: the id, kept columns, ``eligible``, ``reasons`` (a
    list of codes) and each line's euros (no cents)."""
    kept = [c for c in frame.columns if not str(c).endswith("_cents")]
    plain = json.loads(frame[kept].to_json(orient="records", force_ascii=False))
    for row, euros in zip(plain, _euros(frame), strict=True):
        row["reasons"] = [code for code in str(row["reasons"]).split(";") if code]
        row.update(euros)
    return list(plain)


class _BodyLimit:
    """Refuses a request body over ``max_bytes`` with 413: at once when its Content-Length
    says so, else when the bytes read pass it (a chunked body)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        text = f"the request body is larger than {self.max_bytes} bytes"
        length = Headers(scope=scope).get("content-length") if scope["type"] == "http" else None
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _problems(413, [Problem("invalid_input", text)])(scope, receive, send)
            return
        read = 0

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            if read > self.max_bytes:
                raise HTTPException(413, text)
            return message

        await self.app(scope, counted, send)


def create_app(*, max_rows: int, max_bytes: int) -> FastAPI:
    """The application: at most ``max_rows`` structures and ``max_bytes`` bytes of body per
    request (413 beyond; the command's defaults are
    :data:`~secpa_model.presentation.cli.server.DEFAULT_MAX_ROWS` and ``DEFAULT_MAX_BYTES``)."""
    app = FastAPI(
        title="secpa-model",
        version=__version__,
        description="Funding models of participatory health centres (SECPA, article 51).",
    )
    app.add_middleware(_BodyLimit, max_bytes=max_bytes)

    @app.exception_handler(SecpaError)
    def _invalid(request: Request, exc: SecpaError) -> JSONResponse:
        return _problems(422, list(exc.problems))

    @app.exception_handler(RequestValidationError)
    def _unreadable(request: Request, exc: RequestValidationError) -> JSONResponse:
        found = []
        for error in exc.errors():
            where = [str(part) for part in error.get("loc", ())[1:]]
            given = error.get("input")
            if error.get("type") == "json_invalid":  # where: the character, not a field
                text = (
                    f"not valid JSON: {error.get('ctx', {}).get('error')} at character {where[0]}"
                )
                found.append(Problem("invalid_input", text))
                continue
            scalar = given if isinstance(given, str | int | float | bool) else None
            message = str(error.get("msg", "invalid"))
            found.append(
                Problem("invalid_input", message, field=".".join(where) or None, value=scalar)
            )
        return _problems(422, found)

    @app.exception_handler(HTTPException)
    def _refused(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:  # json.loads gave up
            text = f"the body cannot be read as JSON ({type(exc.__cause__).__name__})"
            return _problems(422, [Problem("invalid_input", text)])
        return _problems(exc.status_code, [Problem("invalid_input", str(exc.detail))])

    @app.exception_handler(Exception)
    def _failed(request: Request, exc: Exception) -> JSONResponse:
        # the traceback: the server logs the exception, which Starlette raises again
        LOG.error("internal error on %s %s: %r", request.method, request.url.path, exc)
        text = f"internal error ({type(exc).__name__}); this is a bug of secpa-model"
        return _problems(500, [Problem("internal_error", text)])

    @app.get("/health")
    def health() -> dict[str, str]:
        """The server answers, and its version."""
        return {"status": "ok", "version": __version__}

    @app.get("/models")
    def models() -> list[dict[str, Any]]:
        """Every model by name: origin, lines and note."""
        return [
            {"name": name, "origin": origin, "lines": list(model.line_keys), "note": model.note}
            for name, origin in available_models().items()
            for model in [get_model(name)]
        ]

    @app.get("/parameters")
    def parameters(model: str = "experimentation", day: date | None = None) -> dict[str, Any]:
        """The reference values of ``model`` in force on ``day`` (default: today); the
        file they come from by its name only (the server's folders are not shown)."""
        chosen = _model(model)
        reference = chosen.reference_parameters()
        when = day or date.today()
        record = parameters_record(reference, chosen, when)
        if record.get("origin"):
            record["origin"] = Path(str(record["origin"])).name
        return {"manifest": manifest(chosen, reference, Period(when, when)), **record}

    @app.get("/schema/{name}")
    def schema(name: SchemaName, model: str = "experimentation") -> dict[str, Any]:
        """The JSON Schema ``name`` of ``model`` (``json_schema``)."""
        return json_schema(name, model=_model(model))

    @app.post("/allocate")
    def allocate_structures(body: AllocateBody) -> JSONResponse:
        """Allocate one structure or a list over a year or a period."""
        model, params, period = _setting(body)
        result = allocate_frame(_frame(body, model, max_rows), period, params)
        done = manifest(model, params, period)
        return JSONResponse({"manifest": done, "allocations": _rows(result)})

    @app.post("/explain")
    def explain(body: ExplainBody) -> JSONResponse:
        """The JSON trace of one structure (``allocate --json``)."""
        model, params, period = _setting(body)
        if period is None:
            raise _refusal("give a year or a period", "period")
        trace = json.loads(explain_json(allocate(body.structure, period, params, model=model)))
        return JSONResponse({"manifest": manifest(model, params, period), "trace": trace})

    @app.post("/compare")
    def compare(body: CompareBody) -> JSONResponse:
        """The structures under the reference values and under the scenario, per structure,
        with the scenario's difference per line and the totals."""
        model, params, period = _setting(body)
        structures = _frame(body, model, max_rows)
        base = allocate_frame(structures, period, model.reference_parameters())
        changed = allocate_frame(structures, period, params)
        columns = [f"{key}_cents" for key in model.line_keys] + ["total_cents"]
        frames = (base[columns], changed[columns], changed[columns] - base[columns])
        amounts = [_euros(frame) for frame in frames]
        rows = [
            {"structure_id": ident, "baseline": b, "scenario": s, "difference": d}
            for ident, b, s, d in zip(base[model.id_input], *amounts, strict=True)
        ]
        totals = pd.DataFrame(
            [[sum(int(c) for c in frame["total_cents"]) for frame in frames]],
            columns=["baseline_cents", "scenario_cents", "difference_cents"],
        )
        made = manifest(model, params, period)
        return JSONResponse({"manifest": made, "totals": _euros(totals)[0], "structures": rows})

    return app
