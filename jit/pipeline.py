"""The pipeline: code object -> decode -> cfg -> ssa -> lower -> engine -> native.

``compile_code`` runs every stage and returns a ``Native``: the loaded
library, its constants table (patched into the native code) and everything
``jit.explain`` and ``python -m jit show`` print.
"""
from __future__ import annotations

import builtins as _builtins
import ctypes
import time
import types

from runtime import capi, deopt

from . import engine, rtlib
from .borrow import borrow
from .errors import CompileError, UnsupportedError
from .lower import Lowering
from .ssa import build_ssa

_PyFrame_New = ctypes.pythonapi.PyFrame_New
_PyFrame_New.restype = ctypes.py_object
_PyFrame_New.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.py_object, ctypes.c_void_p]
_PyThreadState_Get = ctypes.pythonapi.PyThreadState_Get
_PyThreadState_Get.restype = ctypes.c_void_p


def make_frame(code, globals_):
    """A frame object to name compiled code in tracebacks."""
    return _PyFrame_New(_PyThreadState_Get(), code, globals_, None)


# C stack one compiled call takes besides impl's own frame: the entry point, the
# vectorcall machinery, saved registers and return addresses.
CALL_OVERHEAD_BYTES = 512


def measure_frame(address: int) -> int:
    """impl's stack frame size, read from its x86-64 prologue (sub rsp, imm); a
    conservative default where the prologue is not recognised."""
    import platform
    from .lower import DEFAULT_FRAME_BYTES
    if platform.machine() not in ("x86_64", "AMD64"):
        return DEFAULT_FRAME_BYTES
    code = ctypes.string_at(address, 96)
    for i in range(len(code) - 7):
        if code[i:i + 3] == b"\x48\x81\xec":      # sub rsp, imm32
            return int.from_bytes(code[i + 3:i + 7], "little") + CALL_OVERHEAD_BYTES
        if code[i:i + 3] == b"\x48\x83\xec":      # sub rsp, imm8
            return code[i + 3] + CALL_OVERHEAD_BYTES
    return DEFAULT_FRAME_BYTES


class Native:
    """A compiled code object: native code plus what keeps it alive."""

    def __init__(self, code, fn, lowered, library, consts, ir_text, compile_ms, function):
        self.code = code
        self.ir = fn
        self.lowered_opnames = lowered
        self.library = library
        self.consts = consts               # keeps every referenced object alive
        self.llvm_ir = ir_text
        self.compile_ms = compile_ms
        self.function = function
        self.prefix = None
        self._consts_array = None
        self._module_entry = None
        self.why_generic = None

    def explain(self) -> str:
        name = self.code.co_qualname
        return (f"{name}: compiled to native code ({len(self.ir.blocks)} blocks, "
                f"{sum(len(b.ops) for b in self.ir.blocks)} IR ops, "
                f"{self.compile_ms:.1f} ms); no fallback" + self._explain_dispatch())

    def _explain_dispatch(self) -> str:
        d = getattr(self, "dispatcher", None)
        if d is None:
            return f"\nno per-signature specialisation: {self.why_generic}" \
                if self.function is not None else ""
        return "\nspecialisations:\n" + d.explain()

    def entry_address(self) -> int:
        return self.library.address(f"{self.prefix}.entry")


def _function_consts(function):
    code = function.__code__
    builtins_ns = function.__builtins__ if hasattr(function, "__builtins__") else _builtins.__dict__
    return {
        "globals": function.__globals__,
        "builtins": builtins_ns,
        "frame": make_frame(code, function.__globals__),
        "closure": function.__closure__ or (),
    }


def not_specializable(code, fn) -> str | None:
    """Why per-signature specialisation does not apply to ``code``, or None. It
    applies to plain functions whose frame nothing reads (locals(), eval() ...), and
    whose bytecode the interpreter can resume safely."""
    if code.co_flags & 0x0C or code.co_kwonlyargcount:
        return "keyword-only or variadic parameters"
    if any(op.attrs.get("frame_builtin") for blk in fn.blocks for op in blk.ops):
        return "frame introspection (locals(), eval() ...)"
    unsafe = deopt.interpreter_unsafe(code)      # deopts resume in the interpreter
    return None if unsafe is None else f"the interpreter could not resume it ({unsafe})"


def compile_code(code, function=None, specialize=True) -> Native:
    from . import api
    from .dispatch import Dispatcher
    t0 = time.perf_counter()
    fn, lowered = build_ssa(code)
    misuse = deopt.nested_code_unsafe(code)    # the interpreter runs nested functions
    if misuse is not None:
        raise CompileError(f"{code.co_qualname}: {misuse}")
    dispatcher = None
    why_generic = not_specializable(code, fn) if function is not None else None
    if function is not None and specialize and why_generic is None:
        dispatcher = Dispatcher(function, code)
    borrow(fn)
    if function is not None:
        if len(function.__closure__ or ()) != len(code.co_freevars):
            raise CompileError(f"{code.co_qualname}: the function's closure does not match "
                               "its code's free variables")
        entry_consts = _function_consts(function)
    else:
        if code.co_freevars:
            raise CompileError(f"{code.co_qualname}: code with free variables needs its "
                               "function (compile the function instead)")
        entry_consts = {"globals": {}, "builtins": {}, "frame": None, "closure": ()}
    lowering = Lowering(fn, code, entry_consts, dispatch=dispatcher)
    nops = sum(len(b.ops) for b in fn.blocks)
    # Promoting frame slots costs ~slots x blocks; past this, compile time wins.
    opt_level = 0 if nops > 1500 or fn.nlocals * nops > 40_000 else 1
    exports = ["entry", "module", "consts", "impl", "frame"]
    if dispatcher is not None:
        exports += ["sigs", "generic"]
    library, consts, text = _link(lowering, fn, code, exports, opt_level=opt_level)
    p = lowering.p
    ms = (time.perf_counter() - t0) * 1000
    native = Native(code, fn, lowered, library, consts, text, ms, function)
    native.prefix = p
    native.dispatcher = dispatcher
    native.why_generic = why_generic if specialize else "specialize=False"
    if dispatcher is not None:
        dispatcher.attach(library, p)
    api.opcode_coverage.update(lowered)
    return native


