"""jit/ranges.py's interval rules are sound: for operands drawn from two intervals,
every result Python computes that fits in 64 bits lies in the rule's interval."""
import operator
import re

from hypothesis import given, settings, strategies as st

import jit
from jit import ranges
from jit.__main__ import show

I64 = st.integers(ranges.I64_MIN, ranges.I64_MAX)
EDGES = st.sampled_from([ranges.I64_MIN, ranges.I64_MIN + 1, -2 ** 62, -65, -64, -7, -2, -1,
                         0, 1, 2, 3, 7, 63, 64, 65, 2 ** 60, 2 ** 62, ranges.I64_MAX - 1,
                         ranges.I64_MAX])
ENDS = st.one_of(EDGES, I64, st.integers(-300, 300))

PY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv,
      "%": operator.mod, "&": operator.and_, "|": operator.or_, "^": operator.xor,
      ">>": operator.rshift, "<<": operator.lshift, "**": operator.pow}


@st.composite
def interval_and_members(draw):
    a, b = sorted((draw(ENDS), draw(ENDS)))
    members = [a, b] + [draw(st.integers(a, b)) for _ in range(3)]
    return (a, b), members


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(PY)), interval_and_members(), interval_and_members())
def test_int_op_rules_hold_every_result(sym, xs, ys):
    (x, x_members), (y, y_members) = xs, ys
    got = ranges._INT_OPS[sym](x, y)
    for a in x_members:
        for b in y_members:
            if sym in ("//", "%") and b == 0 or sym in ("<<", ">>", "**") and b < 0:
                continue                     # raises: no value
            if sym in ("<<", "**") and b > 64:
                continue                     # (far past 64 bits: deoptimises)
            r = PY[sym](a, b)
            if not ranges.I64_MIN <= r <= ranges.I64_MAX:
                continue                     # deoptimises: no value
            assert got is not None and got[0] <= r <= got[1], (sym, x, y, a, b, r, got)


def test_clip_and_fits():
    assert ranges.clip(-2 ** 70, 5) == (ranges.I64_MIN, 5)
    assert ranges.clip(2 ** 63, 2 ** 64) is None
    assert ranges.fits(-2 ** 63, 2 ** 63 - 1) and not ranges.fits(0, 2 ** 63)


def test_huge_shift_counts_are_cut_at_64():
    # (a count of 2**60 once asked Python for a 2**60-bit int)
    lo, hi = ranges._lshift((-2 ** 63, -2 ** 63), (2 ** 60, 2 ** 60))
    assert ranges.clip(lo, hi) is None
    assert ranges._rshift((-5, 7), (100, 2 ** 62)) == (-1, 0)
    assert ranges._lshift((1, 2), (-5, -1)) is None


@settings(max_examples=300, deadline=None)
@given(st.integers(-2 ** 40, 2 ** 40).filter(lambda c: c not in (-1, 0, 1)), ENDS, ENDS)
def test_factor_range_is_exactly_the_fitting_operands(c, a, b):
    low, high = sorted((a, b))
    lo, hi = ranges.factor_range(c, low, high)
    if lo <= hi:
        assert low <= c * lo <= high and low <= c * hi <= high
    assert not low <= c * (lo - 1) <= high and not low <= c * (hi + 1) <= high


def _range_walk(a, b, c):
    t = n = 0
    for i in range(a, b, c):
        t += i % 1000
        n += 1
        if n > 20:
            break
    return t, n


def _down_to_zero(b):
    t = 0
    for _ in range(b, -1, -1):
        t += 1
    return t


def test_range_loops_at_the_ends_of_i64():
    """A range loop's counter steps without an overflow check only where the step
    cannot pass the end of i64 before the stop; near the ends it must still stop."""
    walk, down = jit.compile(_range_walk), jit.compile(_down_to_zero)
    M = 2**63 - 1
    for a in [(M - 3, M, 1), (M - 5, M, 2), (M - 5, M, 3), (M - 1, M, 5),
              (-M + 2, -M - 1, -1), (-M + 5, -M - 1, -2), (-M + 2, -M - 1, -7), (0, 10, 3),
              (10, 0, -3), (M, 0, 1), (M, M, 1), (-M - 1, -M - 1, -1), (M - 10, M, M),
              (-M - 1, M, M), (-M - 1, M, -M - 1), (M, -M - 1, -M - 1)]:
        assert walk(*a) == _range_walk(*a), a
    for b in (5, -3, 0):
        assert down(b) == _down_to_zero(b)


def _strided(n, lo):
    """Steps whose sign the range analysis knows from the loops around them."""
    out = []
    k = lo
    while k * k <= n:
        for j in range(k * k, n + 1, k):        # k >= lo >= 1: ascending
            out.append(j)
        for j in range(n, -1, -k):              # descending
            out.append(-j)
        k += 1
    return out


def test_range_loops_whose_step_sign_is_known():
    """A step the analysis knows is positive (negative) leaves the loop on one
    compare, not on a select between the two directions: same values."""
    c = jit.compile(_strided)
    for n, lo in [(0, 1), (1, 1), (30, 1), (30, 2), (100, 3), (2, 2), (5000, 1)]:
        assert c(n, lo) == _strided(n, lo), (n, lo)
    big = 2**63 - 1                              # k * k overflows: the interpreter's ints
    assert c(big, 2**32) == _strided(big, 2**32)


def _step_three(n):
    s = 0
    for j in range(0, n, 3):
        s += j
    return s


def _step_given(n, k):
    s = 0
    for j in range(0, n, k):
        s += j
    return s


def test_a_known_step_sign_needs_no_select_between_directions():
    both = re.compile(r"select i1 %[\w.]+, i1 ")
    known = show(_step_three.__code__, "llvm", (10,), _step_three.__globals__)
    unknown = show(_step_given.__code__, "llvm", (10, 2), _step_given.__globals__)
    assert not both.search(known) and both.search(unknown)
    assert jit.compile(_step_three)(100) == _step_three(100)
