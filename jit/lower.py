"""lower: SSA IR -> LLVM IR text. Object operations call the CPython C-API.

The generated module has:
  @P.consts   a table of the Python objects the code refers to, patched after
              loading (so the object code has no baked-in addresses);
  @P.impl     the function body: impl(globals, builtins, locals, frame, closure, args)
              with args pointing at the bound parameters (borrowed);
  @P.entry    for functions, a vectorcall entry point that binds arguments
              (fast path: exactly the positional parameters) and calls impl;
  @P.module   for module code, module(globals, builtins, locals, frame).

Reference counting follows the IR's protocol: ops borrow operands and return
new references; the IR says where references die (decref, unwind drops).
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins
import collections
import contextlib
import functools
import itertools
import types
from collections import defaultdict
from typing import NamedTuple

from runtime import abi, binding, capi, helpers

from . import ir, rtlib
from .ir import BOOL, F64, I64, NOBJ, OBJ, RANGE
from .errors import CompileError

LLTYPE = {OBJ: "ptr", NOBJ: "ptr", BOOL: "i1", I64: "i64", F64: "double", RANGE: "ptr"}
DEOPT_KINDS = {OBJ: "o", I64: "i", F64: "f"}   # a slot's type as jit.deopt_list reads it
ZERO = {"ptr": "null", "i1": "false", "i64": "0", "double": "0.0"}

CMP_IDS = {"<": 0, "<=": 1, "==": 2, "!=": 3, ">": 4, ">=": 5}
BINOPS = {
    "+": "Add", "-": "Subtract", "*": "Multiply", "/": "TrueDivide", "//": "FloorDivide",
    "%": "Remainder", "@": "MatrixMultiply", "<<": "Lshift", ">>": "Rshift", "&": "And",
    "|": "Or", "^": "Xor", "**": "Power",
}
UNARY = {"-": "PyNumber_Negative", "+": "PyNumber_Positive", "~": "PyNumber_Invert"}

PRELUDE_CAPI = ("PyFunction_GetDefaults", "PyLong_FromLongLong", "PyErr_Fetch", "PyErr_Restore", "PyErr_Clear", "PyErr_NormalizeException",
                "PyException_SetTraceback", "PyObject_Vectorcall", "_Py_Dealloc",
                "_Py_NoneStruct", "PyTraceBack_Type")

SINGLETONS = ((None, "_Py_NoneStruct"), (True, "_Py_TrueStruct"), (False, "_Py_FalseStruct"))
DEFAULT_FRAME_BYTES = 64 * 1024   # until the real frame size is read from the code
# generators and coroutines (co_flags) and variadic parameters: no closure entry
CLOSURE_UNFIT_FLAGS = 0x04 | 0x08 | 0x20 | 0x80 | 0x100 | 0x200
def enter_recursion(counts: bool = True, flagged: bool = False) -> list[str]:
    """Count this call against the recursion limit: inline while far from it (the
    counter's offset is confirmed at start-up), else through the C-API, which
    raises RecursionError. Branches to %depth.check, or returns NULL on error.
    With ``counts`` false (a leaf copy inlined into its caller: it calls nothing, so
    nothing can see the depth while it runs) the limit is only checked: near it,
    the C-API raises or the count is given straight back. ``flagged``: not even
    that when %deep.ok is set (its caller's loop checked the headroom: hoist.py)."""
    slow = ["rec.slow:", "  %rec = call i32 @Py_EnterRecursiveCall(ptr @jit.where)",
            "  %rec.fail = icmp ne i32 %rec, 0",
            f"  br i1 %rec.fail, label %rec.exit, label %{'depth.check' if counts else 'rec.ok'}",
            "rec.exit:", "  ret ptr null"]
    if not counts:
        slow += ["rec.ok:", "  call void @Py_LeaveRecursiveCall()", "  br label %depth.check"]
    if capi.RECURSION_COUNTER is None:
        return ["  br label %rec.slow"] + slow
    fast = ["  %rc.1 = add i32 %rc, -1", "  store i32 %rc.1, ptr %rc.p"] if counts else []
    skip = ["  br i1 %deep.ok, label %depth.check, label %rec.chk", "rec.chk:"] if flagged else []
    return [*skip, f"  %rc.p = getelementptr i8, ptr %ts, i64 {capi.RECURSION_COUNTER}",
            "  %rc = load i32, ptr %rc.p",
            "  %rc.near = icmp sle i32 %rc, 1",
            "  br i1 %rc.near, label %rec.slow, label %rec.fast, !prof !0",
            "rec.fast:", *fast, "  br label %depth.check"] + slow


def leave_recursion(n: int, counts: bool = True) -> list[str]:
    if not counts:
        return []
    if capi.RECURSION_COUNTER is None:
        return ["  call void @Py_LeaveRecursiveCall()"]
    return [f"  %rc.now{n} = load i32, ptr %rc.p", f"  %rc.up{n} = add i32 %rc.now{n}, 1",
            f"  store i32 %rc.up{n}, ptr %rc.p"]


class Lowering:
    def __init__(self, fn: ir.Function, code, entry_consts: dict, spec=None, dispatch=None,
                 inline_copy=False, prefix="code", recursive_impl=None, param_ranges=(),
                 depth_flag=False):
        self.entry_consts = entry_consts   # name -> object the entry point loads
        # a copy's parameters' intervals: what its callers pass (see ranges.Ranges)
        self.param_ranges = param_ranges
        # a copy of a callee's code for inlining into a caller's module (inline_text)
        self.inline_copy = inline_copy
        # id(code) -> the lowering of a nested function's code this code is nested in
        # (or is), made in the same module (see nested_impl)
        self.enclosing: dict[int, "Lowering"] = {}
        # a copy that a nested function's recursion calls (nested_impl): it checks the
        # C stack as a function of its own does, as its calls nest natively
        self.recursive = False
        # the impl a recursive call of this very specialisation calls: its own, or for
        # a copy of it inlined into itself, the original's in the same module
        self.recursive_impl = recursive_impl if inline_copy else f"@{prefix}.impl"
        # False for a leaf copy inlined into its caller (see enter_recursion)
        self.counts_depth = not (inline_copy and spec is not None and ir.is_leaf(fn))
        # a leaf copy whose direct entry takes %deep.ok (see enter_recursion)
        self.depth_flag = depth_flag and not self.counts_depth and \
            capi.RECURSION_COUNTER is not None
        self.depth_flagged: set[str] = set()    # the direct entries of such copies here
        self.inlined: list["Lowering"] = []     # callees copied into this module
        self._inline_entries: dict[int, str] = {}
        self._nested_impls: dict[int, str | None] = {}   # id(code) -> impl symbol (_call_nested)
        self._nested_raw: dict[str, tuple] = {}   # those impls that take raw numbers: their types
        # id(code) -> closure_entry's lowering (True: another module's serves; None: none)
        self._closure_entries: dict[int, "Lowering | bool | None"] = {}
        self.extra_text: list[str] = []
        self.spec = spec                   # a dispatch.Specialization (specialised code)
        self._producers: dict | None = None  # value id -> the op making it (see producer)
        self.dispatch = dispatch           # the generic entry dispatches on argument types
        self.fn = fn
        self.slot_types = getattr(fn, "slot_types", None) or [OBJ] * fn.nlocals
        self.code = code
        # symbol prefix: each module is linked on its own, so only copies inlined
        # into one need names of their own (and equal code gives equal text: engine cache)
        self.p = prefix
        self.lines: list[str] = []
        self.allocas: list[str] = []
        self.used: set[str] = set(PRELUDE_CAPI)
        self.tmp = itertools.count()
        self.phis: dict[ir.Block, list] = defaultdict(list)
        self.static_null: set[int] = set()
        self.deopt_incoming: list = []   # (block, site constant, stack depth, kinds) per site
        self.deopt_blocks: dict = {}     # a guard's state -> its deopt block (deopt_if)
        self.fail_blocks: dict = {}      # id(op) -> (op, its shared failure path): branch_fail
        self.tb_incoming: list = []      # (block, offset, line) per failure without a handler
        self.int_consts: dict[str, int] = {}   # LLVM name -> value of an i64 constant
        self.strides = None                     # lower_typed.Strides, when asked for
        self.ranges = None                      # ranges.Ranges, when asked for
        self.concat_targets = None              # concat_targets, when asked for
        self.loaded_items = None                # lower_typed.loaded_items, when asked for
        # object (LLVM name) -> an i1 saying it is an exact float, as unboxing it in
        # the IR block being lowered found (lower_typed.store_float_in_place reuses it)
        self.float_checks: dict[str, str] = {}
        self.range_steps: dict[int, str] = {}   # id(range_next) -> its loop's step
        self.remainders: dict[str, str] = {}   # an int % result -> its C remainder (srem)
        self.deopt_depth = 0
        # per-site caches of 4 words: LOAD_GLOBAL {globals ver, builtins ver, value},
        # attributes, methods and class calls (see their lowerings)
        self.global_caches: list[str] = []
        self.expect_caches: dict[int, str] = {}  # id(load_global with expect) -> its cache
        self.cache_words: dict[str, int] = {}   # caches of another size than 4 words
        self._site_holder = None
        self.private_globals: list[str] = []   # other module-level definitions of this code
        # raw addresses the code uses (direct-call cells), patched after loading like
        # the constants, so the text (the object cache's key) holds none
        self.addresses: list[int] = []
        self.entry_deopt_incoming: list = []   # (block, site constant) per parameter guard
        self.cur = "entry"
        self._label_to_block: dict[str, ir.Block] = {}
        self.nlocals = fn.nlocals
        self.lines_by_offset = {}
        for start, end, line in code.co_lines():
            for off in range(start, end, 2):
                self.lines_by_offset[off] = line

    # ---- text helpers -------------------------------------------------------
    def t(self, prefix="t") -> str:
        return f"%{prefix}{next(self.tmp)}"

    def producer(self, v: ir.Value) -> ir.Op | None:
        """The op whose result ``v`` is (None for a block parameter)."""
        if self._producers is None:
            self._producers = {r.id: op for blk in self.fn.blocks for op in blk.ops
                               for r in op.results}
        return self._producers.get(v.id)

    def label(self, prefix="L") -> str:
        return f"{prefix}{next(self.tmp)}"

    def emit(self, line: str):
        self.lines.append("  " + line)

    def start(self, label: str):
        self.lines.append(f"{label}:")
        self.cur = label

    def br_likely(self, cond: str, likely: str, unlikely: str):
        """A branch whose ``unlikely`` side is rare (a cache miss, a slow path): the
        weights let the register allocator keep its spills and reloads there."""
        self.emit(f"br i1 {cond}, label %{likely}, label %{unlikely}, !prof !1")

    def v(self, value: ir.Value) -> str:
        return f"%v{value.id}"

    def capi(self, name: str) -> str:
        self.used.add(name)
        return f"@{name}"

    def call(self, name: str, *args: str, ret: str | None = None) -> str | None:
        ret_t, params = capi.FUNCTIONS[name]
        self.used.add(name)
        arglist = ", ".join(f"{t} {a}" for t, a in zip(params, args))
        if ret_t == "void":
            self.emit(f"call void @{name}({arglist})")
            return None
        r = ret or self.t()
        self.emit(f"{r} = call {ret_t} @{name}({arglist})")
        return r

    def const(self, obj) -> str:
        for single, name in SINGLETONS:     # an address LLVM can fold compares with
            if obj is single:
                return self.capi(name)
        idx = self.fn.const_index(obj)
        r = self.t("k")
        self.emit(f"{r}.p = getelementptr ptr, ptr @{self.p}.consts, i64 {idx}")
        self.emit(f"{r} = load ptr, ptr {r}.p")
        return r

    def incref(self, val: str):
        self.emit(f"call void @jit.incref(ptr {val})")

    def decref(self, val: str, cold=False):
        """cold: out of line (a failure or deopt path: one call, no blocks, which
        keeps the code generator's work down)."""
        self.emit(f"call void @jit.decref{'.cold' if cold else ''}(ptr {val})")

    def xdecref(self, val: str, cold=False):
        self.emit(f"call void @jit.xdecref{'.cold' if cold else ''}(ptr {val})")

    def release(self, value: ir.Value, cold=False):
        suffix = ".cold" if cold else ""
        if value.borrowed == "lent":     # a list's item: owned only if made generically
            self.emit(f"call void @jit.xdecref{suffix}(ptr {self.v(value)}.own)")
            return
        if value.borrowed:
            return
        if value.type == OBJ:
            self.emit(f"call void @jit.decref{suffix}(ptr {self.v(value)})")
        elif value.type == NOBJ and value.id not in self.static_null:
            self.emit(f"call void @jit.xdecref{suffix}(ptr {self.v(value)})")

    def slot(self, i: int) -> str:
        return f"%slot{i}"

    def address(self, addr: int) -> str:
        """A pointer to ``addr``, read from this module's address table."""
        p, r = self.t(), self.t()
        self.emit(f"{p} = getelementptr ptr, ptr @{self.p}.addrs, i64 {len(self.addresses)}")
        self.emit(f"{r} = load ptr, ptr {p}")
        self.addresses.append(addr)
        return r

    def array(self, values: list[str]) -> str:
        n = max(len(values), 1)
        arr = self.t("arr")
        self.allocas.append(f"{arr} = alloca [{n} x ptr]")
        for i, val in enumerate(values):
            self.emit(f"{arr}.{i} = getelementptr ptr, ptr {arr}, i64 {i}")
            self.emit(f"store ptr {val}, ptr {arr}.{i}")
        return arr

    def field(self, obj: str, offset: int, typ: str = "ptr") -> str:
        p = self.t()
        self.emit(f"{p} = getelementptr i8, ptr {obj}, i64 {offset}")
        r = self.t()
        self.emit(f"{r} = load {typ}, ptr {p}")
        return r

    def type_of(self, obj: str) -> str:
        return self.field(obj, abi.OB_TYPE)

    def type_flags(self, typ: str) -> str:
        return self.field(typ, abi.TYPE_FLAGS, "i64")

    # ---- failure ------------------------------------------------------------
    def branch_fail(self, cond: str, op: ir.Op, extra=(), strip=False, lasti=None):
        """If ``cond`` (i1) holds, the op failed with an exception set. An op's
        failures with nothing of their own to release share one path (it releases
        only what the op's unwind holds, made before the op). ``lasti``: emits the
        traceback entry's offset on the failure path (before anything is released)."""
        ok = self.label("ok")
        shared = not extra and not strip and lasti is None
        known = self.fail_blocks.get(id(op)) if shared else None
        if known is not None:
            self.emit(f"br i1 {cond}, label %{known[1]}, label %{ok}, !prof !0")
            self.start(ok)
            return
        fail = self.label("fail")
        if shared:     # (the op is kept too: its id is not reused meanwhile)
            self.fail_blocks[id(op)] = (op, fail)
        self.emit(f"br i1 {cond}, label %{fail}, label %{ok}, !prof !0")
        self.start(fail)
        for val in extra:
            self.decref(val, cold=True)
        if strip:
            self.emit("call void @jit.strip_tb()")
        self.unwind(op, offset=lasti() if lasti is not None else None)
        self.start(ok)

    def check_null(self, val: str, op: ir.Op, extra=(), strip=False, lasti=None):
        c = self.t()
        self.emit(f"{c} = icmp eq ptr {val}, null")
        self.branch_fail(c, op, extra, strip, lasti)

    def check_neg(self, val: str, op: ir.Op, width="i32", extra=()):
        c = self.t()
        self.emit(f"{c} = icmp slt {width} {val}, 0")
        self.branch_fail(c, op, extra)

    def unwind(self, op: ir.Op, traceback: bool | None = None, offset: str | None = None):
        """Emit the path from a failed op to its handler or the error exit; its
        traceback entry at ``offset`` (an i64) if given, else at the op's."""
        u = op.unwind
        assert u is not None, f"op {op.kind} cannot fail but has no unwind"
        for value in u.drop:
            self.release(value, cold=True)
        here = u.traceback if traceback is None else traceback
        line = self.lines_by_offset.get(u.offset)
        line = line if line is not None else -1
        at = u.offset if offset is None else offset
        if u.handler is None:
            if here:     # one traceback call for all of them (see _tb_shared)
                self.tb_incoming.append((self.cur, at, line))
                self.emit("br label %tb.shared")
            else:
                self.emit("br label %error_exit")
            return
        if here:
            self.emit(f"call void @jit.tb_here(ptr %frame, i64 {at}, i64 {line})")
        exc = self.t("exc")
        self.emit(f"{exc} = call ptr @jit.fetch_exc()")
        values = [self.v(k) for k in u.keep]
        if u.lasti:
            li = self.const(u.offset)
            self.incref(li)
            values.append(li)
        values.append(exc)
        self.phis[u.handler].append((self.cur, values))
        self.emit(f"br label %{self.block_label(u.handler)}")

    def _tb_shared(self):
        """The one block where failures without a handler add their traceback entry
        and leave: a call per failing op made each one a costly call site."""
        if not self.tb_incoming:
            return
        self.start("tb.shared")
        offsets = ", ".join(f"[ {off}, %{pred} ]" for pred, off, _ in self.tb_incoming)
        lines = ", ".join(f"[ {line}, %{pred} ]" for pred, _, line in self.tb_incoming)
        self.emit(f"%tb.offset = phi i64 {offsets}")
        self.emit(f"%tb.line = phi i64 {lines}")
        frame = self._tb_frame()
        self.emit(f"call void @jit.tb_here(ptr {frame}, i64 %tb.offset, i64 %tb.line)")
        if frame != "%frame":
            self.emit(f"call void @jit.xdecref(ptr {frame}.made)")
        self.emit("br label %error_exit")

    def _tb_frame(self) -> str:
        """The frame a traceback entry names: one made for it that holds this call's
        locals (as the interpreter's frame does: f_locals for debuggers, pytest,
        capture_locals), else the code's constant frame."""
        from runtime import deopt
        n = min(len(self.slot_types), len(deopt.localsplus_names(self.code)))
        if not abi.FRAME_SLOTS_LAYOUT or n == 0 or not self.code.co_flags & 0x1:
            return "%frame"     # (no locals; or module and class code: a namespace)
        self.allocas += [f"%tb.vals = alloca [{n} x i64]", f"%tb.bound = alloca [{n} x i8]"]
        self._gather_locals("%tb", move=False, count=n)
        kinds = self._kinds_string("tbkinds", "".join(DEOPT_KINDS[st] for st in self.slot_types[:n]))
        self.emit(f"%tb.frame.made = call ptr @jit.tb_frame(ptr %frame, i64 %tb.offset, "
                  f"ptr %tb.vals, ptr %tb.bound, ptr {kinds}, i64 {n})")
        self.emit("%tb.none = icmp eq ptr %tb.frame.made, null")
        self.emit("%tb.frame = select i1 %tb.none, ptr %frame, ptr %tb.frame.made")
        return "%tb.frame"

    def block_label(self, blk: ir.Block) -> str:
        return f"blk.{blk.label}"

    def jump(self, blk: ir.Block, args: list[ir.Value]):
        self.phis[blk].append((self.cur, [self.v(a) for a in args]))
        return f"label %{self.block_label(blk)}"

    # ---- helpers called through Python ------------------------------------
    def helper(self, op: ir.Op, name: str, args: list[str], result=True, extra=()) -> str | None:
        """extra: released if the helper fails (after the call: it may read them)."""
        fn = self.const(getattr(helpers, name))
        arr = self.array(args)
        self._give_back_level(1)
        r = self.call("PyObject_Vectorcall", fn, arr, str(len(args)), "null")
        self._give_back_level(-1)
        self.check_null(r, op, extra, strip=True)
        if not result:
            self.decref(r)
            return None
        return r

    def _give_back_level(self, n: int):
        """Add n to the recursion counter: a runtime helper's own frame is not a level
        of the program's (the interpreter does that work in C), so near the limit it
        raises or fills its cache where the interpreter would, not RecursionError."""
        if capi.RECURSION_COUNTER is None:
            return
        p, c, c1 = self.t(), self.t(), self.t()
        self.emit(f"{p} = getelementptr i8, ptr %ts, i64 {capi.RECURSION_COUNTER}")
        self.emit(f"{c} = load i32, ptr {p}")
        self.emit(f"{c1} = add i32 {c}, {n}")
        self.emit(f"store i32 {c1}, ptr {p}")

    def raise_if(self, cond: str, op: ir.Op, helper: str, args: list[str], extra=(), after=()):
        """If ``cond`` (i1) holds, release ``extra`` and raise through a runtime helper
        (which always raises) along ``op``'s unwind path, then release ``after``
        (values the helper reads)."""
        ok, bad = self.label("rif.ok"), self.label("rif.bad")
        self.emit(f"br i1 {cond}, label %{bad}, label %{ok}, !prof !0")
        self.start(bad)
        for val in extra:
            self.decref(val, cold=True)
        self.helper(op, helper, args, extra=after)
        self.emit("unreachable")
        self.start(ok)

    def raise_if_null(self, val: str, op: ir.Op, helper: str, args: list[str]):
        z = self.t()
        self.emit(f"{z} = icmp eq ptr {val}, null")
        self.raise_if(z, op, helper, args)

    def require_type(self, val: str, type_symbol: str, op: ir.Op, message: str, extra=()):
        """SystemError unless ``val`` is non-NULL with exactly this type (guards the
        C-API against malformed bytecode)."""
        msg = [self.const(message)]
        z = self.t()
        self.emit(f"{z} = icmp eq ptr {val}, null")
        self.raise_if(z, op, "raise_system_error", msg, extra)
        c = self.t()
        self.emit(f"{c} = icmp ne ptr {self.type_of(val)}, {self.capi(type_symbol)}")
        self.raise_if(c, op, "raise_system_error", msg, extra)

    def require_nonnull(self, val: str, op: ir.Op, message: str):
        self.raise_if_null(val, op, "raise_system_error", [self.const(message)])

    def require_exception(self, val: str, op: ir.Op):
        flags = self.type_flags(self.type_of(val))
        m = self.t()
        self.emit(f"{m} = and i64 {flags}, {abi.TPFLAGS_BASE_EXC_SUBCLASS}")
        c = self.t()
        self.emit(f"{c} = icmp eq i64 {m}, 0")
        self.raise_if(c, op, "raise_system_error", [self.const("exception expected on the stack")])

    # ---- deoptimisation (specialised code) ---------------------------------
    def deopt_if(self, cond: str, op: ir.Op):
        """If ``cond`` (i1) holds, leave the native code: the interpreter finishes
        the call from the state before ``op``'s instruction. Guards with the same
        state (an op's two operands, say) share one deopt block: everything it
        reads was made before the instruction, so it is valid after either guard,
        and each block costs the code generator as much as many instructions."""
        resume, stack = op.state
        release = op.attrs.get("release", ())
        key = (resume, op.offset, tuple(map(id, stack)), tuple(map(id, release)))
        ok = self.label("nodeopt")
        bad = self.deopt_blocks.get(key)
        if bad is not None:
            self.emit(f"br i1 {cond}, label %{bad}, label %{ok}, !prof !0")
            self.start(ok)
            return
        bad = self.deopt_blocks[key] = self.label("deopt")
        self.emit(f"br i1 {cond}, label %{bad}, label %{ok}, !prof !0")
        self.start(bad)
        self.emit_deopt(resume, stack, op.offset, release=release)
        self.start(ok)

    def box_int(self, val: str) -> str:
        """PyLong_FromLongLong(val), a cached small int taken by its address inline."""
        stride = abi.SMALL_INT_STRIDE
        if stride is None:
            return self.call("PyLong_FromLongLong", val)
        lo = abi.SMALL_INTS.start
        off, small = self.t(), self.t()
        self.emit(f"{off} = sub i64 {val}, {lo}")
        self.emit(f"{small} = icmp ult i64 {off}, {len(abi.SMALL_INTS)}")
        cached, made, join = self.label("bi.small"), self.label("bi.new"), self.label("bi.join")
        self.emit(f"br i1 {small}, label %{cached}, label %{made}")
        self.start(cached)
        byte, p = self.t(), self.t()
        self.emit(f"{byte} = mul i64 {off}, {stride}")
        self.emit(f"{p} = getelementptr i8, ptr {self.const(lo)}, i64 {byte}")
        self.incref(p)
        self.emit(f"br label %{join}")
        self.start(made)
        q = self.call("PyLong_FromLongLong", val)
        made_end = self.cur
        self.emit(f"br label %{join}")
        self.start(join)
        r = self.t()
        self.emit(f"{r} = phi ptr [ {p}, %{cached} ], [ {q}, %{made_end} ]")
        return r

    def box_raw(self, type_: str, val: str, kind: str = "") -> str:
        """A new reference boxing an unboxed value; NULL on failure (error set)."""
        if type_ == I64:
            return self.box_int(val)
        if type_ == F64:
            return self.call("PyFloat_FromDouble", val)
        r = self.t()
        fields = []
        for i in range(3):
            f, x = self.t(), self.t()
            self.emit(f"{f} = getelementptr i64, ptr {val}, i64 {i}")
            self.emit(f"{x} = load i64, ptr {f}")
            fields.append(f"i64 {x}")
        self.emit(f"{r} = call ptr @jit.box_range({', '.join(fields)}, "
                  f"i1 {'true' if kind == 'riter' else 'false'})")
        return r

    def emit_deopt(self, resume: int, stack: list, offset: int, release=(), args_only=False):
        """Hand the frame (locals, then the operand stack) to the specialisation's
        deopt method, which resumes in the interpreter, and return what it returns.
        Each site stores its stack (new references) and jumps to one shared block
        that adds the locals and makes the call, so code size stays linear."""
        site = self.spec.add_site(resume, len(stack), offset)
        if args_only:
            self._deopt_at_entry(site)
            return
        released = {id(v) for v in release}    # released here, so they need a reference
        kinds, k = "", 0
        for v in stack:
            kind = self._deopt_stack_value(k, v, id(v) in released)
            kinds += kind
            k += 3 if kind in "rR" else 2 if kind in "pq" else 1
        self.deopt_depth = max(self.deopt_depth, k)
        for v in release:
            self.release(v, cold=True)
        for v in stack:            # the others' references move into the frame list
            if v.borrowed == "lent" and id(v) not in released:
                self.release(v, cold=True)
        kinds_global = self._kinds_string(f"sk{site}", kinds)
        self.deopt_incoming.append((self.cur, self.const(site), len(stack), kinds_global))
        self.emit("br label %deopt.shared")

    def _deopt_stack_value(self, k: int, v: ir.Value, released: bool) -> str:
        """Store stack value ``v`` raw in %deopt.stack[k]; its kind for jit.deopt_list:
        o an object whose reference moves there, n the same or NULL, b a borrowed
        object that stays alive meanwhile (a constant, a local's, a checked global),
        B an i1, i an i64, f a double, r / R a native range iterator / range as its
        three fields in slots k..k+2 (boxed by jit.deopt_list: no call here), p / q
        a kept parameter's i64 / double then its argument object or NULL (so the
        resumed frame holds the caller's object, as the interpreter's would). A lent
        item, or a value this site releases, gets a reference of its own first."""
        val, lt = self.v(v), LLTYPE[v.type]
        if v.type == RANGE:
            for i in range(3):
                f, x, p = self.t(), self.t(), self.t()
                self.emit(f"{f} = getelementptr i64, ptr {val}, i64 {i}")
                self.emit(f"{x} = load i64, ptr {f}")
                self.emit(f"store i64 {x}, ptr {self._stack_slot(k + i)}")
            return "r" if v.hint == "riter" else "R"
        if v.type in (OBJ, NOBJ) and (v.borrowed == "lent" or released):
            incref = "@jit.incref.cold" if v.type == OBJ else "@jit.xincref"
            self.emit(f"call void {incref}(ptr {val})")
        p = self._stack_slot(k)
        if v.type == BOOL:
            val, lt = self.t(), "i64"
            self.emit(f"{val} = zext i1 {self.v(v)} to i64")
        self.emit(f"store {lt} {val}, ptr {p}")
        given = self.param_object(v) if v.type in (I64, F64) else None
        if given is not None:       # the argument object itself, when one came
            self.emit(f"store ptr {given}, ptr {self._stack_slot(k + 1)}")
            return "p" if v.type == I64 else "q"
        if v.borrowed is True:
            return "b" if v.type == OBJ else "m"
        return {OBJ: "o", NOBJ: "n", BOOL: "B", I64: "i", F64: "f"}[v.type]

    def _stack_slot(self, k: int) -> str:
        """%deopt.stack[k]'s address, in the form LLVM's instcombine keeps: rewriting
        each of a function's thousands of such addresses put the one alloca back on
        its worklist every time, each visit walking all its users (a 100-deep
        expression: seconds)."""
        if k == 0:
            return "%deopt.stack"
        p = self.t()
        self.emit(f"{p} = getelementptr inbounds nuw i8, ptr %deopt.stack, i64 {8 * k}")
        return p

    def _kinds_string(self, name: str, kinds: str) -> str:
        """A module constant holding ``kinds`` (jit.deopt_list's slot kinds); its name."""
        g = f"@{self.p}.{name}"
        self.private_globals.append(f'{g} = private constant [{len(kinds) + 1} x i8] c"{kinds}\\00"')
        return g

    def check_null_exit(self, val: str):
        """Out of memory while deoptimising or boxing parameters: leave with the
        exception (jit.deopt_list has released what it was handed)."""
        z, ok = self.t(), self.label("boxed")
        self.emit(f"{z} = icmp eq ptr {val}, null")
        self.emit(f"br i1 {z}, label %error_exit, label %{ok}")
        self.start(ok)

    def _deopt_shared(self):
        """The one block all deopt sites jump to (see emit_deopt): the locals' raw
        values go, with the stack the site stored, to jit.deopt_list (rtlib), which
        boxes them into a list, and the list is handed over. It is emptied into the
        resumed frame, so objects die when the interpreter would free them."""
        if not self.deopt_incoming:
            return
        n = len(self.slot_types)
        self.allocas += [f"%deopt.stack = alloca [{max(self.deopt_depth, 1)} x i64]",
                         f"%deopt.vals = alloca [{max(n, 1)} x i64]",
                         f"%deopt.bound = alloca [{max(n, 1)} x i8]"]
        kinds = self._kinds_string("kinds", "".join(DEOPT_KINDS[st] for st in self.slot_types))
        self.start("deopt.shared")
        site = ", ".join(f"[ {k}, %{pred} ]" for pred, k, _, _ in self.deopt_incoming)
        depth = ", ".join(f"[ {d}, %{pred} ]" for pred, _, d, _ in self.deopt_incoming)
        skinds = ", ".join(f"[ {g}, %{pred} ]" for pred, _, _, g in self.deopt_incoming)
        self.emit(f"%ds.site = phi ptr {site}")
        self.emit(f"%ds.depth = phi i64 {depth}")
        self.emit(f"%ds.kinds = phi ptr {skinds}")
        self._gather_locals()
        lst = self.t()
        self.emit(f"{lst} = call ptr @jit.deopt_list(ptr %deopt.vals, ptr %deopt.bound, "
                  f"ptr {kinds}, i64 {n}, ptr %deopt.stack, ptr %ds.kinds, "
                  f"i64 %ds.depth, ptr {self.const(helpers.UNBOUND)}, "
                  f"ptr {self.const(deopt_null())})")
        r = self._deopt_call("%ds.site", lst)
        self._deopt_exit(r)

    def _gather_locals(self, prefix="%deopt", move=True, count=None):
        """Every local's raw value and bound flag into <prefix>.vals/<prefix>.bound
        (with ``move``, an object's reference moves there; else it is borrowed)."""
        for i, st in enumerate(self.slot_types[:count]):
            x, p = self.t(), self.t()
            self.emit(f"{x} = load {LLTYPE[st]}, ptr %slot{i}")
            self.emit(f"{p} = getelementptr i64, ptr {prefix}.vals, i64 {i}")
            self.emit(f"store {LLTYPE[st]} {x}, ptr {p}")
            if st == OBJ:
                if move:
                    self.emit(f"store ptr null, ptr %slot{i}")     # the reference moves on
                continue
            f, f8, q = self.t(), self.t(), self.t()
            self.emit(f"{f} = load i1, ptr %bound{i}")
            self.emit(f"{f8} = zext i1 {f} to i8")
            if move and i in self.kept_params and st in (I64, F64):
                # the argument object itself, when one came (bound 2: see jit.deopt_list)
                obj, has, raw = self.t(), self.t(), self.t()
                self.emit(f"{obj} = load ptr, ptr %argobj{i}")
                self.emit(f"{has} = icmp ne ptr {obj}, null")
                self.emit(f"{raw} = ptrtoint ptr {obj} to i64")
                word, flag = self.t(), self.t()
                bits = x
                if st == F64:
                    bits = self.t()
                    self.emit(f"{bits} = bitcast double {x} to i64")
                self.emit(f"{word} = select i1 {has}, i64 {raw}, i64 {bits}")
                self.emit(f"store i64 {word}, ptr {p}")
                self.emit(f"{flag} = select i1 {has}, i8 2, i8 {f8}")
                f8 = flag
            self.emit(f"{q} = getelementptr i8, ptr {prefix}.bound, i64 {i}")
            self.emit(f"store i8 {f8}, ptr {q}")

    def _deopt_call(self, site: str, lst: str) -> str:
        """spec.deopt(site, lst, left) by jit.deopt_resume (rtlib), which releases the
        list (emptied by then); NULL if the list is (jit.deopt_list failed). ``left``:
        the recursion-limit count this call's level leaves (the frame resuming the
        call takes this level's place: deopt.resume sets the count to it, so each level
        a deopt resumes costs one, as in the interpreter)."""
        r = self.t()
        # (a leaf copy did not count its level: the resumed frame will)
        own = 0 if self.counts_depth else 1
        self.emit(f"{r} = call ptr @jit.deopt_resume(ptr {lst}, ptr {site}, "
                  f"ptr {self.const(self.spec.deopt)}, ptr %ts, i64 {own})")
        return r

    def _deopt_exit(self, r: str):
        failed, done = self.t(), self.label("deopt.done")
        self.emit(f"{failed} = icmp eq ptr {r}, null")
        self.emit(f"br i1 {failed}, label %error_exit, label %{done}")
        self.start(done)
        self.lines.extend(self._cleanup_locals(cold=True))
        self.lines.extend(leave_recursion(next(self.tmp), self.counts_depth))
        self.emit(f"ret ptr {r}")

    def _deopt_at_entry(self, site: int):
        """A parameter did not unbox: the whole call runs in the interpreter, with the
        arguments as they came. Every such site jumps to one block (below)."""
        self.entry_deopt_incoming.append((self.cur, self.const(site)))
        self.emit("br label %deopt.entry")

    def _deopt_entry_shared(self):
        """The arguments (new references), then unbound locals, to jit.deopt_list; the
        parameter slots' references are released (typed slots hold nothing yet)."""
        if not self.entry_deopt_incoming:
            return
        n, nparams = len(self.slot_types), self.nparams()
        self.allocas.append(f"%deopt.args = alloca [{max(n, 1)} x ptr]")
        kinds = self._kinds_string("arg_kinds", "o" * n)
        self.start("deopt.entry")
        site = ", ".join(f"[ {k}, %{pred} ]" for pred, k in self.entry_deopt_incoming)
        self.emit(f"%de.site = phi ptr {site}")
        for i in range(n):
            p = self.t()
            self.emit(f"{p} = getelementptr ptr, ptr %deopt.args, i64 {i}")
            if i < nparams:
                self.incref(f"%arg{i}")
            self.emit(f"store ptr {f'%arg{i}' if i < nparams else 'null'}, ptr {p}")
        for i in range(nparams):
            if self.slot_types[i] == OBJ:
                x = self.t()
                self.emit(f"{x} = load ptr, ptr %slot{i}")
                self.emit(f"store ptr null, ptr %slot{i}")
                self.xdecref(x, cold=True)
        lst = self.t()
        self.emit(f"{lst} = call ptr @jit.deopt_list(ptr %deopt.args, ptr %deopt.args, "
                  f"ptr {kinds}, i64 {n}, ptr null, ptr null, i64 0, "
                  f"ptr {self.const(helpers.UNBOUND)}, ptr null)")
        self._deopt_exit(self._deopt_call("%de.site", lst))

    def _unbox_params(self, nparams: int) -> list[str]:
        """Parameters into their slots. Called through the vectorcall entry, they are
        objects: typed ones are unboxed (the dispatcher checked their exact types; an
        int too big for 64 bits deoptimises before anything ran). Called through a
        specialisation's direct entry, the signature's ints and floats are raw and
        the rest objects."""
        saved, self.lines = self.lines, []
        self.start("params")
        for i in self.kept_params:
            self.allocas.append(f"%argobj{i} = alloca ptr")
        # (a nested function's copy called with raw numbers: their types)
        types = () if self.spec is None else (self.spec.raw_types or self.spec.types)
        raw_params = [i for i in range(nparams) if i < len(types) and types[i] in (int, float)]
        direct = bool(raw_params)
        params = range(nparams)
        if direct:
            self.emit("br i1 %direct, label %params.direct, label %params.boxed")
            self.start("params.direct")
            passed = [i for i in params if i not in raw_params]
            if any(self.slot_types[i] != OBJ for i in passed):
                raise CompileError("lower: a typed slot for a parameter passed as an object")
            self._boxed_params(passed)
            for i in raw_params:
                raw_t = "double" if types[i] is float else "i64"
                raw = self.t()
                self.emit(f"{raw} = load {raw_t}, ptr %arg{i}.p")
                if self.slot_types[i] == OBJ:
                    boxed = self.box_raw(F64 if raw_t == "double" else I64, raw)
                    self.check_null_exit(boxed)
                    self.emit(f"store ptr {boxed}, ptr %slot{i}")
                else:
                    self.emit(f"store {raw_t} {raw}, ptr %slot{i}")
                    self.emit(f"store i1 true, ptr %bound{i}")
                if i in self.kept_params:
                    self.emit(f"store ptr null, ptr %argobj{i}")     # (no object came)
            self.emit("br label %params.done")
            self.start("params.boxed")
        self._boxed_params(params)
        if direct:
            self.emit("br label %params.done")
            self.start("params.done")
        out, self.lines = self.lines, saved
        return out

    def _boxed_params(self, params):
        """Parameters passed as objects into their slots (typed slots unbox them)."""
        for i in params:
            if self.slot_types[i] == OBJ:
                self.incref(f"%arg{i}")
                self.emit(f"store ptr %arg{i}, ptr %slot{i}")
        for i in params:
            if self.slot_types[i] == OBJ:
                continue
            arg = f"%arg{i}"
            if self.slot_types[i] == I64:
                val, ok = unbox_int_inline(self, arg)
                bad = self.t()
                self.emit(f"{bad} = xor i1 {ok}, true")
            else:
                # a nan argument keeps its object: ``v in xs`` finds it by identity
                val, bad = self.field(arg, abi.FLOAT_VALUE, "double"), self.t()
                self.emit(f"{bad} = fcmp uno double {val}, 0.0")
            nope, fine = self.label("argdeopt"), self.label("argok")
            self.emit(f"br i1 {bad}, label %{nope}, label %{fine}, !prof !0")
            self.start(nope)
            self.emit_deopt(0, [], arg_param_site(i), args_only=True)
            self.start(fine)
            self.emit(f"store {LLTYPE[self.slot_types[i]]} {val}, ptr %slot{i}")
            self.emit(f"store i1 true, ptr %bound{i}")
            if i in self.kept_params:
                self.emit(f"store ptr {arg}, ptr %argobj{i}")

    @functools.cached_property
    def kept_params(self) -> frozenset:
        """Unboxed parameters the code never assigns or deletes: boxing one gives back
        the argument object itself (``(x, x)``, ``return x``), when it came as one
        (%argobj<slot>, NULL through a direct call)."""
        if self.spec is None:
            return frozenset()
        written = {op.attrs["slot"] for blk in self.fn.blocks for op in blk.ops
                   if op.kind in ("store_local", "delete_local")}
        return frozenset(i for i in range(self.nparams())
                         if self.slot_types[i] != OBJ and i not in written)

    def param_object(self, v) -> str | None:
        """The argument object ``v`` (an unboxed value) was unboxed from, or NULL,
        when ``v`` is a kept parameter's value (see kept_params); else None."""
        op = self.producer(v)
        if op is None or op.kind != "load_local" or op.attrs["slot"] not in self.kept_params:
            return None
        obj = self.t()
        self.emit(f"{obj} = load ptr, ptr %argobj{op.attrs['slot']}")
        return obj

    def box_value(self, v, kind: str = "") -> str:
        """A new reference to unboxed ``v`` as an object (NULL if that fails): a kept
        parameter's argument object when it came as one, else a new box."""
        given = self.param_object(v) if v.type in (I64, F64) else None
        if given is None:
            return self.box_raw(v.type, self.v(v), kind)
        reuse, make, join = self.label("bx.arg"), self.label("bx.new"), self.label("bx.join")
        self.emit(f"br i1 {_icmp(self, 'ne', given, 'null', 'ptr')}, label %{reuse}, label %{make}")
        self.start(reuse)
        self.incref(given)
        self.emit(f"br label %{join}")
        self.start(make)
        r = self.box_raw(v.type, self.v(v), kind)
        made = self.cur
        self.emit(f"br label %{join}")
        self.start(join)
        out = self.t()
        self.emit(f"{out} = phi ptr [ {given}, %{reuse} ], [ {r}, %{made} ]")
        return out

    def pyint(self, n: int) -> str:
        return self.const(n)

    def none(self) -> str:
        return self.capi("_Py_NoneStruct")

    def or_none(self, val: str) -> str:
        z = self.t()
        self.emit(f"{z} = icmp eq ptr {val}, null")
        r = self.t()
        self.emit(f"{r} = select i1 {z}, ptr {self.none()}, ptr {val}")
        return r

    def tuple_item(self, tup: str, i: int) -> str:
        return self.field(tup, abi.TUPLE_ITEMS + 8 * i)

    # ---- the function -------------------------------------------------------
    def lower(self) -> str:
        body_start = len(self.lines)
        for blk in self.fn.blocks:
            self.lower_block(blk)
        self._deopt_shared()
        self._tb_shared()
        body = self.lines[body_start:]
        # insert phis after each block label
        out = []
        for line in body:
            out.append(line)
            if line.endswith(":") and line.startswith("blk."):
                blk = self._label_to_block[line[:-1]]
                for i, param in enumerate(blk.params):
                    incoming = ", ".join(f"[ {vals[i]}, %{pred} ]" for pred, vals in self.phis[blk])
                    lt = LLTYPE[param.type]
                    if not incoming:    # nothing branches here (e.g. a handler no op reaches)
                        out.append(f"  {self.v(param)} = freeze {lt} poison")
                        continue
                    out.append(f"  {self.v(param)} = phi {lt} {incoming}")
        return self._assemble(out)

    def _assemble(self, body: list[str]) -> str:
        p = self.p
        nparams = self.nparams()
        param_lines = self._unbox_params(nparams)   # before the allocas are listed
        saved, self.lines = self.lines, []
        self._deopt_entry_shared()
        entry_deopt, self.lines = self.lines, saved
        # (a recursive copy's impl is measured after linking: a symbol of its own)
        linkage = "internal " if self.inline_copy and not self.recursive else ""
        flag = ", i1 %deep.ok" if self.depth_flag else ""
        namespaces = "" if self.own_consts else \
            "ptr %globals, ptr %builtins, ptr %locals, ptr %frame, ptr %closure, "
        head = [f"define {linkage}ptr @{p}.impl({namespaces}i1 %direct, ptr %out, ptr %args, "
                f"ptr %ts, i64 %floor.in{flag}){' alwaysinline' if self.inline_copy else ''} {{",
                "entry:"]
        if self.own_consts:
            head += [self._const_loads(), "  %locals = getelementptr i8, ptr null, i64 0"]
        for i, st in enumerate(self.slot_types):
            lt = LLTYPE[st]
            head += [f"  %slot{i} = alloca {lt}", f"  store {lt} {ZERO[lt]}, ptr %slot{i}"]
            if st != OBJ:   # typed slots cannot hold NULL: a flag says "bound"
                head += [f"  %bound{i} = alloca i1", f"  store i1 false, ptr %bound{i}"]
        for i in sorted(self.strides.slots if self.strides else ()):
            head += [f"  %stride{i} = alloca i64", f"  store i64 0, ptr %stride{i}"]
        head += ["  " + a for a in self.allocas]
        if capi.TSTATE_INTERP is not None:
            self.used.add("jit_eval_breaker")
        head += eval_breaker_address() if capi.TSTATE_INTERP is not None else [
            "  %backedges = alloca i32", f"  store i32 {BACKEDGE_PERIOD}, ptr %backedges"]
        head += ["  %flocals = alloca ptr", "  store ptr null, ptr %flocals"]
        if self.checks_stack:
            head.append("  %sp.probe = alloca i8")     # this frame's address (_stack_check)
        self.used.add("Py_EnterRecursiveCall")
        head += enter_recursion(self.counts_depth, self.depth_flag)
        if not self.checks_stack:
            # runs in its caller's native frame (always inlined): nothing to check
            head += ["depth.check:", "  br label %start", "start:"]
        else:
            head += ["depth.check:", *self._stack_check(),
                     "too.deep:", *leave_recursion(next(self.tmp), self.counts_depth),
                     f"  %rerr.f = getelementptr ptr, ptr @{self.p}.consts, "
                     f"i64 {self.fn.const_index(helpers.raise_recursion_error)}",
                     "  %rerr = load ptr, ptr %rerr.f",
                     "  %rerr.r = call ptr @PyObject_Vectorcall(ptr %rerr, ptr null, i64 0, ptr null)",
                     "  call void @jit.strip_tb()",
                     "  ret ptr null",
                     "start:", *self._entry_break()]
        for i in range(nparams):
            head += [f"  %arg{i}.p = getelementptr ptr, ptr %args, i64 {i}",
                     f"  %arg{i} = load ptr, ptr %arg{i}.p"]
        head.append(f"  br label %params")
        head += param_lines
        head.append(f"  br label %{self.block_label(self.fn.blocks[0])}")
        tail = ["error_exit:"] + self._cleanup_locals(cold=True) + [
            *leave_recursion(next(self.tmp), self.counts_depth),
                                                           "  ret ptr null", "}"]
        self.used.update(("Py_EnterRecursiveCall", "Py_LeaveRecursiveCall",
                          "_PyThreadState_UncheckedGet"))
        return "\n".join(head + body + entry_deopt + tail)

    def _entry_break(self) -> list[str]:
        """The call's RESUME: as the interpreter's, it polls the eval breaker (a
        signal handler, another thread, a pending call may be due: a recursion with
        no loop would else never let them run); one that raises gives the
        traceback this function's entry at its first line."""
        if capi.TSTATE_INTERP is None:
            return []
        from runtime.deopt import _first_resume
        resume = max(_first_resume(self.code), 0)
        line = self.lines_by_offset.get(resume, self.code.co_firstlineno)
        line = line if line is not None else -1     # (no location: as unwind's)
        return [*poll_eval_breaker("%eb.flag0", "%eb.set0"),
                "  br i1 %eb.set0, label %eb.tick0, label %eb.go0, !prof !0",
                "eb.tick0:",
                "  %eb.rc0 = call i32 @jit.tick()",
                "  %eb.fail0 = icmp slt i32 %eb.rc0, 0",
                "  br i1 %eb.fail0, label %eb.raise0, label %eb.go0",
                "eb.raise0:",
                f"  call void @jit.tb_here(ptr %frame, i64 {resume}, i64 {line})",
                *leave_recursion(next(self.tmp), self.counts_depth),
                "  ret ptr null",
                "eb.go0:"]

    @property
    def checks_stack(self) -> bool:
        """Whether impl checks the C stack at entry: a copy inlined into its caller
        runs in the caller's frame, unless a recursion calls it (see recursive)."""
        return not self.inline_copy or self.recursive

    def frame_global(self) -> str:
        """@P.frame of a copy: its frame's size, measured after linking where it
        checks the stack (pipeline._link_text), else 0 (it has no frame of its own)."""
        if self.checks_stack:
            return f"@{self.p}.frame = global i64 {DEFAULT_FRAME_BYTES}"
        return f"@{self.p}.frame = internal constant i64 0"

    def measured_frames(self) -> list[str]:
        """The prefixes of the copies in this module whose impl checks the stack."""
        return [sub.p for sub in self.copies() if sub.checks_stack]

    @property
    def stack_floor(self) -> str:
        """This thread's C-stack floor (an i64) for the impls this code calls, which
        then need not look it up: %floor.in in a copy inlined into its caller (which
        passes its own), else what this impl's stack check found."""
        return "%floor.in" if self.inline_copy else "%st.floor"

    def _stack_check(self) -> list[str]:
        """Branch to %too.deep if this frame would reach below the thread's C-stack
        floor, else to %start. The floor comes from the caller (%floor.in: a compiled
        caller on this thread knows it) or, where that is 0, from
        runtime.capi.stack_table (found once per thread by jit.stack_floor). The
        frame's address is a probe alloca's; its size, measured from the machine
        code, is @P.frame. Whatever runs between compiled frames (the interpreter,
        C code) is on the same stack, so it is counted too."""
        self.used.update(("jit_stack_table",))
        # the key: the thread state's unique id (a later thread never has it); else
        # the pthread_t (which a later thread, with another stack, may have)
        if capi.THREAD_UID is not None:
            tid = [f"  %tid.p = getelementptr i8, ptr %ts, i64 {capi.THREAD_UID}",
                   "  %tid = load i64, ptr %tid.p", "  %st.h = add i64 %tid, 0"]
        elif capi.THREAD_ID is not None:
            tid = [f"  %tid.p = getelementptr i8, ptr %ts, i64 {capi.THREAD_ID}",
                   "  %tid = load i64, ptr %tid.p", "  %st.h = lshr i64 %tid, 12"]
        else:
            self.used.add("pthread_self")
            tid = ["  %tid = call i64 @pthread_self()", "  %st.h = lshr i64 %tid, 12"]
        return [
            "  %st.given = icmp ne i64 %floor.in, 0",
            "  br i1 %st.given, label %st.chk, label %st.look",
            "st.look:", *tid,
            f"  %st.i = and i64 %st.h, {capi.STACK_TABLE_ENTRIES - 1}",
            "  %st.e = getelementptr [2 x i64], ptr @jit_stack_table, i64 %st.i",
            "  %st.t = load i64, ptr %st.e",
            "  %st.fp = getelementptr i64, ptr %st.e, i64 1",
            "  %st.f0 = load i64, ptr %st.fp",
            "  %st.hit = icmp eq i64 %st.t, %tid",
            "  br i1 %st.hit, label %st.chk, label %st.fill, !prof !1",
            "st.fill:",
            "  %st.f1 = call i64 @jit.stack_floor(i64 %tid, ptr %st.e)",
            "  br label %st.chk",
            "st.chk:",
            "  %st.floor = phi i64 [ %floor.in, %depth.check ], [ %st.f0, %st.look ], "
            "[ %st.f1, %st.fill ]",
            f"  %frame.size = load i64, ptr @{self.p}.frame",
            "  %st.sp = ptrtoint ptr %sp.probe to i64",
            "  %st.need = add i64 %st.floor, %frame.size",
            "  %deep = icmp ult i64 %st.sp, %st.need",
            "  br i1 %deep, label %too.deep, label %start, !prof !0"]

    def nparams(self) -> int:
        for op in self.fn.blocks[0].ops:
            if op.kind == "prologue":
                return op.attrs["nparams"]
        return 0

    def _cleanup_locals(self, cold=False) -> list[str]:
        xdecref = "@jit.xdecref.cold" if cold else "@jit.xdecref"
        # the locals() dict is released inline: in most code it is a NULL that folds away
        val = f"%cl.{next(self.tmp)}"
        out = [f"  {val} = load ptr, ptr %flocals", f"  call void @jit.xdecref(ptr {val})"]
        for i in range(self.nlocals):
            if self.slot_types[i] == OBJ:
                val = f"%cl.{next(self.tmp)}"
                out += [f"  {val} = load ptr, ptr %slot{i}", f"  call void {xdecref}(ptr {val})"]
        return out

    def lower_block(self, blk: ir.Block):
        name = self.block_label(blk)
        self._label_to_block[name] = blk
        self.start(name)
        self.float_checks = {}
        for op in blk.ops:
            LOWER[op.kind](self, op)

    def module_text(self) -> str:
        impl = self.lower()
        entry = self.spec_text() if self.spec is not None else self.entry_text()
        return self._module([impl, entry] + self.extra_text)

    def lazy_module_texts(self) -> tuple[str, str]:
        """(entry module, body module) of a function whose generic code is compiled
        on first use (pipeline.compile_code): the entry module holds the vectorcall
        entry, its dispatch table and the generic wrapper, which reach the body
        through @P.implp (see _run_generic); the body module holds impl."""
        impl = self.lower()
        entry = self.entry_text(lazy=True) + self._run_generic()
        # (both after every constant is added: their tables are sized alike)
        return self._module([entry]), self._module([impl] + self.extra_text)

    def _module(self, parts: list[str]) -> str:
        p = self.p
        decls = [capi.declaration(n) for n in sorted(self.used)]
        # sized only now: lowering and the entry point both add constants
        self.const_table_size = max(len(self.fn.consts), 1)
        consts = f"@{p}.consts = global [{self.const_table_size} x ptr] zeroinitializer"
        consts += f"\n@{p}.addrs = global [{max(len(self.addresses), 1)} x ptr] zeroinitializer"
        # C stack bytes one call takes; patched after codegen (pipeline.measure_frame)
        consts += f"\n@{p}.frame = global i64 {DEFAULT_FRAME_BYTES}"
        where = '@jit.where = private constant [1 x i8] zeroinitializer'
        where += ('\n@jit.tp_call_where = private constant [31 x i8] '
                  'c" while calling a Python object\\00"')
        where += "".join("\n" + d for d in self.cache_decls())
        where += "".join("\n" + g for g in self.private_globals)
        if getattr(self, "dispatch_table", None):
            where += "\n" + self.dispatch_table
        return "\n".join(decls + [consts, where, abi.REFCOUNT_IR, rtlib.INLINE, rtlib.DECLARATIONS,
                                 TYPED_PRELUDE] + parts)

    def inline_text(self) -> str:
        """This (specialised) function as a copy inside a caller's module: its
        globals, its body and its direct entry, both internal and always inlined.
        Its frame counts as 0 bytes of native stack: it runs in the caller's frame."""
        impl = self.lower()
        entry = self._wrapper("direct", direct=True)
        return self.copy_text(impl, entry)

    def copy_text(self, *functions: str) -> str:
        """The module-level text of code copied into a caller's module: its own
        tables (filled after linking, pipeline._fill_consts), its frame size,
        ``functions`` and what they made in turn."""
        self.const_table_size = max(len(self.fn.consts), 1)
        lines = [f"@{self.p}.consts = global [{self.const_table_size} x ptr] zeroinitializer",
                 f"@{self.p}.addrs = global [{max(len(self.addresses), 1)} x ptr] zeroinitializer",
                 self.frame_global()]
        lines += self.cache_decls() + self.private_globals
        return "\n".join(lines + list(functions) + self.extra_text)

    def site_holder(self) -> list:
        """A list (in the constants) holding what call sites' caches point at."""
        if self._site_holder is None:
            self._site_holder = []
        return self._site_holder

    def cache_decls(self) -> list[str]:
        return [f"{c} = internal global [{self.cache_words.get(c, 4)} x i64] zeroinitializer"
                for c in self.global_caches]

    def copies(self):
        """Every code copied into this module, however deep (each has its own tables)."""
        for sub in self.inlined:
            yield sub
            yield from sub.copies()

    def nested_impl(self, code, arg_type=None, free_types=None, raw=False) -> str | None:
        """The impl (an LLVM symbol) of a copy of ``code``, a function this code makes
        and calls at once, placed in this module; None if it cannot be compiled. In
        specialised code it is specialised too, for its iterator of type ``arg_type``
        (unless it kept deoptimising: see dispatch.NestedSpecialization). ``raw``:
        the copy is to take its arguments, all numbers, raw (impl's direct flag),
        which nested_raw tells whether it does."""
        # (the code is one of this function's constants: alive)
        key = (id(code), repr(arg_type), raw)
        if id(code) in self.enclosing:
            # a nested function calling itself, or one it is nested in: the impl
            # being made for that code (its entry checks what it is handed), which
            # then checks the C stack (its own frames nest)
            target = self.enclosing[id(code)]
            target.recursive = True
            if target.spec is not None and target.spec.raw_types:
                self._nested_raw[f"@{target.p}.impl"] = target.spec.raw_types
            return f"@{target.p}.impl"
        if key not in self._nested_impls:
            from .pipeline import nested_function_ir, nested_specialized_ir
            from .dispatch import NestedSpecialization
            cells = getattr(self.fn, "cell_codes", {})
            free_codes = {n: cells[n] for n in code.co_freevars if n in cells}
            nested_spec = made = None
            if self.spec is not None and arg_type is not None and \
                    code not in self.spec.owner.generic_nested:
                # (a tuple: a kept nested function's arguments; else a comprehension's
                # iterator)
                args = list(arg_type) if isinstance(arg_type, tuple) and \
                    not (arg_type and arg_type[0] == "obj") else [arg_type]
                raw = raw and all(t in ("int", "float") for t in args)
                nested_spec = NestedSpecialization(self.spec.owner, code, args,
                                                   free_types or {})
                if raw:
                    nested_spec.raw_types = tuple(int if t == "int" else float for t in args)
                made = nested_specialized_ir(code, nested_spec, free_codes)
                if made is None:
                    nested_spec = None
            if made is None:
                made = nested_function_ir(code, free_codes)
            if made is None:
                self._nested_impls[key] = None
                return None
            sub = Lowering(made, code, {"globals": self.entry_consts.get("globals", {})},
                           inline_copy=True, spec=nested_spec,
                           prefix=f"{self.p}n{len(self.inlined)}")
            sub.enclosing = {**self.enclosing, id(code): sub}
            impl = sub.lower()
            self.extra_text.append(sub.copy_text(impl))
            self.used |= sub.used
            self.inlined.append(sub)
            self._nested_impls[key] = f"@{sub.p}.impl"
            if nested_spec is not None and nested_spec.raw_types:
                self._nested_raw[self._nested_impls[key]] = nested_spec.raw_types
        return self._nested_impls[key]

    def nested_raw(self, impl: str) -> tuple:
        """The types of the numbers nested_impl's ``impl`` takes raw (() if none)."""
        return self._nested_raw.get(impl, ())

    def closure_entry(self, code) -> bool:
        """Whether ``code`` (of a function this code makes) is compiled into this
        module as a function of its own, behind an entry @<sub>.closure(f, args) that
        runtime.closures registers after linking, so the functions made of it run
        it through jit.closure_call. Only plain signatures (positional parameters:
        jit.closure_call passes exactly those) of functions this code's function
        makes (their namespaces are its own; the entry checks, and declines others)."""
        from runtime import closures
        if id(code) not in self._closure_entries:
            sub = None
            if closures.AVAILABLE and abi.FUNC_VECTORCALL is not None and \
                    self.entry_consts.get("frame") is not None and \
                    not code.co_flags & CLOSURE_UNFIT_FLAGS and not code.co_kwonlyargcount:
                # (one module's entry serves every maker: the generic code's and each
                # specialisation's would otherwise compile the code again)
                sub = True if closures.has_entry(code) else self._closure_lowering(code)
            self._closure_entries[id(code)] = sub
        return self._closure_entries[id(code)] is not None

    def _closure_lowering(self, code) -> "Lowering | None":
        from .pipeline import make_frame, nested_function_ir
        from .specialize import reads_frames
        if reads_frames(code, self.entry_consts["globals"], self.entry_consts["builtins"]):
            return None     # (they would see the caller's frame: README's limitations)
        cells = getattr(self.fn, "cell_codes", {})
        made = nested_function_ir(code, {n: cells[n] for n in code.co_freevars if n in cells})
        if made is None or any(op.attrs.get("frame_builtin")
                               for blk in made.blocks for op in blk.ops):
            return None
        namespace = self.entry_consts["globals"]
        sub = Lowering(made, code, {"globals": namespace, "builtins": self.entry_consts["builtins"],
                                    "frame": make_frame(code, namespace)},
                       prefix=f"{self.p}c{len(self.inlined)}")
        sub.enclosing = {**self.enclosing, id(code): sub}
        impl = sub.lower()
        k = {name: sub.fn.const_index(obj) for name, obj in sub.entry_consts.items()}
        g = f"@{sub.p}.consts"
        entry = f"""
define ptr @{sub.p}.closure(ptr %f, ptr %args) {{
entry:
  %g.p = getelementptr i8, ptr %f, i64 {abi.FUNC_GLOBALS}
  %g = load ptr, ptr %g.p
  %b.p = getelementptr i8, ptr %f, i64 {abi.FUNC_BUILTINS}
  %b = load ptr, ptr %b.p
  %mine.g.p = getelementptr ptr, ptr {g}, i64 {k["globals"]}
  %mine.g = load ptr, ptr %mine.g.p
  %mine.b.p = getelementptr ptr, ptr {g}, i64 {k["builtins"]}
  %mine.b = load ptr, ptr %mine.b.p
  %same.g = icmp eq ptr %g, %mine.g
  %same.b = icmp eq ptr %b, %mine.b
  %same = and i1 %same.g, %same.b
  br i1 %same, label %run, label %other
other:
  ret ptr @jit_raw_marker
run:
  %clo.p = getelementptr i8, ptr %f, i64 {abi.FUNC_CLOSURE}
  %clo = load ptr, ptr %clo.p
  %frame.p = getelementptr ptr, ptr {g}, i64 {k["frame"]}
  %frame = load ptr, ptr %frame.p
  %ts = call ptr @_PyThreadState_UncheckedGet()
  %r = call ptr @{sub.p}.impl(ptr %g, ptr %b, ptr null, ptr %frame, ptr %clo, i1 false, ptr null, ptr %args, ptr %ts, i64 0)
  ret ptr %r
}}"""
        self.extra_text.append(sub.copy_text(impl, entry))
        self.used |= sub.used | {"jit_raw_marker", "_PyThreadState_UncheckedGet"}
        self.inlined.append(sub)
        return sub

    def closure_symbols(self) -> list:
        """(code, symbol prefix) of every closure entry in this module, its copies'
        too (see closure_entry)."""
        return [(sub.code, sub.p) for low in (self, *self.copies())
                for sub in low._closure_entries.values() if isinstance(sub, Lowering)]

    def inline_entry(self, spec) -> str | None:
        """The direct entry (an LLVM symbol) of a copy of ``spec``'s code placed in
        this module, so LLVM can inline the callee here; None if it cannot be made."""
        key = id(spec)
        if key not in self._inline_entries:
            from .pipeline import _function_consts, specialized_function
            d = spec.dispatcher
            made = specialized_function(d.code, spec)
            if made is None:
                return None
            sub = Lowering(made[0], d.code, _function_consts(d.function), spec=spec,
                           inline_copy=True, prefix=f"{self.p}i{len(self.inlined)}",
                           recursive_impl=f"@{self.p}.impl" if spec is self.spec else None,
                           param_ranges=self._passed_ranges(spec), depth_flag=True)
            self.extra_text.append(sub.inline_text())
            self.used |= sub.used
            self.inlined.append(sub)
            self._inline_entries[key] = f"@{sub.p}.direct"
            if sub.depth_flag:
                self.depth_flagged.add(f"@{sub.p}.direct")
            if self.spec is not None and spec is not self.spec:
                spec.inlined_into.append(self.spec.owner)
        return self._inline_entries[key]

    def _passed_ranges(self, spec) -> list:
        """Per parameter of a copy of ``spec``'s code, the hull of the intervals of
        what this code's calls of it pass (None: not an int; see ranges.Ranges). The
        copy is entered from those calls only."""
        from .lower_typed import ranges
        facts = ranges(self)
        passed = None
        for blk in self.fn.blocks:
            for op in blk.ops:
                if op.kind != "direct_call" or op.attrs.get("inline") is not spec:
                    continue
                got = [facts.interval(a) if a.type == I64 else None for a in op.args[1:]]
                passed = got if passed is None else [
                    None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))
                    for a, b in zip(passed, got)]
        return passed or []

    @property
    def own_consts(self) -> bool:
        """Whether impl loads its function's globals, builtins, frame and closure from
        its constants (a function's specialisation, or a copy of one: they are that
        function's) rather than taking them: a direct call then passes five
        arguments, all in registers."""
        return self.spec is not None and self.spec.code is self.code and \
            set(self.entry_consts) == {"globals", "builtins", "frame", "closure"}

    def impl_args(self, namespaces: str) -> str:
        """The leading arguments of a call of this impl: ``namespaces`` (globals,
        builtins, locals, frame, closure), unless impl loads its own."""
        return "" if self.own_consts else namespaces + ", "

    def _const_loads(self) -> str:
        g = f"@{self.p}.consts"
        k = {name: self.fn.const_index(obj) for name, obj in self.entry_consts.items()}
        return "\n".join(f"  %{name}.p = getelementptr ptr, ptr {g}, i64 {idx}\n"
                         f"  %{name} = load ptr, ptr %{name}.p" for name, idx in k.items())

    def _wrapper(self, name: str, direct: bool) -> str:
        """@P.<name>(args[, out, floor, ts]): load the function's constants (unless
        impl does) and call impl. The direct entry takes the calling thread's C-stack
        floor (see stack_floor) and state."""
        p = self.p
        params, flags = ("ptr %args, ptr %out, i64 %floor", "i1 true, ptr %out") if direct else \
            ("ptr %args", "i1 false, ptr null")
        floor = "%floor" if direct else "0"
        linkage, attrs = ("internal ", " alwaysinline") if self.inline_copy else ("", "")
        ts = "  %ts = call ptr @_PyThreadState_UncheckedGet()"
        if direct:      # (compiled callers have the thread state at hand)
            params, ts = params + ", ptr %ts", ""
        flag = ""
        if self.depth_flag and direct:
            params, flag = params + ", i1 %deep.ok", ", i1 %deep.ok"
        return f"""
define {linkage}ptr @{p}.{name}({params}){attrs} {{
entry:
{"" if self.own_consts else self._const_loads()}
{ts}
  %r = call ptr @{p}.impl({self.impl_args("ptr %globals, ptr %builtins, ptr null, ptr %frame, ptr %closure")}{flags}, ptr %args, ptr %ts, i64 {floor}{flag})
  ret ptr %r
}}"""

    def generic_text(self, lazy: bool = False) -> str:
        """generic(args): the generic code behind a dispatch row."""
        if not lazy:
            return self._wrapper("generic", direct=False)
        return f"""
define ptr @{self.p}.generic(ptr %args) {{
  %ts = call ptr @_PyThreadState_UncheckedGet()
  %r = call ptr @{self.p}.run_generic(ptr %args, ptr %ts)
  ret ptr %r
}}"""

    def _run_generic(self) -> str:
        """run_generic(args, ts): call impl (the generic code) through @P.implp with
        exactly co_argcount positional arguments. While implp is NULL the
        materialiser (pipeline.LazyGeneric) compiles the body and sets it; if it
        leaves it NULL (the body is being compiled further up this thread's stack,
        or could not be compiled), the original function runs in the interpreter."""
        p = self.p
        make = self.fn.const_index(self.dispatch.materialize)
        original = self.fn.const_index(self.dispatch.function)
        # (near the recursion limit the materialiser, Python code, is not called: it
        # would not compile there anyway, and its own frames could hit the limit)
        near = "  br label %make"
        if capi.RECURSION_COUNTER is not None:
            from .pipeline import COMPILE_DEPTH
            near = f"""  %rc.p = getelementptr i8, ptr %ts, i64 {capi.RECURSION_COUNTER}
  %rc = load i32, ptr %rc.p
  %near = icmp slt i32 %rc, {COMPILE_DEPTH}
  br i1 %near, label %interp, label %make"""
        return f"""
@{p}.implp = global ptr null
define internal ptr @{p}.run_generic(ptr %args, ptr %ts) {{
entry:
  %f0 = load ptr, ptr @{p}.implp
  %have0 = icmp ne ptr %f0, null
  br i1 %have0, label %run, label %headroom
headroom:
{near}
make:
  %mk.p = getelementptr ptr, ptr @{p}.consts, i64 {make}
  %mk = load ptr, ptr %mk.p
  %made = call ptr @PyObject_Vectorcall(ptr %mk, ptr null, i64 0, ptr null)
  %mfail = icmp eq ptr %made, null
  br i1 %mfail, label %fail, label %made.ok
fail:
  ret ptr null
made.ok:
  call void @jit.decref(ptr %made)
  %f1 = load ptr, ptr @{p}.implp
  %have1 = icmp ne ptr %f1, null
  br i1 %have1, label %run, label %interp
interp:
  %orig.p = getelementptr ptr, ptr @{p}.consts, i64 {original}
  %orig = load ptr, ptr %orig.p
  %ri = call ptr @PyObject_Vectorcall(ptr %orig, ptr %args, i64 {self.code.co_argcount}, ptr null)
  ret ptr %ri
run:
  %f = phi ptr [ %f0, %entry ], [ %f1, %made.ok ]
{self._const_loads()}
  %r = call ptr %f(ptr %globals, ptr %builtins, ptr null, ptr %frame, ptr %closure, i1 false, ptr null, ptr %args, ptr %ts, i64 0)
  ret ptr %r
}}"""

    def spec_text(self) -> str:
        """A specialisation's entries: spec(args), the arguments' types already checked
        by the generic entry's dispatcher; direct(args, out, floor, ts) for other
        specialised code, every argument a raw int/float and an int/float result raw
        in out."""
        return self._wrapper("spec", direct=False) + self._wrapper("direct", direct=True)

    def _dispatch_text(self, argc: int) -> str:
        """Per-signature dispatch: a small table of (exact argument types -> entry) filled
        by the dispatcher's miss handler; an empty row calls it (once), a full table
        goes to the generic code."""
        d = self.dispatch
        if d is None:
            return ""
        p = self.p
        row = argc + 1
        self.dispatch_table = f"@{p}.sigs = global [{d.ROWS * row} x ptr] zeroinitializer"
        miss = self.fn.const_index(helpers.miss_handler(d))
        lines = [""]
        for i in range(argc):
            lines += [f"  %da{i}.p = getelementptr ptr, ptr %dargs, i64 {i}",
                      f"  %da{i} = load ptr, ptr %da{i}.p",
                      f"  %dt{i}.p = getelementptr i8, ptr %da{i}, i64 {abi.OB_TYPE}",
                      f"  %dt{i} = load ptr, ptr %dt{i}.p"]
        lines.append("  br label %disp.scan")
        lines += ["disp.scan:", "  %retry = phi i1 [ false, %fast ], [ true, %disp.missed ]",
                  "  br label %disp.row0"]
        for r in range(d.ROWS):
            base = r * row
            nxt = f"disp.row{r + 1}" if r + 1 < d.ROWS else "disp.generic"
            lines += [f"disp.row{r}:",
                      f"  %df{r}.p = getelementptr ptr, ptr @{p}.sigs, i64 {base + argc}",
                      f"  %df{r} = load ptr, ptr %df{r}.p",
                      f"  %dz{r} = icmp eq ptr %df{r}, null",
                      f"  br i1 %dz{r}, label %disp.miss, label %disp.cmp{r}",
                      f"disp.cmp{r}:"]
            conds = []
            for i in range(argc):
                lines += [f"  %ds{r}.{i}.p = getelementptr ptr, ptr @{p}.sigs, i64 {base + i}",
                          f"  %ds{r}.{i} = load ptr, ptr %ds{r}.{i}.p",
                          f"  %dm{r}.{i} = icmp eq ptr %ds{r}.{i}, %dt{i}"]
                conds.append(f"%dm{r}.{i}")
            acc = "true"
            for j, c in enumerate(conds):
                lines.append(f"  %dc{r}.{j} = and i1 {acc}, {c}")
                acc = f"%dc{r}.{j}"
            lines += [f"  br i1 {acc}, label %disp.call{r}, label %{nxt}",
                      f"disp.call{r}:",
                      f"  %dr{r} = call ptr %df{r}(ptr %dargs)",
                      f"  ret ptr %dr{r}"]
        # (the miss handler is Python code that compiles: near the recursion limit
        # the call goes to the generic code at once, as pipeline.too_deep_to_compile
        # would decide, without the handler's own frames hitting the limit)
        near = ["  br label %disp.callmiss"]
        if capi.RECURSION_COUNTER is not None:
            from .pipeline import COMPILE_DEPTH
            near = ["  %dts = call ptr @_PyThreadState_UncheckedGet()",
                    f"  %drc.p = getelementptr i8, ptr %dts, i64 {capi.RECURSION_COUNTER}",
                    "  %drc = load i32, ptr %drc.p",
                    f"  %dnear = icmp slt i32 %drc, {COMPILE_DEPTH}",
                    "  br i1 %dnear, label %disp.generic, label %disp.callmiss"]
        lines += ["disp.miss:",
                  "  br i1 %retry, label %disp.generic, label %disp.headroom",
                  "disp.headroom:", *near,
                  "disp.callmiss:",
                  f"  %dmiss.p = getelementptr ptr, ptr @{p}.consts, i64 {miss}",
                  "  %dmiss = load ptr, ptr %dmiss.p",
                  f"  %dmr = call ptr @PyObject_Vectorcall(ptr %dmiss, ptr %dargs, i64 {argc}, ptr null)",
                  "  %dmfail = icmp eq ptr %dmr, null",
                  "  br i1 %dmfail, label %disp.fail, label %disp.missed",
                  "disp.fail:", "  call void @jit.strip_tb()", "  ret ptr null",
                  "disp.missed:", "  call void @jit.decref(ptr %dmr)", "  br label %disp.scan",
                  "disp.generic:"]
        return "\n".join(lines)

    def _bind_text(self, call: str) -> str:
        """Blocks %nb .. of the entry (every call but an exact positional one): the
        call's arguments bound into %buf natively (as the interpreter's
        initialize_locals), then the call made. The plain cases only:
        each keyword names a parameter after the positional-only ones by identity
        (names are interned) or, with ``**kwargs``, none at all (not even by value),
        none is given twice, and each missing parameter has a default; anything else
        (errors included) goes to %slow, the binder, which raises what the
        interpreter raises. %buf's arguments are borrowed; the defaults taken, the
        *args tuple and the **kwargs dict are owned here (%nb.own, %nb.va.cell,
        %nb.vk.cell) and released after ``call`` (of %buf and %nb.ts, the thread
        state)."""
        code = self.code
        argc, kwonly, posonly = code.co_argcount, code.co_kwonlyargcount, code.co_posonlyargcount
        named = argc + kwonly
        varargs, varkw = bool(code.co_flags & 0x04), bool(code.co_flags & 0x08)
        va_at, vk_at = named, named + varargs
        self.used |= {"PyTuple_New", "PyDict_New", "PyDict_SetItem", "PyDict_GetItem",
                      "PyUnicode_Compare", "PyFunction_GetKwDefaults", "_PyThreadState_UncheckedGet",
                      "PyUnicode_Type"}
        idx = self.fn.const_index(code.co_varnames[:named])   # (the same str objects)
        nparams = named + varargs + varkw
        clear = "\n".join(f"  %nb.c{j} = getelementptr ptr, ptr %buf, i64 {j}\n"
                           f"  store ptr null, ptr %nb.c{j}" for j in range(nparams))
        # the defaults taken, owned while the call runs: the first call of a signature
        # compiles, where a finaliser, a gc callback or another thread may rebind
        # __defaults__ and free them (the interpreter's frame holds them too)
        clear += "".join(f"\n  %nb.o{j} = getelementptr ptr, ptr %nb.own, i64 {j}\n"
                         f"  store ptr null, ptr %nb.o{j}" for j in range(named))

        def release(tag):
            """What this binding owns, released (``tag`` names the values)."""
            cells = ["%nb.va.cell", "%nb.vk.cell"] + [f"%nb.o{j}" for j in range(named)]
            return "".join(f"\n  %nb.{tag}{k} = load ptr, ptr {c}\n"
                           f"  call void @jit.xdecref(ptr %nb.{tag}{k})"
                           for k, c in enumerate(cells))
        lines = [f"""
nb:
  store ptr null, ptr %nb.va.cell
  store ptr null, ptr %nb.vk.cell
  %nb.nargs = and i64 %nargsf, 9223372036854775807
  %nb.names.p = getelementptr ptr, ptr @{self.p}.consts, i64 {idx}
  %nb.names = load ptr, ptr %nb.names.p
  %nb.names.items = getelementptr i8, ptr %nb.names, i64 {abi.TUPLE_ITEMS}
{clear}
  %nb.short = icmp ult i64 %nb.nargs, {argc}
  %nb.npos = select i1 %nb.short, i64 %nb.nargs, i64 {argc}
  br label %nb.copy
nb.copy:
  %nc.i = phi i64 [ 0, %nb ], [ %nc.next, %nb.copyone ]
  %nc.more = icmp ult i64 %nc.i, %nb.npos
  br i1 %nc.more, label %nb.copyone, label %nb.extra
nb.copyone:
  %nc.ap = getelementptr ptr, ptr %args, i64 %nc.i
  %nc.a = load ptr, ptr %nc.ap
  %nc.bp = getelementptr ptr, ptr %buf, i64 %nc.i
  store ptr %nc.a, ptr %nc.bp
  %nc.next = add i64 %nc.i, 1
  br label %nb.copy
nb.extra:
  %nb.over = icmp ugt i64 %nb.nargs, {argc}"""]
        if varargs:
            lines.append(f"""  %nb.nva = sub i64 %nb.nargs, %nb.npos
  %nb.va = call ptr @PyTuple_New(i64 %nb.nva)
  %nb.va.bad = icmp eq ptr %nb.va, null
  br i1 %nb.va.bad, label %nb.fail, label %nb.va.made
nb.va.made:
  store ptr %nb.va, ptr %nb.va.cell
  %nb.va.bp = getelementptr ptr, ptr %buf, i64 {va_at}
  store ptr %nb.va, ptr %nb.va.bp
  %nb.va.items = getelementptr i8, ptr %nb.va, i64 {abi.TUPLE_ITEMS}
  br label %nb.va.loop
nb.va.loop:
  %nv.i = phi i64 [ 0, %nb.va.made ], [ %nv.next, %nb.va.one ]
  %nv.more = icmp ult i64 %nv.i, %nb.nva
  br i1 %nv.more, label %nb.va.one, label %nb.dict"""
                         f"""
nb.va.one:
  %nv.ai = add i64 %nv.i, {argc}
  %nv.ap = getelementptr ptr, ptr %args, i64 %nv.ai
  %nv.a = load ptr, ptr %nv.ap
  call void @jit.incref(ptr %nv.a)
  %nv.tp = getelementptr ptr, ptr %nb.va.items, i64 %nv.i
  store ptr %nv.a, ptr %nv.tp
  %nv.next = add i64 %nv.i, 1
  br label %nb.va.loop""")
        else:
            lines.append("  br i1 %nb.over, label %nb.slow, label %nb.dict")
        lines.append("nb.dict:")
        if varkw:
            lines.append(f"""  %nb.vk = call ptr @PyDict_New()
  %nb.vk.bad = icmp eq ptr %nb.vk, null
  br i1 %nb.vk.bad, label %nb.fail, label %nb.vk.made
nb.vk.made:
  store ptr %nb.vk, ptr %nb.vk.cell
  %nb.vk.bp = getelementptr ptr, ptr %buf, i64 {vk_at}
  store ptr %nb.vk, ptr %nb.vk.bp""")
        # a keyword no parameter takes by identity: into **kwargs, unless one equals it
        # by value (a name made at run time: the binder's to bind), else the binder's
        # (a str subclass's name: the binder's, as its __eq__ counts there)
        none = (f"""  %nk.tp = getelementptr i8, ptr %nk.name, i64 {abi.OB_TYPE}
  %nk.t = load ptr, ptr %nk.tp
  %nk.str = icmp eq ptr %nk.t, @PyUnicode_Type
  br i1 %nk.str, label %nb.kwval, label %nb.slow""" if varkw else "  br label %nb.slow")
        lines.append(f"""  %nb.haskw = icmp ne ptr %kwnames, null
  br i1 %nb.haskw, label %nb.kw, label %nb.defaults
nb.kw:
  %nb.nkw.p = getelementptr i8, ptr %kwnames, i64 {abi.VAR_SIZE}
  %nb.nkw = load i64, ptr %nb.nkw.p
  %nb.kwitems = getelementptr i8, ptr %kwnames, i64 {abi.TUPLE_ITEMS}
  br label %nb.kwnext
nb.kwnext:
  %nk.k = phi i64 [ 0, %nb.kw ], [ %nk.k1, %nb.kwdone ]
  %nk.more = icmp ult i64 %nk.k, %nb.nkw
  br i1 %nk.more, label %nb.kwname, label %nb.defaults
nb.kwname:
  %nk.np = getelementptr ptr, ptr %nb.kwitems, i64 %nk.k
  %nk.name = load ptr, ptr %nk.np
  %nk.vi = add i64 %nb.nargs, %nk.k
  %nk.vp = getelementptr ptr, ptr %args, i64 %nk.vi
  %nk.val = load ptr, ptr %nk.vp
  br label %nb.kwfind
nb.kwfind:
  %nf.j = phi i64 [ {posonly}, %nb.kwname ], [ %nf.j1, %nb.kwmiss ]
  %nf.in = icmp ult i64 %nf.j, {named}
  br i1 %nf.in, label %nb.kwcmp, label %nb.kwnone
nb.kwcmp:
  %nf.pp = getelementptr ptr, ptr %nb.names.items, i64 %nf.j
  %nf.p = load ptr, ptr %nf.pp
  %nf.hit = icmp eq ptr %nf.p, %nk.name
  br i1 %nf.hit, label %nb.kwfound, label %nb.kwmiss
nb.kwmiss:
  %nf.j1 = add i64 %nf.j, 1
  br label %nb.kwfind
nb.kwfound:
  %nf.bp = getelementptr ptr, ptr %buf, i64 %nf.j
  %nf.old = load ptr, ptr %nf.bp
  %nf.twice = icmp ne ptr %nf.old, null
  br i1 %nf.twice, label %nb.slow, label %nb.kwput
nb.kwput:
  store ptr %nk.val, ptr %nf.bp
  br label %nb.kwdone
nb.kwnone:
{none}""")
        if varkw:
            lines.append(f"""nb.kwval:
  %nw.j = phi i64 [ {posonly}, %nb.kwnone ], [ %nw.j1, %nb.kwvnext ]
  %nw.in = icmp ult i64 %nw.j, {named}
  br i1 %nw.in, label %nb.kwvcmp, label %nb.kwdict
nb.kwvcmp:
  %nw.pp = getelementptr ptr, ptr %nb.names.items, i64 %nw.j
  %nw.p = load ptr, ptr %nw.pp
  %nw.c = call i32 @PyUnicode_Compare(ptr %nw.p, ptr %nk.name)
  %nw.eq = icmp eq i32 %nw.c, 0
  br i1 %nw.eq, label %nb.slow, label %nb.kwvnext
nb.kwvnext:
  %nw.j1 = add i64 %nw.j, 1
  br label %nb.kwval
nb.kwdict:
  %nw.rc = call i32 @PyDict_SetItem(ptr %nb.vk, ptr %nk.name, ptr %nk.val)
  %nw.bad = icmp slt i32 %nw.rc, 0
  br i1 %nw.bad, label %nb.fail, label %nb.kwdone""")
        lines.append(f"""nb.kwdone:
  %nk.k1 = add i64 %nk.k, 1
  br label %nb.kwnext
nb.defaults:
  %nb.defs = call ptr @PyFunction_GetDefaults(ptr %binder)
  %nb.hasdefs = icmp ne ptr %nb.defs, null
  %nb.nd.p = getelementptr i8, ptr %nb.defs, i64 {abi.VAR_SIZE}
  %nb.nd.src = select i1 %nb.hasdefs, ptr %nb.nd.p, ptr %nb.names.p   ; (no defaults: 0)
  %nb.nd.v = load i64, ptr %nb.nd.src
  %nb.nd = select i1 %nb.hasdefs, i64 %nb.nd.v, i64 0
  %nb.first = sub i64 {argc}, %nb.nd
  %nb.defitems = getelementptr i8, ptr %nb.defs, i64 {abi.TUPLE_ITEMS}
  br label %nb.slot
nb.slot:
  %nd.j = phi i64 [ 0, %nb.defaults ], [ %nd.j1, %nb.have ]
  %nd.in = icmp ult i64 %nd.j, {named}
  br i1 %nd.in, label %nb.check, label %nb.done
nb.check:
  %nd.bp = getelementptr ptr, ptr %buf, i64 %nd.j
  %nd.v = load ptr, ptr %nd.bp
  %nd.none = icmp eq ptr %nd.v, null
  br i1 %nd.none, label %nb.default, label %nb.have
nb.default:
  %nd.kwonly = icmp uge i64 %nd.j, {argc}
  br i1 %nd.kwonly, label %nb.kwdefault, label %nb.posdefault
nb.posdefault:
  %nd.ok = icmp uge i64 %nd.j, %nb.first
  br i1 %nd.ok, label %nb.takedef, label %nb.slow
nb.takedef:
  %nd.di = sub i64 %nd.j, %nb.first
  %nd.dp = getelementptr ptr, ptr %nb.defitems, i64 %nd.di
  %nd.d = load ptr, ptr %nd.dp
  store ptr %nd.d, ptr %nd.bp
  call void @jit.incref(ptr %nd.d)
  %nd.op = getelementptr ptr, ptr %nb.own, i64 %nd.j
  store ptr %nd.d, ptr %nd.op
  br label %nb.have
nb.kwdefault:
  %nd.kwdefs = call ptr @PyFunction_GetKwDefaults(ptr %binder)
  %nd.nokw = icmp eq ptr %nd.kwdefs, null
  br i1 %nd.nokw, label %nb.slow, label %nb.kwlook
nb.kwlook:
  %nd.np = getelementptr ptr, ptr %nb.names.items, i64 %nd.j
  %nd.name = load ptr, ptr %nd.np
  %nd.kd = call ptr @PyDict_GetItem(ptr %nd.kwdefs, ptr %nd.name)
  %nd.missing = icmp eq ptr %nd.kd, null
  br i1 %nd.missing, label %nb.slow, label %nb.kwtake
nb.kwtake:
  store ptr %nd.kd, ptr %nd.bp
  call void @jit.incref(ptr %nd.kd)
  %nd.ko = getelementptr ptr, ptr %nb.own, i64 %nd.j
  store ptr %nd.kd, ptr %nd.ko
  br label %nb.have
nb.have:
  %nd.j1 = add i64 %nd.j, 1
  br label %nb.slot
nb.done:
  %nb.ts = call ptr @_PyThreadState_UncheckedGet()
  %nb.r = {call}{release("e")}
  ret ptr %nb.r
nb.fail:{release("f")}
  ret ptr null
nb.slow:{release("s")}
  br label %slow
slow:""")
        return "\n".join(lines)

    def entry_text(self, lazy: bool = False) -> str:
        p = self.p
        code = self.code
        simple = not (code.co_flags & 0x0C) and code.co_kwonlyargcount == 0
        argc = code.co_argcount
        g = f"@{p}.consts"
        k = {name: self.fn.const_index(obj) for name, obj in self.entry_consts.items()}
        loads = "\n".join(f"  %{name}.p = getelementptr ptr, ptr {g}, i64 {idx}\n"
                          f"  %{name} = load ptr, ptr %{name}.p" for name, idx in k.items())
        call = (f"call ptr @{p}.impl(ptr %globals, ptr %builtins, ptr null, ptr %frame, "
                f"ptr %closure, i1 false, ptr null, ptr")
        floor = ", i64 0"    # (the thread's stack floor, unknown here: impl looks it up)
        if lazy:     # (only simple signatures are dispatched: argc positional values)
            call, floor = f"call ptr @{p}.run_generic(ptr", ""
        # the arguments' types (positional and keyword-only ones) to the specialisation
        # for them (no dispatcher: straight to impl)
        keyed = self.dispatch.argc if self.dispatch is not None else argc
        dispatch = f"""
define internal ptr @{p}.dispatch(ptr %dargs) alwaysinline {{
fast:
{loads}{self._dispatch_text(keyed)}
  %ts.a = call ptr @_PyThreadState_UncheckedGet()
  %r = {call} %dargs, ptr %ts.a{floor})
  ret ptr %r
}}"""
        # a call the binder binds (its errors) is dispatched the same way
        bound_call = f"  %r2 = call ptr @{p}.dispatch(ptr %items)"
        fast = "\n  %nb.va.cell = alloca ptr\n  %nb.vk.cell = alloca ptr" + \
            f"\n  %nb.own = alloca [{max(argc + code.co_kwonlyargcount, 1)} x ptr]"
        if simple:      # exactly argc positional values: dispatched as they are
            fast += f"""
  %nargs = and i64 %nargsf, 9223372036854775807
  %nokw = icmp eq ptr %kwnames, null
  %exact = icmp eq i64 %nargs, {argc}
  %isfast = and i1 %nokw, %exact
  br i1 %isfast, label %fast, label %nb
fast:
  %r = call ptr @{p}.dispatch(ptr %args)
  ret ptr %r"""
        else:
            fast += "\n  br label %nb"
        fast += self._bind_text(f"call ptr @{p}.dispatch(ptr %buf)")
        from runtime import funcobject
        return f"""
define ptr @{p}.entry(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %buf = alloca [{max(binding.binder_nparams(code), 1)} x ptr]
{loads}
  %binder.p = getelementptr i8, ptr %self, i64 {funcobject.OFF_BINDER}
  %binder = load ptr, ptr %binder.p{fast}
  %bound = call ptr @PyObject_Vectorcall(ptr %binder, ptr %args, i64 %nargsf, ptr %kwnames)
  %bfail = icmp eq ptr %bound, null
  br i1 %bfail, label %fail, label %call
fail:
  ret ptr null
call:
  %items = getelementptr i8, ptr %bound, i64 {abi.TUPLE_ITEMS}
{bound_call}
  call void @jit.decref(ptr %bound)
  ret ptr %r2
}}{dispatch}
""" + ("" if lazy else f"""
define ptr @{p}.module(ptr %globals, ptr %builtins, ptr %locals, ptr %frame) {{
  %ts = call ptr @_PyThreadState_UncheckedGet()
  %r = call ptr @{p}.impl(ptr %globals, ptr %builtins, ptr %locals, ptr %frame, ptr null, i1 false, ptr null, ptr null, ptr %ts, i64 0)
  ret ptr %r
}}""") + (self.generic_text(lazy) if self.dispatch else "")


