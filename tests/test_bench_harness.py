"""Tests of the benchmark harness (bench/): behaviour, never timings.

Fast by design: tiny throw-away programs, quick sizes, one round, and fake
compilers (identity, wrong, raising) wherever the real one is not the point.
"""
import functools
import json
import math
import struct

import pytest

from bench import cli, harness, report

TINY = '''
"""A tiny program for the harness tests."""
GROUP = "numeric"
SIZES = {"quick": 2000, "full": 4000}
FUNCTIONS = ["helper", "run"]


def helper(i):
    return i * 3 % 7


def run(n):
    s = 0
    for i in range(n):
        s += helper(i)
    return s, s / 7.0
'''

TINY_CLASS = '''
"""A tiny program with methods to compile."""
GROUP = "object"
SIZES = {"quick": 300, "full": 600}
FUNCTIONS = ["run", "Acc.add", "Acc.total", "Acc.make"]
NUMBA = False


class Acc:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)
        return self

    def total(self):
        return sum(self.items)

    @staticmethod
    def make():
        return Acc()


def run(n):
    a = Acc.make()
    for i in range(n):
        a.add(i % 5)
    return a.total()
'''


def make_program(tmp_path, source=TINY, name="tiny"):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return harness.load_program_from_path(path, name)


def identity(f):
    return f


def wrong_compiler(f):
    """Compiles ``run`` into something that returns a different result."""
    if f.__name__ != "run":
        return f
    return lambda n: ("not", "the", "result")


def raising_compiler(f):
    if f.__name__ != "run":
        return f

    def boom(n):
        raise RuntimeError("compiled code crashed")
    return boom


def suite(programs, compile_fn=identity, **kw):
    kw.setdefault("repeats", 1)
    kw.setdefault("warmup", 0)
    kw.setdefault("size", "quick")
    kw.setdefault("numba", False)
    return harness.run_suite(programs, compile_fn, **kw)


def cli_args(tmp_path, *extra):
    return ["--repeats", "1", "--warmup", "0", "--no-numba",
            "--json", str(tmp_path / "out.json"), "--png", str(tmp_path / "out.png"), *extra]


# ---------------------------------------------------------------- programs

def test_suite_has_enough_programs_in_both_groups():
    progs = harness.discover()
    assert len(progs) >= 16
    groups = {p.group for p in progs}
    assert groups == {"numeric", "object"}
    assert sum(p.group == "numeric" for p in progs) >= 8
    assert sum(p.group == "object" for p in progs) >= 6


@pytest.mark.parametrize("name", harness.program_names())
def test_program_defines_required_attributes(name):
    prog = harness.load_program(name)   # checks the contract, raises ProgramError
    ns = prog.namespace()
    assert callable(ns["run"])
    assert prog.group in harness.GROUPS
    assert set(prog.sizes) >= {"quick", "full"}
    assert 0 < prog.sizes["quick"] <= prog.sizes["full"]
    assert "run" in prog.functions
    for dotted in prog.functions:
        fn, _ = harness._get_function(ns, dotted)
        assert callable(fn), dotted
    assert isinstance(prog.numba, bool)
    assert prog.description, "the module needs a docstring saying what it measures"


@pytest.mark.parametrize("name", harness.program_names())
def test_program_is_deterministic(name):
    prog = harness.load_program(name)
    n = prog.sizes["quick"]
    first = prog.namespace()["run"](n)
    second = prog.namespace()["run"](n)  # a fresh namespace: no state carried over
    assert first is not None
    assert harness.same_result(first, second), (first, second)


def test_bad_program_is_rejected(tmp_path):
    with pytest.raises(harness.ProgramError, match="GROUP"):
        make_program(tmp_path, TINY.replace('GROUP = "numeric"', 'GROUP = "misc"'))
    with pytest.raises(harness.ProgramError, match="not defined"):
        make_program(tmp_path, TINY.replace('["helper", "run"]', '["nope", "run"]'))
    with pytest.raises(harness.ProgramError, match='"run"'):
        make_program(tmp_path, TINY.replace('["helper", "run"]', '["helper"]'))


# ---------------------------------------------------------------- results

