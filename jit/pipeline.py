"""The pipeline: code object -> decode -> cfg -> ssa -> lower -> engine -> native.

``compile_code`` runs every stage and returns a ``Native``: the loaded
library, its constants table (patched into the native code) and everything
``jit.explain`` and ``python -m jit show`` print.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins as _builtins
import ctypes
import os
import sys
import time
import types
import zlib

from runtime import abi, capi, closures, deopt
from runtime.own_builtins import as_imported

from . import engine, rtlib
from .borrow import borrow
from .fuse import fuse_swaps
from .hoist import guard_arms, hoist_guards, hoist_invariants
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
    frame = _PyFrame_New(_PyThreadState_Get(), code, globals_, None)
    if code.co_freevars and not abi.settle_frame(frame):
        raise UnsupportedError(f"{code.co_qualname}: frames of this Python's layout are "
                               "unknown to the compiler (free variables)",
                               opcode="COPY_FREE_VARS", lineno=code.co_firstlineno)
    return frame


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

    def __init__(self, code, fn, lowered, library, consts, compile_ms, function):
        self.code = code
        self.ir = fn
        self.lowered_opnames = lowered
        self.library = library
        self.consts = consts               # keeps every referenced object alive
        self.compile_ms = compile_ms
        self.function = function
        self.prefix = None
        self._consts_array = None
        self._module_entry = None
        self.why_generic = None
        self.lazy_generic = None

    @property
    def llvm_ir(self) -> str:
        """The module's IR text (its library keeps it)."""
        return self.library.llvm_ir

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
        generic = d.materialize.explain() if d.materialize is not None else \
            "generic code: compiled with the entry (keyword-only or variadic parameters)"
        return f"\n{generic}\nspecialisations:\n" + d.explain()

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
    if any(op.attrs.get("frame_builtin") for blk in fn.blocks for op in blk.ops):
        return "frame introspection (locals(), eval() ...)"
    unsafe = deopt.interpreter_unsafe(code)      # deopts resume in the interpreter
    return None if unsafe is None else f"the interpreter could not resume it ({unsafe})"


def simple_signature(code) -> bool:
    """Positional parameters only (no keyword-only ones, no *args or **kwargs)."""
    return not code.co_flags & 0x0C and not code.co_kwonlyargcount


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
    if dispatcher is not None and simple_signature(code):
        native = _compile_lazy(lowering, fn, code, function, lowered, dispatcher, opt_level, t0)
    else:
        # (keyword-only or variadic parameters: the generic code is compiled now; the
        # lazy one's interpreter fallback passes positional arguments only)
        exports = ["entry", "module", "consts", "impl", "frame"]
        if dispatcher is not None:
            exports += ["sigs", "generic"]
        library, consts = _link(lowering, code, exports, opt_level=opt_level)
        native = Native(code, fn, lowered, library, consts,
                        (time.perf_counter() - t0) * 1000, function)
        native.prefix = lowering.p
        if dispatcher is not None:
            dispatcher.attach(library, lowering.p)
    native.dispatcher = dispatcher
    native.why_generic = why_generic if specialize else "specialize=False"
    api.opcode_coverage.update(lowered)
    return native


def _compile_lazy(lowering, fn, code, function, lowered, dispatcher, opt_level, t0):
    """A dispatching function: only its entry is compiled now; its generic code is
    lowered now (so errors surface here) but compiled on first use, which calls
    whose arguments specialise never make."""
    lazy = LazyGeneric(code, opt_level)
    dispatcher.materialize = lazy
    entry_text, body_text = lowering.lazy_module_texts()
    library = _link_text(lowering, code, entry_text, ["entry", "consts", "sigs", "generic", "implp"],
                         opt_level=1, with_copies=False)
    lazy.arm(_LinkTables(lowering), body_text, library)
    # (the body's text is the lazy body's, and its library's once compiled)
    native = Native(code, fn, lowered, library, _held_consts(lowering),
                    (time.perf_counter() - t0) * 1000, function)
    native.prefix = lowering.p
    native.lazy_generic = lazy
    dispatcher.attach(library, lowering.p)
    return native


# Python frames compiling a function may take (SSA, inference, lowering, nested
# code: ~45 measured on the benchmarks); with less headroom, compiling waits for a later call
COMPILE_DEPTH = 100


def too_deep_to_compile() -> bool:
    """Whether this call is too near the recursion limit to compile now (else the
    compiler itself could hit the limit: RecursionError, or a ctypes call failing
    with it, in the middle of the user's call)."""
    left = capi.recursion_headroom()
    return left is not None and left < COMPILE_DEPTH


