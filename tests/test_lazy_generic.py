"""A dispatching function's generic code is compiled on its first use: calls whose
arguments specialise never make it. Every result is compared with the interpreter."""
import gc
import sys

import pytest

import jit
from runtime import funcobject


def lazy_of(compiled):
    return funcobject.get_state(compiled).lazy_generic


def add(a, b):
    return a + b


def test_specialised_calls_never_compile_the_generic_code():
    f = jit.compile(add)
    assert lazy_of(f).library is None
    assert "not used yet" in jit.explain(f)
    assert f(2, 3) == 5 and f(2.5, 1) == 3.5
    assert lazy_of(f).library is None          # both rows specialised
    assert f("a", "b") == "ab"                 # nothing to unbox: the generic code
    assert lazy_of(f).library is not None
    assert "compiled on first use (" in jit.explain(f)
    assert f([1], [2]) == [1, 2]


@pytest.mark.parametrize("args, kwargs", [
    (("x", "y"), {}),
    (("x",), {"b": "y"}),
    ((), {"a": [1], "b": [2]}),
])
def test_first_generic_call_through_each_entry_path(args, kwargs):
    # positional (the dispatch table), keywords (the binder's path)
    f = jit.compile(add)
    assert f(*args, **kwargs) == add(*args, **kwargs)
    assert lazy_of(f).library is not None


def test_errors_on_the_first_generic_call_are_the_interpreters():
    f = jit.compile(add)
    for a, b in ((1, "x"), ("x", 1)):
        with pytest.raises(TypeError) as got:
            f(a, b)
        with pytest.raises(TypeError) as want:
            add(a, b)
        assert str(got.value) == str(want.value)
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        f("x")


def test_while_being_compiled_calls_run_in_the_interpreter():
    # a call made while the body is compiled (a finaliser run by the compiler's own
    # allocations) cannot wait for it: it runs the original function
    f = jit.compile(add)
    lazy = lazy_of(f)
    lazy._busy = True
    try:
        assert f("a", "b") == "ab"             # nothing to unbox: the generic code
        assert lazy.library is None
    finally:
        lazy._busy = False
    assert f([1], [2]) == [1, 2]
    assert lazy.library is not None


def test_a_body_that_cannot_be_compiled_runs_in_the_interpreter(monkeypatch):
    monkeypatch.delenv("JIT_STRICT", raising=False)
    f = jit.compile(add)
    lazy = lazy_of(f)
    lowering, fn, text, entry = lazy._pending
    lazy._pending = (lowering, fn, text.replace("define ptr @code.impl", "define ptr @code.impl(", 1),
                     entry)
    with pytest.raises(TypeError) as got:
        f("a", 1)
    with pytest.raises(TypeError) as want:
        add("a", 1)
    assert str(got.value) == str(want.value)       # the interpreter's error
    assert f(("a",), ("b",)) == ("a", "b")
    assert f(a="x", b="y") == "xy"
    assert lazy.library is None and lazy.failed
    assert "could not be compiled" in jit.explain(f)


def test_no_leak_through_the_lazy_entry():
    f = jit.compile(add)
    f("a", "b")                               # compiled
    s, t = "x" * 50, "y" * 50
    for _ in range(100):
        f(s, t)
    gc.collect()
    before = sys.getrefcount(s), sys.getrefcount(t)
    for _ in range(1000):
        f(s, t)
        f(a=s, b=t)
    assert (sys.getrefcount(s), sys.getrefcount(t)) == before


def test_compiled_function_outlives_its_entry_references():
    f = jit.compile(add)
    assert f(1, 2) == 3
    native = funcobject.get_state(f)
    del native
    gc.collect()
    assert f("p", "q") == "pq"

