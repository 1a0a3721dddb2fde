"""The differential oracle: run a program in the interpreter and compiled,
compare everything observable.

A *program* is Python source defining a function ``f`` (plus any helpers,
classes and globals it uses) and a list of argument tuples; ``f`` is called
with each tuple in turn in the same namespace.  The program runs twice in
fresh namespaces.  In the first, the interpreter runs everything.  In the
second, the module code runs compiled (``jit.exec(jit.compile(code,
fallback=False), ns)``), then every function the program defines at module
level and every method of its module-level classes (also inside
staticmethod/classmethod/property) is replaced by ``compiler(fn)`` (default:
``jit.compile(fn, fallback=False)``).  Comprehensions, class bodies and
lambdas called where they are made run compiled with the code that makes them;
other nested functions are created at run time as interpreted functions.
Module code the compiler declines runs in the interpreter (and is reported).
A quarter of the programs, chosen by a hash of the source, run (on both sides)
with their loops' jumps in the form CPython uses in generators
(``uninterruptible_loops``).

A module-level ``INTERACTIVE = '<statement>'`` assignment names one more
statement, compiled in 'single' (interactive) mode -- where an expression
statement prints its value through ``sys.displayhook`` -- and run in the
program's namespace after the module code (interpreter: ``exec``; observed:
compiled like the module code), before the calls.

Compared, for the module code and the interactive statement: an exception
raised, everything printed, the data globals right after it.  Per call: the
return value (canonical form: type and value, floats by repr so -0.0/nan
count, containers structurally incl. aliasing of mutable objects, instances
of program classes by their attributes), or the exception (type, message,
args, ``__cause__``/``__context__`` chain); everything printed; the arguments
after the call (each run gets its own deep copy).
After all calls: the program's data globals (not functions/classes/modules).

``JIT_FUZZ_SELFTEST=1`` makes the default compiler the interpreter again (a
fresh function object over the same code), which must give no divergences.
"""
from __future__ import annotations

import ast
import builtins
import collections
import contextlib
import copy
import dis
import gc
import io
import math
import os
import re
import signal
import sys
import threading
import time
import traceback
import types
import warnings
import zlib
from dataclasses import dataclass, field

FILENAME = "<fuzz>"
# compare reference counts of mutable arguments after each call (a leak or an
# over-release in compiled code shows up as a difference); JIT_FUZZ_REFCOUNTS=0 disables
CHECK_REFCOUNTS = os.environ.get("JIT_FUZZ_REFCOUNTS", "1") not in ("0", "")
_MUTABLE = (list, dict, set, bytearray)
MODULE_NAME = "__fuzz__"
_ADDR = re.compile(r"0x[0-9a-fA-F]{4,}")


class FuzzTimeout(BaseException):
    """Raised in the program by the watchdog timer."""


# ---------------------------------------------------------------------------
# compilers

def jit_compiler(fn):
    import jit

    return jit.compile(fn, fallback=False)


def interpreter_compiler(fn):
    """The identity 'compiler': a fresh function object over the same code."""
    g = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    g.__kwdefaults__ = copy.copy(fn.__kwdefaults__)
    g.__qualname__ = fn.__qualname__
    g.__dict__.update(fn.__dict__)
    return g


def faulty_compiler(spec):
    """Deliberately broken 'compilers' for testing the fuzzer itself:
    ``crash:NAME`` / ``hang:NAME`` -- calling a function whose code uses the
    global or attribute NAME segfaults / never returns; ``miscompile`` -- in f,
    every int constant 1 becomes 2."""
    kind, _, name = spec.partition(":")

    def compiler(fn):
        g = interpreter_compiler(fn)
        if kind == "miscompile":
            if fn.__name__ != "f":
                return g
            consts = tuple(2 if type(c) is int and c == 1 else c for c in fn.__code__.co_consts)
            return types.FunctionType(fn.__code__.replace(co_consts=consts), fn.__globals__, fn.__name__,
                                      fn.__defaults__, fn.__closure__)
        if name not in fn.__code__.co_names:
            return g

        def broken(*a, **k):
            if kind == "crash":
                import ctypes

                ctypes.string_at(0)
            # hang like native code that never checks for signals
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM, signal.SIGINT])
            while True:
                pass
        broken.__name__ = fn.__name__
        return broken
    return compiler