class _LinkTables:
    """What linking a module a Lowering made needs of it (_link_text, _fill_consts):
    kept while a lazy body waits, instead of the Lowering and its scratch state."""

    def __init__(self, lowering):
        self.p = lowering.p
        self.used = frozenset(lowering.used)
        self.fn = types.SimpleNamespace(consts=lowering.fn.consts)
        self.const_table_size = lowering.const_table_size
        self.addresses = lowering.addresses
        self._copies = [_LinkTables(sub) for sub in lowering.copies()]
        self._closures = lowering.closure_symbols()
        self._frames = lowering.measured_frames()

    def copies(self):
        return iter(self._copies)

    def closure_symbols(self):
        return self._closures

    def measured_frames(self):
        return self._frames


class LazyGeneric:
    """Compiles a dispatching function's generic code (impl) on its first use and
    points the entry module's @P.implp at it (lower.Lowering._run_generic). Called
    with the GIL held, from native code; returns None, leaving implp NULL when the
    call should run in the interpreter instead (the body is being compiled further
    up the stack, e.g. by a finaliser the compiler's allocations ran, or failed)."""

    def __init__(self, code, opt_level):
        self.code = code
        self.opt_level = opt_level
        self.library = None        # the body's, once compiled
        self.compile_ms = None
        self.failed = None         # why the body could not be compiled
        self._pending = None       # (link tables, packed text, entry library) until compiled
        self._busy = False

    def arm(self, tables, text, entry_library):
        # (the text compressed: most bodies wait for ever, IR text is ~40 KB a function)
        self._pending = (tables, zlib.compress(text.encode(), 1), entry_library)

    @as_imported
    def __call__(self, _finalizing=sys.is_finalizing):
        # The body is claimed (_busy) in the same breath as it is found pending: no call
        # in between, where another thread could run (too_deep_to_compile, a Python
        # call, let one: two threads past the check compiled the body twice, and the
        # later library replaced -- freed -- the one the first had put in implp and
        # other calls were running: a return into freed code). Likewise _pending is
        # cleared before _busy.
        if self._pending is None or self._busy:
            return None
        self._busy = True
        try:
            if too_deep_to_compile() or _finalizing():
                return None     # (at interpreter exit imports fail, and so would compiling)
            t0 = time.perf_counter()
            tables, packed, entry_library = self._pending
            text = zlib.decompress(packed).decode()
            self.library = _link_text(tables, self.code, text,
                                      ["impl", "consts", "frame"], self.opt_level)
            self._pending = None
        except RecursionError:
            return None    # called too deep to compile: this call is interpreted
        except CompileError as exc:
            if os.environ.get("JIT_STRICT"):
                raise      # the test suite wants internal errors loud
            self.failed = str(exc)
            self._pending = None
        finally:
            self._busy = False
        self.compile_ms = (time.perf_counter() - t0) * 1000
        if self.library is not None:
            implp = entry_library.address(f"{tables.p}.implp")
            ctypes.c_void_p.from_address(implp).value = \
                self.library.address(f"{tables.p}.impl")
        return None

    def explain(self) -> str:
        if self.failed is not None:
            return f"generic code could not be compiled ({self.failed}): those calls run in the interpreter"
        if self.library is None:
            return "generic code: compiled on first use (not used yet)"
        return f"generic code: compiled on first use ({self.compile_ms:.1f} ms)"


def _link(lowering, code, exports, opt_level, codegen_level=None):
    text = lowering.module_text()
    library = _link_text(lowering, code, text, exports, opt_level, codegen_level)
    return library, _held_consts(lowering)


def _held_consts(lowering) -> list:
    """Every object the module's constant tables point at (its own and its copies'):
    what its Native keeps alive."""
    return list(lowering.fn.consts) + [c for sub in lowering.copies() for c in sub.fn.consts]


