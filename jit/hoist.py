"""hoist: loop-invariant global guards move out of quiet loops, and loop-invariant
unboxed arithmetic out of any loop (see hoist_invariants).

Input: specialised IR (after ``specialize`` and ``borrow``). A load of a global
the code was specialised for (``load_global`` with ``expect``, borrowed) checks
the dicts' version tags, a handful of loads and compares, every time it runs.
In a *quiet* loop -- one whose ops can neither run Python code nor let another
thread run (no calls into unknown code, no releases of objects whose ``__del__``
could run, no stores to globals) -- the answer cannot change from one iteration
to the next, except across the loop's periodic tick (``check_signals``), which
lets other threads and signal handlers run. So the load moves to a preheader
block, entered from outside the loop only, where a failed check deoptimises to
the loop header (the interpreter then runs the loop), and each tick in the loop
re-checks it (``revalidate``), deoptimising at the tick if the global changed.

The same holds for the check of a global module's attribute (``math.sqrt``: a
``getattr`` with ``expect``, moving with its module's load), and for the
recursion headroom of inlined leaf calls: nothing in a quiet loop can change the
depth or the limit, so one ``guard_depth`` in the preheader (re-checked at the
ticks, where a handler may lower the limit) lets the calls skip theirs
(``depth_checked``). An ``xs[i] op= <double>`` whose old item the same block
read and unboxed is quiet: the float or int it releases runs nothing.

A direct call of a copy inlined into the loop is quiet when the callee's own
code is; if the callee deoptimises (and so may have run anything) its result
comes back as an object, and a call marked ``strict`` then deoptimises the
caller right after the call instead of unboxing it.

Loops are handled innermost first; a guard hoisted into an inner loop's
preheader can move again out of an enclosing quiet loop.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from runtime import capi

from . import ir
from .ir import BOOL, F64, I64, NOBJ, OBJ
from .ranges import I64_MAX, I64_MIN, factor_range

# ops that run no Python code and let no other thread run, on any path (a deopt
# leaves the native code, so what the interpreter then does is no concern here)
QUIET_OPS = frozenset((
    "null", "const", "load_local", "unbox_int", "unbox_float", "int_to_float", "int_op",
    "int_truediv", "int_unary", "int_cmp", "num_in", "float_op", "float_unary", "float_cmp",
    "num_truth", "num_call", "box", "bool_box", "is", "is_none", "incref", "range_new",
    "range_iter", "range_next", "guard_callee", "guard_range", "br", "cbr"))
# what a callee copied into the loop may do besides (it is entered and left whole)
QUIET_CALLEE_OPS = QUIET_OPS | {"prologue", "ret", "ret_raw"}
MAX_CALLEE_DEPTH = 3
PRE = ".pre"         # a preheader's label: its header's and this


def hoist_guards(fn: ir.Function) -> int:
    """Hoist what can be hoisted; the number of loads moved (each move counts)."""
    moved = 0
    done: set[int] = set()      # headers whose loops were found noisy or have nothing left
    # (what moves are guards and preheaders' branches: neither changes these)
    producers = {r.id: op for b in fn.blocks for op in b.ops for r in op.results}
    stores = _numeric_item_stores(fn)
    while True:
        progress = False
        for header, body in _natural_loops(fn):
            if id(header) in done:
                continue
            guards = _hoistable(fn, header, body, producers, stores)
            if not guards:
                done.add(id(header))
                continue
            _hoist(fn, header, body, guards)
            moved += len(guards)
            progress = True
            break           # the CFG changed: find the loops again
        if not progress:
            _drop_empty_preheaders(fn)
            return moved


# ---- loop-invariant arithmetic ---------------------------------------------------
# Unboxed arithmetic on values the loop does not change (typed locals it never
# stores, constants) moves to a preheader too, in any loop: nothing but the frame
# could change a local, and nothing sees the frame meanwhile. An op that may fail
# (overflow, a zero divisor) moves only from a block every iteration runs (one
# that dominates each back edge), and from the preheader deoptimises to the loop
# header: the interpreter then runs the loop and meets the failure where it is.

TYPED = (I64, F64, BOOL)
SAFE = {"int_op": {"&", "|", "^"}, "float_op": {"+", "-", "*"}, "int_unary": {"~", "+"},
        "float_unary": None, "int_cmp": None, "float_cmp": None, "int_to_float": None,
        "num_truth": None}      # kind -> the symbols that cannot fail (None: all)
FALLIBLE = {"int_op", "float_op", "int_unary"}


def hoist_invariants(fn: ir.Function) -> int:
    """Move invariant arithmetic out of every loop, innermost first; how many ops moved."""
    moved = 0
    done: set[int] = set()
    while True:
        loops, dominates = _loops_and_dominators(fn)
        for header, body in loops:
            if id(header) in done:
                continue
            done.add(id(header))
            ops = _invariants(fn, header, body, dominates)
            if ops:
                _move_invariants(fn, header, body, ops)
                moved += len(ops)
                break         # the CFG changed: find the loops again
        else:
            return moved


def _invariants(fn, header, body, dominates) -> list[ir.Op]:
    """The loop's invariant ops that are worth moving (arithmetic, with the loads
    and constants it needs), in an order that defines each before its uses."""
    if header in fn.handler_blocks:
        return []
    blocks = [b for b in fn.blocks if id(b) in body]
    written = {op.attrs["slot"] for b in blocks for op in b.ops
               if "slot" in op.attrs and op.kind != "load_local"}
    inside = {v.id for b in blocks for v in b.params} | \
        {r.id for b in blocks for op in b.ops for r in op.results}
    latches = [b for b in blocks if header in _successors(b)]
    may_fail = _header_state(header) is not None
    every = {id(b): may_fail and all(dominates(b, l) for l in latches) for b in blocks}
    chosen: dict[int, ir.Op] = {}        # result id -> op, in the order found
    found = True
    while found:
        found = False
        for b in blocks:
            for op in b.ops:
                if op.results and op.results[0].id not in chosen and \
                        _invariant_kind(op, written, every[id(b)]) and \
                        all(a.id not in inside or a.id in chosen for a in op.args):
                    chosen[op.results[0].id] = op
                    found = True
    needed: set[int] = set()
    work = [op for op in chosen.values() if op.kind not in ("const", "load_local")]
    while work:
        op = work.pop()
        if id(op) not in needed:
            needed.add(id(op))
            work.extend(chosen[a.id] for a in op.args if a.id in chosen)
    return [op for op in chosen.values() if id(op) in needed]


def _invariant_kind(op, written, may_fail) -> bool:
    if op.unwind is not None or len(op.results) != 1 or op.results[0].type not in TYPED \
            or any(a.type not in TYPED for a in op.args):
        return False
    kind = op.kind
    if kind == "const":
        return True
    if kind == "load_local":
        return op.attrs["slot"] not in written
    if kind not in SAFE:
        return False
    safe = SAFE[kind]
    if safe is None or op.attrs.get("op") in safe:
        return True
    return may_fail and kind in FALLIBLE and op.state is not None


def _move_invariants(fn, header, body, ops):
    pre = _preheader(fn, header, body)
    state = (header.offset, list(pre.params))
    for op in ops:
        _remove(fn, op)
        if op.state is not None:
            op.state = state
        pre.ops.insert(len(pre.ops) - 1, op)


# ---- loops ------------------------------------------------------------------

def _successors(blk: ir.Block) -> list[ir.Block]:
    succ = [t for op in blk.ops for t, _ in op.targets]
    succ += [op.unwind.handler for op in blk.ops if op.unwind is not None and op.unwind.handler]
    return succ


def _natural_loops(fn: ir.Function) -> list[tuple[ir.Block, set[int]]]:
    """(header, ids of the loop's blocks) per loop header, smallest loops first."""
    return _loops_and_dominators(fn)[0]


def _loops_and_dominators(fn: ir.Function):
    """The natural loops (as _natural_loops), and a test ``dominates(a, b)``."""
    entry = fn.blocks[0]
    succs = {id(b): _successors(b) for b in fn.blocks}
    order, seen, stack = [], {id(entry)}, [(entry, iter(succs[id(entry)]))]
    while stack:                       # reverse postorder, iteratively
        blk, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            order.append(blk)
            stack.pop()
        elif id(nxt) not in seen:
            seen.add(id(nxt))
            stack.append((nxt, iter(succs[id(nxt)])))
    order.reverse()
    rpo = {id(b): i for i, b in enumerate(order)}
    preds: dict[int, list[ir.Block]] = {id(b): [] for b in order}
    for b in order:
        for s in succs[id(b)]:
            preds[id(s)].append(b)
    idom = {id(entry): entry}
    changed = True
    while changed:                     # Cooper, Harvey and Kennedy's iteration
        changed = False
        for b in order[1:]:
            done = [p for p in preds[id(b)] if id(p) in idom]
            new = done[0]
            for p in done[1:]:
                new = _intersect(p, new, idom, rpo)
            if idom.get(id(b)) is not new:
                idom[id(b)] = new
                changed = True
    loops: dict[int, tuple[ir.Block, set[int]]] = {}
    for b in order:
        for h in succs[id(b)]:
            if _dominates(h, b, idom, entry):
                body = loops.setdefault(id(h), (h, {id(h)}))[1]
                work = [b]
                while work:
                    x = work.pop()
                    if id(x) not in body:
                        body.add(id(x))
                        work.extend(preds[id(x)])
    return (sorted(loops.values(), key=lambda hb: len(hb[1])),
            lambda a, b: _dominates(a, b, idom, entry))


def _intersect(a, b, idom, rpo):
    while a is not b:
        while rpo[id(a)] > rpo[id(b)]:
            a = idom[id(a)]
        while rpo[id(b)] > rpo[id(a)]:
            b = idom[id(b)]
    return a


def _dominates(h, b, idom, entry) -> bool:
    while True:
        if b is h:
            return True
        if b is entry:
            return False
        b = idom[id(b)]


# ---- what may be hoisted ------------------------------------------------------

def _is_hoistable(op: ir.Op) -> bool:
    """A checked global (or a checked attribute of a global module: ``math.sqrt``),
    or a check of recursion headroom for inlined leaf calls."""
    return op.kind == "guard_depth" or op.kind in ("load_global", "getattr") and \
        "expect" in op.attrs and op.attrs.get("borrow") and \
        (op.unwind is None or op.unwind.handler is None)


def _leaf_call(op: ir.Op) -> bool:
    """A call the lowering makes to a copy of a leaf callee inlined here (one that
    calls nothing: see lower.enter_recursion), whose headroom check moves out of a
    quiet loop: nothing in it can change the depth or the limit, but a tick."""
    spec = op.attrs.get("inline")
    if op.kind != "direct_call" or spec is None or op.attrs.get("recursive") or \
            op.attrs.get("depth_checked") or spec.native is None or \
            capi.RECURSION_COUNTER is None:
        return False
    return ir.is_leaf(spec.native.ir)


def _hoistable(fn, header, body, producers, stores) -> list[ir.Op]:
    """The guards of a quiet loop that can move to its preheader; [] for a noisy loop
    or one whose header has no frame state to resume at."""
    blocks = [b for b in fn.blocks if id(b) in body]
    guards = [op for b in blocks for op in b.ops if _is_hoistable(op)]
    # a module's attribute moves only with its module's load (or from outside the loop)
    made_inside = {r.id for b in blocks for op in b.ops for r in op.results} | \
        {p.id for b in blocks for p in b.params}
    moving = {g.result.id for g in guards if g.kind == "load_global"}
    guards = [g for g in guards if g.kind in ("load_global", "guard_depth") or
              g.args[0].id not in made_inside or g.args[0].id in moving]
    leaf_calls = any(_leaf_call(op) for b in blocks for op in b.ops)
    if not (guards or leaf_calls) or _header_state(header) is None or \
            header in fn.handler_blocks:
        return []
    for b in blocks:
        for op in b.ops:
            if not (_quiet(op) or op.kind == "check_signals" or _is_hoistable(op)
                    or _quiet_special(fn, op, producers, 0, stores)):
                return []
    if leaf_calls:
        guards.append(ir.Op("guard_depth", [], [], {}, offset=header.offset))
    return guards


def _quiet(op: ir.Op) -> bool:
    """A quiet op; a division that raises to a handler is not (its unwind releases
    what the stack holds, which may run a __del__, and the loop goes on)."""
    return op.kind in QUIET_OPS and (op.unwind is None or op.unwind.handler is None
                                     or op.kind == "box")


def _numeric_item_stores(fn) -> set[int]:
    """ids of the ``xs[i] = <double>`` ops whose old item is an exact float or int
    (whose release runs nothing): read in the same block (ir.loaded_items) and
    unboxed since, which checked that it is one."""
    loaded = ir.loaded_items(fn)
    found = set()
    for b in fn.blocks:
        unboxed = set()
        for op in b.ops:
            if op.kind in ("unbox_float", "unbox_int"):
                unboxed.add(op.args[0].id)
            elif op.kind == "seq_setitem_float" and id(op) in loaded and \
                    loaded[id(op)].result.id in unboxed:
                found.add(id(op))
    return found


def _quiet_special(fn, op, producers, depth, numeric_stores) -> bool:
    """Whether an op outside QUIET_OPS is quiet as used here."""
    kind = op.kind
    if kind == "seq_setitem_float":    # (an index out of range raises: a leave)
        return id(op) in numeric_stores and (op.unwind is None or op.unwind.handler is None)
    if kind == "store_local":      # an object local's old value could run a __del__
        return fn.slot_types[op.attrs["slot"]] not in (OBJ, NOBJ)
    if kind == "decref":
        v = op.args[0]
        made = producers.get(v.id)
        return bool(v.borrowed) or (made is not None and made.kind in ("null", "box"))
    if kind in ("load_global", "getattr"):     # (a checked one runs no Python code)
        return "expect" in op.attrs
    if kind == "seq_getitem":
        return op.attrs.get("exact") in ("list", "tuple") and op.args[1].type == I64
    if kind == "direct_call":
        return _quiet_callee(op, depth)
    return False


def _quiet_callee(op, depth) -> bool:
    """A call the lowering makes to a copy of the callee inlined here, returning an
    unboxed number, of code that is quiet itself. (Its ordinary-call path, taken
    when an argument fails the call's type checks, gives an object: a strict call
    deoptimises then.)"""
    spec = op.attrs.get("inline")
    if spec is None or op.attrs.get("recursive") or op.attrs.get("items") or \
            depth >= MAX_CALLEE_DEPTH or \
            len(op.results) != 1 or op.results[0].type not in (I64, F64):
        return False
    if spec.native is None:
        return False
    callee = spec.native.ir
    producers = {r.id: o for b in callee.blocks for o in b.ops for r in o.results}
    stores = _numeric_item_stores(callee)
    return all(o.kind in QUIET_CALLEE_OPS or
               _quiet_special(callee, o, producers, depth + 1, stores)
               for b in callee.blocks for o in b.ops)


def _header_state(header: ir.Block):
    """The frame state at the header's start: its offset and its parameters as the
    operand stack, checked against the first op that records one."""
    if header.offset is None:
        return None
    for op in header.ops:
        if op.state is not None:
            resume, stack = op.state
            if resume == header.offset and len(stack) == len(header.params) and \
                    all(a is b for a, b in zip(stack, header.params)):
                return op.state
            return None
    return None


# ---- the move -----------------------------------------------------------------

def _hoist(fn, header, body, guards):
    pre = _preheader(fn, header, body)
    stack = list(pre.params)
    owned = [p for p in stack if p.type in (OBJ, NOBJ) and not p.borrowed]
    for g in guards:
        _remove(fn, g)
        offset = g.unwind.offset if g.unwind is not None else g.offset
        g.unwind = ir.Unwind(None, [], list(owned), offset=offset)
        g.state = (header.offset, stack)
        g.attrs["hoisted"] = True
        pre.ops.insert(len(pre.ops) - 1, g)
    values = tuple(g.result for g in guards if g.results)
    depth = any(g.kind == "guard_depth" for g in guards)
    for b in fn.blocks:
        if id(b) not in body:
            continue
        for op in b.ops:
            if op.kind == "check_signals":
                old = op.attrs.get("revalidate", ())
                op.attrs["revalidate"] = old + tuple(v for v in values if v not in old)
                if depth:
                    op.attrs["revalidate_depth"] = True
            elif op.kind == "direct_call":
                op.attrs["strict"] = True
                if depth and _leaf_call(op):
                    op.attrs["depth_checked"] = True


def _remove(fn, op):
    """Take ``op`` out of its block (to go to a preheader)."""
    for b in fn.blocks:
        if op in b.ops:
            b.ops.remove(op)
            return


def _preheader(fn, header, body) -> ir.Block:
    """A block that every edge into the loop from outside now goes through (the one
    made before, if it still is)."""
    outside = [b for b in header.preds if id(b) not in body]
    if len(outside) == 1 and outside[0].label == f"{header.label}{PRE}":
        return outside[0]
    pre = ir.Block(f"{header.label}{PRE}", header.offset)
    for p in header.params:
        q = fn.new_param(pre, p.type)
        q.hint, q.borrowed = p.hint, p.borrowed
    pre.ops.append(ir.Op("br", [], [], {}, offset=header.offset,
                         targets=[(header, list(pre.params))]))
    outside = []
    for b in fn.blocks:
        if id(b) in body:
            continue
        for op in b.ops:
            if any(t is header for t, _ in op.targets):
                op.targets = [(pre if t is header else t, args) for t, args in op.targets]
                if b not in outside:
                    outside.append(b)
    pre.preds = outside
    header.preds = [p for p in header.preds if p not in outside] + [pre]
    fn.blocks.insert(fn.blocks.index(header), pre)
    return pre


def _drop_empty_preheaders(fn):
    """Preheaders whose guards all moved further out: their edges go to the header again."""
    for pre in [b for b in fn.blocks if b.label.endswith(PRE) and len(b.ops) == 1]:
        (header, _), = pre.ops[0].targets      # (it passes its parameters on as they are)
        for b in pre.preds:
            for op in b.ops:
                op.targets = [(header if t is pre else t, args) for t, args in op.targets]
        header.preds = [p for p in header.preds if p is not pre] + pre.preds
        fn.blocks.remove(pre)


# ---- range guards for conditional arms --------------------------------------------

ARM_SLACK = 2 ** 20     # what a guarded product leaves for a small constant added after


def guard_arms(fn: ir.Function) -> int:
    """``x * c`` (a constant c) in one arm of a two-way branch, x a local loaded in
    the branching block too: the product's overflow test becomes a range guard on x
    in the branching block, before its last op, whose frame state the guard takes
    (a failure deopts there: the interpreter then takes the branch itself). The arm
    then has no exit but its branch, so LLVM can turn a diamond such as
    ``x = x // 2 if x % 2 == 0 else 3 * x + 1`` into straight-line code. The guard
    leaves ARM_SLACK below the 64-bit bounds, so `3 * x + 1` needs no test either
    (jit/ranges.py reads the product's interval from the op). How many are moved."""
    preds: dict[int, list] = {}
    for b in fn.blocks:
        for t in _successors(b):
            preds.setdefault(id(t), []).append(b)
    moved = 0
    for b in fn.blocks:
        term = b.terminator
        if term is None or term.kind != "cbr" or b in fn.handler_blocks:
            continue
        anchor = next((i for i in range(len(b.ops) - 2, -1, -1) if b.ops[i].state is not None),
                      None)
        if anchor is None or "release" in b.ops[anchor].attrs:
            continue     # (a deopt there releases values the guard's would have to)
        loaded = _loaded_at(b.ops[:anchor])
        for arm in {id(t): t for t, _ in term.targets}.values():
            if arm is b or len(preds.get(id(arm), ())) != 1 or arm in fn.handler_blocks:
                continue
            for op, value, (lo, hi), c in _guardable(fn, arm, loaded):
                guard = ir.Op("guard_range", [value], attrs={"lo": lo, "hi": hi},
                              offset=op.offset, state=b.ops[anchor].state)
                b.ops.insert(anchor, guard)
                anchor += 1
                op.attrs["guarded"] = tuple(sorted((lo * c, hi * c)))
                moved += 1
    return moved


def _loaded_at(ops) -> dict:
    """slot -> the value a load_local among ``ops`` read, if no later op stores it."""
    loaded = {}
    for op in ops:
        if op.kind == "load_local" and op.results[0].type == I64:
            loaded[op.attrs["slot"]] = op.results[0]
        elif "slot" in op.attrs:
            loaded.pop(op.attrs["slot"], None)
    return loaded


def _guardable(fn, arm, loaded):
    """(op, the branching block's value of its operand, the operand's range, c) for
    each ``x * c`` in ``arm`` whose x is a load of a slot in ``loaded`` that the arm
    has not stored to before."""
    stored: set[int] = set()
    consts, loads = {}, {}
    for op in arm.ops:
        if op.kind == "const" and op.results[0].type == I64:
            consts[op.results[0].id] = op
        elif op.kind == "load_local" and op.attrs["slot"] not in stored:
            loads[op.results[0].id] = op.attrs["slot"]
        elif "slot" in op.attrs:
            stored.add(op.attrs["slot"])
        if op.kind != "int_op" or op.attrs["op"] != "*" or op.state is None:
            continue
        for x, k in (op.args, op.args[::-1]):
            slot = loads.get(x.id)
            if k.id not in consts or slot not in loaded:
                continue
            c = fn.consts[consts[k.id].attrs["index"]]
            if type(c) is not int or c in (-1, 0, 1, 2):
                continue
            yield op, loaded[slot], factor_range(c, I64_MIN + ARM_SLACK, I64_MAX - ARM_SLACK), c
            break
