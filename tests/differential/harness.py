"""Differential harness: run a case in the interpreter and compiled, compare.

A *case* is a function defined at module level in a ``cases_*.py`` module
(registered with ``@case(...)``) or a module-level source snippet (registered
with ``module_case(...)``).  For each call the harness

  * resets the module globals the case declares (``globals=``/``resets=``),
  * deep-copies the arguments and runs the original,
  * deep-copies the arguments again and runs the compiled version,

and compares the two *outcomes*: the return value (recursively, with exact
types, floats by ``repr``), or the exception (type, ``str``, ``args``, the
``__cause__``/``__context__`` chain, ``__suppress_context__``, sub-exceptions
of groups, notes, and the traceback as ``(file, function, line)`` entries
after the harness frame), captured stdout, the final state of the arguments,
the declared globals, ``sys.exc_info()`` after a normal return, that no
undeclared module global was rebound, and (after a normal return) the
reference counts of fresh mutable arguments and of the result, which catches
leaked or missing references in compiled code.

Registration::

    @case((1, 2), (3, 4), C(1, b=2), install=True)
    def add(a, b): ...

``C(*args, **kwargs)`` is a call with keywords; a plain tuple is positional
arguments; ``@case()`` is one call with no arguments.

Options (keywords of ``case``/``module_case``):

  install     during the compiled run, the module global named like the
              function is the compiled function (so recursion goes through it)
  tb          compare tracebacks (default True)
  exc_type_only  compare only the exception type (e.g. RecursionError)
  globals     names of module globals the case may rebind/mutate; they are
              restored to (a deep copy of) their initial value before each run
              and compared afterwards
  resets      callable run before each run (extra global-state reset)
  fallback    passed to jit.compile (only generator/async cases use True)
  consume     callable applied to the result inside the harness frame
              (e.g. ``list`` for a generator)
  in_handler  call the function while the harness is handling an exception
  mode        compile mode of a module snippet ("exec" or "single")
  preset      initial namespace of a module snippet

Environment:

  JIT_DIFF_SELFTEST=1  the "compiled" side is the original itself; this checks
                       that the cases are deterministic and the harness sound
  JIT_DIFF_FORK=0/1    run each case in a forked child (default: on against the
                       compiler, off in selftest) so a crash or hang fails only
                       that case
  JIT_DIFF_TIMEOUT=s   per-case time limit in a forked child (default 120)

Frames of the compiler's own Python code (files under jit/ and runtime/) are
left out of traceback comparisons; everything else must match.
"""
from __future__ import annotations

import builtins
import contextlib
import copy
import io
import os
import sys
import textwrap
import traceback
import types
from dataclasses import dataclass, field
from typing import Callable

SELFTEST = os.environ.get("JIT_DIFF_SELFTEST", "") not in ("", "0")

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
# Frames of the compiler's own Python code (wrappers, fallback interpreter)
# are an implementation detail and are left out of traceback comparisons.
_INTERNAL_DIRS = tuple(os.path.join(_ROOT, d) + os.sep for d in ("jit", "runtime"))


# --------------------------------------------------------------------------
# registration

@dataclass
class Call:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __repr__(self):
        parts = [repr(a) for a in self.args]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        s = "(" + ", ".join(parts) + ")"
        return s if len(s) < 200 else s[:197] + "...)"


def C(*args, **kwargs) -> Call:
    """A call with keyword arguments: ``C(1, 2, key=3)``."""
    return Call(args, kwargs)


@dataclass
class Case:
    name: str
    calls: list
    func: Callable | None = None
    source: str | None = None
    filename: str | None = None
    install: bool = False
    tb: bool = True
    exc_type_only: bool = False
    globals: tuple = ()
    resets: Callable | None = None
    fallback: bool = False
    consume: Callable | None = None
    in_handler: bool = False
    mode: str = "exec"
    preset: dict | None = None

    @property
    def module_globals(self):
        return self.func.__globals__ if self.func is not None else None

    def __repr__(self):
        return f"<Case {self.name}>"


REGISTRY: list[Case] = []
_NAMES: set[str] = set()
_OPTIONS = {"install", "tb", "exc_type_only", "globals", "resets", "fallback",
            "consume", "in_handler", "mode", "preset"}