def _link(lowering, fn, code, exports, opt_level, codegen_level=None):
    text = lowering.module_text()
    imports = {name: capi.address(name) for name in lowering.used}
    imports.update(rtlib.symbols())
    p = lowering.p
    copies = [f"{sub.p}.{table}" for sub in lowering.copies() for table in ("consts", "addrs")]
    exports = [*exports, "addrs"]
    library = engine.compile_ir(text, [f"{p}.{e}" for e in exports] + copies, imports,
                                opt_level=opt_level, codegen_level=codegen_level)
    ctypes.c_int64.from_address(library.address(f"{p}.frame")).value = \
        measure_frame(library.address(f"{p}.impl"))
    consts = list(fn.consts)
    _fill_consts(library, lowering, code)
    for sub in lowering.copies():      # callees' and nested code copied in: own tables
        _fill_consts(library, sub, code)
        consts += sub.fn.consts
    return library, consts, text


def _fill_consts(library, lowering, code):
    consts = lowering.fn.consts
    if len(consts) > lowering.const_table_size:   # would write past the table
        raise CompileError(f"{code.co_qualname}: constants table overflow (internal error)")
    arr = (ctypes.c_void_p * len(consts)).from_address(library.address(f"{lowering.p}.consts"))
    for i, obj in enumerate(consts):
        arr[i] = id(obj)
    addrs = lowering.addresses
    table = (ctypes.c_void_p * len(addrs)).from_address(library.address(f"{lowering.p}.addrs"))
    for i, addr in enumerate(addrs):
        table[i] = addr


MAX_SPECIALIZED_OPS = 2000


def nested_function_ir(code):
    """The IR of ``code``, a function that compiled code makes and calls at once (a
    comprehension), to compile into the caller's module; None if it cannot be."""
    from . import api
    try:
        fn, lowered = build_ssa(code)
    except UnsupportedError:
        return None        # it stays a Python call, run by the interpreter
    misuse = deopt.nested_code_unsafe(code)
    if misuse is not None:
        raise CompileError(f"{code.co_qualname}: {misuse}")
    borrow(fn)
    api.opcode_coverage.update(lowered)
    return fn


def nested_specialized_ir(code, spec):
    """The specialised IR of comprehension ``code`` for ``spec`` (a
    dispatch.NestedSpecialization), or None (nothing to unbox, or its deopts could
    not resume in the interpreter: then it is compiled generic)."""
    from .specialize import specialize
    if not deopt.comprehension_code(code):
        return None          # (a lambda called where it is made: generic)
    try:
        fn, lowered = build_ssa(code)
    except UnsupportedError:
        return None
    # (as for functions: not code reading its frame -- eval(), locals() -- whose
    # answers come from the generic frame's state)
    if deopt.nested_code_unsafe(code) is not None or not_specializable(code, fn) is not None \
            or sum(len(b.ops) for b in fn.blocks) > MAX_SPECIALIZED_OPS:
        return None
    if not specialize(fn, spec.arg_types, spec.no_speculate, spec):
        return None
    borrow(fn)
    from . import api
    api.opcode_coverage.update(lowered)
    return fn


def specialized_function(code, spec):
    """(the specialised IR of ``code`` for ``spec``, the opcodes lowered), or None
    when nothing would be unboxed."""
    from .specialize import specialize
    fn, lowered = build_ssa(code)
    if sum(len(b.ops) for b in fn.blocks) > MAX_SPECIALIZED_OPS:
        return None   # compile time would outweigh what unboxing buys
    if not specialize(fn, spec.arg_types, spec.no_speculate, spec):
        return None
    borrow(fn)
    return fn, lowered


def compile_specialized(code, function, spec):
    """A specialisation of ``function`` for ``spec``'s argument types, or None when
    nothing would be unboxed."""
    t0 = time.perf_counter()
    made = specialized_function(code, spec)
    if made is None:
        return None
    fn, lowered = made
    lowering = Lowering(fn, code, _function_consts(function), spec=spec)
    nops = sum(len(b.ops) for b in fn.blocks)
    # LLVM's O2 code generator is superlinear in live values x blocks (a 300-local
    # function took 25 s); big functions get the fast one
    codegen = 1 if nops <= 800 and fn.nlocals <= 64 else 0
    library, consts, text = _link(lowering, fn, code, ["spec", "direct", "consts", "impl", "frame"],
                                  opt_level=2, codegen_level=codegen)
    ms = (time.perf_counter() - t0) * 1000
    native = Native(code, fn, lowered, library, consts, text, ms, function)
    native.prefix = lowering.p
    return native


_module_proto = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.py_object,
                                  ctypes.py_object, ctypes.py_object)


def run_module_code(compiled, globals_, locals_):
    native = compiled.native
    if "__builtins__" not in globals_:
        globals_["__builtins__"] = _builtins
    b = globals_["__builtins__"]
    builtins_ns = b.__dict__ if isinstance(b, types.ModuleType) else b
    if not isinstance(builtins_ns, dict):
        raise TypeError("__builtins__ must be a dict or a module")
    if native._module_entry is None:
        native._module_entry = _module_proto(native.library.address(f"{native.prefix}.module"))
    frame = make_frame(native.code, globals_)
    native._module_entry(globals_, builtins_ns, locals_, frame)
    return None