def test_same_result_compares_type_and_float_repr():
    same = harness.same_result
    assert same((1, 2.5, "x", [1, {"a": 2}]), (1, 2.5, "x", [1, {"a": 2}]))
    assert not same(1, 1.0)
    assert not same(True, 1)
    assert not same(0.0, -0.0)
    assert same(math.nan, float("nan"))
    assert not same((1, 2), [1, 2])
    assert not same(0.1 + 0.2, 0.3)
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})  # insertion order is semantics
    assert same({1, 2, 3}, {3, 2, 1})
    assert not same((1, (2.0,)), (1, (2,)))


def test_correct_compiler_is_ok(tmp_path):
    rep = suite([make_program(tmp_path)], repeats=3)
    (rec,) = rep["programs"]
    assert rec["status"] == "ok"
    assert rec["compiled"]["result_ok"] is True
    assert len(rec["interpreter"]["times_s"]) == 3 == len(rec["compiled"]["times_s"])
    assert rec["speedup"] > 0
    assert rep["summary"]["ok"] is True
    assert set(rec["compiled"]["compile_per_function_s"]) == {"helper", "run"}


def test_wrong_result_is_reported(tmp_path):
    rep = suite([make_program(tmp_path)], wrong_compiler)
    (rec,) = rep["programs"]
    assert rec["status"] == "WRONG"
    assert rec["compiled"]["result_ok"] is False
    assert "not" in rec["compiled"]["mismatch"]
    assert rep["summary"]["ok"] is False
    assert rep["summary"]["wrong"] == ["tiny"]
    table = report.format_table(rep)
    assert "WRONG" in table
    assert rep["summary"]["groups"]["numeric"]["speedup_count"] == 0  # not in the geomean


def test_result_wrong_only_after_first_call_is_caught(tmp_path):
    def flaky(f):
        if f.__name__ != "run":
            return f
        calls = []

        def g(n):
            calls.append(n)
            r = f(n)
            return r if len(calls) == 1 else (r[0] + 1, r[1])
        return g
    rep = suite([make_program(tmp_path)], flaky, repeats=2)
    assert rep["programs"][0]["status"] == "WRONG"


def test_exception_in_compiled_code_is_reported(tmp_path):
    rep = suite([make_program(tmp_path)], raising_compiler)
    (rec,) = rep["programs"]
    assert rec["status"] == "ERROR"
    assert rec["compiled"]["error_type"] == "RuntimeError"
    assert rec["compiled"]["error_phase"] == "first call"
    assert rec["speedup"] is None
    assert rep["summary"]["errors"] == ["tiny"]
    assert "ERROR" in report.format_table(rep)


def test_compile_error_is_reported(tmp_path):
    def cannot(f):
        raise ValueError("no")
    rep = suite([make_program(tmp_path)], cannot)
    rec = rep["programs"][0]
    assert rec["status"] == "ERROR"
    assert rec["compiled"]["error_phase"] == "compile"
    assert "ValueError" in rec["compiled"]["error"]


def test_cli_exits_nonzero_on_wrong_result(tmp_path, capsys):
    code = cli.main(cli_args(tmp_path, "-k", "fib"), compile_fn=wrong_compiler)
    out = capsys.readouterr()
    assert code == 1
    assert "WRONG" in out.out
    assert "WRONG" in out.err


def test_cli_exits_zero_when_results_match(tmp_path, capsys):
    code = cli.main(cli_args(tmp_path, "-k", "fib", "--compiler", "identity"))
    assert code == 0
    assert (tmp_path / "out.json").exists()


def test_unknown_compiler_is_a_usage_error(tmp_path, capsys):
    code = cli.main(cli_args(tmp_path, "-k", "fib", "--compiler", "no_such_module_xyz:f"))
    assert code == 2
    assert "cannot load the compiler" in capsys.readouterr().err


# ---------------------------------------------------------------- measuring

def test_calls_are_interleaved(tmp_path, monkeypatch):
    order = []
    real_call = harness._Runner.call

    def logging_call(self, phase):
        order.append((self.rec["kind"], phase))
        return real_call(self, phase)
    monkeypatch.setattr(harness._Runner, "call", logging_call)
    suite([make_program(tmp_path)], repeats=3, warmup=1)
    kinds = [k for k, _ in order]
    assert kinds == ["interpreter", "compiled"] * 5
    assert [p for _, p in order] == ["first call"] * 2 + ["warmup"] * 2 + ["round"] * 6


