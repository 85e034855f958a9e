"""Hostile files (issue 10, "no raw traceback, no hang"): parameter files, scenario files and
the JSON structure of ``allocate --file`` that are not UTF-8, random bytes, empty, a
directory, missing, nested too deeply, with integers of thousands of digits, too large, or
with a key of thousands of dots. Each is refused with the library's error naming the file
(the key or line where there is one) and, on the command line, with one line on stderr
``secpa-model: error: ...``, exit code 2, never a traceback. The refusals come from checks
made before any parsing, as their messages say; no wall-clock bound is asserted here (a
loaded machine would break it): speed is measured in bench/."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import secpa_model
from secpa_model import InputError, ParameterError
from secpa_model.analysis.scenario_files import read_scenario_file
from secpa_model.datasets import illustrative_portfolio
from secpa_model.model.parameters.loader import (
    MAX_FILE_BYTES,
    MAX_KEY_DOTS,
    MAX_NESTING,
    shown,
    toml_loads,
)
from secpa_model.presentation.cli import BROKEN_PIPE, main
from secpa_model.presentation.cli.one_structure import read_json_object
from tests.helpers import reference_text
from tests.profiles import examples

Capture = pytest.CaptureFixture[str]
FEW = settings(max_examples=examples(12), deadline=None, suppress_health_check=list(HealthCheck))
PREFIX = "secpa-model: error:"
LONGEST_MESSAGE = 2_000
"""No message quotes a huge value whole: every error line is at most this long."""
SCENARIO = 'name = "x"\n[overrides]\n'

# ------------------------------------------------------------------ the four readers


def structures(folder: Path) -> Path:
    """A structures file for ``batch`` and ``compare``."""
    path = folder / "in.csv"
    if not path.exists():
        illustrative_portfolio().to_csv(path, index=False)
    return path


Command = Callable[[Path, Path], list[str]]
"""The command line reading the hostile file (first argument) from a folder (second)."""

COMMANDS: dict[str, tuple[str, Command]] = {
    "params --file": (".toml", lambda f, d: ["params", "--file", str(f)]),
    "batch --parameters": (
        ".toml",
        lambda f, d: [
            "batch",
            str(structures(d)),
            "-o",
            str(d / "out.csv"),
            "--parameters",
            str(f),
            "--year",
            "2022",
        ],
    ),
    "compare --scenario (TOML)": (
        ".toml",
        lambda f, d: ["compare", str(structures(d)), "--scenario", str(f), "--year", "2022"],
    ),
    "compare --scenario (JSON)": (
        ".json",
        lambda f, d: ["compare", str(structures(d)), "--scenario", str(f), "--year", "2022"],
    ),
    "allocate --file": (".json", lambda f, d: ["allocate", "--file", str(f), "--year", "2022"]),
}


def nested_toml(depth: int) -> bytes:
    return (SCENARIO + "x = " + "{a = " * depth + "1" + "}" * depth + "\n").encode()


def nested_json(depth: int) -> bytes:
    return ('{"name": "x", "overrides": ' + "[" * depth + "]" * depth + "}").encode()


def long_integer_toml(digits: int) -> bytes:
    return (SCENARIO + '"interpreting.hourly_rate_phone" = 1' + "0" * (digits - 1)).encode()


def long_integer_json(digits: int) -> bytes:
    return ('{"name": "x", "file_active_mg": 1' + "0" * (digits - 1) + "}").encode()


def dotted_key(dots: int) -> bytes:
    return (SCENARIO + ".".join(["a"] * (dots + 1)) + " = 1\n").encode()


# case -> (TOML content, JSON content, words of the message); None: a directory or no file
CASES: dict[str, tuple[bytes | None, bytes | None, str]] = {
    "Latin-1": (b'name = "\xe9t\xe9"\n', b'{"name": "\xe9t\xe9"}', "not UTF-8"),
    "random bytes": (b"\xff\xfe\x00\x81garbage\x9c", b"\xff\xfe\x00\x81garbage\x9c", "UTF-8"),
    "empty": (b"", b"", "empty"),
    "blank": (b"  \n\n", b" \n\t\n", "empty"),
    "deeply nested": (nested_toml(5_000), ("[" * 100_000).encode(), "nested too deeply"),
    "nested past the limit": (nested_toml(80), nested_json(80), "nested too deeply"),
    "5 000 digits": (long_integer_toml(5_000), long_integer_json(5_000), "5000 digits"),
    "6 000 digits (TOML: hexadecimal)": (
        (SCENARIO + "x = 0x" + "f" * 5_000).encode(),
        b"[" + b"0," * 10 + b"1" + b"0" * 6_000 + b"]",
        "digits",
    ),
    "larger than 1 MiB": (
        b"# " + b"x" * MAX_FILE_BYTES,
        b" " * MAX_FILE_BYTES + b"{}",
        "larger than 1 MiB",
    ),
    "a key of 20 000 dots": (dotted_key(20_000), dotted_key(20_000), "dots"),
    "directory": (None, None, "cannot read"),
    "missing": (None, None, "cannot read"),
}
TOML_ONLY = {"a key of 20 000 dots"}  # in a .json file: a JSON syntax error, still one line


def hostile_file(folder: Path, case: str, suffix: str) -> Path:
    """The file of ``case`` written in ``folder`` (a directory, or nothing, for two)."""
    path = folder / f"hostile-{case.replace(' ', '_')}{suffix}"
    toml, json_text, _ = CASES[case]
    content = toml if suffix == ".toml" else json_text
    if case == "directory":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return path


def assert_one_line_error(code: int, err: str, path: Path | str) -> str:
    """Exit code 2 and one line on stderr, the error naming ``path``; returns that line."""
    assert "Traceback" not in err, err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{PREFIX} "), err
    assert str(path) in lines[0], err
    assert len(lines[0]) <= LONGEST_MESSAGE, len(lines[0])
    return lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_hostile_file_is_one_error_line_naming_it(
    command: str, case: str, tmp_path: Path, capsys: Capture
) -> None:
    suffix, arguments = COMMANDS[command]
    path = hostile_file(tmp_path, case, suffix)
    code = main(arguments(path, tmp_path))
    line = assert_one_line_error(code, capsys.readouterr().err, path)
    if not (suffix == ".json" and case in TOML_ONLY):
        assert CASES[case][2] in line, line


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_parameter_file_is_a_parameter_error(case: str, tmp_path: Path) -> None:
    path = hostile_file(tmp_path, case, ".toml")
    with pytest.raises(ParameterError) as caught:
        secpa_model.load_parameters(path)
    assert str(caught.value).startswith(f"{path}: "), caught.value
    assert CASES[case][2] in str(caught.value)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_scenario_file_is_a_parameter_error(
    case: str, suffix: str, tmp_path: Path
) -> None:
    path = hostile_file(tmp_path, case, suffix)
    # documented: a file that cannot be read at all (missing, a directory) is an InputError
    expected = InputError if case in ("directory", "missing") else ParameterError
    with pytest.raises(expected) as caught:
        read_scenario_file(path)
    assert str(caught.value).startswith(f"{path}: "), caught.value


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_structure_json_is_an_input_error(case: str, tmp_path: Path) -> None:
    path = hostile_file(tmp_path, case, ".json")
    with pytest.raises(InputError) as caught:
        read_json_object(str(path))
    assert str(caught.value).startswith(f"{path}: "), caught.value


@pytest.mark.parametrize(
    ("content", "words"),
    [(b'{"name": "\xe9t\xe9"}', "not UTF-8"), (b"", "empty"), (b"[" * 100_000, "nested")],
)
def test_hostile_json_on_standard_input(
    content: bytes, words: str, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
    code = main(["allocate", "--file", "-", "--year", "2022"])
    line = assert_one_line_error(code, capsys.readouterr().err, "-: ")
    assert words in line


# ------------------------------------------------------------ random files (hypothesis)


@FEW
@given(st.binary(max_size=200))
def test_random_bytes_as_a_parameter_file(content: bytes) -> None:
    """Random bytes: refused naming the file; one line, or (bytes that happen to be TOML)
    the documented list of problems, one ``  - key: reason`` line each."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.toml"
        path.write_bytes(content)
        with pytest.raises(ParameterError, match="^" + re.escape(str(path))):
            secpa_model.load_parameters(path)
        out, err = io.StringIO(), io.StringIO()
        code = _main_captured(["params", "--file", str(path)], out, err)
        first, *rest = err.getvalue().splitlines()
        assert code == 2 and "Traceback" not in err.getvalue()
        assert first.startswith(f"{PREFIX} {path}: ")
        assert all(line.startswith("  - ") for line in rest), err.getvalue()


