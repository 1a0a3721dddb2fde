"""wrap: a Native function -> the callable users get (runtime.funcobject)."""
from __future__ import annotations

import functools

from runtime import funcobject


def make_function(original, native):
    return funcobject.make_compiled_function(original, native.entry_address(), native)


def is_compiled(obj) -> bool:
    return funcobject.is_compiled_function(obj)


def explain(obj):
    if is_compiled(obj):
        return funcobject.get_state(obj).explain()
    if isinstance(obj, Lazy):
        return obj.explain()
    return None


class Lazy:
    """@jit.jit: compiles on the first call."""

    def __init__(self, func, compile_fn):
        self._func = func
        self._compile = compile_fn
        self._compiled = None
        functools.update_wrapper(self, func)

    def _target(self):
        if self._compiled is None:
            self._compiled = self._compile()
        return self._compiled

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        import types
        return types.MethodType(self, obj)

    def explain(self):
        if self._compiled is None:
            return f"{self._func.__qualname__}: not compiled yet (compiles on first call)"
        from . import api
        return api.explain(self._compiled)


def make_lazy(func, compile_fn):
    return Lazy(func, compile_fn)
