"""Which i64 values of a specialised function are never negative.

An optimistic fixpoint over the typed SSA IR: every i64 value starts presumed
non-negative and loses the presumption when the rule for the op that makes it
fails under the current presumptions (a sum with an operand that may be
negative, a load of a slot that some store may make negative, ...), until nothing
changes. What remains holds on every run, by induction over the order in which
values are made: each is computed from earlier values, which hold it. The rules
are about exact Python ints: an op whose result would not fit deoptimises and
makes no value.

Lowering asks it to divide and take remainders unsigned (no sign fix-ups): `i % 7`
for a loop counter `i` of `range(n)`, which LLVM cannot see is non-negative."""

from . import ir
from .ir import I64


def _int_op(sym: str, a: bool, b: bool) -> bool:
    if sym in ("+", "*", "//", "|", "^", "**"):
        return a and b
    if sym == "%":          # a divisor > 0 gives a result in [0, divisor)
        return b
    if sym == "&":
        return a or b
    if sym in ("<<", ">>"):
        return a
    return False            # "-"


class Signs:
    def __init__(self, fn: ir.Function, producer, nparams: int):
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
        self.nonneg = {v.id for v, _ in made}
        changed = True
        while changed:
            changed = False
            for v, op in made:
                if v.id in self.nonneg and not self._holds(v, op):
                    self.nonneg.discard(v.id)
                    changed = True

    def __contains__(self, v: ir.Value) -> bool:
        return v.id in self.nonneg

    def _holds(self, v, op) -> bool:
        if op is None:                      # a block parameter
            given = self.sources.get(v.id)
            return bool(given) and all(s in self for s in given)
        kind, args = op.kind, op.args
        if kind == "const":
            return self.fn.consts[op.attrs["index"]] >= 0
        if kind == "load_local":
            slot = op.attrs["slot"]
            return slot not in self.params and all(s in self for s in self.stores.get(slot, ()))
        if kind == "int_op":
            return _int_op(op.attrs["op"], args[0] in self, args[1] in self)
        if kind == "int_unary":
            return op.attrs["op"] == "+" and args[0] in self
        if kind == "len":
            return True
        if kind == "num_call":
            name = op.attrs["fn"]
            if name == "abs":
                return True
            if name in ("min", "max") and all(a.type == I64 for a in args):
                inside = [a in self for a in args]
                return all(inside) if name == "min" else any(inside)
            return False
        if kind == "range_next" and v is op.results[0]:
            return self._counter(op)
        return False

    def _counter(self, range_next) -> bool:
        """A range's values are at least its start (a step > 0) or above its stop
        (a step < 0)."""
        its = ir.origins(range_next.args[0], self.producer, self.sources)
        if len(its) != 1 or its[0].kind != "range_iter":
            return False
        made = ir.origins(its[0].args[0], self.producer, self.sources)
        if len(made) != 1 or made[0].kind != "range_new":
            return False
        args = made[0].args
        if len(args) == 1:
            return True                     # range(n): 0, 1, ...
        step = self._const(args[2]) if len(args) == 3 else 1
        if step is None:
            return False
        if step > 0:
            return args[0] in self
        stop = self._const(args[1])
        return args[1] in self or (stop is not None and stop >= -1)

    def _const(self, v):
        op = self.producer(v)
        if op is not None and op.kind == "const" and v.type == I64:
            return self.fn.consts[op.attrs["index"]]
        return None
