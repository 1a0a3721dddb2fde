"""specialize: type inference over the SSA IR and rewriting into unboxed code.

Input: the generic IR of a function (from ``ssa``) and the exact types of its
arguments at a call. Output: the same IR, retyped: ints that fit in 64 bits
become ``i64``, floats ``f64``, comparisons ``i1``, ``for i in range(...)`` a
native counted loop, and the operations on them typed ops (``int_op``,
``float_op``, ...) whose lowering is machine code.

Exactness: every assumption is checked where it is made. A typed op whose
result would leave its representation (int overflow, division by zero, a math
domain error, an unboxing guess that was wrong, a global no longer bound to the
builtin) *deoptimises*: the native code hands the frame state recorded before
the instruction (``Op.state``: resume offset, operand stack, and the locals) to
the interpreter, which finishes the call exactly (runtime/deopt.py). Errors are
therefore always raised by the interpreter itself, with its messages.

Abstract types: ``INT``, ``FLOAT``, ``BOOL`` (an ``i1``), ``RANGE``/``RITER``
(a native range and its iterator), and ``("obj", hint)`` for objects, where the
hint is a guess (``"int"``, ``"float"``, ``("list", h)``, ``("tuple", hs)``)
taken from argument values and element loads; guesses become guarded unboxing.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins
import ctypes
import functools
import inspect
import math
import types
import weakref

from runtime import abi

from . import ir
from .errors import CompileError, UnsupportedError
from .frontend import IDENTITY_LOCALS
from .ir import BOOL, F64, I64, NOBJ, OBJ, RANGE

INT, FLOAT, I1, RANGEOBJ, RITER = "int", "float", "i1", "rangeobj", "riter"
UNBOXED_IR = {INT: I64, FLOAT: F64, I1: BOOL, RANGEOBJ: RANGE, RITER: RANGE}
ANY = ("obj", None)
OTHER = "other"     # hint: an object that is certainly not a number
# ops whose results are never numbers (no point guessing they are)
NON_NUMERIC = {"build_tuple", "build_list", "build_set", "build_map", "build_const_key_map",
               "build_string", "build_slice", "format_value", "make_function", "list_to_tuple",
               "get_iter", "load_build_class", "import_name"}
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1
# builtin types whose calls never make numbers (a call of a global bound to one is
# guessed not to give a number)
NON_NUMBER_TYPES = (bytearray, bytes, str, tuple, dict, set, frozenset)
_UNBOUND = object()     # Inference.bound_value: a name bound to nothing

CONSUMES_OPERANDS = {"raise", "reraise"}
INT_OPS = {"+", "-", "*", "//", "%", "&", "|", "^", "<<", ">>"}
FLOAT_OPS = {"+", "-", "*", "/", "//", "%"}
COMPARES = {"<", "<=", "==", "!=", ">", ">="}
# math functions that are libm's function of the same name behind math_1/math_2's
# error rules (a nan from non-nan arguments, an infinity from finite ones: a
# ValueError or OverflowError, so a deopt); each checked bit for bit against the
# math module (tests/test_native_numeric.py). math.hypot is not: CPython has its own.
MATH_1 = ("sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
          "asinh", "acosh", "atanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
          "cbrt", "erf", "erfc", "fabs")
MATH_2 = ("atan2", "copysign", "fmod", "pow", "remainder")
# callees with a native lowering, by identity: (the name lowerings know it by, the
# function, its rule); a call's plan is made for what the name is bound to when
# specialising, and guarded at run time
KNOWN_CALLS = [
    ("range", builtins.range, "range"), ("len", builtins.len, "len"),
    ("abs", builtins.abs, "abs"), ("min", builtins.min, "minmax"),
    ("max", builtins.max, "minmax"), ("int", builtins.int, "int"),
    ("float", builtins.float, "float"), ("round", builtins.round, "round"),
    ("divmod", builtins.divmod, "divmod"), ("pow", builtins.pow, "pow"),
    *((name, getattr(math, name), "math") for name in MATH_1 + MATH_2 + ("degrees", "radians")
      if hasattr(math, name)),
    ("floor", math.floor, "floor"), ("ceil", math.ceil, "floor"), ("trunc", math.trunc, "floor"),
    ("isnan", math.isnan, "mathtest"), ("isinf", math.isinf, "mathtest"),
    ("isfinite", math.isfinite, "mathtest"), ("gcd", math.gcd, "gcd"),
    ("str", builtins.str, "objcall"), ("repr", builtins.repr, "objcall"),
    ("isinstance", builtins.isinstance, "isinstance"),
]
KNOWN_BY_ID = {id(obj): (name, obj, rule) for name, obj, rule in KNOWN_CALLS}


# ---- abstract types ------------------------------------------------------------

def join(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    ha = a[1] if isinstance(a, tuple) else (a if a in (INT, FLOAT) else None)
    hb = b[1] if isinstance(b, tuple) else (b if b in (INT, FLOAT) else None)
    return ("obj", ha if ha == hb else None)


HINT_DEPTH = 4     # nesting guessed into: n-body's [(([x, y, z], v, m), ...), ...]


def hint_of(value, depth=0):
    """A guess at the shape of a Python value (for speculating on its contents)."""
    t = type(value)
    if t is int:
        return INT
    if t is float:
        return FLOAT
    if depth < HINT_DEPTH and t is list:
        return ("list", hint_of(value[0], depth + 1) if value else None)
    if depth < HINT_DEPTH and t is tuple and len(value) <= 8:
        return ("tuple", tuple(hint_of(v, depth + 1) for v in value))
    if t in (list, tuple, str, bytes, dict, set, frozenset, type(None), range):
        return OTHER
    attrs = _instance_attrs(value) if depth < HINT_DEPTH else None
    if attrs:
        # an instance of a class of the program: its attributes' shapes (`p.x`)
        hints = ((k, hint_of(v, depth + 1)) for k, v in list(attrs.items())[:INST_ATTRS])
        hints = tuple((k, h) for k, h in hints if h is not None and h != OTHER)
        return ("inst", hints) if hints else None
    return None


INST_ATTRS = 16      # an instance's attributes guessed, at most


def _instance_attrs(value) -> dict | None:
    """The attributes of an instance of a class the program made, read without
    running its code: what its __slots__ members hold (the members its class's MRO
    finds first, of the program's classes; unset ones left out), then its
    ``__dict__`` (the standard slot); None when it has neither."""
    klass = type(value)
    if not klass.__flags__ & abi.TPFLAGS_HEAPTYPE:      # (heap types: the program's classes)
        return None
    mro = type.__dict__["__mro__"].__get__(klass)
    attrs, dict_slot, seen = {}, None, set()
    for base in mro:
        for name, attr in type.__dict__["__dict__"].__get__(base).items():
            if name in seen:
                continue
            seen.add(name)
            if name == "__dict__":
                dict_slot = attr
            elif type(attr) is types.MemberDescriptorType and attr.__objclass__ in mro \
                    and attr.__objclass__.__flags__ & abi.TPFLAGS_HEAPTYPE:
                try:
                    attrs[name] = attr.__get__(value)
                except AttributeError:      # (unset)
                    pass
    if dict_slot is not None:
        if type(dict_slot) is not types.GetSetDescriptorType:
            return None
        d = dict_slot.__get__(value)
        if type(d) is not dict:
            return None
        for name, v in d.items():
            attrs.setdefault(name, v)      # (a member, a data descriptor, wins)
    return attrs or None


def number_type(value):
    """INT or FLOAT for a constant held unboxed, else None (a nan too: it is found
    by identity, which a box made per use would lose)."""
    if type(value) is int and I64_MIN <= value <= I64_MAX:
        return INT
    return FLOAT if type(value) is float and value == value else None


def arg_type(value):
    """The abstract type of an argument value: unboxed when it can be."""
    t = type(value)
    if t is int and I64_MIN <= value <= I64_MAX:
        return INT
    if t is float:
        return FLOAT
    return ("obj", hint_of(value))


def guess(t):
    """int/float: what a value of abstract type ``t`` is or is guessed to be."""
    if t in (INT, FLOAT):
        return t
    if isinstance(t, tuple) and t[1] in (INT, FLOAT):
        return t[1]
    return None


def return_hint(t):
    """What callers may guess a function returning values of type ``t`` returns:
    int, float, or a tuple's shape."""
    g = guess(t)
    if g is not None:
        return g
    if isinstance(t, tuple) and isinstance(t[1], tuple) and t[1][0] == "tuple":
        return t[1]
    return None


def element_hint(h):
    """What the items of a list or tuple of hint ``h`` are guessed to be."""
    if isinstance(h, tuple) and h[0] == "list":
        return h[1]
    if isinstance(h, tuple) and h[0] == "tuple" and len(set(h[1])) == 1:
        return h[1][0]
    return None


def unknown(t):
    """An object nothing is known about (it may well be a number)."""
    return t is not None and isinstance(t, tuple) and t[1] is None


def is_obj(t):
    return t is None or isinstance(t, tuple)


# ---- inference -------------------------------------------------------------------

COMPREHENSION_DEPTH = 3     # comprehensions inferred inside comprehensions, at most

class Inference:
    """Fixed point of value and slot types over the whole function."""

    def __init__(self, fn: ir.Function, arg_types: list, no_speculate: set, spec=None,
                 forced=None, free_types=None, depth=0, list_items=None):
        self.fn = fn
        # inferring a comprehension's code for what it appends (comprehension_items):
        # its free variables' guesses, and how deep such inferences nest
        self.free_types = free_types
        self.depth = depth
        self.comprehensions: dict = {}    # (code id, iterator type) -> items guessed
        self.kept_returns: dict = {}      # (code id, argument types) -> INT/FLOAT returned
        self.no_spec = no_speculate
        self.spec = spec           # the dispatch.Specialization being built (for calls)
        self.ret_type = None       # join of the types returned
        self.vt: dict[int, object] = {}
        self.slots: list = [None] * fn.nlocals
        # a parameter that is also a cell is made a cell of its object at once
        cells = set(fn.code.co_cellvars)
        arg_types = [("obj", guess(t) or (t[1] if is_obj(t) and t else None))
                     if fn.code.co_varnames[i] in cells else t
                     for i, t in enumerate(arg_types)]
        # cell slot -> the join of what is stored in the cell (a parameter's: its argument)
        self.cell_types: dict[int, object] = {
            i: t for i, t in enumerate(arg_types) if fn.code.co_varnames[i] in cells}
        for i, t in enumerate(arg_types):
            self.slots[i] = t
        self.arg_types = list(arg_types)
        # Forced slots hold an unboxed int/float although some stores into them are
        # objects merely guessed to be one: those stores unbox (and deopt if wrong).
        self.forced: dict[int, str] = dict(forced or {})
        for slot, t in self.forced.items():
            self.slots[slot] = t
        self.conflicts: set[int] = set()     # forced slots that got something else
        self.numeric_stores: dict[int, set] = {}   # slot -> definite int/float types stored
        self.bool_slots: set[int] = set()      # slots some comparison result is stored in
        # slots whose objects' identity is observed (a folded min/max's result: the
        # item itself, see frontend.fold311)
        self.boxed_slots: set[int] = {i for i, n in enumerate(fn.local_names or ())
                                      if n in IDENTITY_LOCALS}
        self.incoming: dict | None = None     # block parameter id -> values passed to it
        self.producer: dict[int, ir.Op] = {}
        self.stored_slots: set[int] = set()    # locals assigned or deleted somewhere
        self.slot_stores: dict[int, list] = {}   # slot -> the values assigned to it
        self.slot_loads: dict[int, list] = {}    # slot -> the ops reading it
        # id(build_list) -> what its items are guessed to be, from what is appended
        # to it (see appended_items: a second inference takes the first one's)
        self.list_items: dict = dict(list_items or {})
        for blk in fn.blocks:
            for op in blk.ops:
                for r in op.results:
                    self.producer[r.id] = op
                if op.kind in ("store_local", "delete_local"):
                    self.stored_slots.add(op.attrs["slot"])
                if op.kind == "store_local":
                    self.slot_stores.setdefault(op.attrs["slot"], []).append(op.args[0])
                elif op.kind == "load_local":
                    self.slot_loads.setdefault(op.attrs["slot"], []).append(op)
        code = fn.code
        self.nparams = code.co_argcount + code.co_kwonlyargcount + \
            bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
        self.uses: dict[int, list] = {}        # value id -> ops using it (args, unwinds)
        for blk in fn.blocks:
            for op in blk.ops:
                used = list(op.args)
                if op.unwind is not None:
                    used += op.unwind.keep + op.unwind.drop
                for _, targs in op.targets:
                    used += targs
                for a in used:
                    if isinstance(a, ir.Value):
                        self.uses.setdefault(a.id, []).append(op)
        self.plans: dict[int, tuple] = {}      # id(op) -> rewrite plan
        # id(unpack) -> (its loop's iter_next, "enumerate"/"zip2", item hint): see
        # pair_unpacked
        self.pair_loops: dict[int, tuple] = {}
        self.wanted: dict[int, object] = {}    # value id -> the type its op last gave it
        self.changed = True

    def run(self):
        while self.changed:
            self.changed = False
            for blk in self.fn.blocks:
                for op in blk.ops:
                    self.visit(op)
        self.sequence_slots = {slot: self._slot_sequence(slot) for slot in range(self.fn.nlocals)}
        # a plan whose result was widened elsewhere (e.g. joined with an object at a
        # slot) no longer describes its value: that op stays generic
        for blk in self.fn.blocks:
            for op in blk.ops:
                if id(op) in self.plans and any(
                        self.wanted.get(r.id, self.vt.get(r.id)) != self.vt.get(r.id)
                        for r in op.results):
                    del self.plans[id(op)]
        # a pair loop's step and unpacking are rewritten together, or neither is
        for blk in self.fn.blocks:
            for op in blk.ops:
                pair = self.pair_loops.get(id(op))
                if pair is not None and (self.plans.get(id(op), ("",))[0] != "pair_unpack" or
                                         self.plans.get(id(pair[0]), ("",))[0] != "pair_next"):
                    raise CompileError("specialize: a pair loop planned by halves")
        return self

    def t(self, v):
        return self.vt.get(v.id)

    def exact_sequence(self, v) -> str | None:
        """"list"/"tuple" when ``v`` is certainly an exact list/tuple (read from a slot
        that _slot_sequence vouches for)."""
        prod = self.producer.get(v.id)
        if prod is None or prod.kind != "load_local":
            return None
        return self.sequence_slots.get(prod.attrs["slot"])

    def _slot_sequence(self, slot: int) -> str | None:
        """"list"/"tuple" when ``slot`` can only hold an exact list/tuple: a parameter
        of that type in this signature that is never assigned, or a slot that only new
        lists (see _new_list) are ever assigned to. (Read once the types are final:
        the rewrite replaces operands.)"""
        stores = self.slot_stores.get(slot, [])
        kind = None     # what a parameter holds on entry; other slots hold nothing
        if slot < self.nparams:
            types = getattr(self.spec, "types", ())
            kind = {list: "list", tuple: "tuple"}.get(types[slot]) if slot < len(types) else None
            if kind is None:
                return None
        if not stores:
            return kind
        if kind not in (None, "list") or not all(self._new_list(s) for s in stores):
            return None
        return "list"

    def _new_list(self, v) -> bool:
        """``v`` is certainly a new exact list: a list display, or one repeated by an
        int (a display's `*` cannot be overridden by the int's type)."""
        prod = self.producer.get(v.id) if isinstance(v, ir.Value) else None
        if prod is None:
            return False
        if prod.kind == "build_list":
            return True
        if prod.kind == "binop" and prod.attrs["op"] == "*":
            a, b = prod.args
            return any(self._new_list(x) and self.t(y) == INT for x, y in ((a, b), (b, a)))
        return False

    def force_candidates(self) -> dict:
        """Object slots worth holding unboxed: some store puts a definite int (float)
        there and every other store an object guessed, or not known not, to be one;
        or every store puts an object guessed a float there (``x, y = point``)."""
        found = {}
        for slot, stored in self.numeric_stores.items():
            t = self.slots[slot]
            if len(stored) != 1 or slot in self.forced or slot in self.boxed_slots \
                    or slot in self.bool_slots:
                continue
            g = next(iter(stored))
            if isinstance(t, tuple) and t[1] in (g, None) and (
                    slot >= len(self.arg_types) or self.arg_types[slot] == g):
                found[slot] = g
        for slot in range(len(self.arg_types), len(self.slots)):
            if self.slots[slot] == ("obj", FLOAT) and slot not in self.numeric_stores and \
                    slot not in self.forced and slot not in self.boxed_slots:
                found[slot] = FLOAT
        return found

    def set(self, v, t):
        if v.type == NOBJ and not (is_obj(t) and t is not None):
            t = ANY      # (a hint stays: only iter_next's items, never NULL where used)
        elif v.type == BOOL and t != I1:
            t = I1
        self.wanted[v.id] = t
        old = self.vt.get(v.id)
        new = join(old, t)
        if new != old:
            self.vt[v.id] = new
            self.changed = True

    def slot_join(self, slot, t, store=None):
        if t == I1:     # a bool stored: the slot holds True/False, never an unboxed number
            if slot not in self.bool_slots:
                self.bool_slots.add(slot)
                self.changed = True
            if slot in self.forced:
                self.conflicts.add(slot)
        if t in (I1, RANGEOBJ, RITER):
            t = ANY
        if t in (INT, FLOAT):
            self.numeric_stores.setdefault(slot, set()).add(t)
        g = self.forced.get(slot)
        if g is not None:
            if t == g or (store is not None and isinstance(t, tuple) and t[1] in (g, None)
                          and self.speculate(store)):
                return
            self.conflicts.add(slot)
        new = join(self.slots[slot], t)
        if new != self.slots[slot]:
            self.slots[slot] = new
            self.changed = True

    def speculate(self, op) -> bool:
        return op.offset not in self.no_spec

    # ---- transfer functions ----
    def visit(self, op):
        for target, targs in op.targets:
            for p, a in zip(target.params, targs):
                self.set(p, self.t(a))
        u = op.unwind
        if u is not None and u.handler is not None:
            for p, a in zip(u.handler.params, u.keep):
                self.set(p, self.t(a))
            for p in u.handler.params[len(u.keep):]:
                self.set(p, ANY)
        if any(isinstance(a, ir.Value) and a.id not in self.vt for a in op.args) and \
                op.kind not in ir.TERMINATORS:
            return    # an operand's type is not known yet: wait (optimistic analysis)
        handler = getattr(self, "v_" + op.kind, None)
        plan = handler(op) if handler else None
        if plan is not None:
            self.plans[id(op)] = plan
        else:
            self.plans.pop(id(op), None)
            other = ("obj", OTHER) if op.kind in NON_NUMERIC else ANY
            for r in op.results:
                self.set(r, I1 if r.type == BOOL else other)

    def v_const(self, op):
        c = self.fn.consts[op.attrs["index"]]
        if number_type(c) is not None:
            self.set(op.result, number_type(c))
        else:
            self.set(op.result, ("obj", hint_of(c)))
            uses = self.uses.get(op.result.id, [])
            if type(c) is tuple and 1 <= len(c) <= 8 and None not in map(number_type, c) \
                    and len(uses) == 1 and uses[0].kind == "ret":
                return ("raw_const_tuple",)    # returned at once, like v_build_tuple's
        return ("keep",)

    def v_load_global(self, op):
        """A global is guessed like the value it is bound to at specialisation time
        (``OFFSET = 0.25``; ``DATA``, a list of floats): a guess, which a use that
        unboxes it checks (an int next to it was guessed instead, and every call
        deoptimised until the site was given up)."""
        value = self.bound_value(op, unbound=_UNBOUND)
        if value is _UNBOUND:
            return None      # (not bound yet: nothing to go by)
        h = hint_of(value)
        if h is None or h in (INT, FLOAT) and number_type(value) is None:
            return None      # (an int past 64 bits, a nan: as anything else)
        self.set(op.result, ("obj", h))
        return ("keep",)

    def v_setattr(self, op):
        obj, value = op.args
        return ("setattr_float",) if self.t(value) == FLOAT and is_obj(self.t(obj)) else None

    def v_getattr(self, op):
        """``obj.x`` of an object guessed an instance whose ``x`` was a float (in the
        arguments' shapes), and ``module.name`` of a global module (``math.pi``):
        guessed like the value it has now (a guess: a use that unboxes it checks it)."""
        t = self.t(op.args[0])
        h = t[1] if is_obj(t) and t is not None else None
        if isinstance(h, tuple) and h[0] == "inst":
            attr = dict(h[1]).get(op.attrs["name"])
            if attr is not None:
                self.set(op.result, ("obj", attr))
                return ("keep",)
        value = self.bound_value(op)
        # (not a nan: an unboxed one boxes again as a new object, and a nan is found
        # by identity -- `v in (v,)`, dict keys)
        if number_type(value) is None or value != value:
            return None
        self.set(op.result, ("obj", hint_of(value)))
        return ("keep",)

    def v_load_local(self, op):
        t = self.slots[op.attrs["slot"]]
        if t is not None:
            self.set(op.result, t)
        return ("keep",)

    def v_load_deref(self, op):
        """A cell's content is an object, guessed like what is stored in it here (a
        parameter's cell starts out holding the argument); a free variable's like
        what its maker stores in its cell (see cell_guesses)."""
        if op.attrs.get("free"):
            name = self.fn.local_names[op.attrs["slot"]]
            free = self.free_types if self.free_types is not None else \
                getattr(self.spec, "free_types", {})
            t = free.get(name)
        elif op.attrs["slot"] not in self.cell_types:
            return ("keep",)      # nothing stored in it yet: wait (optimistic)
        else:
            t = self.cell_types[op.attrs["slot"]]
        self.set(op.result, ("obj", guess(t) or (t[1] if is_obj(t) and t else None)))
        return ("keep",)

    def v_store_deref(self, op):
        slot = op.attrs["slot"]
        new = join(self.cell_types.get(slot), self.t(op.args[0]))
        if new != self.cell_types.get(slot):
            self.cell_types[slot] = new
            self.changed = True
        return ("keep",)

    def cell_guesses(self, code) -> dict:
        """What the cells a comprehension ``code`` closes over are guessed to hold,
        by name."""
        names = self.fn.local_names
        return {name: self.cell_types.get(names.index(name))
                for name in code.co_freevars if name in names}

    def v_store_local(self, op):
        slot = op.attrs["slot"]
        if slot in self.boxed_slots:
            # the object stored keeps its identity: so does a local it is copied from
            for prod in self.origins(op.args[0]):
                if prod.kind == "load_local":
                    self.keep_boxed(prod.attrs["slot"])
        self.slot_join(slot, self.t(op.args[0]), op)
        return ("keep",)

    def origins(self, v) -> list:
        """The ops whose results reach ``v``, through block parameters."""
        if self.incoming is None:
            self.incoming = ir.param_sources(self.fn)
        return ir.origins(v, lambda x: self.producer.get(x.id), self.incoming)

    def keep_boxed(self, slot):
        if slot not in self.boxed_slots:
            self.boxed_slots.add(slot)
            self.changed = True
        if slot in self.forced:
            self.conflicts.add(slot)
        t = self.slots[slot]
        if t in (INT, FLOAT):
            self.slot_join(slot, ("obj", t))

    def _numeric_pair(self, op, a, b, allowed_int, allowed_float):
        """Plan the operand conversions for a binary numeric op: (kind, conv_a, conv_b)
        with kind 'int' or 'float', or None for the generic op."""
        ta, tb = self.t(a), self.t(b)
        ga, gb = guess(ta), guess(tb)
        # an object of unknown type next to an unboxed number is guessed to be the
        # same kind (an int next to an int; an int or float next to a float)
        if ga is None and unknown(ta) and tb in (INT, FLOAT):
            ga = tb
        if gb is None and unknown(tb) and ta in (INT, FLOAT):
            gb = ta
        # ... and next to an object guessed a float (`a.x - b.x`), a float
        fa = ga is None and unknown(ta) and gb == FLOAT
        fb = gb is None and unknown(tb) and ga == FLOAT
        if fa:
            ga = FLOAT
        if fb:
            gb = FLOAT
        floats = op.offset in getattr(self.spec, "float_sites", ())
        if floats:
            # this site's deopts saw floats: its guessed operands are guessed floats
            if ta not in (INT, FLOAT) and (ga is not None or unknown(ta)):
                ga = FLOAT
            if tb not in (INT, FLOAT) and (gb is not None or unknown(tb)):
                gb = FLOAT
        # a site that kept deoptimising (overflow, a zero divisor, a wrong guess)
        # runs the generic op, on objects
        if ga is None or gb is None or not self.speculate(op):
            return None
        if ga == INT and gb == INT:
            if not allowed_int:
                return None
            return ("int", _conv(ta, INT), _conv(tb, INT))
        if not allowed_float:
            return None
        # at least one float: the other side converts (exactly, or it deopts)
        return ("float", _conv_float(ta, tb, floats or fa), _conv_float(tb, ta, floats or fb))

    def v_binop(self, op):
        sym = op.attrs["op"]
        base = sym[:-1] if sym.endswith("=") and sym not in COMPARES else sym
        a, b = op.args
        if base == "/":
            plan = self._numeric_pair(op, a, b, True, True)
            if plan and plan[0] == "int":
                self.set(op.result, FLOAT)
                return ("int_truediv", plan[1], plan[2])
        elif base == "**":
            # int ** int stays an int (a negative exponent deopts: its result is a float)
            plan = self._numeric_pair(op, a, b, True, True)
        else:
            plan = self._numeric_pair(op, a, b, base in INT_OPS, base in FLOAT_OPS)
        if plan is None:
            return self.list_repeat(op, base)
        self.set(op.result, INT if plan[0] == "int" else FLOAT)
        return (plan[0] + "_op", plan[1], plan[2], base)

    def list_repeat(self, op, base):
        """``[x] * n`` (either way round) makes a list of what the list holds: a guess
        (the generic op runs)."""
        if base != "*":
            return None
        for x, y in (op.args, op.args[::-1]):
            h = self.list_hint(x)
            if h is not None and guess(self.t(y)) == INT:
                self.set(op.result, ("obj", h))
                return ("keep",)
        return None

    def list_hint(self, v):
        """The hint of ``v`` if it is (guessed, or known, to be) a list, else None."""
        t = self.t(v)
        h = t[1] if is_obj(t) and t else None
        if isinstance(h, tuple) and h[0] == "list":
            return h
        prod = self.producer.get(v.id)
        if prod is not None and prod.kind == "load_local" and \
                self._slot_sequence(prod.attrs["slot"]) == "list":
            return ("list", None)
        return None

    def v_build_list(self, op):
        items = {guess(self.t(a)) if guess(self.t(a)) else self.t(a) for a in op.args}
        item = items.pop() if len(items) == 1 else None
        item = item[1] if is_obj(item) and item else item
        if id(op) in self.list_items and (not op.args or item == self.list_items[id(op)]):
            item = self.list_items[id(op)]
        self.set(op.result, ("obj", ("list", item)))
        return ("keep",)

    def appended_items(self) -> dict:
        """id(build_list) -> the int/float guess for what the program appends to that
        list (``ps = []`` ... ``ps.append(k)`` with k an int), read through the locals
        it is stored in: a guess for its items where the display gives none."""
        found = {}
        for blk in self.fn.blocks:
            for op in blk.ops:
                if op.kind != "build_list":
                    continue
                # (as force_candidates: an int appended somewhere, and elsewhere
                # ints or objects nothing is known about)
                seen = set()
                for store in self.uses.get(op.result.id, ()):
                    if store.kind != "store_local":
                        continue
                    for load in self.slot_loads.get(store.attrs["slot"], ()):
                        for value in self._appended(load.result):
                            t = self.t(value)
                            seen.add(guess(t) if guess(t) or not unknown(t) else "?")
                seen.discard("?")
                if len(seen) == 1 and seen <= {INT, FLOAT}:
                    found[id(op)] = seen.pop()
        return found

    def _appended(self, xs):
        """The values ``xs.append(v)`` calls append to list ``xs``."""
        for use in self.uses.get(xs.id, ()):
            if use.kind == "load_method" and use.attrs["name"] == "append":
                method = use.results[0]
                for call in self.uses.get(method.id, ()):
                    if call.kind == "call" and len(call.args) == 3 and call.args[0] is method \
                            and not call.attrs.get("kwnames"):
                        yield call.args[2]

    def v_compare(self, op):
        a, b = op.args
        plan = self._numeric_pair(op, a, b, True, True)
        if plan is None:
            return None
        self.set(op.result, I1)
        # int vs float compares exactly only while the int converts exactly: the
        # conversions of a comparison check |v| <= 2**53 (else deopt)
        return (plan[0] + "_cmp", plan[1], plan[2], op.attrs["op"])

    def v_contains(self, op):
        """``x in (1, 3, 5)`` (a constant tuple or frozenset of numbers) with a number
        ``x``: compared natively with each constant (== on numbers runs no code, so
        comparing them all gives what the interpreter's in-order search gives)."""
        container, item = op.args
        prod = self.producer.get(container.id)
        if prod is None or prod.kind != "const" or not self.speculate(op):
            return None
        values = self.fn.consts[prod.attrs["index"]]
        g = guess(self.t(item))
        if type(values) not in (tuple, frozenset) or not 0 < len(values) <= MAX_IN_CONSTS \
                or g is None or not all(map(_plain_number, values)):
            return None
        if g == INT and not all(isinstance(c, int) for c in values):
            return None          # (an int against floats: left to the generic op)
        if g == FLOAT and not all(isinstance(c, float) or abs(c) <= 2 ** 53 for c in values):
            return None          # (an int constant a double cannot hold exactly)
        self.set(op.result, I1)
        cast = int if g == INT else float
        # (an int constant past 64 bits never equals a 64-bit x: left out)
        return ("num_in", _conv(self.t(item), g),
                sorted({cast(c) for c in values if g == FLOAT or I64_MIN <= c <= I64_MAX}))

    def v_unary(self, op):
        t = self.t(op.args[0])
        g = guess(t)          # a guessed number unboxes with a guard (a bool as an int)
        sym = op.attrs["op"]
        if (g == INT or (g == FLOAT and sym != "~")) and self.speculate(op):
            self.set(op.result, g)
            return ("unary", sym, _conv(t, g))
        return None

    def v_truth(self, op):
        t = self.t(op.args[0])
        if t in (INT, FLOAT, I1):
            self.set(op.result, I1)
            return ("truth", t)
        return None

    def v_is(self, op):
        # Identity is observed: a local read here keeps its objects (boxed once, at
        # the store), so ``x is y`` after ``y = x`` holds as in the interpreter.
        for a in op.args:
            prod = self.producer.get(a.id)
            if prod is not None and prod.kind == "load_local":
                self.keep_boxed(prod.attrs["slot"])
        return None

    def v_bool_box(self, op):
        self.set(op.result, ANY)
        return ("keep",)

    def v_getitem(self, op):
        c, k = op.args
        tc, tk = self.t(c), self.t(k)
        h = tc[1] if is_obj(tc) and tc is not None else None
        made_by = self.producer.get(k.id)
        if isinstance(h, tuple) and h[0] == "list" and made_by is not None and \
                made_by.kind == "build_slice":
            # a slice of a list guessed to hold h[1] holds them too (the generic op)
            self.set(op.result, ("obj", h))
            return ("keep",)
        if not is_obj(tc) or tk != INT:
            return None
        self.set(op.result, ("obj", element_hint(tc[1] if tc else None)))
        return ("seq_getitem",)

    def v_setitem(self, op):
        c, k, _ = op.args
        if is_obj(self.t(c)) and self.t(k) == INT:
            return ("seq_setitem",)
        return None

    def v_build_tuple(self, op):
        # the shape (for unpacking it, here or in a caller it is returned to)
        hints = tuple(t if t in (INT, FLOAT) else (t[1] if is_obj(t) and t else None)
                      for t in (self.t(a) for a in op.args))
        self.set(op.result, ("obj", ("tuple", hints) if len(hints) <= 8 else OTHER))
        uses = self.uses.get(op.result.id, [])
        if 1 <= len(hints) <= 8 and all(self.t(a) in (INT, FLOAT) for a in op.args) and \
                len(uses) == 1 and uses[0].kind == "ret":
            return ("raw_tuple",)   # returned at once: unboxed to a direct caller
        return ("keep",)

    def raw_tuple_return(self):
        """The element types of the tuple every return of the function hands a
        direct caller unboxed (see v_build_tuple), or None."""
        shapes = set()
        for blk in self.fn.blocks:
            for op in blk.ops:
                if op.kind != "ret":
                    continue
                prod = self.producer.get(op.args[0].id)
                plan = self.plans.get(id(prod)) if prod is not None else None
                if plan == ("raw_tuple",):
                    shapes.add(tuple(self.t(a) for a in prod.args))
                elif plan == ("raw_const_tuple",):
                    shapes.add(tuple(map(number_type, self.fn.consts[prod.attrs["index"]])))
                else:
                    return None
        return shapes.pop() if len(shapes) == 1 else None

    def unpacked_at_once(self, v):
        """The unpack_sequence that is the only consumer of ``v`` (it may release
        ``v`` on the way), or None."""
        uses = self.uses.get(v.id, [])
        unpacks = list({id(u): u for u in uses
                        if u.kind == "unpack_sequence" and u.args[0] is v}.values())
        if len(unpacks) != 1 or any(u is not unpacks[0] and u.kind != "decref" for u in uses):
            return None
        return unpacks[0]

    def v_unpack_sequence(self, op):
        t = self.t(op.args[0])
        h = t[1] if is_obj(t) and t else None
        n = len(op.results)
        hints = [None] * n
        if isinstance(h, tuple) and h[0] == "tuple" and len(h[1]) == n:
            hints = list(h[1])
        elif isinstance(h, tuple) and h[0] == "list":
            hints = [h[1]] * n
        pair = self.pair_loops.get(id(op))
        if pair is not None:        # the item never made: the loop's step hands over both
            _, source, items = pair
            a, b = items[1] if isinstance(items, tuple) and items[0] == "tuple" and \
                len(items[1]) == 2 else (None, None)
            self.set(op.results[0], INT if source == "enumerate" else ("obj", a))
            self.set(op.results[1], ("obj", b))
            return ("pair_unpack", source)
        prod = self.producer.get(op.args[0].id)
        plan = self.plans.get(id(prod)) if prod is not None else None
        if plan is not None and plan[0] in ("direct_call", "known_call") and plan[-1] is op:
            for r, hh in zip(op.results, hints):
                self.set(r, hh)
            return ("from_call",)   # the call hands over the elements unboxed
        for r, hh in zip(op.results, hints):
            self.set(r, ("obj", hh))
        return ("keep",)

    def v_get_iter(self, op):
        t = self.t(op.args[0])
        if t == RANGEOBJ:
            self.set(op.result, RITER)
            return ("range_iter",)
        self.set(op.result, ("obj", ("iter", self.items_of(op.args[0]),
                                     self.pair_source(op.args[0]))))
        return ("keep",)

    def global_call(self, v):
        """(name, arguments) when ``v`` is made by a positional call of a global of
        that name, else (None, [])."""
        prod = self.producer.get(v.id)
        if prod is None or prod.kind != "call" or prod.attrs.get("kwnames"):
            return None, []
        fn = self.producer.get(prod.args[1].id)
        if fn is None or fn.kind != "load_global":
            return None, []
        return fn.attrs["name"], prod.args[2:]

    def pair_source(self, v):
        """"enumerate" / "zip2" when ``v`` is made by a call of the global
        enumerate(xs[, start]) or zip(xs, ys) (a guess: checked at each step)."""
        name, args = self.global_call(v)
        if name == "enumerate" and len(args) in (1, 2):
            return "enumerate"
        return "zip2" if name == "zip" and len(args) == 2 else None

    def items_of(self, v):
        """A guess at what iterating ``v`` gives: the items of a list or tuple, ints
        from a range, what an iterator gives, and pairs from enumerate() and zip()
        of those. (Only a guess: every use of an item checks it.)"""
        t = self.t(v)
        if t == RANGEOBJ:
            return INT
        h = t[1] if is_obj(t) and t else None
        if isinstance(h, tuple) and h[0] == "iter":
            return h[1]
        name, args = self.global_call(v)
        if name == "enumerate" and len(args) in (1, 2):
            return ("tuple", (INT, self.items_of(args[0])))
        if name == "zip" and 1 <= len(args) <= 8:
            return ("tuple", tuple(self.items_of(a) for a in args))
        return element_hint(h)

    def v_iter_next(self, op):
        t = self.t(op.args[0])
        if t == RITER:
            self.set(op.result, INT)
            return ("range_next",)
        h = t[1] if is_obj(t) and t else None
        items = h[1] if isinstance(h, tuple) and h[0] == "iter" else None
        source = h[2] if isinstance(h, tuple) and h[0] == "iter" and len(h) > 2 else None
        if source == "range" and items == INT and abi.RANGE_ITER_LAYOUT and self.speculate(op):
            self.set(op.result, INT)      # a range iterator's ints come out unboxed
            return ("range_obj_next",)
        self.set(op.result, ("obj", items))
        unpack = self.pair_unpacked(op) if abi.PAIR_ITER_LAYOUT else None
        if unpack is not None and source in ("enumerate", "zip2") and self.speculate(unpack):
            self.pair_loops[id(unpack)] = (op, source, items)
            return ("pair_next", source, unpack)
        # (no longer a pair loop, the iterator's type widened: its unpacking is
        # planned again too)
        if unpack is not None and self.pair_loops.pop(id(unpack), None) is not None:
            self.changed = True
        return ("seq_next",)     # inline for list and tuple iterators

    def pair_unpacked(self, op):
        """``for a, b in <iterator>``: the UNPACK_SEQUENCE 2 that alone takes each item
        ``op`` (FOR_ITER) gives, first thing in the loop body, or None."""
        uses = self.uses.get(op.result.id, [])
        if len(uses) != 2 or uses[0] is not uses[1] or uses[0].kind != "br_if_null":
            return None     # (the test, and the body's argument)
        (_, _), (body, targs) = uses[0].targets
        if len(body.preds) != 1 or not targs or targs[-1] is not op.result \
                or op.result in targs[:-1] or not body.ops:
            return None
        item, unpack = body.params[-1], body.ops[0]
        if unpack.kind != "unpack_sequence" or unpack.args[0] is not item \
                or len(unpack.results) != 2:
            return None
        if any(u is not unpack and u.kind != "decref" for u in self.uses.get(item.id, [])):
            return None
        return unpack

    def v_ret(self, op):
        t = self.t(op.args[0])
        self.ret_type = join(self.ret_type, t if t not in (I1, RANGEOBJ, RITER) else ANY)
        return None

    def v_load_method(self, op):
        """``xs.name`` of a list's method (``d.get`` of a dict's): when ``xs`` is an
        exact list (dict) at run time, the lookup finds the type's own descriptor (a
        builtin type's attributes are fixed and its instances have no dict), so it
        takes no lookup."""
        name = op.attrs["name"]
        if self.list_hint(op.args[0]) is not None and \
                type(list.__dict__.get(name)) is LIST_METHOD:
            owner = "list"
        elif name in DICT_METHODS and self.exact_dict(op.args[0]):
            owner = "dict"
        else:
            return None
        self.set(op.results[0], ("obj", (f"{owner}_method", name)))
        self.set(op.results[1], ANY)
        return ("exact_method", owner, name)

    def exact_dict(self, v) -> bool:
        """``v`` is read from a local that only ever holds an exact dict: a dict
        parameter (of this signature) never assigned, or a local only assigned
        dict displays."""
        prod = self.producer.get(v.id)
        if prod is None or prod.kind != "load_local":
            return False
        slot = prod.attrs["slot"]
        stores = self.slot_stores.get(slot, [])
        if slot < self.nparams:
            types = getattr(self.spec, "types", ())
            return not stores and slot < len(types) and types[slot] is dict
        return bool(stores) and all(
            isinstance(x, ir.Value) and getattr(self.producer.get(x.id), "kind", None)
            in ("build_map", "build_const_key_map") for x in stores)

    def v_call(self, op):
        t = self.t(op.args[0])
        if t == ("obj", ("list_method", "append")) and len(op.args) == 3 and \
                not op.attrs.get("kwnames"):
            self.set(op.result, ANY)
            return ("append_call",)
        if t == ("obj", ("dict_method", "get")) and len(op.args) in (3, 4) and \
                not op.attrs.get("kwnames"):
            self.set(op.result, ANY)
            return ("dict_get_call",)
        kept = self.kept_result(op)
        if kept is not None:      # a kept nested function returning a number: raw
            self.set(op.result, kept)
            return ("keep",)
        made = self.made_guess(op)
        if made is not None:      # a generic call, but what it makes is guessed
            self.set(op.result, ("obj", made))
            return ("keep",)
        if not self.speculate(op):
            return None
        known = self.known_callee(op)
        if known is None:
            return self.direct_call(op)
        name, obj, rule = known
        args = op.args[2:]
        types = [self.t(a) for a in args]
        if rule == "pow":         # pow(a, b) is a ** b (the three-argument form is not)
            plan = self._numeric_pair(op, *args, True, True) if len(args) == 2 else None
            if plan is None:
                return None
            self.set(op.result, INT if plan[0] == "int" else FLOAT)
            return ("pow_call", obj, plan[0], plan[1], plan[2])
        plan = getattr(self, "call_" + rule)(name, args, types)
        if plan is None:
            return None
        result_type, convs, kind = plan
        unpack = None
        if kind == "divmod":
            # only a pair unpacked at once is worth it: its items come back unboxed
            unpack = self.unpacked_at_once(op.result)
            if unpack is None or len(unpack.results) != 2 or not self.speculate(op):
                return None
        self.set(op.result, result_type)
        return ("known_call", obj, convs, kind, unpack)

    def direct_call(self, op):
        """A call of a global bound to a compiled function with a dispatcher, with
        int/float arguments: call its specialisation's native entry directly."""
        from runtime import funcobject
        if self.spec is None or op.attrs.get("frame_builtin"):
            return None
        prod = self.producer.get(op.args[1].id)
        first = self.producer.get(op.args[0].id)
        if prod is None or prod.kind != "load_global" or first is None or first.kind != "null":
            return None
        me = self.spec.dispatcher
        target = me.function.__globals__.get(prod.attrs["name"])
        holder = target if funcobject.is_compiled_function(target) else \
            program_function(target, me.function)
        if holder is None:
            return None
        native = funcobject.get_state(holder)
        callee = getattr(native, "dispatcher", None)
        order = bind_call(target, len(op.args) - 2, op.attrs.get("kwnames") or ())
        if callee is None or order is None:
            return self.copy_call(op, target, holder)
        # parameter i takes call argument order[i], or (a 1-tuple) a default's value;
        # arguments guessed to be ints/floats are unboxed (exactly: a bool stays out),
        # lists and tuples are passed as they are (their type checked at the call),
        # defaults are constants (the defaults tuple is checked at the call)
        types, kinds, guessed = [], [], False
        for k in order:
            if isinstance(k, tuple):
                types.append(number_type(k[0]) or ("obj", hint_of(k[0])))
                kinds.append(number_type(k[0]) or type(k[0]).__name__)
                continue
            a = op.args[2 + k]
            types.append(self.t(a))
            kinds.append(self.direct_kind(a, types[-1]))
            guessed |= types[-1] not in (INT, FLOAT)
        if None in kinds or (guessed and not self.speculate(op)):
            return self.copy_call(op, target, holder)
        defaults = any(isinstance(k, tuple) for k in order)
        sig = tuple(DIRECT_TYPES[k] for k in kinds)
        plan = ("direct_call", target, holder, callee, sig, types, kinds, defaults, order, None)
        if callee is me and sig == self.spec.types:
            if self.ret_type is None:
                return plan   # not known yet
            hint = return_hint(self.ret_type)       # recursion: what this function returns
        else:
            callee.direct_cell(sig, direct_arg_types(types, kinds))   # compiled now: what does it return?
            hint = callee.return_hint(sig)
            # a tuple of numbers unpacked at once travels unboxed, never built
            shape = callee.raw_tuple(sig)
            unpack = self.unpacked_at_once(op.result)
            if shape is not None and unpack is not None and len(unpack.results) == len(shape) \
                    and self.speculate(op):
                plan = plan[:-1] + (unpack,)
        # an int/float result comes back unboxed (anything else deopts after the call);
        # a tuple's shape tells its unpacking what to guess
        self.set(op.result, hint if hint in (INT, FLOAT) else ("obj", hint))
        return plan

    def copy_call(self, op, target, holder):
        """A call of a function of the program's that cannot be direct (arguments
        other than numbers, lists and tuples; keywords, defaults): an ordinary call
        of its compiled copy, which dispatches on the arguments' types itself."""
        if holder is target:
            return None      # (a compiled function: the ordinary call goes native already)
        self.set(op.result, ANY)
        return ("copy_call", target, holder)

    def made_guess(self, op):
        """A hint for what a call of a global (only a guess, checked where it
        matters) returns: the list ``list(xs)`` or ``sorted(xs)`` makes; the number
        ``sum(xs)`` gives over items guessed numbers (so ``sum(xs) / n`` unboxes a
        float instead of first guessing an int and deoptimising; a new object, where
        ``min(xs)``/``max(xs)`` give an item, whose identity unboxing would lose);
        else None."""
        if "nested_code_index" in op.attrs:
            items = self.comprehension_items(op)
            return ("list", items) if items is not None else None
        name, args = self.global_call(op.result)
        if name is not None:
            made_by = self.bound_value(self.producer[op.args[1].id])
            known = made_by is str and len(args) == 1    # (a known call: see call_objcall)
            if any(made_by is t for t in NON_NUMBER_TYPES) and not known:
                return OTHER    # (so `bytearray(...) * n` is not guessed an int product)
        if name in ("list", "sorted") and len(args) == 1:
            return ("list", self.items_of(args[0]))
        if name == "sum" and len(args) == 1:
            items = self.items_of(args[0])
            return items if items in (INT, FLOAT) else None
        return None

    def kept_result(self, op):
        """INT or FLOAT when ``op`` calls a kept nested function (ssa.mark_kept_functions)
        with numbers only, which, inferred for them, returns that: its copy then hands
        the result back raw (lower._call_nested), an object result being unboxed or
        resumed after the call, as a direct call's. Else None."""
        if not op.attrs.get("kept") or "nested_code_index" not in op.attrs or \
                self.spec is None or self.depth >= COMPREHENSION_DEPTH or \
                not self.speculate(op):
            return None
        types = tuple(self.t(a) for a in op.args[2:])
        if not types or any(t not in (INT, FLOAT) for t in types):
            return None
        code = self.fn.consts[op.attrs["nested_code_index"]]
        key = (id(code), types)    # (the code is a constant of this function: alive)
        if key not in self.kept_returns:
            self.kept_returns[key] = None      # (a recursion meanwhile: not guessed)
            from .ssa import build_ssa
            try:
                fn, _ = build_ssa(code)
            except (CompileError, UnsupportedError, RecursionError):
                return None
            inner = Inference(fn, list(types), set(), None, free_types=self.cell_guesses(code),
                              depth=self.depth + 1).run()
            ret = inner.ret_type
            self.kept_returns[key] = ret if ret in (INT, FLOAT) else None
        return self.kept_returns[key]

    def comprehension_items(self, op):
        """What the list comprehension ``op`` makes and calls here appends, guessed by
        inferring its code for the iterator it is given (so the rows of
        ``[[...] for i in ...]`` are guessed lists of floats, as an argument's would
        be); None if nothing is guessed."""
        code = self.fn.consts[op.attrs["nested_code_index"]]
        if code.co_name != "<listcomp>" or self.depth >= COMPREHENSION_DEPTH:
            return None
        t = self.t(op.args[-1])
        arg = ("obj", ("iter", INT, "range")) if t in (RANGEOBJ, RITER) else \
            t if is_obj(t) and t is not None else ANY
        key = (id(code), repr(arg))    # (the code is a constant of this function: alive)
        if key not in self.comprehensions:
            self.comprehensions[key] = None
            from .ssa import build_ssa
            try:
                fn, _ = build_ssa(code)
            except (CompileError, UnsupportedError, RecursionError):
                return None
            inner = Inference(fn, [arg], set(), None, free_types=self.cell_guesses(code),
                              depth=self.depth + 1).run()
            appended = None
            for blk in fn.blocks:
                for o in blk.ops:
                    if o.kind == "list_append":
                        appended = join(appended, inner.t(o.args[1]))
            g = guess(appended)
            self.comprehensions[key] = g if g is not None else \
                appended[1] if is_obj(appended) and appended is not None and \
                isinstance(appended[1], tuple) and appended[1][0] == "list" else None
        return self.comprehensions[key]

    def direct_kind(self, v, t):
        """How ``v`` (of type ``t``) travels to a direct callee: as an unboxed int or
        float, or as a list or tuple object; None if it cannot."""
        g = guess(t)
        if g is not None:
            return g
        h = t[1] if is_obj(t) and t else None
        prod = self.producer.get(v.id)
        exact = self._slot_sequence(prod.attrs["slot"]) \
            if prod is not None and prod.kind == "load_local" else None
        return exact or (h[0] if isinstance(h, tuple) and h[0] in ("list", "tuple") else None)

    def known_callee(self, op):
        if op.attrs.get("kwnames") or op.attrs.get("frame_builtin"):
            return None
        callee = op.args[1]
        prod = self.producer.get(callee.id)
        if prod is None or prod.kind not in ("load_global", "load_method", "getattr"):
            return None
        value = self.bound_value(prod)
        known = KNOWN_BY_ID.get(id(value))
        if known is None or known[1] is not value:
            return None
        return known

    def bound_value(self, prod, unbound=None):
        """What a global (or a global module's attribute) that ``prod`` loads is bound
        to now (``sqrt`` from ``from math import sqrt``, ``math.sqrt``), else
        ``unbound``."""
        function = self.spec.dispatcher.function if self.spec is not None else None
        globals_ = getattr(function, "__globals__", {})
        name = prod.attrs.get("name")
        # (dict's own lookup: a dict subclass's methods are user code, not run here)
        if prod.kind == "load_global":
            value = dict.get(globals_, name, _UNBOUND)
            # (the function's own builtins: what its loads read)
            own = getattr(function, "__builtins__", None)
            builtins_ = own if type(own) is dict else builtins.__dict__
            return dict.get(builtins_, name, unbound) if value is _UNBOUND else value
        receiver = self.producer.get(prod.args[0].id)
        if receiver is None or receiver.kind != "load_global":
            return unbound
        module = dict.get(globals_, receiver.attrs["name"])
        return dict.get(module.__dict__, name, unbound) if type(module) is types.ModuleType \
            else unbound

    def global_scope(self, prod, obj) -> str | None:
        """Where the global that ``prod`` loads is bound to ``obj`` now: "globals",
        "builtins" (and not shadowed), or None (not a global load, or not ``obj``)."""
        if prod.kind != "load_global" or self.spec is None or \
                prod.attrs.get("expect", -1) not in (-1, self.fn.const_index(obj)) or \
                self.bound_value(prod, unbound=_UNBOUND) is not obj:
            return None
        globals_ = getattr(self.spec.dispatcher.function, "__globals__", {})
        return "globals" if dict.get(globals_, prod.attrs["name"], _UNBOUND) is obj \
            else "builtins"

    def call_range(self, name, args, types):
        if not 1 <= len(args) <= 3 or any(guess(t) != INT for t in types):
            return None
        return (RANGEOBJ, [_conv(t, INT) for t in types], "range")

    def call_len(self, name, args, types):
        if len(args) != 1 or not is_obj(types[0]):
            return None
        return (INT, ["keep"], "len")

    # (abs, int, float and round take a number guessed too: unboxed with a guard;
    # a bool unboxes as an int, which they treat alike)

    def call_abs(self, name, args, types):
        g = guess(types[0]) if len(args) == 1 else None
        if g is None:
            return None
        return (g, [_conv(types[0], g)], "abs")

    def call_minmax(self, name, args, types):
        # all ints or all floats (a bool must stay out: max(True, 0) is True)
        kinds = {guess(t) for t in types}
        if len(args) < 2 or len(kinds) != 1 or None in kinds:
            return None
        g = kinds.pop()
        return (g, [_conv(t, g) for t in types], name)

    def call_int(self, name, args, types):
        g = guess(types[0]) if len(args) == 1 else None
        if g is None:
            return None
        return (INT, [_conv(types[0], g)], "int")

    def call_float(self, name, args, types):
        if len(args) != 1 or guess(types[0]) is None:
            return None
        return (FLOAT, [_conv_float(types[0], FLOAT)], "float")

    def call_math(self, name, args, types):
        if len(args) != (2 if name in MATH_2 else 1) or None in map(guess, types):
            return None
        return (FLOAT, [_conv_float(t, FLOAT) for t in types], name)

    def call_gcd(self, name, args, types):
        # math.gcd(a, b) of two ints (what does not fit 64 bits, 2**63, deoptimises)
        if len(args) != 2 or any(guess(t) != INT for t in types):
            return None
        return (INT, [_conv(t, INT) for t in types], name)

    def call_objcall(self, name, args, types):
        # str(x) / repr(x): PyObject_Str / PyObject_Repr of x (a number boxed first),
        # as str's constructor and repr() themselves do with one argument
        if len(args) != 1:
            return None
        return (("obj", OTHER), ["keep"], name)

    def call_isinstance(self, name, args, types):
        # isinstance(x, cls): true at once when x's type is cls, else
        # PyObject_IsInstance (what the builtin calls)
        if len(args) != 2:
            return None
        return (I1, ["keep", "keep"], name)

    def call_mathtest(self, name, args, types):
        # math.isnan/isinf/isfinite: a comparison of the number as a float
        if len(args) != 1 or guess(types[0]) is None:
            return None
        return (I1, [_conv_float(types[0], FLOAT)], name)

    def call_round(self, name, args, types):
        # round(x) with no ndigits: an int (half to even for floats)
        g = guess(types[0]) if len(args) == 1 else None
        if g is None:
            return None
        return (INT, [_conv(types[0], g)], "round")

    def call_divmod(self, name, args, types):
        if len(args) != 2 or types[0] not in (INT, FLOAT) or types[1] not in (INT, FLOAT):
            return None
        if types[0] == types[1] == INT:
            return (("obj", ("tuple", (INT, INT))), ["keep", "keep"], "divmod")
        return (("obj", ("tuple", (FLOAT, FLOAT))),
                [_conv_float(types[0], FLOAT), _conv_float(types[1], FLOAT)], "divmod")

    def call_floor(self, name, args, types):
        # math.floor/ceil/trunc: an int is itself; a float rounds, then converts
        # exactly as int() does (nan and infinities deoptimise: the interpreter raises)
        if len(args) != 1 or types[0] not in (INT, FLOAT):
            return None
        return (INT, ["keep"], name)


LIST_METHOD = type(list.append)     # method_descriptor
DICT_METHODS = ("get",)             # a dict's methods called natively (lower_typed)

# A function of the program's that compiled code calls is compiled too (once per
# code it has had; the calls of compiled code go to that copy, the function object
# stays as it was): function -> (its code then, weak reference to the compiled
# copy), which the callers' code keeps alive (and the copy its function).
_PROGRAM_FUNCTIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

# names of what reads the frames of its callers (compiled code has none: see the
# README's limitations); a function that uses one, by these names or bound under
# another (FRAME_READER_OBJECTS), is left to the interpreter unless the program
# compiles it itself
FRAME_READERS = frozenset((
    "_getframe", "currentframe", "stack", "trace", "getouterframes", "getinnerframes",
    "getframeinfo", "extract_stack", "format_stack", "print_stack", "warn", "warn_explicit",
    "settrace", "setprofile", "locals", "vars", "eval", "exec", "breakpoint", "set_trace",
    # a logging.Logger's (its record names the calling function and line)
    "debug", "info", "warning", "error", "exception", "critical", "fatal", "log"))


@functools.lru_cache(maxsize=1)
def _frame_reader_objects() -> tuple:
    import inspect as inspect_
    import sys
    import traceback
    import warnings
    found = [sys._getframe, sys.settrace, sys.setprofile, warnings.warn,
             warnings.warn_explicit, builtins.locals, builtins.vars, builtins.eval,
             builtins.exec, builtins.breakpoint]
    found += [getattr(m, n) for m in (inspect_, traceback) for n in sorted(FRAME_READERS)
              if hasattr(m, n)]
    return tuple(found)


def _reads_frames(fn) -> bool:
    return reads_frames(fn.__code__, fn.__globals__, fn.__builtins__)


def reads_frames(code, globals_, builtins_) -> bool:
    """Whether ``code`` (a function's with these namespaces), or code nested in it (a
    lambda, a comprehension), or a function of its module it calls by a global name
    (a helper reading its caller's frame), however deep, names a frame reader."""
    readers = _frame_reader_objects()
    namespaces = (globals_, builtins_ if isinstance(builtins_, dict) else {})
    todo, seen = [code], set()
    while todo:
        code = todo.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        if FRAME_READERS.intersection(code.co_names):
            return True
        for name in code.co_names:
            for ns in namespaces:
                value = dict.get(ns, name)
                if value is not None and any(value is r for r in readers):
                    return True
                if type(value) is types.FunctionType and value.__globals__ is globals_:
                    todo.append(value.__code__)
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return False


def copy_shape(fn) -> tuple:
    """What a compiled copy of ``fn`` was made from, beyond its identity: its code,
    and what binding its arguments reads (defaults, names for error messages); the
    members at COPY_SHAPE_FIELDS."""
    return (fn.__code__, fn.__defaults__, fn.__kwdefaults__, fn.__qualname__, fn.__name__)


# the offsets in a function of copy_shape's members, in its order
COPY_SHAPE_FIELDS = (abi.FUNC_CODE, abi.FUNC_DEFAULTS, abi.FUNC_KWDEFAULTS,
                     abi.FUNC_QUALNAME, abi.FUNC_NAME)


def program_function(fn, caller):
    """The compiled copy of ``fn``, a plain function of the same module as ``caller``
    (a function of the program's, not a library's), made now if need be (again
    when its code changed); None if ``fn`` is not one or its copy has no
    per-signature specialisation."""
    from runtime import funcobject
    copy, _ = program_copy(fn, caller.__globals__, caller.__builtins__)
    if copy is None:
        return None
    return copy if getattr(funcobject.get_state(copy), "dispatcher", None) is not None else None


def program_copy(fn, globals_, builtins_):
    """(the compiled copy of ``fn``, the copy_shape it was made from) if ``fn`` is a
    plain function of the module whose namespaces are ``globals_`` and
    ``builtins_`` (made now if need be: again when what it was made from changed),
    else (None, None). A copy whose function changed while it compiled (a __del__,
    another thread) is not used. A function made by a call (a closure, a local
    class's method) gets none: its callers would keep it, and what it holds, alive."""
    from runtime import funcobject
    from .api import compile as jit_compile
    if type(fn) is not types.FunctionType or fn.__globals__ is not globals_ or \
            fn.__builtins__ is not builtins_ or fn.__code__.co_flags & 0x3A0 or \
            "<locals>" in fn.__code__.co_qualname or _reads_frames(fn):
        return None, None      # (generators and coroutines run in the interpreter)
    now = copy_shape(fn)
    shape, ref = _PROGRAM_FUNCTIONS.get(fn, (None, None))
    copy = ref() if ref is not None and shape is not None and \
        all(a is b for a, b in zip(shape, now)) else None
    if copy is None:
        try:
            copy = jit_compile(fn)
        except (CompileError, UnsupportedError, RecursionError):
            return None, None      # (the call stays an ordinary one)
        if not funcobject.is_compiled_function(copy) or \
                not all(a is b for a, b in zip(now, copy_shape(fn))):
            return None, None
        _PROGRAM_FUNCTIONS[fn] = (now, weakref.ref(copy))
    return copy, now


def bind_call(fn, nargs: int, kwnames: tuple):
    """Where each parameter of ``fn`` (positional and keyword-only ones: a function
    with *args or **kwargs is never called directly) takes its value from in a call
    with ``nargs`` arguments, the last ``len(kwnames)`` of them by keyword: the
    argument's index, or a 1-tuple holding the default's value (ints, floats, lists
    and tuples only: passed directly; a keyword-only parameter must be passed, its
    default living in a dict that may change in place). None when the call does not
    bind plainly (the interpreter's binding then raises, or an odd default): it
    stays an ordinary call."""
    code = fn.__code__
    argc = code.co_argcount
    named = argc + code.co_kwonlyargcount
    npos = nargs - len(kwnames)
    if code.co_flags & 0x0C or npos > argc:
        return None
    order: list = list(range(npos)) + [None] * (named - npos)
    names = code.co_varnames[:named]
    for k, name in enumerate(kwnames):
        i = names.index(name) if name in names else -1
        if i < max(npos, code.co_posonlyargcount) or order[i] is not None:
            return None
        order[i] = npos + k
    defaults = getattr(fn, "__defaults__", None) or ()
    first_default = argc - len(defaults)
    for i in range(npos, argc):
        if order[i] is None:
            if i < first_default:
                return None
            x = defaults[i - first_default]
            if number_type(x) is None and type(x) not in (list, tuple):
                return None
            order[i] = (x,)
    if None in order[argc:]:
        return None
    return order


DIRECT_TYPES = {INT: int, FLOAT: float, "list": list, "tuple": tuple}


def direct_arg_types(types, kinds):
    """A direct callee's argument types: unboxed numbers, and the callers' guesses
    at its sequences' items."""
    return [k if k in (INT, FLOAT) else ("obj", t[1] if is_obj(t) and t else None)
            for t, k in zip(types, kinds)]


MAX_IN_CONSTS = 16      # x in (constants): compared one by one up to this many


def _plain_number(c) -> bool:
    """An int (bools too) or a non-nan float: == against it is plain arithmetic (a
    nan constant could still be found by identity)."""
    return isinstance(c, int) or (isinstance(c, float) and c == c)


def _conv(t, want):
    """Conversion of a value of abstract type ``t`` to unboxed ``want`` (INT/FLOAT)."""
    if t == want:
        return "keep"
    if want == INT:
        return "unbox_int"
    return "unbox_float_strict"


def _conv_float(t, other, floats=False):
    """Conversion to f64 of an operand of a float operation whose other operand is
    of type ``other``: a definite int converts; an object guessed int/float is
    unboxed strictly when the other side is not a definite float (int op int must
    stay an int op), leniently (int or float) when it is. (``floats``: the object
    is guessed a float whatever its hint.)"""
    if t == FLOAT:
        return "keep"
    if t == INT:
        return "int_to_float"
    if other == FLOAT:
        return "unbox_float_lenient"
    return "unbox_float_strict" if floats or guess(t) == FLOAT else "unbox_int_to_float"


# ---- rewriting -------------------------------------------------------------------

# Specialised callees this small (IR ops) are compiled into their callers' modules,
# where LLVM inlines them (call overhead is most of a small function's cost).
INLINE_MAX_OPS = 150

class Rewriter:
    def __init__(self, fn: ir.Function, inf: Inference):
        self.fn = fn
        self.inf = inf
        self.nops = sum(len(b.ops) for b in fn.blocks)
        self.out: list[ir.Op] = []
        self.range_done: dict[int, ir.Value] = {}   # range_next value -> its "exhausted" flag
        self.pair_done: dict[int, tuple] = {}   # pair_next's item -> (its items, exhausted)
        self.elided: dict[int, list] = {}     # a tuple never built -> its (unboxed) items
        self.const_tuples: dict[int, int] = {}   # such a tuple that is a constant -> its index
        self.virtual: set[int] = set()        # call results handed over unboxed, item by item
        self.unpacked: set[int] = set()       # id() of unpacks a direct call does
        self.edge_blocks: list[ir.Block] = []  # boxing on one edge of a branch (_edges)
        self._deleted: set | None = None       # slots some op deletes (kept_param)

    def ir_type(self, t, current):
        if t in UNBOXED_IR:
            return UNBOXED_IR[t]
        return current if current in (NOBJ, BOOL) else OBJ

    def retype(self, v) -> bool:
        """Give ``v`` the IR type of its inferred type; True if that is unboxed."""
        t = self.inf.vt.get(v.id)
        v.type = self.ir_type(t, v.type)
        if t in (RANGEOBJ, RITER):
            v.hint = t    # boxing tells a range from its iterator by this
        return v.type in (I64, F64, RANGE)

    def run(self) -> bool:
        """Retype and rewrite ``fn`` in place; False if nothing got unboxed."""
        fn = self.fn
        unboxed = False
        for blk in fn.blocks:
            values = list(blk.params) + [r for op in blk.ops for r in op.results]
            for v in values:
                unboxed |= self.retype(v)
        fn.slot_types = [UNBOXED_IR[t] if t in (INT, FLOAT) else OBJ for t in self.inf.slots]
        unboxed |= any(t != OBJ for t in fn.slot_types)
        self._pair_params()
        self.nested_numbers = False    # a comprehension made here gets number hints
        self.inline_calls = False      # xs.append(v) inline: worth specialising alone
        self.looped = ir.blocks_in_loops(fn)
        for blk in fn.blocks:
            self.block = blk
            self.out = []
            for op in blk.ops:
                self.rewrite(op)
            blk.ops = self.out
        fn.blocks += self.edge_blocks
        ir.prune_unreachable(fn)
        ir.verify(fn)
        if unboxed and _only_reboxed(fn):
            unboxed = False    # (the generic code does less: it never unboxes them)
        return unboxed or self.nested_numbers or self.inline_calls

    def _pair_params(self):
        """A pair loop's body takes the two items as parameters of its own (after the
        item it no longer gets: NULL but where the step fell back, see lo_pair_next)."""
        self.pair_items: dict[int, tuple] = {}    # id(iter_next) / id(unpack) -> values
        for blk in self.fn.blocks:
            for op in blk.ops:
                pair = self.inf.pair_loops.get(id(op))
                if pair is None:
                    continue
                step, source, _ = pair
                # the step's item: NULL on the body's edge too now
                step.result.type = blk.params[-1].type = NOBJ
                first = self.fn.new_param(blk, I64 if source == "enumerate" else NOBJ)
                second = self.fn.new_param(blk, NOBJ)
                a, b = self.new(first.type), self.new(NOBJ)
                self.pair_items[id(step)] = (a, b, self.new(BOOL))
                self.pair_items[id(op)] = (first, second)

    # ---- emitting ----
    def emit(self, op_kind, args, results, like: ir.Op, unwind=None, **attrs) -> ir.Op:
        op = ir.Op(op_kind, list(args), list(results), attrs, unwind=unwind, offset=like.offset,
                   state=like.state)
        self.out.append(op)
        return op

    def new(self, type_):
        return self.fn.new_value(type_)

    def box(self, v, like: ir.Op, temps: list) -> ir.Value:
        """A new reference to ``v`` as an object (``v`` itself when it is one)."""
        if v.type in (OBJ, NOBJ):
            return v
        base = like.unwind
        unwind = ir.Unwind(base.handler, base.keep, base.drop + temps, base.lasti,
                           base.traceback, base.offset) if base else ir.Unwind(None, [], list(temps))
        r = self.new(OBJ)
        kind = {I64: INT, F64: FLOAT, BOOL: I1}.get(v.type, v.hint)
        if v.type == BOOL:
            self.emit("bool_box", [v], [r], like)
        else:
            self.emit("box", [v], [r], like, unwind=unwind, kind=kind)
        temps.append(r)
        return r

    def release(self, temps, like):
        for t in temps:
            self.emit("decref", [t], [], like)

    def convert(self, v, conv, like, exact=False, no_bool=False):
        if conv == "keep":
            return v
        number = self.global_number(v, conv, like)
        if number is not None:
            return number
        if conv == "int_to_float":
            r = self.new(F64)
            self.emit("int_to_float", [v], [r], like, exact=exact)
            return r
        if conv == "unbox_int":
            r = self.new(I64)
            self.emit("unbox_int", [v], [r], like, no_bool=no_bool)
            return r
        if conv == "unbox_int_to_float":
            i = self.new(I64)
            self.emit("unbox_int", [v], [i], like)
            r = self.new(F64)
            self.emit("int_to_float", [i], [r], like, exact=exact)
            return r
        r = self.new(F64)
        # (into a local: a nan stays an object, found by identity as it is)
        self.emit("unbox_float", [v], [r], like, lenient=conv == "unbox_float_lenient",
                  no_nan=no_bool and conv == "unbox_float_strict")
        return r

    # ---- per op ----
    def rewrite(self, op):
        plan = self.inf.plans.get(id(op))
        if op.kind in ("incref", "decref") and (op.args[0].type not in (OBJ, NOBJ)
                                                or op.args[0].id in self.virtual):
            return
        if op.kind == "br_if_null" and op.args[0].id in self.pair_done:
            (t, targs), (f, fargs) = op.targets
            a, b, done = self.pair_done[op.args[0].id]
            self.out.append(ir.Op("cbr", [done], [], {}, offset=op.offset,
                                  targets=self._edges(op, [(t, targs), (f, fargs + [a, b])])))
            return
        if op.kind == "br_if_null" and op.args[0].id in self.range_done:
            (t, targs), (f, fargs) = op.targets
            done = self.range_done[op.args[0].id]
            self.out.append(ir.Op("cbr", [done], [], {}, offset=op.offset,
                                  targets=self._edges(op, [(t, targs), (f, fargs)])))
            return
        if plan is None or plan[0] == "keep":
            self.generic(op)
            return
        getattr(self, "r_" + plan[0])(op, *plan[1:])

    def _edges(self, op, targets):
        """The targets with unboxed arguments to object parameters boxed. A branch
        with several targets boxes on each edge, in a block of its own: a box made
        before it would leak on the edges that do not take it."""
        edges = []
        for blk, args in targets:
            unboxed = [p.type in (OBJ, NOBJ) and a.type not in (OBJ, NOBJ)
                       for p, a in zip(blk.params, args)]
            if not any(unboxed):
                edges.append((blk, args))
                continue
            if len(targets) > 1:
                saved, self.out = self.out, []
            new_args = [self.box(a, op, []) if u else a for a, u in zip(args, unboxed)]
            if len(targets) == 1:
                edges.append((blk, new_args))
                continue
            edge = ir.Block(f"{blk.label}.boxed{len(self.edge_blocks)}")
            self.out.append(ir.Op("br", [], [], {}, offset=op.offset, state=op.state,
                                  targets=[(blk, new_args)]))
            edge.ops, self.out = self.out, saved
            self.edge_blocks.append(edge)
            edges.append((edge, []))
        return edges

    def generic(self, op):
        """An op that takes objects: box unboxed operands around it."""
        temps: list = []
        if op.kind == "store_local":
            slot_t = self.fn.slot_types[op.attrs["slot"]]
            v = op.args[0]
            if slot_t == OBJ:
                op.args = [self.box(v, op, [])]   # the store steals the new reference
            elif v.type in (OBJ, NOBJ):
                # a guessed object into an unboxed slot (only an exact int/float: a
                # bool stored must stay a bool)
                conv = "unbox_int" if slot_t == I64 else "unbox_float_strict"
                op.args = [self.convert(v, conv, op, no_bool=True)]
                self.emit("decref", [v], [], op)
            self.out.append(op)
            return
        if op.kind == "ret":
            if op.args[0].id in self.elided:
                op.kind = "ret_raw"     # the tuple's items, raw to a direct caller
                if op.args[0].id in self.const_tuples:    # (boxed: the constant)
                    op.attrs["const_index"] = self.const_tuples[op.args[0].id]
                op.args = self.elided[op.args[0].id]
                op.attrs["items"] = True
            elif op.args[0].type in (I64, F64):
                op.kind = "ret_raw"     # raw to direct callers that want it
            else:
                op.args = [self.box(op.args[0], op, [])]
            self.out.append(op)
            return
        if op.kind in ("bool_box", "load_local", "const", "delete_local"):
            self.out.append(op)
            return
        if op.kind in ("call", "fold_call") and "nested_code_index" in op.attrs:
            # a comprehension (or folded generator expression) made and called here:
            # specialised for its iterator
            t = self.inf.t(op.args[-1])      # (a native range iterator is boxed for it)
            op.attrs["nested_arg"] = ("obj", ("iter", INT, "range")) if t in (RANGEOBJ, RITER) else \
                t if is_obj(t) and t is not None else ANY
            if op.attrs.get("kept"):
                # a nested function kept and called later: specialised for the types
                # of what this call passes (each argument's, as a signature's). With
                # free variables, numbers are guessed, not unboxed on entry: a deopt
                # there would resume before its cells are made, which needs the
                # closure the native code has and the interpreter's frame would not
                code = self.fn.consts[op.attrs["nested_code_index"]]
                # every argument a number at hand: passed raw to a copy that takes
                # them so (lower._call_nested), not boxed to be unboxed again (and
                # with nothing to unbox on entry, nothing deoptimises there)
                raw = bool(op.args[2:]) and all(a.type in (I64, F64) for a in op.args[2:])
                op.attrs["nested_arg"] = tuple(
                    ("obj", t) if t in (INT, FLOAT) and code.co_freevars and not raw else
                    t if t in (INT, FLOAT) or (is_obj(t) and t is not None) else ANY
                    for t in map(self.inf.t, op.args[2:]))
                if raw:
                    op.attrs["raw_args"] = True
                if op.result.type in (I64, F64):      # (kept_result: the number raw)
                    op.attrs.update(self.resume_after(op, [op.args[0], op.args[1]]))
            op.attrs["nested_free"] = self.inf.cell_guesses(
                self.fn.consts[op.attrs["nested_code_index"]])
            # (worth specialising this function for, even if nothing of its own unboxes)
            self.nested_numbers |= _mentions_number(op.attrs["nested_arg"]) or \
                any(map(_mentions_number, op.attrs["nested_free"].values()))
        keep_bool = op.kind in ("cbr", "bool_box")    # ops that take an i1
        raw = 2 if op.attrs.get("raw_args") else len(op.args)
        op.args = [a if (keep_bool and a.type == BOOL) or i >= raw else self.box(a, op, temps)
                   for i, a in enumerate(op.args)]
        if op.targets:
            op.targets = self._edges(op, op.targets)
        u = op.unwind
        # a raise consumes its operands, boxed ones too: its unwind must not release them
        released = [] if op.kind in CONSUMES_OPERANDS else temps
        if u is not None and u.handler is not None:
            keep_temps: list = []
            keep = []
            for p, k in zip(u.handler.params, u.keep):
                if p.type in (OBJ, NOBJ) and k.type not in (OBJ, NOBJ):
                    k = self.box(k, op, keep_temps)
                keep.append(k)
            u.keep = keep
            temps += keep_temps
            u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + \
                [t for t in released if t not in keep_temps]
        elif u is not None:
            u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + released
        self.out.append(op)
        if op.kind not in ir.TERMINATORS:
            self.release(temps, op)

    def r_int_op(self, op, ca, cb, base):
        # bool & bool is a bool: these operators only take real ints unboxed
        no_bool = base in ("&", "|", "^")
        a = self.convert(op.args[0], ca, op, no_bool=no_bool)
        b = self.convert(op.args[1], cb, op, no_bool=no_bool)
        self.emit("int_op", [a, b], op.results, op, op=base,
                  unwind=self.division_unwind(op, b) if base in ("//", "%") else None)

    def r_float_op(self, op, ca, cb, base):
        a, b = self.convert(op.args[0], ca, op), self.convert(op.args[1], cb, op)
        self.emit("float_op", [a, b], op.results, op, op=base,
                  unwind=self.division_unwind(op, b) if base in ("/", "//", "%") else None)

    def r_int_truediv(self, op, ca, cb):
        a, b = self.convert(op.args[0], ca, op), self.convert(op.args[1], cb, op)
        self.emit("int_truediv", [a, b], op.results, op, unwind=self.division_unwind(op, b))

    def division_unwind(self, op, divisor):
        """The unwind of a division whose divisor may be zero: its ZeroDivisionError is
        raised in place (a deopt each time would cost a caught error in a loop dearly,
        and its copies inlined into a running caller go on deoptimising). None when
        the divisor is a constant other than zero, or a value the handler takes as
        an object is unboxed here (then the zero divisor deoptimises)."""
        prod = self.inf.producer.get(divisor.id)
        if prod is not None and prod.kind == "const" and self.fn.consts[prod.attrs["index"]]:
            return None
        u = op.unwind
        if u is None or (u.handler is not None and any(
                p.type in (OBJ, NOBJ) and k.type not in (OBJ, NOBJ)
                for p, k in zip(u.handler.params, u.keep))):
            return None
        u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)]
        return u

    def r_int_cmp(self, op, ca, cb, sym):
        a, b = self.convert(op.args[0], ca, op), self.convert(op.args[1], cb, op)
        self.emit("int_cmp", [a, b], op.results, op, op=sym)

    def r_float_cmp(self, op, ca, cb, sym):
        a = self.convert(op.args[0], ca, op, exact=True)
        b = self.convert(op.args[1], cb, op, exact=True)
        self.emit("float_cmp", [a, b], op.results, op, op=sym)

    def r_num_in(self, op, conv, values):
        v = self.convert(op.args[1], conv, op)
        self.emit("num_in", [v], op.results, op, values=values)

    def r_unary(self, op, sym, conv):
        v = self.convert(op.args[0], conv, op)
        kind = "int_unary" if v.type == I64 else "float_unary"
        self.emit(kind, [v], op.results, op, op=sym)

    def r_truth(self, op, t):
        self.emit("num_truth", op.args, op.results, op)

    def r_seq_getitem(self, op):
        self.emit("seq_getitem", op.args, op.results, op, unwind=op.unwind,
                  exact=self.inf.exact_sequence(op.args[0]))

    def kept_param(self, v) -> bool:
        """``v`` is the value of an unboxed parameter the code never assigns or
        deletes: boxing it gives back the argument object (lower's kept_params), which
        a store must store, not a float made from the double."""
        prod = self.inf.producer.get(v.id)
        if prod is None or prod.kind != "load_local":
            return False
        slot = prod.attrs["slot"]
        if self._deleted is None:
            self._deleted = {op.attrs["slot"] for blk in self.fn.blocks for op in blk.ops
                             if op.kind == "delete_local"}
        return slot < self.inf.nparams and slot not in self.inf.slot_stores \
            and slot not in self._deleted

    def r_seq_setitem(self, op):
        c, k, v = op.args
        if v.type == F64 and not self.kept_param(v):
            u = op.unwind
            if u is not None:
                u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)]
            self.emit("seq_setitem_float", [c, k, v], [], op, unwind=u,
                      exact=self.inf.exact_sequence(c))
            return
        temps: list = []
        v = self.box(v, op, temps)
        u = op.unwind
        if u is not None:
            u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + temps
        self.emit("seq_setitem", [c, k, v], [], op, unwind=u, exact=self.inf.exact_sequence(c))
        self.release(temps, op)

    def r_setattr_float(self, op):
        """obj.name = <double>: see lower.lo_setattr_float (a kept parameter's value
        is its argument object: an ordinary store)."""
        if self.kept_param(op.args[1]):
            temps: list = []
            v = self.box(op.args[1], op, temps)
            u = op.unwind
            if u is not None:
                u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + temps
            self.emit("setattr", [op.args[0], v], [], op, unwind=u, **op.attrs)
            self.release(temps, op)
            return
        u = op.unwind
        if u is not None:
            u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)]
        self.emit("setattr_float", op.args, [], op, unwind=u, **op.attrs)

    def r_range_iter(self, op):
        self.emit("range_iter", op.args, op.results, op)

    def r_exact_method(self, op, owner, name):
        kind = {"list": list, "dict": dict}[owner]
        self.emit("exact_load_method", op.args, op.results, op, unwind=op.unwind, name=name,
                  index=self.fn.const_index(kind.__dict__[name]), owner=owner)

    def r_dict_get_call(self, op):
        self.inline_calls = True
        first, recv, *args = op.args
        temps: list = []
        args = [self.box(a, op, temps) for a in args]
        u = op.unwind
        if u is not None:
            u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + temps
        self.emit("dict_get_call", [first, recv, *args], op.results, op, unwind=u,
                  get_index=self.fn.const_index(dict.get), **op.attrs)
        self.release(temps, op)

    def r_append_call(self, op):
        self.inline_calls = True
        first, recv, v = op.args
        temps: list = []
        v = self.box(v, op, temps)
        u = op.unwind
        if u is not None:
            u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + temps
        self.emit("append_call", [first, recv, v], op.results, op, unwind=u,
                  append_index=self.fn.const_index(list.append), **op.attrs)
        self.release(temps, op)

    @functools.cached_property
    def stored_globals(self) -> set:
        return {op.attrs["name"] for b in self.fn.blocks for op in b.ops
                if op.kind in ("store_global", "delete_global")}

    def global_number(self, v, conv, like):
        """``v`` unboxed, when it is a global bound to an exact float or int that
        fits (``SOFTENING = 0.05``): the load checks the binding (``expect``, as for a
        callee), so here it is that number, a constant; else None."""
        prod = self.inf.producer.get(v.id)
        if prod is None or prod.kind not in ("load_global", "getattr") or \
                prod.kind == "load_global" and prod.attrs["name"] in self.stored_globals:
            return None      # (a global this code rebinds is no constant)
        value = self.inf.bound_value(prod, unbound=_UNBOUND)
        kind = float if conv.startswith("unbox_float") else int if conv == "unbox_int" else None
        # (an int where a float is wanted: one whose conversion is exact)
        as_float = conv == "unbox_float_lenient" and type(value) is int and abs(value) <= 2 ** 53
        if not as_float and (kind is None or type(value) is not kind or
                             number_type(value) is None):
            return None
        if prod.kind == "getattr":       # a module's (``math.pi``)
            if not self.module_attr_expected(prod, value):
                return None
        else:
            scope = self.inf.global_scope(prod, value)
            if scope is None:
                return None
            prod.attrs.update(expect=self.fn.const_index(value), scope=scope)
        number = float(value) if as_float else value
        r = self.new(F64 if kind is float else I64)
        self.emit("const", [], [r], like, index=self.fn.const_index(number), repr=repr(number))
        return r

    def guard_callee(self, first, callee, obj, op, name):
        """The call ``op`` is compiled for ``callee`` being ``obj`` (and ``first``
        NULL). A callee that is a global is checked where it is loaded (``expect``:
        see lower.lo_load_global), which makes the value a constant."""
        index = self.fn.const_index(obj)
        prod = self.inf.producer.get(callee.id)
        scope = self.inf.global_scope(prod, obj) if prod is not None else None
        if scope is not None:
            prod.attrs.update(expect=index, scope=scope)
        checked = scope is not None or self.module_attr_expected(prod, obj)
        self.emit("guard_callee", [first, callee], [], op, index=index, name=name,
                  checked=checked)

    def module_attr_expected(self, prod, obj) -> bool:
        """Whether ``prod`` is ``module.name`` (``math.sqrt``, ``math.pi``): a getattr
        of a global this code does not rebind, bound to an exact module whose dict
        binds ``name`` to ``obj`` now. Then the global's load checks it is that module
        and the getattr that the attribute is ``obj`` (both ``expect``; see
        lower._getattr_expected): the value is a constant, and in a quiet loop both
        checks move out of it (hoist.py)."""
        if prod is None or prod.kind != "getattr" or prod.attrs["name"] in abi.MODULE_TYPE_ATTRS:
            return False
        receiver = self.inf.producer.get(prod.args[0].id)
        if receiver is None or receiver.kind != "load_global" or \
                receiver.attrs["name"] in self.stored_globals:
            return False
        module = self.inf.bound_value(receiver)
        if type(module) is not types.ModuleType or \
                self.inf.bound_value(prod, unbound=_UNBOUND) is not obj:
            return False
        scope = self.inf.global_scope(receiver, module)
        index = self.fn.const_index(obj)
        if scope is None or prod.attrs.get("expect", index) != index:
            return False
        receiver.attrs.update(expect=self.fn.const_index(module), scope=scope)
        prod.attrs["expect"] = index
        return True

    def r_pair_next(self, op, source, unpack):
        a, b, done = self.pair_items[id(op)]
        self.pair_done[op.result.id] = (a, b, done)
        self.emit("pair_next", op.args, [op.result, a, b, done], op, unwind=op.unwind,
                  source=source)

    def r_pair_unpack(self, op, source):
        first, second = self.pair_items[id(op)]
        self.emit("pair_unpack", [op.args[0], first, second], op.results, op, source=source)

    def r_seq_next(self, op):
        self.emit("seq_next", op.args, op.results, op, unwind=op.unwind)

    def r_pow_call(self, op, obj, kind, ca, cb):
        first, callee, a, b = op.args
        self.guard_callee(first, callee, obj, op, "pow")
        a, b = self.convert(a, ca, op), self.convert(b, cb, op)
        self.emit(kind + "_op", [a, b], op.results, op, op="**")

    def r_range_obj_next(self, op):
        done = self.range_done[op.result.id] = self.new(BOOL)
        self.emit("range_obj_next", op.args, [op.result, done], op)

    def r_range_next(self, op):
        done = self.range_done[op.result.id] = self.new(BOOL)
        self.emit("range_next", op.args, [op.result, done], op)

    def r_raw_tuple(self, op):
        self.elided[op.result.id] = op.args

    def r_raw_const_tuple(self, op):
        self.const_tuples[op.result.id] = op.attrs["index"]
        items = []
        for x in self.fn.consts[op.attrs["index"]]:
            v = self.new(UNBOXED_IR[number_type(x)])
            self.emit("const", [], [v], op, index=self.fn.const_index(x), repr=repr(x))
            items.append(v)
        self.elided[op.result.id] = items

    def _take_over(self, call, unpack):
        """``call`` hands ``unpack``'s results over itself: the tuple it would
        return is never made, nor released, nor unpacked."""
        self.virtual.add(call.result.id)
        self.unpacked.add(id(unpack))

    def r_from_call(self, op):
        if id(op) not in self.unpacked:
            raise CompileError("specialize: an unpack planned with its call was left alone")

    def r_copy_call(self, op, target, holder):
        first, fn_obj, *args = op.args
        self.guard_callee(first, fn_obj, target, op, "copy")
        # the copy binds with what the function had when it was made: its code,
        # defaults and names (for binding errors) must be the same objects now
        self.emit("guard_code", [fn_obj], [], op, fields=tuple(
            (off, self.fn.const_index(value))
            for off, value in zip(COPY_SHAPE_FIELDS, copy_shape(target))))
        copy = self.new(OBJ)
        self.emit("const", [], [copy], op, index=self.fn.const_index(holder),
                  repr=f"<compiled {target.__qualname__}>", borrow=True)
        copy.borrowed = True
        op.args = [first, copy, *args]
        self.generic(op)

    def r_direct_call(self, op, target, holder, callee, sig, types, kinds, defaults, order,
                      unpack):
        first, fn_obj, *call_args = op.args
        cell = callee.direct_cell(sig, direct_arg_types(types, kinds))
        if cell is None:       # no room for another signature: an ordinary call
            self.generic(op)
            return
        self.guard_callee(first, fn_obj, target, op, "direct")
        plain = holder is not target
        if plain:
            # a function of the program's, called through its compiled copy (which
            # keeps the code alive): while its code is the one compiled
            self.fn.const_index(holder)
            self.emit("guard_code", [fn_obj], [], op,
                      fields=((abi.FUNC_CODE, self.fn.const_index(target.__code__)),))
        if defaults:
            # the parameters left out take the defaults of now: checked unchanged
            self.emit("guard_defaults", [fn_obj], [], op,
                      index=self.fn.const_index(target.__defaults__), plain=plain)
        args, checks = [], []
        for i, (k, t, kind) in enumerate(zip(order, types, kinds)):
            if isinstance(k, tuple):
                x = k[0]
                v = self.new(UNBOXED_IR.get(number_type(x), OBJ))
                self.emit("const", [], [v], op, index=self.fn.const_index(x), repr=repr(x),
                          borrow=True)
                v.borrowed = v.type == OBJ
                args.append(v)
                continue
            a = call_args[k]
            args.append(a if kind not in (INT, FLOAT) else
                        self.convert(a, _conv(t, kind), op, no_bool=True))
            # sequences not known to be exact are checked at the call (else an ordinary call)
            if kind in ("list", "tuple") and self.inf.exact_sequence(a) != kind:
                checks.append((i, kind))
        checks = tuple(checks)
        self.fn.const_index(cell)     # keeps the cell alive with the code
        attrs = {"cell": ctypes.addressof(cell), "type_checks": checks}
        if plain:     # (no specialisation yet: the ordinary call is the copy's)
            attrs["copy"] = self.fn.const_index(holder)
        code = target.__code__
        if code.co_kwonlyargcount:
            # (the ordinary call passes the keyword-only ones by keyword)
            attrs["kwonly_names"] = self.fn.const_index(
                code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount])
        inline = callee.spec_for(sig)
        if inline is not None and self.inf.spec is not None and \
                callee is not self.inf.spec.dispatcher and \
                sum(len(b.ops) for b in inline.native.ir.blocks) <= INLINE_MAX_OPS and \
                (id(self.block) in self.looped or not ir.blocks_in_loops(inline.native.ir)):
            # a copy of its code goes into this module: where the call repeats, or
            # when the callee is straight-line code (a callee's own loop outweighs
            # the call made once, and its copy costs compile time)
            attrs["inline"] = inline
        if self.inf.spec is not None and callee is self.inf.spec.dispatcher and \
                sig == self.inf.spec.types:
            attrs["recursive"] = True     # calls this very code
            if self.nops <= INLINE_MAX_OPS:
                # a copy of this code, inlined, takes the call (its own recursive
                # calls go through the direct-entry cell): half the calls are made
                attrs["inline"] = self.inf.spec
        results = op.results
        if unpack is not None and self.inf.plans.get(id(unpack)) == ("from_call",):
            # the tuple's items come back raw, as the unpack's results
            results = unpack.results
            self._take_over(op, unpack)
            attrs["items"] = True
        if results[0].type in (I64, F64):
            attrs.update(self.resume_after(op, [first, fn_obj]))
        if "py_lasti" in op.attrs:       # (a Python function's: see lower._call_lasti)
            attrs["py_lasti"] = op.attrs["py_lasti"]
        self.emit("direct_call", [fn_obj, *args], results, op, unwind=op.unwind, **attrs)

    def resume_after(self, op, release: list) -> dict:
        """The attributes of call ``op`` whose result comes back a raw number: an
        object result that does not unbox resumes after the call in the interpreter,
        with it pushed (``boxed``) over the stack below the call's operands, the
        values ``release`` (the callee, its NULL or self) released (lower._number_result)."""
        after = self.fn.next_offset[op.offset]
        below = op.state[1][:len(op.state[1]) - len(op.args)]
        return {"boxed": self.new(OBJ), "release": release, "after": (after, below)}

    def r_known_call(self, op, obj, convs, kind, unpack):
        first, callee, *args = op.args
        self.guard_callee(first, callee, obj, op, kind)
        no_bool = kind in ("min", "max")
        args = [self.convert(a, c, op, no_bool=no_bool) for a, c in zip(args, convs)]
        if kind == "divmod":
            if self.inf.plans.get(id(unpack)) != ("from_call",):
                raise CompileError("specialize: divmod planned without its unpacking")
            self._take_over(op, unpack)
            self.emit("num_call", args, unpack.results, op, fn=kind)
        elif kind == "range":
            self.emit("range_new", args, op.results, op)
        elif kind == "len":
            self.emit("len", args, op.results, op, unwind=op.unwind)
        elif kind in ("str", "repr", "isinstance"):
            temps: list = []
            boxed = [self.box(a, op, temps) for a in args]
            u = op.unwind
            if u is not None:
                u.drop = [d for d in u.drop if d.type in (OBJ, NOBJ)] + temps
            self.emit("obj_call", boxed, op.results, op, unwind=u, fn=kind)
            self.release(temps, op)
        else:
            self.emit("num_call", args, op.results, op, fn=kind)