# ---- op lowerings ------------------------------------------------------------

def lo_prologue(L, op):
    pass


def lo_null(L, op):
    L.static_null.add(op.result.id)
    L.emit(f"{L.v(op.result)} = bitcast ptr null to ptr")


def lo_const(L, op):
    if op.result.type in (I64, F64):
        value = L.fn.consts[op.attrs["index"]]
        lt = LLTYPE[op.result.type]
        text = str(value) if op.result.type == I64 else float_literal(value)
        if op.result.type == I64:
            L.int_consts[L.v(op.result)] = value
        L.emit(f"{L.v(op.result)} = {'add' if lt == 'i64' else 'fadd'} {lt} {text}, "
               f"{ZERO[lt] if lt == 'i64' else '-0.0'}")
        return
    c = L.const(L.fn.consts[op.attrs["index"]])
    L.emit(f"{L.v(op.result)} = bitcast ptr {c} to ptr")
    if not op.attrs.get("borrow"):
        L.incref(L.v(op.result))


def lo_incref(L, op):
    (v,) = op.args
    if v.type == OBJ:
        L.incref(L.v(v))
    elif v.type == NOBJ and v.id not in L.static_null:
        L.emit(f"call void @jit.xincref(ptr {L.v(v)})")


def lo_decref(L, op):
    L.release(op.args[0])


