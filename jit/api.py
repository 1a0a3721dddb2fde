"""The public API: compile, exec, jit, explain."""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins
import collections
import sys
import types

from runtime.own_builtins import as_imported
from .errors import CompileError, UnsupportedError
from . import frontend

# 3.11 opnames lowered so far in this process (for coverage reports).
opcode_coverage: collections.Counter = collections.Counter()

_GENERATOR_FLAGS = 0x20 | 0x80 | 0x100 | 0x200  # GENERATOR, COROUTINE, ITERABLE_COROUTINE, ASYNC_GENERATOR
_FUNCTION_BODY = 0x1 | 0x2     # CO_OPTIMIZED, CO_NEWLOCALS


def supported_opcodes() -> frozenset[str]:
    """Opcode names this compiler lowers on the running Python version."""
    return frontend.supported_opcodes()


class CompiledCode:
    """A module-level code object compiled to native code; run with jit.exec."""

    def __init__(self, code, native):
        self.code = code
        self.native = native

    def __repr__(self):
        return f"<jit-compiled code {self.code.co_name} from {self.code.co_filename!r}>"


@as_imported      # (compiling, and the imports on the way: see there)
def compile(obj, *, fallback: bool = True, specialize: bool = True,
            _finalizing=sys.is_finalizing):
    """Compile a function or code object. See the module docstring."""
    if _finalizing() and isinstance(obj, (types.FunctionType, types.CodeType)):
        return _exiting(obj, fallback)
    from . import pipeline, wrap
    if isinstance(obj, CompiledCode) or wrap.is_compiled(obj):
        return obj
    if isinstance(obj, types.FunctionType):
        code = obj.__code__
    elif isinstance(obj, types.CodeType):
        code = obj
        if code.co_freevars:     # (as exec() refuses it: a well-formed code, a wrong argument)
            raise TypeError(f"jit.compile() of a code object with free variables "
                            f"({code.co_qualname}) needs its function: compile the function")
    elif isinstance(obj, types.MethodType):
        raise TypeError("jit.compile() takes a function or a code object, not a bound method; "
                        "compile the function (obj.method.__func__) instead")
    else:
        raise TypeError(f"jit.compile() takes a function or a code object, not {type(obj).__name__}")
    try:
        if code.co_flags & _GENERATOR_FLAGS:
            opcode, line = _first_of(code, ("RETURN_GENERATOR", "GEN_START"))
            raise UnsupportedError(f"{code.co_qualname}: opcode {opcode} (line {line}): "
                                   "generators and coroutines run in the interpreter",
                                   opcode=opcode, lineno=line)
        if code is not obj and not pipeline.exact_namespaces(obj.__globals__, obj.__builtins__):
            which = "globals" if type(obj.__globals__) is not dict else "builtins"
            opcode, line = _first_of(code, ("LOAD_GLOBAL", "STORE_GLOBAL", "DELETE_GLOBAL"))
            raise UnsupportedError(
                f"{code.co_qualname}: opcode {opcode} (line {line}): its {which} are a "
                f"{type(getattr(obj, f'__{which}__')).__name__}, not a dict (name lookups "
                "through its methods run in the interpreter)", opcode=opcode, lineno=line)
        native = pipeline.compile_code(code, function=obj if code is not obj else None,
                                       specialize=specialize)
    except UnsupportedError as exc:
        if not fallback:
            raise
        if isinstance(obj, types.CodeType):
            return _FallbackCode(obj, str(exc))
        # a function object like the compiled ones (so inspect and attributes see the
        # original's), calling the original
        return wrap.make_fallback(obj, str(exc))
    if isinstance(obj, types.CodeType):
        return CompiledCode(obj, native)
    return wrap.make_function(obj, native)


class _FallbackCode(CompiledCode):
    def __init__(self, code, reason):
        super().__init__(code, None)
        self.reason = reason


_EXITING = "the interpreter is exiting: nothing compiles any more"


def _exiting(obj, fallback: bool):
    """What compiling ``obj`` gives while the interpreter exits (a finaliser's call):
    imports fail by then, and so would compiling; the original runs as it is."""
    if not fallback:
        name = obj.co_name if isinstance(obj, types.CodeType) else obj.__qualname__
        raise UnsupportedError(f"{name}: {_EXITING}")
    return _FallbackCode(obj, _EXITING) if isinstance(obj, types.CodeType) else obj


def exec(compiled, globals=None, locals=None):
    """Run compiled module-level code like ``exec(code, globals, locals)``."""
    if not isinstance(compiled, (types.CodeType, CompiledCode)):
        raise TypeError(f"jit.exec() takes the result of jit.compile(code), not {type(compiled).__name__}")
    if globals is None:
        raise TypeError("jit.exec() needs a globals dict")
    if not isinstance(globals, dict):
        raise TypeError(f"exec() globals must be a dict, not {type(globals).__name__}")
    if locals is not None and not hasattr(type(locals), "__getitem__"):
        raise TypeError(f"locals must be a mapping or None, not {type(locals).__name__}")
    if locals is None:
        locals = globals
    code = compiled if isinstance(compiled, types.CodeType) else compiled.code
    # a function's code object: exec runs it with fast locals of its own (and raises
    # for its missing arguments or closure); the native entry here is for module-level
    # code, so the interpreter runs it, as it does code that fell back
    function_body = code.co_flags & _FUNCTION_BODY or code.co_freevars
    if isinstance(compiled, types.CodeType) and not function_body:
        compiled = compile(compiled)
    from . import pipeline
    try:
        if function_body or compiled.native is None:
            builtins.exec(code, globals, locals)
            return None
        return pipeline.run_module_code(compiled, globals, locals)
    except BaseException as exc:
        # as exec's: from the caller's line straight to the code's frame (a bare
        # raise adds no entry for this frame)
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code in (exec.__code__, pipeline.run_module_code.__code__):
            tb = tb.tb_next
        exc.__traceback__ = tb
        del exc, tb
        raise


def jit(func=None, *, fallback: bool = True):
    """Decorator: compile ``func`` on its first call."""
    if func is None:
        return lambda f: jit(f, fallback=fallback)
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"@jit.jit decorates a function, not {type(func).__name__}")
    if sys.is_finalizing():
        return _exiting(func, fallback)
    from . import wrap
    return wrap.make_lazy(func, lambda: compile(func, fallback=fallback))


def _first_of(code, opnames) -> tuple[str, int]:
    """The first of ``opnames`` in ``code`` and its line (the code's first line and
    the first name if it has none)."""
    import dis
    for ins in dis.get_instructions(code):
        if ins.opname in opnames:
            return ins.opname, ins.positions.lineno or code.co_firstlineno
    return opnames[0], code.co_firstlineno


def explain(obj) -> str:
    """Human-readable: was ``obj`` compiled, or why did it fall back?"""
    from . import wrap
    if isinstance(obj, _FallbackCode):
        return f"{obj.code.co_name}: fell back to the interpreter: {obj.reason}"
    if isinstance(obj, CompiledCode):
        if obj.code.co_flags & _FUNCTION_BODY:
            return (obj.native.explain() + "\na function's code object: jit.exec runs it in "
                    "the interpreter (compile the function to run it natively)")
        return obj.native.explain()
    info = wrap.explain(obj)
    if info is not None:
        return info
    if isinstance(obj, types.FunctionType):
        return f"{obj.__qualname__}: not compiled (a plain Python function)"
    raise TypeError(f"jit.explain() takes a compiled function or code, not {type(obj).__name__}")