def default_compiler():
    """jit.compile, or per JIT_FUZZ_SELFTEST: '1' -- the interpreter again (must
    give no divergences); 'crash:NAME', 'hang:NAME', 'miscompile' -- see
    :func:`faulty_compiler`."""
    return compiler_for_mode(os.environ.get("JIT_FUZZ_SELFTEST", ""))


def compiler_for_mode(mode):
    if mode in ("", "0", None, False):
        return jit_compiler
    if mode.startswith(("crash:", "hang:", "miscompile")):
        return faulty_compiler(mode)
    return interpreter_compiler


def jit_module_compiler(code):
    """Module-level (or 'single'-mode) code through jit.compile: returns a
    function running it in a namespace."""
    import jit

    compiled = jit.compile(code, fallback=False)
    return lambda ns: jit.exec(compiled, ns)


def interpreter_module_compiler(code):
    return lambda ns: exec(code, ns)


def module_compiler_for(compiler):
    """Module code runs compiled exactly when functions are compiled by
    jit.compile (the self-test and fault-injecting compilers leave it to the
    interpreter, so that they test the function comparisons alone)."""
    return jit_module_compiler if compiler is jit_compiler else interpreter_module_compiler


def _unsupported_types():
    try:
        import jit

        return jit.UnsupportedError, jit.CompileError
    except Exception:  # pragma: no cover - jit not importable
        class _Never(Exception):
            pass
        return _Never, _Never


def opcode_coverage_snapshot():
    try:
        import jit

        return collections.Counter(jit.opcode_coverage)
    except Exception:
        return collections.Counter()


# ---------------------------------------------------------------------------
# canonical forms

def normalize(text: str) -> str:
    return _ADDR.sub("0x?", text)


def _safe_str(x):
    try:
        return normalize(str(x))
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, FuzzTimeout):
            raise
        return f"<str() raised {type(e).__name__}>"


_CALLABLE_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                   types.BuiltinMethodType, types.LambdaType)


class _Canon:
    def __init__(self, module_name=MODULE_NAME):
        self.memo = {}
        self.module_name = module_name

    def ref(self, x):
        """Mutable objects: the second time one is seen, refer to the first."""
        k = id(x)
        if k in self.memo:
            return ("<ref>", self.memo[k][0])
        self.memo[k] = (len(self.memo), x)  # keep x alive so ids stay unique
        return None

    def __call__(self, x, depth=0):
        if depth > 60:
            return ("<deep>",)
        t = type(x)
        if x is None or t in (bool, int, str, bytes):
            return (t.__name__, x)
        if t is float or t is complex:
            return (t.__name__, repr(x))
        d1 = depth + 1
        if t is tuple:
            return ("tuple", tuple(self(e, d1) for e in x))
        if t is frozenset:
            return ("frozenset", tuple(sorted((self(e, d1) for e in x), key=repr)))
        if t is range or t is slice:
            return (t.__name__, repr(x))
        if isinstance(x, BaseException):
            return canon_exc(x, self, depth)
        if isinstance(x, _CALLABLE_TYPES):
            return ("callable", getattr(x, "__qualname__", getattr(x, "__name__", "?")))
        if isinstance(x, type):
            return ("type", x.__qualname__)
        if isinstance(x, types.ModuleType):
            return ("module", x.__name__)
        r = self.ref(x)
        if r is not None:
            return r
        if t is list or t is bytearray:
            return (t.__name__, tuple(self(e, d1) for e in x))
        if t is dict:
            return ("dict", tuple((self(k, d1), self(v, d1)) for k, v in x.items()))
        if t is set:
            return ("set", tuple(sorted((self(e, d1) for e in x), key=repr)))
        if t in (type({}.keys()), type({}.values()), type({}.items())):
            return (t.__name__, tuple(self(e, d1) for e in x))
        if getattr(t, "__module__", None) == self.module_name:
            attrs = getattr(x, "__dict__", {})
            return ("obj", t.__qualname__, tuple((k, self(v, d1)) for k, v in attrs.items()))
        if hasattr(x, "__next__") and hasattr(x, "__iter__"):
            items = []
            try:
                for i, e in enumerate(x):
                    if i >= 200:
                        items.append(("<more>",))
                        break
                    items.append(self(e, d1))
            except FuzzTimeout:
                raise
            except Exception as e:  # noqa: BLE001
                items.append(("<raised>", canon_exc(e, self, d1)))
            return ("iterator", t.__name__, tuple(items))
        try:
            return ("other", t.__name__, normalize(repr(x)))
        except FuzzTimeout:
            raise
        except Exception as e:  # noqa: BLE001
            return ("other", t.__name__, f"<repr raised {type(e).__name__}>")


