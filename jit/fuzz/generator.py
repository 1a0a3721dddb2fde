"""A grammar-driven generator of valid, terminating, safe Python programs.

The generator is type-directed: every variable has a static type chosen when it
is declared (all locals are assigned at the top of their function, so they are
defined on every path), and expressions are generated *at* a type.  Programs
terminate because every loop is bounded (ranges of small literals or of
``min(x, K)``, ``while`` loops with a counter incremented first thing in the
body, at most two nested loops per function, recursion with an explicit
bounded depth), and stay small because in *growth-safe* contexts (loop bodies,
helpers, nested functions, lambdas -- anything that may run repeatedly)
operations that multiply a value's size (``x * y`` of two non-constants, ``**``
with a non-constant base, ``s + s``, ``lst * k`` ...) are not generated.
Programs touch nothing outside themselves: no imports except ``math``, no I/O
except ``print``.

Every decision goes through a :class:`~jit.fuzz.choices.Chooser`, where the
value 0 is always the simplest option, so a program can be regenerated from
its recorded choices and shrunk by editing them (or by hypothesis).

Weights: ``Gen(chooser, weights={...})`` -- a feature with weight 0 is never
generated; larger weights make it more likely.  With ``swarm=True`` (the
default) each program also switches a random subset of features off ("swarm
testing"), so many programs avoid constructs a compiler does not support yet.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .choices import BufferChooser, Chooser, HypothesisChooser, RandomChooser

# ---------------------------------------------------------------------------
# features and weights

FEATURES = {
    "float": "float values and arithmetic",
    "special_float": "-0.0, inf, nan, huge and tiny floats",
    "bigint": "ints beyond 64 bits and 64-bit boundary values",
    "str": "str values, methods, slicing",
    "bytes": "bytes values",
    "containers": "list/tuple/dict/set values and operations",
    "slices": "slicing, slice assignment and deletion",
    "loops": "for loops (ranges, lists, strings, dicts), break/continue/else",
    "while": "bounded while loops",
    "try": "try/except/else/finally and operations that raise",
    "raise": "raise, raise from, bare raise",
    "with": "with on a context manager defined in the program",
    "closures": "nested functions, closures, nonlocal, lambdas",
    "global": "global variables and the global statement",
    "comprehensions": "list/set/dict comprehensions, generator expressions",
    "helpers": "module-level helper functions, defaults, keyword arguments",
    "varargs": "*args/**kwargs in definitions and calls",
    "recursion": "bounded recursive helpers",
    "classes": "small classes: attributes, methods, properties, dunders",
    "hostile": "objects with mutating __bool__/__eq__, raising __index__, __class__ swapping",
    "builtins": "calls of builtins (len, abs, min, max, sorted, zip, divmod ...)",
    "fstrings": "f-strings with format specs",
    "unpacking": "tuple and star unpacking",
    "print": "print() output",
    "math": "the math module",
    "unbound": "deliberately possibly-unbound locals (del) and undefined names",
    "multicall": "calling f several times with arguments of varying values",
    "match": "match statements (sequence, mapping, class, literal, capture patterns)",
    "except_star": "ExceptionGroup and except*",
    "misc": "assert, import inside f, a class defined inside f, del of attributes/globals",
    "introspection": "locals(), vars(), dir(), globals() and eval() of generated expressions",
    "module": "module-level statements: annotations, from math import *, del of a global, loops, try",
    "interactive": "an INTERACTIVE statement the oracle also runs in 'single' mode (printing its value)",
    "long": "a helper whose jumps span more than 255 code units (EXTENDED_ARG)",
}

DEFAULT_WEIGHTS = {name: 1.0 for name in FEATURES}
DEFAULT_WEIGHTS["unbound"] = 0.3
DEFAULT_WEIGHTS["introspection"] = 0.5
# the chance, at weight 1, that a program has these (see Gen.rate)
MODULE_CODE_RATE = 0.5
INTERACTIVE_RATE = 0.3
LONG_HELPER_RATE = 0.12

# each program keeps a feature with this probability (swarm testing)
SWARM_KEEP = 0.65

# ---------------------------------------------------------------------------
# literal pools (simplest first)

SMALL_INTS = [0, 1, 2, -1, 3, 5, 7, -2, 10, -7, 100, 255, 256, -256, 1000, 12345]
BIG_INTS = [2**31 - 1, -2**31, 2**32, 2**62, 2**63 - 1, -2**63, 2**63, 2**64,
            -(2**64) - 1, 2**100, -(3**70), 10**20, 10**30 + 7, 2**62 - 1, -2**62]
FLOATS = [0.0, 1.0, 0.5, -1.0, 1.5, -2.5, 3.0, 0.1, 2.0, 10.0, 123.456, -7.25, 1e-5, 1e10]
SPECIAL_FLOATS = [-0.0, math.inf, -math.inf, math.nan, 1e308, 1.7976931348623157e308,
                  5e-324, 2.2250738585072014e-308, 1e-300, -1e308, 9007199254740993.0]
STRS = ["", "a", "ab", "abc", "hello", "Hello World", " x y ", "12", "-3", "1.5",
        "a,b,c", "h\u00e9llo", "\u00c4\u00d6", "tab\there", "line\nbreak", "xxx", "\U0001f40d", "AbC"]
BYTES = [b"", b"a", b"ab", b"abc", b"\x00\xff", b"hello", b"12"]
KEYS = ["a", "b", "c", "x", "key"]
BYTES_OLD = ["b'a'", "b'l'", "b'\\x00'"]

SCALARS = ["int", "float", "bool", "str", "bytes", "none"]
CONTAINERS = ["list", "tuple", "dict", "set"]


def src_of(v) -> str:
    """Python source for a value (ints, floats incl. inf/nan/-0.0, str, bytes,
    None, bool, and lists/tuples/dicts/sets of those)."""
    if v is None or isinstance(v, bool):
        return repr(v)
    if isinstance(v, int):
        return repr(v) if v >= 0 else f"({v!r})"
    if isinstance(v, float):
        if v != v:
            return "float('nan')"
        if v == math.inf:
            return "float('inf')"
        if v == -math.inf:
            return "float('-inf')"
        if v == 0.0 and math.copysign(1.0, v) < 0:
            return "(-0.0)"
        return repr(v) if v >= 0 else f"({v!r})"
    if isinstance(v, (str, bytes)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(src_of(x) for x in v) + "]"
    if isinstance(v, tuple):
        if len(v) == 1:
            return "(" + src_of(v[0]) + ",)"
        return "(" + ", ".join(src_of(x) for x in v) + ")"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{src_of(k)}: {src_of(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (set, frozenset)):
        if not v:
            return "set()"
        return "{" + ", ".join(src_of(x) for x in sorted(v, key=repr)) + "}"
    raise TypeError(f"no source form for {type(v).__name__}")


def indent(lines, n=1):
    pad = "    " * n
    return [pad + ln for ln in lines]


# ---------------------------------------------------------------------------
# scopes and signatures

@dataclass
class Sig:
    """A callable visible in a scope."""
    name: str
    params: list            # [(name, type, has_default)]
    ret: str
    varargs: bool = False   # *args of ints
    kwargs: bool = False    # **kwargs of ints
    kwonly: list = field(default_factory=list)  # [(name, type)] keyword-only with defaults
    bound: int = None       # recursive helper: first argument must be <= bound


class Scope:
    def __init__(self, kind="f", ret=None):
        self.kind = kind
        self.ret = ret              # return type for helpers/inner functions, None = any
        self.vars: dict = {}        # readable name -> type
        self.assignable: set = set()
        self.funcs: dict = {}       # name -> Sig
        self.loop = 0               # loop nesting depth in this function
        self.safe = kind != "f"     # growth-safe mode
        self.small: set = set()     # int vars known to be small
        self.no_grow = kind != "f"  # no list growth: inside a for-over-list, and in functions f may call while iterating
        self.handler = False        # inside an except clause (bare raise ok)
        self.fstring = False        # generating inside an f-string placeholder
        self.outer_locals: dict = {}  # enclosing function's locals (for nonlocal)
        self.globals_decl: set = set()
        self.rebindable: list = []     # global names f may rebind to a lambda
        self.excvars: list = []
        self.risky = False          # inside a try/with body: raising ops are welcome

    def child(self, **kw):
        c = Scope.__new__(Scope)
        c.__dict__.update(self.__dict__)
        c.vars = dict(self.vars)
        c.funcs = dict(self.funcs)
        c.small = set(self.small)
        c.excvars = list(self.excvars)
        for k, v in kw.items():
            setattr(c, k, v)
        return c

    def names_of(self, t):
        return [n for n, ty in self.vars.items() if ty == t]

    def assignable_of(self, t):
        return [n for n, ty in self.vars.items() if ty == t and n in self.assignable]


class _Fallback(Exception):
    """An option turned out not to be applicable; take the simplest one."""


# ---------------------------------------------------------------------------
# the generator

class Gen:
    MAX_DEPTH = 3

    def __init__(self, chooser: Chooser, weights=None, swarm=True):
        self.ch = chooser
        w = dict(DEFAULT_WEIGHTS)
        if weights:
            unknown = set(weights) - set(FEATURES)
            if unknown:
                raise ValueError(f"unknown features: {sorted(unknown)}")
            w.update(weights)
        if swarm:
            for name in FEATURES:
                if w[name] > 0 and not self.ch.boolean(SWARM_KEEP):
                    w[name] = 0.0
        if w["float"] <= 0:  # these are mostly about floats
            w["special_float"] = w["math"] = 0.0
        self.w = w
        self.counter = 0
        self.classes: dict = {}      # name -> set of capabilities
        self.hostile: set = set()
        self.has_cm = False
        self.module_globals: dict = {}  # name -> type
        self.deep = False
        self.tuple_helpers: list = []   # (name, item count, all ints) of gen_tuple_helper's

    # -- basics -----------------------------------------------------------
    def on(self, feature):
        return self.w.get(feature, 0) > 0

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def choose(self, options):
        """options: [(weight, feature or None, fn)]; fn() -> result.  The first
        option must always be applicable (it is the fallback)."""
        ws = []
        for weight, feat, _ in options:
            ws.append(weight * (self.w.get(feat, 0) if feat else 1.0))
        i = self.ch.weighted(ws)
        try:
            return options[i][2]()
        except _Fallback:
            return options[0][2]()

    def rk(self, sc, w=1.0):
        """Weight of an option that often raises: full inside try bodies."""
        return w if sc.risky else w * 0.25

    def coin(self, p=0.5):
        return self.ch.boolean(p)

    def rate(self, feature, p):
        """True with probability p times the feature's weight (0 when it is off)."""
        return self.on(feature) and self.coin(min(1.0, p * self.w[feature]))

    def pick(self, seq):
        if not seq:
            raise _Fallback
        return self.ch.pick(seq)

    # -- literals -----------------------------------------------------------
    def int_value(self):
        if self.on("bigint") and self.coin(0.2):
            return self.pick(BIG_INTS)
        return self.pick(SMALL_INTS)

    def float_value(self):
        if self.on("special_float") and self.coin(0.3):
            return self.pick(SPECIAL_FLOATS)
        return self.pick(FLOATS)

    def str_value(self):
        return self.pick(STRS)

    def value(self, t):
        """A Python value of type t (for arguments and literals)."""
        if t == "int":
            return self.int_value()
        if t == "bool":
            return self.coin()
        if t == "float":
            return self.float_value()
        if t == "str":
            return self.str_value()
        if t == "bytes":
            return self.pick(BYTES)
        if t == "none":
            return None
        if t == "list":
            return [self.int_value() for _ in range(self.ch.integer(0, 4))]
        if t == "tuple":
            return tuple(self.int_value() for _ in range(self.ch.integer(0, 3)))
        if t == "dict":
            d = {}
            for _ in range(self.ch.integer(0, 3)):
                d[self.pick(KEYS)] = self.int_value()
            return d
        if t == "set":
            return {self.pick(SMALL_INTS) for _ in range(self.ch.integer(0, 3))}
        raise ValueError(t)

    def lit(self, t):
        if t == "float" and self.on("special_float") and self.coin(0.1):
            return self.pick(["float('inf')", "float('nan')", "(-0.0)", "1e308", "5e-324",
                                 "(1e308 * 10)", "float('-inf')"]
                                + (["math.inf", "math.nan", "(-math.inf)"] if self.on("math") else []))
        return src_of(self.value(t))

    def lit_str(self, sc):
        if sc.fstring:
            choices = [s for s in STRS if "\\" not in repr(s)]
            return repr(self.pick(choices))
        return src_of(self.str_value())

    def lit_bytes(self, sc):
        if sc.fstring:
            return repr(self.pick([b for b in BYTES if "\\" not in repr(b)]))
        return src_of(self.pick(BYTES))

    def small_lit(self, lo=-3, hi=8):
        v = self.ch.integer(0, hi - lo)
        v = [0, 1, 2, 3, -1, 4, 5, 6, 7, 8, -2, -3][v] if v < 12 else v + lo
        v = max(lo, min(hi, v))
        return f"({v})" if v < 0 else str(v)

    # -- variables ------------------------------------------------------------
    def var(self, sc, t):
        names = sc.names_of(t)
        if not names:
            raise _Fallback
        return self.pick(names)

    def has(self, sc, t):
        return any(ty == t for ty in sc.vars.values())

    # -- expressions ------------------------------------------------------------
    def expr(self, sc, t, d=None):
        if d is None:
            d = self.MAX_DEPTH
        d = max(0, d)
        if t.startswith("obj:"):
            return self.e_obj(sc, t, d)
        fn = getattr(self, "e_" + t)
        return fn(sc, d)

    def e_none(self, sc, d):
        return self.choose([
            (5, None, lambda: "None"),
            (1, None, lambda: self.var(sc, "none")),
        ])

    # ints
    def e_int(self, sc, d):
        opts = [
            (3, None, lambda: self.lit("int")),
            (5, None, lambda: self.var(sc, "int")),
        ]
        if d > 0:
            e = lambda t="int": self.expr(sc, t, d - 1)
            opts += [
                (9, None, lambda: self.int_binop(sc, d)),
                (1, None, lambda: f"({self.pick(['-', '~', '+', '-'])}{e()})"),
                (2, None, lambda: f"({e()} if {self.cond(sc, d - 1)} else {e()})"),
                (1, None, lambda: f"({e()} {self.pick(['or', 'and'])} {e()})"),
                (1, None, lambda: f"({e('bool')} + {e()})"),
                (3, "containers", lambda: self.int_from_container(sc, d)),
                (3, "builtins", lambda: self.int_builtin(sc, d)),
                (2, "str", lambda: self.int_from_str(sc, d)),
                (1, "bytes", lambda: self.pick([f"len({e('bytes')})", f"{self.var(sc, 'bytes')}[{self.small_lit()}]",
                                                  f"int.from_bytes({e('bytes')}, 'little')"])),
                (2, "float", lambda: self.int_from_float(sc, d)),
                (3, "classes", lambda: self.int_from_obj(sc, d)),
                (3, None, lambda: self.call_returning(sc, "int", d)),
                (1, "closures", lambda: f"(lambda a, b=2: ({self.lambda_body(sc, ['a', 'b'], d)}))({e()})"),
                (1, "comprehensions", lambda: self.int_from_comp(sc, d)),
                (2, "hostile", lambda: self.int_hostile(sc, d)),
                (1, "math", lambda: self.pick([f"math.gcd({e()}, {e()})", f"math.floor({e('float')})",
                                                 f"math.ceil({e('float')})", f"math.factorial(min(abs({e()}), 12))",
                                                 f"math.isqrt(abs({e()}))", f"math.trunc({e('float')})"])),
                (self.rk(sc), "unbound", lambda: self.pick(["undefined_name", f"({e()} + undefined_name)"])),
                (0.3, None, lambda: "(" + " + ".join(self.expr(sc, "int", 0) for _ in range(self.ch.integer(8, 40))) + ")"),
                (1, "introspection", lambda: self.int_introspect(sc, d)),
                (0.3, "builtins", lambda: f"{self.pick(['max', 'min'])}(" + ", ".join(self.expr(sc, "int", 0) for _ in range(self.ch.integer(6, 30))) + ")"),
                (0.3, "containers", lambda: "len([" + ", ".join(self.expr(sc, "int", 0) for _ in range(self.ch.integer(10, 60))) + "])"),
            ]
        return self.choose(opts)

    def shift_count(self, sc, d, safe):
        e = lambda: self.expr(sc, "int", d - 1)
        if safe:
            return self.choose([
                (4, None, lambda: self.small_lit(0, 8)),
                (2, None, lambda: f"({e()} % 9)"),
                (self.rk(sc), None, lambda: "(-1)"),
            ])
        return self.choose([
            (4, None, lambda: self.pick(["1", "3", "8", "31", "32", "63", "64", "65", "0", "100"])),
            (2, None, lambda: f"({e()} % 70)"),
            (self.rk(sc), None, lambda: "(-1)"),
        ])

    def int_binop(self, sc, d):
        e = lambda: self.expr(sc, "int", d - 1)
        ops = ["+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^"]
        ws = [6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1]
        op = ops[self.ch.weighted(ws)]
        if op in ("+", "-", "&", "|", "^"):
            return f"({e()} {op} {e()})"
        if op == "*":
            if sc.safe:
                if self.coin():
                    return f"({e()} * {self.small_factor(sc)})"
                return f"({self.small_factor(sc)} * {e()})"
            return f"({e()} * {e()})"
        if op in ("//", "%"):
            if self.coin(0.5):
                return f"({e()} {op} ({e()} or {self.pick(['1', '3', '(-2)', '7'])}))"
            return f"({e()} {op} {e()})"
        if op == "**":
            exp = self.choose([
                (4, None, lambda: self.pick(["2", "0", "1", "3", "5", "8"])),
                (1, None, lambda: f"({e()} % 4)"),
            ])
            if sc.safe:
                base = self.small_factor(sc)
                exp = self.pick(["2", "0", "1", "3"]) if not exp.startswith("(") else exp
            else:
                base = e()
            return f"({base} ** {exp})"
        if op == "<<":
            return f"({e()} << {self.shift_count(sc, d, sc.safe)})"
        # >>
        count = self.choose([
            (3, None, lambda: self.pick(["1", "3", "63", "64", "100", "0"])),
            (1, None, lambda: f"({e()} % 70)"),
            (1, None, lambda: e()),
        ])
        return f"({e()} >> {count})"

    def small_factor(self, sc):
        opts = [(4, None, lambda: self.small_lit(-3, 10))]
        if sc.small:
            opts.append((2, None, lambda: self.pick(sorted(sc.small))))
        return self.choose(opts)

    def int_from_container(self, sc, d):
        e = lambda t="int": self.expr(sc, t, d - 1)
        idx = lambda: self.choose([
            (3, None, lambda: self.small_lit(-4, 5)),
            (1, None, lambda: e()),
        ])
        opts = [
            (3, None, lambda: f"len({e(self.pick(['list', 'tuple', 'dict', 'set']))})"),
            (self.rk(sc, 3), None, lambda: f"{self.var(sc, 'list')}[{idx()}]"),
            (self.rk(sc, 2), None, lambda: f"{self.var(sc, 'tuple')}[{idx()}]"),
            (self.rk(sc, 2), None, lambda: f"{self.var(sc, 'dict')}[{self.lit_key(sc)}]"),
            (1, None, lambda: (lambda v: f"({v}[{self.small_lit(0, 3)}] if len({v}) > {self.small_lit(0, 3)} else {e()})")(self.var(sc, "list"))),
            (1, None, lambda: (lambda v, k: f"({v}[{k}] if {k} in {v} else {e()})")(self.var(sc, "dict"), self.lit_key(sc))),
            (2, None, lambda: f"{self.var(sc, 'dict')}.get({self.lit_key(sc)}, {e()})"),
            (2, None, lambda: (lambda v: f"({v}[{e()} % len({v})] if {v} else {e()})")(self.var(sc, "list"))),
            (1, None, lambda: f"{self.var(sc, 'list')}.count({e()})"),
            (self.rk(sc), None, lambda: f"{self.var(sc, 'list')}.index({e()})"),
            (1, None, lambda: f"sum({e('list')})"),
            (1, None, lambda: f"max({e('list')}, default={e()})"),
            (self.rk(sc), None, lambda: f"{self.var(sc, 'list')}.pop()"),
            (1, None, lambda: f"({e()} in {e(self.pick(['list', 'set', 'tuple']))}) + 0"),
        ]
        return self.choose(opts)

    def lit_key(self, sc):
        if sc.fstring:
            return repr(self.pick(KEYS))
        return self.choose([
            (5, None, lambda: repr(self.pick(KEYS))),
            (self.rk(sc), None, lambda: "'zz'"),
        ])

    def int_builtin(self, sc, d):
        e = lambda t="int": self.expr(sc, t, d - 1)
        return self.choose([
            (3, None, lambda: f"abs({e()})"),
            (3, None, lambda: f"{self.pick(['min', 'max'])}({e()}, {e()})"),
            (1, None, lambda: f"{self.pick(['min', 'max'])}({e()}, {e()}, {e()})"),
            (1, None, lambda: f"int({e('bool')})"),
            (1, "str", lambda: f"int({self.pick(['12', '-3', '0x1f', ' 7 ', '1_000', 'abc', '1.5', ''])!r})"),
            (self.rk(sc), "str", lambda: f"int({e('str')})"),
            (1, "str", lambda: f"int({self.pick(['ff', '777', '-101'])!r}, {self.pick(['16', '8', '2', '36'])})"),
            (2, None, lambda: f"divmod({e()}, {e()})[{self.pick(['0', '1'])}]"),
            (1, None, lambda: f"pow({e()}, {self.pick(['2', '3', '(-1)', '100'])}, {e()})"),
            (1, None, lambda: f"round({e()}, {self.pick(['(-1)', '(-2)', '0', '1'])})"),
            (1, "containers", lambda: f"sum({e('list')}, {e()})"),
            (1, "containers", lambda: f"len(list(zip({e('list')}, {e('str') if self.on('str') else e('tuple')})))"),
            (1, None, lambda: f"(int({e()}) % 1000)"),
            (1, "containers", lambda: f"sorted({e('list')})[{self.small_lit(-2, 3)}]"),
            (1, None, lambda: f"int({e()}).bit_length()"),
        ])

    def int_from_str(self, sc, d):
        e = lambda t="str": self.expr(sc, t, d - 1)
        return self.choose([
            (3, None, lambda: f"len({e()})"),
            (2, None, lambda: f"{e()}.find({self.lit_str(sc)})"),
            (2, None, lambda: f"{e()}.count({self.lit_str(sc)})"),
            (self.rk(sc), None, lambda: f"{e()}.index({self.lit_str(sc)})"),
            (self.rk(sc), None, lambda: f"ord({e()}[{self.small_lit(-2, 3)}])"),
            (1, None, lambda: f"len({e()}.split({self.pick(['', ', sep=None'])[2:] or ''}))"),
        ])

    def int_from_float(self, sc, d):
        e = lambda: self.expr(sc, "float", d - 1)
        return self.choose([
            (3, None, lambda: f"int({e()})"),
            (2, None, lambda: f"round({e()})"),
            (1, None, lambda: f"int({e()} // {e()})"),
            (1, None, lambda: f"len(str({e()}))"),
            (1, None, lambda: f"({e()}).is_integer() + 0"),
        ])

    def int_from_obj(self, sc, d):
        objs = [n for n, t in sc.vars.items() if t.startswith("obj:")]
        if not objs:
            raise _Fallback
        o = self.pick(objs)
        cls = sc.vars[o][4:]
        caps = self.classes[cls]
        e = lambda: self.expr(sc, "int", d - 1)
        opts = [(3, None, lambda: f"{o}.{self.pick(['x', 'y'])}")]
        if "m" in caps:
            opts.append((2, None, lambda: f"{o}.m({e()})"))
        if "p" in caps:
            opts.append((2, None, lambda: f"{o}.p"))
        opts.append((1, None, lambda: f"{cls}.K"))
        opts.append((1, None, lambda: f"{o}.K"))
        if "bump" in caps:
            opts.append((1, None, lambda: f"{o}.bump({e()}).x"))
        if "static" in caps:
            opts.append((1, None, lambda: f"{self.pick([o, cls])}.s({e()})"))
        if "cls" in caps:
            opts.append((1, None, lambda: f"{self.pick([o, cls])}.c({e()})"))
        opts.append((1, None, lambda: f"getattr({o}, 'y', 0)"))
        return self.choose(opts)

    def int_from_comp(self, sc, d):
        c = self.fresh("c")
        inner = sc.child(vars={**sc.vars, c: "int"}, small=sc.small | {c}, safe=True)
        body = self.expr(inner, "int", d - 1)
        cond = self.cond(inner, d - 1)
        src = self.iter_int_source(sc, d)
        return self.choose([
            (3, None, lambda: f"sum({body} for {c} in {src})"),
            (2, None, lambda: f"len([{c} for {c} in {src} if {cond}])"),
            (1, None, lambda: f"{self.pick(['any', 'all'])}({cond} for {c} in {src}) + 0"),
            (1, None, lambda: f"max(({body} for {c} in {src}), default=0)"),
            (1, "closures", lambda: f"sum(fn() for fn in [(lambda: {c} * 2) for {c} in range({self.small_lit(0, 4)})])"),
        ])

    def iter_int_source(self, sc, d):
        """An iterable of ints that is bounded in length."""
        opts = [
            (3, None, lambda: f"range({self.small_lit(0, 6)})"),
            (2, None, lambda: f"range({self.small_lit(-3, 2)}, {self.small_lit(0, 6)})"),
            (1, None, lambda: f"range({self.small_lit(5, 8)}, {self.small_lit(-2, 1)}, {self.pick(['(-1)', '(-2)', '(-3)'])})"),
            (1, None, lambda: f"range(min({self.expr(sc, 'int', 0)}, 6))"),
        ]
        if self.on("containers"):
            opts += [
                (3, None, lambda: self.var(sc, "list")),
                (1, None, lambda: self.var(sc, "tuple")),
                (1, None, lambda: self.var(sc, "set")),
                (1, None, lambda: f"{self.var(sc, 'dict')}.values()"),
            ]
        if self.on("bytes"):
            opts.append((1, None, lambda: self.var(sc, "bytes")))
        return self.choose(opts)

    def int_hostile(self, sc, d):
        opts = [(1, None, lambda: self.lit("int"))]
        if "eqmut" in self.hostile:
            opts += [(2, None, lambda: f"{self.expr(sc, 'list', d - 1)}.count({self.var(sc, 'eqmut')})"),
                     (1, None, lambda: f"{self.var(sc, 'list')}.index({self.var(sc, 'eqmut')})"),
                     (1, None, lambda: f"{self.var(sc, 'eqmut')}.calls")]
        if "badidx" in self.hostile:
            opts += [(2, None, lambda: f"{self.expr(sc, 'list', d - 1)}[{self.var(sc, 'badidx')}]"),
                     (1, None, lambda: f"len(range({self.var(sc, 'badidx')}))"),
                     (1, None, lambda: f"len({self.expr(sc, 'list', d - 1)}[{self.var(sc, 'badidx')}:])")]
        if "flip" in self.hostile:
            opts += [(2, None, lambda: f"(1 if {self.var(sc, 'flip')} else 2)"),
                     (1, None, lambda: f"{self.var(sc, 'flip')}.n")]
        if "swap" in self.hostile:
            opts += [(2, None, lambda: f"{self.var(sc, 'swap')}.val()"),
                     (2, None, lambda: f"{self.var(sc, 'swap')}.swap()")]
        return self.choose(opts)

    def int_introspect(self, sc, d):
        ints = [n for n, t in sc.vars.items() if t == "int"]
        opts = [
            (2, None, lambda: f"len({self.pick(['locals', 'vars', 'dir'])}())"),
            (1, None, lambda: f"len([k for k in globals() if not k.startswith('__')])"),
            (1, None, lambda: f"({repr(self.pick(sorted(sc.vars)) if sc.vars else 'x')} in locals()) + 0"),
        ]
        if ints:
            opts.append((3, None, lambda: f"eval({(self.pick(ints) + ' ' + self.pick(['+', '*', '-', '//']) + ' ' + self.pick(['1', '2', '3']))!r})"))
            opts.append((1, None, lambda: f"locals().get({self.pick(ints)!r}, {self.small_lit()})"))
        return self.choose(opts)

    def lambda_body(self, sc, params, d):
        inner = sc.child(vars={**sc.vars, **{p: "int" for p in params}}, safe=True)
        return self.expr(inner, "int", min(d - 1, 2))

    # floats
    def e_float(self, sc, d):
        opts = [
            (3, None, lambda: self.lit("float")),
            (5, None, lambda: self.var(sc, "float")),
        ]
        if d > 0:
            e = lambda t="float": self.expr(sc, t, d - 1)
            num = lambda: e(self.pick(["float", "float", "int"]))
            opts += [
                (8, None, lambda: f"({num()} {self.pick(['+', '-', '*', '/', '+', '*'])} {num()})"),
                (2, None, lambda: f"({num()} {self.pick(['//', '%'])} {num()})"),
                (1, None, lambda: f"({e('int')} / {e('int')})"),
                (1, None, lambda: f"({e()} ** {self.pick(['2', '3', '(-1)', '0.5', '(-2)', '0'])})"),
                (1, None, lambda: f"(abs({e()}) ** 0.5)"),
                (1, None, lambda: f"({e('int')} ** {self.pick(['(-1)', '(-2)'])})"),
                (1, None, lambda: f"(-{e()})"),
                (2, None, lambda: f"({e()} if {self.cond(sc, d - 1)} else {e()})"),
                (2, "builtins", lambda: self.pick([f"float({e('int')})", f"abs({e()})",
                                                      f"{self.pick(['min', 'max'])}({e()}, {e()})",
                                                      f"round({e()}, {self.pick(['0', '1', '2', '(-1)'])})",
                                                      f"divmod({e()}, {num()})[{self.pick(['0', '1'])}]",
                                                      f"sum([{e()}, {num()}])"])),
                (1, "str", lambda: f"float({self.pick(['1.5', 'inf', '-inf', 'nan', '-0.0', '1e500', 'abc', ' 2 ', '1_0.5'])!r})"),
                (1, "str", lambda: f"float({e('str')})"),
                (2, "math", lambda: self.pick([f"math.sqrt(abs({e()}))", f"math.sqrt({e()})", f"math.fabs({e()})",
                                                  f"math.copysign(1.0, {e()})", f"math.exp({e()})", f"math.log({e()})",
                                                  f"math.fmod({e()}, {num()})", "math.pi", "math.inf", f"math.hypot({e()}, {e()})",
                                                  f"math.floor({e()}) * 1.0", f"math.atan2({e()}, {e()})"])),
                (2, None, lambda: self.call_returning(sc, "float", d)),
                (1, "classes", lambda: f"({self.int_from_obj(sc, d)} / 2)"),
            ]
        return self.choose(opts)

    # bools / conditions
    def e_bool(self, sc, d):
        opts = [
            (1 if d > 0 else 0.5, None, lambda: self.pick(["True", "False"])),
            (3, None, lambda: self.var(sc, "bool")),
            (0 if d > 0 else 6, None, lambda: self.shallow_compare(sc)),
        ]
        if d > 0:
            opts += [(10, None, lambda: self.bool_expr(sc, d))]
        return self.choose(opts)

    def shallow_compare(self, sc):
        """var OP literal: the usual condition when there is no depth left."""
        names = [n for n, t in sc.vars.items() if t in ("int", "float", "str")]
        if not names:
            raise _Fallback
        n = self.pick(names)
        t = sc.vars[n]
        lit = self.small_lit(-2, 10) if t == "int" else self.lit_str(sc) if t == "str" else self.lit("float")
        return f"({n} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {lit})"

    def comparable_type(self, sc):
        ts = ["int", "int", "int"]
        for t, f in (("float", "float"), ("str", "str"), ("bytes", "bytes"), ("list", "containers"),
                     ("tuple", "containers")):
            if self.on(f):
                ts.append(t)
        return self.pick(ts)

    def bool_expr(self, sc, d):
        e = lambda t: self.expr(sc, t, d - 1)
        cmp_ops = ["<", "<=", ">", ">=", "==", "!="]

        def compare():
            t = self.comparable_type(sc)
            t2 = t
            if t in ("int", "float") and self.on("float") and self.coin(0.3):
                t2 = self.pick(["int", "float", "bool"])
            return f"({e(t)} {self.pick(cmp_ops)} {e(t2)})"

        def chained():
            t = self.pick(["int", "int", "float"] if self.on("float") else ["int"])
            n = self.ch.integer(3, 4)
            parts = [e(t)]
            for _ in range(n - 1):
                parts.append(self.pick(cmp_ops))
                parts.append(e(t))
            return "(" + " ".join(parts) + ")"

        def member():
            return self.choose([
                (2, "containers", lambda: f"({e('int')} {self.pick(['in', 'not in'])} {e(self.pick(['list', 'set', 'tuple']))})"),
                (1, "containers", lambda: f"({self.lit_key(sc)} in {e('dict')})"),
                (1, "str", lambda: f"({self.lit_str(sc)} in {e('str')})"),
            ])

        opts = [
            (8, None, compare),
            (3, None, chained),
            (3, None, lambda: f"(not {self.cond(sc, d - 1)})"),
            (4, None, lambda: f"({self.cond(sc, d - 1)} {self.pick(['and', 'or'])} {self.cond(sc, d - 1)})"),
            (3, "containers", member),
            (1, "str", lambda: f"({self.lit_str(sc)} in {e('str')})"),
            (2, "builtins", lambda: f"isinstance({e(self.pick(self.value_types()))}, "
                                    f"{self.pick(['int', 'float', 'str', 'bool', '(int, float)', '(list, tuple)', 'object'])})"),
            (1, None, lambda: f"({e(self.pick(self.value_types()))} is None)"),
            (1, None, lambda: f"({self.var(sc, 'none')} is not None)"),
            (1, None, lambda: f"bool({e(self.pick(self.value_types()))})"),
            (2, "str", lambda: f"{e('str')}.{self.pick(['startswith', 'endswith'])}({self.lit_str(sc)})"),
            (1, "str", lambda: f"{e('str')}.{self.pick(['isdigit', 'isalpha', 'isupper', 'isspace'])}()"),
            (2, "hostile", lambda: self.bool_hostile(sc, d)),
            (2, "classes", lambda: self.bool_obj(sc, d)),
            (1, "math", lambda: f"math.{self.pick(['isnan', 'isinf', 'isfinite'])}({e('float')})"),
            (1, None, lambda: f"({e('int')} == {e('int')} == {e('int')})"),
            (1, None, lambda: self.call_returning(sc, "bool", d)),
        ]
        return self.choose(opts)

    def bool_hostile(self, sc, d):
        opts = [(1, None, lambda: "True")]
        if "flip" in self.hostile:
            opts += [(3, None, lambda: f"bool({self.var(sc, 'flip')})"),
                     (1, None, lambda: f"(not {self.var(sc, 'flip')})")]
        if "eqmut" in self.hostile:
            opts += [(2, None, lambda: f"({self.var(sc, 'eqmut')} == {self.expr(sc, 'int', d - 1)})"),
                     (1, None, lambda: f"({self.expr(sc, 'int', d - 1)} == {self.var(sc, 'eqmut')})"),
                     (1, None, lambda: f"({self.var(sc, 'eqmut')} != {self.expr(sc, 'int', d - 1)})"),
                     (2, None, lambda: f"({self.var(sc, 'eqmut')} in {self.expr(sc, 'list', d - 1)})"),
                     (1, None, lambda: (lambda v: f"([{v}] == [{v}])")(self.var(sc, 'eqmut')))]
        if "swap" in self.hostile:
            opts += [(1, None, lambda: f"isinstance({self.var(sc, 'swap')}, SwapA)"),
                     (1, None, lambda: f"(type({self.var(sc, 'swap')}) is SwapB)")]
        return self.choose(opts)

    def bool_obj(self, sc, d):
        objs = [n for n, t in sc.vars.items() if t.startswith("obj:")]
        if not objs:
            raise _Fallback
        o = self.pick(objs)
        t = sc.vars[o]
        return self.choose([
            (2, None, lambda: f"({o} == {self.expr(sc, t, d - 1)})"),
            (2, None, lambda: f"bool({o})"),
            (1, None, lambda: f"({o} != {self.expr(sc, t, d - 1)})"),
            (1, None, lambda: f"({o} is {self.expr(sc, t, 0)})"),
            (1, None, lambda: f"isinstance({o}, {t[4:]})"),
        ])

    def cond(self, sc, d):
        """A condition for if/while/ifexp: a bool or any truthy value."""
        d = max(0, d)
        opts = [
            (8, None, lambda: self.e_bool(sc, d)),
            (2, None, lambda: self.expr(sc, self.pick(self.value_types()), max(0, d - 1))),
        ]
        if "flip" in self.hostile:
            opts.append((2, "hostile", lambda: self.var(sc, "flip")))
        objs = [n for n, t in sc.vars.items() if t.startswith("obj:")]
        if objs:
            opts.append((1, "classes", lambda: self.pick(objs)))
        return self.choose(opts)

    def value_types(self):
        ts = ["int", "bool", "none"]
        if self.on("float"):
            ts.append("float")
        if self.on("str"):
            ts.append("str")
        if self.on("bytes"):
            ts.append("bytes")
        if self.on("containers"):
            ts += CONTAINERS
        return ts

    # strings
    def e_str(self, sc, d):
        opts = [
            (3, None, lambda: self.lit_str(sc)),
            (5, None, lambda: self.var(sc, "str")),
        ]
        if d > 0:
            e = lambda t="str": self.expr(sc, t, d - 1)
            opts += [
                (3, None, lambda: f"({e()} + {self.lit_str(sc)})" if sc.safe or self.coin() else f"({e()} + {e()})"),
                (1, None, lambda: f"({self.lit_str(sc)} + {e()})"),
                (self.rk(sc, 3), None, lambda: f"{e()}[{self.small_lit(-3, 4)}]"),
                (3, "slices", lambda: f"{e()}[{self.slice_src(sc, d)}]"),
                (3, None, lambda: self.str_of(sc, d)),
                (4, None, lambda: self.str_method(sc, d)),
                (0 if sc.fstring else 3, "fstrings", lambda: self.fstring(sc, d)),
                (1, None, lambda: f"({e()} if {self.cond(sc, d - 1)} else {e()})"),
                (1, "builtins", lambda: self.pick([f"chr(65 + {e('int')} % 26)", f"hex({e('int')})", f"bin({e('int')})",
                                                      f"oct({e('int')})", f"chr({e('int')})", f"format({e('int')}, {self.pick(['x', '08b', ',', '>6'])!r})",
                                                      f"format({e('float')}, {self.pick(['.2f', 'e', 'g', '%'])!r})"] if self.on("float") else
                                                     [f"chr(65 + {e('int')} % 26)", f"hex({e('int')})", f"bin({e('int')})"])),
                (1, "bytes", lambda: f"{e('bytes')}.decode()"),
                (2, "classes", lambda: self.str_from_obj(sc, d)),
                (2, None, lambda: self.call_returning(sc, "str", d)),
                (1, None, lambda: self.str_mult(sc, d)),
                (1, "introspection", lambda: f"' '.join(sorted({self.pick(['locals', 'vars', 'dir'])}()))"),
                (1, "hostile", lambda: f"({self.lit_str(sc)} * {self.var(sc, 'badidx')})"),
                (1, "containers", lambda: f"{repr('') if sc.safe else self.lit_str(sc)}.join({self.strs_iter(sc, d)})"),
                (1, None, lambda: f"({self.pick(['%d', '%5d|', '%x', '%s', '%.2f'])!r} % ({e('int')},))"),
                (1, None, lambda: f"'{{}}-{{}}'.format({e('int')}, {e()})" if sc.safe else f"'{{}}-{{!r}}'.format({e('int')}, {e()})"),
            ]
        return self.choose(opts)

    def str_of(self, sc, d):
        if sc.safe:  # repr(str) doubles backslashes, str(list) -> ord list cycles grow
            return f"{self.pick(['str', 'repr'])}({self.expr(sc, self.pick(['int', 'float', 'bool', 'none']), d - 1)})"
        return f"{self.pick(['str', 'repr'])}({self.expr(sc, self.pick(self.value_types()), d - 1)})"

    def str_mult(self, sc, d):
        if sc.safe:
            return f"({self.lit_str(sc)} * {self.small_lit(-1, 3)})"
        return f"({self.expr(sc, 'str', d - 1)} * {self.small_lit(-1, 3)})"

    def strs_iter(self, sc, d):
        e = lambda t: self.expr(sc, t, d - 1)
        return self.choose([
            (2, None, lambda: f"[{e('str')}, {self.lit_str(sc)}]"),
            (2, None, lambda: f"(str(v) for v in {e('list')})" if not sc.fstring else f"map(str, {e('list')})"),
            (1, None, lambda: f"sorted({e('str')})"),
            (1, None, lambda: f"{e('str')}.split()"),
            (1, None, lambda: f"{e('dict')}"),
            (1, None, lambda: f"reversed({e('str')})"),
        ])

    def str_method(self, sc, d):
        s = self.expr(sc, "str", d - 1)
        one = lambda: repr(self.pick(["a", "b", "l", " ", "x", ",", "e"]))
        w = lambda: self.pick(["0", "3", "8", "12", "(-1)"])
        return self.choose([
            (3, None, lambda: f"{s}.{self.pick(['upper', 'lower', 'strip', 'title', 'swapcase', 'capitalize', 'casefold', 'lstrip', 'rstrip'])}()"),
            (2, None, lambda: f"{s}.replace({one()}, {self.pick(['', 'Z', '_'])!r})"),
            (1, None, lambda: f"{s}.replace({one()}, {self.pick(['', 'Z', '_', 'QQ'])!r}, {self.small_lit(-1, 2)})" if not sc.safe else f"{s}.upper()"),
            (2, None, lambda: f"{s}.{self.pick(['center', 'ljust', 'rjust'])}({w()}{', ' + repr('*') if self.coin() else ''})"),
            (1, None, lambda: f"{s}.zfill({w()})"),
            (1, None, lambda: f"{s}.strip({one()})"),
            (2, None, lambda: f"{repr(self.pick([''] if sc.safe else ['-', ', ', '']))}.join({self.strs_iter(sc, d)})"),
            (1, None, lambda: f"{s}.partition({one()})[{self.pick(['0', '2'])}]"),
            (1, None, lambda: f"{s}.split({one()})[{self.small_lit(-2, 2)}]"),
            (1, None, lambda: f"{s}.removeprefix({one()})"),
            (1, None, lambda: f"{s}.expandtabs({self.pick(['2', '4'])})"),
        ])

    def slice_src(self, sc, d):
        part = lambda: self.choose([
            (3, None, lambda: ""),
            (3, None, lambda: self.small_lit(-4, 5)),
            (1, None, lambda: self.expr(sc, "int", max(0, d - 2))),
            (1, "bigint", lambda: self.pick(["(2**70)", "(-2**64)"])),
        ])
        step = self.choose([
            (4, None, lambda: ""),
            (3, None, lambda: self.pick(["-1", "2", "-2", "3"])),
            (self.rk(sc, 0.5), None, lambda: self.pick(["0", "(-3)"])),
            (1, None, lambda: self.expr(sc, "int", 0)),
        ])
        if step:
            return f"{part()}:{part()}:{step}"
        return f"{part()}:{part()}"

    def fstring(self, sc, d):
        inner = sc.child(fstring=True)
        n = self.ch.integer(1, 3)
        parts = []
        for _ in range(n):
            text = self.pick(["", "v=", " ", "<", "x: ", "|", "-"])
            parts.append(text)
            parts.append(self.fstring_field(inner, d))
        parts.append(self.pick(["", "!", " end"]))
        return 'f"' + "".join(parts) + '"'

    def fstring_field(self, sc, d):
        t = self.pick(self.value_types())
        specs = {
            "int": ["", ">6", "<4", "^7", "08b", "x", "X", ",", "+d", "_", "o", "e", ".2f", "c", "05d", "#x", "s"],
            "bool": ["", ">5", "d"],
            "float": ["", ".3f", "e", "10.2f", "g", "%", ".0f", "+.1e", ",.2f", "n", "d"],
            "str": ["", ">8", "^9", "<3", ".2", "*^7", "d"],
        }
        e = self.expr(sc, t, max(0, min(d - 1, 2)))
        conv = self.pick(["", "", "", "!r", "!s", "!a"])
        spec = self.pick(specs.get(t, ["", ">10"]))
        if t in ("int", "float") and self.coin(0.15):
            spec = f">{{{self.small_lit(0, 9)}}}"
        if conv and t != "str" and spec not in ("", ">10") and not spec.startswith(">{"):
            spec = ""
        if spec and not spec.startswith(">{"):
            spec = ":" + spec
        elif spec:
            spec = ":" + spec
        if self.coin(0.1) and t in ("int", "float", "str"):
            names = sc.names_of(t)
            if names:
                return "{" + self.pick(names) + "=}"
        return "{(" + e + ")" + conv + spec + "}"

    def str_from_obj(self, sc, d):
        objs = [n for n, t in sc.vars.items() if t.startswith("obj:")]
        if not objs:
            raise _Fallback
        o = self.pick(objs)
        return self.pick([f"repr({o})", f"type({o}).__name__", f"str({o})", f"{o}.__class__.__name__"])

    # bytes
    def e_bytes(self, sc, d):
        opts = [
            (3, None, lambda: self.lit_bytes(sc)),
            (5, None, lambda: self.var(sc, "bytes")),
        ]
        if d > 0:
            e = lambda t="bytes": self.expr(sc, t, d - 1)
            opts += [
                (3, None, lambda: f"({e()} + {self.lit_bytes(sc)})"),
                (2, "slices", lambda: f"{e()}[{self.slice_src(sc, d)}]"),
                (1, None, lambda: f"({e()} * {self.small_lit(-1, 3)})" if not sc.safe else f"{e()}.upper()"),
                (2, "str", lambda: f"{e('str')}.encode()"),
                (1, "containers", lambda: f"bytes({e('list')})"),
                (1, None, lambda: f"bytes([{e('int')} % 256, {self.small_lit(0, 9)}])"),
                (1, None, lambda: f"{e()}.{self.pick(['upper', 'lower', 'strip'])}()"),
                (1, None, lambda: f"bytes(reversed({e()}))"),
                (1, None, lambda: f"{e()}.replace({self.pick(BYTES_OLD[:1] if sc.fstring else BYTES_OLD)}, b'-')"),
            ]
        return self.choose(opts)

    # containers
    def list_elems(self, sc, d, n=None):
        if n is None:
            n = self.ch.integer(0, 4)
        return [self.expr(sc, "int", d - 1 if d > 0 else 0) for _ in range(n)]

    def e_list(self, sc, d):
        opts = [
            (3, None, lambda: "[" + ", ".join(self.list_elems(sc, min(d, 1))) + "]"),
            (5, None, lambda: self.var(sc, "list")),
        ]
        if d > 0:
            e = lambda t="list": self.expr(sc, t, d - 1)
            opts += [
                (3, "slices", lambda: f"{e()}[{self.slice_src(sc, d)}]"),
                (2, None, lambda: f"({e()} + [{', '.join(self.list_elems(sc, d, self.ch.integer(1, 2)))}])"),
                (1, None, lambda: f"({e()} + {e()})" if not sc.safe else f"{e()}[:]"),
                (2, "builtins", lambda: self.pick([f"sorted({e()})", f"sorted({e()}, reverse=True)",
                                                      f"list(reversed({e()}))", f"sorted({e()}, key=lambda v: (-v, v % 3))",
                                                      f"sorted({e('set')})", f"list({e('tuple')})",
                                                      f"list({e('dict')}.values())", f"[len({e('dict')}), *{e()}]"])),
                (3, "comprehensions", lambda: self.list_comp(sc, d)),
                (1, None, lambda: f"list(range({self.small_lit(-2, 3)}, {self.small_lit(0, 7)}))"),
                (1, "unpacking", lambda: f"[*{e()}, {self.expr(sc, 'int', d - 1)}]"),
                (1, None, lambda: f"({e()} * {self.small_lit(-1, 3)})" if not sc.safe else f"{e()}.copy()"),
                (1, None, lambda: f"([{self.expr(sc, 'int', d - 1)}] * {self.small_lit(-1, 4)})"),
                (2, None, lambda: self.call_returning(sc, "list", d)),
                (1, None, lambda: f"({e()} if {self.cond(sc, d - 1)} else {e()})"),
                (1, "str", lambda: f"[ord(ch) for ch in {self.expr(sc, 'str', d - 1)}]" if self.on("comprehensions") else f"list(map(ord, {self.expr(sc, 'str', d - 1)}))"),
                (1, "builtins", lambda: f"list(map(abs, {e()}))"),
                (1, "builtins", lambda: f"[a - b for a, b in zip({e()}, {e()})]" if self.on("comprehensions") else f"list(map(len, [{e()}]))"),
            ]
        return self.choose(opts)

    def list_comp(self, sc, d):
        c = self.fresh("c")
        inner = sc.child(vars={**sc.vars, c: "int"}, safe=True)
        src = self.iter_int_source(sc, d)
        body = self.expr(inner, "int", d - 1)
        out = f"[{body} for {c} in {src}"
        if self.coin(0.4):
            out += f" if {self.cond(inner, d - 1)}"
        if not sc.safe and self.coin(0.15):
            c2 = self.fresh("c")
            out = f"[{body} + {c2} for {c} in {src} for {c2} in range({self.small_lit(0, 3)})"
        return out + "]"

    def e_tuple(self, sc, d):
        def lit():
            el = self.list_elems(sc, min(d, 1))
            if len(el) == 1:
                return f"({el[0]},)"
            return "(" + ", ".join(el) + ")"
        opts = [
            (3, None, lit),
            (5, None, lambda: self.var(sc, "tuple")),
        ]
        if d > 0:
            e = lambda t="tuple": self.expr(sc, t, d - 1)
            opts += [
                (2, None, lambda: f"tuple({self.expr(sc, 'list', d - 1)})"),
                (2, None, lambda: f"({e()} + ({self.expr(sc, 'int', d - 1)},))"),
                (2, "slices", lambda: f"{e()}[{self.slice_src(sc, d)}]"),
                (2, "builtins", lambda: f"divmod({self.expr(sc, 'int', d - 1)}, {self.expr(sc, 'int', d - 1)})"),
                (1, "unpacking", lambda: f"(*{self.expr(sc, 'list', d - 1)}, {self.expr(sc, 'int', d - 1)})"),
                (1, "comprehensions", lambda: f"tuple({self.list_comp(sc, d)[1:-1]})"),
                (1, None, lambda: self.call_returning(sc, "tuple", d)),
            ]
        return self.choose(opts)

    def e_dict(self, sc, d):
        def lit():
            n = self.ch.integer(0, 3)
            items = [f"{self.lit_key(sc)}: {self.expr(sc, 'int', min(d, 1) - 1 if d > 0 else 0)}" for _ in range(n)]
            return "{" + ", ".join(items) + "}"
        opts = [
            (3, None, lit),
            (5, None, lambda: self.var(sc, "dict")),
        ]
        if d > 0:
            e = lambda t="dict": self.expr(sc, t, d - 1)
            opts += [
                (1, None, lambda: f"dict({e()})"),
                (2, "unpacking", lambda: f"{{**{e()}, {self.lit_key(sc)}: {self.expr(sc, 'int', d - 1)}}}"),
                (1, None, lambda: f"({e()} | {e()})"),
                (2, "comprehensions", lambda: self.dict_comp(sc, d)),
                (1, "builtins", lambda: f"dict(zip({repr(KEYS[:3])}, {self.expr(sc, 'list', d - 1)}))"),
                (1, None, lambda: f"dict(a={self.expr(sc, 'int', d - 1)}, b={self.expr(sc, 'int', d - 1)})"),
                (1, None, lambda: self.call_returning(sc, "dict", d)),
            ]
        return self.choose(opts)

    def dict_comp(self, sc, d):
        k, v = self.fresh("k"), self.fresh("c")
        return self.choose([
            (2, None, lambda: (lambda inner: f"{{{k}: {self.expr(inner, 'int', d - 1)} for {k}, {v} in {self.expr(sc, 'dict', d - 1)}.items()}}")(
                sc.child(vars={**sc.vars, k: "str", v: "int"}, safe=True))),
            (1, "str", lambda: f"{{{k}: {v} for {v}, {k} in enumerate({self.expr(sc, 'str', d - 1)})}}"),
            (1, None, lambda: f"{{str({v}): {v} * 2 for {v} in {self.iter_int_source(sc, d)}}}"),
        ])

    def e_set(self, sc, d):
        def lit():
            el = self.list_elems(sc, min(d, 1), self.ch.integer(0, 3))
            return "{" + ", ".join(el) + "}" if el else "set()"
        opts = [
            (3, None, lit),
            (5, None, lambda: self.var(sc, "set")),
        ]
        if d > 0:
            e = lambda t="set": self.expr(sc, t, d - 1)
            opts += [
                (2, None, lambda: f"set({self.expr(sc, 'list', d - 1)})"),
                (3, None, lambda: f"({e()} {self.pick(['|', '&', '-', '^'])} {e()})"),
                (2, "comprehensions", lambda: (lambda c: f"{{{c} % {self.small_lit(2, 7)} for {c} in {self.iter_int_source(sc, d)}}}")(self.fresh("c"))),
                (1, None, lambda: f"{e()}.union({self.expr(sc, 'list', d - 1)})"),
                (1, None, lambda: f"({e()} | frozenset({e()}))"),
            ]
        return self.choose(opts)

    def e_obj(self, sc, t, d):
        cls = t[4:]
        caps = self.classes[cls]
        opts = [
            (3, None, lambda: f"{cls}({self.expr(sc, 'int', 0)}, {self.expr(sc, 'int', 0)})"),
            (5, None, lambda: self.var(sc, t)),
        ]
        if d > 0:
            e = lambda: self.expr(sc, t, d - 1)
            opts.append((2, None, lambda: f"{cls}({self.expr(sc, 'int', d - 1)})"))
            if "add" in caps:
                opts.append((2, None, lambda: f"({e()} + {e()})"))
                opts.append((1, None, lambda: f"({e()} + {self.expr(sc, 'int', d - 1)})"))
            if "bump" in caps:
                opts.append((1, None, lambda: f"{self.var(sc, t)}.bump({self.small_lit()})"))
        return self.choose(opts)

    # calls of helpers / inner functions / lambdas
    def call_returning(self, sc, t, d):
        sigs = [s for s in sc.funcs.values() if s.ret == t]
        if not sigs:
            raise _Fallback
        sig = self.pick(sigs)
        return self.call(sc, sig, d)

    def call(self, sc, sig, d):
        if sig.bound is not None:
            n = self.choose([
                (3, None, lambda: self.small_lit(-1, sig.bound)),
                (2, None, lambda: f"min(abs(int({self.expr(sc, 'int', max(0, d - 2))})), {sig.bound})"),
            ])
            if len(sig.params) > 1 and self.coin(0.5):
                return f"{sig.name}({n}, {self.expr(sc, 'int', max(0, d - 2))})"
            return f"{sig.name}({n})"
        dd = max(0, d - 1)
        args = []
        kw = []
        skipped = False
        for name, t, has_default in sig.params:
            if has_default:
                if self.coin(0.5):
                    skipped = True
                    continue
                if self.coin(0.5) and self.on("helpers"):
                    kw.append(f"{name}={self.expr(sc, t, dd)}")
                    continue
            if kw or skipped:
                kw.append(f"{name}={self.expr(sc, t, dd)}")
            else:
                args.append(self.expr(sc, t, dd))
        if sig.varargs and not kw:
            for _ in range(self.ch.integer(0, 2)):
                args.append(self.expr(sc, "int", dd))
            if self.coin(0.3) and self.on("containers"):
                args.append("*" + self.expr(sc, "list", dd))
        for name, t in sig.kwonly:
            if self.coin(0.5):
                kw.append(f"{name}={self.expr(sc, t, dd)}")
        if sig.kwargs:
            if self.coin(0.5):
                kw.append(f"{self.pick(['z', 'extra', 'q'])}={self.expr(sc, 'int', dd)}")
            if self.coin(0.3) and self.on("containers"):
                kw.append("**" + self.expr(sc, "dict", dd))
        if self.coin(0.05) and sig.params and not sig.varargs:
            args = args[:-1]  # deliberately wrong arity -> TypeError
        return f"{sig.name}({', '.join(args + kw)})"

    # -- statements ---------------------------------------------------------
    def block(self, sc, d, lo=1, hi=4):
        n = self.ch.integer(lo, hi)
        lines = []
        for _ in range(n):
            lines += self.stmt(sc, d)
        return lines or ["pass"]

    def assignable_types(self, sc):
        return sorted({t for n, t in sc.vars.items() if n in sc.assignable})

    def stmt(self, sc, d):
        opts = [
            (8, None, lambda: self.s_assign(sc, d)),
            (4, None, lambda: self.s_augassign(sc, d)),
            (2, "print", lambda: self.s_print(sc, d)),
            (1, None, lambda: [self.expr(sc, self.pick(["int", "str", "list", "none"]), d)]),
        ]
        if d > 0:
            opts += [
                (4, None, lambda: self.s_if(sc, d)),
                (4, "loops", lambda: self.s_for(sc, d)),
                (2, "while", lambda: self.s_while(sc, d)),
                (4, "try", lambda: self.s_try(sc, d)),
                (2, "with", lambda: self.s_with(sc, d)),
                (2, "closures", lambda: self.s_def(sc, d)),
            ]
        opts += [
            (2, "closures", lambda: self.s_lambda(sc, d)),
            (3 if sc.loop else 0, "loops", lambda: self.s_loopctl(sc, d)),
            (2, "raise", lambda: self.s_raise(sc, d)),
            (3 if sc.risky else 0.5, "try", lambda: self.s_risky(sc, d)),
            (2, "global", lambda: self.s_global(sc, d)),
            (1 if sc.rebindable else 0, "global", lambda: [f"if {self.cond(sc, max(0, d - 1))}:",
                                                           f"    {self.pick(sc.rebindable)} = lambda *a, **k: {self.small_lit()}"]),
            (5, "containers", lambda: self.s_container(sc, d)),
            (2, "slices", lambda: self.s_slice(sc, d)),
            (2, "classes", lambda: self.s_attr(sc, d)),
            (2, "unpacking", lambda: self.s_unpack(sc, d)),
            (2, "hostile", lambda: self.s_hostile(sc, d)),
            (1, None, lambda: self.s_return(sc, d)),
            (3, "unbound", lambda: self.s_del(sc, d)),
            (1, None, lambda: self.s_call(sc, d)),
            (2 if d > 0 else 0, "match", lambda: self.s_match(sc, d)),
            (1 if d > 0 else 0, "except_star", lambda: self.s_except_star(sc, d)),
            (2, "misc", lambda: self.s_misc(sc, d)),
            (1 if self.deep else 0, "recursion", lambda: self.s_deep(sc, d)),
        ]
        return self.choose(opts)

    def s_deep(self, sc, d):
        ints = sc.assignable_of("int")
        tgt = self.pick(ints) if ints else self.fresh("_r")
        return ["try:", f"    {tgt} = deep({self.small_lit(0, 3)})",
                "except RecursionError:", f"    {tgt} = {self.small_lit(-3, -1)}"]

    def s_match(self, sc, d):
        t = self.pick(["int", "list", "dict", "str", "obj", "tuple"])
        cases = []
        n0, n1 = self.fresh("n"), self.fresh("n")

        def case(pattern, binds, guard=False):
            csc = sc.child()
            for name, ty in binds:
                csc.vars[name] = ty
            g = f" if {self.cond(csc, 1)}" if guard and self.coin(0.4) else ""
            return [f"case {pattern}{g}:"] + indent(self.block(csc, d - 1, 1, 2))

        if t == "int":
            subj = self.expr(sc, "int", 1)
            cases += case(self.pick(["0", "1 | 2", "(-1)", "True"]).replace("(-1)", "-1"), [])
            cases += case(f"int({n0})", [(n0, "int")], guard=True)
        elif t == "list" and self.on("containers"):
            subj = self.expr(sc, "list", 1)
            cases += case("[]", [])
            cases += case(f"[{n0}]", [(n0, "int")], guard=True)
            cases += case(f"[{n0}, *{n1}]", [(n0, "int"), (n1, "list")], guard=True)
        elif t == "tuple" and self.on("containers"):
            subj = self.expr(sc, "tuple", 1)
            cases += case(f"({n0}, {n1})", [(n0, "int"), (n1, "int")], guard=True)
            cases += case(f"(0, *_)", [])
        elif t == "dict" and self.on("containers"):
            subj = self.expr(sc, "dict", 1)
            cases += case(f"{{'a': {n0}}}", [(n0, "int")], guard=True)
            cases += case(f"{{'b': 1, **{n1}}}", [(n1, "dict")])
        elif t == "str" and self.on("str"):
            subj = self.expr(sc, "str", 1)
            cases += case(self.pick(["'abc'", "'' | 'a'", "'hello'"]), [])
            cases += case(f"str() as {n0}", [(n0, "str")], guard=True)
        elif t == "obj" and self.classes:
            cls = self.pick(sorted(self.classes))
            subj = self.expr(sc, "obj:" + cls, 1)
            cases += case(f"{cls}(x=0)", [])
            cases += case(f"{cls}(x={n0}, y={n1})", [(n0, "int"), (n1, "int")], guard=True)
        else:
            subj = self.expr(sc, "int", 1)
            cases += case(f"{n0} if {n0} > 2", [(n0, "int")]) if False else case("3", [])
        if self.coin(0.7):
            cases += case("_", [])
        return [f"match {subj}:"] + indent(cases)

    def s_except_star(self, sc, d):
        bsc = sc.child(risky=True)
        raise_line = self.pick([
            "raise ExceptionGroup('eg', [ValueError(1), KeyError('k')])",
            "raise ExceptionGroup('eg', [TypeError('t'), ExceptionGroup('inner', [ValueError(2)])])",
            "raise ValueError('plain')",
            "raise KeyError('only')",
        ])
        body = self.block(bsc, 0, 1, 2) + ([f"if {self.cond(sc, 1)}:", "    " + raise_line] if self.coin(0.5) else [raise_line])
        lines = ["try:"] + indent(body)
        safe_sc = sc.child(loop=99)  # no break/continue/return inside except*
        for et in self.pick([["ValueError"], ["ValueError", "KeyError"], ["(TypeError, ValueError)"], ["KeyError", "TypeError"]]):
            ev = self.fresh("g")
            lines += [f"except* {et} as {ev}:"]
            inner = [f"print('eg', type({ev}).__name__, repr({ev}.exceptions))"] if self.on("print") else [f"{ev}.exceptions"]
            for _ in range(self.ch.integer(0, 1)):
                inner += self.s_assign(safe_sc, 1)
            lines += indent(inner)
        return lines

    def s_misc(self, sc, d):
        e = lambda t: self.expr(sc, t, max(0, d - 1))
        ints = sc.assignable_of("int")
        opts = [
            (3, None, lambda: [f"assert {self.cond(sc, max(0, d - 1))}" + (f", {self.pick(['msg', 'bad'])!r}" if self.coin() else "")]),
            (2, None, lambda: self.local_class(sc, d)),
        ]
        if ints:
            tgt = self.pick(ints)
            opts += [(2, None, lambda: [f"import math as {(m := self.fresh('m'))}", f"{tgt} = {m}.gcd({e('int')}, {e('int')})"]),
                     (2, None, lambda: [f"from math import {self.pick(['isqrt', 'factorial'])} as {(m := self.fresh('m'))}",
                                        f"{tgt} = {m}(min(abs({e('int')}), 20))"])]
        objs = [n for n, t in sc.vars.items() if t.startswith("obj:")]
        if objs:
            opts.append((2, None, lambda: [f"del {self.pick(objs)}.{self.pick(['z', 'y'])}"]))
        if sc.globals_decl and self.on("unbound"):
            opts.append((1, None, lambda: [f"if {self.cond(sc, 0)}:", f"    del {self.pick(sorted(sc.globals_decl))}"]))
        if self.on("containers") and self.has(sc, "list"):
            opts.append((2, None, lambda: [f"print(*{self.var(sc, 'list')}, sep={self.pick([', ', '|'])!r})"]))
        return self.choose(opts)

    def local_class(self, sc, d):
        ints = sc.assignable_of("int")
        name = self.fresh("L")
        lines = [f"class {name}:",
                 f"    k = {self.expr(sc, 'int', 1)}",
                 "    def get(self, d=1):",
                 "        return self.k + d"]
        use = f"{name}().get({self.expr(sc, 'int', 0)})"
        lines.append(f"{self.pick(ints)} = {use}" if ints else use)
        return lines

    def s_assign(self, sc, d):
        names = sorted(n for n in sc.assignable if n in sc.vars)
        if not names:
            return ["pass"]
        n = self.pick(names)
        return [f"{n} = {self.expr(sc, sc.vars[n], d)}"]

    def s_augassign(self, sc, d):
        names = sorted(n for n in sc.assignable if sc.vars.get(n) in ("int", "float", "str", "list", "bytes", "set", "bool"))
        if not names:
            raise _Fallback
        n = self.pick(names)
        t = sc.vars[n]
        e = lambda t2=t: self.expr(sc, t2, d - 1)
        if t in ("int", "bool"):
            if t == "bool":
                return [f"{n} {self.pick(['&=', '|=', '^='])} {e('bool')}"]
            op = self.pick(["+=", "-=", "+=", "*=", "//=", "%=", "&=", "|=", "^=", "<<=", ">>=", "**="])
            if op == "*=":
                return [f"{n} *= {self.small_factor(sc) if sc.safe else e()}"]
            if op == "<<=":
                return [f"{n} <<= {self.shift_count(sc, max(d, 1), sc.safe)}"]
            if op == ">>=":
                return [f"{n} >>= {self.small_lit(0, 70)}"]
            if op == "**=":
                return [f"{n} **= {self.pick(['1', '0']) if sc.safe else self.pick(['2', '3'])}"]
            return [f"{n} {op} {e('int')}"]
        if t == "float":
            if self.coin(0.15):
                return [f"{n} **= {self.pick(['2', '0.5', '(-1)', '3'])}"]
            return [f"{n} {self.pick(['+=', '-=', '*=', '/=', '//=', '%='])} {e(self.pick(['float', 'int']))}"]
        if t == "str":
            return [f"{n} += {self.lit_str(sc) if sc.safe else e()}"]
        if t == "bytes":
            return [f"{n} += {self.lit_bytes(sc)}"]
        if t == "set":
            return [f"{n} {self.pick(['|=', '&=', '-=', '^='])} {e()}"]
        # list
        if sc.no_grow:
            return [f"{n} *= 1"] if self.coin() else [f"{n} = {n} + [{self.expr(sc, 'int', 0)}]"]
        if sc.safe:
            return [f"{n} += [{self.expr(sc, 'int', d - 1)}]"]
        return [f"{n} += {e()}"]

    def s_print(self, sc, d):
        n = self.ch.integer(1, 3)
        args = [self.expr(sc, self.pick(self.value_types()), d - 1 if d > 0 else 0) for _ in range(n)]
        extra = self.pick(["", "", "", ", sep=''", ", end='|\\n'", ", sep=', '"])
        return [f"print({', '.join(args)}{extra})"]

    def s_if(self, sc, d):
        lines = [f"if {self.cond(sc, d - 1)}:"] + indent(self.block(sc.child(), d - 1))
        for _ in range(self.ch.integer(0, 2)):
            lines += [f"elif {self.cond(sc, d - 1)}:"] + indent(self.block(sc.child(), d - 1))
        if self.coin(0.5):
            lines += ["else:"] + indent(self.block(sc.child(), d - 1))
        return lines

    def loop_limit(self, sc):
        return sc.loop < (2 if sc.kind == "f" else 1)

    def s_for(self, sc, d):
        if not self.loop_limit(sc):
            raise _Fallback
        body_sc = sc.child(loop=sc.loop + 1, safe=True)
        v = self.fresh("i")
        kind = self.choose([
            (4, None, lambda: "range"),
            (3, "containers", lambda: "list"),
            (2, "str", lambda: "str"),
            (2, "containers", lambda: "dict"),
            (1, "containers", lambda: "items"),
            (1, "builtins", lambda: "enumerate"),
            (1, "builtins", lambda: "zip"),
            (1, "containers", lambda: "tuple"),
        ])
        if kind == "range":
            src = self.pick([f"range({self.small_lit(0, 6)})", f"range({self.small_lit(-2, 3)}, {self.small_lit(0, 7)})",
                                f"range({self.small_lit(4, 8)}, {self.small_lit(-3, 2)}, {self.pick(['(-1)', '(-2)'])})",
                                f"range(0, {self.small_lit(1, 9)}, {self.pick(['2', '3'])})"])
            if self.coin(0.3):
                src = f"range(min({self.expr(sc, 'int', 1)}, {self.small_lit(0, 6)}))"
            if self.coin(0.1) and "badidx" in self.hostile and self.has(sc, "badidx"):
                src = f"range({self.var(sc, 'badidx')})"
            body_sc.vars[v] = "int"
            body_sc.small.add(v)
            head = f"for {v} in {src}:"
        elif kind == "list":
            body_sc.no_grow = True
            body_sc.vars[v] = "int"
            src = self.expr(sc, "list", 1)
            head = f"for {v} in {src}:"
        elif kind == "tuple":
            body_sc.vars[v] = "int"
            head = f"for {v} in {self.expr(sc, 'tuple', 1)}:"
        elif kind == "str":
            body_sc.vars[v] = "str"
            head = f"for {v} in {self.expr(sc, 'str', 1)}:"
        elif kind == "dict":
            body_sc.vars[v] = "str"
            head = f"for {v} in {self.expr(sc, 'dict', 1)}:"
        elif kind == "items":
            v2 = self.fresh("i")
            body_sc.vars[v] = "str"
            body_sc.vars[v2] = "int"
            head = f"for {v}, {v2} in {self.expr(sc, 'dict', 1)}.items():"
        elif kind == "enumerate":
            v2 = self.fresh("i")
            body_sc.vars[v] = "int"
            body_sc.small.add(v)
            t = self.pick(["list", "str"] if self.on("str") else ["list"])
            body_sc.vars[v2] = "int" if t == "list" else "str"
            if t == "list":
                body_sc.no_grow = True
            head = f"for {v}, {v2} in enumerate({self.expr(sc, t, 1)}{', 1' if self.coin(0.3) else ''}):"
        else:  # zip
            v2 = self.fresh("i")
            body_sc.vars[v] = "int"
            body_sc.vars[v2] = "int"
            body_sc.no_grow = True
            head = f"for {v}, {v2} in zip({self.expr(sc, 'list', 1)}, {self.iter_int_source(sc, 1)}):"
        lines = [head] + indent(self.block(body_sc, d - 1))
        if self.coin(0.25):
            lines += ["else:"] + indent(self.block(sc.child(), d - 1, 1, 2))
        return lines

    def s_while(self, sc, d):
        if not self.loop_limit(sc):
            raise _Fallback
        if self.coin(0.25):
            return self.s_while_none(sc, d)
        w = self.fresh("w")
        body_sc = sc.child(loop=sc.loop + 1, safe=True)
        body_sc.vars[w] = "int"
        body_sc.small.add(w)
        limit = self.small_lit(0, 6)
        if self.coin(0.3):
            head = "while True:"
            pre = [f"{w} += 1", f"if {w} > {limit}:", "    break"]
        else:
            c = self.cond(sc.child(), max(0, d - 2))
            head = self.choose([(7, None, lambda: f"while {w} < {limit} and {c}:"),
                                (3, None, lambda: f"while {c} and {w} < {limit}:"),
                                # the test at the bottom jumps back when false
                                (2, None, lambda: f"while {w} < {limit} and not ({c}):")])
            pre = [f"{w} += 1"]
        lines = [f"{w} = 0", head] + indent(pre + self.block(body_sc, d - 1))
        if self.coin(0.25):
            lines += ["else:"] + indent(self.block(sc.child(), d - 1, 1, 2))
        return lines

    def s_while_none(self, sc, d):
        """``while v is not None:`` / ``while v is None:`` -- the test repeated at
        the bottom is POP_JUMP_BACKWARD_IF_NOT_NONE / _IF_NONE.  v is not visible
        to the body; the counter bounds the loop."""
        w, v = self.fresh("w"), self.fresh("n")
        body_sc = sc.child(loop=sc.loop + 1, safe=True)
        body_sc.vars[w] = "int"
        body_sc.small.add(w)
        limit = self.small_lit(0, 6)
        if self.coin():
            start, head, stop = self.pick([w, "None"]), f"while {v} is not None:", "None"
        else:
            start, head, stop = "None", f"while {v} is None:", w
        pre = [f"{w} += 1", f"if {w} > {limit}:", f"    {v} = {stop}"]
        return [f"{w} = 0", f"{v} = {start}", head] + indent(pre + self.block(body_sc, d - 1))

    def s_loopctl(self, sc, d):
        kw = self.pick(["break", "continue"])
        if self.coin(0.8):
            return [f"if {self.cond(sc, d - 1)}:", f"    {kw}"]
        return [kw]

    EXC_TYPES = ["ZeroDivisionError", "IndexError", "KeyError", "TypeError", "ValueError",
                 "OverflowError", "ArithmeticError", "LookupError", "Exception",
                 "(IndexError, KeyError)", "(ValueError, TypeError)", "RuntimeError",
                 "NameError", "AttributeError", "UnboundLocalError"]

    def s_try(self, sc, d):
        body_sc = sc.child(risky=True)
        body = self.block(body_sc, d - 1, 1, 3)
        if self.coin(0.6):
            body = self.s_risky(sc, d) + body if self.coin() else body + self.s_risky(sc, d)
        lines = ["try:"] + indent(body)
        n_handlers = self.ch.integer(0, 3)
        has_finally = self.coin(0.4) or n_handlers == 0
        for i in range(n_handlers):
            et = self.pick(self.EXC_TYPES)
            h_sc = sc.child(handler=True)
            if self.coin(0.6):
                ev = self.fresh("e")
                h_sc.excvars = h_sc.excvars + [ev]
                head = f"except {et} as {ev}:"
                first = self.pick([
                    [f"print('caught', type({ev}).__name__, {ev})"],
                    [f"print(repr({ev}), {ev}.args)"],
                    [],
                ]) if self.on("print") else []
            else:
                head = f"except {et}:"
                first = []
            lines += [head] + indent(first + self.block(h_sc, d - 1, 1, 2))
        if n_handlers and self.coin(0.3):
            lines += ["else:"] + indent(self.block(sc.child(), d - 1, 1, 2))
        if has_finally:
            lines += ["finally:"] + indent(self.block(sc.child(), d - 1, 1, 2))
        return lines

    def s_risky(self, sc, d):
        """A statement that may really raise one of the common exceptions."""
        e = lambda t: self.expr(sc, t, max(0, d - 1))
        ints = sc.assignable_of("int")
        target = (self.pick(ints) + " = ") if ints and self.coin(0.6) else ""

        def zde():
            return self.pick([f"{target}{e('int')} // {e('int')}", f"{target}{e('int')} % 0",
                                 f"{target}divmod({e('int')}, 0)[0]", f"{target}int({e('int')} / {e('int')})"])

        def idx():
            opts = [f"{target}{e('list')}[{self.small_lit(-5, 6)}]", f"{target}[][{self.small_lit(-1, 1)}]",
                    f"{target}{e('list')}.pop({self.small_lit(-4, 4)})"]
            if self.on("str"):
                opts.append(f"{target}ord({e('str')}[{self.small_lit(-4, 6)}])")
            return self.pick(opts)

        def key():
            return self.pick([f"{target}{e('dict')}[{self.lit_key(sc)}]", f"{target}{{}}.popitem()[1]",
                                 f"{e('set')}.remove({self.small_lit()})" if self.on("containers") else f"{target}{{}}['k']"])

        def typ():
            return self.pick([f"{target}{e('int')} + {e('str') if self.on('str') else 'None'}", f"{target}len({e('int')})",
                                 f"{target}None + {e('int')}", f"{target}len(sorted([1, '2', {e('int')}]))",
                                 f"{target}{e('int')} < None", f"{target}abs('x')"])

        def val():
            opts = [f"{target}int({self.pick(['abc', '1.5', '', '12'])!r})", f"{target}int({e('str')})" if self.on("str") else f"{target}int('x')",
                    f"{target}{e('list')}.index({e('int')})", f"{target}len(range(0, 5, 0))", f"{target}{e('int')} << (-1)"]
            if self.on("math"):
                opts.append(f"{target}int(math.sqrt({e('float') if self.on('float') else e('int')}))")
            if self.on("float"):
                opts.append(f"{target}int(float({self.pick(['nan', 'x', '1e3'])!r}))")
            return self.pick(opts)

        def ovf():
            opts = [f"{target}len(({e('int')}).to_bytes({self.pick(['1', '8', '9'])}, 'big'))"]
            if not self.on("float"):
                return self.pick(opts)
            opts += [f"{target}int(float({self.pick(['inf', '-inf', '1e400'])!r}))", f"{target}len(str(2.0 ** {self.pick(['10000', '1023', '1024'])}))",
                     f"{target}int({e('int')} ** 3 / 7)", f"{target}round(float({self.pick(['inf', 'nan', '1e300'])!r}))"]
            if self.on("math"):
                opts.append(f"{target}int(math.exp({self.pick(['1000', '10', '709.9'])}))")
            if self.on("float"):
                opts.append(f"{target}int({e('float')})")
            return self.pick(opts)

        line = self.choose([
            (2, None, zde),
            (2, None, idx),
            (2, None, key),
            (1, None, typ),
            (2, None, val),
            (1, None, ovf),
        ])
        if self.coin(0.3):
            return [f"if {self.cond(sc, max(0, d - 1))}:", "    " + line]
        return [line]

    def s_raise(self, sc, d):
        et = self.pick(["ValueError", "KeyError", "TypeError", "IndexError", "RuntimeError", "ZeroDivisionError",
                           "OverflowError", "Exception"])
        msg = self.pick(["'boom'", "'bad value'", f"{self.expr(sc, 'int', 0)}", ""])
        opts = [(3, None, lambda: f"raise {et}({msg})")]
        if sc.handler:
            opts.append((2, None, lambda: "raise"))
            if sc.excvars:
                opts.append((2, None, lambda: f"raise {et}({msg}) from {self.pick(sc.excvars)}"))
                opts.append((1, None, lambda: f"raise {self.pick(sc.excvars)}"))
        opts.append((1, None, lambda: f"raise {et}({msg}) from None"))
        opts.append((1, None, lambda: f"raise {et}({msg}) from ValueError('inner')"))
        opts.append((1, None, lambda: f"raise {et}"))
        line = self.choose(opts)
        if self.coin(0.7 if sc.risky or sc.handler else 0.95):
            return [f"if {self.cond(sc, max(0, d - 1))}:", "    " + line]
        return [line]

    def s_with(self, sc, d):
        self.has_cm = True
        n = 1 if self.coin(0.7) else 2
        items = []
        for _ in range(n):
            tag = repr(self.pick(["a", "b", "c"]))
            sup = self.pick(["False", "True"])
            if self.coin(0.4):
                items.append(f"CM({tag}, {sup}) as {self.fresh('cm')}")
            else:
                items.append(f"CM({tag}, {sup})")
        body = self.block(sc.child(risky=True), d - 1, 1, 3)
        if self.coin(0.5):
            body = body + self.s_risky(sc, d)
        return [f"with {', '.join(items)}:"] + indent(body)

    def s_def(self, sc, d):
        """A nested function (closure), maybe with nonlocal, then a call."""
        name = self.fresh("inner")
        ret = self.pick(["int", "int", "str", "list"] if self.on("str") else ["int", "int", "list"])
        params = [("a", "int", False)]
        if self.coin(0.5):
            params.append(("b", "int", True))
        inner = Scope(kind="inner", ret=ret)
        inner.vars = {**sc.vars}
        inner.funcs = dict(sc.funcs)
        for p, t, _ in params:
            inner.vars[p] = t
            inner.assignable.add(p)
            inner.small.discard(p)
        inner.vars.pop(name, None)
        outer_locals = sorted(n for n in sc.assignable if n in sc.vars and n not in sc.globals_decl
                              and sc.vars[n] in ("int", "list", "str"))
        lines = []
        head = f"def {name}(a{', b=' + self.small_lit(-2, 5) if len(params) > 1 else ''}):"
        outer_locals = [n for n in outer_locals if n not in ("a", "b")]
        if outer_locals and self.coin(0.5):
            nl = self.pick(outer_locals)
            lines.append(f"nonlocal {nl}")
            inner.assignable.add(nl)
        # own locals
        t = self.fresh("t")
        lines.append(f"{t} = {self.expr(inner, 'int', 1)}")
        inner.vars[t] = "int"
        inner.assignable.add(t)
        lines += self.block(inner, min(d - 1, 1), 1, 2)
        lines.append(f"return {self.expr(inner, ret, 2)}")
        sig = Sig(name, params, ret)
        sc.funcs[name] = sig
        out = [head] + indent(lines)
        if self.coin(0.7):
            tgt = sc.assignable_of(ret)
            call = self.call(sc, sig, 2)
            out.append(f"{self.pick(tgt)} = {call}" if tgt else call)
        return out

    def s_lambda(self, sc, d):
        name = self.fresh("fn")
        params = [("a", "int", False)]
        if self.coin(0.5):
            params.append(("b", "int", True))
        body = self.lambda_body(sc, [p for p, _, _ in params], 3)
        ps = "a" + (f", b={self.small_lit()}" if len(params) > 1 else "")
        sc.vars[name] = "fn"
        sc.funcs[name] = Sig(name, params, "int")
        return [f"{name} = lambda {ps}: {body}"]

    def s_global(self, sc, d):
        names = sorted(n for n in sc.globals_decl if n in sc.vars)
        if not names:
            raise _Fallback
        n = self.pick(names)
        t = sc.vars[n]
        if t == "int":
            return [f"{n} {self.pick(['+=', '-=', '^=', '='])} {self.expr(sc, 'int', d - 1)}"]
        if t == "list":
            if sc.no_grow:
                return [f"{n} = {n} + [{self.expr(sc, 'int', 0)}]"]
            return [f"{n}.append({self.expr(sc, 'int', d - 1)})"]
        return [f"{n} = {self.expr(sc, t, d - 1)}"]

    def s_container(self, sc, d):
        e = lambda t: self.expr(sc, t, max(0, d - 1))
        opts = [(1, None, lambda: self.s_assign(sc, d))]
        lists = sc.names_of("list")
        dicts = sc.names_of("dict")
        sets = sc.names_of("set")
        if lists:
            L = lambda: self.pick(lists)
            if not sc.no_grow:
                opts += [(4, None, lambda: [f"{L()}.append({e('int')})"]),
                         (1, None, lambda: [f"{L()}.extend({e('tuple') if sc.safe else e('list')})"] if not sc.safe else [f"{L()}.extend(({e('int')}, {e('int')}))"]),
                         (1, None, lambda: [f"{L()}.insert({self.small_lit(-3, 5)}, {e('int')})"])]
            opts += [(2, None, lambda: [f"{L()}[{self.small_lit(-3, 4)}] = {e('int')}"]),
                     (2, None, lambda: [f"{L()}[{self.small_lit(-3, 4)}] {self.pick(['+=', '-=', '*=', '|='])} {self.small_lit(-3, 9) if sc.safe else e('int')}"]),
                     (1, None, lambda: [f"{L()}.pop()"]),
                     (1, None, lambda: [f"{L()}.remove({e('int')})"]),
                     (1, None, lambda: [f"{L()}.{self.pick(['sort', 'reverse', 'clear'])}()"]),
                     (1, None, lambda: [f"{L()}.sort(key=lambda v: v % 3, reverse={self.pick(['True', 'False'])})"]),
                     (1, None, lambda: [f"del {L()}[{self.small_lit(-3, 3)}]"])]
        if dicts:
            D = lambda: self.pick(dicts)
            opts += [(3, None, lambda: [f"{D()}[{self.lit_key(sc)}] = {e('int')}"]),
                     (2, None, lambda: [f"{D()}[{self.lit_key(sc)}] += {self.small_lit(-3, 9) if sc.safe else e('int')}"]),
                     (1, None, lambda: [f"{D()}.setdefault({self.lit_key(sc)}, {e('int')})"]),
                     (1, None, lambda: [f"{D()}.update({e('dict')})"]),
                     (1, None, lambda: [f"del {D()}[{self.lit_key(sc)}]"]),
                     (1, None, lambda: [f"{D()}.pop({self.lit_key(sc)}, None)"]),
                     (1, None, lambda: [f"{D()}.pop({self.lit_key(sc)})"])]
        if sets:
            S = lambda: self.pick(sets)
            opts += [(2, None, lambda: [f"{S()}.add({e('int')})"]),
                     (1, None, lambda: [f"{S()}.discard({e('int')})"]),
                     (1, None, lambda: [f"{S()}.remove({e('int')})"]),
                     (1, None, lambda: [f"{S()}.update({e('list')})" if not sc.no_grow else f"{S()}.add(1)"])]
        return self.choose(opts)

    def s_slice(self, sc, d):
        lists = sc.names_of("list")
        if not lists:
            raise _Fallback
        L = self.pick(lists)
        sl = self.slice_src(sc, d)
        opts = [
            (2, None, lambda: [f"del {L}[{sl}]"]),
        ]
        if not sc.no_grow:
            opts += [
                (3, None, lambda: [f"{L}[{sl}] = [{', '.join(self.list_elems(sc, 1))}]"]),
                (1, None, lambda: [f"{L}[{sl}] = {self.expr(sc, 'tuple', 1)}"]),
                (1, None, lambda: [f"{L}[{sl}] = {L}[::-1]"]),
            ]
        return self.choose(opts)

    def s_attr(self, sc, d):
        objs = [n for n, t in sc.vars.items() if t.startswith("obj:")]
        if not objs:
            raise _Fallback
        o = self.pick(objs)
        cls = sc.vars[o][4:]
        caps = self.classes[cls]
        attr = self.pick(["x", "y"])
        e = lambda: self.expr(sc, "int", max(0, d - 1))
        opts = [
            (3, None, lambda: [f"{o}.{attr} = {e()}"]),
            (3, None, lambda: [f"{o}.{attr} {self.pick(['+=', '-=', '^='])} {e()}"]),
            (1, None, lambda: [f"{o}.{attr} *= {self.small_factor(sc)}"]),
            (1, None, lambda: [f"{cls}.K += {self.small_lit()}"]),
            (1, None, lambda: [f"{o}.z = {e()}"]),
        ]
        if "p" in caps:
            opts.append((1, None, lambda: [f"{o}.p = {e()}"]))
        if "bump" in caps:
            opts.append((1, None, lambda: [f"{o}.bump({e()})"]))
        if "m" in caps:  # replacing a method: method caches must notice
            opts.append((1, None, lambda: [f"{cls}.m = lambda self, k: k + {self.small_lit()}"]))
        if "p" in caps:
            opts.append((1, None, lambda: [f"{cls}.p = property(lambda self: {self.small_lit()})"]))
        return self.choose(opts)

    def gen_tuple_helper(self):
        """A helper returning a tuple of numbers that callers unpack at once (the
        specialised tier hands such tuples over item by item, never built): int items,
        or mixed int/float ones; its returns agree on the shape, or differ in it."""
        name = f"tup{len(self.tuple_helpers)}"
        n = self.ch.integer(1, 3)
        ints = self.coin(0.6) or not self.on("float")   # float items only with floats on
        int_items = ["a", "b", "a + b", "a - 3 * b", "a * b", "a // (b or 1)", "a % (b or 7)",
                     "-a", "b ** 2", "a << 2", "(a & b) ^ 5", "abs(a - b)", "min(a, b)"]
        float_items = ["a * 0.5", "b / 4", "a + 0.25", "float(b)", "a ** 0.5 if a > 0 else -1.5"]
        item = lambda: self.pick(int_items if ints or self.coin(0.5) else float_items)
        cmp = self.pick(["<", ">", "==", "!="])
        first = ", ".join(item() for _ in range(n)) + ("," if n == 1 else "")
        # usually the same shape on both paths; sometimes not (the caller copes)
        m = n if self.coin(0.85) else max(1, n - 1)
        second = ", ".join(item() for _ in range(m)) + ("," if m == 1 else "")
        self.tuple_helpers.append((name, n, ints))
        return [f"def {name}(a, b):", f"    if a {cmp} b:", f"        return {first}",
                f"    return {second}", ""]

    def s_tuple_call(self, sc, d):
        """Unpack a tuple helper's result at once: into int locals when its items are
        ints, else into fresh names printed right away."""
        name, n, ints = self.pick(self.tuple_helpers)
        e = lambda: self.expr(sc, "int", max(0, d - 1))
        call = f"{name}({e()}, {e()})"
        targets = sc.assignable_of("int")
        if ints and len(set(targets)) >= n and self.coin(0.7):
            names = []
            for _ in range(n):
                names.append(self.pick([t for t in sorted(set(targets)) if t not in names]))
            return [f"{', '.join(names)}{',' if n == 1 else ''} = {call}"]
        names = [self.fresh("_u") for _ in range(n)]
        return [f"{', '.join(names)}{',' if n == 1 else ''} = {call}",
                f"print({', '.join(names)})"]

    def s_unpack(self, sc, d):
        ints = sc.assignable_of("int")
        lists = sc.assignable_of("list")
        strs = sc.assignable_of("str")
        e = lambda t: self.expr(sc, t, max(0, d - 1))
        opts = [(1, None, lambda: self.s_assign(sc, d))]
        if self.tuple_helpers:
            opts.append((4, None, lambda: self.s_tuple_call(sc, d)))
        if len(ints) >= 2:
            a, b = ints[0], ints[-1]
            if a != b:
                opts += [(3, None, lambda: [f"{a}, {b} = {b}, {a}"]),
                         (3, None, lambda: [f"{a}, {b} = {e('int')}, {e('int')}"]),
                         (2, None, lambda: [f"{a}, {b} = divmod({e('int')}, {e('int')} or 1)"]),
                         (1, None, lambda: [f"{a}, {b} = {e('list')}"]),
                         (1, None, lambda: [f"({a}, [{b}, _]) = ({e('int')}, [{e('int')}, 0])"])]
        if ints and lists:
            a, L = self.pick(ints), self.pick(lists)
            opts += [(3, None, lambda: [f"{a}, *{L} = {e('list')}"]),
                     (2, None, lambda: [f"*{L}, {a} = {e('tuple')}"]),
                     (1, None, lambda: [f"{a}, *{L}, _ = {e('list')}"])]
        if len(strs) >= 2:
            a, b = strs[0], strs[-1]
            if a != b:
                opts += [(1, None, lambda: [f"{a}, {b} = {self.pick(['xy', 'ab', 'abc', 'q'])!r}"])]
        return self.choose(opts)

    def s_hostile(self, sc, d):
        opts = [(1, None, lambda: self.s_assign(sc, d))]
        if "flip" in self.hostile and self.has(sc, "flip"):
            f = self.var(sc, "flip")
            opts.append((3, None, lambda: [f"if {f}:"] + indent(self.block(sc.child(), max(0, d - 1), 1, 2))
                         + ["else:"] + indent(self.block(sc.child(), max(0, d - 1), 1, 1))))
        if "swap" in self.hostile and self.has(sc, "swap"):
            s = self.var(sc, "swap")
            ints = sc.assignable_of("int")
            opts.append((2, None, lambda: [f"{self.pick(ints)} = {s}.val() + {s}.swap() + {s}.val()" if ints else f"{s}.swap()"]))
        if "eqmut" in self.hostile and self.has(sc, "eqmut"):
            m = self.var(sc, "eqmut")
            lists = sc.names_of("list")
            if lists and not sc.no_grow:
                opts.append((1, None, lambda: [f"{self.pick(lists)}.append({m})"]))
            opts.append((1, None, lambda: [f"print({m} == {self.expr(sc, 'int', 0)}, {m} != {self.expr(sc, 'int', 0)}, LOG)"]
                         if self.on("print") else [f"LOG.append({m} == 1)"]))
        return self.choose(opts)

    def s_return(self, sc, d):
        t = sc.ret or self.pick(self.value_types())
        return [f"if {self.cond(sc, max(0, d - 1))}:", f"    return {self.expr(sc, t, max(0, d - 1))}"]

    def s_del(self, sc, d):
        names = sorted(n for n in sc.assignable if n in sc.vars and n not in sc.globals_decl and n not in sc.outer_locals)
        if not names:
            raise _Fallback
        return [f"if {self.cond(sc, max(0, d - 1))}:", f"    del {self.pick(names)}"]

    def s_call(self, sc, d):
        sigs = list(sc.funcs.values())
        if not sigs:
            raise _Fallback
        return [self.call(sc, self.pick(sigs), d)]

    # -- functions and the module ---------------------------------------------
    def declare_locals(self, sc, n, d, types=None):
        lines = []
        for i in range(n):
            t = types[i] if types else self.local_type()
            name = self.fresh("v")
            lines.append(f"{name} = {self.expr(sc, t, d)}")
            sc.vars[name] = t
            sc.assignable.add(name)
        return lines

    def local_type(self):
        ts = [(6, None, "int"), (2, "float", "float"), (2, None, "bool"), (2, "str", "str"), (1, "bytes", "bytes"),
              (3, "containers", "list"), (1, "containers", "tuple"), (2, "containers", "dict"),
              (1, "containers", "set"), (1, None, "none")]
        return self.choose([(w, f, (lambda t=t: t)) for w, f, t in ts])

    def gen_classes(self):
        lines = []
        if self.on("hostile"):
            kinds = [k for k in ("flip", "eqmut", "badidx", "swap") if self.coin(0.6)]
            self.hostile = set(kinds)
            if "flip" in kinds:
                lines += ["class Flip:",
                          "    def __init__(self):",
                          "        self.n = 0",
                          "    def __bool__(self):",
                          "        self.n += 1",
                          f"        return self.n % {self.pick(['2', '3'])} != 1",
                          "    def __repr__(self):",
                          "        return f'Flip({self.n})'", ""]
            if "eqmut" in kinds:
                lines += ["LOG = []", "",
                          "class EqMut:",
                          "    def __init__(self, v):",
                          "        self.v = v",
                          "        self.calls = 0",
                          "    def __eq__(self, other):",
                          "        self.calls += 1",
                          "        LOG.append(self.calls)",
                          "        return self.calls % 2 == 0",
                          "    def __hash__(self):",
                          "        return 7",
                          "    def __repr__(self):",
                          "        return f'EqMut({self.v}, {self.calls})'", ""]
            if "badidx" in kinds:
                err = self.pick(["ValueError", "IndexError", "TypeError", "KeyError"])
                lines += ["class BadIndex:",
                          "    def __index__(self):",
                          f"        raise {err}('bad index')",
                          "    def __repr__(self):",
                          "        return 'BadIndex()'", ""]
            if "swap" in kinds:
                lines += ["class SwapA:",
                          "    def __init__(self):",
                          "        self.v = 1",
                          "    def val(self):",
                          "        return 1",
                          "    def swap(self):",
                          "        self.__class__ = SwapB if self.__class__ is SwapA else SwapA",
                          "        self.v += 1",
                          "        return self.v",
                          "    def __repr__(self):",
                          "        return f'{type(self).__name__}({self.v})'", "",
                          "class SwapB:",
                          "    def val(self):",
                          "        return 20",
                          "    def swap(self):",
                          "        self.__class__ = SwapA",
                          "        return -self.v",
                          "    def __repr__(self):",
                          "        return f'SwapB({self.v})'", ""]
        if self.on("classes"):
            for _ in range(self.ch.integer(1, 2)):
                name = f"C{len(self.classes)}"
                caps = {c for c in ("m", "p", "eq", "add", "bool", "bump", "static", "cls") if self.coin(0.6)}
                self.classes[name] = caps
                body = [f"class {name}:",
                        f"    K = {self.small_lit()}",
                        "    def __init__(self, x, y=1):",
                        "        self.x = x",
                        "        self.y = y",
                        "    def __repr__(self):",
                        f"        return f'{name}({{self.x!r}}, {{self.y!r}})'"]
                if "m" in caps:
                    body += ["    def m(self, k):",
                             f"        return self.x * {self.small_lit(-2, 4)} + k - self.y"]
                if "p" in caps:
                    body += ["    @property",
                             "    def p(self):",
                             f"        return self.x {self.pick(['-', '+', '^'])} self.y"]
                if "eq" in caps:
                    body += ["    def __eq__(self, other):",
                             f"        return isinstance(other, {name}) and self.x == other.x",
                             "    def __hash__(self):",
                             "        return hash(self.x)"]
                if "add" in caps:
                    body += ["    def __add__(self, other):",
                             f"        if isinstance(other, {name}):",
                             f"            return {name}(self.x + other.x, self.y)",
                             f"        return {name}(self.x + other, self.y)"]
                if "bool" in caps:
                    body += ["    def __bool__(self):",
                             "        return self.x > 0"]
                if "static" in caps:
                    body += ["    @staticmethod",
                             "    def s(k):",
                             f"        return k * {self.small_lit(-2, 4)} + 1"]
                if "cls" in caps:
                    body += ["    @classmethod",
                             "    def c(cls, k):",
                             "        return cls.K - k"]
                if "bump" in caps:
                    body += ["    def bump(self, k):",
                             "        self.x += k",
                             "        return self"]
                lines += body + [""]
        return lines

    def cm_class(self):
        return ["class CM:",
                "    def __init__(self, tag, suppress=False):",
                "        self.tag = tag",
                "        self.suppress = suppress",
                "    def __enter__(self):",
                "        print('enter', self.tag)",
                "        return self",
                "    def __exit__(self, et, ev, tb):",
                "        print('exit', self.tag, et.__name__ if et else None)",
                "        return self.suppress", ""]

    def gen_helper(self, gsc, idx):
        name = f"h{idx}"
        ret = self.pick(["int", "int", "float", "str", "list", "bool"] if self.on("float") and self.on("str")
                           else ["int", "int", "list", "bool"])
        nparams = self.ch.integer(0, 3)
        params = []
        for i in range(nparams):
            t = self.pick(["int", "int", "list", "str"] if self.on("str") else ["int", "int", "list"])
            has_default = i > 0 and (self.coin(0.5) or (params and params[-1][2]))
            params.append((f"a{i}", t, bool(has_default)))
        varargs = self.on("varargs") and self.coin(0.4)
        kwargs = self.on("varargs") and self.coin(0.4)
        kwonly = [("k", "int")] if self.on("varargs") and self.coin(0.3) else []
        sc = Scope(kind="helper", ret=ret)
        sc.vars = {n: t for n, t in gsc.vars.items()}
        sc.funcs = dict(gsc.funcs)
        ps = []
        for p, t, has_default in params:
            if has_default:
                if t == "list" and self.coin(0.3):
                    ps.append(f"{p}=[]")  # mutable default, shared between calls
                else:
                    ps.append(f"{p}={self.lit(t)}")
            else:
                ps.append(p)
            sc.vars[p] = t
            sc.assignable.add(p)
        if varargs:
            ps.append("*args")
            sc.vars["args"] = "tuple"
        elif kwonly:
            ps.append("*")
        for p, t in kwonly:
            ps.append(f"{p}={self.lit(t)}")
            sc.vars[p] = t
        if kwargs:
            ps.append("**kwargs")
            sc.vars["kwargs"] = "dict"
        lines = []
        lines += self.declare_locals(sc, self.ch.integer(0, 2), 2)
        lines += self.block(sc, 2, 0, 3)
        lines.append(f"return {self.expr(sc, ret, 3)}")
        sig = Sig(name, params, ret, varargs, kwargs, kwonly)
        return [f"def {name}({', '.join(ps)}):"] + indent(lines) + [""], sig

    def gen_recursive(self, gsc, idx):
        name = f"r{idx}"
        sc = Scope(kind="helper", ret="int")
        sc.vars = {**gsc.vars, "n": "int", "acc": "int"}
        sc.small = {"n"}
        double = self.coin(0.3)
        base = self.expr(sc, "int", 1)
        if double:
            step = f"{name}(n - 1) + {name}(n - 2)"
            head = f"def {name}(n):"
            sig = Sig(name, [("n", "int", False)], "int")
            sc.vars.pop("acc")
            base = self.expr(sc, "int", 1)
        else:
            step = f"{name}(n - 1, acc + {self.expr(sc, 'int', 2)})"
            head = f"def {name}(n, acc=0):"
            sig = Sig(name, [("n", "int", False), ("acc", "int", True)], "int")
        lines = [head,
                 "    if n <= 0:",
                 f"        return {base}",
                 f"    return {step}", ""]
        # callers must pass a bounded n: wrap calls via a bounded sig
        sig.bound = 10 if not double else 8
        return lines, sig

    # -- module-level code ----------------------------------------------------
    def gen_module_statements(self, gsc):
        """Statements at module level, where names are LOAD_NAME/STORE_NAME/
        DELETE_NAME.  The globals they define are readable by everything after
        them.  Nothing here may raise: module code that raises makes the
        program invalid."""
        lines = []
        if self.on("math") and self.coin(0.4):
            lines += ["from math import *", "del pow  # math.pow would shadow the builtin pow(a, b, m)"]
        for _ in range(self.ch.integer(1, 3)):
            lines += self.choose([
                (2, None, lambda: self.m_annotated(gsc)),
                (2, None, lambda: self.m_temporary(gsc)),
                (1, "loops", lambda: self.m_loop(gsc)),
                (1, "try", lambda: self.m_try(gsc)),
                (1, "print", lambda: [f"print('module', {self.safe_int(gsc)})"]),
            ])
        return lines + [""]

    def safe_int(self, gsc, d=2):
        """An int expression over module globals that cannot raise."""
        opts = [(2, None, lambda: self.small_lit()), (3, None, lambda: self.var(gsc, "int"))]
        for t in ("list", "str"):
            if self.has(gsc, t):
                opts.append((2, None, lambda t=t: f"len({self.var(gsc, t)})"))
        if d > 0:
            e = lambda: self.safe_int(gsc, d - 1)
            opts += [(4, None, lambda: f"({e()} {self.pick(['+', '-', '*', '^', '&'])} {e()})"),
                     (1, "builtins", lambda: f"{self.pick(['abs', 'int'])}({e()})"),
                     (1, "builtins", lambda: f"{self.pick(['min', 'max'])}({e()}, {e()})")]
        return self.choose(opts)

    def m_annotated(self, gsc):
        """Annotations make the module code start with SETUP_ANNOTATIONS."""
        if self.coin(0.3):
            return [f"{self.fresh('B')}: {self.pick(['int', 'list', 'str'])}"]  # annotated, never bound
        name = self.fresh("A")
        line = f"{name}: int = {self.safe_int(gsc)}"
        gsc.vars[name] = "int"
        return [line]

    def m_temporary(self, gsc):
        tmp, name = self.fresh("T"), self.fresh("M")
        lines = [f"{tmp} = [{self.safe_int(gsc)}, {self.safe_int(gsc)}]",
                 f"{name} = len({tmp}) + {tmp}[{self.pick(['0', '-1'])}]",
                 f"del {tmp}"]
        gsc.vars[name] = "int"
        return lines

    def m_loop(self, gsc):
        name, i = self.fresh("M"), self.fresh("I")
        lines = [f"{name} = {self.safe_int(gsc)}",
                 f"for {i} in range({self.small_lit(0, 4)}):",
                 f"    {name} += {i} * {self.small_lit()}"]
        gsc.vars[name] = "int"
        return lines

    def m_try(self, gsc):
        name = self.fresh("M")
        lines = ["try:",
                 f"    {name} = {self.safe_int(gsc)} {self.pick(['//', '%'])} {self.safe_int(gsc)}",
                 "except ZeroDivisionError:",
                 f"    {name} = {self.small_lit()}"]
        gsc.vars[name] = "int"
        return lines

    def gen_interactive(self, gsc):
        """``INTERACTIVE = '<expression>'``: the oracle also runs the expression
        as an interactive ('single' mode) statement, which prints its value
        (PRINT_EXPR)."""
        t = self.pick([t for t in ("int", "bool", "str", "list", "tuple", "float")
                       if t in ("int", "bool") or t in self.value_types()])
        return [f"INTERACTIVE = {self.expr(gsc.child(), t, 2)!r}"]

    def gen_long_helper(self, gsc):
        """A helper whose jumps span more than 255 code units, so that they need
        EXTENDED_ARG; the padding is cheap expression statements, to keep
        compile time low."""
        name = self.fresh("far")
        padding = "; ".join(["a"] * 128)
        lines = [f"def {name}(a):",
                 "    n = 0",
                 f"    for i in range({self.small_lit(1, 3)}):",
                 f"        if {self.pick(['a', 'n < a', 'not a'])}:",
                 f"            n {self.pick(['+=', '-=', '^='])} i",
                 f"            {padding}",
                 "    return n", ""]
        gsc.funcs[name] = Sig(name, [("a", "int", False)], "int")
        return lines

    def gen_program(self):
        self.counter = 0
        out = []
        uses_math = self.on("math")
        gsc = Scope(kind="module")
        # globals
        globals_lines = []
        if self.on("global"):
            for i in range(self.ch.integer(1, 2)):
                t = self.pick(["int", "list", "str"] if self.on("str") else ["int", "list"])
                name = f"G{i}"
                globals_lines.append(f"{name} = {self.lit(t)}")
                gsc.vars[name] = t
                self.module_globals[name] = t
        module_lines = self.gen_module_statements(gsc) if self.rate("module", MODULE_CODE_RATE) else []
        class_lines = self.gen_classes()
        # helpers
        helper_lines = []
        if self.rate("long", LONG_HELPER_RATE):
            helper_lines += self.gen_long_helper(gsc)
        if self.on("helpers"):
            for i in range(self.ch.integer(0, 2)):
                lines, sig = self.gen_helper(gsc, i)
                helper_lines += lines
                gsc.funcs[sig.name] = sig
        if self.on("helpers") and self.coin(0.35):
            helper_lines += self.gen_tuple_helper()
        if self.on("recursion") and self.coin(0.7):
            lines, sig = self.gen_recursive(gsc, 0)
            helper_lines += lines
            gsc.funcs[sig.name] = sig
        if self.on("recursion") and self.on("try") and self.coin(0.12):
            # unbounded recursion, caught: compiled code must raise RecursionError too, not crash
            self.deep = True
            helper_lines += ["def deep(n):",
                             "    if n < 0:",
                             "        return 0",
                             f"    return deep(n + 1) {self.pick(['+', '-', '*'])} 1", ""]
        # f
        sc = Scope(kind="f")
        sc.vars = dict(gsc.vars)
        sc.funcs = dict(gsc.funcs)
        ptypes = []
        for _ in range(self.ch.integer(0, 4)):
            ptypes.append(self.local_type())
        params = []
        for i, t in enumerate(ptypes):
            params.append(f"p{i}")
            sc.vars[f"p{i}"] = t
            sc.assignable.add(f"p{i}")
        body = []
        rebind = []
        if self.on("global") and self.coin(0.3):
            # rebinding a builtin or helper f calls: caches of globals must notice
            cands = ["abs", "len", "min", "max"] + [n for n, sig in gsc.funcs.items() if sig.ret == "int"]
            rebind = [self.pick(cands)]
        if (self.module_globals and self.coin(0.8)) or rebind:
            decl = sorted(self.module_globals)
            body.append(f"global {', '.join(decl + rebind)}")
            sc.globals_decl = set(decl)
            sc.assignable |= set(decl)
            sc.rebindable = rebind
        # hostile objects
        for k, ctor in (("flip", "Flip()"), ("eqmut", "EqMut(3)"), ("badidx", "BadIndex()"), ("swap", "SwapA()")):
            if k in self.hostile:
                v = self.fresh("x")
                body.append(f"{v} = {ctor}")
                sc.vars[v] = k
        for cls in self.classes:
            if self.coin(0.8):
                v = self.fresh("o")
                body.append(f"{v} = {cls}({self.expr(sc, 'int', 1)}, {self.expr(sc, 'int', 1)})")
                sc.vars[v] = "obj:" + cls
                sc.assignable.add(v)
        body += self.declare_locals(sc, self.ch.integer(1, 5), 2)
        body += self.block(sc, self.MAX_DEPTH, 1, 6)
        # return
        readable = [n for n in sc.vars if n not in gsc.vars or n in sc.globals_decl]
        ret = self.choose([
            (1, None, lambda: None),
            (5, None, lambda: "return (" + ", ".join(readable[:self.ch.integer(1, 5)]) + ",)" if readable else "return None"),
            (3, None, lambda: "return " + self.expr(sc, self.pick(self.value_types()), 2)),
        ])
        if ret:
            body.append(ret)
        f_lines = [f"def f({', '.join(params)}):"] + indent(body)
        if self.rate("interactive", INTERACTIVE_RATE):
            f_lines += [""] + self.gen_interactive(gsc)
        if uses_math:
            out += ["import math", ""]
        out += globals_lines + ([""] if globals_lines else []) + module_lines
        if self.has_cm:
            out += self.cm_class()
        out += class_lines + helper_lines + f_lines
        source = "\n".join(out) + "\n"
        if self.has_cm and "class CM:" not in source:  # pragma: no cover
            raise AssertionError
        # arguments: first call, then maybe more with other values
        calls = [tuple(self.value(t) for t in ptypes)]
        if self.on("multicall"):
            for _ in range(self.ch.integer(0, 2)):
                calls.append(tuple(self.varied_value(t) for t in ptypes))
        return source, calls

    def varied_value(self, t):
        if t == "int":
            # ints are specialised on: give later calls bools, big ints, floats
            # (a float is safe for an int slot: floats cannot blow up memory)
            return self.choose([(3, None, lambda: self.int_value()), (1, None, lambda: self.coin()),
                                (1, "bigint", lambda: self.pick(BIG_INTS)),
                                # no nan: hash(nan) is identity-based, so sets holding one
                                # would print in an address-dependent order
                                (1, "float", lambda: self.pick(FLOATS + [-0.0, math.inf]))])
        return self.value(t)




