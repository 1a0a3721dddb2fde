"""The range of every i64 value of a specialised function: an interval [lo, hi]
that holds each value it takes on every run.

Abstract interpretation over the typed SSA IR, from "no value yet" upwards: each
op's interval is computed from its operands' in exact Python ints, then clipped
to 64 bits (an op whose result would not fit deoptimises and makes no value, so
what it makes does fit). A local's loads take every value stored to the slot
(flow-insensitive); a block parameter takes what its branches pass. A value whose
interval keeps growing (a counter of a while loop) is widened to the end of the
64-bit range it grows towards, so the iteration ends.

Lowering uses the intervals where LLVM cannot see through loops: `i % 7` for a
counter `i` of `range(n)` divides unsigned, with no sign fix-up; `i + j` for
counters of `range(len(xs))` needs no overflow check (no list holds 2**60
items); `i + 1` for a counter with a positive step cannot overflow."""

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from . import ir
from .ir import BOOL, I64

I64_MIN, I64_MAX = -2 ** 63, 2 ** 63 - 1
FULL = (I64_MIN, I64_MAX)
# len() of an exact list or tuple: their allocation fails past PY_SSIZE_T_MAX / 8
# items; anything else's __len__ may return up to sys.maxsize
SEQ_LEN = (0, I64_MAX // 8)
WIDEN_AFTER = 3          # changes of a value's interval before it is widened


def clip(lo: int, hi: int):
    """[lo, hi] within 64 bits, or None (no value) when nothing of it fits."""
    lo, hi = max(lo, I64_MIN), min(hi, I64_MAX)
    return (lo, hi) if lo <= hi else None


def fits(lo: int, hi: int) -> bool:
    return I64_MIN <= lo and hi <= I64_MAX


def hull(*points: int):
    return min(points), max(points)


def factor_range(c: int, low: int, high: int):
    """[lo, hi]: the x for which c * x lies in [low, high] (c not 0)."""
    if c < 0:              # (dividing by c < 0 turns the bounds round)
        low, high = high, low
    return -(-low // c), high // c      # ceil, floor


class Ranges:
    def __init__(self, fn: ir.Function, producer, nparams: int, param_types=(),
                 param_ranges=()):
        self.fn = fn
        self.producer = producer
        self.sources = ir.param_sources(fn)
        self.stores: dict[int, list] = {}       # slot -> values stored into it
        made: list = []                          # (value, its op or None)
        for blk in fn.blocks:
            made += [(p, None) for p in blk.params if p.type == I64]
            for op in blk.ops:
                if op.kind == "store_local":
                    self.stores.setdefault(op.attrs["slot"], []).append(op.args[0])
                made += [(r, op) for r in op.results if r.type == I64]
        self.params = set(range(nparams))
        # what the parameters are passed, where known (a copy inlined into its callers)
        self.param_ranges = {i: r for i, r in enumerate(param_ranges) if r is not None}
        # parameters the code never assigns that came as an exact list or tuple
        self.seq_params = {i for i in self.params if i < len(param_types)
                           and param_types[i] in (list, tuple) and i not in self.stores}
        self.iv: dict[int, tuple] = {}           # value id -> (lo, hi); absent: none yet
        changes: dict[int, int] = {}
        changed = True
        while changed:
            changed = False
            for v, op in made:
                new = self._transfer(v, op)
                old = self.iv.get(v.id)
                if new is None or new == old:
                    continue
                if old is not None:
                    new = (min(new[0], old[0]), max(new[1], old[1]))
                    if new == old:
                        continue
                    changes[v.id] = changes.get(v.id, 0) + 1
                    if changes[v.id] >= WIDEN_AFTER:
                        new = (I64_MIN if new[0] < old[0] else new[0],
                               I64_MAX if new[1] > old[1] else new[1])
                self.iv[v.id] = new
                changed = True

    # ---- what lowering asks ----------------------------------------------------
    def interval(self, v: ir.Value):
        """[lo, hi] of i64 value ``v`` (the whole 64-bit range when unknown)."""
        return self.iv.get(v.id, FULL) if v.type == I64 else FULL

    def __contains__(self, v: ir.Value) -> bool:
        """Never negative."""
        return self.interval(v)[0] >= 0

    def sum_fits(self, x: ir.Value, y: ir.Value, sign: int = 1) -> bool:
        """Whether x + y (sign 1) or x - y (sign -1) always fits in 64 bits."""
        (a, b), (c, d) = self.interval(x), self.interval(y)
        return fits(a + c, b + d) if sign > 0 else fits(a - d, b - c)

    def product_fits(self, x: ir.Value, y: ir.Value) -> bool:
        (a, b), (c, d) = self.interval(x), self.interval(y)
        return fits(*hull(a * c, a * d, b * c, b * d))

    # ---- transfer functions ------------------------------------------------------
    def _transfer(self, v, op):
        if op is None:                      # a block parameter
            return self._join(self.sources.get(v.id))
        rule = _RULES.get(op.kind)
        return rule(self, v, op) if rule is not None else FULL

    def _join(self, values):
        """The hull of ``values``' intervals (None while none has one)."""
        if not values:
            return FULL
        got = [self._of(s) for s in values]
        got = [g for g in got if g is not None]
        if not got:
            return None
        return min(g[0] for g in got), max(g[1] for g in got)

    def _of(self, v):
        if v.type == I64:
            return self.iv.get(v.id)
        return (0, 1) if v.type == BOOL else FULL

    def _load(self, v, op):
        slot = op.attrs["slot"]
        if slot in self.params:
            given = self.param_ranges.get(slot, FULL)
            stored = self._join(self.stores[slot]) if slot in self.stores else None
            return given if stored is None else (min(given[0], stored[0]),
                                                 max(given[1], stored[1]))
        return self._join(self.stores.get(slot))

    def _const(self, v, op):
        c = self.fn.consts[op.attrs["index"]]
        return (int(c), int(c)) if isinstance(c, int) else FULL

    def _int_op(self, v, op):
        if "guarded" in op.attrs:       # its operand's range was checked (hoist.guard_arms)
            return op.attrs["guarded"]
        x, y = self._of(op.args[0]), self._of(op.args[1])
        if x is None or y is None:
            return None
        rule = _INT_OPS.get(op.attrs["op"])
        got = rule(x, y) if rule is not None else FULL
        return clip(*got) if got is not None else None

    def _int_unary(self, v, op):
        x = self._of(op.args[0])
        if x is None:
            return None
        lo, hi = x
        sym = op.attrs["op"]
        if sym == "-":
            return clip(-hi, -lo)
        if sym == "~":
            return clip(-hi - 1, -lo - 1)
        return x if sym == "+" else FULL

    def _len(self, v, op):
        made = ir.origins(op.args[0], self.producer, self.sources)
        if made and all(m.kind == "load_local" and m.attrs["slot"] in self.seq_params
                        for m in made):
            return SEQ_LEN
        return (0, I64_MAX)

    def _num_call(self, v, op):
        name = op.attrs["fn"]
        if not all(a.type == I64 for a in op.args):
            return FULL
        got = [self._of(a) for a in op.args]
        if any(g is None for g in got):
            return None
        if name == "abs" and len(got) == 1:
            lo, hi = got[0]
            top = max(abs(lo), abs(hi))
            return clip(0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), top)
        if name in ("min", "max") and got:
            pick = min if name == "min" else max
            return pick(g[0] for g in got), pick(g[1] for g in got)
        return FULL

    def _range_next(self, v, op):
        if v is not op.results[0]:
            return FULL
        bounds = self._range_of(op)
        if bounds is None:
            return FULL
        start, stop, step = bounds
        if start is None or stop is None or step is None:
            return None
        # every value lies between start (included) and stop (excluded)
        lo, hi = min(start[0], stop[0]), max(start[1], stop[1])
        if step[0] > 0:
            lo, hi = max(lo, start[0]), min(hi, stop[1] - 1)
        elif step[1] < 0:
            lo, hi = max(lo, stop[0] + 1), min(hi, start[1])
        return clip(lo, hi)

    def _range_of(self, range_next):
        """The intervals of (start, stop, step) of the range a range_next steps
        through (each None while it has none), or None when that range is unknown."""
        its = ir.origins(range_next.args[0], self.producer, self.sources)
        if len(its) != 1 or its[0].kind != "range_iter":
            return None
        made = ir.origins(its[0].args[0], self.producer, self.sources)
        if len(made) != 1 or made[0].kind != "range_new":
            return None
        args = [self._of(a) for a in made[0].args]
        if len(args) == 1:
            return (0, 0), args[0], (1, 1)
        return args[0], args[1], args[2] if len(args) == 3 else (1, 1)


def _add(x, y):
    return x[0] + y[0], x[1] + y[1]


def _sub(x, y):
    return x[0] - y[1], x[1] - y[0]


def _mul(x, y):
    return hull(x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1])