def canon(x, module_name=MODULE_NAME):
    return _Canon(module_name)(x)


def canon_exc(e, c=None, depth=0):
    if e is None:
        return None
    if c is None:
        c = _Canon()
    if depth > 8:
        return ("exc", type(e).__qualname__, "<deep>")
    return ("exc", type(e).__qualname__, _safe_str(e), c(e.args, depth + 1),
            canon_exc(e.__cause__, c, depth + 1),
            canon_exc(e.__context__, c, depth + 1) if e.__context__ is not e else None,
            bool(e.__suppress_context__))


def show(c, limit=300) -> str:
    """A readable rendering of a canonical form."""
    def r(x):
        if not isinstance(x, tuple) or not x:
            return repr(x)
        tag = x[0]
        if tag in ("int", "bool", "str", "bytes", "NoneType"):
            return repr(x[1])
        if tag in ("float", "complex"):
            return x[1]
        if tag in ("list", "bytearray"):
            return "[" + ", ".join(r(e) for e in x[1]) + "]"
        if tag == "tuple":
            return "(" + ", ".join(r(e) for e in x[1]) + ("," if len(x[1]) == 1 else "") + ")"
        if tag in ("set", "frozenset"):
            return tag + "({" + ", ".join(r(e) for e in x[1]) + "})"
        if tag == "dict":
            return "{" + ", ".join(f"{r(k)}: {r(v)}" for k, v in x[1]) + "}"
        if tag == "exc":
            s = f"{x[1]}({x[2]!r})" if len(x) > 3 else f"{x[1]}(...)"
            if len(x) > 4 and x[4] is not None:
                s += f" from {r(x[4])}"
            if len(x) > 5 and x[5] is not None:
                s += f" [context {r(x[5])}]"
            return s
        if tag == "obj":
            return f"{x[1]}(" + ", ".join(f"{k}={r(v)}" for k, v in x[2]) + ")"
        if tag == "<ref>":
            return f"<ref #{x[1]}>"
        return repr(x)
    s = r(c)
    return s if len(s) <= limit else s[:limit] + "..."


# ---------------------------------------------------------------------------
# running

@dataclass
class CallOutcome:
    kind: str            # "return" | "raise"
    value: object        # canonical form of the value or exception
    stdout: str
    args_after: object   # canonical form of the arguments after the call
    refcounts: tuple = ()  # sys.getrefcount of each mutable argument after the call

    def key(self):
        return (self.kind, self.value, self.stdout, self.args_after, self.refcounts)

    def summary(self):
        s = f"{self.kind} {show(self.value)}"
        if self.stdout:
            out = self.stdout if len(self.stdout) < 300 else self.stdout[:300] + "..."
            s += f"; stdout {out!r}"
        return s


@dataclass
class ModuleOutcome:
    """What module-level code (or the interactive statement) did."""
    kind: str             # "return" | "raise"
    value: object         # None, or the canonical form of the exception
    stdout: str
    globals_after: object  # canonical form of the data globals right after it

    def summary(self, limit=300):
        s = "ran" if self.kind == "return" else f"raise {show(self.value, limit)}"
        if self.stdout:
            s += f"; stdout {self.stdout[:limit]!r}"
        return s


@dataclass
class RunOutcome:
    calls: list = field(default_factory=list)
    globals_after: object = None
    seconds: float = 0.0
    module: ModuleOutcome = None
    interactive: ModuleOutcome = None   # None when the program has no INTERACTIVE statement


class _Watchdog:
    """SIGALRM-based timeout raising FuzzTimeout in the running code (main
    thread only; re-fires every 50 ms in case a handler swallows it, but not
    within a second of the last one: that one may still be unwinding, and a second
    raised meanwhile would escape the handler meant for the first)."""

    GRACE = 1.0

    def __init__(self, seconds):
        self.seconds = seconds
        self.active = (seconds and seconds > 0 and threading.current_thread() is threading.main_thread()
                       and hasattr(signal, "setitimer"))
        self.fired_at = None

    def _fire(self, signum, frame):
        now = time.monotonic()
        if self.fired_at is not None and now - self.fired_at < self.GRACE:
            return
        self.fired_at = now
        raise FuzzTimeout()

    def __enter__(self):
        if self.active:
            self.old = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.05)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