def _mentions_number(hint) -> bool:
    """Whether a type hint (nested tuples of type names) has an int or float in it."""
    if isinstance(hint, tuple):
        return any(map(_mentions_number, hint))
    return hint in (INT, FLOAT)


_NATIVE_IR = (I64, F64, RANGE)
_REBOXING = frozenset({"box", "store_local"})


def _only_reboxed(fn: ir.Function) -> bool:
    """Whether nothing in ``fn`` computes with an unboxed value: every int, float or
    range is only kept in a local and boxed again (int arguments passed on to
    attribute stores, say). Such a specialisation unboxes and boxes for nothing
    (boxing an int past the small ones allocates), and costs a compile per
    signature where the generic code serves them all."""
    return all(op.kind in _REBOXING or not any(a.type in _NATIVE_IR for a in op.args)
               for blk in fn.blocks for op in blk.ops)


def int_flow(fn: ir.Function, offset: int) -> set[int]:
    """The offsets of the ops that what the ops at ``offset`` make reaches, in ``fn``
    (a specialisation's IR): through the ops using it, the block parameters it is
    passed to, and the locals it is stored in (read back where they are loaded).
    An int that outgrew 64 bits there flows on to all of them (a product into an
    accumulator, read again at the next iteration), and a guess that it fits
    would fail at each in turn, a re-specialisation apiece."""
    uses: dict[int, list] = {}
    loads: dict[int, list] = {}
    starts = []
    for blk in fn.blocks:
        for op in blk.ops:
            for a in op.args:
                if isinstance(a, ir.Value):
                    uses.setdefault(a.id, []).append(op)
            for target, targs in op.targets:
                for p, a in zip(target.params, targs):
                    if isinstance(a, ir.Value):
                        uses.setdefault(a.id, []).append(p)
            if op.kind == "load_local":
                loads.setdefault(op.attrs["slot"], []).append(op)
            if op.offset == offset:
                starts.append(op)
    reached: set[int] = set()
    done: set[int] = set()
    todo = list(starts)
    while todo:
        item = todo.pop()
        if id(item) in done:
            continue
        done.add(id(item))
        if isinstance(item, ir.Value):       # a block parameter
            todo += uses.get(item.id, [])
            continue
        reached.add(item.offset)
        for r in item.results:
            todo += uses.get(r.id, [])
        if item.kind == "store_local":
            todo += loads.get(item.attrs["slot"], [])
    reached.discard(-1)
    return reached


def specialize(fn: ir.Function, arg_types: list, no_speculate: set, spec=None) -> bool:
    """Rewrite ``fn`` for arguments of ``arg_types``; False if nothing got unboxed
    (the generic version is as good). ``spec`` (a dispatch.Specialization) enables
    direct calls of other specialised functions and records what this one returns."""
    forced: dict = {}
    rejected: set = set()
    list_items: dict = {}
    while True:
        inf = Inference(fn, arg_types, no_speculate, spec, forced, list_items=list_items).run()
        if inf.conflicts:
            rejected |= inf.conflicts
            forced = {s: g for s, g in forced.items() if s not in rejected}
            continue
        new = {s: g for s, g in inf.force_candidates().items() if s not in rejected}
        appended = {k: g for k, g in inf.appended_items().items() if k not in list_items}
        if not new and not appended:
            break
        forced.update(new)
        list_items.update(appended)
    if spec is not None:
        spec.return_hint = return_hint(inf.ret_type)
        spec.raw_tuple = inf.raw_tuple_return()
    return Rewriter(fn, inf).run()