def _as_call(c) -> Call:
    if isinstance(c, Call):
        return c
    if isinstance(c, tuple):
        return Call(c, {})
    raise TypeError(f"a call must be a tuple of arguments or C(...), not {c!r}")


def _register(c: Case):
    if c.name in _NAMES:
        raise ValueError(f"duplicate case name {c.name}")
    _NAMES.add(c.name)
    REGISTRY.append(c)


def _short_module(modname: str) -> str:
    return modname.rsplit(".", 1)[-1]


def case(*calls, name=None, **opts):
    """Register the decorated function with the given calls (see module doc)."""
    bad = set(opts) - _OPTIONS
    if bad:
        raise TypeError(f"unknown case options {sorted(bad)}")
    calls_ = [_as_call(c) for c in calls] or [Call()]

    def deco(f):
        nm = name or f.__qualname__
        _register(Case(name=f"{_short_module(f.__module__)}.{nm}", calls=calls_,
                       func=f, **opts))
        return f
    return deco


def module_case(name, source, *, module=None, **opts):
    """Register a module-level snippet (dedented) run with exec / jit.exec."""
    bad = set(opts) - _OPTIONS
    if bad:
        raise TypeError(f"unknown case options {sorted(bad)}")
    if module is None:
        module = sys._getframe(1).f_globals.get("__name__", "?")
    src = textwrap.dedent(source)
    _register(Case(name=f"{_short_module(module)}.{name}", calls=[Call()], source=src,
                   filename=f"<snippet {name}>", **opts))


# --------------------------------------------------------------------------
# normalisation: turn a value into a plain, comparable structure

def _tkey(t: type):
    return f"{t.__module__}.{t.__qualname__}"


_SIMPLE_REPR = (type(None), bool, type(Ellipsis), type(NotImplemented), complex,
                range, slice)


def _default_repr(t):
    return t.__repr__ is object.__repr__


def norm(v, _path=None, _depth=0):
    """A deterministic structure that is equal iff two values look the same."""
    if _path is None:
        _path = set()
    if _depth > 60:
        return ("<too deep>",)
    t = type(v)
    tk = _tkey(t)
    if isinstance(v, _SIMPLE_REPR) and t in _SIMPLE_REPR:
        return (tk, repr(v))
    if isinstance(v, float):
        return (tk, repr(float(v)))
    if isinstance(v, int):
        return (tk, int(v))
    if isinstance(v, (str, bytes)):
        return (tk, str.__str__(v) if isinstance(v, str) else bytes(v))
    if isinstance(v, bytearray):
        return (tk, bytes(v))
    if isinstance(v, BaseException):
        return norm_exc(v, tb=False)
    if isinstance(v, type) and (v.__module__ == "builtins" or id(v) in _path):
        return ("<type>", _tkey(v))
    if isinstance(v, types.ModuleType):
        return ("<module>", v.__name__)
    if isinstance(v, types.FunctionType) and id(v) not in _path:
        _path.add(id(v))
        try:
            return ("<function>", v.__qualname__, norm(v.__defaults__, _path, _depth + 1),
                    norm(v.__kwdefaults__, _path, _depth + 1),
                    norm(getattr(v, "__annotations__", None), _path, _depth + 1))
        finally:
            _path.discard(id(v))
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                      types.BuiltinMethodType, types.WrapperDescriptorType,
                      types.MethodWrapperType, types.MethodDescriptorType)):
        return ("<callable>", tk, getattr(v, "__qualname__", getattr(v, "__name__", "?")))
    if isinstance(v, (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)):
        return ("<gen>", tk, v.__qualname__)
    if isinstance(v, types.CodeType):
        return ("<code>", v.co_qualname, v.co_firstlineno)
    if isinstance(v, (types.CellType,)):
        try:
            return ("<cell>", norm(v.cell_contents, _path, _depth + 1))
        except ValueError:
            return ("<cell>", "<empty>")
    if id(v) in _path:
        return ("<cycle>", tk)
    _path.add(id(v))
    try:
        return _norm_container(v, t, tk, _path, _depth)
    finally:
        _path.discard(id(v))


