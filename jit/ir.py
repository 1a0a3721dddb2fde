"""A small typed SSA IR: Function / Block / Op / Value, a printer and a verifier.

Reference counting is explicit: every value of type ``obj`` owns exactly one
reference. Ops *borrow* their operands unless their kind says otherwise
(``STEALS``); the SSA builder emits ``decref`` where the bytecode consumes a
value. Values of other types (``i1``, later ``i64``/``f64``) own nothing, so
specialisation can retype values without touching the reference protocol.

An op that can fail carries an ``Unwind``: where control goes when it raises
(an exception handler block, or the function's error exit) and which owned
values die on the way.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from dataclasses import dataclass, field

OBJ = "obj"        # PyObject*, never NULL, owns a reference
NOBJ = "obj?"      # PyObject* that may be NULL (PUSH_NULL, LOAD_METHOD), owns a reference if not NULL
BOOL = "i1"        # an unboxed condition
I64 = "i64"        # an unboxed Python int that fits in 64 bits (specialised code)
F64 = "f64"        # an unboxed Python float
RANGE = "range"    # a native range iterator: pointer to {next, stop, step} (specialised code)
TYPES = (OBJ, NOBJ, BOOL, I64, F64, RANGE)

# Ops whose named operands' references are consumed by the op itself.
STEALS = {"store_local": (0,), "store_deref_value": (), "ret": (0,)}

TERMINATORS = {"br", "cbr", "br_if_null", "ret", "ret_raw", "raise", "reraise", "error_exit"}


class Value:
    __slots__ = ("id", "type", "hint", "borrowed")

    def __init__(self, type_: str, hint: str = ""):
        assert type_ in TYPES, type_
        self.id = -1
        self.type = type_
        self.hint = hint
        self.borrowed = False     # owns no reference: True, or "lent" (see borrow.py)

    def __repr__(self):
        return f"%{self.id}"


class Param(Value):
    __slots__ = ("block",)


@dataclass(eq=False)
class Unwind:
    handler: "Block | None"     # None: leave the function with the exception set
    keep: list                   # stack values passed to the handler (its first params)
    drop: list                   # owned values released on the way
    lasti: bool = False          # the handler expects the raising offset pushed
    traceback: bool = True       # add a traceback entry (False for re-raises)
    offset: int = -1             # bytecode offset of the raising instruction


@dataclass(eq=False)
class Op:
    kind: str
    args: list
    results: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    unwind: Unwind | None = None
    offset: int = -1              # bytecode offset (for line numbers)
    targets: list = field(default_factory=list)   # [(Block, [args])] for terminators
    # Frame state before the instruction this op belongs to, for deoptimisation:
    # (offset to resume at, operand stack values). Set by the SSA builder.
    state: tuple | None = None

    @property
    def result(self) -> Value:
        return self.results[0]


class Block:
    def __init__(self, label: str, offset: int | None = None):
        self.label = label
        self.offset = offset
        self.params: list[Param] = []
        self.ops: list[Op] = []
        self.preds: list[Block] = []

    @property
    def terminator(self) -> Op | None:
        return self.ops[-1] if self.ops and self.ops[-1].kind in TERMINATORS else None

    def __repr__(self):
        return f"^{self.label}"


class Function:
    def __init__(self, name: str, code, nlocals: int, local_names: list[str]):
        self.name = name
        self.code = code
        self.blocks: list[Block] = []
        self.nlocals = nlocals
        self.local_names = local_names
        self.consts: list = []       # Python objects the native code refers to
        self._const_index: dict = {}
        self._next_id = 0
        self.handler_blocks: set = set()

    def const_index(self, obj) -> int:
        key = (type(obj), id(obj))
        idx = self._const_index.get(key)
        if idx is None:
            idx = self._const_index[key] = len(self.consts)
            self.consts.append(obj)
        return idx

    def new_block(self, label: str, offset: int | None = None) -> Block:
        b = Block(label, offset)
        self.blocks.append(b)
        return b

    def new_value(self, type_: str, hint: str = "") -> Value:
        v = Value(type_, hint)
        v.id = self._next_id
        self._next_id += 1
        return v

    def new_param(self, block: Block, type_: str) -> Param:
        p = Param(type_)
        p.id = self._next_id
        p.block = block
        self._next_id += 1
        block.params.append(p)
        return p

    def __str__(self):
        return format_function(self)


def _fmt_attr(v):
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, tuple) and len(v) > 6:
        return f"({len(v)} items)"
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


def format_op(op: Op) -> str:
    lhs = ", ".join(f"{r!r}:{r.type}" for r in op.results)
    attrs = "".join(f" {k}={_fmt_attr(v)}" for k, v in op.attrs.items())
    args = ", ".join(repr(a) for a in op.args)
    text = f"{lhs} = {op.kind}{attrs}({args})" if lhs else f"{op.kind}{attrs}({args})"
    for blk, bargs in op.targets:
        text += f" -> {blk!r}({', '.join(map(repr, bargs))})"
    if op.unwind is not None:
        u = op.unwind
        where = repr(u.handler) if u.handler else "exit"
        text += f" unwind {where}(keep {u.keep}, drop {u.drop}{', lasti' if u.lasti else ''})"
    return text


def format_function(fn: Function) -> str:
    out = [f"function {fn.name} (locals {fn.nlocals}: {', '.join(fn.local_names)})"]
    for blk in fn.blocks:
        params = ", ".join(f"{p!r}:{p.type}" for p in blk.params)
        tag = " handler" if blk in fn.handler_blocks else ""
        off = f"  ; @{blk.offset}" if blk.offset is not None else ""
        out.append(f"{blk!r}({params}){tag}:{off}")
        for op in blk.ops:
            out.append(f"    {format_op(op)}")
    return "\n".join(out)


def param_sources(fn: Function) -> dict[int, list]:
    """Block parameter id -> the values the branches to its block pass it."""
    sources: dict[int, list] = {}
    for blk in fn.blocks:
        for op in blk.ops:
            for target, targs in op.targets:
                for param, a in zip(target.params, targs):
                    sources.setdefault(param.id, []).append(a)
    return sources


def origins(v: Value, producer, sources: dict[int, list]) -> list:
    """The ops that make ``v`` (``producer``: value -> its op, or None), through
    block parameters (``sources``: see param_sources)."""
    seen, todo, out = set(), [v], []
    while todo:
        v = todo.pop()
        if v.id in seen:
            continue
        seen.add(v.id)
        if v.id in sources:
            todo += sources[v.id]
        elif producer(v) is not None:
            out.append(producer(v))
    return out


def blocks_in_loops(fn: Function) -> set[int]:
    """id() of every block on a cycle of branch edges (strongly connected
    components of the control-flow graph, by Tarjan's algorithm, iteratively)."""
    succs = {id(b): [t for op in b.ops for t, _ in op.targets] for b in fn.blocks}
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    looped: set[int] = set()
    for root in fn.blocks:
        if id(root) in index:
            continue
        work = [(root, iter(succs[id(root)]))]
        index[id(root)] = low[id(root)] = len(index)
        stack.append(id(root))
        on_stack.add(id(root))
        while work:
            blk, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if id(nxt) not in index:
                    index[id(nxt)] = low[id(nxt)] = len(index)
                    stack.append(id(nxt))
                    on_stack.add(id(nxt))
                    work.append((nxt, iter(succs[id(nxt)])))
                elif id(nxt) in on_stack:
                    low[id(blk)] = min(low[id(blk)], index[id(nxt)])
                continue
            work.pop()
            if work:
                low[id(work[-1][0])] = min(low[id(work[-1][0])], low[id(blk)])
            if low[id(blk)] == index[id(blk)]:
                component = []
                while True:
                    b = stack.pop()
                    on_stack.discard(b)
                    component.append(b)
                    if b == id(blk):
                        break
                if len(component) > 1 or any(t is blk for t in succs[id(blk)]):
                    looped.update(component)
    return looped


def prune_unreachable(fn: Function) -> None:
    """Drop blocks no edge reaches (e.g. handlers of ops that no longer raise)."""
    seen = {id(fn.blocks[0])}
    work = [fn.blocks[0]]
    while work:
        blk = work.pop()
        for op in blk.ops:
            nexts = [t for t, _ in op.targets]
            if op.unwind is not None and op.unwind.handler is not None:
                nexts.append(op.unwind.handler)
            for nxt in nexts:
                if id(nxt) not in seen:
                    seen.add(id(nxt))
                    work.append(nxt)
    fn.blocks = [b for b in fn.blocks if id(b) in seen]
    for blk in fn.blocks:
        blk.preds = [p for p in blk.preds if id(p) in seen]


class VerifyError(Exception):
    pass


def verify(fn: Function) -> None:
    """Structural checks: terminators, targets' arity and types, defined-before-use
    within a block's dominance (checked simply: every operand is defined somewhere)."""
    defined = set()
    for blk in fn.blocks:
        defined.update(id(p) for p in blk.params)
        for op in blk.ops:
            defined.update(id(r) for r in op.results)
    for blk in fn.blocks:
        if not blk.ops or blk.ops[-1].kind not in TERMINATORS:
            raise VerifyError(f"{blk!r} has no terminator")
        for op in blk.ops[:-1]:
            if op.kind in TERMINATORS:
                raise VerifyError(f"terminator {op.kind} in the middle of {blk!r}")
        for op in blk.ops:
            for a in op.args:
                if isinstance(a, Value) and id(a) not in defined:
                    raise VerifyError(f"{format_op(op)}: operand {a!r} is never defined")
            for target, targs in op.targets:
                if len(targs) != len(target.params):
                    raise VerifyError(f"{format_op(op)}: {target!r} takes {len(target.params)} "
                                      f"arguments, got {len(targs)}")
                for a, p in zip(targs, target.params):
                    if a.type != p.type and not (a.type == OBJ and p.type == NOBJ):
                        raise VerifyError(f"{format_op(op)}: {a!r}:{a.type} passed to {p!r}:{p.type}")
            u = op.unwind
            if u is not None and u.handler is not None:
                n = len(u.keep) + u.lasti + 1
                if n != len(u.handler.params):
                    raise VerifyError(f"{format_op(op)}: handler {u.handler!r} takes "
                                      f"{len(u.handler.params)} values, unwind gives {n}")


# Specialised ops that never run Python code, not even on a slow path (a deopt
# resumes in the interpreter, whose frames are the caller's business)
LEAF_OPS = frozenset((
    "prologue", "null", "const", "load_local", "unbox_int", "unbox_float", "int_to_float",
    "int_op", "int_truediv", "int_unary", "int_cmp", "num_in", "float_op", "float_unary", "float_cmp",
    "num_truth", "num_call", "box", "bool_box", "is", "is_none", "incref",
    "range_new", "range_iter", "range_next", "guard_range", "check_signals", "br", "cbr",
    "ret", "ret_raw"))


def is_leaf(fn: Function) -> bool:
    """Whether specialised ``fn`` calls nothing, and rebinds only typed locals (an
    object's release may run a __del__)."""
    return all(op.kind in LEAF_OPS
               or (op.kind == "store_local" and fn.slot_types[op.attrs["slot"]] != OBJ)
               for blk in fn.blocks for op in blk.ops)


# ops between a list item's read and a store to it that leave the item the list's
RMW_SAFE = {"const", "load_local", "float_op", "int_op", "unbox_float", "unbox_int",
            "int_to_float", "float_unary", "int_unary", "float_cmp", "int_cmp"}


def loaded_items(fn: Function) -> dict:
    """id(seq_setitem_float) -> the seq_getitem of the same exact list and index,
    in the same block, whose item is still the list's at the store (``xs[i] += d``)."""
    found = {}
    slot_types = getattr(fn, "slot_types", None) or [OBJ] * fn.nlocals
    for block in fn.blocks:
        reads: dict = {}     # (list, index) -> seq_getitem
        stores: dict = {}    # slot -> how many stores into it so far
        same: dict = {}      # value id -> what it is (a local's value between stores)
        for op in block.ops:
            key = tuple(same.get(a.id, a.id) for a in op.args[:2])
            if op.kind == "seq_setitem_float" and key in reads:
                found[id(op)] = reads[key]
            if op.kind == "load_local":
                slot = op.attrs["slot"]
                same[op.result.id] = ("local", slot, stores.get(slot, 0))
            elif op.kind == "store_local":
                stores[op.attrs["slot"]] = stores.get(op.attrs["slot"], 0) + 1
            if op.kind == "seq_getitem" and op.attrs.get("exact") == "list":
                reads[key] = op
            elif not _rmw_safe(op, reads, slot_types):
                reads = {}
    return found


def _rmw_safe(op, reads, slot_types) -> bool:
    if op.kind == "decref":
        return any(g.result is op.args[0] for g in reads.values())
    if op.kind == "store_local":
        return op.args[0].type in (I64, F64, BOOL) and slot_types[op.attrs["slot"]] != OBJ
    return op.kind in RMW_SAFE


def use_counts(fn: Function) -> dict:
    """value id -> how many times ops use it: as an argument, kept by an unwind, or
    passed along a block edge."""
    uses: dict[int, int] = {}
    for blk in fn.blocks:
        for op in blk.ops:
            used = list(op.args)
            if op.unwind is not None:
                used += op.unwind.keep
            for _, targs in op.targets:
                used += targs
            for v in used:
                if isinstance(v, Value):
                    uses[v.id] = uses.get(v.id, 0) + 1
    return uses