def lo_bool_box(L, op):
    (cond,) = op.args
    t, f = L.capi("_Py_TrueStruct"), L.capi("_Py_FalseStruct")
    if op.attrs.get("negate"):
        t, f = f, t
    r = L.v(op.result)
    L.emit(f"{r} = select i1 {L.v(cond)}, ptr {t}, ptr {f}")
    L.incref(r)


def _typed_slot(L, op):
    st = L.slot_types[op.attrs["slot"]]
    return None if st == OBJ else LLTYPE[st]


def lo_load_local(L, op):
    lt = _typed_slot(L, op)
    if lt is not None:
        i = op.attrs["slot"]
        if op.unwind is not None:   # maybe unbound: the interpreter raises
            f, nf = L.t(), L.t()
            L.emit(f"{f} = load i1, ptr %bound{i}")
            L.emit(f"{nf} = xor i1 {f}, true")
            L.deopt_if(nf, op)
        L.emit(f"{L.v(op.result)} = load {lt}, ptr {L.slot(i)}")
        return
    r = L.v(op.result)
    L.emit(f"{r} = load ptr, ptr {L.slot(op.attrs['slot'])}")
    if op.unwind is not None:
        L.raise_if_null(r, op, "raise_unbound_local", [L.const(op.attrs["name"])])
    if not op.attrs.get("borrow"):
        L.incref(r)