# ---------------------------------------------------------------------------
# programs

@dataclass
class Program:
    source: str
    calls: list                       # argument tuples, f is called with each in turn
    buffer: list = field(default_factory=list, repr=False)  # the choices that made it
    features: frozenset = frozenset()
    origin: str = ""

    @property
    def args(self):
        return self.calls[0]

    @property
    def args_source(self):
        return src_of(self.calls[0])

    @property
    def calls_source(self):
        return "[" + ", ".join(src_of(c) for c in self.calls) + "]"

    def __str__(self):
        return f"{self.source}\n# calls: {self.calls_source}"


def generate(chooser: Chooser, weights=None, swarm=True) -> Program:
    gen = Gen(chooser, weights, swarm)
    source, calls = gen.gen_program()
    feats = frozenset(k for k, v in gen.w.items() if v > 0)
    return Program(source, calls, list(getattr(chooser, "record", [])), feats)


def program_from_seed(seed, index=0, weights=None, swarm=True) -> Program:
    ch = RandomChooser(seed=f"{seed}:{index}")
    p = generate(ch, weights, swarm)
    p.origin = f"seed={seed} index={index}"
    return p


def program_from_buffer(buffer, weights=None, swarm=True) -> Program:
    ch = BufferChooser(buffer)
    return generate(ch, weights, swarm)


def programs(weights=None, swarm=True):
    """A hypothesis strategy of :class:`Program` objects."""
    from hypothesis import strategies as st

    @st.composite
    def _programs(draw):
        ch = HypothesisChooser(draw)
        return generate(ch, weights, swarm)

    return _programs()
