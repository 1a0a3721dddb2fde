"""ssa: abstract interpretation of the operand stack -> typed SSA IR.

Each bytecode block becomes an IR block whose parameters are the stack slots
live on entry; each instruction pops/pushes SSA values. Locals live in frame
slots (load_local/store_local), which LLVM promotes to registers. Every op
that can raise gets an Unwind built from the exception table: the handler
block, the stack prefix it keeps (its depth) and the values that die.

One handler per neutral opcode, in the HANDLERS table at the bottom.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins

from . import ir
from .bound import drop_bound_checks
from .cfg import CFG, build_cfg
from .errors import CompileError, UnsupportedError
from .frontend import FOLD_KINDS, decode, fold_genexpr
from .frontend.neutral import Instr
from .ir import BOOL, NOBJ, OBJ

CO_VARARGS, CO_VARKEYWORDS = 0x04, 0x08


# Ops that may take a NULL (PUSH_NULL / LOAD_METHOD) slot, by operand position.
NULLABLE_OPERANDS = {"call": (0,), "fold_call": (0,), "decref": (0,), "incref": (0,),
                     "store_local": (0,)}
# Larger counts are legal but pathological; leave them to the interpreter.
MAX_ITEMS = 1 << 14


class Builder:
    def __init__(self, cfg: CFG, name: str):
        self.cfg = cfg
        self.bc = cfg.bytecode
        code = self.bc.code
        self.code = code
        names = list(code.co_varnames) + [c for c in code.co_cellvars if c not in code.co_varnames]
        names += list(code.co_freevars)
        self.local_names = names
        self.fn = ir.Function(name, code, len(names), names)
        self.blocks: dict[int, ir.Block] = {}
        self.depths: dict[int, int] = {}
        self.worklist: list[int] = []
        self.block: ir.Block | None = None
        self.stack: list[ir.Value] = []
        self.state: tuple | None = None
        self.ins: Instr | None = None
        self.lowered_opnames: set[str] = set()
        instrs = self.bc.instrs
        self.next_start = {a.start: b.start for a, b in zip(instrs, instrs[1:])}
        self.fn.next_offset = {a.offset: b.start for a, b in zip(instrs, instrs[1:])}
        self.const_values: dict[int, object] = {}   # SSA id -> constant, for checks
        self.global_names: dict[int, str] = {}      # SSA id -> global/name it was loaded from
        self.made_functions: dict[int, object] = {}  # SSA id -> code of a MAKE_FUNCTION result
        self.genexprs: dict[int, tuple] = {}   # SSA id of a generator made -> (block, op index, code)
        self.null_values: set[int] = set()           # SSA ids of PUSH_NULL's NULLs
        self.build_class_values: set[int] = set()    # SSA ids of LOAD_BUILD_CLASS results
        self.cell_slots = {i for i, n in enumerate(names) if n in code.co_cellvars}
        self.deleted = {ins.arg for ins in self.bc.instrs if ins.op == "DELETE_FAST"}
        self.nparams = (code.co_argcount + code.co_kwonlyargcount
                        + bool(code.co_flags & CO_VARARGS) + bool(code.co_flags & CO_VARKEYWORDS))

    # ---- blocks and edges -------------------------------------------------
    def block_for(self, offset: int, incoming: list[ir.Value], handler=False) -> ir.Block:
        blk = self.blocks.get(offset)
        if blk is None:
            blk = self.blocks[offset] = self.fn.new_block(f"b{offset}", offset)
            self.depths[offset] = len(incoming)
            for v in incoming:
                self.fn.new_param(blk, v.type if v.type != BOOL else OBJ)
            self.worklist.append(offset)
            if handler:
                self.fn.handler_blocks.add(blk)
        elif self.depths[offset] != len(incoming):
            raise CompileError(f"{self.code.co_qualname}: inconsistent stack depth at offset "
                               f"{offset}: {self.depths[offset]} and {len(incoming)}")
        for p, v in zip(blk.params, incoming):
            if v.type == NOBJ:
                p.type = NOBJ
        return blk

    def edge(self, offset: int | None, stack: list[ir.Value]):
        if offset is None:
            raise CompileError(f"{self.code.co_qualname}: control falls off the end of the bytecode")
        return (self.block_for(offset, stack), list(stack))

    # ---- emitting ---------------------------------------------------------
    def unwind(self, traceback=True) -> ir.Unwind:
        entry = self.bc.handler_for(self.ins.offset) if self.ins else None
        stack = self.stack
        if entry is None:
            return ir.Unwind(None, [], list(stack), offset=self._offset(), traceback=traceback)
        if entry.depth > len(stack):
            raise CompileError(f"{self.code.co_qualname}: exception handler at {entry.target} "
                               f"expects stack depth {entry.depth}, but only {len(stack)} values "
                               f"are on the stack at offset {self.ins.offset}")
        keep = stack[:entry.depth]
        marker = list(keep) + ([ir.Value(OBJ)] if entry.lasti else []) + [ir.Value(OBJ)]
        handler = self.block_for(entry.target, marker, handler=True)
        return ir.Unwind(handler, keep, stack[entry.depth:], entry.lasti, traceback,
                         self._offset())

    def _offset(self):
        return self.ins.offset if self.ins else -1

    def emit(self, kind, args=(), results=(OBJ,), can_fail=True, unwind=None, **attrs) -> ir.Op:
        nullable_ok = NULLABLE_OPERANDS.get(kind, ())
        for i, a in enumerate(args):
            if a.type == NOBJ and i not in nullable_ok:
                raise CompileError(f"{self.code.co_qualname}: {self.ins.opname} at offset "
                                   f"{self.ins.offset} uses a NULL stack slot as an operand")
        op = ir.Op(kind, list(args), [self.fn.new_value(t) for t in results], attrs,
                   offset=self._offset(), state=self.state)
        if can_fail:
            op.unwind = unwind or self.unwind()
        self.block.ops.append(op)
        return op

    def value(self, kind, args=(), can_fail=True, type_=OBJ, **attrs) -> ir.Value:
        return self.emit(kind, args, (type_,), can_fail, **attrs).result

    def effect(self, kind, args=(), can_fail=True, **attrs) -> ir.Op:
        return self.emit(kind, args, (), can_fail, **attrs)

    def terminate(self, kind, args=(), targets=(), unwind=None, **attrs):
        op = ir.Op(kind, list(args), [], attrs, unwind=unwind, offset=self._offset(),
                   targets=list(targets))
        self.block.ops.append(op)
        self.block = None

    def decref(self, v: ir.Value):
        if v.type != BOOL:
            self.effect("decref", [v], can_fail=False)

    # ---- stack ------------------------------------------------------------
    def push(self, v):
        self.stack.append(v)

    def pop(self) -> ir.Value:
        if not self.stack:
            raise CompileError(f"{self.code.co_qualname}: stack underflow at offset "
                               f"{self.ins.offset} ({self.ins.opname})")
        return self.stack.pop()

    def pop_object(self) -> ir.Value:
        """Pop a value that must not be a NULL slot (for terminators)."""
        v = self.pop()
        if v.type == NOBJ:
            raise CompileError(f"{self.code.co_qualname}: {self.ins.opname} at offset "
                               f"{self.ins.offset} uses a NULL stack slot as an operand")
        return v

    def peek(self, n: int) -> list[ir.Value]:
        """The top ``n`` values, deepest first."""
        if n > len(self.stack):
            raise CompileError(f"{self.code.co_qualname}: stack underflow at offset "
                               f"{self.ins.offset} ({self.ins.opname})")
        return self.stack[len(self.stack) - n:] if n else []

    def at(self, depth: int) -> ir.Value:
        """Stack item ``depth`` from the top (1 = TOS)."""
        if depth > len(self.stack) or depth < 1:
            raise CompileError(f"{self.code.co_qualname}: stack underflow at offset "
                               f"{self.ins.offset} ({self.ins.opname})")
        return self.stack[-depth]

    def drop(self, n: int):
        """Pop n values and release them deepest first, as the interpreter does (a
        call's callable then its arguments in order; BINARY_OP's left operand, then
        its right; STORE_SUBSCR's value, container, key): the order __del__ runs."""
        popped = [self.pop() for _ in range(n)]
        for v in reversed(popped):
            self.decref(v)

    def box(self, v: ir.Value) -> ir.Value:
        return self.value("bool_box", [v], can_fail=False) if v.type == BOOL else v

    # ---- driver -----------------------------------------------------------
    def build(self) -> ir.Function:
        first = next(iter(self.cfg.blocks))
        entry = self.fn.new_block("entry")
        self.block = entry
        self.effect("prologue", can_fail=False, nparams=self.nparams)
        self.terminate("br", targets=[self.edge(first, [])])
        while self.worklist:
            offset = self.worklist.pop()
            self.build_block(offset)
        order = {b: i for i, b in enumerate(self.cfg.blocks)}
        self.fn.blocks.sort(key=lambda b: -1 if b.offset is None and b.label == "entry"
                            else order.get(b.offset, 0) + (0.5 if b.offset is None else 0))
        for blk in self.fn.blocks:
            for op in blk.ops:
                for target, _ in op.targets:
                    target.preds.append(blk)
        ir.verify(self.fn)
        return self.fn

    def build_block(self, offset: int):
        bb = self.cfg.blocks[offset]
        self.block = self.blocks[offset]
        self.stack = list(self.block.params)
        nops_from = None   # a run of NOPs (KW_NAMES, PRECALL) before ins: resume there
        for ins in bb.instrs:
            self.ins = ins
            self.state = (ins.start if nops_from is None else nops_from, list(self.stack))
            nops_from = (ins.start if nops_from is None else nops_from) if ins.op == "NOP" else None
            handler = HANDLERS.get(ins.op)
            if handler is None:
                raise UnsupportedError(f"{self.code.co_qualname}: opcode {ins.opname} "
                                       f"(line {ins.line}) is not supported",
                                       opcode=ins.opname, lineno=ins.line)
            self.lowered_opnames.add(ins.opname)
            handler(self, ins)
            if self.block is None:  # the instruction ended the block
                if ins is not bb.instrs[-1]:
                    raise CompileError(f"{self.code.co_qualname}: unreachable code after "
                                       f"{ins.opname} at offset {ins.offset}")
                return
        self.ins = bb.instrs[-1]
        self.terminate("br", targets=[self.edge(bb.succs[0], self.stack)])

    def synthetic(self, label: str) -> ir.Block:
        return self.fn.new_block(f"{label}{len(self.fn.blocks)}")


# ---- instruction handlers ---------------------------------------------------

def h_nop(b, ins):
    pass


def h_pop_top(b, ins):
    b.drop(1)


def h_push_null(b, ins):
    v = b.value("null", can_fail=False, type_=NOBJ)
    b.null_values.add(v.id)
    b.push(v)


def h_copy(b, ins):
    v = b.at(ins.arg)
    b.effect("incref", [v], can_fail=False)
    b.push(v)


def h_swap(b, ins):
    top = b.at(1)
    b.at(ins.arg)
    b.stack[-1], b.stack[-ins.arg] = b.stack[-ins.arg], top


def h_load_const(b, ins):
    v = b.value("const", can_fail=False, index=b.fn.const_index(ins.argval), repr=ins.argval)
    b.const_values[v.id] = ins.argval
    b.push(v)


def h_return_value(b, ins):
    v = b.pop_object()
    b.drop(len(b.stack))
    b.terminate("ret", [v])


# locals, cells and names

def _check_slot(b, ins, cell: bool):
    name = b.local_names[ins.arg]
    is_cell = name in b.code.co_cellvars or name in b.code.co_freevars
    if ins.arg >= len(b.code.co_varnames) and not is_cell or is_cell != cell and \
            not (not cell and ins.op == "LOAD_CLOSURE"):
        kind = "cell" if cell else "plain local"
        raise CompileError(f"{b.code.co_qualname}: {ins.opname} at offset {ins.offset} uses "
                           f"slot {ins.arg} ({name!r}) as a {kind}")


def h_load_fast(b, ins):
    _check_slot(b, ins, cell=False)
    maybe_unbound = ins.arg >= b.code.co_argcount + b.code.co_kwonlyargcount + \
        bool(b.code.co_flags & CO_VARARGS) + bool(b.code.co_flags & CO_VARKEYWORDS) \
        or ins.arg in b.deleted
    b.push(b.value("load_local", can_fail=maybe_unbound, slot=ins.arg, name=ins.argval))


def h_store_fast(b, ins):
    _check_slot(b, ins, cell=False)
    v = b.pop()
    if v.type == NOBJ:
        raise CompileError(f"{b.code.co_qualname}: STORE_FAST of a NULL stack slot at offset "
                           f"{ins.offset}")
    b.effect("store_local", [v], can_fail=False, slot=ins.arg)


def h_delete_fast(b, ins):
    _check_slot(b, ins, cell=False)
    b.effect("delete_local", slot=ins.arg, name=ins.argval)


def h_make_cell(b, ins):
    _check_slot(b, ins, cell=True)
    b.effect("make_cell", slot=ins.arg)


def h_load_closure(b, ins):
    _check_slot(b, ins, cell=True)
    b.push(b.value("load_closure", slot=ins.arg, name=ins.argval))


def h_load_deref(b, ins):
    _check_slot(b, ins, cell=True)
    b.push(b.value("load_deref", slot=ins.arg, name=ins.argval,
                   free=ins.argval in b.code.co_freevars))


def h_store_deref(b, ins):
    _check_slot(b, ins, cell=True)
    v = b.at(1)
    b.effect("store_deref", [v], slot=ins.arg, name=ins.argval)
    b.drop(1)


def h_delete_deref(b, ins):
    _check_slot(b, ins, cell=True)
    b.effect("delete_deref", slot=ins.arg, name=ins.argval,
             free=ins.argval in b.code.co_freevars)


def h_load_classderef(b, ins):
    _check_slot(b, ins, cell=True)
    b.push(b.value("load_classderef", slot=ins.arg, name=ins.argval))


def h_copy_free_vars(b, ins):
    n = ins.arg
    b.effect("copy_free_vars", first=b.fn.nlocals - n, count=n)


def h_load_global(b, ins):
    if ins.extra.get("push_null"):
        h_push_null(b, ins)
    v = b.value("load_global", name=ins.argval, name_index=b.fn.const_index(ins.argval))
    b.global_names[v.id] = ins.argval
    b.push(v)


# name -> number of positional arguments for which the call reads the caller's frame
FRAME_BUILTINS = {"globals": 0, "locals": 0, "vars": 0, "dir": 0, "super": 0, "eval": 1,
                  "exec": 1}


def _name_op(kind, nargs, result):
    def handler(b, ins):
        args = b.peek(nargs)
        idx = b.fn.const_index(ins.argval)
        if result:
            v = b.value(kind, args, name=ins.argval, name_index=idx)
            b.global_names[v.id] = ins.argval
        else:
            b.effect(kind, args, name=ins.argval, name_index=idx)
        b.drop(nargs)
        if result:
            b.push(v)
    return handler


# operators

def h_binary_op(b, ins):
    lhs, rhs = b.peek(2)
    r = b.value("binop", [lhs, rhs], op=ins.argval)
    b.drop(2)
    b.push(r)


def _unary(op):
    def handler(b, ins):
        v = b.at(1)
        r = b.value("unary", [v], op=op)
        b.drop(1)
        b.push(r)
    return handler


def h_unary_not(b, ins):
    v = b.at(1)
    t = b.value("truth", [v], type_=BOOL)
    b.drop(1)
    b.push(b.value("bool_box", [t], can_fail=False, negate=True))


def h_compare_op(b, ins):
    lhs, rhs = b.peek(2)
    r = b.value("compare", [lhs, rhs], op=ins.argval)
    b.drop(2)
    b.push(r)


def h_is_op(b, ins):
    lhs, rhs = b.peek(2)
    r = b.value("is", [lhs, rhs], can_fail=False, type_=BOOL)
    b.drop(2)
    b.push(b.value("bool_box", [r], can_fail=False, negate=bool(ins.arg)))


def h_contains_op(b, ins):
    item, container = b.peek(2)
    r = b.value("contains", [container, item], type_=BOOL)
    b.drop(2)
    b.push(b.value("bool_box", [r], can_fail=False, negate=bool(ins.arg)))


def h_binary_subscr(b, ins):
    container, key = b.peek(2)
    r = b.value("getitem", [container, key])
    b.drop(2)
    b.push(r)


def h_store_subscr(b, ins):
    value, container, key = b.peek(3)
    b.effect("setitem", [container, key, value])
    b.drop(3)


def h_delete_subscr(b, ins):
    container, key = b.peek(2)
    b.effect("delitem", [container, key])
    b.drop(2)


def h_build_slice(b, ins):
    args = b.peek(ins.arg)
    if ins.arg not in (2, 3):
        raise CompileError(f"BUILD_SLICE {ins.arg} at offset {ins.offset}")
    r = b.value("build_slice", args)
    b.drop(ins.arg)
    b.push(r)


def h_load_attr(b, ins):
    obj = b.at(1)
    r = b.value("getattr", [obj], name=ins.argval, name_index=b.fn.const_index(ins.argval))
    b.drop(1)
    b.push(r)


def h_store_attr(b, ins):
    value, obj = b.peek(2)
    b.effect("setattr", [obj, value], name=ins.argval, name_index=b.fn.const_index(ins.argval))
    b.drop(2)


def h_delete_attr(b, ins):
    obj = b.at(1)
    b.effect("delattr", [obj], name=ins.argval, name_index=b.fn.const_index(ins.argval))
    b.drop(1)


def h_load_method(b, ins):
    obj = b.at(1)
    op = b.emit("load_method", [obj], (NOBJ, OBJ), name=ins.argval,
                name_index=b.fn.const_index(ins.argval))
    b.drop(1)
    b.push(op.results[0])
    b.push(op.results[1])


# calls

def h_call(b, ins):
    argc = ins.arg
    _check_count(b, ins, argc)
    kwnames = ins.extra.get("kwnames", ())
    if len(kwnames) > argc:
        raise CompileError(f"CALL {argc} at offset {ins.offset} with {len(kwnames)} keyword names")
    items = b.peek(argc + 2)
    first, second, args = items[0], items[1], items[2:]
    if _fold_call(b, first, second, args, kwnames):
        return
    kw = b.fn.const_index(kwnames) if kwnames else None
    attrs = {}
    name = b.global_names.get(second.id)
    if name in FRAME_BUILTINS and argc == FRAME_BUILTINS[name] and not kwnames:
        attrs["frame_builtin"] = name   # answered without a frame if still the builtin
    nested = _called_at_once(b, first, second, argc, kwnames)
    if nested is not None:
        attrs["nested_code_index"] = b.fn.const_index(nested)
    body = _class_body(b, first, second, args, len(kwnames))
    if body is not None:
        attrs["class_body_index"] = b.fn.const_index(body)
    # where the interpreter's frame stands when a Python function it called raises:
    # past the call's caches (it pushed the callee's frame inline), else at the call
    attrs["py_lasti"] = ins.end - 2
    r = b.value("call", [first, second, *args], nargs=argc, kwnames=kwnames, kw_index=kw,
                **attrs)
    genexpr = _genexpr_made(b, first, second, argc, kwnames)
    if genexpr is not None:       # (perhaps folded by the call it is handed to next)
        b.genexprs[r.id] = (b.block, len(b.block.ops) - 1, genexpr)
    b.drop(argc + 2)
    b.push(r)


CO_NOT_PLAIN = 0x04 | 0x08 | 0x20 | 0x80 | 0x100 | 0x200   # varargs, varkw, generator, async


def _called_at_once(b, first, second, argc, kwnames):
    """The code of a function this code makes and calls with all its parameters
    positional (a comprehension: MAKE_FUNCTION, GET_ITER, CALL 0), or None. Such a
    call can run that code compiled in this module (lower: _call_nested)."""
    if kwnames:
        return None
    if first.id in b.made_functions:        # [function, first argument, ...]
        code, npos = b.made_functions[first.id], argc + 1
    elif second.id in b.made_functions and first.id in b.null_values:
        code, npos = b.made_functions[second.id], argc
    else:
        return None
    if code.co_flags & CO_NOT_PLAIN or code.co_kwonlyargcount or code.co_argcount != npos:
        return None
    return code


def _genexpr_made(b, first, second, argc, kwnames):
    """The code of a generator expression this call makes (MAKE_FUNCTION, GET_ITER,
    CALL 0: the generator), or None."""
    if argc or kwnames or first.id not in b.made_functions:
        return None
    code = b.made_functions[first.id]
    return code if code.co_name == "<genexpr>" and code.co_flags & 0x20 else None


def _fold_call(b, first, second, args, kwnames) -> bool:
    """``sum(<generator expression>)`` (or another of FOLD_KINDS) of a global, the
    generator made by the instruction just before: one ``fold_call`` op in place of
    both calls (see frontend.fold311; lower.lo_fold_call runs the folded code while
    the global is the builtin, else makes the generator and calls). Its frame state is the first
    call's, which a deoptimisation resumes at. False if this call is not one."""
    name = b.global_names.get(second.id)
    if name not in FOLD_KINDS or len(args) != 1 or kwnames or first.id not in b.null_values:
        return False
    made = b.genexprs.get(args[0].id)
    if made is None or made[0] is not b.block:
        return False
    blk, index, code = made
    call = blk.ops[index]
    rest = blk.ops[index + 1:]
    if call.result is not args[0] or len(rest) != len(call.args) or \
            any(op.kind != "decref" or op.args[0] not in call.args for op in rest):
        return False
    folded = fold_genexpr(code, name)
    if folded is None:
        return False
    fused, units = folded
    del blk.ops[index:]           # the generator's call and its operands' releases
    b.pop()
    for v in call.args:           # the stack as it was before that call
        b.push(v)
    op = b.emit("fold_call", [first, second, *call.args], fold=name,
                nested_code_index=b.fn.const_index(fused),
                genexpr_index=b.fn.const_index(code), step_units=units,
                builtin_index=b.fn.const_index(getattr(builtins, name)))
    op.state = call.state
    b.drop(2 + len(call.args))
    b.push(op.result)
    return True


def _class_body(b, first, second, args, nkw):
    """The body code of a class statement (``__build_class__(function made here from
    class-body code, name, *bases, **kw)``), or None. Its body can run compiled in
    this module (lower: _call_build_class)."""
    if second.id not in b.build_class_values or first.id not in b.null_values \
            or len(args) - nkw < 2 or args[0].id not in b.made_functions:
        return None
    code = b.made_functions[args[0].id]
    if code.co_flags & (CO_NOT_PLAIN | 0x03) or code.co_argcount or code.co_kwonlyargcount:
        return None      # 0x03: optimized locals, a new locals dict: a function, not a body
    return code


def h_call_function_ex(b, ins):
    has_kw = ins.arg & 1
    items = b.peek(3 + has_kw)
    _null, func, callargs = items[:3]
    kwargs = items[3] if has_kw else None
    args = [func, callargs] + ([kwargs] if kwargs is not None else [])
    r = b.value("call_ex", args)
    b.drop(3 + has_kw)
    b.push(r)


def h_make_function(b, ins):
    flags = ins.arg
    n = 1 + bin(flags & 0xF).count("1")
    items = b.peek(n)
    import types
    code = _const_of(b, items[-1], types.CodeType, "a code object")
    if bool(flags & 8) != bool(code.co_freevars):
        raise CompileError(f"{b.code.co_qualname}: MAKE_FUNCTION at offset {ins.offset}: "
                           f"closure flag does not match {code.co_name}'s free variables")
    r = b.value("make_function", items, flags=flags, code_index=b.fn.const_index(code))
    if not flags & 7:     # no defaults or annotations: called at once, all is known
        b.made_functions[r.id] = code
    b.drop(n)
    b.push(r)


# building and unpacking

def _check_count(b, ins, n):
    if n > MAX_ITEMS:
        raise UnsupportedError(f"{b.code.co_qualname}: {ins.opname} with {n} items (line "
                               f"{ins.line}) is beyond the compiler's limit",
                               opcode=ins.opname, lineno=ins.line)


def _const_of(b, v, typ, what):
    """The Python constant behind SSA value ``v``: required where the C-API trusts it."""
    if v.id in b.const_values and isinstance(b.const_values[v.id], typ):
        return b.const_values[v.id]
    raise CompileError(f"{b.code.co_qualname}: {b.ins.opname} at offset {b.ins.offset} "
                       f"needs {what} from LOAD_CONST")


def _build(kind):
    def handler(b, ins):
        _check_count(b, ins, ins.arg)
        items = b.peek(ins.arg)
        r = b.value(kind, items)
        b.drop(ins.arg)
        b.push(r)
    return handler


def h_build_map(b, ins):
    _check_count(b, ins, ins.arg)
    items = b.peek(2 * ins.arg)
    r = b.value("build_map", items)
    b.drop(2 * ins.arg)
    b.push(r)


def h_build_const_key_map(b, ins):
    _check_count(b, ins, ins.arg)
    items = b.peek(ins.arg + 1)
    keys = _const_of(b, items[-1], tuple, "a tuple of keys")
    if len(keys) != ins.arg:
        raise CompileError(f"{b.code.co_qualname}: BUILD_CONST_KEY_MAP {ins.arg} at offset "
                           f"{ins.offset} with {len(keys)} keys")
    r = b.value("build_const_key_map", items)
    b.drop(ins.arg + 1)
    b.push(r)


def _container_add(kind, nvalues):
    def handler(b, ins):
        values = b.peek(nvalues)
        target = b.at(ins.arg + nvalues)
        extra = [b.at(ins.arg + nvalues + 2)] if kind == "dict_merge" else []
        b.effect(kind, [target, *values, *extra])
        b.drop(nvalues)
    return handler


def h_list_to_tuple(b, ins):
    v = b.at(1)
    r = b.value("list_to_tuple", [v])
    b.drop(1)
    b.push(r)


def h_unpack_sequence(b, ins):
    _check_count(b, ins, ins.arg)
    seq = b.at(1)
    op = b.emit("unpack_sequence", [seq], (OBJ,) * ins.arg, count=ins.arg)
    b.drop(1)
    for v in reversed(op.results):
        b.push(v)


def h_unpack_ex(b, ins):
    before, after = ins.arg & 0xFF, ins.arg >> 8
    _check_count(b, ins, before + after)
    seq = b.at(1)
    op = b.emit("unpack_ex", [seq], (OBJ,) * (before + 1 + after), before=before, after=after)
    b.drop(1)
    for v in reversed(op.results):
        b.push(v)


def h_format_value(b, ins):
    has_spec = bool(ins.arg & 4)
    items = b.peek(1 + has_spec)
    r = b.value("format_value", items, conversion=ins.arg & 3)
    b.drop(len(items))
    b.push(r)


# iteration and branches

def h_get_iter(b, ins):
    v = b.at(1)
    r = b.value("get_iter", [v])
    b.drop(1)
    b.push(r)


def h_for_iter(b, ins):
    it = b.at(1)
    # NULL only on the exhausted edge, where the value is never used.
    nxt = b.value("iter_next", [it])
    # Exhausted: pop the iterator and jump to the target.
    done = b.synthetic("exhausted")
    stack = list(b.stack)
    body_stack = stack + [nxt]
    fall = _fallthrough(b, ins)
    b.terminate("br_if_null", [nxt], targets=[(done, []), b.edge(fall, body_stack)])
    b.block = done
    b.stack = stack
    b.drop(1)
    b.terminate("br", targets=[b.edge(ins.target, b.stack)])


def _fallthrough(b, ins):
    return b.next_start.get(ins.start)


def _check_signals(b, ins):
    if ins.backward:
        b.effect("check_signals")


def h_jump(b, ins):
    _check_signals(b, ins)
    b.terminate("br", targets=[b.edge(ins.target, b.stack)])


def _pop_jump(kind, jump_when):
    def handler(b, ins):
        v = b.at(1)
        if kind == "truth":
            cond = b.value("truth", [v], type_=BOOL)
        else:
            cond = b.value("is_none", [v], can_fail=False, type_=BOOL)
        b.drop(1)
        _check_signals(b, ins)
        fall = _fallthrough(b, ins)
        taken, other = b.edge(ins.target, b.stack), b.edge(fall, b.stack)
        targets = [taken, other] if jump_when else [other, taken]
        b.terminate("cbr", [cond], targets=targets)
    return handler


def _jump_or_pop(jump_when):
    def handler(b, ins):
        v = b.at(1)
        cond = b.value("truth", [v], type_=BOOL)
        keep = b.edge(ins.target, b.stack)
        popped = b.synthetic("pop")
        targets = [keep, (popped, [])] if jump_when else [(popped, []), keep]
        b.terminate("cbr", [cond], targets=targets)
        b.block = popped
        b.drop(1)
        b.terminate("br", targets=[b.edge(_fallthrough(b, ins), b.stack)])
    return handler


# exceptions

def h_push_exc_info(b, ins):
    exc = b.at(1)
    prev = b.value("push_exc_info", [exc])
    b.stack[-1:] = [prev, exc]


def h_pop_except(b, ins):
    prev = b.at(1)
    b.effect("pop_except", [prev])
    b.drop(1)


def h_check_exc_match(b, ins):
    exc, typ = b.peek(2)
    r = b.value("check_exc_match", [exc, typ], type_=OBJ)
    b.drop(1)
    b.push(r)


def h_reraise(b, ins):
    exc = b.pop_object()
    b.terminate("reraise", [exc], unwind=b.unwind(traceback=False))


def h_raise_varargs(b, ins):
    args = b.peek(ins.arg)
    if ins.arg > 2:
        raise CompileError(f"RAISE_VARARGS {ins.arg} at offset {ins.offset}")
    # Values are consumed by the raise itself; the unwind must not release them again.
    for _ in args:
        b.pop_object()
    b.terminate("raise", args, unwind=b.unwind(traceback=ins.arg > 0))


def h_before_with(b, ins):
    # as the interpreter: the manager is released once __exit__ replaces it, before
    # __enter__ runs; a failing __enter__ leaves __exit__ (and itself) to unwind
    op = b.emit("with_lookup", [b.at(1)], (OBJ, OBJ))
    b.drop(1)
    exit_fn, enter = op.results
    b.push(exit_fn)
    b.push(enter)
    res = b.value("call_noargs", [enter])
    b.drop(1)
    b.push(res)


def h_with_except_start(b, ins):
    exit_fn, exc = b.at(4), b.at(1)
    b.push(b.value("with_except_start", [exit_fn, exc]))


def h_check_eg_match(b, ins):
    exc, typ = b.peek(2)
    op = b.emit("check_eg_match", [exc, typ], (OBJ, OBJ))
    b.drop(2)
    b.push(op.results[0])
    b.push(op.results[1])


def h_prep_reraise_star(b, ins):
    orig, excs = b.peek(2)
    r = b.value("prep_reraise_star", [orig, excs])
    b.drop(2)
    b.push(r)


def h_load_assertion_error(b, ins):
    b.push(b.value("const", can_fail=False, index=b.fn.const_index(AssertionError),
                   repr=AssertionError))


def h_load_build_class(b, ins):
    v = b.value("load_build_class")
    b.build_class_values.add(v.id)
    b.push(v)


def h_setup_annotations(b, ins):
    b.effect("setup_annotations")


def h_import_name(b, ins):
    level, fromlist = b.peek(2)
    r = b.value("import_name", [level, fromlist], name=ins.argval,
                name_index=b.fn.const_index(ins.argval))
    b.drop(2)
    b.push(r)


def h_import_from(b, ins):
    module = b.at(1)
    b.push(b.value("import_from", [module], name=ins.argval,
                   name_index=b.fn.const_index(ins.argval)))


def h_import_star(b, ins):
    module = b.at(1)
    b.effect("import_star", [module])
    b.drop(1)


def h_print_expr(b, ins):
    v = b.at(1)
    b.effect("print_expr", [v])
    b.drop(1)


# pattern matching

def h_match_class(b, ins):
    subject, cls, names = b.peek(3)
    r = b.value("match_class", [subject, cls, names], count=ins.arg)
    b.drop(3)
    b.push(r)


def _match_kind(kind):
    def handler(b, ins):
        subject = b.at(1)
        r = b.value(kind, [subject], can_fail=False, type_=BOOL)
        b.push(b.value("bool_box", [r], can_fail=False, negate=False))
    return handler


def h_match_keys(b, ins):
    subject, keys = b.peek(2)
    b.push(b.value("match_keys", [subject, keys]))


def h_get_len(b, ins):
    b.push(b.value("get_len", [b.at(1)]))


HANDLERS = {
    "NOP": h_nop, "POP_TOP": h_pop_top, "PUSH_NULL": h_push_null, "COPY": h_copy,
    "SWAP": h_swap, "LOAD_CONST": h_load_const, "RETURN_VALUE": h_return_value,
    "LOAD_FAST": h_load_fast, "STORE_FAST": h_store_fast, "DELETE_FAST": h_delete_fast,
    "MAKE_CELL": h_make_cell, "LOAD_CLOSURE": h_load_closure, "LOAD_DEREF": h_load_deref,
    "STORE_DEREF": h_store_deref, "DELETE_DEREF": h_delete_deref,
    "LOAD_CLASSDEREF": h_load_classderef, "COPY_FREE_VARS": h_copy_free_vars,
    "LOAD_GLOBAL": h_load_global,
    "STORE_GLOBAL": _name_op("store_global", 1, False),
    "DELETE_GLOBAL": _name_op("delete_global", 0, False),
    "LOAD_NAME": _name_op("load_name", 0, True),
    "STORE_NAME": _name_op("store_name", 1, False),
    "DELETE_NAME": _name_op("delete_name", 0, False),
    "LOAD_ATTR": h_load_attr, "STORE_ATTR": h_store_attr, "DELETE_ATTR": h_delete_attr,
    "LOAD_METHOD": h_load_method,
    "BINARY_OP": h_binary_op, "UNARY_POSITIVE": _unary("+"), "UNARY_NEGATIVE": _unary("-"),
    "UNARY_INVERT": _unary("~"), "UNARY_NOT": h_unary_not,
    "COMPARE_OP": h_compare_op, "IS_OP": h_is_op, "CONTAINS_OP": h_contains_op,
    "BINARY_SUBSCR": h_binary_subscr, "STORE_SUBSCR": h_store_subscr,
    "DELETE_SUBSCR": h_delete_subscr, "BUILD_SLICE": h_build_slice,
    "CALL": h_call, "CALL_FUNCTION_EX": h_call_function_ex, "MAKE_FUNCTION": h_make_function,
    "BUILD_TUPLE": _build("build_tuple"), "BUILD_LIST": _build("build_list"),
    "BUILD_SET": _build("build_set"), "BUILD_STRING": _build("build_string"),
    "BUILD_MAP": h_build_map, "BUILD_CONST_KEY_MAP": h_build_const_key_map,
    "LIST_APPEND": _container_add("list_append", 1), "SET_ADD": _container_add("set_add", 1),
    "MAP_ADD": _container_add("map_add", 2), "LIST_EXTEND": _container_add("list_extend", 1),
    "SET_UPDATE": _container_add("set_update", 1),
    "DICT_UPDATE": _container_add("dict_update", 1),
    "DICT_MERGE": _container_add("dict_merge", 1),
    "LIST_TO_TUPLE": h_list_to_tuple, "UNPACK_SEQUENCE": h_unpack_sequence,
    "UNPACK_EX": h_unpack_ex, "FORMAT_VALUE": h_format_value,
    "GET_ITER": h_get_iter, "FOR_ITER": h_for_iter, "JUMP": h_jump,
    "POP_JUMP_IF_FALSE": _pop_jump("truth", False), "POP_JUMP_IF_TRUE": _pop_jump("truth", True),
    "POP_JUMP_IF_NONE": _pop_jump("none", True), "POP_JUMP_IF_NOT_NONE": _pop_jump("none", False),
    "JUMP_IF_FALSE_OR_POP": _jump_or_pop(False), "JUMP_IF_TRUE_OR_POP": _jump_or_pop(True),
    "PUSH_EXC_INFO": h_push_exc_info, "POP_EXCEPT": h_pop_except,
    "CHECK_EXC_MATCH": h_check_exc_match, "RERAISE": h_reraise,
    "RAISE_VARARGS": h_raise_varargs, "BEFORE_WITH": h_before_with,
    "WITH_EXCEPT_START": h_with_except_start, "CHECK_EG_MATCH": h_check_eg_match,
    "PREP_RERAISE_STAR": h_prep_reraise_star, "LOAD_ASSERTION_ERROR": h_load_assertion_error,
    "LOAD_BUILD_CLASS": h_load_build_class, "SETUP_ANNOTATIONS": h_setup_annotations,
    "IMPORT_NAME": h_import_name, "IMPORT_FROM": h_import_from, "IMPORT_STAR": h_import_star,
    "PRINT_EXPR": h_print_expr, "MATCH_CLASS": h_match_class,
    "MATCH_MAPPING": _match_kind("match_mapping"), "MATCH_SEQUENCE": _match_kind("match_sequence"),
    "MATCH_KEYS": h_match_keys, "GET_LEN": h_get_len,
}


def build_ssa(code, name: str | None = None, free_codes=None) -> tuple[ir.Function, set[str]]:
    """code object -> (IR function, the set of opnames lowered). ``free_codes``: free
    variable -> the code of the functions its maker keeps in that cell (see
    mark_kept_functions)."""
    cfg = build_cfg(decode(code))
    builder = Builder(cfg, name or code.co_qualname)
    fn = builder.build()
    if drop_bound_checks(fn, builder.nparams):
        ir.prune_unreachable(fn)     # handlers only those checks reached
    mark_kept_functions(fn, free_codes or {})
    return fn, builder.lowered_opnames


def mark_kept_functions(fn: ir.Function, free_codes: dict):
    """A function this code makes and keeps in a local or cell (``def helper(...)``
    called later, or calling itself through its cell), called with its parameters
    all positional: the call gets that code's index (``nested_code_index``,
    ``kept``), so it can run the code compiled in this module, as a
    comprehension's (lower: _call_nested checks at run time that the callee is a
    function of that code). ``fn.cell_codes``: cell name -> such a code, for the
    code's own nested functions' free variables."""
    held: dict = {}        # ("local", slot) / ("cell", name) -> code
    producer = {r.id: op for blk in fn.blocks for op in blk.ops for r in op.results}
    for name, code in free_codes.items():
        held[("cell", name)] = code
    for blk in fn.blocks:
        for op in blk.ops:
            if op.kind not in ("store_local", "store_deref"):
                continue
            # (defaults, keyword defaults and annotations do not matter: the calls
            # taken pass every parameter positionally)
            made = producer.get(op.args[0].id)
            if made is None or made.kind != "make_function":
                continue
            key = ("local", op.attrs["slot"]) if op.kind == "store_local" else \
                ("cell", op.attrs["name"])
            held.setdefault(key, fn.consts[made.attrs["code_index"]])
    fn.cell_codes = {k[1]: c for k, c in held.items() if k[0] == "cell"}
    for blk in fn.blocks:
        for op in blk.ops:
            if op.kind != "call" or "nested_code_index" in op.attrs or op.attrs.get("kwnames"):
                continue
            callee = producer.get(op.args[1].id)
            if callee is None or getattr(producer.get(op.args[0].id), "kind", None) != "null":
                continue
            if callee.kind == "load_local":
                code = held.get(("local", callee.attrs["slot"]))
            elif callee.kind == "load_deref":
                code = held.get(("cell", callee.attrs["name"]))
            else:
                continue
            if code is None or code.co_flags & CO_NOT_PLAIN or code.co_kwonlyargcount or \
                    code.co_argcount != op.attrs["nargs"]:
                continue
            op.attrs["nested_code_index"] = fn.const_index(code)
            op.attrs["kept"] = True