def lo_store_local(L, op):
    lt = _typed_slot(L, op)
    if lt is not None:
        i = op.attrs["slot"]
        L.emit(f"store {lt} {L.v(op.args[0])}, ptr {L.slot(i)}")
        L.emit(f"store i1 true, ptr %bound{i}")
        store_stride(L, op)
        return
    s = L.slot(op.attrs["slot"])
    old = L.t()
    L.emit(f"{old} = load ptr, ptr {s}")
    L.emit(f"store ptr {L.v(op.args[0])}, ptr {s}")
    L.xdecref(old)


def lo_delete_local(L, op):
    if _typed_slot(L, op) is not None:
        i = op.attrs["slot"]
        f, nf = L.t(), L.t()
        L.emit(f"{f} = load i1, ptr %bound{i}")
        L.emit(f"{nf} = xor i1 {f}, true")
        L.deopt_if(nf, op)
        L.emit(f"store i1 false, ptr %bound{i}")
        return
    s = L.slot(op.attrs["slot"])
    old = L.t()
    L.emit(f"{old} = load ptr, ptr {s}")
    L.raise_if_null(old, op, "raise_unbound_local", [L.const(op.attrs["name"])])
    L.emit(f"store ptr null, ptr {s}")
    L.decref(old)


def lo_make_cell(L, op):
    s = L.slot(op.attrs["slot"])
    old = L.t()
    L.emit(f"{old} = load ptr, ptr {s}")
    cell = L.call("PyCell_New", old)
    L.check_null(cell, op)
    L.emit(f"store ptr {cell}, ptr {s}")
    L.xdecref(old)


def _cell_ref(L, op):
    cell = L.t()
    L.emit(f"{cell} = load ptr, ptr {L.slot(op.attrs['slot'])}")
    L.require_type(cell, "PyCell_Type", op, "a cell variable's slot does not hold a cell")
    p = L.t()
    L.emit(f"{p} = getelementptr i8, ptr {cell}, i64 {abi.CELL_REF}")
    return p


def _unbound_deref(L, op, p):
    val = L.t()
    L.emit(f"{val} = load ptr, ptr {p}")
    which = "raise_unbound_free" if op.attrs["free"] else "raise_unbound_local"
    L.raise_if_null(val, op, which, [L.const(op.attrs["name"])])
    return val


def lo_load_closure(L, op):
    cell = L.v(op.result)
    L.emit(f"{cell} = load ptr, ptr {L.slot(op.attrs['slot'])}")
    L.require_type(cell, "PyCell_Type", op, "a cell variable's slot does not hold a cell")
    L.incref(cell)


def lo_load_deref(L, op):
    p = _cell_ref(L, op)
    val = _unbound_deref(L, op, p)
    L.emit(f"{L.v(op.result)} = bitcast ptr {val} to ptr")
    L.incref(val)


def lo_store_deref(L, op):
    p = _cell_ref(L, op)
    old = L.t()
    L.emit(f"{old} = load ptr, ptr {p}")
    new = L.v(op.args[0])
    L.incref(new)
    L.emit(f"store ptr {new}, ptr {p}")
    L.xdecref(old)


def lo_delete_deref(L, op):
    p = _cell_ref(L, op)
    old = _unbound_deref(L, op, p)
    L.emit(f"store ptr null, ptr {p}")
    L.decref(old)


def lo_load_classderef(L, op):
    cell = L.t()
    L.emit(f"{cell} = load ptr, ptr {L.slot(op.attrs['slot'])}")
    r = L.helper(op, "load_classderef", [L.const(op.attrs["name"]), L.or_none("%locals"), cell])
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")


def lo_copy_free_vars(L, op):
    first = op.attrs["first"]
    for i in range(op.attrs["count"]):
        item = L.tuple_item("%closure", i)
        L.incref(item)
        L.emit(f"store ptr {item}, ptr {L.slot(first + i)}")


def lo_load_global(L, op):
    """Globals then builtins; the result is cached per site and reused while both
    dicts' version tags (changed by every mutation) are the ones it was found with."""
    if "expect" in op.attrs:
        _load_global_expected(L, op)
        return
    name = L.const(op.attrs["name"])
    r = L.v(op.result)
    cache = f"@{L.p}.gcache{len(L.global_caches)}"
    L.global_caches.append(cache)
    gver, bver = L.field("%globals", abi.DICT_VERSION, "i64"), L.field("%builtins", abi.DICT_VERSION, "i64")
    cg, cb, cv = (L.t() for _ in range(3))
    L.emit(f"{cg} = load i64, ptr {cache}")
    L.emit(f"{cb} = load i64, ptr getelementptr (i64, ptr {cache}, i64 1)")
    hit = _and_i1(L, f"icmp eq i64 {cg}, {gver}", f"icmp eq i64 {cb}, {bver}")
    hit_l, look, join = L.label("gc.hit"), L.label("gc.look"), L.label("gc.join")
    L.br_likely(hit, hit_l, look)
    L.start(hit_l)
    L.emit(f"{cv} = load ptr, ptr getelementptr (i64, ptr {cache}, i64 2)")
    L.emit(f"br label %{join}")
    L.start(look)
    incoming = [(cv, hit_l)]
    if abi.GLOBAL_HINTS:     # the dict changed, but maybe not this entry
        hinted, full = _global_hint(L, name, cache, gver, bver)
        incoming.append((hinted, L.cur))
        L.emit(f"br label %{join}")
        L.start(full)
    looked = L.t()
    L.emit(f"{looked} = call ptr @jit.lookup_global(ptr %globals, ptr %builtins, ptr {name}, "
           f"ptr {cache}, ptr {L.const(helpers.raise_name_error)}, i64 {gver}, i64 {bver})")
    L.check_null(looked, op)
    incoming.append((looked, L.cur))
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{r} = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))
    if not op.attrs.get("borrow"):
        L.incref(r)


def _global_hint(L, name, cache, gver, bver, expected=None):
    """The value at the globals entry the cache's index word names, if that entry is
    still ``name``'s (jit.global_hint) and, given ``expected``, is that object: then
    the cache takes the dicts' current versions (and the value, for a load that
    caches it). (value, label of the path without it); the hit path is current."""
    h, found, hit = L.t(), L.t(), L.label("gh.hit")
    full = L.label("gh.miss")
    L.emit(f"{h} = call ptr @jit.global_hint(ptr %globals, ptr {name}, ptr {cache})")
    L.emit(f"{found} = icmp {'ne' if expected is None else 'eq'} ptr {h}, "
           f"{'null' if expected is None else expected}")
    L.br_likely(found, hit, full)
    L.start(hit)
    L.emit(f"store i64 {gver}, ptr {cache}")
    L.emit(f"store i64 {bver}, ptr getelementptr (i64, ptr {cache}, i64 1)")
    if expected is None:
        L.emit(f"store ptr {h}, ptr getelementptr (i64, ptr {cache}, i64 2)")
    return h, full


def _load_global_expected(L, op):
    """A global that specialised code was compiled for one value of (``expect``, in
    ``scope``: "globals", or "builtins" when globals does not have the name). The
    site's cache holds the version tags of the dicts (just globals' for a name found
    there) under which a lookup last found that value: a hit is a compare or two
    and the value is the constant; a lookup that finds anything else deoptimises
    to the instruction, so the interpreter loads it."""
    expected = _check_global_expected(L, op, op)
    L.emit(f"{L.v(op.result)} = bitcast ptr {expected} to ptr")
    if not op.attrs.get("borrow"):
        L.incref(L.v(op.result))


def _expect_cache(L, g) -> str:
    """The cache of checked op ``g`` (one per op: a loop's ticks re-checking a hoisted
    ``g`` share it)."""
    cache = L.expect_caches.get(id(g))
    if cache is None:
        cache = L.expect_caches[id(g)] = f"@{L.p}.gcache{len(L.global_caches)}"
        L.global_caches.append(cache)
    return cache


def _check_global_expected(L, g, at):
    """The check of load ``g`` (see _load_global_expected), failing and deoptimising
    as op ``at`` (``g`` itself, or a loop's tick re-checking a hoisted ``g``); the
    expected object's constant."""
    expected = L.const(L.fn.consts[g.attrs["expect"]])
    in_globals = g.attrs["scope"] == "globals"
    cache = _expect_cache(L, g)    # {globals version, builtins version, -, entry index}
    gver, cg = L.field("%globals", abi.DICT_VERSION, "i64"), L.t()
    L.emit(f"{cg} = load i64, ptr {cache}")
    if in_globals:
        bver, hit = "0", L.t()
        L.emit(f"{hit} = icmp eq i64 {cg}, {gver}")
    else:
        bver, cb = L.field("%builtins", abi.DICT_VERSION, "i64"), L.t()
        L.emit(f"{cb} = load i64, ptr getelementptr (i64, ptr {cache}, i64 1)")
        hit = _and_i1(L, f"icmp eq i64 {cg}, {gver}", f"icmp eq i64 {cb}, {bver}")
    look, join = L.label("ge.look"), L.label("ge.join")
    L.br_likely(hit, join, look)
    L.start(look)
    if in_globals and abi.GLOBAL_HINTS:    # the dict changed, but maybe not this entry
        _, full = _global_hint(L, L.const(g.attrs["name"]), cache, gver, bver, expected)
        L.emit(f"br label %{join}")
        L.start(full)
    rc = L.t()
    L.emit(f"{rc} = call i32 @jit.global_is(ptr %globals, ptr %builtins, "
           f"ptr {L.const(g.attrs['name'])}, ptr {expected}, ptr {cache}, i64 {gver}, "
           f"i64 {bver}, i1 {'true' if in_globals else 'false'})")
    L.check_neg(rc, at)
    other = L.t()
    L.emit(f"{other} = icmp eq i32 {rc}, 0")
    L.deopt_if(other, at)
    L.emit(f"br label %{join}")
    L.start(join)
    return expected


def _and_i1(L, a_expr, b_expr):
    a, b, r = L.t(), L.t(), L.t()
    L.emit(f"{a} = {a_expr}")
    L.emit(f"{b} = {b_expr}")
    L.emit(f"{r} = and i1 {a}, {b}")
    return r


def lo_store_global(L, op):
    rc = L.call("PyDict_SetItem", "%globals", L.const(op.attrs["name"]), L.v(op.args[0]))
    L.check_neg(rc, op)


def lo_delete_global(L, op):
    L.helper(op, "delete_global", [L.const(op.attrs["name"]), "%globals"], result=False)


def lo_load_name(L, op):
    r = L.helper(op, "load_name", [L.const(op.attrs["name"]), L.or_none("%locals"), "%globals",
                                   "%builtins"])
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")


def lo_store_name(L, op):
    L.helper(op, "store_name", [L.const(op.attrs["name"]), L.v(op.args[0]),
                                L.or_none("%locals")], result=False)


def lo_delete_name(L, op):
    L.helper(op, "delete_name", [L.const(op.attrs["name"]), L.or_none("%locals")], result=False)


def _capi_result(L, op, name, *args):
    r = L.call(name, *args, ret=L.v(op.result))
    L.check_null(r, op)


SMALL_INT_OPS = {"+": "add", "-": "sub", "*": "mul"}
ICMP = {"<": "slt", "<=": "sle", "==": "eq", "!=": "ne", ">": "sgt", ">=": "sge"}


def _small_int_fast_path(L, a: str, b: str, slow: str) -> tuple[str, str]:
    """Branch to ``slow`` unless both operands are exact ints of at most one digit
    (|v| < 2**30, so +, -, * cannot overflow i64); return their values."""
    chk, fast = L.label("si.chk"), L.label("si.fast")
    ta, tb = L.type_of(a), L.type_of(b)
    long_t = L.capi("PyLong_Type")
    ea, eb, both = L.t(), L.t(), L.t()
    L.emit(f"{ea} = icmp eq ptr {ta}, {long_t}")
    L.emit(f"{eb} = icmp eq ptr {tb}, {long_t}")
    L.emit(f"{both} = and i1 {ea}, {eb}")
    L.emit(f"br i1 {both}, label %{chk}, label %{slow}")
    L.start(chk)
    values, oks = [], []
    for x in (a, b):
        size = L.field(x, abi.VAR_SIZE, "i64")
        biased, ok = L.t(), L.t()
        L.emit(f"{biased} = add i64 {size}, 1")
        L.emit(f"{ok} = icmp ule i64 {biased}, 2")
        digit = L.field(x, abi.LONG_DIGITS, "i32")
        wide, val = L.t(), L.t()
        L.emit(f"{wide} = zext i32 {digit} to i64")
        L.emit(f"{val} = mul i64 {size}, {wide}")
        values.append(val)
        oks.append(ok)
    okboth = L.t()
    L.emit(f"{okboth} = and i1 {oks[0]}, {oks[1]}")
    L.emit(f"br i1 {okboth}, label %{fast}, label %{slow}")
    L.start(fast)
    return values[0], values[1]


FLOAT_OPS = {"+": "fadd", "-": "fsub", "*": "fmul"}
FCMP = {"<": "olt", "<=": "ole", "==": "oeq", "!=": "une", ">": "ogt", ">=": "oge"}


def _float_fast_path(L, a: str, b: str, slow: str) -> tuple[str, str]:
    """Branch to ``slow`` unless both operands are exact floats; return their values."""
    fast = L.label("fl.fast")
    float_t = L.capi("PyFloat_Type")
    ea, eb, both = L.t(), L.t(), L.t()
    L.emit(f"{ea} = icmp eq ptr {L.type_of(a)}, {float_t}")
    L.emit(f"{eb} = icmp eq ptr {L.type_of(b)}, {float_t}")
    L.emit(f"{both} = and i1 {ea}, {eb}")
    L.emit(f"br i1 {both}, label %{fast}, label %{slow}")
    L.start(fast)
    return L.field(a, abi.FLOAT_VALUE, "double"), L.field(b, abi.FLOAT_VALUE, "double")


def lo_binop(L, op):
    slot = concat_targets(L).get(id(op))
    if slot is None:
        _binop(L, op, L.v(op.result))
        return
    # s += t / s = s + t stored back into s: as the interpreter's specialised
    # BINARY_OP does, two exact strs are appended in place when the local holds the
    # only reference (PyUnicode_Append resizes it): no quadratic copying
    a, b = L.v(op.args[0]), L.v(op.args[1])
    s, held = L.slot(slot), L.t()
    L.emit(f"{held} = load ptr, ptr {s}")
    str_t = L.capi("PyUnicode_Type")
    strs = _and(L, _icmp(L, "eq", L.type_of(a), str_t, "ptr"),
                _icmp(L, "eq", L.type_of(b), str_t, "ptr"))
    # (s += s: the right operand would move with the left)
    sole = _and(L, _icmp(L, "eq", held, a, "ptr"), _icmp(L, "ne", a, b, "ptr"))
    ok = _and(L, strs, sole)
    append, other, join = L.label("cat.append"), L.label("cat.other"), L.label("cat.join")
    L.br_likely(ok, append, other)
    L.start(append)
    # the local's reference moves to the append, which releases it on failure (the
    # local is then unbound, as in the interpreter)
    cell, appended = L.t("cat"), L.t()
    L.allocas.append(f"{cell} = alloca ptr")
    L.emit(f"store ptr null, ptr {s}")
    L.emit(f"store ptr {a}, ptr {cell}")
    L.call("PyUnicode_Append", cell, b)
    L.emit(f"{appended} = load ptr, ptr {cell}")
    L.check_null(appended, op)
    append_end = L.cur
    L.emit(f"br label %{join}")
    L.start(other)
    made = L.t()
    _binop(L, op, made)
    other_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi ptr [ {appended}, %{append_end} ], [ {made}, %{other_end} ]")


def concat_targets(L) -> dict:
    """id(binop) -> slot: ``+``/``+=`` of a local's borrowed value that nothing else
    uses, whose result the next op stores into that local."""
    if L.concat_targets is None:
        L.concat_targets = {}
        uses = collections.Counter(a.id for block in L.fn.blocks for op in block.ops
                                   for a in op.args)
        for block in L.fn.blocks:
            loads = {}
            for i, op in enumerate(block.ops):
                if op.kind == "load_local" and op.attrs.get("borrow") and \
                        L.slot_types[op.attrs["slot"]] == OBJ:
                    loads[op.result.id] = op.attrs["slot"]
                if op.kind != "binop" or op.attrs["op"] not in ("+", "+=") or \
                        op.args[0].id not in loads:
                    continue
                slot = loads[op.args[0].id]
                # (between them, only the release of the right operand: a str then)
                nxt = next((o for o in block.ops[i + 1:] if o.kind != "decref" or
                            o.args[0] is not op.args[1]), None)
                if nxt is not None and nxt.kind == "store_local" and \
                        nxt.attrs["slot"] == slot and nxt.args[0] is op.result and \
                        uses[op.args[0].id] == 1:
                    L.concat_targets[id(op)] = slot
    return L.concat_targets


def _binop(L, op, res: str):
    sym = op.attrs["op"]
    inplace = sym.endswith("=")
    base_sym = sym[:-1] if inplace else sym
    base = BINOPS[base_sym]
    name = f"PyNumber_{'InPlace' if inplace else ''}{base}"
    a, b = L.v(op.args[0]), L.v(op.args[1])
    extra = (L.none(),) if base == "Power" else ()
    if base_sym not in SMALL_INT_OPS or not abi.SMALL_INT_LAYOUT:
        L.call(name, a, b, *extra, ret=res)
        L.check_null(res, op)
        return
    not_int, slow, join = L.label("bo.notint"), L.label("bo.slow"), L.label("bo.join")
    va, vb = _small_int_fast_path(L, a, b, not_int)
    r = L.t()
    L.emit(f"{r} = {SMALL_INT_OPS[base_sym]} i64 {va}, {vb}")
    int_r = L.box_int(r)
    L.check_null(int_r, op)
    int_end = L.cur
    L.emit(f"br label %{join}")
    L.start(not_int)
    fa, fb = _float_fast_path(L, a, b, slow)
    fr = L.t()
    L.emit(f"{fr} = {FLOAT_OPS[base_sym]} double {fa}, {fb}")
    float_r = L.call("PyFloat_FromDouble", fr)
    L.check_null(float_r, op)
    float_end = L.cur
    L.emit(f"br label %{join}")
    L.start(slow)
    slow_r = L.call(name, a, b, *extra)
    L.check_null(slow_r, op)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{res} = phi ptr [ {int_r}, %{int_end} ], [ {float_r}, %{float_end} ], "
           f"[ {slow_r}, %{slow_end} ]")


def lo_unary(L, op):
    _capi_result(L, op, UNARY[op.attrs["op"]], L.v(op.args[0]))


def lo_compare(L, op):
    """a <op> b: two ints or two floats compare inline, and two strs for == and !=;
    anything else through PyObject_RichCompare. Lent (see borrow.py: only a truth
    test uses it): the inline result is the True/False singleton with no reference
    of its own (no refcount updates on those two objects), %r.own the generic one."""
    a, b = L.v(op.args[0]), L.v(op.args[1])
    cmp = op.attrs["op"]
    lent = op.result.borrowed == "lent"
    if not abi.SMALL_INT_LAYOUT:
        _capi_result(L, op, "PyObject_RichCompare", a, b, str(CMP_IDS[cmp]))
        if lent:
            L.emit(f"{L.v(op.result)}.own = bitcast ptr {L.v(op.result)} to ptr")
        return
    not_int, slow, join = L.label("cmp.notint"), L.label("cmp.slow"), L.label("cmp.join")
    strs = cmp in ("==", "!=") and abi.STR_LAYOUT
    not_float = L.label("cmp.notfloat") if strs else slow
    va, vb = _small_int_fast_path(L, a, b, not_int)
    c = L.t()
    L.emit(f"{c} = icmp {ICMP[cmp]} i64 {va}, {vb}")
    bits = [(c, L.cur)]
    L.emit(f"br label %{join}.box")
    L.start(not_int)
    fa, fb = _float_fast_path(L, a, b, not_float)
    fc = L.t()
    L.emit(f"{fc} = fcmp {FCMP[cmp]} double {fa}, {fb}")   # NaN: only != holds, as in Python
    bits.append((fc, L.cur))
    L.emit(f"br label %{join}.box")
    if strs:
        L.start(not_float)
        eq = str_equal(L, a, b, slow)
        if cmp == "!=":
            eq = _not(L, eq)
        bits.append((eq, L.cur))
        L.emit(f"br label %{join}.box")
    L.start(f"{join}.box")
    bit, fast_r = L.t(), L.t()
    L.emit(f"{bit} = phi i1 " + ", ".join(f"[ {v}, %{blk} ]" for v, blk in bits))
    L.emit(f"{fast_r} = select i1 {bit}, ptr {L.capi('_Py_TrueStruct')}, "
           f"ptr {L.capi('_Py_FalseStruct')}")
    if not lent:
        L.incref(fast_r)
    fast_end = L.cur
    L.emit(f"br label %{join}")
    L.start(slow)
    slow_r = L.call("PyObject_RichCompare", a, b, str(CMP_IDS[cmp]))
    L.check_null(slow_r, op)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi ptr [ {fast_r}, %{fast_end} ], [ {slow_r}, %{slow_end} ]")
    if lent:
        L.emit(f"{L.v(op.result)}.own = phi ptr [ null, %{fast_end} ], [ {slow_r}, %{slow_end} ]")


def str_equal(L, a: str, b: str, other: str) -> str:
    """Whether exact strs ``a`` and ``b`` are equal (an i1), as unicode_compare_eq
    finds: the same length, kind and characters (a string's kind is the narrowest
    that holds it, so equal strings have equal kinds). Anything but two compact
    strs (ready) goes to ``other``."""
    str_t = L.capi("PyUnicode_Type")
    both = _and(L, _icmp(L, "eq", L.type_of(a), str_t, "ptr"),
                _icmp(L, "eq", L.type_of(b), str_t, "ptr"))
    strs, check = L.label("seq.strs"), L.label("seq.check")
    cmp_chars, done = L.label("seq.chars"), L.label("seq.done")
    L.emit(f"br i1 {both}, label %{strs}, label %{other}")
    L.start(strs)
    sa, sb = L.field(a, abi.STR_STATE, "i32"), L.field(b, abi.STR_STATE, "i32")
    ready = abi.STR_COMPACT | abi.STR_READY
    masked = _bin(L, "and", _bin(L, "and", sa, sb, "i32"), str(ready), "i32")
    L.emit(f"br i1 {_icmp(L, 'eq', masked, str(ready), 'i32')}, label %{check}, label %{other}")
    L.start(check)
    L.emit(f"br i1 {_icmp(L, 'eq', a, b, 'ptr')}, label %{done}, label %{check}.ok")
    L.start(f"{check}.ok")
    # kind and ASCII-ness alike (an ASCII string never equals a non-ASCII one)
    shape_bits = (7 << abi.STR_KIND_SHIFT) | abi.STR_ASCII
    masked_shape = _bin(L, "and", _bin(L, "xor", sa, sb, "i32"), str(shape_bits), "i32")
    length = L.field(a, abi.STR_LENGTH, "i64")
    alike = _and(L, _icmp(L, "eq", masked_shape, "0", "i32"),
                 _icmp(L, "eq", length, L.field(b, abi.STR_LENGTH, "i64")))
    L.emit(f"br i1 {alike}, label %{cmp_chars}, label %{done}")
    L.start(cmp_chars)
    kind = L.t()
    kind_bits = _bin(L, "and", _bin(L, "lshr", sa, str(abi.STR_KIND_SHIFT), "i32"), "7", "i32")
    L.emit(f"{kind} = zext i32 {kind_bits} to i64")
    nbytes = _bin(L, "mul", length, kind)
    is_ascii = _icmp(L, "ne", _bin(L, "and", sa, str(abi.STR_ASCII), "i32"), "0", "i32")
    off = _select(L, is_ascii, str(abi.STR_ASCII_DATA), str(abi.STR_COMPACT_DATA), "i64")
    da, db = L.t(), L.t()
    L.emit(f"{da} = getelementptr i8, ptr {a}, i64 {off}")
    L.emit(f"{db} = getelementptr i8, ptr {b}, i64 {off}")
    # one byte (a character of a text: `ch == "a"`) inline, more through memcmp
    byte, call = L.label("seq.byte"), L.label("seq.memcmp")
    L.emit(f"br i1 {_icmp(L, 'eq', nbytes, '1')}, label %{byte}, label %{call}")
    L.start(byte)
    ca, cb = L.t(), L.t()
    L.emit(f"{ca} = load i8, ptr {da}")
    L.emit(f"{cb} = load i8, ptr {db}")
    byte_eq = _icmp(L, "eq", ca, cb, "i8")
    L.emit(f"br label %{done}")
    L.start(call)
    rc = L.call("memcmp", da, db, nbytes)
    chars_eq = _icmp(L, "eq", rc, "0", "i32")
    chars_end = L.cur
    L.emit(f"br label %{done}")
    L.start(done)
    r = L.t()
    L.emit(f"{r} = phi i1 [ true, %{check} ], [ false, %{check}.ok ], "
           f"[ {byte_eq}, %{byte} ], [ {chars_eq}, %{chars_end} ]")
    return r


