"""Differential tests aimed at the type-specialised tier.

Every function below runs in the interpreter and compiled
(``jit.compile(f, fallback=False)``, compiled once per test) on the same
sequence of calls; each call is compared strictly: the result (exact types,
floats by ``repr`` so ``-0.0``/``nan`` count, recursing into containers) or
the exception (type, ``str``, args, cause/context chain, and the traceback
entries of this file's frames), the printed output, the arguments after the
call (mutations), declared module globals, and the reference counts of fresh
mutable arguments and the result.

The call sequence of a case is repeated ``ROUNDS`` times, and most cases mix
argument types (ints, floats, bools, ints beyond 64 bits, user objects), so
per-signature dispatch, overflow deoptimisation, and re-specialisation after
repeated deopts (``jit.dispatch.DEOPT_LIMIT``) all happen in one process.
``Do(fn)`` steps in a sequence change global state between calls (rebinding
``range``, changing a global constant); both sides see the change.

Areas: int edges (64-bit overflow, division signs, shifts, bools), floats
(-0.0, nan/inf, zero divisors, pow, round, int/float conversion and exact
comparison), math functions, range loops, list/tuple indexing, guards and
deopt with side effects, exceptions in specialised loops, reference counts.

JIT_DIFF_SELFTEST=1 runs the original on both sides (validates that the cases
are deterministic). Against the compiler each case runs in a forked child
(JIT_DIFF_FORK=0 to run in-process), so a crash or hang fails one case only.
"""
import contextlib
import copy
import gc
import io
import math
import os
import sys
import traceback
import types
import weakref
from math import sqrt, floor, atan2, ceil, isnan, log1p  # noqa: F401  - used as bare globals below

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from differential.harness import (norm, norm_exc, _tracked, run_forked, SELFTEST,  # noqa: E402
                                  fresh_copy)

FORK = os.environ.get("JIT_DIFF_FORK", "0" if SELFTEST else "1") not in ("", "0")
TIMEOUT = float(os.environ.get("JIT_DIFF_TIMEOUT", "120"))
ROUNDS = 5          # > jit.dispatch.DEOPT_LIMIT: a deopt on every call re-specialises

THIS_FILE = os.path.abspath(__file__)
NAN = float("nan")
INF = float("inf")
I63 = 2 ** 63
I62 = 2 ** 62
IMIN = -2 ** 63
IMAX = 2 ** 63 - 1
BIG = 2 ** 100
SQ = 3037000500      # SQ * SQ > 2**63 - 1 > (SQ - 1) ** 2


# ---------------------------------------------------------------------------
# registration

class Do:
    """A step in a call sequence: run ``fn()`` (once, before the next call of both sides)."""

    def __init__(self, fn, label=""):
        self.fn = fn
        self.label = label

    def __repr__(self):
        return f"Do({self.label or self.fn.__name__})"


class KW:
    """A call with keyword arguments: ``KW(1, b=2)``."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def __repr__(self):
        return "KW(" + ", ".join([repr(a) for a in self.args] +
                                 [f"{k}={v!r}" for k, v in self.kwargs.items()]) + ")"


class Case:
    def __init__(self, name, func, calls, globals_=(), reset=None, setup=None,
                 cleanup=None, install=(), rounds=ROUNDS):
        self.name = name
        self.func = func
        self.calls = list(calls)
        self.globals = tuple(globals_)
        self.reset = reset
        self.setup = setup
        self.cleanup = cleanup
        self.install = tuple(install)
        self.rounds = rounds

    def __repr__(self):
        return f"<Case {self.name}>"


CASES = []


def case(*calls, rev=False, **opts):
    """Register a function with its calls (tuples of positional args, or Do steps).

    rev=True also registers the reversed sequence as a second case, so the first
    specialisation is made for other argument types."""
    def deco(f):
        CASES.append(Case(f.__name__, f, calls, **opts))
        if rev:
            assert not any(isinstance(c, Do) for c in calls)
            CASES.append(Case(f.__name__ + "-rev", f, list(reversed(calls)), **opts))
        return f
    return deco


# ---------------------------------------------------------------------------
# running and comparing

def _invoke(fn, args, kwargs):
    # Both sides are called from here; traceback entries of this frame are dropped.
    try:
        r = fn(*args, **kwargs)
        exc_after = sys.exc_info()[0]
    except BaseException as e:  # noqa: B902 - every exception is compared
        return None, e, None
    return r, None, exc_after


def _tb_entries(e, func):
    """(file, function, line) of the frames of the code under test (this file's
    functions, i.e. the function and its callees here), leaving out _invoke."""
    return [(os.path.basename(fs.filename), fs.name, fs.lineno)
            for fs in traceback.extract_tb(e.__traceback__)
            if os.path.abspath(fs.filename) == os.path.abspath(func.__code__.co_filename)
            and fs.name != "_invoke"]


def strict(v):
    """Normalised value: equal iff same types (recursively) and same values; floats by repr."""
    return norm(v)


def _refcounts(args, r, gc_first):
    if gc_first:
        gc.collect()
    objs = list(args) + [r]
    return [(i, sys.getrefcount(o) - 1) for i, o in enumerate(objs) if _tracked(o)]


def _outcome(c, fn, args, installed, gc_first=False):
    g = c.func.__globals__
    if c.reset is not None:
        c.reset()
    if isinstance(args, KW):
        args, kwargs = fresh_copy((args.args, args.kwargs))
    else:
        args, kwargs = fresh_copy(args), {}
    saved = {k: g[k] for k in installed}
    g.update(installed)
    out = io.StringIO()
    limit = sys.getrecursionlimit()
    try:
        with contextlib.redirect_stdout(out):
            r, e, exc_after = _invoke(fn, args, kwargs)
    finally:
        sys.setrecursionlimit(limit)
        g.update(saved)
    f = {"stdout": out.getvalue(), "args_after": strict((args, kwargs)),
         "globals": {k: strict(g.get(k, "<unbound>")) for k in c.globals}}
    if e is None:
        f["result"] = strict(r)
        f["exc_info_after_return"] = None if exc_after is None else exc_after.__name__
        f["refcounts"] = _refcounts(list(args) + list(kwargs.values()), r, gc_first)
    else:
        f["exception"] = norm_exc(e, tb=False)
        f["traceback"] = _tb_entries(e, c.func)
    del e, r
    return f


def _diff(a, b):
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _short(x, n=1200):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


def _compile(f):
    if SELFTEST:
        return f
    import jit
    return jit.compile(f, fallback=False)


def check_case(c):
    """Run c's call sequence ROUNDS times on both sides; raise AssertionError on differences."""
    problems = []
    try:
        if c.setup is not None:
            c.setup()
        compiled = _compile(c.func)
        g = c.func.__globals__
        installed = {}
        for name in c.install:
            installed[name] = compiled if g[name] is c.func else _compile(g[name])
        seq = c.calls * c.rounds
        for n, step in enumerate(seq):
            if isinstance(step, Do):
                step.fn()
                continue
            ref = _outcome(c, c.func, step, {})
            got = _outcome(c, compiled, step, installed)
            d = _diff(ref, got)
            if d == ["refcounts"]:
                # frames kept alive by cycles are the collector's business
                ref = _outcome(c, c.func, step, {}, gc_first=True)
                got = _outcome(c, compiled, step, installed, gc_first=True)
                d = _diff(ref, got)
            if d and ("result" in d or "exception" in d):
                d = [k for k in d if k != "refcounts"]
            if d:
                problems.append((n, step, [(k, ref.get(k, "<absent>"), got.get(k, "<absent>"))
                                           for k in d]))
                if len(problems) >= 6:
                    break
    finally:
        if c.cleanup is not None:
            c.cleanup()
    if problems:
        lines = [f"{c.name}: compiled behaviour differs from the interpreter"]
        for n, step, d in problems:
            lines.append(f"  call #{n} {_short(step, 200)}:")
            for k, a, b in d:
                lines.append(f"    {k}:")
                lines.append(f"      interpreter: {_short(a)}")
                lines.append(f"      compiled:    {_short(b)}")
        raise AssertionError("\n".join(lines))


def run_isolated(fn, *args, timeout=TIMEOUT, name="test"):
    """fn(*args) in a forked child: a crash or a hang fails only this test."""
    if not FORK:
        return fn(*args)

    def child():
        try:
            fn(*args)
            return ("ok", None)
        except AssertionError as e:
            return ("fail", str(e))
        except BaseException as e:  # noqa: BLE001
            return ("error", f"{type(e).__name__}: {e}\n{traceback.format_exc()}")

    kind, msg = run_forked(child, name, timeout)
    if kind != "ok":
        raise AssertionError(msg)


# ===========================================================================
# 1. int arithmetic at the edges

ADD_CALLS = [
    (1, 2), (I62, I62), (IMAX, 1), (IMIN, -1), (IMIN, 0), (-1, IMIN), (SQ, SQ),
    (2.5, 1), (1, 2), (True, 1), (True, True), (2 ** 64, 1), (-BIG, BIG), (IMAX, IMIN),
]


@case(*ADD_CALLS, rev=True)
def add(a, b):
    return a + b


@case(*ADD_CALLS, (0, IMIN), (IMIN, 1), (-1, IMIN), rev=True)
def sub(a, b):
    return a - b


@case((3, 4), (SQ, SQ), (SQ - 1, SQ - 1), (-SQ, SQ), (IMIN, -1), (-1, IMIN), (-I62, 2),
      (I62, -2), (I62, 2), (IMIN, 1), (IMIN, 0), (1.5, 2), (3, 4), (True, IMAX), (BIG, 0),
      rev=True)
def mul(a, b):
    return a * b


@case((1, 2), (I62, I62), (IMAX, 1), (1.5, 2.5), (IMIN, IMIN), (True, False), (BIG, 1))
def add_sub_mul_chain(a, b):
    x = a + b
    y = x - b - b
    z = y * 2 - a
    return x, y, z


@case((10, IMAX - 5, 1), (10, 1, 2), (10, IMIN + 3, -1), (10, 0.5, 1), (3, BIG, 1),
      (10, IMAX - 5, 1), (4, 2, True))
def acc_overflow_append(n, start, step):
    out = []
    x = start
    for i in range(n):
        x = x + step
        out.append(x)
    return out


@case((50, 1), (5, I62), (50, -1), (10, 1.5), (50, 1), (3, True))
def mul_loop_print(n, x):
    for i in range(n):
        print(i, x)
        x = x * 3
    return x


@case((8,), (5,), (0,), (7,))
def square_loop(n):
    x = 2
    out = []
    for i in range(n):
        x = x * x
        out.append(x.bit_length())
    return x, out


@case((1,), (-1,), (I62,), (0.5,), (1,), (True,))
def while_double(x):
    n = 0
    while x > 0:
        x = x + x
        n += 1
        if n > 70:
            break
    return n, x


@case((10,), (3000,), (2500,), (0,), (3000,))
def sum_powers(n):
    s = 0
    for i in range(n):
        s += i * i * i * i * i
    return s


@case((3, IMIN + 1), (4, 5), (3, 2.5), (2, IMIN), (3, IMIN + 1))
def neg_in_loop(n, x):
    out = []
    for i in range(n):
        out.append(-x)
        x -= 1
    return out


DIV_CALLS = [
    (7, 2), (-7, 2), (7, -2), (-7, -2), (7, 0), (0, 5), (0, -5), (-6, 3), (6, -3),
    (IMIN, -1), (IMIN, 1), (IMAX, -1), (IMIN, IMIN), (7, 2), (True, 2), (7, True), (3, False),
    (BIG, 3), (-BIG, 7), (7, -BIG), (BIG, 0), (7.5, 2), (7, 2.0), (-7, 0.0),
]


@case(*DIV_CALLS, rev=True)
def floordiv(a, b):
    return a // b


@case(*DIV_CALLS, rev=True)
def mod(a, b):
    return a % b


@case(*DIV_CALLS)
def divmod_(a, b):
    return divmod(a, b)


@case(*DIV_CALLS)
def truediv(a, b):
    return a / b


@case(*DIV_CALLS, rev=True)
def divisible(a, b):
    # x % c == 0 and != 0 compare C's remainder (no sign fix-up): the same answer
    return a % b == 0, a % b != 0, (a % b == 0) + 0, a % b


@case((0,), (3,), (-5,), (2 ** 40,), (IMIN,), (I63,), (True,), (False,), (2.0,), (-0.0,),
      (1.5,), (NAN,), (INF,), (BIG,), ("x",), (3,))
def in_constants(x):
    # x in (constants) compares natively with each: ints, floats, a frozenset
    return (x in (1, 3, -5, 2 ** 40), x not in (0, 2, -2 ** 63), x in {0, 7, 2 ** 40},
            x in (1.5, 2.0, -0.0, 1e400), x + 1 in (4, 2.5, True), x in (True, 2))


PTS_F = [(1.5, 2.0), (-0.0, 3.25), (1e300, 1e10)]
PTS_MIX = [(1.5, 2.0), (2, 3), (1.5, "x"), (2.5, 1.0)]


@case((PTS_F,), ([(1.5, 2.0), (2, 3)],), ([(1.0, True)],), (PTS_MIX,), ([],), (PTS_F,),
      ([(BIG, 1.5)],), ([(NAN, 1.0), (INF, -INF)],))
def unpacked_float_locals(pts):
    # locals only ever assigned items guessed floats are held unboxed: a wrong guess
    # deoptimises at the store, with the items and the sum so far intact
    s = 0.0
    for x, y in pts:
        s += x * y
        print(x, y)
    return s


@case((40,), (7,), (40,))
def in_constants_loop(n):
    hits = 0
    for i in range(-n, n):
        if i % 7 in (1, 3, 5):
            hits += 1
        elif i not in {2, 4, 8}:
            hits += i * 0.5 in (1.5, 2, -0.0)
    return hits


@case((30, 3), (30, -3), (30, 7), (30, 0), (30, IMIN), (30, 2.5))
def divisible_loop(n, d):
    hits = 0
    for i in range(-n, n):
        if i % d == 0:
            hits += 1
        elif i % 2 != 0:
            hits -= i % d
    return hits