@FEW
@given(st.binary(max_size=200), st.sampled_from([".toml", ".json"]))
def test_random_bytes_as_a_scenario_or_structure_file(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"random{suffix}"
        path.write_bytes(content)
        try:
            read_scenario_file(path)
        except ParameterError as exc:
            assert str(exc).startswith(f"{path}: ")
        if suffix == ".json":
            try:
                read_json_object(str(path))
            except InputError as exc:
                assert str(exc).startswith(f"{path}: ")


def _main_captured(argv: list[str], out: io.StringIO, err: io.StringIO) -> int:
    """``main(argv)`` with stdout and stderr written to ``out`` and ``err``."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        return main(argv)
    finally:
        sys.stdout, sys.stderr = saved


@FEW
@given(st.integers(MAX_NESTING + 1, 30_000), st.sampled_from(["toml", "json", "structure"]))
def test_any_nesting_past_the_limit_is_refused(depth: int, kind: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        if kind == "structure":
            path = Path(folder) / "deep.json"
            path.write_bytes(b'{"structure_id": ' + b"[" * depth + b"]" * depth + b"}")
            with pytest.raises(InputError, match="nested too deeply"):
                read_json_object(str(path))
            argv = ["allocate", "--file", str(path), "--year", "2022"]
        else:
            path = Path(folder) / f"deep.{kind}"
            path.write_bytes(nested_toml(depth) if kind == "toml" else nested_json(depth))
            with pytest.raises(ParameterError, match="nested too deeply"):
                read_scenario_file(path)
            source = str(structures(Path(folder)))
            argv = ["compare", source, "--scenario", str(path), "--year", "2022"]
        err = io.StringIO()
        code = _main_captured(argv, io.StringIO(), err)
        assert "nested too deeply" in assert_one_line_error(code, err.getvalue(), path)


@FEW
@given(st.integers(1, MAX_NESTING - 2))
def test_nesting_within_the_limit_is_read(depth: int) -> None:
    data = toml_loads("x = " + "[" * depth + "]" * depth, "f.toml", ParameterError)
    assert isinstance(data["x"], list)


@FEW
@given(st.integers(4_301, 50_000), st.sampled_from(["toml", "json"]))
def test_integers_of_thousands_of_digits_are_refused_naming_the_key(digits: int, kind: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"long.{kind}"
        if kind == "toml":
            path.write_bytes(long_integer_toml(digits))
            with pytest.raises(ParameterError) as scenario_error:
                read_scenario_file(path)
            message, key = str(scenario_error.value), '"interpreting.hourly_rate_phone"'
        else:
            path.write_bytes(long_integer_json(digits))
            with pytest.raises(InputError) as structure_error:
                read_json_object(str(path))
            message, key = str(structure_error.value), '"file_active_mg"'

        assert message.startswith(f"{path}: line ") and key in message, message
        assert f"{digits} digits" in message and len(message) < 300


@FEW
@given(st.integers(1, 4_300))
def test_integers_up_to_the_limit_are_read(digits: int) -> None:
    data = toml_loads("x = 1" + "0" * (digits - 1), "f.toml", ParameterError)
    assert len(str(data["x"])) == digits


@FEW
@given(st.integers(MAX_KEY_DOTS + 1, 30_000), st.sampled_from(["key", "header", "inline"]))
def test_a_key_with_too_many_dots_is_refused_before_parsing_naming_its_line(
    dots: int, where: str
) -> None:
    key = ".".join(["a"] * (dots + 1))
    line = {"key": f"{key} = 1", "header": f"[{key}]", "inline": f"x = {{ {key} = 1 }}"}[where]
    with pytest.raises(ParameterError, match=r"^f\.toml: line 3: a key with more than 64 dots"):
        toml_loads(f"# a comment\n\n{line}\n", "f.toml", ParameterError)


@pytest.mark.parametrize(
    "text",
    [
        'x = "' + ".".join(["a"] * 200) + '"',
        "x = '" + ".".join(["a"] * 200) + "'",
        "x = 1 # " + ".".join(["a"] * 200),
        'x = """\n' + ".".join(["a"] * 200) + '\n"""',
        "x = [" + ", ".join(["1.5"] * 200) + "]",
        ".".join(["a"] * MAX_NESTING) + " = 1",
    ],
    ids=["string", "literal string", "comment", "multi-line string", "floats", "64 levels"],
)
def test_dots_in_strings_comments_and_numbers_are_not_key_dots(text: str) -> None:
    toml_loads(text, "f.toml", ParameterError)


def test_a_key_of_64_dots_is_parsed_then_refused_as_65_levels() -> None:
    key = ".".join(["a"] * (MAX_KEY_DOTS + 1))
    with pytest.raises(ParameterError, match=r"^f\.toml: a\.a\..*: nested too deeply"):
        toml_loads(f"{key} = 1", "f.toml", ParameterError)


def test_the_pathological_dotted_key_is_refused_fast_in_a_fresh_process(tmp_path: Path) -> None:
    """The standard library took 5 s and 1.7 GB on this 40 KB file; now refused by the key
    check before any parsing (the message says which check; no wall-clock bound, which a
    loaded machine would break: the subprocess timeout only guards against a hang)."""
    path = tmp_path / "dots.toml"
    path.write_bytes(b".".join([b"a"] * 20_000) + b" = 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "secpa_model", "params", "--file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line_error(done.returncode, done.stderr, path)
    assert "more than 64 dots" in done.stderr


# ----------------------------------------------------------- short messages, many problems


def test_a_huge_value_is_quoted_shortened(tmp_path: Path, capsys: Capture) -> None:
    path = tmp_path / "long-unit.toml"
    huge = "x" * 900_000
    path.write_text(reference_text().replace('unit = "EUR/hour"', f'unit = "{huge}"', 1), "utf-8")
    assert main(["params", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{PREFIX} {path}: 1 problem") and "Traceback" not in err
    assert len(err) < LONGEST_MESSAGE and "hourly_rate_in_person.unit" in err


def test_a_huge_scenario_value_is_quoted_shortened(tmp_path: Path) -> None:
    for text in [
        'name = "' + "x" * 900_000 + '"\n[overrides]\n"interpreting.hourly_rate_phone" = "?"\n',
        'name = "n"\ndescription = [' + "1," * 400_000 + "]\n[overrides]\n",
        'name = "n"\n[overrides]\n"interpreting.hourly_rate_phone" = "' + "y" * 900_000 + '"\n',
    ]:
        path = tmp_path / "huge.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ParameterError) as caught:
            read_scenario_file(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: ") and len(message) < LONGEST_MESSAGE, message[:500]


def test_thousands_of_problems_are_listed_fifty_at_most(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text("".join(f"g{index} = 1\n" for index in range(60_000)), encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        secpa_model.load_parameters(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 60011 problems in the parameter file:"
    assert len(lines) == 52 and lines[-1] == "  - ... and 59961 more problems (fix these first)"


def test_shown_is_short_and_safe_for_any_value() -> None:
    assert shown("soon") == "'soon'"
    assert len(shown("x" * 10**6)) <= 300
    assert "digits" in shown(16**10**5) and "digits" in shown([1, {"a": -(16**10**5)}])
    deep: list[Any] = []
    for _ in range(10_000):
        deep = [deep]
    assert len(shown(deep)) <= 300


# ------------------------------------------------------------------ years and periods


CENTRE = [
    "allocate",
    *("--structure-id", "c", "--kind", "centre_de_sante", "--location", "in_qpv"),
    *("--file-active-mg", "3200", "--poverty-rate", "0.31"),
]


@pytest.mark.parametrize(
    "when",
    [
        "--year=0",
        "--year=99999",
        "--year=-5",
        "--period=2022-02-30..2022-03-01",
        "--period=2022-13-01..2022-12-31",
        "--period=2022-05-01..2022-04-01",
        "--period=2022-01-01..",
        "--period=..",
    ],
)
@pytest.mark.parametrize("command", ["allocate", "batch", "compare"])
def test_a_year_or_period_out_of_range_is_one_error_line(
    command: str, when: str, tmp_path: Path, capsys: Capture
) -> None:
    source = str(structures(tmp_path))
    argv = {
        "allocate": CENTRE,
        "batch": ["batch", source, "-o", str(tmp_path / "out.csv")],
        "compare": ["compare", source],
    }[command]
    assert_one_line_error(main([*argv, when]), capsys.readouterr().err, when.split("=")[0])


def test_a_year_too_large_for_a_date_is_one_error_line(capsys: Capture) -> None:
    assert_one_line_error(
        main([*CENTRE, "--year", "1" + "0" * 30]), capsys.readouterr().err, "--year"
    )


def test_demo_with_a_year_out_of_range_is_one_error_line(capsys: Capture) -> None:
    assert_one_line_error(main(["demo", "--year", "0"]), capsys.readouterr().err, "--year")


# ---------------------------------------------------------------- a closed pipe, last resort


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """``secpa-model demo | head -1``: the reader closes the pipe; no traceback."""
    command = [sys.executable, "-m", "secpa_model", "demo"]
    closed_at_once = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert closed_at_once.stdout is not None and closed_at_once.stderr is not None
    closed_at_once.stdout.close()  # before the first line is written: writing fails
    err = closed_at_once.stderr.read().decode()
    assert closed_at_once.wait(timeout=60) == BROKEN_PIPE and err == "", err
    after_a_line = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert after_a_line.stdout is not None and after_a_line.stderr is not None
    assert after_a_line.stdout.readline().startswith(b"secpa-model demo:")
    after_a_line.stdout.close()
    err = after_a_line.stderr.read().decode()
    assert after_a_line.wait(timeout=60) in (0, BROKEN_PIPE) and err == "", err


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")


def test_main_returns_141_on_a_broken_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["demo"]) == BROKEN_PIPE
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "failure",
    [
        UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte"),
        RecursionError("maximum recursion depth exceeded"),
        IsADirectoryError(21, "Is a directory", "somewhere.toml"),
        ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
    ],
    ids=["UnicodeDecodeError", "RecursionError", "OSError", "digit limit"],
)
def test_main_reports_an_input_failure_a_reader_let_through(
    failure: Exception, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    def run_params(args: object) -> int:
        raise failure

    monkeypatch.setattr("secpa_model.presentation.cli.one_structure.run_params", run_params)
    assert_one_line_error(main(["params"]), capsys.readouterr().err, type(failure).__name__)


@pytest.mark.parametrize("bug", [KeyError("x"), TypeError("x"), ValueError("a plain bug")])
def test_main_does_not_pass_a_programming_error_off_as_bad_input(
    bug: Exception, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    """A bug is not an input error: exit code 3 (not 2), one line naming it, no traceback;
    with SECPA_MODEL_TRACEBACK set, the exception itself for debugging."""

    def run_params(args: object) -> int:
        raise bug

    monkeypatch.setattr("secpa_model.presentation.cli.one_structure.run_params", run_params)
    monkeypatch.delenv("SECPA_MODEL_TRACEBACK", raising=False)
    assert main(["params"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"secpa-model: error: internal error ({type(bug).__name__}: ")
    assert "bug of secpa-model" in err
    monkeypatch.setenv("SECPA_MODEL_TRACEBACK", "1")
    with pytest.raises(type(bug)):
        main(["params"])
