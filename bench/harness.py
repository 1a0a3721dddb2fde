"""The benchmark harness: load programs, compile them, time them, check results.

Everything here is importable and parameterisable so that tests can drive it
with a fake compiler and tiny sizes::

    from bench import harness
    report = harness.run_suite(["fib", "sieve"], compile_fn=lambda f: f,
                               repeats=1, warmup=0, size="quick", numba=False)

How a program is measured (``run_program``):

1. Each *variant* (interpreter, compiled, and numba when enabled) gets its own
   fresh copy of the program's module namespace: the module source is executed
   again into a new dict.  In the compiled copy every name in the program's
   ``FUNCTIONS`` is replaced by ``compile_fn(function)`` (the time of these
   calls is the "compile" time), so calls between those functions go
   compiled-to-compiled through the namespace's globals.  A dotted name
   (``"Task.step"``) replaces a method on a class of that namespace.
2. Each variant's ``run(n)`` is called once (the *first call*: for numba and
   for lazily compiling compilers it includes compilation), then ``warmup``
   more times, then ``repeats`` rounds *interleaved* -- interpreter, compiled,
   numba, interpreter, compiled, numba, ... -- so that drift of the machine
   (frequency, other load) affects all variants alike.  ``gc.collect()`` runs
   before every timed call, outside the timing.
3. Every call's result is compared with the interpreter's first result: same
   type and ``==``, floats compared by ``repr`` (so ``-0.0``/``nan`` count),
   recursively through tuples, lists, dicts and sets.  A compiled result that
   differs makes the program ``WRONG``; an exception in compiled code makes it
   ``ERROR``.  Both make ``report["summary"]["ok"]`` false.
4. Medians of the interleaved rounds give the speedup (interpreter median /
   compiled median); first call minus median estimates the cost of the first
   call (compilation for lazy compilers).  ``jit.explain`` tells whether each
   compiled function fell back to the interpreter.

The report is a plain JSON-ready dict (see ``run_suite``); ``bench.report``
formats it.
"""
from __future__ import annotations

import builtins
import ctypes
import datetime as _dt
import gc
import importlib
import math
import os
import pkgutil
import platform
import re
import statistics
import subprocess
import sys
import time
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

SCHEMA_VERSION = 1
GROUPS = ("numeric", "object")
PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# Default settings per mode.  ``time_budget`` bounds the seconds spent on one
# program (all variants): when calls are slow, fewer rounds are run (at least
# one), so quick mode stays quick even if compiled code is much slower than
# the interpreter.
MODES = {
    "quick": {"size": "quick", "repeats": 5, "warmup": 1, "time_budget": 10.0},
    "full": {"size": "full", "repeats": 9, "warmup": 2, "time_budget": 90.0},
}


# --------------------------------------------------------------------------
# Programs

class ProgramError(Exception):
    """A program module does not follow the contract in bench/programs."""


@dataclass
class Program:
    """One benchmark program: a module in bench/programs (or any file)."""

    name: str
    path: str
    source: str
    group: str
    sizes: dict
    functions: list
    numba: bool = True
    description: str = ""

    def namespace(self, variant: Optional[str] = None) -> dict:
        """A fresh module namespace: the program's source executed anew.

        With ``variant``, the module is registered in ``sys.modules`` as
        ``bench_<variant>_<name>`` while it is used (numba resolves a function's
        globals through its module there: recursion fails without it); call
        ``release(variant)`` afterwards."""
        code = builtins.compile(self.source, self.path, "exec")
        modname = f"bench_{variant}_{self.name}" if variant else f"bench.programs.{self.name}"
        module = types.ModuleType(modname, None)
        module.__file__ = self.path
        if variant:
            sys.modules[modname] = module
        exec(code, module.__dict__)
        return module.__dict__

    def release(self, variant: str) -> None:
        sys.modules.pop(f"bench_{variant}_{self.name}", None)

    def size(self, size) -> int:
        """``size`` is a key of SIZES ("quick", "full"), an int, or a dict name->n."""
        if isinstance(size, dict):
            size = size.get(self.name, "quick")
        if isinstance(size, bool):
            raise TypeError("size must be a SIZES key or an int")
        if isinstance(size, int):
            return size
        try:
            return self.sizes[size]
        except KeyError:
            raise ProgramError(f"{self.name}: no size {size!r} in SIZES") from None