def test_time_budget_limits_rounds(tmp_path):
    slow = TINY.replace("    return s, s / 7.0", "    import time\n    time.sleep(0.02)\n"
                        "    return s, s / 7.0")
    rep = suite([make_program(tmp_path, slow)], repeats=50, warmup=5, time_budget=0.01)
    rec = rep["programs"][0]
    assert rec["repeats"] == 1 and rec["warmup"] == 0
    assert len(rec["compiled"]["times_s"]) == 1


def test_compiled_functions_call_each_other_in_the_copy(tmp_path):
    seen = []

    def tracing(f):
        @functools.wraps(f)
        def g(*a):
            seen.append(f.__name__)
            return f(*a)
        return g
    prog = make_program(tmp_path)
    rep = suite([prog], tracing)
    assert rep["programs"][0]["status"] == "ok"
    # run calls helper through the namespace: the compiled helper is used.
    assert seen.count("helper") == seen.count("run") * prog.sizes["quick"]
    # ... and the interpreter's copy was not touched: a fresh namespace is pristine.
    assert prog.namespace()["helper"].__name__ == "helper"


def test_methods_are_compiled_and_bind(tmp_path):
    compiled = []

    def builtin_like(f):
        compiled.append(f.__qualname__)
        return functools.partial(f)  # like a builtin: no __get__, must still bind self
    rep = suite([make_program(tmp_path, TINY_CLASS, "tinyclass")], builtin_like)
    rec = rep["programs"][0]
    assert rec["status"] == "ok", rec["compiled"]["error"]
    # (besides the start-up probe compiled once before the programs)
    assert sorted(compiled) == ["Acc.add", "Acc.make", "Acc.total", "_start_up_probe", "run"]


def test_start_up_is_measured_apart_from_the_programs(tmp_path):
    order = []

    def tracing(f):
        order.append(f.__qualname__)
        return f
    rep = suite([make_program(tmp_path)], tracing)
    assert order[0] == "_start_up_probe" and order.count("_start_up_probe") == 1
    assert rep["startup_s"]["compiled"] >= 0
    assert "start-up, once per process" in report.format_table(rep)


def test_fallback_detection_from_explain_text():
    f = lambda: 0  # noqa: E731
    g = lambda: 0  # noqa: E731
    fb = harness.fell_back
    assert fb(f, f, None) is True
    assert fb(f, g, None) is None
    assert fb(f, g, "f: fell back to the interpreter: generators run in the interpreter")
    assert fb(f, g, "f: compiled to native code (3 blocks, 20 IR ops, 4.1 ms); no fallback") is False
    assert fb(f, g, "f: not compiled (a plain Python function)") is True


def test_fallbacks_are_reported(tmp_path):
    rep = suite([make_program(tmp_path)], harness.identity_compiler())
    rec = rep["programs"][0]
    assert rec["compiled"]["fell_back"] is True
    assert sorted(rec["compiled"]["fallback_functions"]) == ["helper", "run"]
    assert rep["summary"]["fallbacks"] == ["tiny"]
    assert "fell back" in report.format_table(rep)


def test_real_compiler_explain_is_understood(tmp_path):
    try:
        compiler = harness.jit_compiler()
    except ImportError as exc:
        pytest.skip(f"jit not importable: {exc}")
    rep = suite([make_program(tmp_path)], compiler)
    rec = rep["programs"][0]
    assert rec["status"] == "ok", (rec["compiled"]["error"], rec["compiled"]["mismatch"])
    assert set(rec["compiled"]["explain"]) == {"helper", "run"}
    assert rec["compiled"]["fell_back"] in (True, False)  # the wording was recognised


# ---------------------------------------------------------------- numba column

class TypingError(Exception):
    pass


def test_numba_column_with_fake_numba(tmp_path):
    def fake_njit(f):
        if f.__name__ != "run":
            return f

        def g(n):
            raise TypingError("cannot type this")
        return g
    nb = harness.Compiler("numba", compile=fake_njit, version="0.0", dotted=False)
    progs = [make_program(tmp_path), make_program(tmp_path, TINY_CLASS, "tinyclass")]
    rep = suite(progs, numba=nb)
    tiny, tinyclass = rep["programs"]
    assert tiny["numba"]["error_type"] == "TypingError"
    assert tiny["numba_speedup"] is None
    assert tiny["status"] == "ok"           # numba failing is not our failure
    assert tinyclass["numba"]["skipped"]
    table = report.format_table(rep)
    assert "numba ms" in table and "TypingError" in table
    assert rep["summary"]["ok"] is True

    ok = harness.Compiler("numba", compile=identity, version="0.0", dotted=False)
    rep = suite([make_program(tmp_path)], numba=ok, repeats=2)
    rec = rep["programs"][0]
    assert rec["numba"]["result_ok"] is True and rec["numba_speedup"] > 0
    assert len(rec["numba"]["times_s"]) == 2


