"""borrow: drop reference counting on objects that cannot die while they are used.

Every ``obj`` value owns a reference (see ``ir``). For a constant, or a local's
object read while the local keeps it, that reference is redundant: the code's
constants table, or the frame slot, holds the object for as long as the value
is used. Such a value is marked *borrowed*: the op producing it takes no new
reference (``borrow=True``) and every release of it is skipped, including
the ``decref`` the builder emitted.

A value qualifies when, within the block that defines it, it is released by
exactly one ``decref`` more than it is copied (``incref``, from COPY: the
augmented ``xs[i] += v`` copies ``xs``), nothing else takes ownership of it (no
stealing op, no block argument or handler value), and, for a local, no store
or deletion of that local comes before its last ``decref`` (arbitrary code run
by an op in between cannot rebind a fast local: compiled code has no frame to
write). Its copies' increfs go too.

A list or tuple item read by ``seq_getitem`` is *lent* when, until its
release, only ops that run no Python code use it (unboxing, comparisons), or a
truth test as its last use (which holds it around a ``__bool__`` call), and
the container is not released before that use (it keeps the item alive).
Read generically (not an exact list or tuple, or out of range) it is owned
after all, and its release stays (through ``.own``, null on the fast path).

A global loaded only to be checked against the callee a specialised call was
compiled for (``guard_callee``) qualifies too, when nothing between the load
and the check can run Python code (so the dict still holds it there): past the
check it is that callee, which the code's constants hold. So does a global
released before anything could run Python code (``G * x`` of a float constant G:
unboxed, then released). So does the same
check of an attribute of a global (``math.sqrt``): the global is borrowed
when the attribute load is its only use (``protect``: the load's generic path,
which may run Python code, holds a reference meanwhile), and the attribute is
lent (borrowed where the module's dict, the instance's values or its member
hold it, owned where the generic path made it) until its check.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from . import ir
from .ir import OBJ

# ops that run no Python code and free nothing (they may deoptimise: the frame
# state then takes its own references)
PURE = {"const", "load_local", "null", "int_op", "float_op", "int_cmp", "float_cmp", "num_in",
        "unbox_int", "unbox_float", "int_to_float", "int_truediv", "int_unary",
        "float_unary", "num_truth", "box", "num_call"}


def borrow(fn: ir.Function) -> int:
    """Mark borrowable values of ``fn`` in place; the number marked."""
    n = sum(_borrow_block(blk) for blk in fn.blocks)
    for blk in fn.blocks:
        _move_into_lists(blk)
    _lend_compares(fn)
    return n


def _lend_compares(fn: ir.Function):
    """A comparison whose result only a truth test reads, then releases (``if a ==
    b:``), is lent: its inline result is the True or False singleton, which needs no
    reference of its own for that (two refcount updates less per test). (The test's
    frame state holds it too, but a truth test never deoptimises.)"""
    uses = ir.use_counts(fn)
    for blk in fn.blocks:
        for op, test, release in zip(blk.ops, blk.ops[1:], blk.ops[2:]):
            if op.kind != "compare" or op.result.borrowed:
                continue
            r = op.result
            if test.kind == "truth" and test.args == [r] and release.kind == "decref" \
                    and release.args == [r] and uses.get(r.id) == 2:
                op.result.borrowed = "lent"


def _move_into_lists(blk: ir.Block):
    """``xs[i] = v`` followed at once by v's release hands the list v's own reference
    (``steal``) instead of taking one and dropping v's: two refcount updates less."""
    drop = set()
    for i, (op, nxt) in enumerate(zip(blk.ops, blk.ops[1:])):
        if op.kind == "seq_setitem" and nxt.kind == "decref" and i not in drop:
            v = op.args[2]
            if nxt.args[0] is v and v.type == OBJ and not v.borrowed:
                op.attrs["steal"] = True
                drop.add(i + 1)
    if drop:
        blk.ops = [op for i, op in enumerate(blk.ops) if i not in drop]