def _nonzero_parts(y):
    """y without 0, as at most two intervals of one sign each."""
    parts = []
    if y[0] < 0:
        parts.append((y[0], min(y[1], -1)))
    if y[1] > 0:
        parts.append((max(y[0], 1), y[1]))
    return parts


def _floordiv(x, y):
    # floor(a / b) is monotonic in a and in b on each side of b = 0
    points = [a // b for part in _nonzero_parts(y) for a in x for b in part]
    return hull(*points) if points else None


def _mod(x, y):
    parts = _nonzero_parts(y)
    if not parts:
        return None
    out = []
    for lo, hi in parts:
        if lo > 0:       # in [0, b): at most a too when a is never negative
            out.append((0, min(hi - 1, x[1]) if x[0] >= 0 else hi - 1))
        else:            # in (b, 0]
            out.append((lo + 1, 0))
    return min(o[0] for o in out), max(o[1] for o in out)


def _and(x, y):
    nonneg = [z for z in (x, y) if z[0] >= 0]
    if nonneg:           # at most the operand that is not negative
        return 0, min(z[1] for z in nonneg)
    return FULL


def _or_xor(x, y):
    if x[0] >= 0 and y[0] >= 0:
        return 0, (1 << max(x[1], y[1]).bit_length()) - 1
    return FULL


def _counts(y):
    """Shift counts y within [0, 64] (a negative one raises; from 64 on, a shift of a
    64-bit value is all zeros or ones, or past 64 bits), or None when all raise."""
    if y[1] < 0:
        return None
    return min(max(y[0], 0), 64), min(y[1], 64)


def _rshift(x, y):
    y = _counts(y)
    return hull(*(a >> b for a in x for b in y)) if y else None


def _lshift(x, y):
    y = _counts(y)
    return hull(*(a << b for a in x for b in y)) if y else None


def _pow(x, y):
    return (0, I64_MAX) if x[0] >= 0 and y[0] >= 0 else FULL


_INT_OPS = {"+": _add, "-": _sub, "*": _mul, "//": _floordiv, "%": _mod, "&": _and,
            "|": _or_xor, "^": _or_xor, ">>": _rshift, "<<": _lshift, "**": _pow}

_RULES = {"load_local": Ranges._load, "const": Ranges._const, "int_op": Ranges._int_op,
          "int_unary": Ranges._int_unary, "len": Ranges._len, "num_call": Ranges._num_call,
          "range_next": Ranges._range_next}
