"""Inline fast paths for exact ints and floats must agree with the interpreter at
their edges (digit boundaries, bigints, bools, -0.0, nan, inf, mixed types)."""
import itertools
import math

import pytest

import jit

INTS = [0, 1, -1, 2, -2, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**31, 2**62, -2**62,
        2**63, 10**30, -10**30, True, False]
FLOATS = [0.0, -0.0, 1.5, -2.25, math.inf, -math.inf, math.nan, 1e308, 5e-324]
MIXED = [3, 2**70, 1.5, True, "s"]


def binary(a, b):
    return a + b, a - b, a * b, a < b, a <= b, a == b, a != b, a > b, a >= b


def augmented(a, b):
    a += b
    c = a
    c -= b
    c *= b
    return a, c


def _outcome(f, *args):
    try:
        r = f(*args)
        return "ok", repr(r), [type(x) for x in r]
    except Exception as e:
        return "exc", type(e), str(e)


@pytest.mark.parametrize("values", [INTS, FLOATS, MIXED], ids=["ints", "floats", "mixed"])
@pytest.mark.parametrize("func", [binary, augmented])
def test_fast_paths_match_interpreter(values, func):
    compiled = jit.compile(func, fallback=False)
    for a, b in itertools.product(values, values):
        assert _outcome(func, a, b) == _outcome(compiled, a, b), (a, b)