def data_globals(ns):
    out = {}
    for k, v in ns.items():
        if k.startswith("__") and k != "__annotations__" or callable(v) or isinstance(v, types.ModuleType):
            continue  # functions (replaced by compiled versions), classes, modules
        out[k] = v
    return out


def fresh_namespace(module_name=MODULE_NAME):
    return {"__name__": module_name, "__builtins__": builtins}


def compile_source(source, filename=FILENAME, mode="exec"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = compile(source, filename, mode)
    return uninterruptible_loops(code) if zlib.crc32(source.encode()) % 4 == 0 else code


# CPython emits JUMP_BACKWARD_NO_INTERRUPT only in generators' SEND loops, which the
# compiler does not compile. So that the decoder's handling of it is exercised, a
# quarter of the programs (chosen by a hash of the source, so a reproducer gets the
# same code) run -- in the interpreter and compiled alike -- with every loop's
# JUMP_BACKWARD replaced by it: the same jump, minus the interpreter's check for
# pending signals.
_LOOP_JUMPS = {dis.opmap.get("JUMP_BACKWARD"): dis.opmap.get("JUMP_BACKWARD_NO_INTERRUPT")}


def uninterruptible_loops(code):
    if None in _LOOP_JUMPS or None in _LOOP_JUMPS.values():
        return code
    raw = bytearray(code.co_code)
    for i in range(0, len(raw), 2):
        raw[i] = _LOOP_JUMPS.get(raw[i], raw[i])
    consts = tuple(uninterruptible_loops(c) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_code=bytes(raw), co_consts=consts)


INTERACTIVE = "INTERACTIVE"


def interactive_statement(source):
    """The string of the program's module-level ``INTERACTIVE = '...'``, or None."""
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == INTERACTIVE and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            return node.value.value
    return None


_NOTHING = object()


def run_module_code(run, ns, module_name=MODULE_NAME):
    """run(ns) -- module-level code -- with its output captured; a ModuleOutcome."""
    buf = io.StringIO()
    # sys.displayhook (interactive statements) stores the value in builtins._:
    # put back what was there, so that the two runs start alike
    underscore = builtins.__dict__.get("_", _NOTHING)
    try:
        with contextlib.redirect_stdout(buf):
            try:
                run(ns)
                kind, value = "return", None
            except FuzzTimeout:
                raise
            except Exception as e:  # noqa: BLE001 -- an exception is an outcome too
                kind, value = "raise", canon_exc(e, _Canon(module_name))
    finally:
        if underscore is _NOTHING:
            builtins.__dict__.pop("_", None)
        else:
            builtins._ = underscore
    return ModuleOutcome(kind, value, normalize(buf.getvalue()), _Canon(module_name)(data_globals(ns)))


def run_calls(ns, calls, module_name=MODULE_NAME):
    """Call ns['f'] with each argument tuple; returns a RunOutcome."""
    out = RunOutcome()
    t0 = time.perf_counter()
    f = ns["f"]
    for args in calls:
        args = copy.deepcopy(tuple(args))
        buf = io.StringIO()
        # no cyclic GC during the call and the refcount measurement, so that a
        # collection at a different moment cannot make the two runs differ
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            with contextlib.redirect_stdout(buf):
                try:
                    value = f(*args)
                    kind = "return"
                except FuzzTimeout:
                    raise
                except BaseException as e:  # noqa: BLE001 -- SystemExit etc. are results too
                    value = e
                    kind = "raise"
            c = _Canon(module_name)
            v = c(value) if kind == "return" else canon_exc(value, c)
            del c
            value = None  # drop the result (and a traceback's frames) before counting references
            refs = ()
            if CHECK_REFCOUNTS:
                refs = tuple(sys.getrefcount(a) if type(a) in _MUTABLE else -1 for a in args)
        finally:
            if gc_was_enabled:
                gc.enable()
        out.calls.append(CallOutcome(kind, v, normalize(buf.getvalue()), _Canon(module_name)(args), refs))
    out.globals_after = _Canon(module_name)(data_globals(ns))
    out.seconds = time.perf_counter() - t0
    return out


@dataclass
class Result:
    status: str                   # ok | divergence | unsupported | invalid | hang | compiler_crash
    diffs: list = field(default_factory=list)
    expected: list = field(default_factory=list)   # per-call summaries
    observed: list = field(default_factory=list)
    failures: list = field(default_factory=list)   # [(function, kind, reason)] kind: unsupported|compile_error
    compiled: list = field(default_factory=list)   # names of functions that compiled
    detail: str = ""
    seconds: float = 0.0
    coverage: dict = field(default_factory=dict)   # opcode -> count lowered while compiling this program
    opcodes: dict = field(default_factory=dict)    # where the program's opcodes are: see opcode_census

    @property
    def failed(self):
        return self.status in ("divergence", "hang", "compiler_crash", "crash")

    def describe(self):
        lines = [f"status: {self.status}"]
        if self.compiled:
            lines.append("compiled: " + ", ".join(self.compiled))
        for name, kind, reason in self.failures:
            lines.append(f"not compiled: {name}: {kind}: {reason}")
        lines += self.diffs
        if self.detail:
            lines.append(self.detail)
        return "\n".join(lines)


def reason_key(e):
    op = getattr(e, "opcode", None)
    if op:
        return f"{type(e).__name__}: {op}"
    msg = str(e).splitlines()[0] if str(e) else ""
    msg = re.sub(r"\d+", "N", msg)
    msg = re.sub(r"'[^']*'", "'_'", msg)
    return f"{type(e).__name__}: {msg[:100]}"


class _CompilerCrash(Exception):
    """The compiler raised something other than UnsupportedError/CompileError."""


class _Hang(Exception):
    """A phase of the observed run overran its time limit."""


class _Invalid(Exception):
    """The program is not a valid test: the interpreter run failed or hung."""


@contextlib.contextmanager
def _time_limit(seconds, what):
    try:
        with _Watchdog(seconds):
            yield
    except FuzzTimeout:
        raise _Hang(f"{what} took more than {seconds:.1f}s") from None


class Compilation:
    """Compiles the program's code for the observed run, recording in the
    Result what compiled and what did not (and why), and in ``tried`` every
    code object it handed to the compiler, with whether it compiled."""

    def __init__(self, compiler, module_compiler, result):
        self.compiler = compiler
        self.module_compiler = module_compiler
        self.result = result
        self.tried = []   # [(code object, compiled?)]
        self.done = {}    # id(function) -> what replaces it

    def attempt(self, name, code, make):
        """make() compiles; its result, or None when the compiler declined."""
        Unsupported, CompileErr = _unsupported_types()
        try:
            out = make()
        except Unsupported as e:
            self.result.failures.append((name, "unsupported", reason_key(e)))
        except CompileErr as e:
            self.result.failures.append((name, "compile_error", reason_key(e)))
        except FuzzTimeout:
            raise
        except Exception as e:  # noqa: BLE001
            raise _CompilerCrash(f"compiling {name} raised:\n" + "".join(traceback.format_exception(e))) from None
        else:
            self.tried.append((code, True))
            self.result.compiled.append(name)
            return out
        self.tried.append((code, False))
        return None

    def function(self, name, fn):
        """The compiled version of fn, or fn itself if the compiler declined."""
        if id(fn) not in self.done:
            compiled = self.attempt(name, fn.__code__, lambda: self.compiler(fn))
            self.done[id(fn)] = fn if compiled is None else compiled
        return self.done[id(fn)]

    def module(self, name, code):
        """A function running module-level code: compiled, or in the interpreter
        if the compiler declined."""
        if self.module_compiler is interpreter_module_compiler:
            return interpreter_module_compiler(code)  # nothing compiled, nothing to record
        run = self.attempt(name, code, lambda: self.module_compiler(code))
        return interpreter_module_compiler(code) if run is None else run


def _is_program_function(v, filename):
    return isinstance(v, types.FunctionType) and v.__code__.co_filename == filename


def compile_namespace(ns, comp, filename, module_name=MODULE_NAME):
    """Replace the program's module-level functions, and the methods of its
    module-level classes, by compiled versions."""
    for name, v in list(ns.items()):
        if _is_program_function(v, filename):
            ns[name] = comp.function(name, v)
    classes = {id(v): v for v in ns.values() if isinstance(v, type) and v.__module__ == module_name}
    for cls in classes.values():
        for attr, member in list(vars(cls).items()):
            compiled = _compiled_member(member, f"{cls.__qualname__}.{attr}", comp, filename)
            if compiled is not member:
                setattr(cls, attr, compiled)
                if type(compiled) is property:
                    compiled.__set_name__(cls, attr)  # its error messages name it, as the original's did


def _compiled_member(member, name, comp, filename):
    """A class member with the program's functions in it compiled: a plain
    function, or the function(s) a staticmethod/classmethod/property wraps
    (rewrapped in a new one of the same kind)."""
    if _is_program_function(member, filename):
        return comp.function(name, member)
    if type(member) in (staticmethod, classmethod) and _is_program_function(member.__func__, filename):
        return type(member)(comp.function(name, member.__func__))
    if type(member) is property:
        parts = [comp.function(f"{name}.{part}", fn) if _is_program_function(fn, filename) else fn
                 for part, fn in (("fget", member.fget), ("fset", member.fset), ("fdel", member.fdel))]
        if parts != [member.fget, member.fset, member.fdel]:
            return property(*parts, member.__doc__)
    return member


def check(source, calls, compiler=None, timeout=10.0, filename=FILENAME, module_name=MODULE_NAME,
          module_compiler=None) -> Result:
    """Run the differential oracle on one program in this process.  Module
    code is compiled by ``module_compiler`` (default: see module_compiler_for)."""
    if compiler is None:
        compiler = default_compiler()
    if module_compiler is None:
        module_compiler = module_compiler_for(compiler)
    calls = [tuple(c) for c in calls]
    t0 = time.perf_counter()
    cov0 = opcode_coverage_snapshot()
    try:
        code = compile_source(source, filename)
        statement = interactive_statement(source)
        # a trailing newline ends a compound statement, as at the interactive prompt
        single = None if statement is None else compile_source(statement + "\n", filename, "single")
    except SyntaxError as e:
        return Result("invalid", detail=f"SyntaxError: {e}")
    comp = Compilation(compiler, module_compiler, Result("ok"))

    def finish(r):
        r.seconds = time.perf_counter() - t0
        cov = opcode_coverage_snapshot()
        cov.subtract(cov0)
        r.coverage = {k: v for k, v in cov.items() if v > 0}
        r.opcodes = opcode_census([c for c in (code, single) if c is not None], comp.tried)
        return r

    try:
        exp = run_interpreted(code, single, calls, timeout, module_name)
    except _Invalid as e:
        return finish(Result("invalid", detail=str(e)))
    result = comp.result
    result.expected = [c.summary() for c in exp.calls]
    try:
        obs = run_observed(code, single, calls, comp, exp, timeout, filename, module_name)
    except _CompilerCrash as e:
        result.status, result.detail = "compiler_crash", str(e)
        return finish(result)
    except _Hang as e:
        result.status, result.detail = "hang", str(e)
        return finish(result)
    if obs is None:
        result.status = "unsupported"
        return finish(result)
    result.observed = [c.summary() for c in obs.calls or ()]
    result.diffs = compare(exp, obs)
    if result.diffs:
        result.status = "divergence"
    return finish(result)


def run_interpreted(code, single, calls, timeout, module_name=MODULE_NAME):
    """The expected outcome: the interpreter runs everything."""
    ns = fresh_namespace(module_name)
    try:
        with _Watchdog(timeout):
            module = run_module_code(lambda ns: exec(code, ns), ns, module_name)
            if module.kind == "raise":
                raise _Invalid(f"module code raised {show(module.value)}")
            if "f" not in ns:
                raise _Invalid("the program defines no f")
            interactive = None if single is None else run_module_code(lambda ns: exec(single, ns), ns, module_name)
            exp = run_calls(ns, calls, module_name)
    except FuzzTimeout:
        raise _Invalid(f"the interpreter took more than {timeout}s") from None
    exp.module, exp.interactive = module, interactive
    return exp


def run_observed(code, single, calls, comp, exp, timeout, filename, module_name=MODULE_NAME):
    """The observed outcome: module code, functions and methods compiled.  None
    when nothing compiled; the calls are skipped when the module code did not
    leave the program defined (an exception, or no f)."""
    ns = fresh_namespace(module_name)
    compile_limit = max(timeout, 60.0)
    with _time_limit(compile_limit, "compiling the module code"):
        run_module = comp.module("<module>", code)
    with _time_limit(timeout, "running the module code"):
        module = run_module_code(run_module, ns, module_name)
    if module.kind == "raise" or "f" not in ns:
        return RunOutcome(calls=None, module=module)
    with _time_limit(compile_limit, "compiling the functions"):
        compile_namespace(ns, comp, filename, module_name)
        run_single = None if single is None else comp.module("<interactive>", single)
    if not comp.result.compiled:
        return None
    interactive = None
    if run_single is not None:
        with _time_limit(timeout, "running the interactive statement"):
            interactive = run_module_code(run_single, ns, module_name)
    limit = max(timeout, 20 * exp.seconds + 2.0)
    with _time_limit(limit, f"compiled code (interpreter: {exp.seconds:.3f}s)"):
        obs = run_calls(ns, calls, module_name)
    obs.module, obs.interactive = module, interactive
    return obs


def _opnames(code):
    return collections.Counter(ins.opname for ins in dis.get_instructions(code, show_caches=True))


def _nested_codes(roots, stop):
    """Code objects nested in roots (not roots themselves), without descending
    into those whose id is in stop."""
    seen = set(stop)
    stack = [k for r in roots for k in r.co_consts if isinstance(k, types.CodeType)]
    while stack:
        code = stack.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        yield code
        stack += [k for k in code.co_consts if isinstance(k, types.CodeType)]


def opcode_census(roots, tried):
    """Opcode counts of a program's bytecode (dis, with CACHE entries), by where it runs:
    ``compiled`` -- code objects the compiler accepted; ``declined`` -- those it
    declined; ``nested`` -- code nested in compiled code and not compiled itself
    (closures, lambdas, comprehensions, class bodies: compiled code creates them
    as interpreted functions); ``all`` -- every code object under roots."""
    census = {kind: collections.Counter() for kind in ("compiled", "declined", "nested", "all")}
    for code, compiled in tried:
        census["compiled" if compiled else "declined"].update(_opnames(code))
    compiled_codes = [code for code, compiled in tried if compiled]
    for code in _nested_codes(compiled_codes, stop={id(code) for code, _ in tried}):
        census["nested"].update(_opnames(code))
    for code in [*roots, *_nested_codes(roots, stop={id(r) for r in roots})]:
        census["all"].update(_opnames(code))
    return {kind: dict(counts) for kind, counts in census.items()}


def compare(exp: RunOutcome, obs: RunOutcome):
    diffs = compare_module_code("module code", exp.module, obs.module)
    if obs.calls is None:  # the calls were skipped
        return diffs or ["module code: f is not defined after the compiled module code"]
    if exp.interactive is not None:
        diffs += compare_module_code("interactive statement", exp.interactive, obs.interactive)
    for i, (a, b) in enumerate(zip(exp.calls, obs.calls)):
        tag = f"call {i}"
        if (a.kind, a.value) != (b.kind, b.value):
            diffs.append(f"{tag}: result differs:\n  expected {a.kind} {show(a.value, 2000)}\n  observed {b.kind} {show(b.value, 2000)}")
        if a.stdout != b.stdout:
            diffs.append(f"{tag}: stdout differs:\n  expected {a.stdout[:2000]!r}\n  observed {b.stdout[:2000]!r}")
        if a.args_after != b.args_after:
            diffs.append(f"{tag}: arguments after the call differ:\n  expected {show(a.args_after, 2000)}\n  observed {show(b.args_after, 2000)}")
        elif a.refcounts != b.refcounts:
            diffs.append(f"{tag}: reference counts of the (mutable) arguments after the call differ "
                         f"(a leak or an over-release):\n  expected {a.refcounts}\n  observed {b.refcounts}")
    if len(exp.calls) != len(obs.calls):  # pragma: no cover
        diffs.append(f"number of calls differs: {len(exp.calls)} vs {len(obs.calls)}")
    if exp.globals_after != obs.globals_after:
        diffs.append(f"globals after the calls differ:\n  expected {show(exp.globals_after, 2000)}\n  observed {show(obs.globals_after, 2000)}")
    return diffs


def compare_module_code(tag, a: ModuleOutcome, b: ModuleOutcome):
    diffs = []
    if (a.kind, a.value) != (b.kind, b.value):
        diffs.append(f"{tag}: result differs:\n  expected {a.summary(2000)}\n  observed {b.summary(2000)}")
    if a.stdout != b.stdout:
        diffs.append(f"{tag}: stdout differs:\n  expected {a.stdout[:2000]!r}\n  observed {b.stdout[:2000]!r}")
    if a.globals_after != b.globals_after:
        diffs.append(f"{tag}: globals after it differ:\n  expected {show(a.globals_after, 2000)}\n"
                     f"  observed {show(b.globals_after, 2000)}")
    return diffs


def divergence_signature(result: Result) -> str:
    """A coarse key grouping results that probably share a cause."""
    if result.status != "divergence":
        return result.status
    first = result.diffs[0] if result.diffs else ""
    first = re.sub(r"\d+", "N", first.splitlines()[0])
    return first


# ---------------------------------------------------------------------------
# isolated runs (fork): a crash or hang in compiled code does not kill the caller

def check_isolated(source, calls, compiler=None, timeout=10.0, filename=FILENAME, hard_timeout=None) -> Result:
    """Like :func:`check` but in a forked child process; a segfault becomes a
    ``crash`` result, a child that does not answer in time a ``hang``."""
    import multiprocessing as mp
    import pickle

    ctx = mp.get_context("fork")
    r, w = ctx.Pipe(duplex=False)

    def child():
        r.close()
        try:
            import faulthandler

            faulthandler.disable()  # a crash is reported by the parent, quietly
        except Exception:  # noqa: BLE001
            pass
        try:
            res = check(source, calls, compiler, timeout, filename)
        except BaseException as e:  # noqa: BLE001
            res = Result("compiler_crash", detail="".join(traceback.format_exception(e)))
        try:
            w.send_bytes(pickle.dumps(res))
        finally:
            w.close()
            os._exit(0)

    p = ctx.Process(target=child)
    p.start()
    w.close()
    hard = hard_timeout or (timeout * 3 + 60)
    try:
        if r.poll(hard):
            try:
                return pickle.loads(r.recv_bytes())
            except EOFError:
                pass
            p.join(5)
            return Result("crash", detail=f"the child process died (exit code {p.exitcode})")
        p.kill()
        return Result("hang", detail=f"no answer from the child in {hard}s")
    finally:
        r.close()
        p.join(5)
        if p.is_alive():  # pragma: no cover
            p.kill()
            p.join()


# ---------------------------------------------------------------------------
# reproducer files

REPRO_HEADER = "# jit.fuzz reproducer"


def reproducer_text(source, calls, result: Result | None = None, origin="", note=""):
    from .generator import src_of

    lines = [REPRO_HEADER + " -- run it: python THIS_FILE (exit status 1 = still diverges)"]
    if origin:
        lines.append(f"# found by: {origin}")
    if note:
        lines += ["# " + ln for ln in note.splitlines()]
    if result is not None:
        lines += ["# " + ln for ln in result.describe().splitlines()]
        for i, (e, o) in enumerate(zip(result.expected, result.observed or [""] * len(result.expected))):
            lines.append(f"# call {i} expected: {e[:500]}")
            if o:
                lines.append(f"# call {i} observed: {o[:500]}")
    lines.append("")
    lines.append(source.rstrip("\n"))
    lines.append("")
    lines.append("CALLS = [" + ", ".join(src_of(tuple(c)) for c in calls) + "]")
    lines.append("")
    lines.append("if __name__ == '__main__':")
    lines.append("    import sys")
    lines.append("    from jit.fuzz.oracle import main_for_file")
    lines.append("    sys.exit(main_for_file(__file__))")
    return "\n".join(lines) + "\n"


def load_reproducer(path):
    """(source, calls) of a reproducer file: the whole file is the program;
    ``CALLS = [...]`` (or ``ARGS = (...)`` for a single call) gives the
    arguments."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    tree = ast.parse(text, path)
    calls = None
    env = {"__builtins__": builtins, "math": math, "inf": math.inf, "nan": math.nan}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("CALLS", "ARGS"):
                value = eval(compile(ast.Expression(node.value), path, "eval"), env)
                calls = [tuple(c) for c in value] if name == "CALLS" else [tuple(value)]
    if calls is None:
        raise ValueError(f"{path}: no CALLS = [...] or ARGS = (...) assignment")
    return text, calls


def check_file(path, compiler=None, timeout=10.0, isolate=False) -> Result:
    source, calls = load_reproducer(path)
    if isolate:
        return check_isolated(source, calls, compiler, timeout, filename=os.path.abspath(path))
    return check(source, calls, compiler, timeout, filename=os.path.abspath(path))


def main_for_file(path):
    res = check_file(path)
    print(res.describe())
    for i, e in enumerate(res.expected):
        print(f"call {i} expected: {e}")
        if i < len(res.observed):
            print(f"call {i} observed: {res.observed[i]}")
    return 1 if res.failed else 0
