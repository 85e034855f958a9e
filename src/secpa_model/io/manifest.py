"""The manifest of an output: what made it (library, model, parameters, scenarios, period,
seed, input, command), kept in the output or beside it and read back by
:func:`read_manifest`; where it is kept and what each hash covers: docs/cli.md, "Manifests"."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)
from pydantic_core import to_jsonable_python

from secpa_model.core.errors import InputError
from secpa_model.core.periods import Period
from secpa_model.io.formats import SUFFIXES, format_named
from secpa_model.io.output import is_stream_output
from secpa_model.io.writers import MANIFEST_KEY, MANIFEST_SHEET
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_KEY",
    "MANIFEST_SHEET",
    "ComparedModel",
    "Fingerprint",
    "InputRecord",
    "Manifest",
    "compared_model",
    "fingerprint",
    "html_manifest",
    "library_version",
    "manifest_for",
    "manifest_path",
    "model_sha256",
    "parameters_sha256",
    "read_manifest",
    "scenario_sha256",
    "sidecar",
]

MANIFEST_FORMAT: Final = "secpa-model.manifest"
"""The ``format`` of every manifest."""
SIDECAR_SUFFIX: Final = ".manifest.json"
_HTML: Final = (".html", ".htm")
_HTML_ID: Final = "secpa-model-manifest"
_HTML_BLOCK: Final = re.compile(
    rf'<script type="application/json" id="{_HTML_ID}">(.*?)</script>', re.DOTALL
)
_SIMPLE: Final = (str, int, float, bool, Decimal, tuple, frozenset, type(None))


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fingerprint(_Record):
    """A parameter set or a scenario: its ``name``, its author's ``version`` (``[meta]
    version``, empty if none), the sha256 of its content and the ``file`` it was read
    from (None: the model's reference values, or a set built in code)."""

    name: str
    version: str = ""
    sha256: str
    file: str | None = None


class InputRecord(_Record):
    """The input: its ``path`` as given (``-``: standard input), the sha256 of its bytes
    and its ``rows`` (lines that are not a structure included; None if not counted)."""

    path: str
    sha256: str
    rows: int | None = None


class ModelRecord(_Record):
    """The model: its name and the sha256 of its declarations (:func:`model_sha256`)."""

    name: str
    sha256: str


class ComparedModel(_Record):
    """A model a ``compare`` of models ran besides the baseline, with its parameter set."""

    model: ModelRecord
    parameters: Fingerprint


class Manifest(_Record):
    """What made an output (docs/cli.md, "Manifests"); build it with
    :func:`manifest_for`, read it back with :func:`read_manifest`."""

    format: Literal["secpa-model.manifest"] = MANIFEST_FORMAT
    format_version: Literal[1] = 1
    library: str = Field(description="The version of secpa-model that made the output.")
    created: datetime = Field(description="When the output was made (UTC).")
    model: ModelRecord
    parameters: Fingerprint
    scenarios: tuple[Fingerprint, ...] = ()
    period: str | None = Field(description="The period; None: each row over its year.")
    seed: int | None = None
    draws: int | None = Field(
        default=None,
        description="The random draws: simulate's --draws, sensitivity's Sobol --samples.",
    )
    compared_with: tuple[ComparedModel, ...] = Field(
        default=(),
        description="A compare of models: the models after the baseline (model and "
        "parameters), in the order given; left out of the JSON when empty.",
    )
    input: InputRecord | None = None
    command: tuple[str, ...] | None = Field(
        default=None,
        description="The secpa-model command line that made the output (its words after "
        "'secpa-model'; paths relative to the directory it ran in), what reproduce runs.",
    )

    @model_serializer(mode="wrap")
    def _without_empty_comparison(self, handler: SerializerFunctionWrapHandler) -> Any:
        """The fields, ``compared_with`` only when it holds models (a reader of an older
        version reads the manifest of one model)."""
        data = handler(self)
        if isinstance(data, dict) and not data.get("compared_with"):
            data.pop("compared_with", None)
        return data

    def to_json(self) -> str:
        """The manifest as indented JSON (what ``OUT.manifest.json`` holds)."""
        return self.model_dump_json(indent=2) + "\n"

    def with_input(self, path: str, sha256: str, rows: int | None) -> Manifest:
        """This manifest with the input it was computed from."""
        return self.model_copy(update={"input": InputRecord(path=path, sha256=sha256, rows=rows)})


class ScenarioLike(Protocol):
    """What a manifest reads of a :class:`~secpa_model.Scenario`."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def overrides(self) -> Mapping[str, Any]: ...


def library_version() -> str:
    """The installed version of secpa-model."""
    try:
        return version("secpa-model")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "(not installed)"


def manifest_for(
    model: Model,
    parameters: Parameters,
    period: Period | str | None,
    *,
    input_path: str | None = None,
    input_sha256: str | None = None,
    rows: int | None = None,
    scenarios: Sequence[ScenarioLike] = (),
    seed: int | None = None,
    draws: int | None = None,
    command: Sequence[str] | None = None,
    parameters_file: str | None = None,
) -> Manifest:
    """The manifest of a result of ``model`` under ``parameters`` over ``period`` (None:
    each row's year), made now; the input is recorded when ``input_sha256`` is given
    (``input_path`` default ``-``), ``scenarios`` with their hashes, ``command`` as the
    words after ``secpa-model``; ``parameters_file``: the file the set was read from
    (None: the model's reference values, or a set built in code)."""
    return Manifest(
        library=library_version(),
        created=datetime.now(UTC).replace(microsecond=0),
        model=ModelRecord(name=model.name, sha256=model_sha256(model)),
        parameters=fingerprint(parameters, parameters_file),
        scenarios=tuple(
            Fingerprint(name=s.name, version=s.version, sha256=scenario_sha256(s))
            for s in scenarios
        ),
        period=None if period is None else str(period),
        seed=seed,
        draws=draws,
        input=None
        if input_sha256 is None
        else InputRecord(path=input_path or "-", sha256=input_sha256, rows=rows),
        command=None if command is None else tuple(command),
    )


def fingerprint(parameters: Parameters, file: str | None = None) -> Fingerprint:
    """The name, version and sha256 of ``parameters``, read from ``file`` (None: the
    model's reference values, or a set built in code)."""
    return Fingerprint(
        name=parameters.name,
        version=parameters.version,
        sha256=parameters_sha256(parameters),
        file=file,
    )


def compared_model(model: Model, parameters: Parameters) -> ComparedModel:
    """``model`` and ``parameters`` as one of a manifest's ``compared_with``."""
    return ComparedModel(
        model=ModelRecord(name=model.name, sha256=model_sha256(model)),
        parameters=fingerprint(parameters),
    )


def _sha256_json(data: Any) -> str:
    text = json.dumps(to_jsonable_python(data), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _code(function: Callable[..., Any] | None) -> Any:
    """A function's source (dedented), or its bytecode, and the simple values it closes
    over; None for no function."""
    if function is None:
        return None
    try:
        text: Any = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):  # no source file (a REPL, a frozen module)
        code = getattr(function, "__code__", None)
        text = code.co_code.hex() if code is not None else type(function).__qualname__
    cells = getattr(function, "__closure__", None) or ()
    held = [repr(c.cell_contents) for c in cells if isinstance(c.cell_contents, _SIMPLE)]
    return [text, held]


def model_sha256(model: Model) -> str:
    """The sha256 of ``model``'s declarations and rules' code (docs/cli.md, "Manifests")."""
    return _sha256_json(
        {
            "name": model.name,
            "id_input": model.id_input,
            "entry_input": model.entry_input,
            "exit_input": model.exit_input,
            "rounding": repr(model.rounding),
            "inputs": [repr(item) for item in model.inputs],
            "parameters": [spec.model_dump() for spec in model.parameters],
            "relations": [relation.model_dump() for relation in model.relations],
            "rules": [
                {
                    **{k: v for k, v in asdict(rule).items() if k != "versions"},
                    "rounding": repr(rule.rounding),
                    "versions": [
                        [version.effective_from, version.formula, _code(version.compute)]
                        for version in rule.versions
                    ],
                }
                for rule in model.rules
            ],
            "conditions": [
                {**asdict(c), "fails": _code(c.fails), "detail": _code(c.detail)}
                for c in model.conditions
            ],
        }
    )


def parameters_sha256(parameters: Parameters) -> str:
    """The sha256 of a parameter set's values, declarations and relations."""
    return _sha256_json(
        parameters.model_dump(mode="json", include={"parameters", "specs", "relations"})
    )


def scenario_sha256(scenario: ScenarioLike) -> str:
    """The sha256 of a scenario's name, description, version and overrides."""
    return _sha256_json(
        {
            "name": scenario.name,
            "description": scenario.description,
            "version": scenario.version,
            "overrides": dict(scenario.overrides),
        }
    )


def manifest_path(output: str | Path) -> Path:
    """The file beside ``output`` holding its manifest: ``OUT.manifest.json``
    (``allocations.csv.manifest.json``)."""
    file = Path(output)
    return file.with_name(file.name + SIDECAR_SUFFIX)


def embeds_manifest(output: str | Path, file_format: str | None = None) -> bool:
    """Whether the format of ``output`` (``file_format`` when given, as ``--to``) holds its
    manifest (Parquet, Excel, HTML); the others (CSV, JSON Lines) have it beside them
    (:func:`manifest_path`)."""
    suffix = Path(output).suffix.lower()
    if file_format is None and suffix in _HTML:
        return True
    fmt = format_named(file_format) if file_format is not None else SUFFIXES.get(suffix)
    return fmt is not None and fmt.read_manifest is not None


def sidecar(output: str | Path, file_format: str | None = None) -> Path | None:
    """The file written beside ``output`` with its manifest (:func:`manifest_path`), or
    None: when the output holds it (:func:`embeds_manifest`) or is a stream (standard
    output, a FIFO, a device: nothing is written beside those)."""
    if embeds_manifest(output, file_format) or is_stream_output(output):
        return None
    return manifest_path(output)


def html_manifest(manifest: Manifest) -> str:
    """The manifest as a block of an HTML page (JSON, ``<`` escaped)."""
    text = manifest.model_dump_json(indent=2).replace("<", "\\u003c")
    return f'<script type="application/json" id="{_HTML_ID}">{text}</script>'


def read_manifest(path: str | Path) -> Manifest:
    """The manifest of an output, or a manifest file (``*.manifest.json``): from a Parquet
    file's metadata, an .xlsx workbook's ``manifest`` sheet, an HTML report, or the file
    beside a CSV or JSON Lines output. An :class:`~secpa_model.InputError` of one line
    naming the file when there is none or it is not a manifest."""
    file = Path(path)
    suffix = file.suffix.lower()
    source = file
    fmt = SUFFIXES.get(suffix)
    try:
        if file.name.endswith(SIDECAR_SUFFIX) or suffix == ".json":
            text = file.read_text(encoding="utf-8")
        elif fmt is not None and fmt.read_manifest is not None:
            text = fmt.read_manifest(file)
        elif suffix in _HTML:
            found = _HTML_BLOCK.search(file.read_text(encoding="utf-8"))
            if found is None:
                raise InputError(f"{file}: the page holds no manifest")
            text = found.group(1)
        else:
            source = manifest_path(file)
            if not source.is_file():
                missing = "no such file" if not file.exists() else "no manifest beside it"
                raise InputError(f"{file}: {missing} ({source.name})")
            text = source.read_text(encoding="utf-8")
    except InputError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read the manifest: {_one_line(exc)}") from None
    except Exception as exc:  # a file that is not what its suffix says (pyarrow, openpyxl)
        raise InputError(f"{file}: no readable manifest: {_one_line(exc)}") from None
    try:
        return Manifest.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(the manifest)"
        raise InputError(
            f"{source}: not a secpa-model manifest: {where}: {first['msg']}"
            + (f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else "")
        ) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
