"""``secpa-model serve``: a real server on 127.0.0.1 called with a real HTTP client (urllib)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

import secpa_model  # noqa: E402
from secpa_model import Problem, add_euro_columns, allocate_frame, explain_json  # noqa: E402
from secpa_model.presentation import serve  # noqa: E402
from secpa_model.presentation.cli import main  # noqa: E402

MAX_ROWS = 20
MAX_BYTES = 20_000
PROBLEM_FIELDS = [field.name for field in dataclasses.fields(Problem)]
CENTRE = {
    "structure_id": "A",
    "kind": "centre_de_sante",
    "location": "in_qpv",
    "file_active_mg": 3200,
    "poverty_rate": 0.31,
}


def call(base: str, path: str, body: Any = None, data: Iterable[bytes] | None = None) -> Any:
    """(status, JSON answer) of a GET, or of a POST of ``body`` as JSON (or of ``data``
    sent chunked)."""
    sent = json.dumps(body).encode() if body is not None else data
    request = urllib.request.Request(base + path, data=sent)  # type: ignore[arg-type]
    if sent is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = serve.create_app(max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    running.should_exit = True
    thread.join(10)
    sock.close()


def test_health_models_schema_and_openapi(server: str) -> None:
    assert call(server, "/health") == (200, {"status": "ok", "version": secpa_model.__version__})
    status, models = call(server, "/models")
    assert status == 200 and [m["name"] for m in models] == list(secpa_model.available_models())
    assert models[0]["lines"] == list(secpa_model.get_model(models[0]["name"]).line_keys)
    status, schema = call(server, "/schema/structure?model=five_pillars")
    assert (status, schema) == (200, secpa_model.json_schema("structure", model="five_pillars"))
    status, spec = call(server, "/openapi.json")
    assert status == 200 and spec["info"]["title"] == "secpa-model"
    for path in ("/allocate", "/explain", "/compare", "/models", "/parameters", "/schema/{name}"):
        assert path in spec["paths"], path


def test_parameters_of_a_date(server: str) -> None:
    status, answer = call(server, "/parameters?day=2022-06-01")
    assert status == 200 and answer["date"] == "2022-06-01"
    assert answer["manifest"]["period"] == "2022-06-01..2022-06-01"
    # the file's name, not the server's path to it
    assert answer["origin"] == Path(secpa_model.reference_parameters().origin).name != ""
    assert "/" not in answer["origin"] and "\\" not in answer["origin"]
    held = secpa_model.reference_parameters().at(date(2022, 6, 1)).values
    assert [p["path"] for p in answer["parameters"]] == list(held)
    by_path = {p["path"]: p for p in answer["parameters"]}
    assert by_path["participatory_activities.cost_per_etp"]["raw"] == str(
        held["participatory_activities.cost_per_etp"].value
    )


def test_allocate_one_structure_by_hand(server: str) -> None:
    status, answer = call(server, "/allocate", {"year": 2022, "structures": CENTRE})
    assert status == 200
    made = secpa_model.Manifest.model_validate(answer["manifest"])
    reference = secpa_model.reference_parameters()
    expected = secpa_model.manifest_for(secpa_model.get_model("experimentation"), reference, 2022)
    assert (made.library, made.model, made.parameters) == (
        secpa_model.__version__,
        expected.model,
        expected.parameters,
    )
    assert made.period == "2022-01-01..2022-12-31" and made.scenarios == ()
    [row] = answer["allocations"]
    held = secpa_model.reference_parameters().at(date(2022, 6, 1)).values
    # 3 200 patients: the schedule's bracket from 3 000 patients gives 4 ETP
    schedule = held["participatory_activities.etp_schedule"].value
    assert [b.value for b in schedule.brackets if b.threshold == 3000] == [4]
    cost = Decimal(str(held["participatory_activities.cost_per_etp"].value))
    assert row["participatory_activities_eur"] == f"{4 * cost:.2f}"
    assert (row["structure_id"], row["eligible"], row["reasons"]) == ("A", True, [])
    assert row["interpreting_eur"] == "0.00" and row["psychological_support_eur"] == "0.00"
    lines = [key for key in row if key.endswith("_eur") and key != "total_eur"]
    assert row["total_eur"] == str(sum(Decimal(row[key]) for key in lines))


def test_explain_gives_the_trace(server: str) -> None:
    status, answer = call(
        server, "/explain", {"period": "2022-03-01..2022-12-31", "structure": CENTRE}
    )
    expected = secpa_model.allocate(CENTRE, "2022-03-01..2022-12-31")
    assert status == 200 and answer["trace"] == json.loads(explain_json(expected))
    assert answer["manifest"]["period"] == "2022-03-01..2022-12-31"


def test_compare_a_scenario_per_structure(server: str) -> None:
    other = {**CENTRE, "structure_id": "B", "file_active_mg": 800}  # below the minimum: 0
    scenario = {"name": "dearer", "overrides": {"participatory_activities.cost_per_etp": 50000}}
    body = {"year": 2022, "structures": [CENTRE, other], "scenario": scenario}
    status, answer = call(server, "/compare", body)
    assert status == 200 and [s["name"] for s in answer["manifest"]["scenarios"]] == ["dearer"]
    a, b = answer["structures"]
    cost = secpa_model.reference_parameters().at(date(2022, 6, 1)).values
    base_cost = Decimal(str(cost["participatory_activities.cost_per_etp"].value))
    # 4 ETP, each 50 000 € instead of the reference cost
    assert a["difference"]["participatory_activities_eur"] == f"{4 * (50000 - base_cost):.2f}"
    assert a["scenario"]["participatory_activities_eur"] == "200000.00"
    assert b["difference"]["total_eur"] == "0.00"
    assert answer["totals"]["difference_eur"] == a["difference"]["total_eur"]


def assert_problems(answer: Any, *expected: tuple[str, str | None]) -> None:
    """Every problem has exactly the fields of Problem; (code, field) as expected."""
    for problem in answer["problems"]:
        assert list(problem) == PROBLEM_FIELDS
    assert [(p["code"], p["field"]) for p in answer["problems"]] == list(expected)


def test_bad_input_is_422_with_problems(server: str) -> None:
    bad = {**CENTRE, "structure_id": "B", "file_active_mg": "many"}
    status, answer = call(server, "/allocate", {"year": 2022, "structures": [CENTRE, bad]})
    assert status == 422
    assert_problems(answer, ("invalid_value", "file_active_mg"))
    assert (answer["problems"][0]["row"], answer["problems"][0]["value"]) == (1, "many")
    status, answer = call(server, "/allocate", {"year": 2022})
    assert status == 422
    assert_problems(answer, ("invalid_input", "structures"))
    for model in ("os:getcwd", "nope.py:MODEL"):  # a client never names code to run
        status, answer = call(server, "/allocate", {"model": model, "structures": CENTRE})
        assert status == 422 and answer["problems"][0]["value"] == model
    status, answer = call(server, "/explain", {"structure": CENTRE})
    assert status == 422
    assert_problems(answer, ("invalid_input", "period"))
    status, answer = call(server, "/schema/nothing")
    assert status == 422
    assert_problems(answer, ("invalid_input", "name"))
    status, answer = call(server, "/allocate", data=[b'{"year": 2022,'])
    assert status == 422 and answer["problems"][0]["message"].startswith("not valid JSON")
    for unreadable in (b"[" * 5000 + b"]" * 5000, b'{"year": ' + b"9" * 5000 + b"}"):
        status, answer = call(server, "/allocate", data=[unreadable])  # nesting, digits
        assert status == 422 and "cannot be read as JSON" in answer["problems"][0]["message"]
    status, answer = call(server, "/allocate", {"year": True, "structures": CENTRE})
    assert status == 422
    assert_problems(answer, ("invalid_input", "year"))
    scenario = {"name": "x", "overrides": {"participatory_activities.cost_per_tp": 1}}
    status, answer = call(server, "/compare", {"structures": CENTRE, "scenario": scenario})
    assert status == 422 and answer["problems"][0]["code"] == "invalid_parameter"


def test_too_big_is_413(server: str) -> None:
    many = [{**CENTRE, "structure_id": str(i)} for i in range(MAX_ROWS + 1)]
    status, answer = call(server, "/allocate", {"year": 2022, "structures": many})
    assert status == 413 and answer["problems"][0]["message"].startswith(f"{MAX_ROWS + 1} ")
    padded = {"year": 2022, "structures": CENTRE, "pad": "x" * MAX_BYTES}
    status, answer = call(server, "/allocate", padded)  # told by its Content-Length
    assert status == 413
    assert_problems(answer, ("invalid_input", None))
    chunks = [json.dumps(padded).encode()[i : i + 1000] for i in range(0, MAX_BYTES + 100, 1000)]
    status, answer = call(server, "/allocate", data=iter(chunks))  # chunked: counted
    assert status == 413 and str(MAX_BYTES) in answer["problems"][0]["message"]


def test_a_failure_is_500_in_one_line_and_logged(
    server: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail\nsecond line")

    monkeypatch.setattr(serve, "allocate_frame", broken)
    with caplog.at_level(logging.ERROR, logger="secpa_model.serve"):
        status, answer = call(server, "/allocate", {"year": 2022, "structures": CENTRE})
    assert status == 500
    assert_problems(answer, ("internal_error", None))
    message = answer["problems"][0]["message"]
    assert "\n" not in message and "secret" not in message and "RuntimeError" in message
    assert any("RuntimeError('secret detail" in r.getMessage() for r in caplog.records)


def test_eight_concurrent_clients_get_the_library_amounts(server: str) -> None:
    def structures(client: int) -> list[dict[str, Any]]:
        # an optional input given by some structures only: the others take its default
        return [
            {
                **CENTRE,
                "structure_id": f"c{client}-{i}",
                "kind": ("centre_de_sante", "msp")[(client + i) % 2],
                "file_active_mg": 900 + 611 * client + 157 * i,
                "poverty_rate": round(0.05 * client + 0.02 * i, 2),
                **({"interpreting_hours_in_person": 40.5 * i} if i else {}),
            }
            for i in range(3)
        ]

    def period(client: int) -> str:
        return "2023" if client % 2 else "2023-04-01..2023-12-31"

    start = threading.Barrier(8)

    def client(number: int) -> list[Any]:
        start.wait()
        body = {"period": period(number), "structures": structures(number)}
        return [call(server, "/allocate", body) for _ in range(3)]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(client, range(8)))
    for number, repeated in enumerate(answers):
        expected = [secpa_model.allocate(s, period(number)) for s in structures(number)]
        for status, answer in repeated:
            assert status == 200
            for row, wanted in zip(answer["allocations"], expected, strict=True):
                assert row["structure_id"] == wanted.structure_id
                amounts = {f"{line.key}_eur": str(line.amount) for line in wanted.lines}
                assert {key: row[key] for key in amounts} == amounts
                assert row["total_eur"] == str(wanted.total)
    # the same amounts as allocate_frame, where every structure gives every input
    full = [{"interpreting_hours_in_person": 0, **s} for s in structures(3)]
    frame = add_euro_columns(allocate_frame(pd.DataFrame(full), period(3)))
    assert [row["total_eur"] for row in answers[3][0][1]["allocations"]] == [
        str(total) for total in frame["total_eur"]
    ]


def test_serve_command_without_the_extra_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'secpa-model[serve]'" in err


def test_serve_command_serves_with_its_limits() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "secpa_model", "serve", "--port", str(port), "--max-rows", "1"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert call(base, "/health")[0] == 200
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        two = [CENTRE, {**CENTRE, "structure_id": "B"}]
        status, answer = call(base, "/allocate", {"year": 2022, "structures": two})
        assert status == 413 and "at most 1" in answer["problems"][0]["message"]
    finally:
        process.terminate()
        process.wait(30)