@case((10, 3), (10, -3), (-10, 3), (10, 0), (IMIN, -1), (2.5, 2))
def div_loop(n, d):
    out = []
    for i in range(-n, n):
        out.append((i // d, i % d))
    return out


@case((20,), (5,), (20,))
def div_by_zero_late(n):
    out = []
    for i in range(n):
        out.append(1000 // (10 - i))
        print("ok", i)
    return out


@case((60, 7), (60, -5), (60, 1), (5, 9), (60, 0), (IMAX, IMAX), (60, 2.5))
def strided_list_loops(n, step):
    # list accesses indexed by a range loop's counter prefetch ahead by its step;
    # the counter's local is reused for other values in between, and the step may be
    # negative, zero (ValueError) or near 2**63 (the ahead address wraps: a hint only)
    xs = [i % 3 == 0 for i in range(n if n < 100 else 100)]
    start, stop = (0, len(xs)) if step > 0 else (len(xs) - 1, -1)
    for j in range(start, stop, step):
        xs[j] = not xs[j]
    j = n % 5
    xs[j] = j
    for j in range(stop - 1 if step > 0 else 0, start - 1 if step > 0 else len(xs), -step):
        if xs[j]:
            xs[j] = j * 0.5
        j = xs[j - 1] if xs[j] else 0
    return xs, j


@case((IMIN,), (0,), (5,), (IMAX,), (0.0,), (-0.0,), (True,), (False,), (I63,), (-BIG,), (NAN,))
def neg(a):
    return -a


@case((IMIN,), (-5,), (5,), (IMAX,), (0.0,), (-0.0,), (-INF,), (True,), (False,), (-BIG,),
      (IMIN + 1,))
def abs_(a):
    return abs(a)


@case((IMIN,), (IMAX,), (True,), (0,), (-1,), (BIG,), (1.5,))
def invert(a):
    return ~a


@case((5,), (True,), (-0.0,), (IMIN,), (BIG,))
def unary_plus(a):
    return +a


@case((3, 4), (IMIN, 1))
def neg_of_min_int(a, b):
    x = a - b        # IMIN - 1 leaves i64
    y = -(a * b)     # -IMIN
    return x, y, abs(a * b)


POW_CALLS = [
    (2, 62), (2, 63), (2, 64), (-2, 63), (3, 40), (2, -1), (0, -1), (0, 0), (-1, BIG),
    (2, 10), (10, -2), (-3, 3), (2.0, 3), (2, 0.5), (-8, 1 / 3), (True, 5), (5, True),
    (5, False), (1, -BIG),
]


@case(*POW_CALLS, rev=True)
def pow_(a, b):
    return a ** b


@case((3, 200, 7), (3, -1, 7), (2, -1, 4), (3, 2, 0), (2 ** 64, 3, 5), (3, 2, -5), (2, 0.5, 3))
def pow3(a, b, m):
    return pow(a, b, m)


@case((45,), (10,), (45,))
def pow_loop(n):
    out = []
    for i in range(n):
        out.append(3 ** i)
    return out


SHIFT_CALLS = [
    (1, 62), (1, 63), (1, 64), (-1, 63), (1, 0), (0, 1000), (5, -1), (-5, 200), (IMAX, 1),
    (1, 2), (0, BIG), (1, BIG), (5, BIG), (-5, BIG), (True, 3), (3, True), (1.0, 2), (IMIN, 1),
    (BIG, 3), (3, -BIG),
]


@case(*SHIFT_CALLS, rev=True)
def lshift(a, b):
    return a << b


@case(*SHIFT_CALLS, rev=True)
def rshift(a, b):
    return a >> b


@case((1,), (3,), (-1,), (0,), (True,), (BIG,), (1,))
def shift_chain(a):
    return a << 62 << 1


@case((70,), (10,), (70,))
def shift_loop(n):
    x = 1
    out = []
    for i in range(n):
        x <<= 1
        out.append(x >> i)
    return x, out


@case((5, 3), (-5, -3))
def neg_shift_in_loop(a, b):
    out = []
    for i in range(b, a):
        out.append(a >> (b - i + 1) if i < 2 else a << i)
    return out


@case((-1, 5), (IMIN, -1), (IMIN, IMAX), (2 ** 64 + 3, -7), (True, False), (True, 3),
      (-6, -3), (6, 3), (True, True), (1.0, 1), rev=True)
def bitops(a, b):
    return a & b, a | b, a ^ b, ~a, ~b


@case((True,), (False,), (1,), (0,), (2 ** 64,), (1.5,), (True,))
def bool_ops(a):
    return a + 1, a * 3.0, -a, ~a, a & True, a | False, a ^ True, a + a, a / 2


@case(())
def bool_locals():
    t = True
    f = False
    return (t + 1, t * 3.0, -t, ~f, t + t, t / 2, t - f, t * t, t // t, t % 2, t ** 2,
            t << 3, f >> 1, t & t, t | f, t ^ t, abs(-t), divmod(t, 2))


@case(([1, 2, 3],), ([True, True, 2],), ([1, IMAX],), ([1.5, 2],), ([2 ** 70, -2 ** 70],), ([],),
      ([True, False],), ([1, 2, 3],))
def sum_list(xs):
    s = 0
    for x in xs:
        s += x
    return s


@case((3, 5), (True, 2), (1, 1), (False, 0), (True, True), (BIG, 2))
def bools_after_ints(a, b):
    s = 0
    for i in range(b):
        s = s + a * i
    return s, a + b, a * b, a - b


@case((1, 2), (2, 1), (1, 1), (IMIN, IMAX), (BIG, IMAX), (1, 1.0), (2.5, 2), (True, 1),
      (NAN, 1), (1, NAN), rev=True)
def cmp_all(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


# ===========================================================================
# 2. floats

@case((-0.0, 0.0), (-0.0, -0.0), (0.0, -0.0), (1e308, 1e308), (INF, -INF), (NAN, 1.0),
      (1.5, -0.0), (0, -0.0), (-0.0, 0), (1.0, 2), (2 ** 1024, 1.0), (1.0, 2 ** 53 + 1), rev=True)
def fadd(a, b):
    return a + b


@case((0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, 0), (INF, INF), (1.0, NAN), (1.5, 2),
      (2, 1.5), (0.1, 0.3))
def fsub(a, b):
    return a - b


@case((0.0, -1), (-0.0, 5), (0.0, -1.0), (1e200, 1e200), (INF, 0.0), (2 ** 1023, 2.0),
      (2 ** 1024, 1.0), (1.5, 2), (-1.5, 0), (NAN, 0.0), (3.0, True))
def fmul(a, b):
    return a * b


FDIV_CALLS = [
    (7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (-7.5, -2.0), (5.0, -1.0), (-5.0, 1.0), (0.0, -1.0),
    (-0.0, 1.0), (5.5, 0.0), (5.5, -0.0), (1.0, INF), (-1.0, INF), (1.0, -INF), (INF, 1.0),
    (NAN, 1.0), (1e-300, -1.0), (-7.0, 2), (7, -2.5), (7.0, 0), (1e308, 1e-308), (-0.0, -1.0),
    (6.0, 3.0), (-6.0, 3.0), (0.5, 0.1),
]


@case(*FDIV_CALLS, rev=True)
def ffloordiv(a, b):
    return a // b


@case(*FDIV_CALLS, rev=True)
def fmod(a, b):
    return a % b


@case(*FDIV_CALLS)
def fdivmod(a, b):
    return divmod(a, b)


@case(*FDIV_CALLS)
def ftruediv(a, b):
    return a / b


@case((5.0,), (-5.0,), (0.0,), (-0.0,), (3,), (-3,), (2.5,))
def mod_neg_one(x):
    return x % -1.0, x % 1.0, x // -1.0, -x % 1


@case((2.0, 0.5), (-8.0, 1 / 3), (-2.0, 2.0), (-2.0, 3), (0.0, -1), (10.0, 400), (2.0, -1075),
      (NAN, 0), (1.0, NAN), (-0.0, 3), (-0.0, -1), (INF, -1), (-INF, 3), (2, 0.5), (2, -1),
      (-1.0, INF), (0.0, 0.0), (1e308, 2), (-0.0, 0.5), (2.0, 1024.0), rev=True)
def fpow(a, b):
    return a ** b


@case((2.5,), (3.5,), (-2.5,), (-0.5,), (0.49999999999999994,), (1e300,), (NAN,), (INF,),
      (-INF,), (7,), (True,), (-0.0,), (2.5,))
def round1(x):
    return round(x)


@case((2.675, 2), (-0.0, 2), (1234.5, -1), (15, -1), (25, -1), (2.5, 0), (1e300, -400),
      (NAN, 2), (INF, 1), (123, BIG), (1.5, BIG), (0.5, True), (-25, -1), (2.5, -BIG))
def round2(x, n):
    return round(x, n)


@case((3.9,), (-3.9,), (-0.0,), (1e19,), (-9.223372036854776e18,), (9.223372036854776e18,),
      (NAN,), (INF,), (-INF,), (True,), (2 ** 70,), ("12",), (3.9,), (1e308,))
def to_int(x):
    return int(x)


@case((2 ** 53 + 1,), (2 ** 1024,), (IMIN,), (True,), (3.5,), ("nan",), (2 ** 1024 - 2 ** 970,),
      (2 ** 1024 - 2 ** 971,), (-2 ** 1024,), (7,), (2 ** 63 + 1,))
def to_float(x):
    return float(x)


@case((1, 2.5), (2.5, 1), (2 ** 53 + 1, 1.0), (1.0, 2 ** 53 + 1), (2 ** 1024, 1.0), (True, 0.5),
      (0.5, True), (-0.0, 0), (IMIN, -0.0), (3, 4), rev=True)
def int_float_mix(a, b):
    return a + b, b + a, a * b, a - b, b - a, a / b


@case((2 ** 53 + 1, 2.0 ** 53), (2.0 ** 53, 2 ** 53 + 1), (9007199254740993, 9007199254740992.0),
      (I63, 9.223372036854776e18), (IMAX, 9.223372036854776e18), (NAN, NAN), (NAN, 1), (1, NAN),
      (INF, 2 ** 1000), (2 ** 1024, INF), (-0.0, 0), (0.0, -0.0), (2 ** 53, 2 ** 53 + 1.0),
      (-2 ** 63 - 1, -9.223372036854776e18), (1.5, 1), (True, 1.0), rev=True)
def cmp_exact(a, b):
    return a == b, a != b, a < b, a <= b, a > b, a >= b


@case(([1.0, NAN, 3.0], 2.0), ([2 ** 53 + 1, 2 ** 53, 2 ** 53 - 1], 2.0 ** 53),
      ([1, 2, 3], 2), ([1.0, 2.0], NAN), ([INF, -INF, 0.0], -0.0), ([1, 2.5, True], 2))
def count_less(xs, t):
    c = 0
    for x in xs:
        if x < t:
            c += 1
        elif x == t:
            c += 100
    return c


MINMAX_CALLS = [
    (NAN, 1.0), (1.0, NAN), (1, 1.0), (1.0, 1), (-0.0, 0.0), (0.0, -0.0), (True, 1), (1, True),
    (2 ** 64, 1), (3, 2.5), (1, 2), (2, 1), (1.5, 0.5), (NAN, NAN), (0, False),
]


@case(*MINMAX_CALLS, rev=True)
def min2(a, b):
    return min(a, b)


@case(*MINMAX_CALLS, rev=True)
def max2(a, b):
    return max(a, b)


@case((1, 2, 3), (3, 2, 1), (1.0, 1, True), (NAN, 1.0, 2.0), (1.0, NAN, 0.5), (-0.0, 0.0, 0),
      (IMIN, IMAX, 0), (2, 2.0, 2))
def min3(a, b, c):
    return min(a, b, c), max(a, b, c)


@case(([3, 1, 2],), ([1.0, 1, True],), ([],), ([NAN, 1.0],), ([1.0, NAN],), ((2, 5.5),),
      ([-0.0, 0.0],))
def minmax_seq(xs):
    return min(xs), max(xs)


@case(([],), ([-0.0],), ([0.0],), ([1e308, 1e308, -INF],), ([1.0, 2, 3.5],), ([NAN, 1.0],),
      ([0.1] * 10,), ([True, 0.5],))
def fsum_loop(xs):
    s = -0.0
    for x in xs:
        s += x
    return s


@case((10, 0.1), (10, -0.0), (5, 1e308), (5, 2), (0, 0.5), (10, 0.1))
def float_accumulate(n, x):
    s = 0.0
    p = 1.0
    for i in range(n):
        s = s + x * i
        p = p * x
    return s, p, s - s, -p * 0.0


@case((-0.0,), (0.0,), (-1.5,), (NAN,), (-INF,), (-3,), (False,))
def abs_float(x):
    return abs(x), abs(-x), -abs(x)


@case((1.0, 0.0), (0.0, 0.0), (-1.0, 0.0), (NAN, 0.0), (1, 0), (INF, INF))
def nan_inf_make(a, b):
    try:
        q = a / b
    except ZeroDivisionError as e:
        q = str(e)
    return q, a * INF, a - INF, INF - INF, NAN == NAN, NAN != NAN, INF > 1e308


# ===========================================================================
# 3. math functions

@case((4.0,), (-1.0,), (-0.0,), (4,), (2 ** 1100,), (INF,), (NAN,), (True,), (-1,), (2.0,),
      (2 ** 64,))
def m_sqrt(x):
    return math.sqrt(x)


@case((1.0,), (0,), (0.0,), (-1.0,), (2 ** 2000,), (True,), (INF,), (NAN,), (-INF,), (10,),
      (False,), (-2 ** 70,))
def m_log(x):
    return math.log(x)


@case((8, 2), (8.0, 1), (1, 1), (100, 10.0), (0, 2), (2 ** 100, 2), (8, -2))
def m_log_base(x, b):
    return math.log(x, b)


@case((1000.0,), (-1000.0,), (709.0,), (710,), (NAN,), (-INF,), (INF,), (1,), (0,), (True,),
      (BIG,))
def m_exp(x):
    return math.exp(x)


@case((INF,), (NAN,), (-0.0,), (1e22,), (3,), (0.5,), (-INF,), (BIG,))
def m_sin(x):
    return math.sin(x)


@case((INF,), (NAN,), (-0.0,), (1e22,), (3,), (0.5,), (True,))
def m_cos(x):
    return math.cos(x)


@case((NAN,), (-0.5,), (0.5,), (-0.0,), (INF,), (-INF,), (1e20,), (7,), (True,), (2 ** 70,),
      (-2.5,), (9.223372036854776e18,), (-9.223372036854776e18,), (-9.3e18,))
def m_floor(x):
    return math.floor(x)


@case((-0.0,), (IMIN,), (NAN,), (-1,), (-2 ** 1100,), (True,))
def m_fabs(x):
    return math.fabs(x)


@case(([1.0, 2.0, 4.0, 0.5, -1.0],), ([1, 2, 3],), ([1.0, 0.0],), ([4.0, 2 ** 1100],),
      ([1.0, 2.0],))
def math_loop(xs):
    out = []
    for x in xs:
        out.append(math.sqrt(x) + math.log(x))
        print(len(out))
    return out


@case((10, 1.0), (1000, 1.0), (10, -1.0), (800, -1.0), (5, 2))
def exp_loop(n, x):
    s = 0.0
    for i in range(n):
        s += math.exp(x * i)
    return s


@case((10,), (100,), (10,))
def sin_cos_loop(n):
    s = 0.0
    for i in range(n):
        s += math.sin(i) * math.cos(i * 0.5) + math.floor(i / 3)
    return s


@case(([0.5, 1.5, -0.5, NAN, 3.0],), ([1, 2],), ([-1e30, 2.0],), ([0.5, INF],))
def floor_loop(xs):
    out = []
    for x in xs:
        out.append(math.floor(x) * 2)
    return out


@case(([4.0, 9.0, 16.0],), ([4, 9],), ([4.0, -9.0],))
def bare_sqrt_loop(xs):
    out = []
    for x in xs:
        out.append(sqrt(x))
    return out


def _fake_sqrt(x):
    print("fake sqrt", x)
    return -1


def _rebind_sqrt():
    globals()["sqrt"] = _fake_sqrt


def _restore_sqrt():
    globals()["sqrt"] = math.sqrt


@case(([4.0, 9.0],), Do(_rebind_sqrt), ([4.0, 9.0],), ([16.0],), Do(_restore_sqrt), ([4.0, 9.0],),
      cleanup=_restore_sqrt)
def bare_sqrt_rebound(xs):
    s = 0.0
    for x in xs:
        s = s + sqrt(x)
    return s


_REAL_MATH = math


def _math_fake():
    globals()["math"] = types.SimpleNamespace(sqrt=lambda x: x * 10.0, floor=lambda x: "floor",
                                              log=math.log, exp=math.exp)


def _math_real():
    globals()["math"] = _REAL_MATH


@case((4.0,), (4,), Do(_math_fake), (4.0,), (4,), Do(_math_real), (4.0,), cleanup=_math_real)
def math_module_rebound(x):
    return math.sqrt(x), math.floor(x)


_MATH_CALLS = ["math.tan(x)", "math.asin(x)", "math.acos(x)", "math.atan(x)", "math.sinh(x)",
               "math.cosh(x)", "math.tanh(x)", "math.asinh(x)", "math.acosh(x)", "math.atanh(x)",
               "math.exp2(x)", "math.expm1(x)", "log1p(x)", "math.log2(x)", "math.log10(x)",
               "math.cbrt(x)", "math.erf(x)", "math.erfc(x)", "atan2(x, -0.0)",
               "math.atan2(-1.5, x)", "math.copysign(2, x)", "math.fmod(x, 0.75)",
               "math.fmod(7.5, x)", "math.pow(x, 0.5)", "math.pow(-2.0, x)",
               "math.remainder(x, 3)", "ceil(x)", "math.trunc(x)", "math.floor(x)", "isnan(x)",
               "math.isinf(x)", "math.isfinite(x)", "math.degrees(x)", "math.radians(x)",
               "pow(x, 2)", "pow(x, -1)", "pow(-1.5, x)", "pow(x, 0.5)"]
exec("def math_functions(x):\n"
     "    # libm behind math_1/math_2's rules: the same bits, and whatever raises\n"
     "    # (ValueError, OverflowError) deoptimises for the interpreter to raise\n"
     "    out = []\n" + "".join(
         f"    try:\n        out.append({call})\n"
         f"    except (ValueError, OverflowError, ZeroDivisionError) as e:\n"
         f"        out.append(repr(e))\n"
         for call in _MATH_CALLS) + "    return out\n")
case((0.5,), (-0.0,), (3,), (0,), (-1,), (1.0,), (-1.0,), (2.0,), (NAN,), (INF,), (-INF,),
     (1e308,), (-700.0,), (710.0,), (True,), (5e-324,), (IMAX,), (IMIN,), (BIG,),
     (0.5,))(math_functions)   # noqa: F821 - made by the exec above


@case((12, 18), (-12, 18), (0, 0), (IMIN, 0), (0, IMIN), (IMIN, IMIN), (IMIN, 6), (IMAX, -IMAX),
      (True, 4), (BIG, 6), (2.5, 3), (7, -3), (0, -1), (12, 18), rev=True)
def gcd_and_pow(a, b):
    # math.gcd of two ints (2**63 does not fit: deopt), pow(a, b) as a ** b
    out = []
    for k in range(3):
        try:
            out.append((math.gcd(a, b + k), pow(a, k - 1), pow(b, 2)))
        except (TypeError, ZeroDivisionError) as e:
            out.append(repr(e))
    return out


class _Meta(type):
    def __instancecheck__(cls, obj):
        print("instancecheck", type(obj).__name__)
        return obj == 3


class _Odd(metaclass=_Meta):
    pass


class _Shows:
    def __init__(self, how):
        self.how = how

    def __str__(self):
        if self.how == "raise":
            raise ValueError("no str")
        return 5 if self.how == "int" else _StrSub("shown")

    def __repr__(self):
        return "Shows(%s)" % self.how

    @property
    def __class__(self):
        print("__class__ read")
        return _Posing if self.how == "int" else type(self)


class _Posing:
    pass


class _StrSub(str):
    pass


@case((5,), (2.5,), (True,), (_Shows("ok"),), (_Shows("int"),), (_Shows("raise"),), ("s",),
      (None,), (BIG,), (5,), (3,))
def str_repr_isinstance(x):
    # str/repr as PyObject_Str/Repr; isinstance with its exact-type shortcut, the
    # rest (subclasses, tuples, metaclasses, a __class__ property) as the builtin
    out = []
    for k in range(2):
        y = x * 2 if type(x) in (int, float) else x
        try:
            s = str(y)
            out.append((s, type(s).__name__, repr(y)))
        except (ValueError, TypeError) as e:
            out.append(repr(e))
        out.append((isinstance(y, int), isinstance(y, (float, str)), isinstance(y, _Odd),
                    isinstance(y, object), isinstance(y, _Shows), isinstance(y, _Posing)))
        try:
            out.append(isinstance(y, 5))
        except TypeError as e:
            out.append(repr(e))
    return out


_NAN_MODULE = types.ModuleType("nan_module")
_NAN_MODULE.missing = NAN
_NAN_MODULE.scale = 2.5


def _nan_scale():
    _NAN_MODULE.scale = NAN


@case((1.5,), (2.0,), Do(_nan_scale), (1.5,), (2.0,))
def nan_identities(x):
    # a nan is found by identity: one read from a module, or given by max(), stays
    # the object it is (an unboxed one would box again as another object)
    v = _NAN_MODULE.missing
    w = _NAN_MODULE.scale
    xs = [x, NAN, 0.5]
    m = max([NAN, x])
    item = xs[1] if x > 1.7 else xs[0]
    return ([v].count(v), v in (v, x), {v: 1}.get(v), w in (w,), m in (m,), xs.count(m), w * x,
            item in xs, xs.count(item), item * 2.0)


# globals guessed like the values they are bound to when specialising

G_OFFSET = 0.25
G_DATA = [0.5, 1.5, 2.5]


def _g_offset(v):
    def step():
        global G_OFFSET
        G_OFFSET = v
    return Do(step, f"G_OFFSET = {v!r}")


def _g_data_ints():
    G_DATA[1] = 7


def _g_reset():
    global G_OFFSET
    G_OFFSET = 0.25
    G_DATA[:] = [0.5, 1.5, 2.5]


@case((20,), (3,), _g_offset(2), (20,), _g_offset(I62), (20,), _g_offset(-0.0), (5,),
      _g_offset(NAN), (4,), _g_offset("s"), (3,), Do(_g_data_ints), _g_offset(0.5), (6,),
      _g_offset(BIG), (2,), globals_=("G_OFFSET", "G_DATA"), setup=_g_reset, cleanup=_g_reset)
def globals_guessed_from_values(n):
    s = 0.0
    for i in range(n):
        s += i % 11 + G_OFFSET
        s += G_DATA[i % 3] * 2
    return s, repr(s)


def _returns_first(xs):
    return xs[0]


@case(([1, 2],), ([True, 2],), ([False],), ([2**70],), ([1, 2],), install=("_returns_first",))
def bool_back_from_direct_call(xs):
    # a compiled callee's bool result stays a bool (not the int 1 a caller that
    # wants an int back would make of it)
    r = _returns_first(xs)
    return r, type(r).__name__, r + 1


class _LenStr(str):
    def __len__(self):
        print("str len")
        return 99


class _LenDict(dict):
    def __len__(self):
        print("dict len")
        return 77


@case((["", "abc", "h\u00e9llo", "\U0001f600x", _LenStr("ab")],),
      ([{}, {1: 2, 3: 4}, _LenDict(a=1), {"k": []}],), ([b"xy", {1, 2}, (1,), [2, 3]],),
      (["abc", {1: 2}, 5],), (["abc"],), rev=True)
def len_of_sized(items):
    # len() of an exact str or dict read inline; subclasses and the rest as len()
    total = 0
    for x in items:
        total += len(x)
    return total


@case((40, 0.25), (40, -1.5), (10, 0), (40, 0.25), (30, NAN), (40, 3), (12, 2.0))
def math_functions_loop(n, step):
    # the same in a loop, the names bound by a from-import and through the module
    s = 0.0
    k = 0
    for i in range(n):
        x = (i - n // 2) * step
        s += atan2(x, 2.0) + math.tanh(x) + math.copysign(1.5, x) + log1p(abs(x))
        k += ceil(x) + math.trunc(x) + isnan(x) + (not math.isfinite(x))
        if x > 1.0:
            s += math.log2(x) + math.acosh(x) + math.fmod(x, 0.7)
    print(k)
    return s, k


def _patched_sqrt(x):
    print("patched", x)
    return 7.0


def _unpatch_math():
    _REAL_MATH.sqrt = _ORIG_MATH_SQRT


_ORIG_MATH_SQRT = math.sqrt


@case((4,), (6,), (4.0,), reset=_unpatch_math, cleanup=_unpatch_math)
def math_attr_patched_in_loop(n):
    out = []
    for i in range(n):
        out.append(math.sqrt(i))
        if i == 2:
            math.sqrt = _patched_sqrt
    math.sqrt = _ORIG_MATH_SQRT
    return out


# math.sqrt's global and attribute are borrowed until the callee check; a lookup
# that runs Python code (a module __getattr__) holds the global meanwhile

def _lazy_module(tag, with_sqrt):
    """A module whose sqrt, when not in its dict, comes from a module __getattr__
    that rebinds the global naming the module (dropping its last reference)."""
    m = types.ModuleType(f"lazy{tag}")
    if with_sqrt:
        m.sqrt = _REAL_MATH.sqrt

    def __getattr__(name):
        print("lazy lookup", tag, name)
        globals()["lazy_math"] = _lazy_module(tag + 1, False)
        print("rebound", tag)       # the interpreter frees the module only after this
        return abs if tag % 3 == 2 else _REAL_MATH.sqrt
    m.__getattr__ = __getattr__
    weakref.finalize(m, print, "freed", tag)
    return m


# bound by an import, so that `lazy_math.sqrt(...)` compiles to LOAD_ATTR (a module's
# function), not LOAD_METHOD
import math as lazy_math  # noqa: E402


def _lazy_plain():
    globals()["lazy_math"] = _lazy_module(100, True)


def _lazy_rebinding():
    globals()["lazy_math"] = _lazy_module(0, False)


@case((3, 4.0), (3, 9.0), (2, 2.25), setup=_lazy_plain, reset=_lazy_plain, cleanup=_lazy_plain)
def module_attr_call(n, x):
    t = 0.0
    for i in range(n):
        t += lazy_math.sqrt(x + i)
    return t


@case((3, 4.0), (3, 9.0), (2, 2.25), (1, 16), setup=_lazy_plain, reset=_lazy_rebinding,
      cleanup=_lazy_plain)
def module_attr_rebinds_its_global(n, x):
    # (compiled while the global is a module: its attribute is a getattr)
    t = 0.0
    for i in range(n):
        t += lazy_math.sqrt(x + i)
    return t


@case((4.5,), (-1,), (2,))
def local_math_names(x):
    sqrt = abs
    floor = str
    return sqrt(x), floor(x)


# ===========================================================================
# 4. range loops

@case((5,), (0,), (-3,), (True,), (2.0,), (3,), (False,), ("3",))
def r1(n):
    out = []
    for i in range(n):
        out.append(i)
    return out


@case((2, 7), (7, 2), (-3, 3), (I63 - 3, I63 + 2), (IMIN - 2, IMIN + 2), (False, True), (2, 7),
      (IMAX - 1, IMAX + 1), (1, 2.5), (BIG, BIG + 3))
def r2(a, b):
    out = []
    for i in range(a, b):
        out.append(i)
    return out


@case((0, 10, 3), (10, 0, -3), (0, 10, -1), (0, 10, 0), (I63 - 10, I63 + 10, 7),
      (I63 + 5, I63 - 5, -3), (IMIN + 3, IMIN - 3, -2), (0, 2 ** 64, I62), (0, 10, 2 ** 64),
      (5, 5, 1), (0, 10, 3), (IMAX, IMIN, IMIN), (IMIN, IMAX, IMAX), (0, 5, True),
      (10, 0, -BIG), (0, 1, 1.0))
def r3(a, b, c):
    out = []
    for i in range(a, b, c):
        out.append(i)
    return out


@case((I63 - 3, I63 + 2), (-5, 5), (0, 100000), (IMAX - 2, IMAX + 1), (IMIN, IMIN + 3))
def range_sum(a, b):
    s = 0
    for i in range(a, b):
        s += i
    return s


@case((I63 - 3, 6), (0, 6), (IMIN, 4))
def range_loopvar_arith(start, n):
    out = []
    for i in range(start, start + n):
        out.append(i + 1)
        out.append(i * 2)
    return out


@case((5,), (0,), (1,), (-2,), (5,))
def loopvar_after(n):
    for i in range(n):
        pass
    return i  # noqa: F821 - unbound when the range is empty


@case((0, 10, 3), (10, 0, -4), (0, 0, 1), (I63 - 2, I63 + 10, 5))
def loopvar_after_step(a, b, c):
    i = "init"
    for i in range(a, b, c):
        pass
    return i


@case((10, 4), (10, 20), (0, 0), (5, -1), (10, 4))
def break_else(n, stop):
    for i in range(n):
        if i == stop:
            break
    else:
        return "else", n
    return "break", i


@case((10,), (0,), (20,))
def continue_loop(n):
    out = []
    for i in range(n):
        if i % 3 == 0:
            continue
        out.append(i)
    return out


@case((5, 7), (0, 3), (40, 40), (3, -1), (5, 7))
def nested_range(n, m):
    s = 0
    for i in range(n):
        for j in range(i, m):
            s += i * j
    return s


@case((4, 3), (3, 0), (3, 3))
def nested_break_continue(n, m):
    out = []
    for i in range(n):
        for j in range(m):
            if j == i:
                break
            if (i + j) % 2:
                continue
            out.append((i, j))
        else:
            out.append(("else", i))
    return out


@case((5,), (0,), (3,))
def modify_loopvar(n):
    out = []
    i = -1
    for i in range(n):
        out.append(i)
        i = i * 2 + 100
        out.append(i)
    return out, i


@case((5,), (1,), (0,))
def modify_loopvar_float(n):
    i = None
    for i in range(n):
        i = i / 2
    return i


@case((5,), (0,), (3,))
def modify_loopvar_big(n):
    out = []
    for i in range(n):
        i += IMAX
        out.append(i)
    return out


@case((4,), (0,), (1,))
def range_object_reuse(n):
    r = range(n)
    s = 0
    for i in r:
        for j in r:
            s += i - j
    return s, len(r), r[-1] if n > 0 else None


@case((0, 10, 3), (0, 2 ** 64, 1), (10, 0, -1), (0, 10, 0), (5, 5, 1), (IMIN, IMAX, 1))
def range_len(a, b, c):
    return len(range(a, b, c))


@case((10, -1), (10, 10), (2 ** 64, I63), (10, 0), (0, 0), (10, True), (10, 2.0))
def range_index(n, i):
    return range(n)[i]


@case((5,), (0,), (10,))
def range_in_while(n):
    i = 0
    total = 0
    while i < n:
        for j in range(i):
            total += j
        i += 1
    return total


@case((5,), (-5,), (0,))
def range_neg_step_sum(n):
    s = 0
    for i in range(n, -n, -1):
        s += i * i
    return s


@case((3,))
def range_keyword(n):
    out = []
    for i in range(stop=n):  # TypeError: range() takes no keyword arguments
        out.append(i)
    return out


@case((3,))
def range_too_many(n):
    for i in range(1, n, 1, 1):
        pass
    return n


class Idx:
    """An object that is an index through __index__ (prints when asked)."""

    def __init__(self, v):
        self.v = v

    def __index__(self):
        print("index", self.v)
        return self.v

    def __repr__(self):
        return f"Idx({self.v})"


@case((Idx(3),), (3,), (Idx(-1),), (Idx(0),))
def range_index_obj(n):
    out = []
    for i in range(n):
        out.append(i)
    return out


@case((3, 1), (3, -1), (True, 1))
def range_bool_args(a, b):
    return [i for i in range(a)], [i for i in range(b, a, True)]


def _list_of(n):
    return ["x"] * n


def _fake_range(*a):
    print("fake range", a)
    return ["fake", len(a)]


def _rebind_range():
    globals()["range"] = _fake_range


def _unbind_range():
    globals().pop("range", None)


@case((3,), Do(_rebind_range), (3,), (4,), Do(_unbind_range), (3,), cleanup=_unbind_range)
def range_rebound_between_calls(n):
    out = []
    for i in range(n):
        out.append(i)
    return out


@case((3,), (0,), Do(_unbind_range), (3,), Do(_rebind_range), (3,), setup=_rebind_range,
      cleanup=_unbind_range)
def range_rebound_before_compile(n):
    s = []
    for i in range(n):
        s.append(i * 2)
    return s


@case((4,), (6,), (4,), reset=_unbind_range, cleanup=_unbind_range, globals_=("range",))
def range_rebound_by_body(n):
    global range
    out = []
    for k in range(n):
        out.append(k)
        if k == 1:
            range = _list_of  # noqa: A001
            for j in range(2):
                out.append(j)
    return out


@case((3,), (0,), (3,))
def range_local_name(n):
    range = _list_of  # noqa: A001
    out = []
    for i in range(n):
        out.append(i)
    return out


@case((3, range), (3, _list_of), (2, range), (2, _fake_range), (3, range))
def range_param(n, range):  # noqa: A002
    out = []
    for i in range(n):
        out.append(i)
    return out


# ===========================================================================
# 5. lists and tuples

GETITEM_CALLS = [
    ([1, 2, 3], 0), ([1, 2, 3], -1), ([1, 2, 3], -3), ([1, 2, 3], -4), ([1, 2, 3], 3),
    ((1, 2.5), 1), ((1,), 1), ((1,), -2), ([1, 2], True), ([1, 2], False), ([1, 2], 1.0),
    ([1, 2], 2 ** 64), ([1, 2], IMIN), ("abc", 1), ({1: 2}, 1), ([1.5, 2.5], 0), ([], 0),
    ([1, 2], Idx(1)), ([1, 2], "0"), ([1, 2, 3], 0),
]


@case(*GETITEM_CALLS, rev=True)
def getitem(seq, i):
    return seq[i]


@case(([1, 2, 3], 0, 9), ([1, 2, 3], -1, 2.5), ([1, 2, 3], 3, 0), ([1, 2], -3, 0),
      ([1, 2], True, "x"), ((1, 2), 0, 1), ([1, 2], 0.0, 1), ([1.5], 0, 2), ([1, 2], 2 ** 64, 0),
      ([1, 2, 3], 0, 9), ([], 0, 1), ([1, 2], Idx(-1), 7))
def setitem(lst, i, v):
    lst[i] = v
    return lst


class Deleter:
    """An item whose release runs code that changes another list."""

    def __init__(self, victim):
        self.victim = victim

    def __del__(self):
        self.victim[-1] = "del"

    def __repr__(self):
        return "Deleter()"


def _deleter_args():
    src = [1, 2, 3]
    return src, [Deleter(src), 0, 0], 3


# items moved between lists (the store takes the loaded item's reference), stores
# of the object already there, a store out of range with a fresh object, a released
# item whose __del__ changes the list being read, a list subclass, a reassigned
# parameter
@case(([3, 1, 2, 5], [0, 0, 0, 0], 4), ([1.5, 2, "x"], [None] * 3, 3), ([1, 2], [0], 2),
      ([1, 2, 3], [0, 0, 0], -1), _deleter_args(), ([7, 8], [0, 0], 0),
      (type("L", (list,), {})([4, 5]), [0, 0], 2), ([BIG, -BIG, 1], [0, 0, 0], 3))
def list_moves(src, dst, n):
    for i in range(n):
        dst[i] = src[i]
    lo, hi = 0, len(dst) - 1
    while lo < hi:
        t = dst[lo]
        dst[lo] = dst[hi]
        dst[hi] = t
        lo += 1
        hi -= 1
    dst[0] = dst[0]
    src[0] = [n, n + 1]
    try:
        dst[n + 5] = [n]
    except IndexError as e:
        print(e)
    if n == 0:
        src = (1, 2)
    return src[0], dst


@case(([1, 2, 3],), ([1.5, 2.5],), ((1, 2, 3),), ([1, 2, 3.5, "x"],), ([I62, I62, 1],),
      ([True, 2],), ([],), ([1, 2, 3],), ((1.5, 2),), ([BIG, 1],))
def sum_index_loop(xs):
    s = 0
    for i in range(len(xs)):
        s += xs[i]
    return s


@case(([1, 2, 3], 5), ([1, 2, 3], 3), ((1.0, 2.0), 4), ([1, 2, 3], -1))
def index_past_end(xs, n):
    s = 0
    for i in range(n):
        s += xs[i]
        print(i)
    return s


@case(([1, 2, 3],), ((1.5, 2.5, 3.5),), ([],), ([1, 2, 3],))
def neg_index_loop(xs):
    s = 0
    for i in range(1, len(xs) + 2):
        s = s * 2 + xs[-i]
    return s


@case(([3, 1, 2],), ([3.5, 1, 2.5, -0.0, 0.0],), ([],), ([1, "a"],), ([NAN, 1.0, 0.5],),
      ([3, 1, 2],))
def bubble_sort(xs):
    n = len(xs)
    for i in range(n):
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
    return xs


ROW = [1.0, 2.0]


@case(([[1.0, 2.0], [3.0]],), ([[1, 2], [3]],), ([[1, 2], "ab"],), ([ROW, ROW],),
      ([[IMAX], [1.5]],), ([(1, 2)],), ([[1.0, 2.0], [3.0]],))
def nested_inc(a):
    for i in range(len(a)):
        for j in range(len(a[i])):
            a[i][j] += 1.0
    return None


@case(([[1, 2], [3, 4]], 2), ([[1.5, 2.5], [3.5, 4.5]], 2), ([[1, 2], [3]], 2),
      ([[IMAX, 1], [1, 1]], 2))
def matmul_square(m, n):
    out = []
    for i in range(n):
        out.append([0] * n)
    for i in range(n):
        for j in range(n):
            s = 0
            for k in range(n):
                s += m[i][k] * m[k][j]
            out[i][j] = s
    return out


@case(([1, 2, 3, 4.5, "s"],), ([1, 2, 3],), ([1, 2.5, None],), ([1.5, 2],))
def elem_types_change(xs):
    s = 0
    for i in range(len(xs)):
        s = s + xs[i]
    return s


class LoudList(list):
    def __getitem__(self, i):
        print("get", i)
        return list.__getitem__(self, i)

    def __setitem__(self, i, v):
        print("set", i, v)
        list.__setitem__(self, i, v)

    def __len__(self):
        print("len")
        return list.__len__(self)


class LoudTuple(tuple):
    def __getitem__(self, i):
        print("tget", i)
        return tuple.__getitem__(self, i) * 10


@case(([1, 2, 3],), (LoudList([1, 2, 3]),), ([1.5],), (LoudList([1.5, 2]),), ([1, 2, 3],),
      (LoudList([IMAX]),))
def subclass_loop(xs):
    for i in range(len(xs)):
        xs[i] = xs[i] * 2
    return xs


@case(((1, 2, 3),), (LoudTuple((1, 2, 3)),), ((1.5, 2.5),), (LoudTuple((1.5,)),))
def tuple_subclass_sum(t):
    s = 0
    for i in range(len(t)):
        s += t[i]
    return s, t[-1]


@case((LoudList([1, 2]), 0), ([1, 2], 0), (LoudList([1, 2]), 5), (LoudList([1, 2]), -1))
def subclass_augassign(xs, i):
    xs[i] += 1
    return xs[i]


class BigLen:
    def __len__(self):
        return 2 ** 70


class NegLen:
    def __len__(self):
        return -1


class FloatLen:
    def __len__(self):
        return 2.0


@case(([1, 2],), ((),), ("h\u00e9llo",), ({1: 2},), (range(0, 2 ** 64),), (range(10),),
      (LoudList([1]),), (5,), (BigLen(),), (NegLen(),), (FloatLen(),), (b"ab",), ([1, 2],),
      (range(IMIN, IMAX),))
def len_(x):
    return len(x)


@case(([1, 2, 3],), ("abc",), ((1,),), ({},), (LoudList([1, 2]),), ([],))
def len_loop(xs):
    out = []
    for i in range(len(xs) + 1):
        out.append(len(xs) - i)
    return out


@case(((1, 2),), ((1.5, 2),), ((1, 2, 3),), ((1,),), ([3, 4],), ("ab",), ((BIG, -0.0),),
      ((1, 2),))
def swap_tuple(t):
    a, b = t
    return b, a


@case((7, 2), (-7, 2), (7.5, -2), (IMIN, -1), (7, 0), (BIG, 7), (7, 2))
def divmod_unpack(a, b):
    q, r = divmod(a, b)
    return q * b + r, (q, r)


@case(([3, 1, 2],), ([2.5, -0.0, 0.0, 7],), ([NAN, 1.0],), ([],), ([1, 2.0, True],),
      ([3.5, -1.0, 7.25],), (["b", "a"],), ([1.0, NAN],), ([3.5, -1.0, 7.25],))
def minmax_ret(xs):
    lo, hi = xs[0], xs[0]
    for x in xs:
        if x < lo:
            lo = x
        if x > hi:
            hi = x
    return lo, hi


def _pair(i):
    return i, i * 2.5


@case((5,), (0,), (5,))
def use_pair(n):
    s = 0.0
    for i in range(n):
        a, b = _pair(i)
        s += a + b
    return s


@case(((1, 2.5, 3),), ((1, 2),), ((IMAX, 1, 2),), ([1, 2, 3],), ((1.5, 2.5, 3.5),))
def tuple_fields(t):
    return t[0] + t[2], t[1] * 2, t[-1] - t[0], (t[0], t[1])


@case(([1, 2, 3], 1), ([1.5, 2.5], 0), ([1, 2, 3], 5), ([[1], [2]], 0))
def list_alias_mutation(xs, i):
    ys = xs
    ys[i] = ys[i] * 2
    zs = xs[:]
    zs[i] = "copy"
    return xs, ys is xs, zs


# ===========================================================================
# 6. guards and deopt with side effects

def _g_helper(x):
    return x + 1


def _g_helper2(x):
    print("helper2", x)
    return x * 100


G_FN = _g_helper


def _reset_g_fn():
    global G_FN
    G_FN = _g_helper


@case((5,), (2,), (5,), reset=_reset_g_fn, cleanup=_reset_g_fn, globals_=("G_FN",))
def rebinds_global_fn(n):
    global G_FN
    out = []
    for i in range(n):
        out.append(G_FN(i))
        if i == 2:
            G_FN = _g_helper2
    return out


def _fake_len(x):
    print("fake len")
    return -7


def _unbind_len():
    globals().pop("len", None)


@case(([1, 2],), ("abc",), ([1, 2],), reset=_unbind_len, cleanup=_unbind_len, globals_=("len",))
def rebinds_len_in_loop(xs):
    global len
    out = []
    for i in range(3):
        out.append(len(xs))
        if i == 1:
            len = _fake_len  # noqa: A001
    return out


def _fake_abs(x):
    print("fake abs", x)
    return 42


def _unbind_abs():
    globals().pop("abs", None)


@case((4,), (4.5,), (4,), reset=_unbind_abs, cleanup=_unbind_abs, globals_=("abs",))
def rebinds_abs_in_loop(n):
    global abs
    s = 0
    for i in range(-2, 3):
        s += abs(i * n)
        if i == 0:
            abs = _fake_abs  # noqa: A001
    return s


SCALE = 3


def _scale(v):
    def set_scale():
        global SCALE
        SCALE = v
    return Do(set_scale, f"SCALE={v!r}")


@case((10,), _scale(I62), (10,), _scale(2.5), (10,), _scale("ab"), (3,), _scale(True), (10,),
      _scale(3), (10,), cleanup=_scale(3).fn)
def uses_scale(n):
    s = 0
    for i in range(n):
        s += i * SCALE
    return s


@case(([10, 20, 30], [0, 1, 2]), ([10, 20, 30], [0, Idx(1), Idx(-1)]), ([1.5, 2.5], [Idx(0), 1]),
      ([1, 2], [Idx(5)]), ([10, 20, 30], [0, 1, 2]), ([1, 2], [True, False, -1]))
def idx_loop(xs, idxs):
    s = 0
    for i in range(len(idxs)):
        s += xs[idxs[i]]
    return s


class Loud:
    def __init__(self, v):
        self.v = v

    def __add__(self, o):
        print("add", self.v, o)
        return Loud(self.v + (o.v if isinstance(o, Loud) else o))

    def __radd__(self, o):
        print("radd", o, self.v)
        return Loud(o + self.v)

    def __mul__(self, o):
        print("mul", self.v, o)
        return Loud(self.v * (o.v if isinstance(o, Loud) else o))

    __rmul__ = __mul__

    def __eq__(self, o):
        print("eq", self.v, o)
        return self.v == (o.v if isinstance(o, Loud) else o)

    def __lt__(self, o):
        print("lt", self.v, o)
        return self.v < (o.v if isinstance(o, Loud) else o)

    def __gt__(self, o):
        print("gt", self.v, o)
        return self.v > (o.v if isinstance(o, Loud) else o)

    def __bool__(self):
        print("bool", self.v)
        return bool(self.v)

    def __index__(self):
        print("index", self.v)
        return int(self.v)

    __hash__ = None

    def __repr__(self):
        return f"Loud({self.v!r})"


@case(([1, 2, 3],), ([1, Loud(2), 3],), ([Loud(0), 1, 2.5],), ([1.5, 2],), ([1, 2, 3],),
      ([IMAX, Loud(1)],))
def loud_sum(xs):
    s = 0
    for x in xs:
        s = s + x
        if s == 3:
            print("three")
        if x:
            print("truthy")
    return s


@case((1, 2), (Loud(1), 2), (1, Loud(2)), (1.5, 2.5), (Loud(0), Loud(0)), (1, 2), (IMAX, 1))
def loud_mix(a, b):
    out = []
    for i in range(3):
        out.append(a + i)
        out.append(i + b)
        out.append(a * i)
        out.append(a == b)
        if a:
            out.append("a")
    return out


@case(([3, 1, 2],), ([Loud(3), 1, 2],), ([2.5, Loud(1)],), ([3, 1, 2],))
def loud_compare_loop(xs):
    best = xs[0]
    for i in range(1, len(xs)):
        if xs[i] < best:
            best = xs[i]
        elif xs[i] > best:
            print("bigger", i)
    return best


@case(([10, 20, 30], Loud(1)), ([10, 20, 30], 1), ([1.5], Loud(0)), ([10, 20], Loud(5)))
def loud_index(xs, k):
    got = []
    for i in range(k):
        got.append(xs[i])
    return xs[k], range(k), got


@case((10,), (1,), (0,), (60,), (10,))
def while_type_change(n):
    x = 1
    i = 0
    out = []
    while i < n:
        x = x * 3
        if i == n // 2:
            x = x / 2
        out.append(x)
        i += 1
    return x, out


@case((7,), (0,), (8,))
def while_int_float_flip(n):
    x = 0
    i = 0
    while i < n:
        if i % 2:
            x = x + 0.5
        else:
            x = int(x) + 1
        i += 1
    return x


@case((6,), (3,))
def while_int_to_big(n):
    x = IMAX - 2
    out = []
    i = 0
    while i < n:
        x += 1
        out.append(x - IMAX)
        i += 1
    return out


@case((10,), (0,), (1,), (20,), (15.0,), (True,), (-5,), (False,), (10,), install=("fib",))
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@case((10,), (2.0,), (10,))
def fib_uncompiled_callee(n):
    return fib(n) + fib(n + 1)


@case((I62, 3), (1, 70), (1.5, 10), (IMIN, 1), (1, 3), (True, 2), install=("sum_down",))
def sum_down(n, k):
    return n if k == 0 else sum_down(n + n, k - 1)


@case((2, 3), (1, 5), (0, 0), (0, IMAX), (0, BIG), (2, 2), install=("ack",))
def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))


@case((20,), (25,), (1,), (5.0,), (True,), (21,), install=("fact",))
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


@case((3, 45), (-2, 64), (0.5, 10), (2, 62), (2, 63), (3, 5), install=("rpow",))
def rpow(b, e):
    return 1 if e == 0 else b * rpow(b, e - 1)


@case((10,), (7,), (0,), (50,), (True,), install=("is_even", "is_odd"))
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


@case((10,), (7,), (0,), (3.0,), install=("is_odd", "is_even"))
def is_odd(n):
    return False if n == 0 else is_even(n - 1)


@case((30,), (100,), (30,), install=("collatz_len",))
def collatz_len(n):
    if n == 1:
        return 0
    return 1 + collatz_len(n // 2 if n % 2 == 0 else 3 * n + 1)


@case((IMAX,), (2 ** 64 + 1,), (7,), install=("big_collatz_steps",))
def big_collatz_steps(n):
    # 3n + 1 of an int near 2**63 leaves 64 bits inside the recursion
    if n <= 1 or n > 2 ** 70:
        return n
    return big_collatz_steps(n // 2 if n % 2 == 0 else 3 * n + 1)


# ===========================================================================
# 7. exceptions inside specialised loops

@case((6,), (2,), (6,))
def try_div_zero_loop(n):
    out = []
    x = I62
    for i in range(n):
        try:
            x = x * 2 // (i - 2)
        except ZeroDivisionError as e:
            out.append(str(e))
            x = I62
        out.append(x)
    return out


@case(([1, 0, 3, 2.5, 0.0, "x", -7],), ([1, 2],), ([0, 0],), ([IMIN, -1],))
def try_div_loop(xs):
    out = []
    for i in range(len(xs)):
        try:
            out.append(100 // xs[i])
        except ZeroDivisionError as e:
            out.append(("zde", str(e)))
        except TypeError as e:
            out.append(str(e))
        finally:
            out.append(i)
    return out


@case((3,), (1,), (0,), (3,))
def finally_return(n):
    try:
        s = 0
        for i in range(n):
            s += 10 // (n - i - 1)
        return s
    finally:
        print("finally", n)


@case((5,), (0,), (5,))
def try_overflow_loop(n):
    out = []
    x = IMAX - 2
    for i in range(n):
        try:
            x = x + 1
            if x > IMAX:
                raise OverflowError("past i64")
            out.append(x - IMAX)
        except OverflowError as e:
            out.append(str(e))
            x = x - 10
    return out, x


@case((2,), (I62,), (1.5,), (0,))
def tb_overflow_escape(a):
    x = a
    for i in range(3):
        x = x * x
    return x // (x - x)


def _tb_helper(n):
    return [1, 2, 3][n]


@case((5,), (1,), (-4,), (1.5,))
def tb_callee(n):
    return _tb_helper(n) + 1


@case(([10, 2, 0, 5],), ([10, 2],), ([1, 0],), ([1.5, 0.0],))
def tb_multiline(xs):
    total = 0
    for i in range(len(xs)):
        total += (
            xs[i]
            // xs[-1 - i]
        )
    return total


@case((0,), (2,), (0,))
def exc_in_except(n):
    try:
        return 1 // n
    except ZeroDivisionError:
        return [][n]


@case((3,), (7,), (3,))
def reraise_loop(n):
    for i in range(n):
        try:
            if i == 3:
                raise ValueError(i)
        except ValueError:
            if n > 5:
                raise
    return n


@case((0,), (1,))
def exc_var_cleared(n):
    e = "before"
    try:
        1 // n
    except ZeroDivisionError as e:  # noqa: F841
        pass
    return e


@case((1,), (-3,), (7.0,), (IMAX,))
def while_try_overflow(x):
    n = 0
    while True:
        try:
            x = x * 10
            if x > 10 ** 30 or x < -10 ** 30:
                raise OverflowError("big")
        except OverflowError as exc:
            return n, str(exc), x
        n += 1


@case((10, 3), (10, 0), (5, -1), (3, 2.0))
def raise_from_in_loop(n, d):
    out = []
    for i in range(n):
        try:
            out.append(i // d)
        except ZeroDivisionError as e:
            raise ValueError(f"bad divisor at {i}") from e
    return out


@case((4,), (0,), (4,))
def nested_try_finally_loop(n):
    log = []
    for i in range(n):
        try:
            try:
                if i % 2:
                    log.append(1 // (i - i))
                log.append(i)
            finally:
                log.append("inner")
        except ZeroDivisionError:
            log.append("caught")
            continue
        finally:
            log.append("outer")
    return log


@case((5,), (3,))
def exc_deep_in_math_loop(n):
    out = []
    for i in range(n):
        try:
            out.append(math.sqrt(2 - i))
        except ValueError as e:
            out.append(str(e))
            out.append(math.log(i - 2))  # raises again at i == 2, escapes
    return out


@case(([1, 2, 3], 5), ([1.0], 1), ([1, 2, 3], 2))
def index_error_caught_loop(xs, n):
    out = []
    for i in range(n):
        try:
            out.append(xs[i] * 2)
        except IndexError as e:
            out.append(str(e))
    return out


# ===========================================================================
# 9. more targeted: the specialiser's own shortcuts (bools unboxed as ints,
#    identity of boxed ints, int subclasses, keyword calls, direct calls,
#    deopt with a busy operand stack / inside handlers, finally and with)

@case(([1, True, True, False],), ([1, 2, 3],), ([True, False],), ([1, True],), ([0, False, 1],),
      ([1, True, True, False],))
def list_bitops_bools(xs):
    out = []
    for i in range(len(xs) - 1):
        out.append(xs[i] & xs[i + 1])
        out.append(xs[i] | xs[i + 1])
        out.append(xs[i] ^ xs[i + 1])
    return out


@case(((1, True), (False, True)), ((3, 5), (6, 7)), ((True, True), (1, 1)))
def tuple_bitops_bools(a, b):
    x, y = a
    z, w = b
    return x & y, z | w, x ^ w, y & z


@case(([1.0, 5.0, 2.0], 2.5), ([1, 5, 2], 2), ([NAN, 1.0], 0.5), ([1, 2.5], 2))
def count_true(xs, t):
    c = 0
    for i in range(len(xs)):
        c += xs[i] > t
    return c, (xs[0] > t) + 0, (xs[0] < t) * 2


@case((5,), (1000,), (IMAX // 1000,), (-3,), (1000,))
def is_same_int(n):
    x = n * 1000
    y = x
    lst = [x, x]
    return x is y, x is x, lst[0] is lst[1], y is lst[0]


@case((2.5,), (1e300,), (-0.0,), (2.5,))
def is_same_float(f):
    x = f * 2.0
    y = x
    return x is y, x is x, [x, y][0] is [x, y][1]


@case((7,), (IMAX,), (2 ** 70,))
def is_small_int_cache(n):
    a = n - n + 5
    b = 2 + 3
    c = n - n + 1000
    d = 999 + 1
    return a is b, c is d, a == b, c == d


class MyInt(int):
    def __add__(self, o):
        print("MyInt add", int(self), o)
        return MyInt(int(self) + int(o))

    __radd__ = __add__

    def __repr__(self):
        return f"MyInt({int(self)})"


class MyFloat(float):
    def __mul__(self, o):
        print("MyFloat mul", float(self), o)
        return MyFloat(float(self) * float(o))

    __rmul__ = __mul__

    def __repr__(self):
        return f"MyFloat({float(self)!r})"


@case((3, 1), (3, MyInt(1)), (MyInt(2), 5), (3, True), (3, 1), ([1, MyInt(2)], 0))
def int_subclass_loop(n, m):
    s = 0
    for i in range(3):
        s = s + m
        s = i + s
    return s, type(s).__name__


@case(([1, 2, 3],), ([1, MyInt(2), 3],), ([MyInt(5)],), ([1, 2, 3],))
def int_subclass_elements(xs):
    s = 0
    for i in range(len(xs)):
        s = s + xs[i]
        print(type(s).__name__)
    return s


@case((2.0, 3), (MyFloat(2.0), 3), (2.0, 3), (MyFloat(-0.0), 2))
def float_subclass_loop(x, n):
    p = 1.0
    for i in range(n):
        p = p * x
    return p, x * p


import enum  # noqa: E402


class Color(enum.IntFlag):
    R = 1
    G = 2
    B = 4


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 10


@case(([Color.R, Color.G, Color.B],), ([1, 2, 4],), ([Level.LOW, Level.HIGH, 3],), ([1, Color.B],))
def intenum_fold(xs):
    acc = xs[0]
    sums = 0
    for i in range(1, len(xs)):
        acc = acc | xs[i]
        sums = sums + xs[i]
    return acc, sums, repr(acc)


@case((1,), (1, 2), KW(a=1), KW(b=1.5, a=2), (-1,), (2.5,), KW(2, b=IMAX), (IMAX,), KW(a=True),
      (1, 2), KW(b=2, a=IMIN), KW())
def with_default(a, b=IMAX):
    return a + b


@case((3, 4), KW(3, y=4.5), KW(y=1, x=2), (IMAX, 1), KW(x=IMAX, y=1), KW(x=1), (1, 2, 3),
      KW(1, 2, x=3), (3, 4))
def kw_loop(x, y):
    s = 0
    for i in range(x if type(x) is int and x < 100 else 3):
        s = s + y * i
    return s


@case(KW(5), KW(5, step=2), KW(5, scale=2.5), KW(n=4, scale=IMAX), KW(5, step=0), KW(5, step=-1),
      KW(5, scale="ab"), KW(), KW(5, 6), KW(5, stp=1), KW(IMAX // 2, step=IMAX // 4), KW(5))
def kwonly_loop(n, *, step=1, scale=3):
    # keyword-only parameters are dispatched on (and unboxed) like positional ones
    log, s = [], 0
    for i in range(0, n, step):
        s = s + i * scale
        log.append(s)
    return s, log[-2:]


@case((1,), (1, 2, 3), (1.5, 2), (IMAX, 1, 1), KW(1, k=2), KW(2, 3, k=IMAX, z=0), ("a", "b"), (),
      KW(x=1, k=3), (1,))
def variadic_spec(x, *args, k=2, **kw):
    t = x
    for a in args:
        t = t * k + a         # leaves 64 bits with IMAX
    return t, len(kw), sorted(kw)


@case((10, 3), (10, IMAX), (10, 2.5), (3, 0), (40, 7), (10, True), (10, 3))
def kept_raw_calls(n, k):
    def mix(x, y):
        return x * y - 1 if y else None     # None for y == 0: an object result
    def half(z):
        return z / 2
    t = 0
    for i in range(n):
        r = mix(i, k)
        t = t + (r if r is not None else 1)
    return t, half(t) if type(t) in (int, float) else None


@case((2, 1), (2, 0), (100, 1), (100, 2), (2.0, 1), (2, 1), install=("rec_overflow",))
def rec_overflow(n, x):
    if n == 0:
        return x
    y = rec_overflow(n - 1, x * 2)   # x leaves 64 bits deep in the recursion
    return y + n


@case((12,), (70,), (5,), (70,), install=("rec_mixed",))
def rec_mixed(n):
    if n <= 0:
        return 1
    if n % 3 == 0:
        return rec_mixed(n - 1) * 1.5
    return rec_mixed(n - 1) * 2 + 1


def _callee_a(n):
    return n * 2


def _callee_b(n):
    print("callee_b", n)
    return n * 1000.5


def _callee_c(n):
    return -n


CALLEE = _callee_a


def _set_callee(name, compiled):
    def do():
        f = globals()[name]
        globals()["CALLEE"] = _compile(f) if compiled else f
    return Do(do, f"CALLEE={name}{' compiled' if compiled else ''}")


@case(_set_callee("_callee_a", True), (5,), (IMAX // 4,), _set_callee("_callee_b", False), (5,),
      _set_callee("_callee_c", True), (5,), (2.5,), _set_callee("_callee_a", True), (5,),
      cleanup=_set_callee("_callee_a", False).fn)
def direct_call_rebound(n):
    s = 0
    for i in range(3):
        s = s + CALLEE(n + i)
    return s


def _cmp_callee(a, b):
    if a < b:
        return a * b
    return a / b


def _install_cmp_callee():
    globals()["CMP_CALLEE"] = _compile(_cmp_callee)


CMP_CALLEE = _cmp_callee


@case((3, 5), (5, 3), (SQ, SQ + 1), (2.5, 1.5), (0, 0), (3, 5), setup=_install_cmp_callee)
def direct_call_return_types(a, b):
    out = []
    for i in range(3):
        out.append(CMP_CALLEE(a + i, b))
    return out


def tup_qr(a, b):
    q = a // b
    return q, a - q * b


def tup_sq(x):
    return x * x, x * 0.5


def tup_mixed_returns(x):
    if x > 0:
        return x, -x
    return x          # not always a tuple: callers get objects


def tup_list_instead(a, b):
    return [b, a]


@case((17, 5), (-17, 5), (IMAX - 4, 3), (IMIN + 4, -1), (5, 0), (2.5, 2), (True, 3), (BIG, 7),
      (17, 5), install=("tup_qr", "tup_unpack_loop"))
def tup_unpack_loop(a, b):
    s = 0
    for i in range(1, 4):
        q, r = tup_qr(a - i, b)
        s += q * 10 + r
    return s


@case((3,), (SQ - 2,), (SQ,), (2.5,), (-SQ - 1,), (3,), install=("tup_sq", "tup_overflow_in_callee"))
def tup_overflow_in_callee(x):
    out = []
    for i in range(3):
        y, h = tup_sq(x + i)      # (SQ)**2 leaves 64 bits inside the callee
        out.append((y, h))
    return out


@case((4,), (-1,), (2,), (0,), (4,), install=("tup_mixed_returns", "tup_mixed_caller"))
def tup_mixed_caller(n):
    out = []
    for i in range(3):
        try:
            a, b = tup_mixed_returns(n - i)
            out.append(a - b)
        except TypeError as e:
            out.append(str(e))
    return out


@case((7, 3), (1, 2), (IMAX, 1), (7, 3), install=("tup_qr", "tup_kept"))
def tup_kept(a, b):
    t = tup_qr(a, b)          # the tuple itself is used: built by the callee
    q, r = t
    return t, q + r, t is t


TUP_CALLEE = tup_qr


def _set_tup_callee(f, compiled):
    def do():
        globals()["TUP_CALLEE"] = _compile(f) if compiled else f
    return Do(do, f"TUP_CALLEE={f.__name__}{' compiled' if compiled else ''}")


@case(_set_tup_callee(tup_qr, True), (9, 4), (9, 4), _set_tup_callee(tup_list_instead, False),
      (9, 4), _set_tup_callee(tup_list_instead, True), (9, 4), (1, 2),
      _set_tup_callee(tup_qr, True), (9, 4), (9, 0),
      cleanup=_set_tup_callee(tup_qr, False).fn)
def tup_callee_rebound(a, b):
    s = []
    for i in range(2):
        x, y = TUP_CALLEE(a + i, b)
        s.append(x * 100 + y)
    return s


@case((10,), (92,), (93,), (100,), (0,), (10,), install=("fib_pair",))
def fib_pair(n):
    if n == 0:
        return 0, 1
    a, b = fib_pair(n - 1)
    return b, a + b


def _fake_builtin_abs(x):
    print("patched abs", x)
    return "abs!"


def _fake_builtin_max(*a):
    print("patched max", a)
    return "max!"


# The function below runs with a builtins namespace of its own (a function's
# builtins come from its globals' __builtins__), so patching it between calls
# changes what `abs` and `max` mean for that function only (not for the compiler).
import builtins as _builtins_module  # noqa: E402

PRIVATE_BUILTINS = dict(_builtins_module.__dict__)


def _patch_private_builtins():
    PRIVATE_BUILTINS["abs"] = _fake_builtin_abs
    PRIVATE_BUILTINS["max"] = _fake_builtin_max


def _unpatch_private_builtins():
    PRIVATE_BUILTINS["abs"] = _builtins_module.abs
    PRIVATE_BUILTINS["max"] = _builtins_module.max


def _del_private_abs():
    del PRIVATE_BUILTINS["abs"]


def builtins_patched_between_calls(a, b):
    out = []
    for i in range(2):
        out.append(abs(b - i))
        out.append(max(a, b + i))
    return out


builtins_patched_between_calls = types.FunctionType(
    builtins_patched_between_calls.__code__,
    {"__builtins__": PRIVATE_BUILTINS, "__name__": __name__}, "builtins_patched_between_calls")
case((3, -4), (2.5, -1.5), Do(_patch_private_builtins), (3, -4), (2.5, -1.5), (3, -4),
     Do(_unpatch_private_builtins), (3, -4), (2.5, -1.5), Do(_del_private_abs), (3, -4),
     Do(_unpatch_private_builtins), cleanup=_unpatch_private_builtins)(
    builtins_patched_between_calls)


@case((10, 3), (IMAX - 5, 3), (IMIN + 5, -3), (IMAX - 20, 7), (10, 3))
def deopt_mid_range(start, step):
    out = []
    x = I62 // 16
    stop = start + 10 * step if -IMAX < start + 10 * step < IMAX else (IMAX if step > 0 else IMIN)
    for i in range(start, stop, step):
        x = x * 2        # leaves 64 bits on the 5th iteration
        out.append((i - start, x.bit_length()))
    return out, i - start


@case((3,), (I62,), (2.5,))
def deopt_busy_stack(x):
    out = []
    for i in range(3):
        print("v", i, x * 3, [x, x * 5, {"k": x * 7}], f"{x * 11}")
        out.append((x * 13, x < x * 17 < x * 19))
        x = x * 4
    return out, len(out)


@case((3,), (I62,), (2.5,))
def deopt_in_call_kwargs(x):
    out = []
    for i in range(2):
        out.append(_kw_target(1, b=x * 3, c=x * x))
    return out


def _kw_target(a, b=0, c=0):
    return (a, b, c)


@case(([1, 2, 3], 10), ([1, 2, 3], I62), ([1.5], 2), ([1, 2], I62))
def deopt_with_list_iter_on_stack(xs, k):
    out = []
    for x in xs:
        for y in xs:
            k = k * 2 + x * y
            out.append(k % 1000)
    return out, k


@case((4,), (0,), (4,))
def handler_sees_local(n):
    x = 0
    i = -1
    try:
        for i in range(n + 5):
            x = x + i * 1.5
            if i == n:
                raise KeyError(i)
    except KeyError:
        return x, i
    return x, -1


@case((3,), (I62,), (2.5,), (I62,))
def deopt_in_handler(x):
    try:
        raise ValueError("v")
    except ValueError:
        y = x * x       # deopts (leaves 64 bits) while ValueError is being handled
        return y, sys.exc_info()[0]


@case((3,), (I62,), (3,), (I62,))
def deopt_then_bare_raise(x):
    try:
        raise ValueError("v")
    except ValueError:
        y = x * x
        print(y)
        raise


@case((3,), (I62,), (3,), (I62,))
def deopt_in_finally_pending(x):
    try:
        return 1 // (x - x)
    finally:
        y = x * x       # deopts while the ZeroDivisionError is pending
        print("finally", y)


@case((3,), (I62,), (3,), (I62,))
def deopt_in_finally_return(x):
    try:
        y = x + 1
    finally:
        y = x * x
        print("finally", y)
    return y


class LoudCM:
    def __init__(self, name, swallow=False):
        self.name = name
        self.swallow = swallow

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, t, v, tb):
        print("exit", self.name, t.__name__ if t else None, v)
        return self.swallow


@case((3, 1), (3, I62), (50, 1), (3, 1.5), (50, 1))
def with_deopt(n, x):
    with LoudCM("a"):
        for i in range(n):
            x = x * 3
            if i == 40:
                raise KeyError(x)
    return x


@case((3, 1), (3, I62), (50, 1), (3, 1))
def with_swallow_deopt(n, x):
    with LoudCM("b", swallow=True):
        for i in range(n):
            x = x * 3
        raise KeyError(x)
    return x


@case((5, 1), (5, 0), (5, -1), (5, 1))
def del_unboxed(n, k):
    x = n * 2
    y = n * 2.5
    if k > 0:
        del x
    if k < 0:
        del y
    try:
        return x + 1, y
    except UnboundLocalError as e:
        return str(e)


@case((5,), (0,))
def del_then_read(n):
    x = n * 3
    del x
    return x  # noqa: F821


@case((3, 2), (I62, 3), (2.5, 1), (-I62, 3))
def chained_compare_deopt(x, n):
    out = []
    for i in range(n):
        out.append(0 < x * i < x * x)
        out.append(x * i == x * i != -1)
    return out


@case(([(1, 2.5), (2.5, 1), (IMAX, 1.0), (True, False)],), ([(1, 2.5), (3, 4.5)],),
      ([(1, 2)],), ([(1.0, 2.0), (1, 2, 3)],))
def tuple_hint_unpack(ts):
    out = []
    for i in range(len(ts)):
        a, b = ts[i]
        out.append(a + b)
        out.append(a * 2)
        out.append(b - a)
    return out


@case((0,), (1,), (2,), (3,), (0,))
def match_deopt(k):
    x = I62 if k % 2 else 5
    match k:
        case 0 | 1:
            return x * 4
        case 2:
            return [x * 2, x * 3]
        case _:
            return {"x": x * 2}


@case((10,), (10 ** 6,), (10,))
def float_int_round_trip(n):
    out = []
    x = 0.5
    for i in range(n if n < 100 else 80):
        x = x * 1.7 + i
        j = int(x)
        out.append(j % 7)
    return out, x


@case((3, 4.0), (IMAX, 1.0), (2 ** 53 + 1, 1.0), (1, NAN), (3, 4.0))
def int_plus_float_loop(n, f):
    s = f
    for i in range(3):
        s = s + n
        s = n + s
    return s, n == s, n < s


@case((0.1, 10.0, -1.0), (1.0, 1.0, 1.0), (1e308, 10.0, -INF), (0.1, 3, 0.0), (2, 3, 4),
      (0.1, 10.0, -1.0))
def fma_probe(a, b, c):
    # a * b + c must round twice (no fused multiply-add)
    return a * b + c, c + a * b, a * b - c


@case(([0.1, 0.2, 0.3], [10.0, 10.0, -20.0]), ([1, 2], [3, 4]), ([0.1] * 5, [3.0] * 5),
      ([1e16, 1.0, -1e16], [1.0, 1.0, 1.0]))
def dot_product(xs, ys):
    s = 0.0
    for i in range(len(xs)):
        s += xs[i] * ys[i]
    return s


@case((1e16, 1.0), (INF, 1.0), (NAN, 0.0), (-0.0, 0.0), (0.0, -0.0), (1.0, 1e-17), (3, 2.5),
      (1e16, 1.0))
def float_identities(x, y):
    # nothing here may be simplified algebraically
    return ((x + y) - x, x * 0.0, x - x, x + 0.0, x + -0.0, 0.0 - x, -x, x * 1.0, x / 1.0,
            (x * y) / y, x * y * 0.5 * 2.0, x != x, x == x, -(-x))


@case((NAN,), (-0.0,), (0.0,), (INF,), (0,), (3,), (IMIN,), (0.5,), (NAN,))
def truth_values(x):
    out = []
    if x:
        out.append("t")
    if not x:
        out.append("f")
    y = x * 1
    while y:
        out.append("w")
        break
    out.append(bool(y))
    out.append(x and 7)
    out.append(x or 8)
    return out


@case(([1],), ([5, 1],), ([1, 2, 3],), ([3, 3, 3],))
def len_changes(xs):
    i = 0
    out = []
    while i < len(xs):
        if xs[i] > 2:
            xs.pop()
        else:
            xs.append(xs[i] + 3)
        out.append(len(xs))
        i += 1
    return out


@case(([], 10), ([1.5], 5), ([IMAX], 3), ([], 40))
def grow_while_indexing(xs, n):
    s = 0
    for i in range(n):
        xs.append(i)        # reallocates the item array now and then
        s += xs[i] + xs[-1]
    return s, len(xs)


def _shrink(xs):
    xs.clear()


@case(([1, 2, 3, 4],), ([1.5, 2.5, 3.5],), ([1, 2],))
def callee_shrinks(xs):
    s = 0
    for i in range(len(xs)):
        if i == 2:
            _shrink(xs)
        s += xs[i]
    return s


class Noisy:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)


@case((3,), (0,), (3,))
def del_timing(n):
    x = None
    for i in range(n):
        x = Noisy(i)
        print("made", i)
    x = None
    print("end")
    return n


@case((4, 3), (4, I62), (40, 3), (4, 1.5))
def del_timing_deopt(n, x):
    for i in range(n):
        tmp = Noisy(i)
        x = x * 3          # leaves 64 bits part way (a deopt with tmp alive)
        tmp = None
        print("x bits", x.bit_length() if type(x) is int else x)
    return x


@case((["a", "b"], 0), ([1, 2], 1), (["a", "b"], -1), ([1.5], 0))
def del_on_setitem(xs, i):
    xs = [Noisy(x) if type(x) is str else x for x in xs]
    print("before")
    xs[i] = Noisy("new")
    print("after")
    xs[i] = 5
    print("end")
    return len(xs)


@case((10, 1), (10, 2), (3, I62), (10, 1.5), (10, 1))
def nested_deopt(n, x):
    out = []
    for i in range(n):
        for j in range(i, -1, -1):
            x = x * 3 + j
        out.append(x % 1000)
    return out


@case((3, 10), (3.0, 10), (True, 2), (BIG, 10), (-1, 10), (4, 0), (5, 10), (3, 10))
def in_range(x, n):
    return x in range(n), x in range(0, n, 2), x in range(n, 0, -3)


@case((5,), (0,), (-2,), (5,))
def range_as_object(n):
    r = range(n)
    return (list(r), list(reversed(range(n))), r[::-1], range(n) == range(0, n), r.count(2),
            sum(range(n)), [i for i in reversed(range(1, n, 2))], str(range(n, 0, -1)))


@case(([1, 2, 3],), (["z", 1.5],))
def enumerate_range(xs):
    out = []
    for i, x in enumerate(xs):
        for j in range(i):
            out.append((i, j))
    return out


@case((5,), (2,), (0,), (1.5,), (5,), install=("tb_rec",))
def tb_rec(n):
    if n <= 0:
        return 10 // n
    return tb_rec(n - 1) + 1


@case((10, 1), (50, 1), (50, 2.0), (3, I62), (10, 1), install=("ping", "pong"))
def ping(n, x):
    return x if n == 0 else pong(n - 1, x * 3)


def pong(n, x):
    return x if n == 0 else ping(n - 1, x * 5)


@case((2.5, [1.0, 2.0]), (2, [1, 2]), (2.5, [1, 2]), (True, [1.5, 2]), (2, [1.5, IMAX]),
      (-0.0, [1.0, -1.0]), (2.5, [1.0, 2.0]), (2, [1, "a"]))
def scale_list(k, xs):
    for i in range(len(xs)):
        xs[i] = xs[i] * k
    return xs




# locals only ever assigned new lists (a display, a display repeated by an int) are
# exact lists: their item accesses skip the type check

@case((5,), (0,), (1,), (3,), (-2,), (5,))
def local_list_sieve(n):
    flags = [True] * (n + 1)
    flags[0] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = False
        i += 1
    flags[-1] = not flags[-1]
    return flags, flags[n // 2]


class _Rep:
    def __rmul__(self, other):
        return ("rmul", len(other))

    def __getitem__(self, i):
        return ("item", i)

    def __setitem__(self, i, v):
        pass


@case((4, 1), (4, 0), (3, 1.5), (3, _Rep()), (2, True), (4, 1))
def local_list_repeat_by_other(n, k):
    xs = [0, 1] * n if n > 3 else n * [2]
    ys = [1] * k            # only an int makes it certainly a list
    xs[0] = ys[0]
    ys[0] = xs[-1]
    return xs, ys


@case((3, True), (3, False), (0, True), (3, True))
def local_list_reassigned_to_a_tuple(n, flip):
    xs = [n] * 3
    if flip:
        xs = (n, n + 1)
    return xs[1] + xs[-1]


@case(([1, 2, 3],), ((1, 2),), ([5],), ([1, 2, 3],))
def param_list_reassigned_a_new_list(xs):
    if len(xs) > 2:
        xs = [0] * len(xs)
    xs[0] = 7
    return xs



# ints boxed in specialised code: the interpreter's cached -5..256 by address,
# others made; identities and reference counts as the interpreter's

@case((-8, 8), (250, 262), (-5, -4), (255, 258), (2 ** 40, 2 ** 40 + 3))
def box_ints_around_the_cache(lo, hi):
    out = []
    for i in range(lo, hi):
        j = i * 1
        out.append(j)
    same = [out[k] is (lo + k) * 1 for k in range(len(out))]
    return out, same, sys.getrefcount(out[0]) > 1



# a dynamic negative index takes the generic path (exact); constants count from the end

@case(([1, 2, 3, 4], (5, 6, 7, 8), [0.5, 1.5, 2.5, 3.5], 4), ([9], (8,), [7.0], 1),
      ([1, 2, 3, 4], (5, 6, 7, 8), [0.5, 1.5, 2.5, 3.5], 6), ([], (), [], 0))
def negative_indices_in_loops(xs, ts, fs, n):
    out = []
    for i in range(n):
        k = i - n               # -n .. -1
        out.append(xs[k] + ts[k] + xs[-1] + ts[-1])
        xs[k] = xs[k] * 10 + i
        fs[k] = fs[k] * 2.0 + fs[-1]
        fs[-1] = fs[k] - 0.25
    try:
        out.append(xs[-n - 1])
    except IndexError as e:
        out.append(str(e))
    try:
        fs[-n - 1] = 1.0
    except IndexError as e:
        out.append(str(e))
    return out, xs, fs


# forced slots: a local with int (float) arithmetic that also receives list
# elements holds them unboxed, each such store guarded

@case(([3, 1, 2, 0], [0, 0, 0, 0]), ([2, 0, 1], [0, 0, 0]), ([1, True, 0], [0, 0, 0]),
      ([2, 1.5, 0], [0, 0, 0]), ([1, I63, 0], [0, 0, 0]), ([2, 0, "x"], [0, 0, 0]),
      ([3, 1, 2, 0], [0, 0, 0, 0]), rev=True)
def forced_flips(perm, work):
    n = len(perm)
    for i in range(n):
        work[i] = perm[i]
    flips = 0
    first = work[0]
    while first != 0:
        lo = 0
        hi = first
        while lo < hi:
            t = work[lo]
            work[lo] = work[hi]
            work[hi] = t
            lo += 1
            hi -= 1
        flips += 1
        first = work[0]
        if flips > 50:
            break
    return flips, hi, work


@case(([1, 2, 3],), ([True, 2, False],), ([1, 2.5, 3],), ([IMAX, 1],), ([1, BIG, 2],),
      ([None, 1],), ([1, 2, 3],), rev=True)
def forced_last_and_sum(xs):
    last = 0
    total = 0
    for i in range(len(xs)):
        last = xs[i]
        total = total + i
    return last, type(last).__name__, total


@case(([1.5, 2.5],), ([1.5, 2],), ([1.5, True],), ([-0.0, NAN],), ([1.5, 2.5],), rev=True)
def forced_float_slot(xs):
    acc = 0.5
    for i in range(len(xs)):
        acc = xs[i]
        acc = acc * 2.0
    return acc, repr(acc)


class FloatSub(float):
    pass


_SHARED = 2.5


@case(([1.5, 2.5],), ([_SHARED, _SHARED],), ([FloatSub(1.5), 2.0],), ([1, 2.5],),
      ([1.5, 2.5],), rev=True)
def float_store_shared(xs):
    keep = xs[0]
    for i in range(len(xs)):
        xs[i] = xs[i] * 2.0
    xs[0] = xs[0] + 1.0          # the float made above is the list's alone: reused
    return keep, xs, keep is xs[0], type(xs[0]).__name__


@case(([1.5, 2.5, 3.5],), ([0.5],), rev=True)
def float_store_alias(xs):
    ys = xs
    first = ys[0]
    for i in range(len(xs)):
        xs[i] = xs[i] - 0.25
    return first, ys[0], first is ys[0]


def inl_div(a, b):
    q = a // b
    return q * 2 + a % b


@case((10, 0, 3), (10, 5, 0), (3, 2 ** 62, 1), (10, 0, 3), (7, -7, 2),
      install=("inl_div", "inl_outer"))
def inl_outer(n, base, d):
    t = 0
    for i in range(n):
        t += inl_div(base + i, d)   # ZeroDivisionError / overflow inside the inlined copy
    return t


# for-in loops: list and tuple iterators inline, items guessed from the sequence

class IterList(list):
    def __iter__(self):
        return iter([10, 20])


def _gen_items():
    yield 1.5
    yield 2


@case(([1.5, 2.5],), ((1.0, 2, 3.5),), ([1, 2, 3],), ([1.5, True, BIG, -0.0],),
      ({1.5: 0, 2.5: 1},), (IterList([1.0, 2.0]),), ("ab",), ([],), ([NAN, INF],),
      ([1.5, 2.5],), rev=True)
def iter_items(xs):
    t = 0.0
    n = 0
    for v in xs:
        t += v * v
        n += 1
    return t, n, repr(t)


@case(([1, 2, 3],), ([5],), ([3, 3],), ([1.5, 3],), rev=True)
def iter_mutates(xs):
    n = 0
    for v in xs:
        if v == 3 and len(xs) < 6:
            xs.append(v + 1)       # seen: the size is read at every step
        if v == 5:
            del xs[:]              # the loop ends at once
        n += v
    return n, xs


@case((2,), (0,), (5,), rev=True)
def iter_after_exhausted(k):
    xs = [1, 2, 3]
    it = iter(xs)
    total = 0
    for v in it:
        total += v
        if v == k:
            break
    xs.append(4)
    rest = 0
    for v in it:                  # an exhausted iterator stays exhausted
        rest += v
    return total, rest


@case(([[1.5, 2.5], [3.5]],), ([[1, 2], [3.5, 4]],), ([(1.0, 2.0)],), ([[1, 2], "x"],),
      rev=True)
def iter_rows(m):
    t = 0.0
    for row in m:
        for j in range(len(row)):
            t += row[j] * (j + 1)
    return t


@case(([1.5, 2.5],), ([1, 2],), ([1.5, "x"],), ([],), rev=True)
def iter_enumerate_zip(xs):
    t = 0.0
    for i, v in enumerate(xs):
        t += v * i
    for a, b in zip(xs, range(10, 20)):
        t += a * b
    for a, b in zip(xs, xs[1:]):
        t -= a - b
    return t


@case((3,), (0,), rev=True)
def iter_const_tuple(n):
    out = 0
    for p in (2, 3, 5, 7):
        out += p * n
    for q in (1.5, 2, -0.0):
        out += q
    return out, repr(out)


@case(([1, 2, 3],), ([1, 2, 2 ** 62, 2 ** 62],), ([1, "a"],), rev=True)
def iter_raises(xs):
    t = 0
    try:
        for v in xs:
            t = t * 2 + v          # overflow, TypeError mid-loop
    except TypeError as e:
        return "caught", t, str(e)
    return t


def _gen_iter_case(n):
    def gen():
        for i in range(n):
            yield i * 1.5
    return gen


@case((3,), (0,), rev=True)
def iter_generator(n):
    t = 0.0
    for v in _gen_iter_case(n)():
        t += v
    return t


# direct calls passing lists and tuples (checked exact at the call, else an
# ordinary call)

def dl_search(a, x):
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def dl_scale(xs, k):
    for i in range(len(xs)):
        xs[i] = xs[i] * k        # the caller sees the mutation
    return xs


def dl_pair(xs, i):
    return xs[i] * 2.0, xs[i - 1] + 1.0


def dl_take(xs, i):
    return xs[i]                 # IndexError raised in the callee


@case((5,), (0,), (3,), (5,), install=("dl_search", "dl_scale", "dl_pair", "dl_take"))
def dl_caller(n):
    a = list(range(0, 3 * n, 3))
    t = 0
    for x in range(2 * n):
        t += dl_search(a, x)
    t += dl_search((1, 5, 9), 6)           # a tuple in a list's place
    t += dl_search(ListSub([1, 2, 3]), 2)  # not an exact list: an ordinary call
    t += dl_search([1.5, 2, 3], 2)         # items not ints: the callee deoptimises
    ys = [1.5, 2.5] * n
    zs = dl_scale(ys, 2)
    p, q = dl_pair(ys, n)
    try:
        dl_take(ys, 10 * n + 1)
    except IndexError as e:
        err = str(e)
    return t, ys, zs is ys, p, q, err


def dl_sum(xs, lo, hi):
    if hi - lo <= 1:
        return xs[lo] if hi > lo else 0
    mid = (lo + hi) // 2
    return dl_sum(xs, lo, mid) + dl_sum(xs, mid, hi)


@case(([1, 2, 3, 4, 5],), ([1.5, 2.5, 3],), ([I62, I62, I62],), ((7, 8, 9),), ([],),
      install=("dl_sum",), rev=True)
def dl_recursive(xs):
    return dl_sum(xs, 0, len(xs))


# list methods: list.append into spare room inline; other list methods found
# without a lookup on an exact list

class AppendTen(list):
    def append(self, v):
        list.append(self, v * 10)


class HasAppend:
    def __init__(self):
        self.got = []
        self.append = self.got.__iadd__     # an attribute, not a method

    def __deepcopy__(self, memo):
        return HasAppend()


@case((5,), (0,), (40,), (5,), rev=True)
def lm_append(n):
    out = []
    for i in range(n):
        out.append(i * 2)
    fl = [0.5]
    for i in range(n):
        fl.append(fl[i] * 1.5 + i)
    big = [I62]
    for i in range(n):
        big.append(big[-1] * 2)          # past 64 bits: boxed as a big int
    out.append(out)                      # itself
    return out[:-1], out[-1] is out, fl, big[-1], len(fl)


@case(([],), (AppendTen(),), ((1,),), (HasAppend(),), ([1.5],), ("s",), rev=True)
def lm_receivers(xs):
    try:
        for i in range(3):
            xs.append([i] if isinstance(xs, HasAppend) else i)
    except AttributeError as e:
        return "AttributeError", str(e)
    return list(xs) if not isinstance(xs, HasAppend) else xs.got


@case((4,), (0,), (7,), rev=True)
def lm_other_methods(n):
    xs = [3, 1, 2] * n
    xs.insert(0, n)
    last = xs.pop() if xs else None
    xs.sort()
    xs.reverse()
    k = xs.count(1) + xs.index(n)
    xs.extend([9, 8])
    xs.remove(9)
    ys = xs.copy()
    ys.clear()
    try:
        xs.pop(100)
    except IndexError as e:
        err = str(e)
    return xs, last, k, ys, err


@case((3,), (0,), rev=True)
def lm_rebound(n):
    acc = []
    for i in range(n):
        acc.append(i)
        if i == 1:
            acc = AppendTen(acc)       # the same site, another type from here on
    return acc, type(acc).__name__


# a constant tuple returned (CPython folds ``return 0.0, 0.0``) travels unboxed
# like a built one

def ct_norm(x, y):
    d = sqrt(x * x + y * y)
    if d == 0.0:
        return 0.0, 0.0, 0.0
    return x / d, y / d, d


def ct_pair(k):
    if k == 0:
        return 0, 0
    return k, k * k                      # overflows past 64 bits for big k


def ct_mixed(k):
    if k < 0:
        return -1, BIG                   # not a 64-bit int: never unboxed
    return k, 2 * k


@case((4,), (0,), (1,), (SQ,), install=("ct_norm", "ct_pair", "ct_mixed"))
def ct_caller(n):
    s = 0.0
    for i in range(-1, min(n, 6)):
        a, b, d = ct_norm(i * 0.5, 0.0)
        s += a + b + d
        p, q = ct_pair(i)
        s += p + q
        p, q = ct_mixed(i)
        s += p + q
    p, q = ct_pair(n)
    whole = ct_norm(0.0, 0.0)
    return s, p, q, whole, repr(s)


# nested unpacking in for-in loops (pyperformance's n-body): hints four levels deep

def _nb_bodies(k):
    return [([1.0 * k, 2.0, 3.0], [0.5, -0.5, 0.25], 5.0),
            ([4.0, -1.0 * k, 0.5], [0.0, 1.0, 0.0], 1.5),
            ([-2.0, 0.5, 1.0 + k], [0.25, 0.0, -1.0], 0.5)]


def _nb_pairs(bodies):
    out = []
    for i in range(len(bodies) - 1):
        for b in bodies[i + 1:]:
            out.append((bodies[i], b))
    return out


@case((1, 3), (2, 0), (0, 2), (1, 3), rev=True)
def nested_unpack_loops(k, n):
    bodies = _nb_bodies(k)
    if k == 0:
        bodies[1][1][2] = 7               # an int among the floats
    pairs = _nb_pairs(bodies)
    dt = 0.01
    for _ in range(n):
        for (([x1, y1, z1], v1, m1), ([x2, y2, z2], v2, m2)) in pairs:
            dx = x1 - x2
            dy = y1 - y2
            dz = z1 - z2
            mag = dt * ((dx * dx + dy * dy + dz * dz) ** (-1.5))
            v1[0] -= dx * m2 * mag
            v2[2] += dz * m1 * mag
        for (r, [vx, vy, vz], m) in bodies:
            r[0] += dt * vx
            r[2] += dt * vz * m
    return bodies


# functions with cells (comprehensions, closures) are specialised; a deopt resumes
# with the same cells

@case((3, 1), (4, I62), (0, 5), (2, 1.5), (3, 1), rev=True)
def cells_comprehension(n, k):
    m = [[0] * n for _ in range(n)]
    acc = 0
    for i in range(n):
        for j in range(n):
            m[i][j] = i * j + k
            acc = acc * 3 + m[i][j]        # past 64 bits for big k: deopt here
    return m, acc, [v + k for row in m for v in row]


@case((3,), (5,), (0,), rev=True)
def cells_shared(n):
    total = 0

    def bump(d):
        nonlocal total
        total += d
        return total
    acc = 0
    for i in range(n):
        acc += i * I62 if i == 4 else i    # a deopt at i == 4 (overflow)
        bump(acc)
    seen = bump(0)
    total = "text"                         # the cell's content changes type
    return acc, seen, bump.__closure__[0].cell_contents, total


def _make_scaled(k):
    def scaled(xs):
        t = 0
        for x in xs:
            t += x * k                     # k is a free variable
        return t
    return scaled


_SCALED = _make_scaled(3)


@case(([1, 2, 3],), ([I62, I62],), ([1.5, 2],), ([1, 2, 3],), install=("_SCALED",))
def cells_free_variable(xs):
    return _SCALED(xs)


# comprehensions in specialised code are specialised for their iterator's items
# (deopts resume the comprehension's own code)

@case(([1, 2, 3], 2), ([1.5, 2.5], 3), ([I62, 3], 4), ([1, "a"], 2), ([], 1), ([1, 2, 3], 2),
      rev=True)
def comp_items(xs, k):
    sq = [x * x + k for x in xs if x != 2]
    st = {x * k for x in xs}
    dc = {i: x * k for i, x in enumerate(xs)}
    rows = [[x * j for j in range(k)] for x in xs]
    idx = [xs[i] * 2 for i in range(len(xs)) if i % 2 == 0]
    return sq, sorted(st, key=repr), dc, rows, idx


@case((3, 4), (1.5, 2), (I62, I62), rev=True)
def comp_lambda_called(a, b):
    return (lambda p, q: p * q + 1)(a, b), [(lambda v: v * 2)(x) for x in (a, b)]


@case(([1, 2, 0, 4],), ([1.5, 0.0],), ([3, 1],), rev=True)
def comp_raises(xs):
    try:
        return [10 // x for x in xs]
    except ZeroDivisionError as e:
        return "caught", str(e)


@case((5, False), (0, False), (5, True), (5, True), (5, True), (5, True), (5, True),
      (5, False))
def comp_gives_up(n, big):
    # ints at first, then every call overflows in the comprehension: after a few
    # deopts the maker is rebuilt with this comprehension generic
    base = I62 if big else 1
    return [base * i * 4 for i in range(n)]


# direct calls leaving out parameters with defaults (checked unchanged at the call)

def df_callee(a, b=2, scale=0.5, pair=(1, 2), seq=[4, 5]):
    return a * b * scale + pair[1] + seq[-1]


def _df_reset():
    df_callee.__defaults__ = (2, 0.5, (1, 2), [4, 5])


@case((3, None), (4, (10, 1.5)), (5, None), (2, (I62, 3)), (3, (1, 2.0)), (3, None),
      install=("df_callee",), setup=_df_reset, cleanup=_df_reset)
def df_caller(n, new_defaults):
    if new_defaults is not None:      # seen from the next call on
        df_callee.__defaults__ = new_defaults + ((1, n), [n])
    t = 0.0
    for i in range(n):
        t += df_callee(i)
        t += df_callee(i, 3)
    return t, df_callee.__defaults__


# direct calls with keyword arguments: bound to the callee's parameters when the
# caller is specialised (defaults filled in between), an ordinary call when they do
# not bind (the interpreter's TypeError)

def kw_posonly(a, /, b, c=1):
    return a - b * c


@case((3, 0), (4, 1), (5, 2), (2, 3), (1, 0), (3, 4), (2.5, 0), (True, 1),
      install=("df_callee", "kw_posonly"), setup=_df_reset, cleanup=_df_reset)
def kw_caller(n, bad):
    t = 0.0
    for i in range(n):
        t += df_callee(i, scale=2)
        t += df_callee(scale=0.25, a=i)
        t += df_callee(i, seq=[1], b=i)
        t += kw_posonly(i, c=3, b=i + 1)
    try:
        if bad == 1:
            t += df_callee(n, a=1)
        elif bad == 2:
            t += kw_posonly(a=n, b=1)
        elif bad == 3:
            t += df_callee(n, nope=1)
        elif bad == 4:
            t += df_callee(b=1)
    except TypeError as e:
        return t, str(e)
    return t


# a list comprehension's rows guessed from what it appends: wrong guesses deopt

@case((4, 0), (5, 1), (3, 2), (6, 3), (4, 0), (2, 4), (4, 1))
def comp_rows_guessed(n, kind):
    rows = [[(i * j) % 5 + 0.25 if kind != 1 or j else i * j for j in range(n)]
            for i in range(n)]
    if kind == 2:
        rows[1] = [I62] * n
    if kind == 3:
        rows.append("tail")
    grid = [[x for x in r] for r in rows] if kind == 4 else rows
    t = 0.0
    for i in range(n):
        for j in range(n):
            t += grid[i][j] * 2
    return t, len(rows[-1])


# instance attributes (and __slots__ members) guessed from the arguments' first
# items: wrong guesses deopt, and attributes that are not plain (properties,
# __getattr__, a __dict__ of their own) are not sampled

class Pt:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class PtProp:
    def __init__(self, x, y):
        self._x = x
        self.y = y

    @property
    def x(self):
        return self._x * 2


class PtSlots:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class PtGetattr:
    def __init__(self, y):
        self.y = y

    def __getattr__(self, name):
        if name == "x":
            return 1.5
        raise AttributeError(name)


def _pts(cls, *pairs):
    return [cls(*p) if cls is not PtGetattr else cls(p[1]) for p in pairs]


@case((_pts(Pt, (1.5, 2.0), (0.5, -1.0)),), (_pts(Pt, (1, 2), (3, 4)),),
      (_pts(Pt, (1.5, 2.0), (I62, 1.0)),), (_pts(Pt, (1.5, 2.0), (NAN, -0.0)),),
      (_pts(PtProp, (1.5, 2.0), (0.5, 1.0)),), (_pts(PtSlots, (1.5, 2.0), (0.5, 1.0)),),
      (_pts(PtGetattr, (0, 2.0), (0, 1.0)),), (_pts(Pt, (1.5, "s"), (0.5, 1.0)),),
      (_pts(Pt, (1.5, 2.0), (0.5, 1.0)),), rev=True)
def instance_attrs_guessed(ps):
    s = 0.0
    for a in ps:
        for b in ps:
            s += a.x * b.y - (a.y - b.x)
    return s, repr(s)


# a float stored into an instance attribute: the float there is updated in place
# when only the instance refers to it (never one held elsewhere, an int, a float
# subclass, a property, a made __dict__, an attribute not set yet); a __slots__
# member's too (see float_slots_updated)

class PtF(float):
    pass


def _share_x(ps):
    # (run by the interpreter) two instances then hold one float
    ps[-1].x = ps[0].x


def _made_pts(kind, xs):
    # instances made here (a copy made by deepcopy keeps its attributes in a dict)
    if kind == "slots":
        return [PtSlots(x, 1.0) for x in xs]
    ps = [Pt(x, 0.5 - x) for x in xs]
    if kind == "int":
        ps[1].x = 3
    elif kind == "sub":
        ps[0].x = PtF(2.5)
    elif kind == "dict":
        vars(ps[-1])             # its attributes now live in a dict of its own
    elif kind == "prop":
        ps[1] = PtProp(0.5, -1.0)
    return ps


@case(("", 3), ("int", 2), ("sub", 2), ("dict", 3), ("slots", 2), ("prop", 1), ("", 0),
      ("", 4), rev=True)
def float_attrs_updated(kind, n):
    ps = _made_pts(kind, [1.5, 0.5, -0.0])
    for p in ps:
        if type(p.x) is float:
            p.x = p.x * 1.0      # floats of this call's own (the constants are shared)
    for k in range(n):
        if k == 2:
            _share_x(ps)     # the shared float is not updated in place
        for p in ps:
            p.x += p.y * 0.5
            p.y -= p.x * 0.25
            if k == 1:
                p.z = p.x * 2.0     # a new attribute, then updated
    return type(ps[0].x).__name__, [(p.x, p.y, getattr(p, "z", None)) for p in ps]


# a float stored into a __slots__ member (setattr_float): updated in place when only
# the member refers to it (never a float held elsewhere, an int, a float subclass);
# stored as a new float into an unset member; a class whose members are shadowed
# by a property, or with a __setattr__ of its own, takes the generic path

class SlotF:
    __slots__ = ("x", "y")


class SlotFProp(SlotF):
    __slots__ = ()

    @property
    def x(self):
        return SlotF.x.__get__(self)

    @x.setter
    def x(self, v):
        SlotF.x.__set__(self, -v)


class SlotFHooked(SlotF):
    __slots__ = ()

    def __setattr__(self, k, v):
        object.__setattr__(self, k, v * 2)


def _slot_pts(kind, n):
    cls = {"prop": SlotFProp, "hooked": SlotFHooked}.get(kind, SlotF)
    ps = [cls() for _ in range(n)]
    for i, p in enumerate(ps):
        p.y = 0.25 * i
        if kind != "unset":
            p.x = 3 if kind == "int" else PtF(1.5) if kind == "sub" else 1.5 * i
    return ps


@case(("", 3, 4), ("int", 2, 3), ("sub", 2, 3), ("unset", 3, 3), ("prop", 2, 3),
      ("hooked", 2, 3), ("", 0, 2), ("", 5, 1), rev=True)
def float_slots_updated(kind, n, m):
    ps = _slot_pts(kind, m)
    shared = 0.0
    for k in range(n):
        for i, p in enumerate(ps):
            t = k * 0.5 + i
            if k == 2 and i == 0:
                shared = p.x         # held here too: not updated in place after
            p.x = t * 2.0
            p.y = p.y + t
            if k == 1 and i == 1:
                del p.x
                p.x = t              # (into the member just emptied)
    return shared, [(p.x if n else None, p.y) for p in ps]


# bytes and bytearray: an exact one's byte read inline (the cached int), a cached int
# 0..255 stored into an exact bytearray inline; the rest (other values, subclasses,
# out of range, negative indices) generic, with the interpreter's errors

class ByteSub(bytearray):
    def __getitem__(self, i):
        print("sub get", i)
        return bytearray.__getitem__(self, i)


@case((b"\x01\x02\xff" * 5, 3), (bytearray(b"abc"), 1), (bytearray(b"abc"), 3), (b"", 0),
      (ByteSub(b"xyz"), 2), (b"\x00\x80", -1), ([1, 2, 3], 1), ("str", 1),
      (b"\x01\x02\xff" * 5, 3), rev=True)
def bytes_reads(data, k):
    s = 0
    for i in range(len(data)):
        s = (s * 31 + data[i] * k) % 1000003
    try:
        last = data[k] + data[-1]
    except (IndexError, TypeError) as e:
        last = str(e)
    return s, last


@case((bytearray(10), 3, 7), (bytearray(b"ab"), 1, 255), (bytearray(b"ab"), 1, 256),
      (bytearray(b"ab"), 0, -1), (bytearray(b"ab"), 5, 1), (bytearray(b"ab"), -1, 9),
      (bytearray(b"ab"), 0, True), (bytearray(b"ab"), 0, 2 ** 70), (b"ab", 0, 1),
      (ByteSub(b"ab"), 1, 3), (bytearray(10), 3, 7))
def bytearray_writes(buf, k, v):
    view = memoryview(buf) if type(buf) is bytearray else None
    for i in range(0, len(buf), 2):
        buf[i] = i % 256
    try:
        buf[k] = v
    except (IndexError, ValueError, TypeError) as e:
        return str(e), bytes(buf)
    seen = view[k] if view is not None and 0 <= k < len(buf) else None
    if view is not None:
        view.release()
    return bytes(buf), seen


@case((30,), (2,), (100,), (30,))
def bytearray_sieve(n):
    flags = bytearray(b"\x01") * (n + 1)
    flags[0] = flags[1] = 0
    i = 2
    while i * i <= n:
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = 0
        i += 1
    return [p for p in range(n + 1) if flags[p]], bytes(flags[:12])


# a function whose only gain is xs.append(v) inline is specialised for it; the
# append of anything else (a list subclass's own, another object's) is called

class AppendSub(list):
    def append(self, v):
        print("sub append", v)
        list.append(self, v * 2)


class Appender:
    def __init__(self):
        self.got = []

    def append(self, v):
        self.got.append(v)

    def __eq__(self, other):
        return isinstance(other, Appender) and self.got == other.got


def _sink(kind):
    return {"list": [], "sub": AppendSub(), "obj": Appender()}[kind]


@case(([1, 2, 3], "list"), (["a", None], "list"), ([1, 2], "sub"), ([3], "obj"), ([], "list"),
      ([1, 2, 3], "list"), rev=True)
def append_only(xs, kind):
    out = _sink(kind)
    for x in xs:
        out.append(x)
    same = []
    for x in xs:
        same.append(repr(x))
    return out if kind != "obj" else out.got, same


# sum/any/all of a generator expression: one native loop (jit.frontend.fold311),
# specialised like a comprehension; a deopt inside it resumes the folded code in
# the interpreter, with the sum so far and the side effects already done

def _loud(x):
    print("item", x)
    return x


@case(([1, 2, 3],), ([I62, I62, 5],), ([IMAX, 1],), ([1.5, 2.5],), ([1.5, 2],), ([2, 1.5],),
      ([BIG, 1],), ([],), ([True, 2],), ([-0.0],), ([NAN, 1.0],), ([1, 2, 3],), rev=True)
def fold_sum_deopts(xs):
    s = sum(_loud(x) * 2 for x in xs if x == x)
    t = sum(x for x in xs)
    return s, t, type(t).__name__, repr(t)


@case((10, 0.5), (10, 3), (70, 3), (5, I62), (0, 1.0), (10, 0.5))
def fold_sum_range_scaled(n, k):
    # ints overflow at some n (k * 2 ** i), floats stay floats
    return sum(k * 2 ** i for i in range(n)), sum(i * k for i in range(n) if i % 3)


@case(([0.5, 2.5, NAN],), ([0.0, -0.0],), ([1, 2],), ([3.0, "x"],), ([],), ([0.5, 2.5, NAN],))
def fold_any_all_floats(xs):
    try:
        return any(x > 2.0 for x in xs), all(x < 3.0 for x in xs), any(x for x in xs)
    except TypeError as e:
        return str(e)


@case(([1.5, 3.5, -2.0],), ([1, 5, 3],), ([2.5, 1],), ([],), ([NAN, 1.0],), ([1.0, NAN],),
      ([BIG, 1],), ([1.5, 3.5, -2.0],), rev=True)
def fold_min_max_floats(xs):
    # the item itself comes back: the list's own float object
    try:
        hi, lo = max(x for x in xs), min(x for x in xs)
    except ValueError as e:
        return str(e)
    return repr(hi), repr(lo), [hi is x for x in xs], [lo is x for x in xs], \
        max(x * 2 for x in xs), min(x - 1 for x in xs if x == x)


@case(([1, 2, 3], 3), ([I62, 1], 3), ([1.5, 2.5], 2), ([2, 1.5], 2), ([], 1), ([BIG], 1),
      ([1, 2, 3], 3), rev=True)
def fold_collects_deopt(xs, k):
    # k * x leaves 64 bits mid-loop (I62 * 3): the folded code resumes in the interpreter
    return tuple(_loud(x) * k for x in xs), sorted(x * k for x in xs), list(x - k for x in xs), \
        set(x * 0 for x in xs)


@case((6,), (0,), (3,), (6,))
def fold_in_loop_resumes(n):
    out = []
    for i in range(n):
        big = 2 ** (60 + i)            # past 64 bits from i == 3: the fold deopts
        out.append(sum(big + j for j in range(3)) % 1000)
        out.append(any(j * big > 2 ** 62 for j in range(2)))
    return out


# a slice of a list keeps the list's guess; an unknown object next to an object
# guessed a float is guessed a float (checked: ints, big ints, strs deopt exactly)

@case(([Pt(1.5, 2.0), Pt(0.5, -1.0), Pt(2.5, 0.25)], [0.5, 1.5]),
      ([Pt(1.5, 2.0), Pt(1, 2), Pt(2.5, 0.25)], [3, 1.5]),
      ([Pt(1.5, 2.0), Pt(I62, 2), Pt(2.5, 0.25)], [0.5, BIG]),
      ([Pt(1.5, 2.0), Pt(0.5, -1.0)], ["ab", 2]),
      ([Pt(1.5, 2.0), Pt(0.5, -1.0), Pt(2.5, 0.25)], [0.5, 1.5]), rev=True)
def slices_and_float_neighbours(ps, ws):
    s = 0.0
    out = []
    for i, a in enumerate(ps):
        for b in ps[i + 1:]:
            dx = a.x - b.x
            s += dx * dx + a.y * b.y
        try:
            out.append(a.x * ws[i % 2] - ws[0] * a.y)
        except TypeError as e:
            out.append(str(e))
    return s, repr(s), out


# a site whose deopts saw floats is re-specialised guessing floats

class Coord:
    def __init__(self, x):
        self.x = x


@case((Coord(1.5), 5), (Coord(2.5), 3), (Coord(0.5), 4), (Coord(1.5), 5), (Coord(2.5), 3),
      (Coord(3), 4), (Coord(2 ** 70), 2), (Coord(True), 3), (Coord(-0.0), 2), (Coord(NAN), 2),
      (Coord(1.5), 5))
def float_site_feedback(p, n):
    t = 0
    for i in range(n):
        t += p.x * i
        t += i * p.x - p.x
    return t, repr(t)


# min/max (any number of arguments), abs, int, float and round of guessed items

@case(([3, -1, 7, 2],), ([1.5, -0.0, 0.0, NAN],), ([True, 0, 2],), ([I62, I62, -I62],),
      ([BIG, 1],), ([1, 2.5, 3],), ([0.0, -0.0, 0.0],), ([-2.5, 2.5, 0.5],), ([IMIN, 1, 2],),
      rev=True)
def builtins_of_items(xs):
    best = xs[0]
    lo = xs[0]
    t = 0
    for i in range(len(xs)):
        best = max(best, xs[i])
        lo = min(lo, xs[i], xs[-1])
        t += abs(xs[i]) + int(xs[i]) + round(xs[i])
    return best, lo, t, max(xs[0], xs[1], xs[-1]), min(xs[1], xs[0]), float(xs[0]), \
        repr(max(xs[-1], xs[0]))


# called with defaults left out (dispatched on the filled-in arguments), a
# comprehension's free variables guessed from its maker's cells, unary ops on
# guessed numbers

@case(([1.5, -2.5, 7.25],), ([1, 2, 3],), (KW([1.5, 2.5], clip=1.0),), ([1.5, True, -0.0],),
      ([I62, -I62, 5],), ([1.5, "x"],), ([NAN, INF, -INF],), rev=True)
def defaults_and_free(xs, clip=3.0, scale=2):
    m = 0.0
    for x in xs:
        m += x
    m = m / len(xs)
    z = [max(-clip, min(clip, (x - m) * scale)) for x in xs]
    neg = [-x for x in xs]
    inv = [~x if type(x) is int else +x for x in xs]
    return z, neg, inv, m, [abs(-v) for v in z]


# identity kept where it decides a result: a constant tuple returned is the
# constant; a nan argument stays its object (``v in xs`` finds it by identity)

def ci_pair(x):
    if x:
        return 1.5, 1.5
    return 0, 0


@case((1,), (0,), (1,), install=("ci_pair",))
def const_tuple_identity(x):
    a, b = ci_pair(x)
    return ci_pair(x) is ci_pair(x), ci_pair(x)[0] is ci_pair(x)[1], a + b


@case(([NAN], NAN), ([1.5, NAN], 2.5), ([NAN, NAN], NAN), ([0.5], 0.5), ([NAN], NAN),
      ([NAN], NAN), ([NAN], NAN), ([2.0], 3.0))
def nan_argument_identity(xs, v):
    t = 0.0
    for x in xs:
        t += x * v
    return v in xs, xs.count(v), repr(t), {v: 1}.get(v)


# for a, b in enumerate(...) / zip(x, y): the step hands over both items (the index
# unboxed), no tuple; anything else falls back exactly

def _pair_gen(n, fail_at=None):
    for i in range(n):
        if i == fail_at:
            raise KeyError(i)
        yield i * 1.5


@case(([1.5, 2.5, 3.5], 0), ([1, 2, 3], 5), ([1.5, "a"], 0), ([], 0), ((2.5, 1), IMAX - 1),
      ([1.5, 2.5], IMAX - 1), ([1, 2], -3), ([True, False], 0), rev=True)
def pair_enumerate(xs, start):
    t = 0
    for i, v in enumerate(xs, start):
        t += v * 2 + i % 7
    idx = []
    for i, v in enumerate(xs):
        if i == 2:
            break
        idx.append((i, v))
    for i, c in enumerate("ab"):
        idx.append((i, c))
    for i, g in enumerate(_pair_gen(3)):
        t += i * g
    return t, idx


@case(([1.5, 2.5, 3.5], [2.0, 4.0]), ([1, 2, 3], [4, 5, 6]), ([1.5], ["x"]), ([], [1.0]),
      ([1, 2], (3.5, 4.5, 5.5)), rev=True)
def pair_zip(xs, ys):
    t = 0
    for a, b in zip(xs, ys):
        t += a * b
    for a, b in zip(ys, xs):
        t -= a
    for i, b in zip(range(10), xs):
        t += i * b
    for a, b in zip(_pair_gen(2), xs):
        t += a
    try:
        for a, b in zip(xs, _pair_gen(5, fail_at=1)):
            t += b
    except KeyError as e:
        t = (t, "KeyError", str(e))
    try:
        for a, b in zip(xs, ys, strict=True):
            pass
    except ValueError as e:
        return t, str(e)
    return t, [a + b for a, b in zip(xs, xs)]


class _Enumerate:
    def __init__(self, xs):
        self.it = iter(xs)
        self.k = 10

    def __iter__(self):
        return self

    def __next__(self):
        self.k += 1
        return self.k, next(self.it)


@case(([1.5, 2.5],), ([1, 2, 3],), ([],), ([1.5, 2.5],), ([1.5, 2.5],), ([1.5, 2.5],),
      ([1.5, 2.5],), ([4, 5],))
def pair_not_enumerate(xs):
    global enumerate
    t = 0
    for i, v in enumerate(xs):      # the module's enumerate: not the builtin's object
        t += i * v
    return t


def _pair_real_enumerate():
    global enumerate
    try:
        del enumerate
    except NameError:
        pass


def _pair_fake_enumerate():
    global enumerate
    enumerate = _Enumerate


CASES[-1].setup = _pair_fake_enumerate
CASES[-1].cleanup = _pair_real_enumerate


# a call site compiled while its global is a plain function, called once the
# global is a class (the class-call path was left out there: the generic call)

def _maker_fn(x):
    return ("made", x)


class _MakerClass:
    def __init__(self, x):
        self.x = x * 2

    def __repr__(self):
        return f"_MakerClass({self.x})"


maker = _maker_fn


def _maker_to_class():
    globals()["maker"] = _MakerClass


def _maker_to_fn():
    globals()["maker"] = _maker_fn


@case((3,), (4,), Do(_maker_to_class), (3,), (5.5,), Do(_maker_to_fn), (2,),
      cleanup=_maker_to_fn)
def call_site_becomes_class(n):
    out = []
    for i in range(n):
        out.append(repr(maker(i)))
    return out


# lent items (borrow.py): a list's item used without a reference of its own

class Clearing:
    def __init__(self, lst):
        self.lst = lst

    def __bool__(self):
        self.lst.clear()       # frees this object, but for the reference held around
        return True


@case((0,), (3,), (0,), rev=True)
def lent_truth_clears(k):
    xs = [0, 1, 2]
    xs.append(Clearing(xs))
    xs += [5] * k
    n = 0
    for i in range(len(xs) + 2):
        if i < len(xs) and xs[i]:
            n += 1
    return n, len(xs)


class ListSub(list):
    def __getitem__(self, i):
        return list.__getitem__(self, i) * 10


@case(([1.5, 2.5],), (ListSub([1.5, 2.5]),), ((1.5, 2.5),), ([1.5, 2],), ([1.5],),
      ([1.5, 2.5],), rev=True)
def lent_unbox(xs):
    acc = 0.0
    for i in range(len(xs) + 1):
        if i == 2:
            acc += xs[i] * 2.0   # IndexError on the third element
        acc += xs[i] * 2.0 if i < len(xs) else 0.0
    return acc



@case((10, 3), (10, 2.5), (5, I62), (0, 1), (-4, 3), (10, 3), (12, BIG), (10, True), rev=True)
def comprehension_over_range(n, k):
    # a comprehension's range iterator steps natively; a guard failing mid-loop
    # (a float k, an overflow, a big k) resumes it in the interpreter, exactly
    a = [i * k for i in range(n)]
    b = [i - k for i in range(n, -n, -3) if i % 2]
    c = {i: i * i for i in range(IMAX - 3, IMAX)}
    d = [(i, j) for i in range(3) for j in range(i, n, 2)]
    print(len(a), b[:3], sorted(c)[:1], d[-1:])
    return a, b, d, sum([i for i in range(IMIN, IMIN + 3)])


@case((0,), (7,), (-2 ** 63,), (1,), (2 ** 63 - 1,), (3,), (2 ** 64,), rev=True)
def contains_big_int_consts(x):
    # constants past 64 bits never equal a 64-bit x (they wrapped modulo 2**64)
    n = 0
    for k in range(3):
        if x + k in (2 ** 64, 3):
            n += 1
    return x in (2 ** 64, 7), x in (2 ** 63, 2 ** 64 + 1, -2 ** 63 - 1), \
        x in frozenset({2 ** 64, 2, -2 ** 64}), x in (2 ** 65,), n


NAN_SEEN = [float("nan")]


def nan_default_callee(x, d=NAN_SEEN[0]):
    return d in NAN_SEEN, x + 1.0


def nan_const_callee(y):
    return 1e999 * 0          # one nan constant of this code


@case((1.5,), (2.5,), (1,), (1.5,), install=("nan_default_callee", "nan_const_callee"))
def nan_identity_kept(y):
    # a nan constant, a nan default and a nan returned by a direct callee keep their
    # identity (`in` finds a nan by it): never unboxed
    x = 1e999 * 0
    seen = [x]
    a = nan_const_callee(y)
    return x in seen, a in [a], nan_default_callee(y), y * 2.0


# A small recursive specialisation holds a copy of itself, inlined into its own
# module: one native call runs two levels of the recursion. Every level must
# still count toward the recursion limit, appear in tracebacks, deoptimise on its
# own and see a rebinding of the name.

@case((10,), (60,), (5000,), (25,), install=("self_rec_depth",))
def self_rec_depth(n):
    # 5000 levels: RecursionError, at the depth the interpreter raises it
    if n == 0:
        return 0
    return 1 + self_rec_depth(n - 1)


@case((3, 3), (5, 2), (4, 10), (2, 2), (3, 3), install=("self_rec_raise",))
def self_rec_raise(n, d):
    # ZeroDivisionError some levels down (odd and even depths): all levels in the traceback
    if n == 0:
        return 100 // d
    return self_rec_raise(n - 1, d - 1) + n


@case((5, 1), (70, 1), (6, 1.5), (5, 1), (41, 1), (5, 1), install=("self_rec_deopt",))
def self_rec_deopt(n, x):
    # x * 3 leaves 64 bits at some depth, or is a float from the start
    if n == 0:
        return x
    return self_rec_deopt(n - 1, x * 3) - n


@case((30, 2 ** 40), (5000, 2 ** 40), (5000, 1), (30, 2 ** 40), (30, 1),
      install=("deopt_rec_depth",))
def deopt_rec_depth(n, x):
    # x leaves 64 bits early on: every level below resumes in the interpreter (its
    # big x deoptimises each call at entry), and each still costs one level of the
    # recursion limit: RecursionError at the interpreter's depth, tracebacks alike
    if n % 7 == 0:
        x = x * 2 ** 20
    if n == 0:
        return x % 1000
    return deopt_rec_depth(n - 1, x) + 1


def _self_rec_other(n):
    return -100 * n


def _reset_self_rec_rebind():
    globals()["self_rec_rebind"] = _SELF_REC_REBIND


@case((6,), (2,), (7,), (6,), install=("self_rec_rebind",), reset=_reset_self_rec_rebind)
def self_rec_rebind(n):
    # at depth n == 4 the name is rebound: the levels below call the new function
    if n == 4:
        globals()["self_rec_rebind"] = _self_rec_other
    if n == 0:
        return 0
    return self_rec_rebind(n - 1) + 1


_SELF_REC_REBIND = self_rec_rebind


# A global that specialised code calls directly (a compiled function) or inlines
# (a builtin) is checked where it is loaded: the globals' version tag (and the
# builtins', for a builtin) against those it was last found under; any other
# binding deoptimises there, and the interpreter loads (or fails to load) it.

def _gx_helper(x):
    return x * 2 + 1


_GX_HELPER = _gx_helper
GX_COUNT = 0


def _gx_bind(name, value):
    # (globals() in the function itself would keep it from being specialised)
    globals()[name] = value


def _gx_delete(name):
    globals().pop(name, None)


def _gx_reset():
    global GX_COUNT
    GX_COUNT = 0
    globals()["_gx_helper"] = _GX_HELPER


@case((6,), (2,), (6,), (3.5,), install=("_gx_helper",), reset=_gx_reset)
def global_callee_deleted_mid_loop(n):
    # NameError from the interpreter, at the load, after 4 calls made natively
    s = 0
    for i in range(int(n)):
        s += _gx_helper(i)
        if i == 3:
            _gx_delete("_gx_helper")
    return s


@case((5,), (0,), (5,), install=("_gx_helper",), reset=_gx_reset, globals_=("GX_COUNT",))
def global_callee_with_global_writes(n):
    # every store changes the globals' version tag: each load looks the callee up
    global GX_COUNT
    s = 0
    for i in range(n):
        s += _gx_helper(i)
        GX_COUNT += i
    return s


def _gx_fake_abs(x):
    print("fake abs", x)
    return 100


@case((6,), (1,), (6,), (4.5,), reset=_unbind_abs, cleanup=_unbind_abs)
def builtin_shadowed_then_unshadowed(n):
    # abs shadowed by a global (deopt: the interpreter calls the fake), then the
    # global deleted (the builtin again: the next call finds it and runs natively)
    s = 0
    for i in range(-3, int(n)):
        s += abs(i * 3)
        if i == 0:
            _gx_bind("abs", _gx_fake_abs)
        elif i == 2:
            _gx_delete("abs")
    return s


import builtins as _gx_builtins  # noqa: E402
_GX_REAL_ABS = abs


@case((5,), (1,), (5,))
def builtin_patched_in_builtins_mid_loop(n):
    # the builtins module's own binding changes (its dict's version tag)
    s = 0
    try:
        for i in range(n):
            s += abs(i - 2)
            if i == 1:
                _gx_builtins.abs = _gx_fake_abs
    finally:
        _gx_builtins.abs = _GX_REAL_ABS
    return s


class _GxCollides:
    """A key of the globals that collides with a name and raises when compared."""

    def __init__(self, name):
        self.h = hash(name)

    def __hash__(self):
        return self.h

    def __eq__(self, other):
        raise RuntimeError("compared a colliding key")


@case((4,), (2,), (4,))
def global_lookup_raises_mid_loop(n):
    # the lookup of abs (not a global: the collision is compared) raises at the load
    s = 0
    key = _GxCollides("abs")
    try:
        for i in range(n):
            s += abs(i - 5)
            if i == 1:
                _gx_bind(key, 0)
    finally:
        _gx_delete(key)
    return s


# ``xs[k] op= <float>`` on an exact list: the store updates in place the float its
# load read when nothing between them could run code (only arithmetic) and only the
# list refers to it; never a float held twice, an int, a float subclass, a list
# subclass's item, or an item replaced by a call between the load and the store.

class RmwList(list):
    def __setitem__(self, k, v):
        print("sub set", k, v)
        list.__setitem__(self, k, v)


@case(([0.5, -1.0, 2.0, 3.5], "", 2), ([0.5, -1.0, 2.0, 3.5], "shared", 3),
      ([0.5, 7, 2.0], "", 2), ([0.5, PtF(1.25), 2.0], "", 2),
      (RmwList([0.5, -1.0, 2.0]), "", 2), ([2.0], "", 3), ([], "", 1),
      ([0.5, -1.0, 2.0, 3.5], "", 2), rev=True)
def float_items_updated(xs, kind, rounds):
    n = len(xs)
    for i in range(n):
        if type(xs[i]) is float:
            xs[i] = xs[i] * 1.0           # floats of the call's own (not the case's)
    if kind == "shared" and n > 2:
        xs[2] = xs[0]                     # one float at two indices
    held = xs[0] if n else None           # a reference of the caller's: not in place
    kept = []
    for r in range(rounds):
        for i in range(n):
            xs[i] -= xs[i] * 0.5 + r
            xs[i] = xs[i] * 3.0
            xs[-1] += 0.25                # a negative index
            xs[i] += xs[n - 1 - i]        # another item (the same one in the middle)
            kept.append(xs[i])            # held here too: the next store makes a new
            a = xs[i]                     # float, and the one after must not update
            xs[i] = a * 2.0               # the held one in place
            xs[i] = a + 1.0
            xs[i] = xs[i] * 0.5           # (the item loaded again: in place)
    return [(type(x).__name__, x) for x in xs], held, held is xs[0] if n else 0, kept


def _rmw_replace(xs, i):
    # (run by the interpreter) the item the load read is replaced before the store
    xs[i] = 100.0 + i
    return 1.0


@case(([0.5, 1.5, 2.5],), ([7.0],), ([0.5, 1.5, 2.5],), ([],))
def float_item_replaced_between(xs):
    for i in range(len(xs)):
        xs[i] += float(_rmw_replace(xs, i))   # (float: the sum is unboxed)
    return xs


@case((4, 1), (4, 0), (3, 2), (4, 1))
def float_item_update_raises_or_deopts(n, d):
    xs = [k * 1.5 for k in range(n)]
    big = 2 ** 62
    try:
        for i in range(n):
            xs[i] += 1.0 / d               # ZeroDivisionError between load and store
            xs[i] -= (big * (i + 1)) // d  # an int past 64 bits: deoptimises between
    except ZeroDivisionError as e:
        return "zero", xs, str(e)
    return xs


# str(x) of one argument is PyObject_Str(x), as the builtin type's call makes it
# (while ``str`` is the builtin: rebinding it deoptimises to the interpreter's call)

class StrOf:
    def __init__(self, v):
        self.v = v

    def __str__(self):
        if self.v is None:
            return 5                      # TypeError: __str__ returned non-string
        return StrSub2(f"<{self.v}>") if self.v < 0 else f"<{self.v}>"


class StrSub2(str):
    pass


def _str_rebind():
    globals()["str"] = lambda x: "fake"


def _str_unbind():
    globals().pop("str", None)


@case((5, 1.5), (3, -0.0), (4, NAN), (2, BIG), (3, True), (3, None), (4, StrOf(2)),
      (2, StrOf(-1)), (2, StrSub2("s")), (1, StrOf(None)), (5, 1.5), rev=True,
      reset=_str_unbind, cleanup=_str_unbind)
def str_of_values(n, x):
    out = []
    for i in range(n):
        out.append(str(i * 7 - 3))
        r = str(x)
        out.append((r, type(r).__name__))
        if i == 3:
            _str_rebind()
    return "|".join(map(repr, out))


# A global bound to an exact float or int is a constant where it is used unboxed;
# its load checks the binding, so a change mid-loop deoptimises there

GN_SOFT = 0.05
GN_K = 3


def _gn_set(name, value):
    # (globals() in the function itself would keep it from being specialised)
    if value is None:
        globals().pop(name)
    else:
        globals()[name] = value


def _gn_reset():
    globals().update(GN_SOFT=0.05, GN_K=3)


@case((6, "GN_SOFT", 0.5), (6, "GN_SOFT", 2), (6, "GN_K", 2 ** 62), (5, "GN_K", 4.5),
      (6, "GN_SOFT", "s"), (6, "GN_K", None), (6, "GN_SOFT", -0.0), (6, "GN_K", 7),
      (4, "", 0), reset=_gn_reset, cleanup=_gn_reset, globals_=("GN_SOFT", "GN_K"))
def global_numbers_change_mid_loop(n, name, value):
    s = 0.0
    t = 0
    out = []
    for i in range(n):
        s += i * GN_SOFT + GN_K          # GN_K as a float
        t += i * GN_K                    # GN_K as an int
        out.append(s)
        if i == 2 and name:
            _gn_set(name, value)         # (None: deleted, a NameError at the next load)
    return s, t, out


# ===========================================================================
# 0. the harness catches what it should (wrong "compiled" functions)

def _expect_detects(f, wrong, *calls, field=None):
    c = Case(f.__name__, f, calls, rounds=1)
    saved = globals()["_compile"]
    globals()["_compile"] = lambda fn: wrong if fn is f else saved(fn)
    try:
        with pytest.raises(AssertionError) as ei:
            check_case(c)
    finally:
        globals()["_compile"] = saved
    if field is not None:
        assert field in str(ei.value), str(ei.value)


def _sk_neg(x):
    return -x


def _sk_raise(x):
    return [1][x]


def _sk_append(xs):
    xs.append(1)
    return xs


def test_harness_detects_differences():
    _expect_detects(_sk_neg, lambda x: 0.0, (0.0,), field="result")               # -0.0
    _expect_detects(_sk_neg, lambda x: float(-x), (3,), field="result")          # int vs float
    _expect_detects(_sk_neg, lambda x: 1.0, (NAN,), field="result")              # nan
    _expect_detects(_sk_neg, lambda x: (print("hi"), -x)[1], (3,), field="stdout")
    _expect_detects(_sk_raise, lambda x: [1, 2][x], (1,), field="result")

    def other_msg(x):
        raise IndexError("list index out of rang")
    _expect_detects(_sk_raise, other_msg, (5,), field="exception")

    def other_line(x):
        y = [1]

        return y[x]
    _expect_detects(_sk_raise, other_line, (5,), field="traceback")
    _expect_detects(_sk_append, lambda xs: xs, ([],), field="args_after")
    leak = []
    _expect_detects(_sk_append, lambda xs: (leak.append(xs), _sk_append(xs))[1], ([],),
                    field="refcounts")


# ===========================================================================
# the parametrised differential test

@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_case(c):
    run_isolated(check_case, c, name=c.name)


def test_enough_cases():
    assert len(CASES) >= 150
    assert len({c.name for c in CASES}) == len(CASES)


# ===========================================================================
# 8. reference counts over many compiled calls

def rc_sum_floats(xs):
    s = 0.0
    for i in range(len(xs)):
        s += xs[i]
    return s


def rc_big_arith(a, b):
    x = a * b + a
    y = x // (b + 1) - a
    return y & 0xFFFF


def rc_overflow(xs, k):
    s = k
    for x in xs:
        s = s * 3 + x      # leaves 64 bits part way: a deopt on every call
    return s % 1000


def rc_index_store(xs, v):
    for i in range(len(xs)):
        xs[i] = v
    xs[0] = 0
    return len(xs)


def rc_minmax(xs, b):
    return max(xs[0], b), min(b, xs[-1]), abs(b), float(len(xs))


def rc_exc(xs, b):
    try:
        return xs[b]
    except IndexError:
        return -1


RC_KERNELS = [
    (rc_sum_floats, lambda: ([1.5, 2.5, 3.0, float(7)],)),
    (rc_big_arith, lambda: (int("1" * 40), int("3" * 25))),
    (rc_big_arith, lambda: (int("12345"), 7)),
    (rc_overflow, lambda: ([1001, 2002, 3003, 4004, 5005] * 10, int("7" * 3))),
    (rc_overflow, lambda: ([1001, -2002, 3003], int("9" * 30))),
    (rc_index_store, lambda: ([1, 2, 3, 4], int("5" * 30))),
    (rc_index_store, lambda: ([1.0, 2.0], float("2.5"))),
    (rc_minmax, lambda: ([int("8" * 30), 2.5], int("-" + "9" * 30))),
    (rc_exc, lambda: ([int("4" * 30)], 3)),
    (rc_exc, lambda: ([int("4" * 30)], 0)),
]


def _own(x):
    """Objects made for this test only (small ints and bools are shared by everyone)."""
    return not (x is None or type(x) is bool or (type(x) is int and -5 <= x <= 256))


def _counts(args):
    return ([sys.getrefcount(a) if _own(a) else None for a in args],
            [[sys.getrefcount(x) if _own(x) else None for x in a] if isinstance(a, list) else None
             for a in args])


def _check_refcounts(func, make):
    compiled = _compile(func)
    args = make()
    for _ in range(3):           # compile the specialisations first
        compiled(*args)
    gc.collect()
    before, items_before = _counts(args)
    for _ in range(200):
        compiled(*args)
    gc.collect()
    after, items_after = _counts(args)
    assert before == after, f"{func.__name__}: argument refcounts {before} -> {after}"
    assert items_before == items_after, (
        f"{func.__name__}: element refcounts {items_before} -> {items_after}")


@pytest.mark.parametrize("func,make", RC_KERNELS,
                         ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(RC_KERNELS)])
def test_refcounts_stable(func, make):
    run_isolated(_check_refcounts, func, make, name=func.__name__)