def _norm_container(v, t, tk, _path, _depth):
    def n(x):
        return norm(x, _path, _depth + 1)
    if isinstance(v, type):
        # a user-defined class: its name and its own non-dunder attributes
        attrs = [(k, n(x)) for k, x in v.__dict__.items()
                 if not (k.startswith("__") and k.endswith("__")) or k == "__annotations__"]
        return ("<type>", _tkey(v), [b.__qualname__ for b in v.__bases__], attrs)
    if isinstance(v, (tuple, list)):
        extra = ()
        if hasattr(v, "__dict__") and vars(v):
            extra = (n(vars(v)),)
        return (tk, [n(x) for x in v]) + extra
    if isinstance(v, dict):
        extra = ()
        if hasattr(v, "default_factory"):
            extra = (n(v.default_factory),)
        return (tk, [(n(k), n(x)) for k, x in v.items()]) + extra
    if isinstance(v, (set, frozenset)):
        return (tk, sorted((n(x) for x in v), key=repr))
    if isinstance(v, (types.MappingProxyType,)):
        return (tk, sorted(((n(k), n(x)) for k, x in v.items()), key=repr))
    parts = []
    d = getattr(v, "__dict__", None)
    if isinstance(d, dict):
        parts.append(("__dict__", n(d)))
    for k in _slot_names(t):
        try:
            parts.append((k, n(getattr(v, k))))
        except AttributeError:
            parts.append((k, "<unset>"))
    if not _default_repr(t):
        try:
            parts.append(("repr", repr(v)))
        except Exception as e:  # a broken __repr__ is still deterministic
            parts.append(("repr-error", type(e).__name__, str(e)))
    return (tk, parts)


def _slot_names(t):
    out = []
    for k in t.__mro__:
        s = k.__dict__.get("__slots__", ())
        if isinstance(s, str):
            s = (s,)
        out += [x for x in s if x not in ("__dict__", "__weakref__")]
    return out


def _tb_entries(tb, skip_harness):
    entries = [(os.path.basename(fs.filename), fs.name, fs.lineno)
               for fs, raw in zip(traceback.extract_tb(tb), _raw_filenames(tb))
               if not raw.startswith(_INTERNAL_DIRS)]
    if skip_harness:
        # drop the harness frame(s): everything up to and including _invoke
        for i, (fn, name, _) in enumerate(entries):
            if name == "_invoke" and fn == "harness.py":
                entries = entries[i + 1:]
                break
    return entries


