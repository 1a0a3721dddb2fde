"""A zero divisor in specialised code raises ZeroDivisionError where it is (no
deopt), with the interpreter's message, traceback line and handler; the division
of a constant other than zero has no such path. Checked against the interpreter,
in loops where the error is caught each time, also in a callee inlined into the
loop's function."""
import gc
import sys
import traceback

import pytest

import jit


def _outcome(f, *args):
    try:
        return ("ok", f(*args))
    except Exception as exc:    # noqa: BLE001  (compared with the interpreter's)
        tb = traceback.extract_tb(exc.__traceback__)
        return ("raise", type(exc), str(exc), [(e.name, e.lineno) for e in tb][1:])


def _deopts(fast) -> int:
    text = jit.explain(fast)
    return sum(int(part.split()[0]) for line in text.splitlines()
               for part in line.split(", ") if part.endswith(" deopts"))


def floordiv(a, b):
    return a // b


def mod(a, b):
    return a % b


def truediv(a, b):
    return a / b


CASES = [(floordiv, 7, 0), (mod, 7, 0), (truediv, 7, 0), (floordiv, 7.5, 0.0),
         (mod, 7.5, 0.0), (truediv, 7.5, 0.0), (floordiv, 7, 0.0), (truediv, 7.0, 0),
         (mod, -0.0, 0.0), (floordiv, True, False), (mod, 2 ** 40, 0)]


@pytest.mark.parametrize("f, a, b", CASES)
def test_messages_and_traceback(f, a, b):
    fast = jit.compile(f)
    for _ in range(2):
        assert _outcome(fast, a, b) == _outcome(f, a, b)
        assert _outcome(fast, a, 3) == _outcome(f, a, 3)
    assert _deopts(fast) == 0


def caught(n):
    total = 0
    errors = 0
    for i in range(n):
        try:
            total += 1000 // (i % 5 - 2) + int(1000.0 % (i % 3))
        except ZeroDivisionError as exc:
            errors += len(str(exc))
    return total, errors


def checked(a, b):
    try:
        q = a // b
    except ZeroDivisionError:
        return -1
    return q


def calls_checked(n):
    s = 0
    for i in range(n):
        s += checked(i * 7, i % 4 - 2)
    return s


@pytest.mark.parametrize("f", [caught, calls_checked])
def test_caught_in_a_loop_without_deoptimising(f):
    fast = jit.compile(f)
    assert fast(200) == f(200)
    assert fast(3000) == f(3000)
    assert _deopts(fast) == 0


def raise_in_except(a, b):
    try:
        raise KeyError("first")
    except KeyError:
        return a // b


def test_context_chaining():
    fast = jit.compile(raise_in_except)
    for f in (raise_in_except, fast):
        with pytest.raises(ZeroDivisionError) as info:
            f(5, 0)
        assert type(info.value.__context__) is KeyError
    assert fast(5, 2) == 2


def holds_objects(xs, n):
    out = []
    for i in range(n):
        try:
            out.append((xs, str(i), 10 // (i % 3)))
        except ZeroDivisionError:
            out.append(None)
    return len(out)


def test_no_reference_leaks():
    fast = jit.compile(holds_objects)
    xs = [object()]
    fast(xs, 30)
    before = sys.getrefcount(xs)
    for _ in range(20):
        assert fast(xs, 30) == holds_objects(xs, 30)
    gc.collect()
    assert sys.getrefcount(xs) == before


def test_constant_divisor_has_no_raise_path():
    from jit.__main__ import show

    def by_const(a):
        return a // 7 + a % 3

    text = show(by_const.__code__, "llvm", (10,))
    assert "zd.raise" not in text
    text = show(floordiv.__code__, "llvm", (10, 3))
    assert "zd.raise" in text