def _borrow_block(blk: ir.Block) -> int:
    # value id -> [producing op, its local slot (None otherwise), decref indices,
    # incref indices]: the value is open until it has one decref more than increfs
    live: dict[int, list] = {}
    spoiled: set[int] = set()
    unguarded: set[int] = set()     # global loads not yet checked by their guard
    attr_receivers: set[int] = set()   # globals whose attribute was loaded (their last use)
    items: dict[int, int] = {}      # items read and still in use -> their container
    closed: set[int] = set()        # items past their last use (a truth test)
    needs: dict[int, int] = {}      # item -> container released while it was in use
    for i, op in enumerate(blk.ops):
        if op.kind == "decref":
            vid = op.args[0].id
            entry = live.get(vid)
            if entry is not None:
                entry[2].append(i)
            unguarded.discard(vid)   # released before any op could run Python code
            items.pop(vid, None)
            closed.discard(vid)
            # the container may die here, unless the frame slot or the constants
            # keep it (it is borrowed itself): decided once the block is read
            for item, box in items.items():
                if box == vid:
                    needs[item] = vid
            continue
        if op.kind == "guard_callee" and op.args[1].id in unguarded:
            unguarded.discard(op.args[1].id)
            continue
        args = {a.id for a in op.args if isinstance(a, ir.Value)}
        spoiled |= args & attr_receivers     # used again past its attribute load
        receiver = op.args[0].id if op.kind == "getattr" else None
        if receiver in unguarded:            # a global's attribute, to be checked
            unguarded.discard(receiver)
            attr_receivers.add(receiver)
        spoiled |= args & closed
        if op.kind == "truth" and args <= items.keys():
            closed |= args          # its last use: held around a __bool__ call
            for item in args:
                del items[item]
            spoiled |= items.keys() | unguarded
            items.clear()
            unguarded.clear()
        elif op.kind not in PURE and not (op.kind == "seq_getitem" and op.attrs.get("exact")):
            # (indexing an exact list or tuple runs no Python code, even out of range)
            spoiled |= items.keys() | unguarded
            items.clear()
            unguarded.clear()
        taken = []
        if op.kind == "incref":    # a copy (COPY): one more decref to match
            for a in op.args:
                entry = live.get(a.id)
                if entry is not None and len(entry[2]) <= len(entry[3]):
                    entry[3].append(i)
                else:
                    taken.append(a)
        taken += [op.args[k] for k in ir.STEALS.get(op.kind, ())]
        taken += [a for _, targs in op.targets for a in targs]
        if op.unwind is not None:
            taken += op.unwind.keep
        spoiled.update(a.id for a in taken)
        if op.kind in ("store_local", "delete_local"):
            slot = op.attrs["slot"]
            spoiled.update(vid for vid, (_, s, decs, incs) in live.items()
                           if s == slot and len(decs) <= len(incs))
        if not op.results or op.result.type != OBJ:
            continue
        if op.kind in ("const", "load_local") or op.kind == "getattr" and "expect" in op.attrs:
            # (a checked module attribute is a constant: lower._getattr_expected)
            live[op.result.id] = [op, op.attrs.get("slot"), [], []]
        elif op.kind == "load_global":
            live[op.result.id] = [op, None, [], []]
            if "expect" not in op.attrs:     # (else checked there: a constant)
                unguarded.add(op.result.id)
        elif op.kind == "seq_getitem":
            live[op.result.id] = [op, None, [], []]
            items[op.result.id] = op.args[0].id
        elif receiver in attr_receivers:
            live[op.result.id] = [op, None, [], []]
            unguarded.add(op.result.id)
    spoiled |= unguarded | items.keys() | closed      # not released in this block
    # released exactly: one decref more than increfs (a lent item: no increfs)
    spoiled.update(vid for vid, (_, _, decs, incs) in live.items()
                   if len(decs) != len(incs) + 1)
    drop = set()
    lent_kinds = ("seq_getitem", "getattr")
    for vid, (op, _, decs, incs) in live.items():
        if vid in spoiled or op.kind in lent_kinds and "expect" not in op.attrs:
            continue
        op.attrs["borrow"] = True
        op.result.borrowed = True
        drop.update(decs + incs)
    for blk_op in blk.ops:
        if blk_op.kind == "getattr" and blk_op.args[0].borrowed is True and \
                blk_op.args[0].id in attr_receivers:
            blk_op.attrs["protect"] = True
    for vid, (op, _, decs, incs) in live.items():
        if vid in spoiled or incs or op.kind not in lent_kinds or "expect" in op.attrs:
            continue
        box = needs.get(vid)
        if box is not None and (box not in live or live[box][0].result.borrowed is not True):
            continue
        op.attrs["borrow"] = True
        op.result.borrowed = "lent"     # its decref stays, for the generic path
    if drop:
        blk.ops = [op for i, op in enumerate(blk.ops) if i not in drop]
        for op in blk.ops:
            if op.unwind is not None:
                op.unwind.drop = [d for d in op.unwind.drop if d.borrowed is not True]
    return len(drop)
