"""The differential oracle: run a program in the interpreter and compiled,
compare everything observable.

A *program* is Python source defining a function ``f`` (plus any helpers,
classes and globals it uses) and a list of argument tuples; ``f`` is called
with each tuple in turn in the same namespace.  The source is exec'd twice in
fresh namespaces; in the second, every function the program defines at module
level is replaced by ``compiler(fn)`` (default: ``jit.compile(fn,
fallback=False)``).  Nested functions and lambdas are created at run time by
whatever runs the enclosing code.

Compared, per call: the return value (canonical form: type and value, floats
by repr so -0.0/nan count, containers structurally incl. aliasing of mutable
objects, instances of program classes by their attributes), or the exception
(type, message, args, ``__cause__``/``__context__`` chain); everything
printed; the arguments after the call (each run gets its own deep copy).
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
class RunOutcome:
    calls: list = field(default_factory=list)
    globals_after: object = None
    seconds: float = 0.0


class _Watchdog:
    """SIGALRM-based timeout raising FuzzTimeout in the running code (main
    thread only; re-fires every 50 ms in case a handler swallows it)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.active = (seconds and seconds > 0 and threading.current_thread() is threading.main_thread()
                       and hasattr(signal, "setitimer"))

    def _fire(self, signum, frame):
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
        if k.startswith("__") or callable(v) or isinstance(v, types.ModuleType):
            continue  # functions (replaced by compiled versions), classes, modules
        out[k] = v
    return out


def fresh_namespace(module_name=MODULE_NAME):
    return {"__name__": module_name, "__builtins__": builtins}


def compile_source(source, filename=FILENAME):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(source, filename, "exec")


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


def compile_functions(ns, compiler, filename, result):
    Unsupported, CompileErr = _unsupported_types()
    done = {}
    for name, v in list(ns.items()):
        if not isinstance(v, types.FunctionType) or v.__code__.co_filename != filename:
            continue
        if id(v) in done:
            ns[name] = done[id(v)]
            continue
        try:
            g = compiler(v)
        except Unsupported as e:
            result.failures.append((name, "unsupported", reason_key(e)))
            continue
        except CompileErr as e:
            result.failures.append((name, "compile_error", reason_key(e)))
            continue
        except FuzzTimeout:
            raise
        except Exception as e:  # noqa: BLE001
            result.status = "compiler_crash"
            result.detail = f"compiling {name} raised:\n" + "".join(traceback.format_exception(e))
            return False
        done[id(v)] = g
        ns[name] = g
        result.compiled.append(name)
    return True


def check(source, calls, compiler=None, timeout=10.0, filename=FILENAME, module_name=MODULE_NAME) -> Result:
    """Run the differential oracle on one program in this process."""
    if compiler is None:
        compiler = default_compiler()
    calls = [tuple(c) for c in calls]
    t0 = time.perf_counter()
    cov0 = opcode_coverage_snapshot()
    try:
        code = compile_source(source, filename)
    except SyntaxError as e:
        return Result("invalid", detail=f"SyntaxError: {e}")

    def finish(r):
        r.seconds = time.perf_counter() - t0
        cov = opcode_coverage_snapshot()
        cov.subtract(cov0)
        r.coverage = {k: v for k, v in cov.items() if v > 0}
        return r

    # expected: the interpreter
    ns1 = fresh_namespace(module_name)
    try:
        with _Watchdog(timeout):
            exec(code, ns1)
            if "f" not in ns1:
                return finish(Result("invalid", detail="the program defines no f"))
            exp = run_calls(ns1, calls, module_name)
    except FuzzTimeout:
        return finish(Result("invalid", detail=f"the interpreter took more than {timeout}s"))
    except Exception as e:  # noqa: BLE001 - module-level code raised
        return finish(Result("invalid", detail="module code raised " + "".join(traceback.format_exception_only(e)).strip()))
    ns1 = None

    # observed: compiled
    result = Result("ok")
    ns2 = fresh_namespace(module_name)
    try:
        with _Watchdog(timeout):
            exec(code, ns2)
    except (Exception, FuzzTimeout) as e:  # noqa: BLE001
        return finish(Result("invalid", detail=f"module code raised on the second run: {e!r}"))
    try:
        with _Watchdog(max(timeout, 60.0)):
            ok = compile_functions(ns2, compiler, filename, result)
    except FuzzTimeout:
        result.status = "hang"
        result.detail = "compiling took more than 60s"
        return finish(result)
    if not ok:
        return finish(result)
    result.expected = [c.summary() for c in exp.calls]
    if not result.compiled:
        result.status = "unsupported"
        return finish(result)
    limit = max(timeout, 20 * exp.seconds + 2.0)
    try:
        with _Watchdog(limit):
            obs = run_calls(ns2, calls, module_name)
    except FuzzTimeout:
        result.status = "hang"
        result.detail = f"compiled code ran more than {limit:.1f}s (interpreter: {exp.seconds:.3f}s)"
        return finish(result)
    result.observed = [c.summary() for c in obs.calls]
    result.diffs = compare(exp, obs)
    if result.diffs:
        result.status = "divergence"
    return finish(result)


def compare(exp: RunOutcome, obs: RunOutcome):
    diffs = []
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