def _link_text(lowering, code, text, exports, opt_level, codegen_level=None,
               with_copies=True):
    """Compile and link module ``text`` made by ``lowering``; fill its tables (and
    those of the code copied into it, ``with_copies``)."""
    imports = {name: capi.address(name) for name in lowering.used}
    imports.update(rtlib.symbols())
    p = lowering.p
    subs = list(lowering.copies()) if with_copies else []
    closures_here = lowering.closure_symbols() if with_copies else []
    # copies with a frame of their own (a recursion's, a closure entry's): measured too
    framed = lowering.measured_frames() if with_copies else []
    copies = [f"{sub.p}.{table}" for sub in subs for table in ("consts", "addrs")]
    copies += [f"{cp}.closure" for _, cp in closures_here]
    copies += [f"{fp}.{e}" for fp in framed for e in ("impl", "frame")]
    exports = [*exports, "addrs"]
    library = engine.compile_ir(text, [f"{p}.{e}" for e in exports] + copies, imports,
                                opt_level=opt_level, codegen_level=codegen_level)
    for prefix in ([p] if "impl" in exports else []) + framed:
        ctypes.c_int64.from_address(library.address(f"{prefix}.frame")).value = \
            measure_frame(library.address(f"{prefix}.impl"))
    _fill_consts(library, lowering, code)
    for sub in subs:      # callees' and nested code copied in: own tables
        _fill_consts(library, sub, code)
    if closures_here:
        # the functions this code makes run their code from here while the library
        # lives (runtime.closures): it keeps the constants its tables point at too
        library.held = _held_consts(lowering)
        for nested, cp in closures_here:
            closures.register(nested, library.address(f"{cp}.closure"), library)
    return library


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


def nested_function_ir(code, free_codes=None):
    """The IR of ``code``, a function that compiled code makes and calls (a
    comprehension, at once; a nested function it keeps, later), to compile into the
    caller's module; None if it cannot be. ``free_codes``: see ssa.build_ssa."""
    from . import api
    try:
        fn, lowered = build_ssa(code, free_codes=free_codes)
    except UnsupportedError:
        return None        # it stays a Python call, run by the interpreter
    misuse = deopt.nested_code_unsafe(code)
    if misuse is not None:
        raise CompileError(f"{code.co_qualname}: {misuse}")
    borrow(fn)
    api.opcode_coverage.update(lowered)
    return fn


def nested_specialized_ir(code, spec, free_codes=None):
    """The specialised IR of a comprehension's ``code`` (or a nested function's, for
    the types of its arguments) for ``spec`` (a dispatch.NestedSpecialization), or
    None (nothing to unbox, or its deopts could not resume in the interpreter: then
    it is compiled generic)."""
    from .specialize import specialize
    if not deopt.comprehension_code(code) and len(spec.arg_types) != code.co_argcount:
        return None          # (a lambda called where it is made: generic)
    try:
        fn, lowered = build_ssa(code, free_codes=free_codes)
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
    fuse_swaps(fn)
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
    fuse_swaps(fn)
    guard_arms(fn)      # (in copies inlined into callers too)
    return fn, lowered


def compile_specialized(code, function, spec):
    """A specialisation of ``function`` for ``spec``'s argument types, or None when
    nothing would be unboxed."""
    t0 = time.perf_counter()
    made = specialized_function(code, spec)
    if made is None:
        return None
    fn, lowered = made
    # (not in the copies of callees inlined into callers: see hoist's doc)
    hoist_guards(fn)
    hoist_invariants(fn)
    lowering = Lowering(fn, code, _function_consts(function), spec=spec)
    nops = sum(len(b.ops) for b in fn.blocks)
    # LLVM's O2 code generator is superlinear in live values x blocks (a 300-local
    # function took 25 s); big functions get the fast one
    codegen = 1 if nops <= 800 and fn.nlocals <= 64 else 0
    library, consts = _link(lowering, code, ["spec", "direct", "consts", "impl", "frame"],
                                  opt_level=2, codegen_level=codegen)
    ms = (time.perf_counter() - t0) * 1000
    native = Native(code, fn, lowered, library, consts, ms, function)
    native.prefix = lowering.p
    return native


_module_proto = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.py_object,
                                  ctypes.py_object, ctypes.py_object)


def exact_namespaces(globals_, builtins_ns) -> bool:
    """Native name lookups read the globals and builtins as exact dicts (as the
    interpreter's LOAD_GLOBAL does only then; a dict subclass's __getitem__ or
    __missing__ counts for it otherwise)."""
    return type(globals_) is dict and type(builtins_ns) is dict


def run_module_code(compiled, globals_, locals_):
    native = compiled.native
    if "__builtins__" not in globals_:     # (as exec: the caller's builtins dict)
        globals_["__builtins__"] = _builtins.__dict__
    b = globals_["__builtins__"]
    builtins_ns = b.__dict__ if isinstance(b, types.ModuleType) else b
    if not exact_namespaces(globals_, builtins_ns):
        _builtins.exec(compiled.code, globals_, locals_)   # the interpreter's lookups
        return None
    if native._module_entry is None:
        native._module_entry = _module_proto(native.library.address(f"{native.prefix}.module"))
    frame = make_frame(native.code, globals_)
    native._module_entry(globals_, builtins_ns, locals_, frame)
    return None
