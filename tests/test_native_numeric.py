"""The native power helpers (jit/rtlib.py: jit.ipow, jit.fpow) against Python's
own ``**``, value by value: wherever a helper says it computed the result, the
result is exactly Python's (floats by repr, so the sign of zero counts); wherever
Python raises, overflows 64 bits, or makes a complex number, the helper declines
(and specialised code deoptimises to the interpreter). Then ``**``, ``round`` and
``divmod`` (unpacked at once) in specialised code, differentially."""
import ctypes
import math
import sys

from hypothesis import given, settings, strategies as st

import jit
from jit import rtlib
from runtime import funcobject

_ipow = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                         ctypes.POINTER(ctypes.c_int8))(rtlib.symbols()["jit.ipow"])
_fpow = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double,
                         ctypes.POINTER(ctypes.c_int8))(rtlib.symbols()["jit.fpow"])
I64 = st.integers(-2 ** 63, 2 ** 63 - 1)
SMALL = st.integers(-70, 70)
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1e308, -1e308, 5e-324,
           float("inf"), float("-inf"), float("nan"), 2.0 ** 53, 2.0 ** 53 + 2, 1e-300]
FLOATS = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(-40, 40), st.integers(-60, 60).map(float))


def native_ipow(a, b):
    bad = ctypes.c_int8(7)
    r = _ipow(a, b, ctypes.byref(bad))
    return None if bad.value else r


def native_fpow(x, y):
    bad = ctypes.c_int8(7)
    r = _fpow(x, y, ctypes.byref(bad))
    return None if bad.value else r


def python_pow(x, y):
    try:
        return x ** y
    except (ZeroDivisionError, OverflowError, ValueError):
        return None


@settings(max_examples=3000, deadline=None)
@given(st.one_of(I64, SMALL), st.one_of(SMALL, st.integers(-3, 200), I64))
def test_ipow_is_pythons_int_power(a, b):
    got = native_ipow(a, b)
    want = python_pow(a, b) if b <= 200 or abs(a) <= 1 else None
    if got is None:   # declined: a float result, or a result beyond 64 bits
        assert b < 0 or want is None or not -2 ** 63 <= want < 2 ** 63
    else:
        assert type(want) is int and got == want


def test_ipow_edges():
    assert native_ipow(0, 0) == 1 and native_ipow(-2, 63) == -2 ** 63
    assert native_ipow(2, 63) is None and native_ipow(2, 62) == 2 ** 62
    assert native_ipow(-1, 2 ** 62 + 1) == -1 and native_ipow(3, 39) == 3 ** 39
    assert native_ipow(3, 40) is None and native_ipow(5, -1) is None


@settings(max_examples=5000, deadline=None)
@given(FLOATS, FLOATS)
def test_fpow_is_pythons_float_power(x, y):
    got = native_fpow(x, y)
    want = python_pow(x, y)
    if got is None:
        return      # declined: the interpreter computes (or raises) it
    assert isinstance(want, float), (x, y, want)
    assert repr(got) == repr(want), (x, y, got, want)


def test_fpow_covers_the_common_cases():
    for x, y in [(2.0, 0.5), (0.0, 2.5), (-0.0, 3.0), (-0.0, 2.0), (-2.0, 3.0), (-2.0, 2.0),
                 (1e-300, 2.0), (10.0, -2.0), (1.0, 1e300), (-1.0, 1e300), (7.5, 0.0),
                 (float("nan"), 0.0)]:
        got = native_fpow(x, y)
        assert got is not None and repr(got) == repr(x ** y), (x, y, got)
    for x, y in [(0.0, -1.0), (-2.0, 0.5), (10.0, 400.0), (float("inf"), 2.0),
                 (2.0, float("nan"))]:
        assert native_fpow(x, y) is None, (x, y)


def powers(a, b, n):
    out = []
    for i in range(n):
        out.append((a + i) ** b)
    return out