def _raw_filenames(tb):
    out = []
    while tb is not None:
        out.append(os.path.abspath(tb.tb_frame.f_code.co_filename)
                   if not tb.tb_frame.f_code.co_filename.startswith("<")
                   else tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return out


def norm_exc(e, tb=True, top=False, type_only=False, _seen=None, _depth=0):
    """Exception -> structure: type, message, args, chain, groups, traceback."""
    if e is None:
        return None
    if type_only:
        return ("<exc>", _tkey(type(e)))
    if _seen is None:
        _seen = set()
    if id(e) in _seen or _depth > 20:
        return ("<exc-cycle>", _tkey(type(e)))
    _seen = _seen | {id(e)}
    try:
        msg = str(e)
    except Exception as x:
        msg = f"<str failed: {type(x).__name__}>"
    d = {
        "type": _tkey(type(e)),
        "str": msg,
        # (a group's args hold its exceptions, compared under "group" with the cycle
        # guard: exceptions' contexts can lead back to the group)
        "args": norm(e.args) if not isinstance(e, BaseExceptionGroup) else e.message,
    }
    notes = getattr(e, "__notes__", None)
    if notes is not None:
        d["notes"] = list(notes)
    if isinstance(e, BaseExceptionGroup):
        d["group"] = [norm_exc(x, tb, False, False, _seen, _depth + 1) for x in e.exceptions]
    if isinstance(e, (SyntaxError,)):
        d["syntax"] = (e.filename, e.lineno, e.offset, e.text)
    if isinstance(e, (ImportError,)):
        d["import"] = (e.name,)
    if isinstance(e, (AttributeError, NameError)) and hasattr(e, "name"):
        d["name"] = e.name
    if isinstance(e, StopIteration):
        d["value"] = norm(e.value)
    d["suppress_context"] = e.__suppress_context__
    d["cause"] = norm_exc(e.__cause__, tb, False, False, _seen, _depth + 1)
    d["context"] = norm_exc(e.__context__, tb, False, False, _seen, _depth + 1)
    if tb:
        d["traceback"] = _tb_entries(e.__traceback__, skip_harness=top)
    return d


# --------------------------------------------------------------------------
# running

class _HarnessMarker(Exception):
    """Raised and handled around the call for ``in_handler`` cases."""


def _invoke(fn, args, kwargs, in_handler, consume):
    # Both sides are called from exactly these lines; tracebacks are compared
    # from the frame after this one.
    try:
        if in_handler:
            try:
                raise _HarnessMarker("harness")
            except _HarnessMarker:
                r = fn(*args, **kwargs)
                if consume is not None:
                    r = consume(r)
        else:
            r = fn(*args, **kwargs)
            if consume is not None:
                r = consume(r)
        exc_after = sys.exc_info()[0]
    except BaseException as e:  # noqa: B902 - we compare every exception
        return None, e, None
    return r, None, exc_after


def _exec_invoke(code, ns, executor):
    try:
        executor(code, ns)
    except BaseException as e:
        return e
    return None


@dataclass
class Outcome:
    fields: dict

    def diff(self, other: "Outcome"):
        out = []
        for k in self.fields.keys() | other.fields.keys():
            a, b = self.fields.get(k), other.fields.get(k)
            if a != b:
                out.append((k, a, b))
        keys = {k for k, _, _ in out}
        if keys & {"result", "exception"}:
            # reference counts are only taken after a normal return
            out = [x for x in out if x[0] != "refcounts"]
        return sorted(out, key=lambda x: x[0])


_MISSING = ("<missing>",)


def _snapshot_ids(g: dict, skip):
    return {k: id(v) for k, v in g.items() if k not in skip}


def _tracked(x):
    """Objects whose reference count is meaningful: fresh, unshared, mutable."""
    if isinstance(x, (list, dict, set, bytearray)):
        return True
    return (hasattr(x, "__dict__") and not isinstance(x, (type, types.ModuleType, types.FunctionType,
                                                         types.BuiltinFunctionType, types.MethodType))
            and type(x).__module__ != "builtins")


def _refcounts(args, kwargs, r, gc_first):
    if gc_first:
        import gc
        gc.collect()
    objs = list(args) + list(kwargs.values()) + [r]
    # -1: the reference held by objs itself
    return [(i, sys.getrefcount(o) - 1) for i, o in enumerate(objs) if _tracked(o)]


def _plain_instance(x) -> bool:
    """An instance of a class of the program with nothing custom about its making,
    copying or attribute storage."""
    t = type(x)
    if t.__module__ == "builtins" or not hasattr(x, "__dict__") or \
            any("__slots__" in vars(k) for k in t.__mro__[:-1]):
        return False
    return (t.__new__ is object.__new__ and t.__setattr__ is object.__setattr__ and
            t.__reduce_ex__ is object.__reduce_ex__ and t.__reduce__ is object.__reduce__ and
            not hasattr(t, "__deepcopy__") and not hasattr(t, "__setstate__") and
            t.__getstate__ is object.__getstate__)


def fresh_copy(x, memo=None):
    """copy.deepcopy, except that an instance of a plain class is rebuilt attribute
    by attribute: deepcopy fills a copy's ``__dict__``, which makes the copy keep its
    attributes in a dict of its own, and compiled code's paths for attributes stored
    the usual way (in the object's values) would never see a copied argument."""
    if memo is None:
        memo = {}
    got = memo.get(id(x), memo)
    if got is not memo:
        return got
    t = type(x)
    if t is list:
        r = memo[id(x)] = []
        r.extend(fresh_copy(v, memo) for v in x)
    elif t is dict:
        r = memo[id(x)] = {}
        for k, v in x.items():
            r[fresh_copy(k, memo)] = fresh_copy(v, memo)
    elif t is tuple:
        items = [fresh_copy(v, memo) for v in x]
        r = x if all(a is b for a, b in zip(items, x)) else tuple(items)
        memo[id(x)] = r
    elif _plain_instance(x):
        r = memo[id(x)] = object.__new__(t)
        for k, v in vars(x).items():
            setattr(r, k, fresh_copy(v, memo))
    else:
        return copy.deepcopy(x, memo)
    memo.setdefault(id(memo), []).append(x)     # (as deepcopy: x stays alive meanwhile)
    return r


def run_function(case: Case, fn, call: Call, *, installed=None, gc_first=False) -> Outcome:
    """Run ``fn`` for ``call`` with the case's state discipline; return an Outcome."""
    g = case.module_globals
    _restore_globals(case)
    if case.resets is not None:
        case.resets()
    args, kwargs = fresh_copy((call.args, call.kwargs))
    own = case.func.__name__
    saved_self = g.get(own, _MISSING)
    skip = set(case.globals) | {own}
    before = _snapshot_ids(g, skip)
    if installed is not None:
        g[own] = installed
    out = io.StringIO()
    old_limit = sys.getrecursionlimit()
    try:
        with contextlib.redirect_stdout(out):
            r, e, exc_after = _invoke(fn, args, kwargs, case.in_handler, case.consume)
    finally:
        sys.setrecursionlimit(old_limit)
        if saved_self is _MISSING:
            g.pop(own, None)
        else:
            g[own] = saved_self
    after = _snapshot_ids(g, skip)
    declared = {k: norm(g.get(k, _MISSING)) for k in case.globals}
    _restore_globals(case)
    f = {
        "stdout": out.getvalue(),
        "args_after": norm((args, kwargs)),
        "globals": declared,
        "undeclared_global_changes": sorted(
            k for k in before.keys() | after.keys() if before.get(k) != after.get(k)),
    }
    if e is None:
        f["result"] = norm(r)
        f["exc_info_after_return"] = None if exc_after is None else _tkey(exc_after)
        # leaked or missing references to the arguments / the result
        f["refcounts"] = _refcounts(args, kwargs, r, gc_first)
    else:
        f["exception"] = norm_exc(e, tb=case.tb and not case.exc_type_only, top=True,
                                  type_only=case.exc_type_only)
    del e, r
    return Outcome(f)


_INITIAL: dict = {}


def _restore_globals(case: Case):
    g = case.module_globals
    for k, v in _initial_globals(case).items():
        if v is _MISSING:
            g.pop(k, None)
        else:
            g[k] = copy.deepcopy(v)


def _initial_globals(case: Case):
    """Deep copies of the declared globals' values at first use (registration state)."""
    key = case.name
    if key not in _INITIAL:
        g = case.module_globals
        _INITIAL[key] = {k: copy.deepcopy(g[k]) if k in g else _MISSING for k in case.globals}
    return _INITIAL[key]


def compile_source(case: Case):
    # dont_inherit: this module's __future__ imports must not leak into snippets
    return builtins.compile(case.source, case.filename, case.mode, dont_inherit=True)


def _fresh_ns(case: Case):
    ns = {"__name__": "snippet_" + case.name.rsplit(".", 1)[-1]}
    if case.preset:
        ns.update(copy.deepcopy(case.preset))
    return ns


def run_module(case: Case, code, executor) -> Outcome:
    if case.resets is not None:
        case.resets()
    ns = _fresh_ns(case)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        e = _exec_invoke(code, ns, executor)
    f = {"stdout": out.getvalue(),
         "namespace": norm({k: v for k, v in ns.items() if k != "__builtins__"})}
    if e is not None:
        f["exception"] = norm_exc(e, tb=case.tb and not case.exc_type_only, top=True,
                                  type_only=case.exc_type_only)
        # the module frame is the first entry after _exec_invoke's
        if "traceback" in f["exception"]:
            tbs = f["exception"]["traceback"]
            for i, (fn, name, _) in enumerate(tbs):
                if name == "_exec_invoke" and fn == "harness.py":
                    f["exception"]["traceback"] = tbs[i + 1:]
                    break
    return Outcome(f)


# --------------------------------------------------------------------------
# compiling

def _jit():
    import jit  # imported lazily: the selftest must not depend on the compiler
    return jit


def compile_case(case: Case):
    """The compiled function (or code object) for a case; SELFTEST: the original."""
    if case.func is not None:
        if SELFTEST:
            return case.func
        return _jit().compile(case.func, fallback=case.fallback)
    code = compile_source(case)
    if SELFTEST:
        return code
    return _jit().compile(code, fallback=case.fallback)


def _executor():
    if SELFTEST:
        return builtins.exec
    return _jit().exec


class Mismatch(AssertionError):
    pass


def check_case(case: Case, compiled=None, executor=None):
    """Run every call of ``case`` both ways; raise Mismatch describing differences."""
    if compiled is None:
        compiled = compile_case(case)
    problems = []
    if case.func is not None:
        installed = compiled if case.install else None
        for call in case.calls:
            ref = run_function(case, case.func, call)
            got = run_function(case, compiled, call, installed=installed)
            d = ref.diff(got)
            if d and [k for k, _, _ in d] == ["refcounts"]:
                # frames kept alive by reference cycles (e.g. a traceback stored
                # in a local) are the interpreter's business: collect, compare again
                ref = run_function(case, case.func, call, gc_first=True)
                got = run_function(case, compiled, call, installed=installed, gc_first=True)
                d = ref.diff(got)
            if d:
                problems.append((call, d))
    else:
        code = compile_source(case)
        ref = run_module(case, code, builtins.exec)
        got = run_module(case, compiled, executor or _executor())
        d = ref.diff(got)
        if d:
            problems.append(("<module>", d))
    if problems:
        raise Mismatch(format_problems(case, problems))


FORK = os.environ.get("JIT_DIFF_FORK", "0" if SELFTEST else "1") not in ("", "0")
TIMEOUT = float(os.environ.get("JIT_DIFF_TIMEOUT", "120"))


def run_forked(child, name: str, timeout: float, error=AssertionError):
    """``child()`` in a forked process, so a crash or a hang fails one case only;
    returns its (picklable) result, or raises ``error`` saying what went wrong."""
    import pickle
    import select
    import signal
    import time
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        status = 0
        try:
            data = pickle.dumps(child())
            with os.fdopen(w, "wb") as f:
                f.write(data)
        except BaseException:
            status = 3
        os._exit(status)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    with os.fdopen(r, "rb") as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([f], [], [], left)
            if not ready:
                continue
            chunk = os.read(f.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        raise error(f"{name}: timed out after {timeout:.0f}s (killed)")
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status)).name
        raise error(f"{name}: the process crashed with {sig}")
    if not chunks:
        raise error(f"{name}: the child exited ({os.WEXITSTATUS(status)}) without a result")
    return pickle.loads(b"".join(chunks))