def lo_truth(L, op):
    v = L.v(op.args[0])
    r = L.v(op.result)
    is_t, is_f, is_n = L.t(), L.t(), L.t()
    # True first, alone: a loop over flags then tests and branches once
    true_end, false_end = L.cur, L.label("truth.f")
    slow, join = L.label("truth.slow"), L.label("truth.join")
    L.emit(f"{is_t} = icmp eq ptr {v}, {L.capi('_Py_TrueStruct')}")
    L.emit(f"br i1 {is_t}, label %{join}, label %{false_end}")
    L.start(false_end)
    L.emit(f"{is_f} = icmp eq ptr {v}, {L.capi('_Py_FalseStruct')}")
    L.emit(f"{is_n} = icmp eq ptr {v}, {L.capi('_Py_NoneStruct')}")
    known = L.t()
    L.emit(f"{known} = or i1 {is_f}, {is_n}")
    L.emit(f"br i1 {known}, label %{join}, label %{slow}")
    L.start(slow)
    lent = op.args[0].borrowed == "lent"
    if lent:     # __bool__ may empty the list the item was read from
        L.incref(v)
    rc = L.call("PyObject_IsTrue", v)
    if lent:
        L.decref(v)
    L.check_neg(rc, op)
    b = L.t()
    L.emit(f"{b} = icmp ne i32 {rc}, 0")
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{r} = phi i1 [ true, %{true_end} ], [ false, %{false_end} ], [ {b}, %{slow_end} ]")


def lo_is(L, op):
    L.emit(f"{L.v(op.result)} = icmp eq ptr {L.v(op.args[0])}, {L.v(op.args[1])}")


def lo_is_none(L, op):
    L.emit(f"{L.v(op.result)} = icmp eq ptr {L.v(op.args[0])}, {L.none()}")


def lo_contains(L, op):
    rc = L.call("PySequence_Contains", L.v(op.args[0]), L.v(op.args[1]))
    L.check_neg(rc, op)
    L.emit(f"{L.v(op.result)} = icmp ne i32 {rc}, 0")


def lo_getitem(L, op):
    _capi_result(L, op, "PyObject_GetItem", L.v(op.args[0]), L.v(op.args[1]))


def lo_setitem(L, op):
    rc = L.call("PyObject_SetItem", *(L.v(a) for a in op.args))
    L.check_neg(rc, op)


def lo_delitem(L, op):
    rc = L.call("PyObject_DelItem", *(L.v(a) for a in op.args))
    L.check_neg(rc, op)


def lo_build_slice(L, op):
    args = [L.v(a) for a in op.args] + ["null"] * (3 - len(op.args))
    _capi_result(L, op, "PySlice_New", *args)


def lo_getattr(L, op):
    """obj.name; lent (borrow, see borrow.py): no reference where a dict, the
    object's values or its member hold it, %r.own the generic path's; protect: obj
    is a borrowed global, held while the generic path may run Python code."""
    if "expect" in op.attrs:
        _getattr_expected(L, op)
        return
    r = L.v(op.result)
    obj = L.v(op.args[0])
    lent, protect = bool(op.attrs.get("borrow")), bool(op.attrs.get("protect"))
    if not abi.INSTANCE_VALUES:
        got, own = _module_getattr(L, op, obj, lent, protect)
        L.emit(f"{r} = bitcast ptr {got} to ptr")
        if lent:
            L.emit(f"{r}.own = bitcast ptr {own} to ptr")
        return
    # modules through the module cache, other objects through the instance one (a
    # receiver that is certainly one or the other gets only that path: code size)
    kind = receiver_kind(L, op.args[0])
    if kind is not None:
        got, own = (_module_getattr if kind == "module" else _instance_getattr)(
            L, op, obj, lent, protect)
        L.emit(f"{r} = bitcast ptr {got} to ptr")
        if lent:
            L.emit(f"{r}.own = bitcast ptr {own} to ptr")
        return
    is_mod, mod, inst, join = L.t(), L.label("ga.mod"), L.label("ga.inst"), L.label("ga.join")
    L.emit(f"{is_mod} = icmp eq ptr {L.type_of(obj)}, {L.capi('PyModule_Type')}")
    L.emit(f"br i1 {is_mod}, label %{mod}, label %{inst}")
    L.start(mod)
    mval, mown = _module_getattr(L, op, obj, lent, protect)
    mod_end = L.cur
    L.emit(f"br label %{join}")
    L.start(inst)
    ival, iown = _instance_getattr(L, op, obj, lent, protect)
    inst_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{r} = phi ptr [ {mval}, %{mod_end} ], [ {ival}, %{inst_end} ]")
    if lent:
        L.emit(f"{r}.own = phi ptr [ {mown}, %{mod_end} ], [ {iown}, %{inst_end} ]")


# ops whose result is a module as good as always (a global, an import), and ones
# whose result is not one as good as always (locals, parameters, attributes, items,
# call results): an attribute site lowers the other path generically only
_MODULE_MAKERS = {"load_global", "import_name", "import_from"}
_INSTANCE_MAKERS = {"load_local", "load_deref", "getattr", "seq_getitem", "call", "binop",
                    "load_method", "unpack_sequence", "pair_unpack", "build_list"}


def receiver_kind(L, v: ir.Value) -> str | None:
    """"module" / "instance" when ``v`` is made by an op that (nearly) always
    makes one of them; None when both paths are worth having. Only a matter of
    speed: each path serves any object, through the generic lookup."""
    prod = L.producer(v)
    kind = prod.kind if prod is not None else None
    return "module" if kind in _MODULE_MAKERS else "instance" if kind in _INSTANCE_MAKERS \
        else None


def _generic_getattr(L, op, obj: str, protect: bool) -> str:
    """PyObject_GetAttr(obj, name), a new reference (error checked); with protect,
    obj is held meanwhile (released by the caller: _release_protected)."""
    if protect:
        L.incref(obj)
    val = L.call("PyObject_GetAttr", obj, L.const(op.attrs["name"]))
    L.check_null(val, op, extra=(obj,) if protect else ())
    return val


def _release_protected(L, obj: str, protect: bool):
    if protect:
        L.decref(obj)


def _module_getattr(L, op, obj: str, lent=False, protect=False):
    """obj.name through the module attribute cache (any object may come here: the
    cache serves modules only): (the value, and if lent what the code owns of it:
    null where the cache served it). Not lent: a new reference."""
    cached = _module_attr_cache(L, op, obj, lent, protect)
    if cached is None:
        val = _generic_getattr(L, op, obj, protect)
        _release_protected(L, obj, protect)
        return val, val
    hit_end, val, miss_end, slow = cached
    got = L.t()
    L.emit(f"{got} = phi ptr [ {val}, %{hit_end} ], [ {slow}, %{miss_end} ]")
    if not lent:
        return got, None
    own = L.t()
    L.emit(f"{own} = phi ptr [ null, %{hit_end} ], [ {slow}, %{miss_end} ]")
    return got, own


ATTR_ENTRIES = rtlib.ATTR_ENTRIES   # types an attribute site serves (a class hierarchy's)


class AttrPlace(NamedTuple):
    """Where an attribute site found obj.name (see _instance_slot)."""
    addr: str       # the pointer's address: in obj's values or at a member's offset
    value: str      # what it holds (not NULL)
    cache: str      # the site's cache
    values: str     # obj's values array and the name's index there (for ``empty``)
    index: str
    member: str     # the member's address (for ``unset``)


def _instance_slot(L, obj: str, miss: str, unknown: str, empty: str | None = None,
                   unset: str | None = None) -> AttrPlace:
    """The site's cached place of the attribute for ``obj``'s type, checked: an
    index in obj's values (as LOAD_ATTR_INSTANCE_VALUE) or a __slots__ member's
    pointer in obj (as LOAD_ATTR_SLOT). Jumps to ``unknown`` when no entry is for
    this type version (to be filled), to ``miss`` when one is but does not serve
    this object (an uncacheable name, a made __dict__, the attribute not set on
    this object: to ``empty`` instead, if given, for an index in the values, to
    ``unset`` for a member). Cache: ATTR_ENTRIES entries {type, version tag, where}
    and a round-robin word, filled by rtlib's jit.attr_fill_poly; where is the
    index (>= 0), the member's offset negated (< -1) or -1 (uncached)."""
    cache, where = _attr_where(L, obj, unknown)
    vals_l, other, member_l, held = (L.label(n) for n in (
        "ia.vals", "ia.other", "ia.member", "ia.held"))
    L.emit(f"br i1 {_icmp(L, 'sge', where, '0')}, label %{vals_l}, label %{other}")
    L.start(other)
    L.emit(f"br i1 {_icmp(L, 'slt', where, '-1')}, label %{member_l}, label %{miss}")
    L.start(member_l)
    member, mv = _member(L, obj, where)
    L.emit(f"br i1 {_icmp(L, 'eq', mv, 'null', 'ptr')}, label %{unset or miss}, label %{held}")
    L.start(vals_l)
    values, nv, slot_l = L.field(obj, abi.OBJECT_VALUES, "ptr"), L.t(), L.label("ia.slot")
    L.emit(f"{nv} = icmp eq ptr {values}, null")
    L.emit(f"br i1 {nv}, label %{miss}, label %{slot_l}")
    L.start(slot_l)
    slot, v = L.t(), L.t()
    L.emit(f"{slot} = getelementptr ptr, ptr {values}, i64 {where}")
    L.emit(f"{v} = load ptr, ptr {slot}")
    L.emit(f"br i1 {_icmp(L, 'eq', v, 'null', 'ptr')}, label %{empty or miss}, label %{held}")
    L.start(held)
    addr, value = L.t(), L.t()
    L.emit(f"{addr} = phi ptr [ {slot}, %{slot_l} ], [ {member}, %{member_l} ]")
    L.emit(f"{value} = phi ptr [ {v}, %{slot_l} ], [ {mv}, %{member_l} ]")
    return AttrPlace(addr, value, cache, values, where, member)


def _attr_where(L, obj: str, unknown: str) -> tuple[str, str]:
    """A new attribute site cache (see _instance_slot) and the ``where`` word of
    its entry for obj's type version; jumps to ``unknown`` if no entry is for it."""
    cache = f"@{L.p}.gcache{len(L.global_caches)}"
    L.global_caches.append(cache)
    L.cache_words[cache] = 3 * ATTR_ENTRIES + 1
    entry = _cache_entry(L, cache, L.type_of(obj), 3, unknown)
    return cache, L.field(entry, 16, "i64")


def _member(L, obj: str, where: str) -> tuple[str, str]:
    """The address of the member a cache's ``where`` (< -1) locates in obj, and
    the pointer there (NULL while the member is unset)."""
    off, addr, v = L.t(), L.t(), L.t()
    L.emit(f"{off} = sub i64 0, {where}")
    L.emit(f"{addr} = getelementptr i8, ptr {obj}, i64 {off}")
    L.emit(f"{v} = load ptr, ptr {addr}")
    return addr, v


def _cache_entry(L, cache: str, tp: str, words: int, unknown: str) -> str:
    """The entry of a polymorphic site cache ({type, version tag, ...} of ``words``
    words each) for type ``tp`` as it is now: the first entry checked inline, the
    others by jit.cache_probe (code size); jumps to ``unknown`` if none is."""
    ver32, ver = L.field(tp, abi.TYPE_VERSION_TAG, "i32"), L.t()
    L.emit(f"{ver} = zext i32 {ver32} to i64")
    ct, cv = L.t(), L.t()
    L.emit(f"{ct} = load ptr, ptr {cache}")
    L.emit(f"{cv} = load i64, ptr getelementptr (i64, ptr {cache}, i64 1)")
    first = L.cur
    found, probe = L.label("pc.found"), L.label("pc.probe")
    L.emit(f"br i1 {_and_i1(L, f'icmp eq ptr {tp}, {ct}', f'icmp eq i64 {ver}, {cv}')}, "
           f"label %{found}, label %{probe}")
    L.start(probe)
    other = L.t()
    L.emit(f"{other} = call ptr @jit.cache_probe(ptr {cache}, ptr {tp}, i64 {ver}, i64 {8 * words})")
    L.emit(f"br i1 {_icmp(L, 'eq', other, 'null', 'ptr')}, label %{unknown}, label %{found}")
    L.start(found)
    entry = L.t()
    L.emit(f"{entry} = phi ptr [ {cache}, %{first} ], [ {other}, %{probe} ]")
    return entry


def _slow_path(L, miss: str, unknown: str) -> str:
    """Join the two ways into an attribute site's slow path: an i1 saying whether
    the cache is to be filled after it (no entry was for the type version)."""
    slow = L.label("ia.slow")
    L.start(unknown)
    L.emit(f"br label %{slow}")
    L.start(miss)
    L.emit(f"br label %{slow}")
    L.start(slow)
    fill = L.t()
    L.emit(f"{fill} = phi i1 [ true, %{unknown} ], [ false, %{miss} ]")
    return fill


def _instance_getattr(L, op, obj: str, lent=False, protect=False):
    """obj.name: a plain instance attribute straight from the object's values (as
    LOAD_ATTR_INSTANCE_VALUE), else PyObject_GetAttr, which also fills the cache.
    (value, owned part) as _module_getattr."""
    miss, unknown = L.label("ia.miss"), L.label("ia.unknown")
    join = L.label("ia.join")
    place = _instance_slot(L, obj, miss, unknown)
    v, cache, hit = place.value, place.cache, L.cur
    if not lent:
        L.incref(v)
    L.emit(f"br label %{join}")
    to_fill = _slow_path(L, miss, unknown)
    name = L.const(op.attrs["name"])
    slow = _generic_getattr(L, op, obj, protect)
    fill, filled = L.label("ia.fill"), L.label("ia.filled")
    L.emit(f"br i1 {to_fill}, label %{fill}, label %{filled}")
    L.start(fill)
    L.emit(f"call void @jit.attr_fill_poly(ptr {cache}, ptr {obj}, ptr {name}, i1 false)")
    L.emit(f"br label %{filled}")
    L.start(filled)
    _release_protected(L, obj, protect)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    r = L.t()
    L.emit(f"{r} = phi ptr [ {v}, %{hit} ], [ {slow}, %{slow_end} ]")
    if not lent:
        return r, None
    own = L.t()
    L.emit(f"{own} = phi ptr [ null, %{hit} ], [ {slow}, %{slow_end} ]")
    return r, own


# ModuleType's own attributes (``__dict__``, ``__class__``...) are found on the type
def _getattr_expected(L, op):
    """``module.name`` that specialised code was compiled for one value of
    (``expect``; the module is a global whose load checks it is one module: see
    specialize.module_attr_expected): checked (_check_module_attr_expected), the
    value is the constant."""
    expected = _check_module_attr_expected(L, op, op)
    r = L.v(op.result)
    L.emit(f"{r} = bitcast ptr {expected} to ptr")
    if not op.attrs.get("borrow"):      # (borrowed: a constant, never lent)
        L.incref(r)


def _check_module_attr_expected(L, g, at):
    """The check of getattr ``g`` (see _getattr_expected): its receiver is still an
    exact module whose dict binds the name to the expected object. The site's cache
    holds the dict's version tag under which jit.module_attr_is last found it so: a
    hit is a compare or two; anything else deoptimises as op ``at`` (``g``, or a
    loop's tick re-checking a hoisted ``g``). The expected object's constant."""
    module = L.v(g.args[0])
    expected = L.const(L.fn.consts[g.attrs["expect"]])
    cache = _expect_cache(L, g)    # {module dict version}
    is_mod = _icmp(L, "eq", L.type_of(module), L.capi("PyModule_Type"), "ptr")
    chk, look, join = L.label("me.chk"), L.label("me.look"), L.label("me.join")
    L.br_likely(is_mod, chk, look)
    L.start(chk)
    ver, cv = L.field(L.field(module, abi.MODULE_DICT, "ptr"), abi.DICT_VERSION, "i64"), L.t()
    L.emit(f"{cv} = load i64, ptr {cache}")
    L.br_likely(_icmp(L, "eq", cv, ver, "i64"), join, look)
    L.start(look)
    rc = L.t()
    L.emit(f"{rc} = call i32 @jit.module_attr_is(ptr {module}, ptr {L.const(g.attrs['name'])}, "
           f"ptr {expected}, ptr {cache})")
    L.check_neg(rc, at)
    L.deopt_if(_icmp(L, "eq", rc, "0", "i32"), at)
    L.emit(f"br label %{join}")
    L.start(join)
    return expected


def _module_attr_cache(L, op, obj: str, lent=False, protect=False):
    """``module.name`` from a per-site cache of {module, dict version, value}: an
    exact module's attribute lives in its dict, unchanged while the dict's version
    tag is. Emits the lookup; returns (hit block, its value (a new reference unless
    lent), miss block, the generic result there (a new reference)), the blocks
    ending in a branch to the current one, or None for names the cache cannot
    serve. protect: see lo_getattr."""
    name = op.attrs["name"]
    if name in abi.MODULE_TYPE_ATTRS:
        return None
    cache = f"@{L.p}.gcache{len(L.global_caches)}"
    L.global_caches.append(cache)
    is_mod = L.t()
    L.emit(f"{is_mod} = icmp eq ptr {L.type_of(obj)}, {L.capi('PyModule_Type')}")
    chk, hit, miss, join = L.label("mc.chk"), L.label("mc.hit"), L.label("mc.miss"), L.label("mc.join")
    L.emit(f"br i1 {is_mod}, label %{chk}, label %{miss}")
    L.start(chk)
    d = L.field(obj, abi.MODULE_DICT, "ptr")
    ver = L.field(d, abi.DICT_VERSION, "i64")
    cm, cv = L.t(), L.t()
    L.emit(f"{cm} = load ptr, ptr {cache}")
    L.emit(f"{cv} = load i64, ptr getelementptr (i64, ptr {cache}, i64 1)")
    same = _and_i1(L, f"icmp eq ptr {cm}, {obj}", f"icmp eq i64 {cv}, {ver}")
    L.br_likely(same, hit, miss)
    L.start(hit)
    val = L.t()
    L.emit(f"{val} = load ptr, ptr getelementptr (i64, ptr {cache}, i64 2)")
    if not lent:
        L.incref(val)
    L.emit(f"br label %{join}")
    L.start(miss)
    slow = _generic_getattr(L, op, obj, protect)
    # cached only when what was found is the dict's entry (not a module __getattr__'s)
    store, done = L.label("mc.store"), L.label("mc.done")
    L.emit(f"br i1 {is_mod}, label %{store}, label %{done}")
    L.start(store)
    d2 = L.field(obj, abi.MODULE_DICT, "ptr")
    entry = L.call("PyDict_GetItem", d2, L.const(name))
    own = L.t()
    L.emit(f"{own} = icmp eq ptr {entry}, {slow}")
    put = L.label("mc.put")
    L.emit(f"br i1 {own}, label %{put}, label %{done}")
    L.start(put)
    L.emit(f"store ptr {obj}, ptr {cache}")
    L.emit(f"store i64 {L.field(d2, abi.DICT_VERSION, 'i64')}, ptr getelementptr (i64, ptr {cache}, i64 1)")
    L.emit(f"store ptr {slow}, ptr getelementptr (i64, ptr {cache}, i64 2)")
    L.emit(f"br label %{done}")
    L.start(done)
    _release_protected(L, obj, protect)
    done_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    return hit, val, done_end, slow


def lo_setattr(L, op):
    _setattr(L, op, L.v(op.args[0]), L.v(op.args[1]))


def lo_setattr_float(L, op):
    """obj.name = <double> (specialised code): an instance attribute that holds a
    float only the instance refers to is updated in place (nothing else can tell it
    from a new float: no other reference exists); elsewhere the float is made
    where it is stored."""
    _setattr(L, op, L.v(op.args[0]), None, double=L.v(op.args[1]))


def _setattr(L, op, obj: str, val: str | None, double: str | None = None):
    def boxed():        # (a new reference to the value: for a double, a new float)
        if double is None:
            L.incref(val)
            return val
        new = L.call("PyFloat_FromDouble", double)
        L.check_null(new, op)
        return new

    name = L.const(op.attrs["name"])
    if not abi.INSTANCE_VALUES:
        v = boxed()
        rc = L.call("PyObject_SetAttr", obj, name, v)
        L.decref(v)
        L.check_neg(rc, op)
        return
    # an instance attribute of the type's shared keys, stored in the object's values
    # as STORE_ATTR_INSTANCE_VALUE does (a new one also goes at the end of the
    # values' insertion order), or a __slots__ member's pointer swapped as
    # STORE_ATTR_SLOT does (the old value, if any, released after); anything else
    # through PyObject_SetAttr
    miss, unknown, first = L.label("sa.miss"), L.label("sa.unknown"), L.label("sa.first")
    unset, done = L.label("sa.unset"), L.label("sa.done")
    slot, old, cache, values, idx, member = _instance_slot(L, obj, miss, unknown, empty=first,
                                                           unset=unset)
    if double is not None:
        store_float_in_place(L, old, double, done)
    L.emit(f"store ptr {boxed()}, ptr {slot}")
    L.decref(old)
    L.emit(f"br label %{done}")
    L.start(unset)
    L.emit(f"store ptr {boxed()}, ptr {member}")
    L.emit(f"br label %{done}")
    L.start(first)
    empty = L.t()
    L.emit(f"{empty} = getelementptr ptr, ptr {values}, i64 {idx}")
    L.emit(f"store ptr {boxed()}, ptr {empty}")
    # _PyDictValues_AddToInsertionOrder: the count in the byte before the values'
    # last prefix byte, the order growing down from it
    size_p, size, size1, wide, neg, pos, ix8 = (L.t() for _ in range(7))
    L.emit(f"{size_p} = getelementptr i8, ptr {values}, i64 -2")
    L.emit(f"{size} = load i8, ptr {size_p}")
    L.emit(f"{size1} = add i8 {size}, 1")
    L.emit(f"{wide} = zext i8 {size1} to i64")
    L.emit(f"{neg} = sub i64 0, {wide}")
    L.emit(f"{pos} = getelementptr i8, ptr {size_p}, i64 {neg}")
    L.emit(f"{ix8} = trunc i64 {idx} to i8")
    L.emit(f"store i8 {ix8}, ptr {pos}")
    L.emit(f"store i8 {size1}, ptr {size_p}")
    L.emit(f"br label %{done}")
    to_fill = _slow_path(L, miss, unknown)
    v = boxed()
    rc = L.call("PyObject_SetAttr", obj, name, v)
    L.decref(v)
    L.check_neg(rc, op)
    fill = L.label("sa.fill")
    L.emit(f"br i1 {to_fill}, label %{fill}, label %{done}")
    L.start(fill)
    L.emit(f"call void @jit.attr_fill_poly(ptr {cache}, ptr {obj}, ptr {name}, i1 true)")
    L.emit(f"br label %{done}")
    L.start(done)


def lo_delattr(L, op):
    """del obj.name: a set __slots__ member is emptied inline (as PyMember_SetOne
    does: the old value released after); anything else through PyObject_SetAttr,
    which then fills the site's cache (an attribute store's: same hook)."""
    obj, name = L.v(op.args[0]), L.const(op.attrs["name"])
    if not abi.INSTANCE_VALUES:
        L.check_neg(L.call("PyObject_SetAttr", obj, name, "null"), op)
        return
    miss, unknown, member_l = L.label("da.miss"), L.label("da.unknown"), L.label("da.member")
    held, done = L.label("da.held"), L.label("da.done")
    cache, where = _attr_where(L, obj, unknown)
    L.emit(f"br i1 {_icmp(L, 'slt', where, '-1')}, label %{member_l}, label %{miss}")
    L.start(member_l)
    member, old = _member(L, obj, where)
    L.emit(f"br i1 {_icmp(L, 'eq', old, 'null', 'ptr')}, label %{miss}, label %{held}")
    L.start(held)
    L.emit(f"store ptr null, ptr {member}")
    L.decref(old)
    L.emit(f"br label %{done}")
    to_fill = _slow_path(L, miss, unknown)
    L.check_neg(L.call("PyObject_SetAttr", obj, name, "null"), op)
    fill = L.label("da.fill")
    L.emit(f"br i1 {to_fill}, label %{fill}, label %{done}")
    L.start(fill)
    L.emit(f"call void @jit.attr_fill_poly(ptr {cache}, ptr {obj}, ptr {name}, i1 true)")
    L.emit(f"br label %{done}")
    L.start(done)


def lo_load_method(L, op):
    obj = L.v(op.args[0])
    kind = receiver_kind(L, op.args[0])
    if kind == "instance" and abi.INSTANCE_VALUES:
        _load_method_cached(L, op, obj, suffix="")
        return
    if op.attrs["name"] not in abi.MODULE_TYPE_ATTRS:
        is_mod = L.t()
        L.emit(f"{is_mod} = icmp eq ptr {L.type_of(obj)}, {L.capi('PyModule_Type')}")
        # a module's function: looked up through the attribute cache, no self
        mod, other = L.label("lm.module"), L.label("lm.other")
        L.emit(f"br i1 {is_mod}, label %{mod}, label %{other}")
        L.start(mod)
        got, _ = _module_getattr(L, op, obj)
        mod_end = L.cur
        done_all = L.label("lm.join")
        L.emit(f"br label %{done_all}")
        L.start(other)
        # (a global's method, LOG.append: the plain lookup, which makes no bound method)
        if abi.INSTANCE_VALUES and kind != "module":
            _load_method_cached(L, op, obj, suffix=".g")
        else:
            _load_method_generic(L, op, obj, suffix=".g")
        other_end = L.cur
        L.emit(f"br label %{done_all}")
        L.start(done_all)
        a, b = L.v(op.results[0]), L.v(op.results[1])
        L.emit(f"{a} = phi ptr [ null, %{mod_end} ], [ {a}.g, %{other_end} ]")
        L.emit(f"{b} = phi ptr [ {got}, %{mod_end} ], [ {b}.g, %{other_end} ]")
        return
    _load_method_generic(L, op, obj)


def _load_method_cached(L, op, obj, suffix):
    """obj.name(...) where name is a plain function on obj's type that no attribute
    of obj can shadow, as CPython's LOAD_METHOD_WITH_VALUES does: the site's cache,
    ATTR_ENTRIES entries {type, version tag, function, entries of the type's shared
    keys} (jit.method_fill_poly), serves while the type is unchanged, obj's
    attributes are in its values (no made __dict__) and the shared keys have had no
    name added. Else _PyObject_GetMethod."""
    from runtime import funcobject
    cache = f"@{L.p}.gcache{len(L.global_caches)}"
    L.global_caches.append(cache)
    L.cache_words[cache] = 4 * ATTR_ENTRIES + 1
    tp = L.type_of(obj)
    keys_l, hit, miss, generic, join = (L.label(n) for n in (
        "lm.keys", "lm.hit", "lm.miss", "lm.generic", "lm.cjoin"))
    entry = _cache_entry(L, cache, tp, 4, miss)
    # an entry for this type version: its function NULL if it cannot serve
    fn, entries = L.field(entry, 16), L.field(entry, 24, "i64")
    L.emit(f"br i1 {_icmp(L, 'ne', fn, 'null', 'ptr')}, label %{keys_l}, label %{generic}")
    L.start(keys_l)    # a name added to the shared keys since: fill again
    keys = L.field(tp, abi.HEAPTYPE_CACHED_KEYS)
    same_keys = _icmp(L, "eq", L.field(keys, abi.KEYS_NENTRIES, "i64"), entries, "i64")
    values_l = L.label("lm.values")
    L.emit(f"br i1 {same_keys}, label %{values_l}, label %{miss}")
    L.start(values_l)  # an object with a made __dict__ may hold anything
    no_dict = _icmp(L, "eq", L.field(obj, abi.OBJECT_DICT), "null", "ptr")
    L.emit(f"br i1 {no_dict}, label %{hit}, label %{generic}")
    L.start(hit)
    L.incref(fn)
    L.incref(obj)
    L.emit(f"br label %{join}")
    L.start(miss)
    L.emit(f"call void @jit.method_fill_poly(ptr {cache}, ptr {obj}, "
           f"ptr {L.const(op.attrs['name'])}, ptr {L.const(funcobject.compiled_function_type())})")
    L.emit(f"br label %{generic}")
    L.start(generic)
    _load_method_generic(L, op, obj, suffix=".m")
    generic_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    a, b = L.v(op.results[0]), L.v(op.results[1])
    L.emit(f"{a}{suffix} = phi ptr [ {fn}, %{hit} ], [ {a}.m, %{generic_end} ]")
    L.emit(f"{b}{suffix} = phi ptr [ {obj}, %{hit} ], [ {b}.m, %{generic_end} ]")


