"""wrap: a Native function -> the callable users get (runtime.funcobject)."""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import sys
import threading

from runtime import funcobject


def make_function(original, native):
    return funcobject.make_compiled_function(original, native.entry_address(), native)


def is_compiled(obj) -> bool:
    return funcobject.is_compiled_function(obj)


def explain(obj):
    if is_compiled(obj):
        return funcobject.get_state(obj).explain()
    return None


class FallbackState:
    """The state of a function that fell back: it calls the original."""

    def __init__(self, func, reason: str):
        self._func = func
        self.reason = reason

    def explain(self):
        return f"{self._func.__qualname__}: fell back to the interpreter: {self.reason}"


def make_fallback(func, reason: str):
    obj = funcobject.make_lazy_function(func, None)
    funcobject.install(obj, None, FallbackState(func, reason))
    return obj


class LazyState:
    """The state of a ``jit.jit`` function until its first call: that call runs this
    (funcobject's jitfo_lazy entry), which compiles the function and installs the
    compiled code's entry and state in the same object, or (a fallback) makes it
    call the original function. The object stays the one the decorator returned."""

    def __init__(self, func, compile_fn):
        self._func = func
        self._compile = compile_fn
        self._lock = threading.Lock()
        self._done = False
        self._fallback = None

    def __call__(self, obj, _finalizing=sys.is_finalizing):
        with self._lock:
            if not self._done and _finalizing():
                # a first call while the interpreter exits (a finaliser): imports fail
                # by now, so the compiler cannot run; the original does, from now on
                self._fallback = self._func
                funcobject.install(obj, None, self)
                self._done = True
            if not self._done:
                compiled = self._compile()
                if is_compiled(compiled):
                    funcobject.install(obj, funcobject.entry_of(compiled),
                                       funcobject.get_state(compiled))
                else:       # fell back: the original runs from now on
                    self._fallback = compiled
                    funcobject.install(obj, None, self)
                self._done = True
        return None

    def explain(self):
        if self._fallback is not None:
            from . import api
            return api.explain(self._fallback)
        return f"{self._func.__qualname__}: not compiled yet (compiles on first call)"


def make_lazy(func, compile_fn):
    return funcobject.make_lazy_function(func, LazyState(func, compile_fn))
