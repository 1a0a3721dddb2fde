"""Two facts about the i64 values of a specialised function: which are never
negative, and which are never 2**63 - 1 (so that adding 1 cannot overflow).

Each is an optimistic fixpoint over the typed SSA IR: every i64 value starts
presumed to hold the fact and loses the presumption when the rule for the op
that makes it fails under the current presumptions (a sum with an operand that
may be negative, a load of a slot that some store may make negative, ...), until
nothing changes. What remains holds on every run, by induction over the order in
which values are made: each is computed from earlier values, which hold it. The
rules are about exact Python ints: an op whose result would not fit deoptimises
and makes no value.

Lowering uses them where LLVM cannot see them through loops: `i % 7` for a
counter `i` of `range(n)` divides unsigned, with no sign fix-up; `i + 1` and
`p - last` (p, last never negative) need no overflow check."""

from . import ir
from .ir import I64


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
        self.nonneg = {v.id for v, _ in made}   # never negative
        self.short = set(self.nonneg)            # never 2**63 - 1
        changed = True
        while changed:
            changed = False
            for v, op in made:
                for facts, rule in ((self.nonneg, self._nonneg), (self.short, self._short)):
                    if v.id in facts and not self._carried(facts, v, op, rule):
                        facts.discard(v.id)
                        changed = True

    def __contains__(self, v: ir.Value) -> bool:
        """Never negative."""
        return v.id in self.nonneg

    def below_max(self, v: ir.Value) -> bool:
        return v.id in self.short

    def _carried(self, facts, v, op, rule) -> bool:
        """Whether a block parameter's, a load's or a constant's fact holds, or else
        ``rule`` for op's kind."""
        if op is None:                      # a block parameter
            given = self.sources.get(v.id)
            return bool(given) and all(s.id in facts for s in given)
        if op.kind == "load_local":
            slot = op.attrs["slot"]
            return slot not in self.params and all(
                s.id in facts for s in self.stores.get(slot, ()))
        if op.kind == "const":
            c = self._const(v)
            return c is not None and (c >= 0 if facts is self.nonneg else c < 2 ** 63 - 1)
        return rule(v, op)

    def _nonneg(self, v, op) -> bool:
        kind, args = op.kind, op.args
        if kind == "int_op":
            a, b, sym = args[0] in self, args[1] in self, op.attrs["op"]
            if sym in ("+", "*", "//", "|", "^", "**"):
                return a and b
            if sym == "%":          # a divisor > 0 gives a result in [0, divisor)
                return b
            if sym == "&":
                return a or b
            return sym in ("<<", ">>") and a
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
            start, stop, step = self._range_of(op)
            if step is None:
                return False
            if step > 0:                    # start, start + step, ... below stop
                return start is None or start in self
            last = self._const(stop)         # above stop: stop >= -1 will do
            return stop in self or (last is not None and last >= -1)
        return False

    def _short(self, v, op) -> bool:
        kind, args = op.kind, op.args
        if kind == "int_op":
            a, b, sym = args[0], args[1], op.attrs["op"]
            if sym == "%":          # strictly between 0 and the divisor
                return True
            if sym in ("-", "//", ">>"):     # at most a: b >= 0 (a shift's b is)
                return self.below_max(a) and (sym == ">>" or b in self)
            if sym == "&":          # at most the operand that is not negative
                return any(x in self and self.below_max(x) for x in (a, b))
            return False
        if kind == "len":           # no container holds 2**63 - 1 items
            return True
        if kind == "range_next" and v is op.results[0]:
            step = self._range_of(op)[2]
            return step is not None and step > 0     # below stop
        return False

    def _range_of(self, range_next):
        """(start, stop, constant step) of the range a range_next steps through: the
        start None when implicit (0), the step None when unknown."""
        its = ir.origins(range_next.args[0], self.producer, self.sources)
        if len(its) != 1 or its[0].kind != "range_iter":
            return None, None, None
        made = ir.origins(its[0].args[0], self.producer, self.sources)
        if len(made) != 1 or made[0].kind != "range_new":
            return None, None, None
        args = made[0].args
        if len(args) == 1:
            return None, args[0], 1
        return args[0], args[1], self._const(args[2]) if len(args) == 3 else 1

    def _const(self, v):
        op = self.producer(v)
        if op is not None and op.kind == "const" and v.type == I64:
            return self.fn.consts[op.attrs["index"]]
        return None