def _load_method_generic(L, op, obj, suffix=""):
    slot = L.t("meth")
    L.allocas.append(f"{slot} = alloca ptr")
    L.emit(f"store ptr null, ptr {slot}")   # not written when the lookup fails
    found = L.call("_PyObject_GetMethod", obj, L.const(op.attrs["name"]), slot)
    m = L.t()
    L.emit(f"{m} = load ptr, ptr {slot}")
    L.check_null(m, op)
    is_meth = L.t()
    L.emit(f"{is_meth} = icmp ne i32 {found}, 0")
    a, b = L.v(op.results[0]) + suffix, L.v(op.results[1]) + suffix
    L.emit(f"{a} = select i1 {is_meth}, ptr {m}, ptr null")
    L.emit(f"{b} = select i1 {is_meth}, ptr {obj}, ptr {m}")
    inc, done = L.label("meth.self"), L.label("meth.done")
    L.emit(f"br i1 {is_meth}, label %{inc}, label %{done}")
    L.start(inc)
    L.incref(obj)
    L.emit(f"br label %{done}")
    L.start(done)


def _vectorcall(L, op, result: str):
    first, second, *args = op.args
    nargs = op.attrs["nargs"]
    kwn = op.attrs["kwnames"]
    kwnames = L.const(kwn) if kwn else "null"
    npos = nargs - len(kwn)
    if first.id in L.static_null and _maybe_class(L, second):
        _class_call(L, op, L.v(second), [L.v(a) for a in args], npos, kwnames, result)
        return
    method = L.producer(first)
    if method is not None and method.kind == "load_method" and \
            method.attrs["name"] == "append" and nargs == 1 and not kwn:
        _list_append_call(L, op, result)
        return
    _generic_vectorcall(L, op, result)


def _list_append_call(L, op, result: str):
    """xs.append(v) of an exact list, found list's own append: PyList_Append, as the
    interpreter's specialised call does (no call machinery, and no recursion-limit
    check: the generic call of a method descriptor makes one). The lookup made
    either [list.append, xs] or (a global receiver: the module attribute path)
    [NULL, xs.append bound]. Else the generic call."""
    meth, self_, arg = (L.v(a) for a in op.args)
    fast, generic, join = L.label("la.fast"), L.label("la.generic"), L.label("la.join")
    unbound, bound = L.label("la.unbound"), L.label("la.bound")
    L.emit(f"br i1 {_icmp(L, 'ne', meth, 'null', 'ptr')}, label %{unbound}, label %{bound}")
    L.start(unbound)
    hit = _and_i1(L, f"icmp eq ptr {meth}, {L.const(list.__dict__['append'])}",
                  f"icmp eq ptr {L.type_of(self_)}, {L.capi('PyList_Type')}")
    L.br_likely(hit, fast, generic)
    L.start(bound)
    if abi.LIST_APPEND_DEF is None:
        L.emit(f"br label %{generic}")
    else:
        ml, chk, owner = L.t(), L.label("la.chk"), L.t()
        is_cfunc = _icmp(L, "eq", L.type_of(self_), L.capi("PyCFunction_Type"), "ptr")
        L.emit(f"br i1 {is_cfunc}, label %{chk}, label %{generic}")
        L.start(chk)
        L.emit(f"{ml} = ptrtoint ptr {L.field(self_, abi.CFUNC_ML)} to i64")
        L.emit(f"{owner} = bitcast ptr {L.field(self_, abi.CFUNC_SELF)} to ptr")
        hit = _and_i1(L, f"icmp eq i64 {ml}, {abi.LIST_APPEND_DEF}",
                      f"icmp eq ptr {L.type_of(owner)}, {L.capi('PyList_Type')}")
        L.br_likely(hit, fast, generic)
    L.start(fast)
    target = L.t()
    L.emit(f"{target} = phi ptr [ {self_}, %{unbound} ]" +
           (f", [ {owner}, %{chk} ]" if abi.LIST_APPEND_DEF is not None else ""))
    rc = L.call("PyList_Append", target, arg)
    L.check_neg(rc, op)
    none = L.none()
    L.incref(none)
    fast_end = L.cur
    L.emit(f"br label %{join}")
    L.start(generic)
    r = L.t("r")
    _generic_vectorcall(L, op, r)
    generic_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{result} = phi ptr [ {none}, %{fast_end} ], [ {r}, %{generic_end} ]")


def _generic_vectorcall(L, op, result: str):
    first, second, *args = op.args
    nargs = op.attrs["nargs"]
    kwn = op.attrs["kwnames"]
    kwnames = L.const(kwn) if kwn else "null"
    npos = nargs - len(kwn)
    offset_flag = (npos | abi.VECTORCALL_ARGUMENTS_OFFSET) - (1 << 64)   # as a signed i64
    # [NULL, callable, args...] or [method, self, args...]
    arr = L.array([L.v(second)] + [L.v(a) for a in args])
    isnull = L.t()
    L.emit(f"{isnull} = icmp eq ptr {L.v(first)}, null")
    callee = L.t()
    L.emit(f"{callee} = select i1 {isnull}, ptr {L.v(second)}, ptr {L.v(first)}")
    held = None
    method = L.producer(first)
    if method is not None and method.kind == "load_method":    # obj.m(...)
        # (a function found on the class: as LOAD_METHOD found it, or none)
        owner = _select(L, isnull, "null", L.type_of(L.v(second)), "ptr")
        callee = held = _program_target(L, op, callee, method.attrs["name"], owner)
    elif first.id in L.static_null and _global_function(L, second):
        name = L.producer(second).attrs["name"]
        callee = held = _program_target(L, op, callee, name, None)
    p1 = L.t()
    L.emit(f"{p1} = getelementptr ptr, ptr {arr}, i64 1")
    argp = L.t()
    L.emit(f"{argp} = select i1 {isnull}, ptr {p1}, ptr {arr}")
    nf = L.t()
    L.emit(f"{nf} = select i1 {isnull}, i64 {offset_flag}, i64 {npos + 1}")
    r = L.call("PyObject_Vectorcall", callee, argp, nf, kwnames, ret=result)
    if held is not None:
        L.decref(held)
    L.check_null(r, op, lasti=lambda: _call_lasti(L, op))
    _poll_after_call(L, op, r)


def _call_lasti(L, op) -> str:
    """The traceback entry's offset when the call raised: its last cache unit if the
    interpreter would have pushed the callee's frame inline (a Python function, which
    a compiled one stands for), else the call's own (jit.call_lasti)."""
    first, second = op.args[:2]
    at = op.unwind.offset
    past = op.attrs.get("py_lasti")
    if past is None or past == at:
        return str(at)
    from runtime import funcobject
    r = L.t()
    L.emit(f"{r} = call i64 @jit.call_lasti(ptr {L.v(first)}, ptr {L.v(second)}, "
           f"ptr {L.const(funcobject.compiled_function_type())}, i64 {at}, i64 {past})")
    return r


def _poll_after_call(L, op, result: str):
    """As CALL ends in the interpreter: the eval breaker polled (a signal that came
    during a long C call is handled here, in this frame); if a handler raises, the
    result is dropped and the call's op fails with it."""
    if capi.TSTATE_INTERP is None:
        return
    tick, done = L.label("ctick"), L.label("cnotick")
    _branch_if_breaker_set(L, tick, done)
    L.start(tick)
    rc = L.t()
    L.emit(f"{rc} = call i32 @jit.tick()")
    L.branch_fail(_icmp(L, "slt", rc, "0", "i32"), op, extra=(result,))
    L.emit(f"br label %{done}")
    L.start(done)


# a call site's program-callee cache: PROGRAM_CALLEE_ENTRIES entries of 7 words (fn,
# target, then what target was made from: code, defaults, kwdefaults, qualname,
# name), then a count of fills, which stop at PROGRAM_CALLEE_FILLS (a site calling
# ever new functions would call the filler each time)
PROGRAM_CALLEE_ENTRIES = 4
PROGRAM_CALLEE_FILLS = 8
_ENTRY_WORDS = 7


def _program_target(L, op, callee: str, name: str, owner: str | None) -> str:
    """What a call of ``callee`` calls: the compiled copy of a function of the
    program's (helpers.program_callee) in its stead, as the site's cache has it
    while ``callee`` is that function with the code, defaults and names the copy was
    made from; else ``callee``. The cache keeps the function alive, so it takes only
    one found where it lives long: as ``name`` in the MRO of the class ``owner``
    (NULL: no class here), or (``owner`` None) bound to the global ``name``; one
    passed around is called as it is."""
    cache = f"@{L.p}.gcache{len(L.global_caches)}"
    L.global_caches.append(cache)
    fills_at = PROGRAM_CALLEE_ENTRIES * _ENTRY_WORDS
    L.cache_words[cache] = fills_at + 1

    def word(base: str, i: int) -> str:
        p, r = L.t(), L.t()
        L.emit(f"{p} = getelementptr i64, ptr {base}, i64 {i}")
        L.emit(f"{r} = load ptr, ptr {p}")
        return r

    hit, use, miss, fill, plain, join = (L.label(n) for n in (
        "pc.hit", "pc.use", "pc.miss", "pc.fill", "pc.plain", "pc.join"))
    # the entry holding callee (the last one when none does: its fn is checked again)
    base = f"getelementptr (i64, ptr {cache}, i64 {fills_at - _ENTRY_WORDS})"
    for k in reversed(range(PROGRAM_CALLEE_ENTRIES - 1)):
        at = f"getelementptr (i64, ptr {cache}, i64 {k * _ENTRY_WORDS})"
        base = _select(L, _icmp(L, "eq", word(at, 0), callee, "ptr"), at, base, "ptr")
    L.br_likely(_icmp(L, "eq", word(base, 0), callee, "ptr"), hit, miss)
    L.start(hit)
    same = "true"
    from .specialize import COPY_SHAPE_FIELDS
    for i, off in enumerate(COPY_SHAPE_FIELDS, start=2):
        same = _and(L, same, _icmp(L, "eq", L.field(callee, off), word(base, i), "ptr"))
    L.br_likely(same, use, miss)
    L.start(use)
    cached = word(base, 1)
    # held while it runs: a refill of this site (by a call it makes) may drop the
    # holder's reference to it
    L.incref(cached)
    L.emit(f"br label %{join}")
    L.start(miss)
    fills = L.t()
    L.emit(f"{fills} = load i64, ptr getelementptr (i64, ptr {cache}, i64 {fills_at})")
    can = _and(L, _icmp(L, "eq", L.type_of(callee), L.capi("PyFunction_Type"), "ptr"),
               _icmp(L, "slt", fills, str(PROGRAM_CALLEE_FILLS)))
    if owner is not None:
        can = _and(L, can, _icmp(L, "ne", owner, "null", "ptr"))
    if capi.RECURSION_COUNTER is not None:
        # (near the recursion limit the filler, Python code that may compile, is not
        # called: its frames could hit the limit where the interpreter's call does not)
        from .pipeline import COMPILE_DEPTH
        rc = L.t()
        L.emit(f"{rc} = load i32, ptr {_gep(L, '%ts', capi.RECURSION_COUNTER)}")
        can = _and(L, can, _icmp(L, "sge", rc, str(COMPILE_DEPTH), "i32"))
    L.emit(f"br i1 {can}, label %{fill}, label %{plain}, !prof !0")
    L.start(fill)
    # (the filler is Python code: a finaliser it lets run may drop the last other
    # reference to callee, a class's __init__ or a global's function, rebinding it)
    L.incref(callee)
    L.emit(f"store i64 {_bin(L, 'add', fills, '1')}, "
           f"ptr getelementptr (i64, ptr {cache}, i64 {fills_at})")
    holder = L.site_holder()
    first = len(holder)
    holder.extend([None] * PROGRAM_CALLEE_ENTRIES)
    # entries are filled in turn: holder[first + slot] keeps slot's items alive
    slot = _bin(L, "urem", fills, str(PROGRAM_CALLEE_ENTRIES))
    at = L.t()
    L.emit(f"{at} = getelementptr i64, ptr {cache}, i64 {_bin(L, 'mul', slot, str(_ENTRY_WORDS))}")
    # emptied first: the filler is Python code, during which another thread's call may
    # hit this slot, or fill it again
    L.emit(f"store ptr null, ptr {at}")
    index = L.call("PyLong_FromLongLong", _bin(L, "add", slot, str(first)))
    L.check_null(index, op)
    entry = L.helper(op, "program_callee", [
        callee, "%globals", "%builtins", L.const(name),
        L.none() if owner is None else owner], extra=(index, callee))
    got, none = L.label("pc.got"), L.label("pc.none")
    L.emit(f"br i1 {_icmp(L, 'eq', entry, L.none(), 'ptr')}, label %{none}, label %{got}")
    L.start(none)
    L.decref(entry)
    L.decref(index)
    none_end = L.cur
    L.emit(f"br label %{join}")     # (callee, held)
    L.start(got)
    # the slot's words and the holder's entry for it are set here, with no Python code
    # in between (the filler set the holder itself before: another thread filling the
    # same slot in the filler's way back -- its with-block exit -- set holder and words
    # to its entry, then this one wrote its words over them and the holder dropped
    # their entry: a hit then called a freed compiled copy)
    for i in range(_ENTRY_WORDS):
        item = L.field(entry, abi.TUPLE_ITEMS + 8 * i)
        if i in (3, 4):    # (no defaults: a NULL member, which reads as None)
            item = _select(L, _icmp(L, "eq", item, L.none(), "ptr"), "null", item, "ptr")
        p = L.t()
        L.emit(f"{p} = getelementptr i64, ptr {at}, i64 {i}")
        L.emit(f"store ptr {item}, ptr {p}")
    target = L.field(entry, abi.TUPLE_ITEMS + 8)
    L.incref(target)
    # (the slot's old entry goes last, the words already this one's: its finalisers
    # may come back to this site; a list's item store with an index in range cannot fail)
    L.call("PyObject_SetItem", L.const(holder), index, entry)
    L.decref(index)
    L.decref(entry)      # (the holder holds it)
    L.decref(callee)
    fill_end = L.cur
    L.emit(f"br label %{join}")
    L.start(plain)
    L.incref(callee)
    L.emit(f"br label %{join}")
    L.start(join)
    r = L.t()
    L.emit(f"{r} = phi ptr [ {cached}, %{use} ], [ {target}, %{fill_end} ], "
           f"[ {callee}, %{none_end} ], [ {callee}, %{plain} ]")
    return r


def _global_function(L, callee: ir.Value) -> bool:
    """Is ``callee`` a global bound, as the code is compiled, to a plain function
    (or to nothing yet)? Then its call site gets a program-callee cache."""
    prod = L.producer(callee)
    if prod is None or prod.kind != "load_global":
        return False
    namespace = L.entry_consts.get("globals") or {}
    value = namespace.get(prod.attrs["name"])
    return value is None or type(value) is types.FunctionType


def _maybe_class(L, callee: ir.Value) -> bool:
    """Is the class-call path worth its code at this site? Not when the callee is
    a global bound, as the code is compiled, to something that is not a class
    (a later class there is called generically: only slower)."""
    prod = L.producer(callee)
    if prod is None or prod.kind != "load_global":
        return True
    name, namespace = prod.attrs["name"], L.entry_consts.get("globals") or {}
    value = namespace[name] if name in namespace else getattr(builtins, name, None)
    return value is None or isinstance(value, type)


def _class_call(L, op, callee: str, args: list[str], npos: int, kwnames: str, result: str):
    """callee(*args): instantiating a plain class (see helpers.class_init: type's own
    __call__, object.__new__, a Python __init__) skips type's call machinery, as
    the site's cache {class, version tag, __init__} allows: the object comes from
    tp_new, then __init__ runs on it directly. Counted as one more level of
    recursion, as type's call is. Anything else: PyObject_Vectorcall."""
    offset_flag = (npos | abi.VECTORCALL_ARGUMENTS_OFFSET) - (1 << 64)   # as a signed i64
    cache = f"@{L.p}.gcache{len(L.global_caches)}"
    L.global_caches.append(cache)
    chk, known, fill, fast, generic, join = (L.label(n) for n in (
        "cc.chk", "cc.known", "cc.fill", "cc.fast", "cc.generic", "cc.join"))
    is_type = L.t()
    L.emit(f"{is_type} = icmp eq ptr {L.type_of(callee)}, {L.capi('PyType_Type')}")
    L.emit(f"br i1 {is_type}, label %{chk}, label %{generic}")
    L.start(chk)
    tag32, tag = L.field(callee, abi.TYPE_VERSION_TAG, "i32"), L.t()
    L.emit(f"{tag} = zext i32 {tag32} to i64")
    ct, cv, ci = L.t(), L.t(), L.t()
    L.emit(f"{ct} = load ptr, ptr {cache}")
    L.emit(f"{cv} = load i64, ptr getelementptr (i64, ptr {cache}, i64 1)")
    L.emit(f"{ci} = load ptr, ptr getelementptr (i64, ptr {cache}, i64 2)")
    hit = _and_i1(L, f"icmp eq ptr {ct}, {callee}", f"icmp eq i64 {cv}, {tag}")
    # the first class seen here is the one cached (refilled when it changes)
    refill = _or_i1(L, f"icmp eq ptr {ct}, null", f"icmp eq ptr {ct}, {callee}")
    miss = L.label("cc.miss")
    L.emit(f"br i1 {hit}, label %{known}, label %{miss}")
    L.start(miss)
    L.emit(f"br i1 {refill}, label %{fill}, label %{generic}")
    L.start(fill)
    # the cache holds the __init__ borrowed: the class's dict holds it while the
    # version tag (any change to the class or its bases) is the same; tag 0: none
    info = L.helper(op, "class_init", [callee])
    L.decref(info)
    init = L.t()
    L.emit(f"{init} = select i1 {_and_i1(L, f'icmp ne ptr {info}, {L.none()}', f'icmp ne i64 {tag}, 0')}, "
           f"ptr {info}, ptr null")
    L.emit(f"store ptr {callee}, ptr {cache}")
    L.emit(f"store i64 {tag}, ptr getelementptr (i64, ptr {cache}, i64 1)")
    L.emit(f"store ptr {init}, ptr getelementptr (i64, ptr {cache}, i64 2)")
    fill_end = L.cur
    L.emit(f"br label %{known}")
    L.start(known)
    fn = L.t()
    L.emit(f"{fn} = phi ptr [ {ci}, %{chk} ], [ {init}, %{fill_end} ]")
    # type's call runs the tp_new slot, which a class's dicts may not show (a
    # deleted __new__ leaves it, a ctypes base has none): it must be object's own
    plain_new = _icmp(L, "eq", L.field(callee, abi.TYPE_NEW),
                      L.field(L.capi("PyBaseObject_Type"), abi.TYPE_NEW), "ptr")
    L.emit(f"br i1 {_and(L, _icmp(L, 'ne', fn, 'null', 'ptr'), plain_new)}, "
           f"label %{fast}, label %{generic}")
    L.start(fast)
    r1 = _init_new_object(L, op, callee, fn, _program_target(L, op, fn, "__init__", callee),
                          tag, args, npos, kwnames)
    fast_end = L.cur
    L.emit(f"br label %{join}")
    L.start(generic)
    incoming = [(r1, fast_end)]
    if npos == 1 and kwnames == "null":
        # str(x): what str's constructor does with one argument, as the interpreter's
        # specialised call (str has no vectorcall here: its call makes an argument
        # tuple and parses it)
        text, other = L.label("cc.str"), L.label("cc.other")
        L.emit(f"br i1 {_icmp(L, 'eq', callee, L.capi('PyUnicode_Type'), 'ptr')}, "
               f"label %{text}, label %{other}")
        L.start(text)
        r3 = L.call("PyObject_Str", args[0])
        L.check_null(r3, op, lasti=lambda: _call_lasti(L, op))
        incoming.append((r3, L.cur))
        L.emit(f"br label %{join}")
        L.start(other)
    arr = L.array(["null"] + args)
    p = L.t()
    L.emit(f"{p} = getelementptr ptr, ptr {arr}, i64 1")
    r2 = L.call("PyObject_Vectorcall", callee, p, str(offset_flag), kwnames)
    L.check_null(r2, op, lasti=lambda: _call_lasti(L, op))
    incoming.append((r2, L.cur))
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{result} = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))


def _init_new_object(L, op, cls: str, init: str, target: str, tag: str, args: list[str],
                     npos: int, kwnames: str) -> str:
    """obj = cls->tp_new(cls, (), NULL); init(obj, *args) must return None; obj.
    ``init`` is held meanwhile (tp_new may collect garbage, whose finalisers may rebind
    __init__ and free the old one); it is called as ``target`` (_program_target). If
    the class changed during tp_new (its version tag ``tag`` is gone) __init__ is
    looked up again, as type's call does."""
    entered = L.call("Py_EnterRecursiveCall", "@jit.tp_call_where")
    L.branch_fail(_icmp(L, "ne", entered, "0", "i32"), op, extra=(target,))
    L.incref(init)
    tp_new, obj = L.field(cls, abi.TYPE_NEW), L.t()
    L.emit(f"{obj} = call ptr {tp_new}(ptr {cls}, ptr {L.const(())}, ptr null)")
    no_obj, made = L.label("cc.noobj"), L.label("cc.made")
    L.emit(f"br i1 {_icmp(L, 'eq', obj, 'null', 'ptr')}, label %{no_obj}, label %{made}, !prof !0")
    L.start(no_obj)
    L.call("Py_LeaveRecursiveCall")
    L.decref(init, cold=True)
    L.decref(target, cold=True)
    L.unwind(op)
    L.start(made)
    arr = L.array([obj] + args)
    now32, now = L.field(cls, abi.TYPE_VERSION_TAG, "i32"), L.t()
    L.emit(f"{now} = zext i32 {now32} to i64")
    same, changed, called = L.label("cc.same"), L.label("cc.changed"), L.label("cc.called")
    L.emit(f"br i1 {_icmp(L, 'eq', now, tag)}, label %{same}, label %{changed}, !prof !1")
    L.start(same)
    r_same = L.call("PyObject_Vectorcall", target, arr, str(npos + 1), kwnames)
    same_end = L.cur
    L.emit(f"br label %{called}")
    L.start(changed)
    L._give_back_level(1)
    r_again = L.call("PyObject_Vectorcall", L.const(helpers.init_again), arr,
                     str(npos + 1), kwnames)
    L._give_back_level(-1)
    changed_end = L.cur
    L.emit(f"br label %{called}")
    L.start(called)
    r = L.t()
    L.emit(f"{r} = phi ptr [ {r_same}, %{same_end} ], [ {r_again}, %{changed_end} ]")
    L.decref(init)
    L.decref(target)      # (held by _program_target)
    L.call("Py_LeaveRecursiveCall")
    L.check_null(r, op, extra=(obj,))
    bad, good = L.label("cc.notnone"), L.label("cc.ok")
    L.emit(f"br i1 {_icmp(L, 'eq', r, L.none(), 'ptr')}, label %{good}, label %{bad}")
    L.start(bad)
    L.decref(obj)
    fn = L.const(helpers.raise_init_result)
    raised = L.call("PyObject_Vectorcall", fn, L.array([r]), "1", "null")
    L.decref(r)
    L.emit(f"call void @jit.xdecref(ptr {raised})")     # NULL: it raised
    L.emit("call void @jit.strip_tb()")
    L.unwind(op)
    L.start(good)
    L.decref(r)
    return obj


def _or_i1(L, a_expr, b_expr):
    a, b, r = L.t(), L.t(), L.t()
    L.emit(f"{a} = {a_expr}")
    L.emit(f"{b} = {b_expr}")
    L.emit(f"{r} = or i1 {a}, {b}")
    return r


def lo_call(L, op):
    special = op.attrs.get("frame_builtin")
    if "nested_code_index" in op.attrs:
        _call_nested(L, op)
        return
    if "class_body_index" in op.attrs:
        _call_build_class(L, op)
        return
    if special is None:
        _vectorcall(L, op, L.v(op.result))
        return
    # globals()/locals()/vars()/dir()/super() read the caller's frame; compiled code
    # has none, so when the name is still bound to the builtin we answer ourselves.
    import builtins
    callee = L.v(op.args[1])
    is_builtin = L.t()
    L.emit(f"{is_builtin} = icmp eq ptr {callee}, {L.const(getattr(builtins, special))}")
    yes, no, join = L.label("fb"), L.label("nofb"), L.label("fbjoin")
    L.emit(f"br i1 {is_builtin}, label %{yes}, label %{no}")
    L.start(yes)
    r1 = FRAME_BUILTINS[special](L, op)
    yes_end = L.cur
    L.emit(f"br label %{join}")
    L.start(no)
    r2 = L.t("r")
    _vectorcall(L, op, r2)
    no_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi ptr [ {r1}, %{yes_end} ], [ {r2}, %{no_end} ]")


def _call_nested(L, op):
    """Call a function this code just made (a comprehension) by running its code
    compiled in this module, with the function's globals, builtins and closure. Only
    hostile code could have changed its __code__ meanwhile: then a Python call. A
    kept function's call with numbers may pass them raw (``raw_args``), and take its
    number result raw (an I64/F64 result: specialize.Inference.kept_result)."""
    code = L.fn.consts[op.attrs["nested_code_index"]]
    raw = op.attrs.get("raw_args", False)     # (its numbers unboxed: specialize.Rewriter)
    typed = op.result.type in (I64, F64)
    obj = L.v(op.attrs["boxed"]) if typed else L.v(op.result)   # an object result
    impl = L.nested_impl(code, op.attrs.get("nested_arg"), op.attrs.get("nested_free"), raw=raw)
    first, second, *rest = op.args
    func, args = (second, rest) if first.id in L.static_null else (first, [second, *rest])
    f = L.v(func)
    takes = L.nested_raw(impl) if impl is not None else ()
    if impl is None or (takes and takes != tuple(
            int if a.type == I64 else float if a.type == F64 else None for a in args)):
        # no copy; or a copy taking other numbers raw (the code this call is in,
        # recursing with other types): its entry would deopt, before its cells are
        # made: an ordinary call
        if raw:
            _raw_args_call(L, op, f, args, obj)
        else:
            _vectorcall(L, op, obj)
        if typed:
            _number_result(L, op, obj, [], L.label("nest.num"))
        return
    compiled, python, join = L.label("nested"), L.label("nestpy"), L.label("nestjoin")
    done = L.label("nest.num")
    same = L.t()
    if op.attrs.get("kept"):
        # a function kept in a variable (ssa.mark_kept_functions): anything may be
        # there by now; the code compiled here assumed this code's namespaces too
        is_func, check = L.t(), L.label("nestfn")
        L.emit(f"{is_func} = icmp eq ptr {L.type_of(f)}, {L.capi('PyFunction_Type')}")
        L.emit(f"br i1 {is_func}, label %{check}, label %{python}")
        L.start(check)
        parts = [_icmp(L, "eq", L.field(f, off), mine, "ptr") for off, mine in (
            (abi.FUNC_CODE, L.const(code)), (abi.FUNC_GLOBALS, "%globals"),
            (abi.FUNC_BUILTINS, "%builtins"))]
        L.emit(f"{same} = and i1 {_and(L, parts[0], parts[1])}, {parts[2]}")
    else:
        L.emit(f"{same} = icmp eq ptr {L.field(f, abi.FUNC_CODE)}, {L.const(code)}")
    L.emit(f"br i1 {same}, label %{compiled}, label %{python}")
    L.start(compiled)
    raw_in = []
    if raw and takes:
        out = None
        if typed:
            out = L.t("out")
            L.allocas.append(f"{out} = alloca [2 x i64]")
            L.emit(f"store i64 {raw_code([op.result.type], False)}, ptr {out}")
        r1 = _run_nested(L, impl, code, f, [(a.type, L.v(a)) for a in args], raw=True, out=out)
        if typed:      # the number raw in out, or (the raw marker not returned) an object
            rawl, objl = L.label("nest.raw"), L.label("nest.obj")
            L.emit(f"br i1 {_icmp(L, 'eq', r1, L.capi('jit_raw_marker'), 'ptr')}, "
                   f"label %{rawl}, label %{objl}")
            L.start(rawl)
            v, p = L.t(), L.t()
            L.emit(f"{p} = getelementptr i64, ptr {out}, i64 1")
            L.emit(f"{v} = load {LLTYPE[op.result.type]}, ptr {p}")
            raw_in.append((v, rawl))
            L.emit(f"br label %{done}")
            L.start(objl)
    elif raw:      # (the copy takes objects after all: generic, or nothing to unbox)
        boxes = _box_all(L, op, args)
        r1 = _run_nested(L, impl, code, f, boxes)
        for b in boxes:
            L.decref(b)
    else:
        r1 = _run_nested(L, impl, code, f, [L.v(a) for a in args])
    past = op.attrs.get("py_lasti")      # (a Python function raised: see _call_lasti)
    L.check_null(r1, op, lasti=None if past is None else (lambda: str(past)))
    compiled_end = L.cur
    L.emit(f"br label %{join}")
    L.start(python)
    r2 = L.t("r")
    if raw:
        _raw_args_call(L, op, f, args, r2)
    else:
        _vectorcall(L, op, r2)
    python_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{obj} = phi ptr [ {r1}, %{compiled_end} ], [ {r2}, %{python_end} ]")
    if typed:
        _number_result(L, op, obj, raw_in, done)