def float_powers(x, y, n):
    t = 0.0
    for i in range(n):
        t += (x - i * 0.5) ** y
    return t


def rounds(x, n):
    s = 0
    for i in range(n):
        s += round(x + i * 0.5) + round(i)
    return s


def divmods(a, b, n):
    s = 0
    for i in range(n):
        q, r = divmod(a + i, b)
        s += q * 1000 + r
    return s


def _outcome(f, *args):
    try:
        return "ok", repr(f(*args))
    except Exception as exc:          # noqa: BLE001 - compared, not hidden
        return type(exc).__name__, str(exc)


def test_power_and_round_in_specialised_code_match_the_interpreter():
    calls = {powers: [(2, 10, 5), (3, 38, 4), (-2, 61, 4), (2, -1, 3), (0, 0, 2), (7, 3, 4),
                      (2.5, 2, 3), (2, 0.5, 3), (10 ** 20, 2, 2), (2, 10, 5)],
             float_powers: [(3.0, 2.5, 8), (3.0, 2.0, 8), (3.0, -1.0, 8), (1.0, 0.5, 4),
                            (1e200, 2.0, 2), (3.0, 0.5, 8), (0.0, -1.0, 2), (3.0, 2.5, 8)],
             rounds: [(0.0, 8), (0.25, 8), (-3.0, 8), (2.0 ** 62, 2), (1e300, 2),
                      (float("nan"), 1), (float("inf"), 1), (0.0, 8)],
             divmods: [(17, 5, 4), (-17, 5, 4), (17, -5, 4), (5, 0, 2), (-2 ** 63, -1, 2),
                       (7.5, 2.0, 4), (-7.5, 2.0, 4), (7.5, -2.0, 4), (1.0, 0.0, 1),
                       (-0.0, 3.0, 1), (1e300, 1e-300, 2), (True, 3, 2), (17, 5, 4)]}
    for f, args_list in calls.items():
        c = jit.compile(f)
        for _ in range(3):
            for args in args_list:
                assert _outcome(c, *args) == _outcome(f, *args), (f.__name__, args)
        ir_text = "".join(str(spec.native.ir) for _, spec in
                          funcobject.get_state(c).dispatcher.rows if spec is not None)
        want = {rounds: "num_call fn='round'", divmods: "num_call fn='divmod'"}.get(f, "op='**'")
        assert want in ir_text, ir_text


# ---- math functions: libm behind math_1/math_2's error rules ----------------------

def _math_all(xs, y):
    out = []
    for x in xs:
        try:
            out.append((math.tan(x), math.asin(x), math.acos(x), math.atan(x), math.sinh(x),
                        math.cosh(x), math.tanh(x), math.asinh(x), math.acosh(x)))
        except (ValueError, OverflowError) as e:
            out.append(repr(e))
        try:
            out.append((math.atanh(x), math.exp2(x), math.expm1(x), math.log1p(x),
                        math.log2(x), math.log10(x), math.cbrt(x), math.erf(x), math.erfc(x)))
        except (ValueError, OverflowError) as e:
            out.append(repr(e))
        try:
            out.append((math.atan2(x, y), math.copysign(x, y), math.fmod(x, y), math.pow(x, y),
                        math.remainder(x, y), math.isnan(x), math.isinf(y), math.isfinite(x)))
        except (ValueError, OverflowError) as e:
            out.append(repr(e))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=40), FLOATS)
def test_math_functions_are_the_interpreters_bit_for_bit(xs, y):
    # the native calls give the math module's bits (the same libm, called the same
    # way) and raise where it raises (by deoptimising): compared by repr
    c = jit.compile(_math_all)
    assert repr(c(xs, y)) == repr(_math_all(xs, y))
    spec = funcobject.get_state(c).dispatcher.rows[0][1]
    assert spec is not None and "num_call fn='atan2'" in str(spec.native.ir)