def test_numba_off():
    nb, note = harness.resolve_numba(False)
    assert nb is None and note == "disabled"


# ---------------------------------------------------------------- JSON and chart

def _check_variant(v):
    for key in ("kind", "skipped", "error", "compile_s", "first_call_s", "times_s",
                "median_s", "min_s", "first_call_overhead_s", "result_ok", "result",
                "fell_back", "fallback_functions", "explain", "compile_per_function_s"):
        assert key in v, key
    assert isinstance(v["times_s"], list) and all(isinstance(t, float) for t in v["times_s"])
    assert isinstance(v["median_s"], float) and isinstance(v["first_call_s"], float)
    assert isinstance(v["result"], str)


def test_json_schema(tmp_path, capsys):
    code = cli.main(cli_args(tmp_path, "-k", "fib", "-k", "closures", "--compiler", "identity"))
    assert code == 0
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["schema_version"] == harness.SCHEMA_VERSION
    assert isinstance(data["created"], str)
    assert data["settings"]["mode"] == "quick" and data["settings"]["repeats"] == 1
    assert data["settings"]["interleaved"] is True
    for key in ("python", "llvmlite", "llvm", "jit", "numba", "platform", "machine", "cpu_count"):
        assert key in data["machine"], key
    assert isinstance(data["machine"]["python"], str)
    assert isinstance(data["elapsed_s"], float)
    names = [p["name"] for p in data["programs"]]
    assert names == ["fib", "closures"]  # numeric first, then object
    for p in data["programs"]:
        assert isinstance(p["n"], int) and isinstance(p["functions"], list)
        assert p["group"] in ("numeric", "object")
        assert p["status"] == "ok"
        assert isinstance(p["speedup"], float)
        _check_variant(p["interpreter"])
        _check_variant(p["compiled"])
        assert isinstance(p["compiled"]["compile_s"], float)
        assert p["numba"] is None
    s = data["summary"]
    assert s["ok"] is True and s["wrong"] == [] and s["errors"] == []
    assert set(s["groups"]) == {"numeric", "object", "all"}
    assert isinstance(s["groups"]["all"]["speedup_geomean"], float)


def test_chart_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    progs = [make_program(tmp_path), make_program(tmp_path, TINY_CLASS, "tinyclass")]
    nb = harness.Compiler("numba", compile=identity, version="0.0", dotted=False)
    rep = suite(progs, numba=nb)
    rep["programs"][1]["status"] = "WRONG"  # drawn as a label, not a bar
    path = report.write_chart(rep, tmp_path / "sub" / "chart.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 400 and height > 300


def test_missing_matplotlib_is_reported_not_fatal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(report, "matplotlib_available", lambda: False)
    code = cli.main(cli_args(tmp_path, "-k", "fib", "--compiler", "identity"))
    assert code == 0
    assert "matplotlib is not installed" in capsys.readouterr().out
    assert not (tmp_path / "out.png").exists()
    assert (tmp_path / "out.json").exists()


# ---------------------------------------------------------------- selection

def test_k_selects_by_substring_and_group():
    assert [p.name for p in harness.discover(["fib"])] == ["fib"]
    names = [p.name for p in harness.discover(["sort", "word"])]
    assert names == ["sort_keys", "word_count"]
    numeric = harness.discover(["numeric"])
    assert numeric and all(p.group == "numeric" for p in numeric)
    assert harness.discover(["no-such-program"]) == []
    assert len(harness.discover()) == len(harness.program_names())


def test_cli_k_selection(tmp_path, capsys):
    code = cli.main(cli_args(tmp_path, "-k", "fib", "--compiler", "identity"))
    assert code == 0
    data = json.loads((tmp_path / "out.json").read_text())
    assert [p["name"] for p in data["programs"]] == ["fib"]


def test_cli_list_and_no_match(capsys):
    assert cli.main(["--list", "-k", "sort"]) == 0
    out = capsys.readouterr().out
    assert "sort_keys" in out and "fib" not in out
    assert cli.main(["-k", "no-such-program"]) == 2
    assert "no program matches" in capsys.readouterr().err