def _number_result(L, op, obj: str, raw_in: list, done: str):
    """The number result (op.result, I64/F64) of a call (a direct call's, a kept
    nested function's) from ``obj``, the call's object result: unboxed, or (not an
    exact int that fits / a float that is not a nan) the call resumes after it in
    the interpreter with the object pushed (op's ``after``, ``boxed`` and ``release``);
    joined at ``done`` with the raw results ``raw_in`` [(value, block)]."""
    from .lower_typed import _fcmp, unbox_int_inline
    res = op.result
    if res.type == I64:     # (a bool stays an object: True must not come back as 1)
        val, ok = unbox_int_inline(L, obj, no_bool=True)
    else:     # (a nan stays an object too: it is found by identity)
        ok = _icmp(L, "eq", L.type_of(obj), L.capi("PyFloat_Type"), "ptr")
        val = L.field(obj, abi.FLOAT_VALUE, "double")
        ok = _and(L, ok, _not(L, _fcmp(L, "uno", val, val)))
    bad, good = L.label("nest.deopt"), L.label("nest.unboxed")
    L.emit(f"br i1 {_not(L, ok)}, label %{bad}, label %{good}, !prof !0")
    L.start(bad)
    after, below = op.attrs["after"]
    L.emit_deopt(after, below + [op.attrs["boxed"]], op.offset, release=op.attrs["release"])
    L.start(good)
    L.decref(obj)
    good_end = L.cur
    L.emit(f"br label %{done}")
    L.start(done)
    incoming = raw_in + [(val, good_end)]
    L.emit(f"{L.v(res)} = phi {LLTYPE[res.type]} " +
           ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))


def _run_nested(L, impl: str, code, f: str, args: list, raw=False, out=None) -> str:
    """Call ``impl`` (``code`` compiled in this module) as the function ``f``, made
    of it, with ``args``: its globals, builtins and closure; its traceback entries
    name a frame of ``code``. The result (NULL on error). ``raw``: the arguments
    are (IR type, raw number) pairs, passed as a direct call's, and ``out`` asks for
    a raw result (see raw_code)."""
    from .pipeline import make_frame
    frame = L.const(make_frame(code, L.entry_consts.get("globals", {})))
    g, b, clo = (L.field(f, off) for off in (abi.FUNC_GLOBALS, abi.FUNC_BUILTINS, abi.FUNC_CLOSURE))
    if raw:
        arr = L.t("raw")
        L.allocas.append(f"{arr} = alloca [{max(len(args), 1)} x i64]")
        for i, (t, v) in enumerate(args):
            p = L.t()
            L.emit(f"{p} = getelementptr i64, ptr {arr}, i64 {i}")
            L.emit(f"store {LLTYPE[t]} {v}, ptr {p}")
    else:
        arr = L.array(args)
    r = L.t("r")
    L.emit(f"{r} = call ptr {impl}(ptr {g}, ptr {b}, ptr null, ptr {frame}, ptr {clo}, "
           f"i1 {'true' if raw else 'false'}, ptr {out or 'null'}, ptr {arr}, ptr %ts, "
           f"i64 {L.stack_floor})")
    return r


def _box_all(L, op, args) -> list[str]:
    """New references to ``args`` (values of the IR) as objects: numbers boxed, objects
    increfed."""
    out = []
    for a in args:
        if a.type in (OBJ, NOBJ):
            L.incref(L.v(a))
            out.append(L.v(a))
        else:
            b = L.box_raw(a.type, L.v(a))
            L.check_null(b, op)     # (leaks the earlier boxes on MemoryError only)
            out.append(b)
    return out


def _raw_args_call(L, op, f: str, args, result: str):
    """The ordinary call of ``f`` with ``args`` some of which are raw numbers (a kept
    nested function's call, see _call_nested): boxed for it."""
    boxes = _box_all(L, op, args)
    L.call("PyObject_Vectorcall", f, L.array(boxes), str(len(boxes)), "null", ret=result)
    for b in boxes:
        L.decref(b)
    past = op.attrs.get("py_lasti")
    L.check_null(result, op, lasti=None if past is None else (lambda: str(past)))


def lo_fold_call(L, op):
    """sum(<generator expression>) and the like (ssa._fold_call): while the callee is the
    builtin (and the function made is of the generator expression's code), run the
    folded code compiled in this module, like a comprehension; else make the
    generator and call the callee with it. What the folded code raises is made
    what the generator and the builtin would raise (runtime.helpers.fold_error)."""
    first, callee, func, it = op.args
    fused = L.fn.consts[op.attrs["nested_code_index"]]
    impl = L.nested_impl(fused, op.attrs.get("nested_arg"), op.attrs.get("nested_free"))
    f, r = L.v(func), L.v(op.result)
    compiled, python, join = L.label("fold"), L.label("foldpy"), L.label("foldjoin")
    r1 = "null"
    if impl is not None:
        builtin = L.const(L.fn.consts[op.attrs["builtin_index"]])
        genexpr = L.const(L.fn.consts[op.attrs["genexpr_index"]])
        ok = _and_i1(L, f"icmp eq ptr {L.v(callee)}, {builtin}",
                     f"icmp eq ptr {L.field(f, abi.FUNC_CODE)}, {genexpr}")
        L.emit(f"br i1 {ok}, label %{compiled}, label %{python}")
        L.start(compiled)
        # any/all/min/max are called through the C call that counts a level of
        # recursion (sum, list ... are not): so is their folded loop
        counted = op.attrs["fold"] in ("any", "all", "min", "max")
        if counted:
            entered = L.call("Py_EnterRecursiveCall", "@jit.tp_call_where")
            L.branch_fail(_icmp(L, "ne", entered, "0", "i32"), op)
        r1 = _run_nested(L, impl, fused, f, [L.v(it)])
        if counted:
            L.call("Py_LeaveRecursiveCall")
        failed, done = L.label("foldfail"), L.label("folddone")
        L.br_likely(_icmp(L, "ne", r1, "null", "ptr"), done, failed)
        L.start(failed)
        L.emit(f"call void @jit.fold_error(ptr {L.const(helpers.fold_error)}, "
               f"ptr {L.const(op.attrs['step_units'])})")
        L.check_null(r1, op)
        L.emit(f"br label %{done}")
        L.start(done)
        r1 = _fold_result(L, op, r1)
    compiled_end = L.cur
    L.emit(f"br label %{join}")
    L.start(python)
    gen = L.call("PyObject_Vectorcall", f, L.array([L.v(it)]), "1", "null")
    L.check_null(gen, op)
    r2 = L.call("PyObject_Vectorcall", L.v(callee), L.array([gen]), "1", "null")
    L.decref(gen)
    L.check_null(r2, op)
    python_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    if impl is None:
        L.emit(f"{r} = bitcast ptr {r2} to ptr")
    else:
        L.emit(f"{r} = phi ptr [ {r1}, %{compiled_end} ], [ {r2}, %{python_end} ]")


def _fold_result(L, op, r: str) -> str:
    """What the builtin returns, from what the folded code returned (``r``, owned)."""
    kind = op.attrs["fold"]
    if kind in ("min", "max"):      # no items: the builtin's ValueError
        from .frontend.fold311 import EMPTY
        L.raise_if(_icmp(L, "eq", r, L.const(EMPTY), "ptr"), op, "raise_empty_fold",
                   [L.const(kind)], extra=(r,))
    elif kind in ("tuple", "frozenset"):
        made = L.call("PyList_AsTuple" if kind == "tuple" else "PyFrozenSet_New", r)
        L.decref(r)
        L.check_null(made, op)
        return made
    elif kind == "sorted":
        L.check_neg(L.call("PyList_Sort", r), op, extra=(r,))
    return r


def _call_build_class(L, op):
    """A class statement: when ``__build_class__`` is still the builtin (and only
    hostile code could have changed the body function's __code__), do its work in two
    helpers around running the body compiled in this module, with the namespace as
    its locals; else the Python call."""
    code = L.fn.consts[op.attrs["class_body_index"]]
    impl = L.nested_impl(code)
    if impl is None:
        _vectorcall(L, op, L.v(op.result))
        return
    _null, build, func, *rest = op.args
    f = L.v(func)
    is_builtin, same, ok = L.t(), L.t(), L.t()
    L.emit(f"{is_builtin} = icmp eq ptr {L.v(build)}, {L.const(builtins.__build_class__)}")
    L.emit(f"{same} = icmp eq ptr {L.field(f, abi.FUNC_CODE)}, {L.const(code)}")
    L.emit(f"{ok} = and i1 {is_builtin}, {same}")
    compiled, python, join = L.label("cls"), L.label("clspy"), L.label("clsjoin")
    L.emit(f"br i1 {ok}, label %{compiled}, label %{python}")
    L.start(compiled)
    kwn = op.attrs["kwnames"]
    arr = L.array([f] + [L.v(a) for a in rest])
    state = L.call("PyObject_Vectorcall", L.const(helpers.class_prepare), arr,
                   str(len(rest) + 1 - len(kwn)), L.const(kwn) if kwn else "null")
    L.check_null(state, op, strip=True)
    ns = L.tuple_item(state, 1)
    is_mapping = L.call("PyMapping_Check", ns)
    bad = L.t()
    L.emit(f"{bad} = icmp eq i32 {is_mapping}, 0")
    not_mapping, mapping = L.label("clsns.bad"), L.label("clsns.ok")
    L.emit(f"br i1 {bad}, label %{not_mapping}, label %{mapping}, !prof !0")
    L.start(not_mapping)       # the helper raises; then release the state
    L.call("PyObject_Vectorcall", L.const(helpers.class_namespace_error), L.array([state]),
           "1", "null")
    L.emit("call void @jit.strip_tb()")
    L.decref(state)
    L.unwind(op)
    L.start(mapping)
    from .pipeline import make_frame
    frame = L.const(make_frame(code, L.entry_consts.get("globals", {})))
    g, b, clo = (L.field(f, off) for off in (abi.FUNC_GLOBALS, abi.FUNC_BUILTINS, abi.FUNC_CLOSURE))
    cell = L.t("cell")
    L.emit(f"{cell} = call ptr {impl}(ptr {g}, ptr {b}, ptr {ns}, ptr {frame}, ptr {clo}, "
           f"i1 false, ptr null, ptr null, ptr %ts, i64 {L.stack_floor})")
    L.check_null(cell, op, extra=[state])
    r1 = L.call("PyObject_Vectorcall", L.const(helpers.class_finish), L.array([state, cell]),
                "2", "null")
    L.decref(state)
    L.decref(cell)
    L.check_null(r1, op, strip=True)
    compiled_end = L.cur
    L.emit(f"br label %{join}")
    L.start(python)
    r2 = L.t("r")
    _vectorcall(L, op, r2)
    python_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi ptr [ {r1}, %{compiled_end} ], [ {r2}, %{python_end} ]")


def _locals_snapshot(L, op, helper_name):
    code = L.code
    if not code.co_flags & 0x01:   # not CO_OPTIMIZED: module or class code, a real mapping
        is_null = L.t()
        mod, fn_l, join = L.label("lmod"), L.label("lfn"), L.label("ljoin")
        L.emit(f"{is_null} = icmp eq ptr %locals, null")
        L.emit(f"br i1 {is_null}, label %{fn_l}, label %{mod}")
        L.start(mod)
        if helper_name == "frame_dir":
            r1 = L.helper(op, "mapping_dir", ["%locals"])
        else:
            r1 = "%locals"
            L.incref(r1)
        mod_end = L.cur
        L.emit(f"br label %{join}")
        L.start(fn_l)
        r2 = _locals_from_slots(L, op, helper_name)
        fn_end = L.cur
        L.emit(f"br label %{join}")
        L.start(join)
        r = L.t()
        L.emit(f"{r} = phi ptr [ {r1}, %{mod_end} ], [ {r2}, %{fn_end} ]")
        return r
    return _locals_from_slots(L, op, helper_name)


def _locals_from_slots(L, op, helper_name):
    names = tuple(L.fn.local_names)
    code = L.code
    kinds = tuple(2 if n in code.co_freevars else 1 if n in code.co_cellvars else 0
                  for n in names)
    tup = L.call("PyTuple_New", str(len(names)))
    L.check_null(tup, op)
    unbound = L.const(helpers.UNBOUND)
    for i in range(len(names)):
        v = L.t()
        L.emit(f"{v} = load ptr, ptr {L.slot(i)}")
        z = L.t()
        L.emit(f"{z} = icmp eq ptr {v}, null")
        item = L.t()
        L.emit(f"{item} = select i1 {z}, ptr {unbound}, ptr {v}")
        L.incref(item)
        p = L.t()
        L.emit(f"{p} = getelementptr i8, ptr {tup}, i64 {abi.TUPLE_ITEMS + 8 * i}")
        L.emit(f"store ptr {item}, ptr {p}")
    # Like the interpreter's f_locals: one dict per call, re-synced on every use,
    # so keys that exec() added survive and locals() is locals().
    cached = L.t()
    L.emit(f"{cached} = load ptr, ptr %flocals")
    fn = L.const(getattr(helpers, helper_name))
    arr = L.array([L.const(names), L.const(kinds), tup, L.or_none(cached)])
    r = L.call("PyObject_Vectorcall", fn, arr, "4", "null")
    L.decref(tup)
    L.check_null(r, op, strip=True)
    first = L.t()
    L.emit(f"{first} = icmp eq ptr {cached}, null")
    keep, done = L.label("flkeep"), L.label("fldone")
    L.emit(f"br i1 {first}, label %{keep}, label %{done}")
    L.start(keep)
    if helper_name == "frame_locals":
        L.incref(r)
        L.emit(f"store ptr {r}, ptr %flocals")
    L.emit(f"br label %{done}")
    L.start(done)
    return r


def _fb_globals(L, op):
    L.incref("%globals")
    return "%globals"


def _fb_super(L, op):
    code = L.code
    if "__class__" in code.co_freevars:
        slot = L.fn.local_names.index("__class__", len(L.fn.local_names) - len(code.co_freevars))
        cell = L.t()
        L.emit(f"{cell} = load ptr, ptr {L.slot(slot)}")
        cls_cell = L.or_none(cell)
    else:
        cls_cell = L.none()
    if code.co_argcount > 0:     # (as super_init_without_args: not *args, not keyword-only)
        slot0, isnull, first = L.t(), L.t(), L.t()
        L.emit(f"{slot0} = load ptr, ptr {L.slot(0)}")
        first_is_cell = L.const(code.co_varnames[0] in code.co_cellvars)
        L.emit(f"{isnull} = icmp eq ptr {slot0}, null")
        L.emit(f"{first} = select i1 {isnull}, ptr {L.const(helpers.EMPTIED)}, ptr {slot0}")
    else:
        first, first_is_cell = L.const(helpers.UNBOUND), L.const(False)
    return L.helper(op, "zero_arg_super", [cls_cell, first, first_is_cell])


def _fb_eval_exec(name):
    def lower(L, op):
        # eval(src) / exec(src): the frame's globals and a snapshot of its locals
        import builtins
        src = L.v(op.args[2])
        ns_locals = _locals_snapshot(L, op, "frame_locals")
        arr = L.array([src, "%globals", ns_locals])
        r = L.call("PyObject_Vectorcall", L.const(getattr(builtins, name)), arr, "3", "null")
        L.decref(ns_locals)
        L.check_null(r, op)
        return r
    return lower


FRAME_BUILTINS = {
    "eval": _fb_eval_exec("eval"),
    "exec": _fb_eval_exec("exec"),
    "globals": _fb_globals,
    "locals": lambda L, op: _locals_snapshot(L, op, "frame_locals"),
    "vars": lambda L, op: _locals_snapshot(L, op, "frame_locals"),
    "dir": lambda L, op: _locals_snapshot(L, op, "frame_dir"),
    "super": _fb_super,
}


def lo_call_ex(L, op):
    """CALL_FUNCTION_EX. Positional arguments in an exact tuple, or in an iterable made
    one by PySequence_Tuple as the interpreter does, and keywords (if any) in an exact
    dict, as a call's ** leaves them: the call at once. Anything else (a mapping to
    copy, the "must be an iterable" error) goes through the helper."""
    func, args = L.v(op.args[0]), L.v(op.args[1])
    kwargs = L.or_none(L.v(op.args[2])) if len(op.args) > 2 else L.none()
    convert, made, slow, join = (L.label(x) for x in ("cx.conv", "cx.made", "cx.slow", "cx.join"))
    if len(op.args) > 2:
        kw_ok = L.label("cx.kw")
        L.br_likely(_icmp(L, "eq", L.type_of(kwargs), L.capi("PyDict_Type"), "ptr"), kw_ok, slow)
        L.start(kw_ok)
    a_type = L.type_of(args)
    direct_end = L.cur
    L.br_likely(_icmp(L, "eq", a_type, L.capi("PyTuple_Type"), "ptr"), join, convert)
    L.start(convert)
    L.br_likely(_icmp(L, "ne", L.field(a_type, abi.TYPE_ITER), "null", "ptr"), made, slow)
    L.start(made)
    as_tuple = L.call("PySequence_Tuple", args)
    L.check_null(as_tuple, op)
    made_end = L.cur
    L.emit(f"br label %{join}")
    L.start(slow)
    tup = L.helper(op, "call_ex_args", [func, args, kwargs])
    s_args, s_kwargs = L.tuple_item(tup, 0), L.tuple_item(tup, 1)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    a, k, own = L.t(), L.t(), L.t()     # own: a tuple made here, released after the call
    L.emit(f"{a} = phi ptr [ {args}, %{direct_end} ], [ {as_tuple}, %{made_end} ], "
           f"[ {s_args}, %{slow_end} ]")
    L.emit(f"{k} = phi ptr [ {kwargs}, %{direct_end} ], [ {kwargs}, %{made_end} ], "
           f"[ {s_kwargs}, %{slow_end} ]")
    L.emit(f"{own} = phi ptr [ null, %{direct_end} ], [ {as_tuple}, %{made_end} ], "
           f"[ {tup}, %{slow_end} ]")
    no_kw, k2 = _icmp(L, "eq", k, L.none(), "ptr"), L.t()
    L.emit(f"{k2} = select i1 {no_kw}, ptr null, ptr {k}")
    r = L.call("PyObject_Call", func, a, k2, ret=L.v(op.result))
    L.xdecref(own)
    L.check_null(r, op)


def lo_make_function(L, op):
    flags = op.attrs["flags"]
    items = [L.v(a) for a in op.args]
    code = items.pop()
    f = L.call("PyFunction_New", code, "%globals", ret=L.v(op.result))
    L.check_null(f, op)
    names = []
    if flags & 1:
        names.append("defaults")
    if flags & 2:
        names.append("kwdefaults")
    if flags & 4:
        names.append("annotations")
    if flags & 8:
        names.append("closure")
    parts = dict(zip(names, items))
    if "closure" in parts:
        nfree = len(L.fn.consts[op.attrs["code_index"]].co_freevars)
        clo = parts["closure"]
        L.require_type(clo, "PyTuple_Type", op, "MAKE_FUNCTION closure is not a tuple", extra=[f])
        size = L.field(clo, abi.VAR_SIZE, "i64")
        c = L.t()
        L.emit(f"{c} = icmp ne i64 {size}, {nfree}")
        L.raise_if(c, op, "raise_system_error",
                   [L.const("closure does not match the code's free variables")], extra=[f])
        for i in range(nfree):
            L.require_type(L.tuple_item(clo, i), "PyCell_Type", op, "closure item is not a cell",
                           extra=[f])
        L.check_neg(L.call("PyFunction_SetClosure", f, parts["closure"]), op, extra=[f])
    if "annotations" in parts:
        ann = L.const(helpers.annotations_dict)
        arr = L.array([parts["annotations"]])
        d = L.call("PyObject_Vectorcall", ann, arr, "1", "null")
        L.check_null(d, op, extra=[f])
        rc = L.call("PyFunction_SetAnnotations", f, d)
        L.decref(d)
        L.check_neg(rc, op, extra=[f])
    if "kwdefaults" in parts:
        L.check_neg(L.call("PyFunction_SetKwDefaults", f, parts["kwdefaults"]), op, extra=[f])
    if "defaults" in parts:
        L.check_neg(L.call("PyFunction_SetDefaults", f, parts["defaults"]), op, extra=[f])
    if L.closure_entry(L.fn.consts[op.attrs["code_index"]]):
        # calls through PyObject_Vectorcall run its compiled code (runtime.closures)
        slot = L.t()
        L.emit(f"{slot} = getelementptr i8, ptr {f}, i64 {abi.FUNC_VECTORCALL}")
        L.emit(f"store ptr @jit.closure_call, ptr {slot}")


def lo_build_tuple(L, op):
    t = L.call("PyTuple_New", str(len(op.args)), ret=L.v(op.result))
    L.check_null(t, op)
    for i, a in enumerate(op.args):
        L.incref(L.v(a))
        p = L.t()
        L.emit(f"{p} = getelementptr i8, ptr {t}, i64 {abi.TUPLE_ITEMS + 8 * i}")
        L.emit(f"store ptr {L.v(a)}, ptr {p}")


def lo_build_list(L, op):
    lst = L.call("PyList_New", str(len(op.args)), ret=L.v(op.result))
    L.check_null(lst, op)
    if op.args:
        items = L.field(lst, abi.LIST_ITEMS)
        for i, a in enumerate(op.args):
            L.incref(L.v(a))
            p = L.t()
            L.emit(f"{p} = getelementptr ptr, ptr {items}, i64 {i}")
            L.emit(f"store ptr {L.v(a)}, ptr {p}")


def lo_build_set(L, op):
    s = L.call("PySet_New", "null", ret=L.v(op.result))
    L.check_null(s, op)
    for a in op.args:
        L.check_neg(L.call("PySet_Add", s, L.v(a)), op, extra=[s])


def lo_build_map(L, op):
    d = L.call("PyDict_New", ret=L.v(op.result))
    L.check_null(d, op)
    vals = [L.v(a) for a in op.args]
    for k, v in zip(vals[::2], vals[1::2]):
        L.check_neg(L.call("PyDict_SetItem", d, k, v), op, extra=[d])


def lo_build_const_key_map(L, op):
    *vals, keys = [L.v(a) for a in op.args]
    d = L.call("PyDict_New", ret=L.v(op.result))
    L.check_null(d, op)
    for i, v in enumerate(vals):
        k = L.tuple_item(keys, i)
        L.check_neg(L.call("PyDict_SetItem", d, k, v), op, extra=[d])


def lo_build_string(L, op):
    arr = L.array([L.v(a) for a in op.args])
    _capi_result(L, op, "_PyUnicode_JoinArray", L.const(""), arr, str(len(op.args)))


def lo_list_append(L, op):
    list_append(L, op, L.v(op.args[0]), L.v(op.args[1]))


def list_append(L, op, lst: str, v: str):
    """Append ``v`` (borrowed) to ``lst``: into an exact list's spare room inline, as
    list.append does; otherwise (growing, or not an exact list) PyList_Append."""
    is_list = L.t()
    L.emit(f"{is_list} = icmp eq ptr {L.type_of(lst)}, {L.capi('PyList_Type')}")
    chk, room, call, done = (L.label(x) for x in ("la.chk", "la.room", "la.call", "la.done"))
    L.emit(f"br i1 {is_list}, label %{chk}, label %{call}")
    L.start(chk)
    size, spare = L.field(lst, abi.VAR_SIZE, "i64"), L.t()
    L.emit(f"{spare} = icmp slt i64 {size}, {L.field(lst, abi.LIST_ALLOCATED, 'i64')}")
    L.emit(f"br i1 {spare}, label %{room}, label %{call}")
    L.start(room)
    p, n, sp = L.t(), L.t(), L.t()
    L.emit(f"{p} = getelementptr ptr, ptr {L.field(lst, abi.LIST_ITEMS)}, i64 {size}")
    L.incref(v)
    L.emit(f"store ptr {v}, ptr {p}")
    L.emit(f"{n} = add i64 {size}, 1")
    L.emit(f"{sp} = getelementptr i8, ptr {lst}, i64 {abi.VAR_SIZE}")
    L.emit(f"store i64 {n}, ptr {sp}")
    L.emit(f"br label %{done}")
    L.start(call)
    L.check_neg(L.call("PyList_Append", lst, v), op)
    L.emit(f"br label %{done}")
    L.start(done)


def lo_set_add(L, op):
    L.check_neg(L.call("PySet_Add", L.v(op.args[0]), L.v(op.args[1])), op)


def lo_map_add(L, op):
    d, k, v = (L.v(a) for a in op.args)
    L.check_neg(L.call("PyDict_SetItem", d, k, v), op)


@contextlib.contextmanager
def _unless_helper(L, op, cond: str, name: str):
    """What the ``with`` block emits runs if ``cond`` (i1) holds; otherwise helper
    ``name`` runs with the op's operands."""
    native, slow, done = L.label("nat"), L.label("slow"), L.label("done")
    L.br_likely(cond, native, slow)
    L.start(native)
    yield
    L.emit(f"br label %{done}")
    L.start(slow)
    L.helper(op, name, [L.v(a) for a in op.args], result=False)
    L.emit(f"br label %{done}")
    L.start(done)


def lo_list_extend(L, op):
    """LIST_EXTEND ([*xs, 1], a list display of constants) into an exact list from an
    object with __iter__: _PyList_Extend, as the interpreter does (an error then needs
    no rewording); anything else through the helper."""
    lst, src = L.v(op.args[0]), L.v(op.args[1])
    ok = L.t()
    L.emit(f"{ok} = and i1 {_icmp(L, 'eq', L.type_of(lst), L.capi('PyList_Type'), 'ptr')}, "
           f"{_icmp(L, 'ne', L.field(L.type_of(src), abi.TYPE_ITER), 'null', 'ptr')}")
    with _unless_helper(L, op, ok, "list_extend"):
        none = L.call("_PyList_Extend", lst, src)
        L.check_null(none, op)
        L.decref(none)


def lo_set_update(L, op):
    """SET_UPDATE ({*xs, 1}, a set display of constants) into an exact set: _PySet_Update,
    as the interpreter does; into anything else (malformed code) through the helper."""
    s, src = L.v(op.args[0]), L.v(op.args[1])
    with _unless_helper(L, op, _icmp(L, "eq", L.type_of(s), L.capi("PySet_Type"), "ptr"),
                        "set_update"):
        L.check_neg(L.call("_PySet_Update", s, src), op)


def _dict_merge(override: int):
    """DICT_UPDATE ({**m}: override 1) and DICT_MERGE (a call's **m: 2, a key already
    there is a KeyError) as the interpreter does them: _PyDict_MergeEx (a SystemError if
    the target is no dict), its error worded by jit.merge_error as the interpreter
    words it."""
    def lower(L, op):
        d, m = L.v(op.args[0]), L.v(op.args[1])
        rc = L.call("_PyDict_MergeEx", d, m, str(override))
        bad, ok = L.label("dm.bad"), L.label("dm.ok")
        L.br_likely(_icmp(L, "sge", rc, "0", "i32"), ok, bad)
        L.start(bad)
        func, raiser = ((L.v(op.args[2]), helpers.kwargs_error) if override == 2
                        else ("null", helpers.raise_not_mapping))
        L.emit(f"call void @jit.merge_error(ptr {L.const(raiser)}, ptr {func}, ptr {m})")
        L.unwind(op)
        L.start(ok)
    return lower


def _helper_effect(name):
    def lower(L, op):
        L.helper(op, name, [L.v(a) for a in op.args], result=False)
    return lower


def lo_list_to_tuple(L, op):
    _capi_result(L, op, "PyList_AsTuple", L.v(op.args[0]))


def _unpack_from_tuple(L, op, tup):
    for i, res in enumerate(op.results):
        item = L.tuple_item(tup, i)
        L.emit(f"{L.v(res)} = bitcast ptr {item} to ptr")
        L.incref(item)
    L.decref(tup)


def lo_unpack_sequence(L, op):
    seq = L.v(op.args[0])
    n = op.attrs["count"]
    typ = L.type_of(seq)
    is_tuple, is_list = L.t(), L.t()
    L.emit(f"{is_tuple} = icmp eq ptr {typ}, {L.capi('PyTuple_Type')}")
    L.emit(f"{is_list} = icmp eq ptr {typ}, {L.capi('PyList_Type')}")
    size = L.field(seq, abi.VAR_SIZE, "i64")
    right = L.t()
    L.emit(f"{right} = icmp eq i64 {size}, {n}")
    t_ok, l_chk, l_ok, slow, join = (L.label(x) for x in ("ut", "ulc", "ul", "us", "uj"))
    c1 = L.t()
    L.emit(f"{c1} = and i1 {is_tuple}, {right}")
    L.emit(f"br i1 {c1}, label %{t_ok}, label %{l_chk}")
    L.start(t_ok)
    tvals = [L.tuple_item(seq, i) for i in range(n)]
    L.emit(f"br label %{join}")
    L.start(l_chk)
    c2 = L.t()
    L.emit(f"{c2} = and i1 {is_list}, {right}")
    L.emit(f"br i1 {c2}, label %{l_ok}, label %{slow}")
    L.start(l_ok)
    items = L.field(seq, abi.LIST_ITEMS)
    lvals = []
    for i in range(n):
        p = L.t()
        L.emit(f"{p} = getelementptr ptr, ptr {items}, i64 {i}")
        lvals.append(L.t())
        L.emit(f"{lvals[-1]} = load ptr, ptr {p}")
    L.emit(f"br label %{join}")
    L.start(slow)
    tup = L.helper(op, "unpack_sequence", [seq, L.pyint(n)])
    svals = [L.tuple_item(tup, i) for i in range(n)]
    for s in svals:
        L.incref(s)
    L.decref(tup)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    for i, res in enumerate(op.results):
        L.emit(f"{L.v(res)} = phi ptr [ {tvals[i]}, %{t_ok} ], [ {lvals[i]}, %{l_ok} ], "
               f"[ {svals[i]}, %{slow_end} ]")
    fast = L.t()
    L.emit(f"{fast} = phi i1 [ 1, %{t_ok} ], [ 1, %{l_ok} ], [ 0, %{slow_end} ]")
    inc, done = L.label("uinc"), L.label("udone")
    L.emit(f"br i1 {fast}, label %{inc}, label %{done}")
    L.start(inc)
    for res in op.results:
        L.incref(L.v(res))
    L.emit(f"br label %{done}")
    L.start(done)