def _check_program(name: str, ns: dict) -> None:
    problems = []
    if not callable(ns.get("run")):
        problems.append("no function run(n)")
    sizes = ns.get("SIZES")
    if not (isinstance(sizes, dict) and all(isinstance(sizes.get(k), int) and
                                            not isinstance(sizes.get(k), bool)
                                            for k in ("quick", "full"))):
        problems.append('SIZES must be {"quick": int, "full": int}')
    if ns.get("GROUP") not in GROUPS:
        problems.append(f"GROUP must be one of {GROUPS}")
    funcs = ns.get("FUNCTIONS")
    if not (isinstance(funcs, (list, tuple)) and funcs and
            all(isinstance(f, str) for f in funcs)):
        problems.append("FUNCTIONS must be a non-empty list of names")
    else:
        if "run" not in funcs:
            problems.append('FUNCTIONS must include "run"')
        for dotted in funcs:
            try:
                _owner_and_attr(ns, dotted)
            except (KeyError, AttributeError):
                problems.append(f"FUNCTIONS names {dotted!r}, which is not defined")
    if not isinstance(ns.get("NUMBA", True), bool):
        problems.append("NUMBA must be a bool")
    if problems:
        raise ProgramError(f"program {name}: " + "; ".join(problems))


def load_program_from_path(path, name: Optional[str] = None) -> Program:
    """Load (and check) a program module from a file."""
    path = Path(path)
    name = name or path.stem
    source = path.read_text(encoding="utf-8")
    prog = Program(name=name, path=str(path), source=source, group="", sizes={},
                   functions=[])
    ns = prog.namespace()
    _check_program(name, ns)
    prog.group = ns["GROUP"]
    prog.sizes = dict(ns["SIZES"])
    prog.functions = list(ns["FUNCTIONS"])
    prog.numba = ns.get("NUMBA", True)
    doc = (ns.get("__doc__") or "").strip()
    prog.description = doc.splitlines()[0] if doc else ""
    return prog


