"""Exact argument binding for compiled functions.

``make_binder(func)`` returns a plain Python function with the *same
signature* as ``func`` whose body only returns its parameters::

    def f(a, b=2, /, c=3, *args, d, e=5, **kw): ...
    binder = make_binder(f)
    binder(1, c=0, d=4)   # -> (1, 2, 0, 4, 5, (), {})

The tuple is in ``co_varnames[:nparams]`` order -- CPython's frame layout of
the arguments: positional (including positional-only), keyword-only, then the
``*args`` tuple, then the ``**kwargs`` dict.  Since the binder *is* a CPython
function with the same parameter names, defaults, name and qualname, the
interpreter binds the arguments for us, and every binding error is the very
one the original would raise, message for message ("f() missing 1 required
positional argument: 'a'", "f() got multiple values for argument 'a'" ...).
An argument-binding error is raised before the binder's frame starts
running, so its traceback has no entry for the binder.

How it is built: the source names the parameters ``a0, a1, ...`` (so any
parameter name works, even ones that are not identifiers in source, such as
the ``.0`` of a comprehension's code object) and depends only on the shape
of the signature (compiled once per shape, cached); then ``co_varnames`` is
replaced by the real names; argument binding and its error messages read the
names from there.  ``__defaults__``/``__kwdefaults__`` are *set* from
``func`` afterwards, so the default objects are the original's (identity is
preserved) and the source needs no default expressions at all: CPython takes
defaults from the function object at call time, never from the code.

The compiled entry point calls the binder (through ``PyObject_Vectorcall``)
when a call does not take its fast path, and reads defaults from
``binder.__defaults__``/``__kwdefaults__`` at call time, so updating those
(``CompiledFunction.__defaults__ = ...`` does) changes later calls.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins
import functools
import inspect
import types

__all__ = ["make_binder", "binder_nparams", "binder_names"]

_CO_VARARGS = inspect.CO_VARARGS
_CO_VARKEYWORDS = inspect.CO_VARKEYWORDS


def binder_nparams(code: types.CodeType) -> int:
    """Number of argument slots of ``code``'s frame (what a binder returns)."""
    return (code.co_argcount + code.co_kwonlyargcount
            + bool(code.co_flags & _CO_VARARGS) + bool(code.co_flags & _CO_VARKEYWORDS))


def binder_names(code: types.CodeType) -> tuple[str, ...]:
    """Names of the values a binder for ``code`` returns, in order."""
    return code.co_varnames[:binder_nparams(code)]


def _binder_source(code: types.CodeType) -> str:
    nposonly = code.co_posonlyargcount
    npos = code.co_argcount
    nkwonly = code.co_kwonlyargcount
    n = binder_nparams(code)
    names = [f"a{i}" for i in range(n)]
    params = names[:nposonly]
    if nposonly:
        params.append("/")
    params += names[nposonly:npos]
    kwonly = names[npos:npos + nkwonly]
    i = npos + nkwonly
    if code.co_flags & _CO_VARARGS:
        params.append("*" + names[i])
        i += 1
    elif kwonly:
        params.append("*")
    params += kwonly
    if code.co_flags & _CO_VARKEYWORDS:
        params.append("**" + names[i])
    result = ", ".join(names) + ("," if n == 1 else "")
    return f"def binder({', '.join(params)}):\n    return ({result})\n"


@functools.lru_cache(maxsize=512)
def _template(source: str) -> types.CodeType:
    """The code object of the ``def binder`` in ``source`` (cached per shape)."""
    module = compile(source, "<jit binder>", "exec")
    (code,) = [c for c in module.co_consts if isinstance(c, types.CodeType)]
    return code


# Globals of every binder: the body only reads its parameters.  Not the
# namespace the source ran in, which would make each binder part of a cycle.
_GLOBALS = {"__builtins__": builtins}


def make_binder(func: types.FunctionType) -> types.FunctionType:
    """A function with ``func``'s signature returning the bound parameter tuple."""
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"make_binder() needs a Python function, not {type(func).__name__}")
    code = func.__code__
    template = _template(_binder_source(code))
    assert len(template.co_varnames) == binder_nparams(code)
    binder = types.FunctionType(template.replace(
        co_varnames=binder_names(code),
        co_name=code.co_name,
        co_qualname=code.co_qualname,
        co_filename=code.co_filename,
        co_firstlineno=code.co_firstlineno,
    ), _GLOBALS, func.__name__)
    binder.__qualname__ = func.__qualname__
    binder.__module__ = func.__module__
    binder.__doc__ = func.__doc__
    binder.__defaults__ = func.__defaults__
    binder.__kwdefaults__ = func.__kwdefaults__
    binder.__annotations__ = func.__annotations__
    if hasattr(func, "__type_params__"):  # 3.12+
        binder.__type_params__ = func.__type_params__
    return binder