def lo_unpack_ex(L, op):
    """UNPACK_EX (a, *b, c = seq). An exact tuple or list long enough: its first and last
    items, and a new list of those between (jit.unpack_rest); anything else, and the
    "not enough values" error, through the helper."""
    seq, before, after = L.v(op.args[0]), op.attrs["before"], op.attrs["after"]
    typ = L.type_of(seq)
    is_tuple = _icmp(L, "eq", typ, L.capi("PyTuple_Type"), "ptr")
    exact = L.t()
    L.emit(f"{exact} = or i1 {is_tuple}, {_icmp(L, 'eq', typ, L.capi('PyList_Type'), 'ptr')}")
    sized, made, pick, in_list, fast, slow, join = (L.label(x) for x in (
        "ux.size", "ux.made", "ux.pick", "ux.list", "ux.fast", "ux.slow", "ux.join"))
    L.br_likely(exact, sized, slow)
    L.start(sized)
    size = L.field(seq, abi.VAR_SIZE, "i64")
    L.br_likely(_icmp(L, "sge", size, str(before + after)), made, slow)
    L.start(made)
    # the new list first: its allocation may collect garbage, whose finalisers may
    # change the list (then the helper iterates it, as the interpreter does); the
    # items are read after it, with nothing allocated in between
    tail, n, rest = L.t(), L.t(), L.t()
    L.emit(f"{tail} = sub i64 {size}, {after}")
    L.emit(f"{n} = sub i64 {tail}, {before}")
    L.emit(f"{rest} = call ptr @jit.unpack_rest(ptr {seq}, i64 {before}, i64 {n}, i64 {size})")
    L.check_null(rest, op)
    L.emit(f"br i1 {_icmp(L, 'eq', rest, seq, 'ptr')}, label %{slow}, label %{pick}")
    L.start(pick)
    in_tuple = L.t()
    L.emit(f"{in_tuple} = getelementptr i8, ptr {seq}, i64 {abi.TUPLE_ITEMS}")
    L.emit(f"br i1 {is_tuple}, label %{fast}, label %{in_list}")
    L.start(in_list)
    in_list_items = L.field(seq, abi.LIST_ITEMS)
    L.emit(f"br label %{fast}")
    L.start(fast)
    items = L.t()
    L.emit(f"{items} = phi ptr [ {in_tuple}, %{pick} ], [ {in_list_items}, %{in_list} ]")
    at = [str(i) for i in range(before)]
    for j in range(after):
        at.append(L.t())
        L.emit(f"{at[-1]} = add i64 {tail}, {j}")
    fvals = []
    for i in at:
        p, v = L.t(), L.t()
        L.emit(f"{p} = getelementptr ptr, ptr {items}, i64 {i}")
        L.emit(f"{v} = load ptr, ptr {p}")
        L.incref(v)
        fvals.append(v)
    fvals.insert(before, rest)
    fast_end = L.cur
    L.emit(f"br label %{join}")
    L.start(slow)
    tup = L.helper(op, "unpack_ex", [seq, L.pyint(before), L.pyint(after)])
    svals = [L.tuple_item(tup, i) for i in range(len(op.results))]
    for v in svals:
        L.incref(v)
    L.decref(tup)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    for res, fv, sv in zip(op.results, fvals, svals):
        L.emit(f"{L.v(res)} = phi ptr [ {fv}, %{fast_end} ], [ {sv}, %{slow_end} ]")


def lo_format_value(L, op):
    v = L.v(op.args[0])
    conv = op.attrs["conversion"]
    if conv:
        fn = {1: "PyObject_Str", 2: "PyObject_Repr", 3: "PyObject_ASCII"}[conv]
        v2 = L.call(fn, v)
        L.check_null(v2, op)
    else:
        v2 = v
    spec = L.v(op.args[1]) if len(op.args) > 1 else L.const("")
    r = L.call("PyObject_Format", v2, spec, ret=L.v(op.result))
    if conv:
        L.decref(v2)
    L.check_null(r, op)


def lo_get_iter(L, op):
    _capi_result(L, op, "PyObject_GetIter", L.v(op.args[0]))


def lo_iter_next(L, op):
    iter_next(L, op, L.v(op.result))


def iter_next(L, op, r: str, it: str | None = None, extra=()):
    """FOR_ITER into ``r``: call tp_iternext directly; NULL without error (or
    StopIteration) means exhausted. (``it``: another iterator than the op's;
    ``extra``: references to release if it raises.)"""
    it = it or L.v(op.args[0])
    fn = L.field(L.type_of(it), abi.TYPE_ITERNEXT)
    L.require_nonnull(fn, op, "FOR_ITER on an object that is not an iterator")
    L.emit(f"{r} = call ptr {fn}(ptr {it})")
    isnull = L.t()
    L.emit(f"{isnull} = icmp eq ptr {r}, null")
    chk, ok, stop = L.label("itchk"), L.label("itok"), L.label("itstop")
    L.emit(f"br i1 {isnull}, label %{chk}, label %{ok}")
    L.start(chk)
    err = L.call("PyErr_Occurred")
    c = L.t()
    L.emit(f"{c} = icmp ne ptr {err}, null")
    L.emit(f"br i1 {c}, label %{stop}, label %{ok}")
    L.start(stop)
    stop_type = L.t()
    L.emit(f"{stop_type} = load ptr, ptr {L.capi('PyExc_StopIteration')}")
    m = L.call("PyErr_ExceptionMatches", stop_type)
    notstop = L.t()
    L.emit(f"{notstop} = icmp eq i32 {m}, 0")
    L.branch_fail(notstop, op, extra)
    L.call("PyErr_Clear")
    L.emit(f"br label %{ok}")
    L.start(ok)


BACKEDGE_PERIOD = 1024


def eval_breaker_address() -> list[str]:
    """%eb.p: the interpreter's eval_breaker flag (where its offsets are known,
    capi.TSTATE_INTERP; else loops count back-edges, see lo_check_signals). The
    symbol is bound at link time to the compiling interpreter's flag (capi.address):
    the code runs only in it, as the function objects it belongs to live there. A
    constant address is one load to poll, where ts->interp->flag was two in a row
    (a tenth of a recursive call's cost)."""
    return ["  %eb.p = getelementptr i8, ptr @jit_eval_breaker, i64 0"]


def poll_eval_breaker(flag: str, is_set: str) -> list[str]:
    return [f"  {flag} = load atomic i32, ptr %eb.p monotonic, align 4",
            f"  {is_set} = icmp ne i32 {flag}, 0"]


def _branch_if_breaker_set(L, tick: str, done: str):
    flag, due = L.t(), L.t()
    for line in poll_eval_breaker(flag, due):
        L.emit(line.strip())
    L.emit(f"br i1 {due}, label %{tick}, label %{done}, !prof !0")


def lo_check_signals(L, op):
    """Loop back-edge: when the interpreter's eval loop would (its eval breaker set:
    a signal, another thread wanting the GIL, a pending call), let other threads
    take the GIL and run signal handlers, as its JUMP_BACKWARD does. Without the
    flag's address, every BACKEDGE_PERIOD iterations."""
    tick, done = L.label("tick"), L.label("notick")
    if capi.TSTATE_INTERP is not None:
        _branch_if_breaker_set(L, tick, done)
        L.start(tick)
    else:
        n = L.t()
        L.emit(f"{n} = load i32, ptr %backedges")
        n1 = L.t()
        L.emit(f"{n1} = sub i32 {n}, 1")
        L.emit(f"store i32 {n1}, ptr %backedges")
        due = L.t()
        L.emit(f"{due} = icmp eq i32 {n1}, 0")
        L.emit(f"br i1 {due}, label %{tick}, label %{done}, !prof !0")
        L.start(tick)
        L.emit(f"store i32 {BACKEDGE_PERIOD}, ptr %backedges")
    rc = L.t()
    L.emit(f"{rc} = call i32 @jit.tick()")
    L.check_neg(rc, op)
    # other threads and signal handlers ran: the globals hoisted out of this loop
    # (hoist.py) are checked again
    for v in op.attrs.get("revalidate", ()):
        g = L.producer(v)
        (_check_module_attr_expected if g.kind == "getattr" else _check_global_expected)(L, g, op)
    if op.attrs.get("revalidate_depth"):     # (a handler may have lowered the limit)
        L.deopt_if(recursion_headroom_lacking(L), op)
    L.emit(f"br label %{done}")
    L.start(done)


def recursion_headroom_lacking(L) -> str:
    """i1: is this thread within one call of the recursion limit?"""
    p, rc = L.t(), L.t()
    L.emit(f"{p} = getelementptr i8, ptr %ts, i64 {capi.RECURSION_COUNTER}")
    L.emit(f"{rc} = load i32, ptr {p}")
    c = L.t()
    L.emit(f"{c} = icmp sle i32 {rc}, 1")
    return c


def lo_guard_depth(L, op):
    """A quiet loop's inlined leaf calls each need one call's headroom below the
    recursion limit, which nothing in the loop can change: checked once before it
    (hoist.py); without it the interpreter runs the loop (and raises RecursionError
    at the call)."""
    L.deopt_if(recursion_headroom_lacking(L), op)


def lo_push_exc_info(L, op):
    L.require_exception(L.v(op.args[0]), op)
    prev = L.call("PyErr_GetHandledException")
    r = L.v(op.result)
    isnull = L.t()
    L.emit(f"{isnull} = icmp eq ptr {prev}, null")
    L.emit(f"{r} = select i1 {isnull}, ptr {L.none()}, ptr {prev}")
    inc, done = L.label("pinc"), L.label("pdone")
    L.emit(f"br i1 {isnull}, label %{inc}, label %{done}")
    L.start(inc)
    L.incref(L.none())
    L.emit(f"br label %{done}")
    L.start(done)
    L.call("PyErr_SetHandledException", L.v(op.args[0]))


def lo_pop_except(L, op):
    prev = L.v(op.args[0])
    isnone = L.t()
    L.emit(f"{isnone} = icmp eq ptr {prev}, {L.none()}")
    ok, chk = L.label("popok"), L.label("popchk")
    L.emit(f"br i1 {isnone}, label %{ok}, label %{chk}")
    L.start(chk)
    L.require_exception(prev, op)
    L.emit(f"br label %{ok}")
    L.start(ok)
    L.call("PyErr_SetHandledException", L.v(op.args[0]))


def _has_flag(L, flags: str, flag: int, pred="ne") -> str:
    """i1: ``flag`` is set in ``flags`` (pred "eq": is clear)."""
    bit, r = L.t(), L.t()
    L.emit(f"{bit} = and i64 {flags}, {flag}")
    L.emit(f"{r} = icmp {pred} i64 {bit}, 0")
    return r


def _is_exception_class(L, obj: str, yes: str, no: str):
    """Branch to ``yes`` if ``obj`` is a class deriving from BaseException."""
    chk = L.label("exc.cls")
    L.emit(f"br i1 {_has_flag(L, L.type_flags(L.type_of(obj)), abi.TPFLAGS_TYPE_SUBCLASS)}, "
           f"label %{chk}, label %{no}")
    L.start(chk)
    L.emit(f"br i1 {_has_flag(L, L.type_flags(obj), abi.TPFLAGS_BASE_EXC_SUBCLASS)}, "
           f"label %{yes}, label %{no}")


def lo_check_exc_match(L, op):
    """``except T``: jit.exc_match matches as the interpreter does, natively; a T
    that is neither an exception class nor a tuple of them raises its TypeError."""
    exc, typ = L.v(op.args[0]), L.v(op.args[1])
    m = L.t()
    L.emit(f"{m} = call i32 @jit.exc_match(ptr {exc}, ptr {typ})")
    L.raise_if(_icmp(L, "slt", m, "0", "i32"), op, "raise_type_error",
               [L.const(helpers.CANNOT_CATCH)])
    r = L.v(op.result)
    L.emit(f"{r} = select i1 {_icmp(L, 'ne', m, '0', 'i32')}, "
           f"ptr {L.capi('_Py_TrueStruct')}, ptr {L.capi('_Py_FalseStruct')}")
    L.incref(r)


def _helper_pair(name):
    def lower(L, op):
        tup = L.helper(op, name, [L.v(a) for a in op.args])
        _unpack_from_tuple(L, op, tup)
    return lower


def _helper_value(name, extra=()):
    def lower(L, op):
        args = [L.v(a) for a in op.args] + [getattr(L, e)(op) for e in extra]
        r = L.helper(op, name, args)
        L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")
    return lower


def lo_check_eg_match(L, op):
    _helper_pair("check_eg_match")(L, op)
    match = L.v(op.results[1])
    c = L.t()
    L.emit(f"{c} = icmp ne ptr {match}, {L.none()}")
    yes, done = L.label("egm"), L.label("egdone")
    L.emit(f"br i1 {c}, label %{yes}, label %{done}")
    L.start(yes)
    L.call("PyErr_SetHandledException", match)   # a bare raise in except* re-raises the match
    L.emit(f"br label %{done}")
    L.start(done)


def lo_with_lookup(L, op):
    """BEFORE_WITH's lookups, as the interpreter's: __enter__, then __exit__, each a
    special method (on the type, bound through its __get__); (__exit__, __enter__)."""
    mgr = L.v(op.args[0])
    enter = _special_method(L, op, mgr, "__enter__", [])
    exit_fn = _special_method(L, op, mgr, "__exit__", [enter])
    L.emit(f"{L.v(op.results[0])} = bitcast ptr {exit_fn} to ptr")
    L.emit(f"{L.v(op.results[1])} = bitcast ptr {enter} to ptr")


def _special_method(L, op, mgr: str, name: str, extra: list[str]) -> str:
    """_PyObject_LookupSpecial(mgr, name) (a new reference; NULL with no exception
    when absent: then the interpreter's TypeError). ``name`` is a literal of this
    module, so interned, as the type's method cache wants. On failure ``extra``
    is released."""
    r = L.call("_PyObject_LookupSpecial", mgr, L.const(name))
    found, missing = L.label("sm.found"), L.label("sm.missing")
    L.br_likely(_icmp(L, "ne", r, "null", "ptr"), found, missing)
    L.start(missing)
    raised = _icmp(L, "ne", L.call("PyErr_Occurred"), "null", "ptr")
    L.branch_fail(raised, op, extra)     # (a descriptor's __get__ raised)
    for val in extra:
        L.decref(val, cold=True)
    L.helper(op, "raise_no_context_manager", [mgr, L.const(name == "__exit__")])
    L.emit("unreachable")
    L.start(found)
    return r


def lo_call_noargs(L, op):
    r = L.call("PyObject_CallNoArgs", L.v(op.args[0]), ret=L.v(op.result))
    L.check_null(r, op)


def lo_with_except_start(L, op):
    exit_fn, exc = L.v(op.args[0]), L.v(op.args[1])
    L.require_exception(exc, op)
    tb = L.call("PyException_GetTraceback", exc)
    tbo = L.or_none(tb)
    arr = L.array([L.type_of(exc), exc, tbo])
    r = L.call("PyObject_Vectorcall", exit_fn, arr, "3", "null", ret=L.v(op.result))
    L.xdecref(tb)
    L.check_null(r, op)


def lo_load_build_class(L, op):
    r = L.helper(op, "load_build_class", ["%builtins"])
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")


def lo_setup_annotations(L, op):
    L.helper(op, "setup_annotations", [L.or_none("%locals")], result=False)


def lo_import_name(L, op):
    level, fromlist = (L.v(a) for a in op.args)
    r = L.helper(op, "import_name", [L.const(op.attrs["name"]), fromlist, level, "%globals",
                                     L.or_none("%locals"), "%builtins"])
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")


def lo_import_from(L, op):
    r = L.helper(op, "import_from", [L.v(op.args[0]), L.const(op.attrs["name"])])
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")


def lo_import_star(L, op):
    L.helper(op, "import_star", [L.v(op.args[0]), L.or_none("%locals")], result=False)


def lo_match_class(L, op):
    args = [L.v(a) for a in op.args] + [L.pyint(op.attrs["count"])]
    r = L.helper(op, "match_class", args)
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")


def _match_flag(flag):
    def lower(L, op):
        flags = L.type_flags(L.type_of(L.v(op.args[0])))
        m = L.t()
        L.emit(f"{m} = and i64 {flags}, {flag}")
        L.emit(f"{L.v(op.result)} = icmp ne i64 {m}, 0")
    return lower


def lo_get_len(L, op):
    n = L.call("PyObject_Size", L.v(op.args[0]))
    L.check_neg(n, op, width="i64")
    _capi_result(L, op, "PyLong_FromSsize_t", n)


# ---- terminators ---------------------------------------------------------------

def lo_br(L, op):
    (target, args), = op.targets
    L.emit(f"br {L.jump(target, args)}")


def lo_cbr(L, op):
    (t, targs), (f, fargs) = op.targets
    L.emit(f"br i1 {L.v(op.args[0])}, {L.jump(t, targs)}, {L.jump(f, fargs)}")


def lo_br_if_null(L, op):
    (t, targs), (f, fargs) = op.targets
    c = L.t()
    L.emit(f"{c} = icmp eq ptr {L.v(op.args[0])}, null")
    L.emit(f"br i1 {c}, {L.jump(t, targs)}, {L.jump(f, fargs)}")


RAW_KIND = {I64: 1, F64: 2}


def raw_code(types: list, items: bool) -> int:
    """The word a direct caller puts in %out[0] to ask for an unboxed result: the
    value's kind, or for a tuple handed over item by item its length and kinds."""
    if not items:
        return RAW_KIND[types[0]]
    return 0x1000 | (len(types) << 8) | sum(1 << i for i, t in enumerate(types) if t == F64)


def lo_ret_raw(L, op):
    """Return unboxed values (one, or a tuple's items): raw to a direct caller that
    asked for exactly these (the first word of %out), boxed to anyone else."""
    vals = op.args
    raw, boxed = L.label("ret.raw"), L.label("ret.boxed")
    want = L.t()
    L.emit(f"{want} = icmp ne ptr %out, null")
    chk = L.label("ret.chk")
    L.emit(f"br i1 {want}, label %{chk}, label %{boxed}")
    L.start(chk)
    k, same = L.t(), L.t()
    L.emit(f"{k} = load i64, ptr %out")
    items = op.attrs.get("items", False)
    L.emit(f"{same} = icmp eq i64 {k}, {raw_code([v.type for v in vals], items)}")
    L.emit(f"br i1 {same}, label %{raw}, label %{boxed}")
    L.start(raw)
    for i, v in enumerate(vals):
        p = L.t()
        L.emit(f"{p} = getelementptr i64, ptr %out, i64 {i + 1}")
        L.emit(f"store {LLTYPE[v.type]} {L.v(v)}, ptr {p}")
    _return(L, L.capi("jit_raw_marker"))
    L.start(boxed)
    if not items:
        r = L.box_value(vals[0])
        L.check_null_exit(r)
        _return(L, r)
        return
    if "const_index" in op.attrs:      # a constant tuple: the constant itself
        r = L.const(L.fn.consts[op.attrs["const_index"]])
        L.incref(r)
        _return(L, r)
        return
    items = []
    for v in vals:
        items.append(L.box_value(v))
        _release_on_null(L, items)
    t = L.call("PyTuple_New", str(len(items)))
    _release_on_null(L, [t] + items)
    for i, item in enumerate(items):
        p = L.t()
        L.emit(f"{p} = getelementptr i8, ptr {t}, i64 {abi.TUPLE_ITEMS + 8 * i}")
        L.emit(f"store ptr {item}, ptr {p}")
    _return(L, t)


def _release_on_null(L, vals: list[str]):
    """Out of memory if vals[-1] is NULL: release the others and leave with it."""
    z, bad, ok = L.t(), L.label("oom"), L.label("boxed")
    L.emit(f"{z} = icmp eq ptr {vals[-1]}, null")
    L.emit(f"br i1 {z}, label %{bad}, label %{ok}, !prof !0")
    L.start(bad)
    for v in vals[:-1]:
        L.decref(v, cold=True)
    L.emit("br label %error_exit")
    L.start(ok)


def _return(L, val):
    L.lines.extend(L._cleanup_locals())
    L.lines.extend(leave_recursion(next(L.tmp), L.counts_depth))
    L.emit(f"ret ptr {val}")


def lo_ret(L, op):
    L.lines.extend(L._cleanup_locals())
    L.lines.extend(leave_recursion(next(L.tmp), L.counts_depth))
    L.emit(f"ret ptr {L.v(op.args[0])}")


def lo_reraise(L, op):
    exc = L.v(op.args[0])
    L.require_exception(exc, op)
    typ = L.type_of(exc)
    L.incref(typ)
    tb = L.call("PyException_GetTraceback", exc)
    L.call("PyErr_Restore", typ, exc, tb)
    L.unwind(op)


def lo_raise(L, op):
    if not op.args:
        cur = L.call("PyErr_GetHandledException")
        c = L.t()
        L.emit(f"{c} = icmp eq ptr {cur}, null")
        none_l, have_l = L.label("noexc"), L.label("haveexc")
        L.emit(f"br i1 {c}, label %{none_l}, label %{have_l}")
        L.start(have_l)
        typ = L.type_of(cur)
        L.incref(typ)
        tb = L.call("PyException_GetTraceback", cur)
        L.call("PyErr_Restore", typ, cur, tb)
        L.unwind(op, traceback=False)
        L.start(none_l)
        exc = L.const(helpers.raise_no_active_exception)
        arr = L.array([])
        r = L.call("PyObject_Vectorcall", exc, arr, "0", "null")
        L.xdecref(r)
        L.emit("call void @jit.strip_tb()")
        L.unwind(op, traceback=True)
        return
    # RAISE_VARARGS as the interpreter's do_raise: an exception instance is raised
    # as it is; an exception class is called (pending as that class, which
    # normalising checks against the result); bad operands raise TypeError
    exc = L.v(op.args[0])
    operands = [L.v(a) for a in op.args]
    cls, not_cls, have = L.label("rz.cls"), L.label("rz.notcls"), L.label("rz.have")
    _is_exception_class(L, exc, cls, not_cls)
    L.start(not_cls)
    not_inst = _has_flag(L, L.type_flags(L.type_of(exc)), abi.TPFLAGS_BASE_EXC_SUBCLASS, "eq")
    L.raise_if(not_inst, op, "raise_type_error",
               [L.const("exceptions must derive from BaseException")], extra=operands)
    L.incref(exc)
    inst_type, inst_end = L.type_of(exc), L.cur
    L.emit(f"br label %{have}")
    L.start(cls)
    made = L.call("PyObject_CallNoArgs", exc)
    L.check_null(made, op, extra=operands)
    not_inst = _has_flag(L, L.type_flags(L.type_of(made)), abi.TPFLAGS_BASE_EXC_SUBCLASS, "eq")
    L.raise_if(not_inst, op, "raise_bad_exception_call", [exc, made], after=[made, *operands])
    made_end = L.cur
    L.emit(f"br label %{have}")
    L.start(have)
    val, typ = L.t(), L.t()
    L.emit(f"{val} = phi ptr [ {exc}, %{inst_end} ], [ {made}, %{made_end} ]")
    L.emit(f"{typ} = phi ptr [ {inst_type}, %{inst_end} ], [ {exc}, %{made_end} ]")
    if len(op.args) > 1:
        L.call("PyException_SetCause", val, _raise_cause(L, op, val, operands))
    L.call("PyErr_SetObject", typ, val)
    L.decref(val)
    for a in operands:
        L.decref(a)
    L.unwind(op)


def _raise_cause(L, op, val, operands) -> str:
    """``raise val from cause``: a new reference to the cause to set (NULL for None),
    as do_raise fixes it: an exception class is called (its result unchecked), an
    instance is taken as it is, anything else raises TypeError."""
    cause = operands[1]
    not_none, cls, not_cls, join = (L.label("rc.some"), L.label("rc.cls"), L.label("rc.notcls"),
                                    L.label("rc.join"))
    entry = L.cur
    L.emit(f"br i1 {_icmp(L, 'eq', cause, L.none(), 'ptr')}, label %{join}, label %{not_none}")
    L.start(not_none)
    _is_exception_class(L, cause, cls, not_cls)
    L.start(cls)
    made = L.call("PyObject_CallNoArgs", cause)
    L.check_null(made, op, extra=[val, *operands])
    made_end = L.cur
    L.emit(f"br label %{join}")
    L.start(not_cls)
    not_inst = _has_flag(L, L.type_flags(L.type_of(cause)), abi.TPFLAGS_BASE_EXC_SUBCLASS, "eq")
    L.raise_if(not_inst, op, "raise_type_error",
               [L.const("exception causes must derive from BaseException")],
               after=[val, *operands])
    L.incref(cause)
    inst_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    fixed = L.t()
    L.emit(f"{fixed} = phi ptr [ null, %{entry} ], [ {made}, %{made_end} ], "
           f"[ {cause}, %{inst_end} ]")
    return fixed


LOWER = {
    "prologue": lo_prologue, "null": lo_null, "const": lo_const, "incref": lo_incref,
    "decref": lo_decref, "bool_box": lo_bool_box,
    "load_local": lo_load_local, "store_local": lo_store_local, "delete_local": lo_delete_local,
    "make_cell": lo_make_cell, "load_deref": lo_load_deref, "load_closure": lo_load_closure, "store_deref": lo_store_deref,
    "delete_deref": lo_delete_deref, "load_classderef": lo_load_classderef,
    "copy_free_vars": lo_copy_free_vars,
    "load_global": lo_load_global, "store_global": lo_store_global,
    "delete_global": lo_delete_global, "load_name": lo_load_name, "store_name": lo_store_name,
    "delete_name": lo_delete_name,
    "binop": lo_binop, "unary": lo_unary, "compare": lo_compare, "truth": lo_truth,
    "is": lo_is, "is_none": lo_is_none, "contains": lo_contains,
    "getitem": lo_getitem, "setitem": lo_setitem, "delitem": lo_delitem,
    "build_slice": lo_build_slice, "getattr": lo_getattr, "setattr": lo_setattr,
    "setattr_float": lo_setattr_float,
    "delattr": lo_delattr, "load_method": lo_load_method,
    "call": lo_call, "call_ex": lo_call_ex, "make_function": lo_make_function,
    "fold_call": lo_fold_call,
    "build_tuple": lo_build_tuple, "build_list": lo_build_list, "build_set": lo_build_set,
    "build_map": lo_build_map, "build_const_key_map": lo_build_const_key_map,
    "build_string": lo_build_string, "list_append": lo_list_append, "set_add": lo_set_add,
    "map_add": lo_map_add, "list_extend": lo_list_extend, "set_update": lo_set_update,
    "dict_update": _dict_merge(1), "dict_merge": _dict_merge(2), "list_to_tuple": lo_list_to_tuple,
    "unpack_sequence": lo_unpack_sequence, "unpack_ex": lo_unpack_ex,
    "format_value": lo_format_value, "get_iter": lo_get_iter, "iter_next": lo_iter_next,
    "check_signals": lo_check_signals, "guard_depth": lo_guard_depth,
    "push_exc_info": lo_push_exc_info,
    "pop_except": lo_pop_except, "check_exc_match": lo_check_exc_match,
    "with_lookup": lo_with_lookup, "call_noargs": lo_call_noargs,
    "with_except_start": lo_with_except_start,
    "check_eg_match": lo_check_eg_match,
    "prep_reraise_star": _helper_value("prep_reraise_star"),
    "load_build_class": lo_load_build_class, "setup_annotations": lo_setup_annotations,
    "import_name": lo_import_name, "import_from": lo_import_from,
    "import_star": lo_import_star, "print_expr": _helper_effect("print_expr"),
    "match_class": lo_match_class, "match_keys": _helper_value("match_keys"),
    "match_mapping": _match_flag(abi.TPFLAGS_MAPPING),
    "match_sequence": _match_flag(abi.TPFLAGS_SEQUENCE), "get_len": lo_get_len,
    "br": lo_br, "cbr": lo_cbr, "br_if_null": lo_br_if_null, "ret": lo_ret, "ret_raw": lo_ret_raw,
    "reraise": lo_reraise, "raise": lo_raise,
}


from .dispatch import arg_param_site  # noqa: E402
from .lower_typed import (TYPED_LOWER, TYPED_PRELUDE, _and, _bin, _gep, _icmp, _not,  # noqa: E402
                          _select, deopt_null,
                          store_float_in_place, store_stride, float_literal, unbox_int_inline)
LOWER.update(TYPED_LOWER)