def program_names() -> list:
    """Names of all programs in bench/programs, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules([str(PROGRAMS_DIR)])
                  if not m.name.startswith("_"))


def load_program(name: str) -> Program:
    path = PROGRAMS_DIR / f"{name}.py"
    if not path.is_file():
        raise ProgramError(f"no program {name!r} (known: {', '.join(program_names())})")
    return load_program_from_path(path, name)


def matches(prog: Program, patterns) -> bool:
    """``-k`` selection: a pattern matches a substring of the program name, or
    exactly its group ("numeric", "object").  No patterns selects everything."""
    if not patterns:
        return True
    return any(p == prog.group or p in prog.name for p in patterns)


def discover(patterns: Optional[Iterable[str]] = None) -> list:
    """All programs (sorted by group, then name) selected by ``patterns``."""
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns or [])
    progs = [load_program(n) for n in program_names()]
    progs = [p for p in progs if matches(p, patterns)]
    progs.sort(key=lambda p: (GROUPS.index(p.group), p.name))
    return progs


# --------------------------------------------------------------------------
# Compilers

@dataclass
class Compiler:
    """Something that turns a function into a callable behaving like it.

    ``explain(compiled)`` returns text saying whether it fell back (``jit.explain``);
    ``dotted`` says whether methods (dotted names in FUNCTIONS) may be compiled.
    """

    name: str
    compile: Callable
    explain: Optional[Callable] = None
    version: Optional[str] = None
    dotted: bool = True


def jit_compiler() -> Compiler:
    """The real compiler.  Raises ImportError if ``jit`` cannot be imported."""
    import jit
    return Compiler(name="jit", compile=jit.compile, explain=getattr(jit, "explain", None),
                    version=getattr(jit, "__version__", None))


def identity_compiler() -> Compiler:
    """Compiles nothing: a self-check of the harness (speedups should be ~1)."""
    return Compiler(name="identity", compile=lambda f: f,
                    explain=lambda g: "not compiled: the identity compiler compiles nothing "
                                     "(a self-check of the harness)",
                    version=None)


def numba_compiler() -> Compiler:
    """``numba.njit``.  Raises ImportError if numba is not installed."""
    import numba
    return Compiler(name="numba", compile=numba.njit, explain=None,
                    version=getattr(numba, "__version__", None), dotted=False)


def as_compiler(compile_fn) -> Compiler:
    if compile_fn is None:
        return jit_compiler()
    if isinstance(compile_fn, Compiler):
        return compile_fn
    if callable(compile_fn):
        return Compiler(name=getattr(compile_fn, "__name__", "custom"), compile=compile_fn)
    raise TypeError(f"compile_fn must be callable or a Compiler, not {type(compile_fn).__name__}")


def compiler_from_spec(spec: str) -> Compiler:
    """``--compiler``: "jit", "identity", "numba" or "module:attribute" naming a
    compile function (or a ``Compiler``, or a factory returning one)."""
    if spec == "jit":
        return jit_compiler()
    if spec == "identity":
        return identity_compiler()
    if spec == "numba":
        return numba_compiler()
    mod, sep, attr = spec.partition(":")
    if not sep:
        raise ValueError(f"--compiler {spec!r}: expected jit, identity, numba or module:attribute")
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, Compiler):
        return obj
    return Compiler(name=spec, compile=obj)


# Fallback detection from jit.explain's text.  This is the one place that
# knows its wording; the full text is kept in the JSON either way.
_NO_FALLBACK_RE = re.compile(r"\b(no|without|0|zero)\s+fall[- ]?backs?\b|fallback\s*=\s*False", re.I)
_FALLBACK_RE = re.compile(r"fell[- ]back|falls?[- ]back|fallback|falling[- ]back|"
                          r"not compiled|\binterpreted\b|\bin the interpreter\b", re.I)


def fell_back(original, compiled, explanation: Optional[str]) -> Optional[bool]:
    """Whether ``compiled`` runs ``original`` in the interpreter (None: unknown)."""
    if compiled is original:
        return True
    if explanation is None:
        return None
    text = _NO_FALLBACK_RE.sub("", explanation)
    return bool(_FALLBACK_RE.search(text))


def _owner_and_attr(ns: dict, dotted: str):
    parts = dotted.split(".")
    if len(parts) == 1:
        ns[dotted]  # KeyError if missing
        return ns, dotted
    owner = ns[parts[0]]
    for p in parts[1:-1]:
        owner = getattr(owner, p)
    if parts[-1] not in vars(owner):
        raise AttributeError(dotted)
    return owner, parts[-1]


def _get_function(ns: dict, dotted: str):
    owner, attr = _owner_and_attr(ns, dotted)
    if owner is ns:
        return ns[attr], None
    raw = vars(owner)[attr]
    if isinstance(raw, (staticmethod, classmethod)):
        return raw.__func__, type(raw)
    return raw, None


_instancemethod = None


def _as_method(fn):
    """Make ``fn`` bind ``self`` when stored on a class.  Python functions (and
    anything with ``__get__``) already do; a builtin (which is what a compiled
    function is) does not, so wrap it in CPython's C-level ``instancemethod``
    (``PyInstanceMethod_New``), which binds like a function does."""
    global _instancemethod
    if hasattr(type(fn), "__get__"):
        return fn
    if _instancemethod is None:
        f = ctypes.pythonapi.PyInstanceMethod_New
        f.restype = ctypes.py_object
        f.argtypes = [ctypes.py_object]
        _instancemethod = f
    return _instancemethod(fn)


def _install(ns: dict, dotted: str, compiled, wrapper) -> None:
    owner, attr = _owner_and_attr(ns, dotted)
    if owner is ns:
        ns[attr] = compiled
    elif wrapper is not None:
        setattr(owner, attr, wrapper(compiled))
    else:
        setattr(owner, attr, _as_method(compiled))


# --------------------------------------------------------------------------
# Results

def canonical(x):
    """A comparable form of a result: type names kept, floats by repr."""
    t = type(x)
    if t is float or t is complex:
        return (t.__name__, repr(x))
    if t is tuple or t is list:
        return (t.__name__, tuple(canonical(v) for v in x))
    if t is dict:
        return ("dict", tuple((canonical(k), canonical(v)) for k, v in x.items()))
    if t is set or t is frozenset:
        return (t.__name__, tuple(sorted(repr(canonical(v)) for v in x)))
    return (f"{t.__module__}.{t.__qualname__}", x)


def same_result(a, b) -> bool:
    """Same type and ``==`` (floats by repr), recursively; insertion order of
    dicts counts, since exact semantics preserve it."""
    try:
        return bool(canonical(a) == canonical(b))
    except Exception:
        return False


def short_repr(x, limit: int = 200) -> str:
    try:
        r = repr(x)
    except Exception as exc:  # pragma: no cover - a broken __repr__
        r = f"<unreprable {type(x).__name__}: {exc!r}>"
    r = f"{type(x).__name__}: {r}"
    return r if len(r) <= limit else r[: limit - 3] + "..."


def _exc_text(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0][:300]}" if msg else type(exc).__name__


# --------------------------------------------------------------------------
# Measuring one program

def _new_variant(kind: str, compiler: Optional[Compiler]) -> dict:
    return {
        "kind": kind,                  # interpreter | compiled | numba
        "compiler": compiler.name if compiler else None,
        "skipped": None,               # why this variant did not run, if it did not
        "error": None,                 # "ExcType: message" of a compile/run failure
        "error_type": None,            # just the exception class name
        "error_phase": None,           # compile | first call | warmup | round
        "compile_s": None,             # total time of the compile calls
        "compile_per_function_s": {},
        "first_call_s": None,
        "warmup_s": [],
        "times_s": [],                 # the interleaved rounds
        "median_s": None,
        "min_s": None,
        "first_call_overhead_s": None,  # first call - median
        "result_ok": None,             # every result equal to the reference?
        "result": None,                # short repr of the first result
        "mismatch": None,              # short repr of the first differing result
        "fell_back": None,             # any function fell back (jit.explain)
        "fallback_functions": [],
        "explain": {},
    }


class _Runner:
    def __init__(self, kind, compiler, n):
        self.rec = _new_variant(kind, compiler)
        self.compiler = compiler
        self.n = n
        self.entry = None
        self.compiled = {}     # dotted name -> (original, compiled)

    @property
    def active(self):
        return self.entry is not None

    def fail(self, phase, exc):
        self.rec["error"] = _exc_text(exc)
        self.rec["error_type"] = type(exc).__name__
        self.rec["error_phase"] = phase
        self.entry = None

    def prepare(self, prog: Program):
        try:
            ns = prog.namespace(self.rec["kind"])
        except Exception as exc:
            self.fail("load", exc)
            return
        if self.compiler is not None:
            total = 0.0
            for dotted in prog.functions:
                fn, wrapper = _get_function(ns, dotted)
                if "." in dotted and not self.compiler.dotted:
                    continue
                try:
                    with warnings.catch_warnings():
                        if self.rec["kind"] == "numba":  # its deprecation chatter
                            warnings.simplefilter("ignore")
                        t0 = time.perf_counter()
                        compiled = self.compiler.compile(fn)
                        dt = time.perf_counter() - t0
                except Exception as exc:
                    self.fail("compile", exc)
                    self.rec["error"] = f"{dotted}: {self.rec['error']}"
                    return
                total += dt
                self.rec["compile_per_function_s"][dotted] = dt
                self.compiled[dotted] = (fn, compiled)
                _install(ns, dotted, compiled, wrapper)
            self.rec["compile_s"] = total
        self.entry = ns["run"]

    def call(self, phase):
        """Time one call; returns (seconds, result) or None after an exception."""
        fn, n = self.entry, self.n
        gc.collect()
        try:
            if self.rec["kind"] == "numba":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t0 = time.perf_counter()
                    result = fn(n)
                    t1 = time.perf_counter()
            else:
                t0 = time.perf_counter()
                result = fn(n)
                t1 = time.perf_counter()
        except Exception as exc:
            self.fail(phase, exc)
            return None
        return t1 - t0, result

    def check(self, result, reference):
        if same_result(result, reference):
            if self.rec["result_ok"] is None:
                self.rec["result_ok"] = True
        else:
            if self.rec["result_ok"] is not False:
                self.rec["mismatch"] = short_repr(result)
            self.rec["result_ok"] = False

    def explain(self):
        if self.compiler is None:
            return
        any_fell, unknown = False, False
        for dotted, (orig, comp) in self.compiled.items():
            text = None
            if self.compiler.explain is not None:
                try:
                    text = str(self.compiler.explain(comp))
                except Exception as exc:
                    text = f"(explain raised {_exc_text(exc)})"
            if text is not None:
                self.rec["explain"][dotted] = text
            fb = fell_back(orig, comp, text if self.compiler.explain else None)
            if fb:
                any_fell = True
                self.rec["fallback_functions"].append(dotted)
            elif fb is None:
                unknown = True
        self.rec["fell_back"] = True if any_fell else (None if unknown else False)

    def finish(self):
        t = self.rec["times_s"]
        if t:
            self.rec["median_s"] = statistics.median(t)
            self.rec["min_s"] = min(t)
            if self.rec["first_call_s"] is not None:
                self.rec["first_call_overhead_s"] = self.rec["first_call_s"] - self.rec["median_s"]


def run_program(prog: Program, compiler: Compiler, *, numba: Optional[Compiler] = None,
                size="quick", repeats: int = 5, warmup: int = 1,
                time_budget: Optional[float] = None,
                progress: Optional[Callable[[str], None]] = None) -> dict:
    """Measure one program; returns its JSON-ready record."""
    say = progress or (lambda phase: None)
    n = prog.size(size)
    interp = _Runner("interpreter", None, n)
    comp = _Runner("compiled", compiler, n)
    runners = [interp, comp]
    nb = None
    if numba is not None:
        nb = _Runner("numba", numba, n)
        if not prog.numba:
            nb.rec["skipped"] = "program sets NUMBA = False"
        elif any("." in f for f in prog.functions) and not numba.dotted:
            nb.rec["skipped"] = "methods cannot be compiled"
        else:
            runners.append(nb)

    say("compile")
    for r in runners:
        r.prepare(prog)

    # First calls: the interpreter's result is the reference.
    reference = None
    started = time.perf_counter()
    for r in runners:
        if r is not interp and not interp.active:
            break  # the program itself is broken: nothing to compare with
        if not r.active:
            continue
        say(f"first call ({r.rec['kind']})")
        out = r.call("first call")
        if out is None:
            continue
        r.rec["first_call_s"], result = out
        r.rec["result"] = short_repr(result)
        if r is interp:
            reference = result
            r.rec["result_ok"] = True
        else:
            r.check(result, reference)
    active = [r for r in runners if r.active]
    if not interp.active:
        active = []

    # Rounds: bounded by the time budget, estimated from the first calls.
    planned_warmup, planned = warmup, repeats
    if time_budget is not None and active:
        round_cost = sum(r.rec["first_call_s"] or 0.0 for r in active) or 1e-9
        rounds = max(1, int(time_budget // round_cost))
        planned = max(1, min(repeats, rounds))
        planned_warmup = max(0, min(warmup, rounds - planned))

    for i in range(planned_warmup):
        say(f"warm-up {i + 1}/{planned_warmup}")
        for r in active:
            if r.active:
                out = r.call("warmup")
                if out is not None:
                    r.rec["warmup_s"].append(out[0])
                    if r is not interp:
                        r.check(out[1], reference)
                    elif not same_result(out[1], reference):
                        interp.rec["result_ok"] = False
                        interp.rec["mismatch"] = short_repr(out[1])

    done = 0
    for i in range(planned):
        if not any(r.active for r in active):
            break
        say(f"round {i + 1}/{planned}")
        for r in active:
            if r.active:
                out = r.call("round")
                if out is not None:
                    r.rec["times_s"].append(out[0])
                    if r is not interp:
                        r.check(out[1], reference)
                    elif not same_result(out[1], reference):
                        interp.rec["result_ok"] = False  # the program is not deterministic
                        interp.rec["mismatch"] = short_repr(out[1])
        done += 1
        if time_budget is not None and time.perf_counter() - started > time_budget:
            break

    for r in runners:
        r.finish()
    comp.explain()
    for r in runners:
        r.entry = None
        prog.release(r.rec["kind"])

    rec = {
        "name": prog.name,
        "group": prog.group,
        "description": prog.description,
        "n": n,
        "size": size if isinstance(size, str) else "custom",
        "functions": list(prog.functions),
        "repeats": done,
        "repeats_planned": repeats,
        "warmup": planned_warmup,
        "interpreter": interp.rec,
        "compiled": comp.rec,
        "numba": nb.rec if nb is not None else None,
        "speedup": None,
        "numba_speedup": None,
        "status": "ok",
    }
    im = interp.rec["median_s"]
    if im and comp.rec["median_s"]:
        rec["speedup"] = im / comp.rec["median_s"]
    if nb is not None and im and nb.rec["median_s"]:
        rec["numba_speedup"] = im / nb.rec["median_s"]
    if interp.rec["error"] or interp.rec["result_ok"] is False:
        rec["status"] = "BROKEN"   # the program itself failed or is not deterministic
    elif comp.rec["result_ok"] is False:
        rec["status"] = "WRONG"
    elif comp.rec["error"]:
        rec["status"] = "ERROR"
    return rec


# --------------------------------------------------------------------------
# The suite

def geomean(values) -> Optional[float]:
    vals = [v for v in values if v is not None and v > 0]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def summarize(programs: list) -> dict:
    groups = {}
    for g in GROUPS + ("all",):
        rows = [p for p in programs if g == "all" or p["group"] == g]
        if not rows:
            continue
        ok = [p["speedup"] for p in rows if p["status"] == "ok" and p["speedup"]]
        nb = [p["numba_speedup"] for p in rows
              if p.get("numba") and p["numba"]["result_ok"] and p["numba_speedup"]]
        groups[g] = {
            "programs": len(rows),
            "speedup_geomean": geomean(ok),
            "speedup_count": len(ok),
            "numba_speedup_geomean": geomean(nb),
            "numba_count": len(nb),
        }
    bad = lambda s: [p["name"] for p in programs if p["status"] == s]  # noqa: E731
    summary = {
        "groups": groups,
        "wrong": bad("WRONG"),
        "errors": bad("ERROR"),
        "broken": bad("BROKEN"),
        "fallbacks": [p["name"] for p in programs if p["compiled"]["fell_back"]],
        "numba_wrong": [p["name"] for p in programs
                        if p.get("numba") and p["numba"]["result_ok"] is False],
    }
    summary["ok"] = not (summary["wrong"] or summary["errors"] or summary["broken"])
    return summary


def _cpu_model() -> Optional[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _git_commit() -> Optional[str]:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=5)
        if out.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _version_of(module: str) -> Optional[str]:
    mod = sys.modules.get(module)
    if mod is None:
        try:
            mod = importlib.import_module(module)
        except Exception:
            return None
    return getattr(mod, "__version__", None)


def machine_info(compiler: Optional[Compiler] = None, numba: Optional[Compiler] = None) -> dict:
    llvm_version = None
    try:
        import llvmlite.binding as llvm
        llvm_version = ".".join(map(str, llvm.llvm_version_info))
    except Exception:
        pass
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_full": sys.version,
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
        "llvmlite": _version_of("llvmlite"),
        "llvm": llvm_version,
        "jit": _version_of("jit") if compiler is None or compiler.name == "jit"
        else (compiler.version if compiler else None),
        "compiler": compiler.name if compiler else None,
        "numba": numba.version if numba else None,
        "git_commit": _git_commit(),
    }


def resolve_numba(numba) -> tuple:
    """``numba``: None = use it if importable, False = off, True = required,
    or a Compiler.  Returns (Compiler or None, note)."""
    if numba is False:
        return None, "disabled"
    if isinstance(numba, Compiler):
        return numba, None
    try:
        return numba_compiler(), None
    except ImportError as exc:
        if numba is True:
            raise
        return None, f"numba is not installed ({_exc_text(exc)})"
    except Exception as exc:  # a broken install: report, do not crash
        if numba is True:
            raise
        return None, f"numba failed to import ({_exc_text(exc)})"


def _start_up_probe(x):
    return x + 1


def start_up(compiler: Compiler) -> Optional[float]:
    """Seconds to compile and call a one-line function first in this process: the
    compiler's one-time set-up (imports, LLVM, its runtime library), kept out of the
    first program's compile and first-call times. None if that fails (the programs
    then report the failure)."""
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compiler.compile(_start_up_probe)(1)
    except Exception:
        return None
    return time.perf_counter() - t0


def run_suite(programs=None, compile_fn=None, *, repeats: int = 5, warmup: int = 1,
              size="quick", numba=None, time_budget: Optional[float] = None,
              mode: Optional[str] = None,
              progress: Optional[Callable[[int, int, str, str], None]] = None,
              on_result: Optional[Callable[[dict], None]] = None) -> dict:
    """Run programs and return the report (a JSON-ready dict).

    ``programs``: None (all), a list of names / ``Program`` objects, or -k patterns
    via ``discover``.  ``compile_fn``: None (the real ``jit.compile``), a function
    ``f -> callable``, or a ``Compiler``.  ``size``: a SIZES key, an int, or a
    dict name -> n.  ``numba``: see ``resolve_numba``.  ``progress(i, total,
    name, phase)`` is called as work proceeds, ``on_result(record)`` after
    each program.
    """
    compiler = as_compiler(compile_fn)
    nb, numba_note = resolve_numba(numba)
    startup = {"compiled": start_up(compiler)}
    if nb is not None:
        startup["numba"] = start_up(nb)
    if programs is None:
        progs = discover()
    else:
        progs = [p if isinstance(p, Program) else load_program(p) for p in programs]
    started = time.perf_counter()
    records = []
    for i, prog in enumerate(progs):
        cb = None
        if progress is not None:
            cb = (lambda phase, _i=i, _name=prog.name: progress(_i, len(progs), _name, phase))
        records.append(run_program(prog, compiler, numba=nb, size=size, repeats=repeats,
                                   warmup=warmup, time_budget=time_budget, progress=cb))
        if on_result is not None:
            on_result(records[-1])
    return {
        "schema_version": SCHEMA_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "settings": {
            "mode": mode,
            "size": size if isinstance(size, (str, int)) else "custom",
            "repeats": repeats,
            "warmup": warmup,
            "time_budget_s": time_budget,
            "compiler": compiler.name,
            "numba": nb is not None,
            "numba_note": numba_note,
            "interleaved": True,
            "timer": "time.perf_counter",
        },
        "machine": machine_info(compiler, nb),
        "elapsed_s": time.perf_counter() - started,
        "startup_s": startup,
        "programs": records,
        "summary": summarize(records),
    }