def check_case_isolated(case: Case, timeout: float = TIMEOUT):
    """``check_case`` in a forked child (see run_forked)."""
    def child():
        try:
            check_case(case)
            return ("ok", None, None)
        except Mismatch as e:
            return ("mismatch", str(e), None)
        except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
            return ("error", f"{type(e).__name__}: {e}", traceback.format_exc())

    kind, msg, tb = run_forked(child, case.name, timeout, Mismatch)
    if kind == "mismatch":
        raise Mismatch(msg)
    if kind == "error":
        raise AssertionError(f"{case.name}: {msg}\n{tb}")


def format_problems(case, problems):
    lines = [f"{case.name}: behaviour differs from the interpreter"]
    for call, d in problems:
        lines.append(f"  call {call!r}:")
        for k, a, b in d:
            for path, x, y in _leaf_diff(a, b, k):
                lines.append(f"    {path}:")
                lines.append(f"      interpreter: {_short(x)}")
                lines.append(f"      compiled:    {_short(y)}")
    return "\n".join(lines)


def _leaf_diff(a, b, path):
    """Descend into dicts present on both sides so the message names what differs."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            x, y = a.get(k, "<absent>"), b.get(k, "<absent>")
            if x != y:
                yield from _leaf_diff(x, y, f"{path}.{k}")
    elif (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
          and type(a) is type(b) and len(repr(a)) > 200):
        # normalised values are nested (type, contents) tuples/lists: point at the element
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                yield from _leaf_diff(x, y, f"{path}[{i}]")
    else:
        yield path, a, b


def _short(x, n=1500):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


# --------------------------------------------------------------------------
# loading

CASE_MODULES = (
    "cases_arith", "cases_compare", "cases_names", "cases_attrs", "cases_calls",
    "cases_containers", "cases_unpack", "cases_comprehensions", "cases_strings",
    "cases_control", "cases_closures", "cases_exceptions", "cases_with",
    "cases_classes", "cases_instantiation", "cases_match", "cases_imports", "cases_module",
    "cases_recursion", "cases_generators", "cases_misc", "cases_dynamic", "cases_folds",
)


def load_all():
    import importlib
    pkg = __name__.rsplit(".", 1)[0]
    for m in CASE_MODULES:
        importlib.import_module(f"{pkg}.{m}")
    return REGISTRY


def iter_code_objects(code):
    """``code`` and every code object nested in its constants."""
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield from iter_code_objects(c)
