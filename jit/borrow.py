"""borrow: drop reference counting on objects that cannot die while they are used.

Every ``obj`` value owns a reference (see ``ir``). For a constant, or a local's
object read while the local keeps it, that reference is redundant: the code's
constants table, or the frame slot, holds the object for as long as the value
is used. Such a value is marked *borrowed*: the op producing it takes no new
reference (``borrow=True``) and every release of it is skipped, including
the ``decref`` the builder emitted.

A value qualifies when, within the block that defines it, it is released by
exactly one ``decref``, nothing else takes ownership of it (no ``incref``, no
stealing op, no block argument or handler value), and, for a local, no store
or deletion of that local comes before the ``decref`` (arbitrary code run by an
op in between cannot rebind a fast local: compiled code has no frame to write).
"""
from __future__ import annotations

from . import ir
from .ir import OBJ


def borrow(fn: ir.Function) -> int:
    """Mark borrowable values of ``fn`` in place; the number marked."""
    return sum(_borrow_block(blk) for blk in fn.blocks)


def _borrow_block(blk: ir.Block) -> int:
    # value id -> [producing op, its local slot (None for a constant), decref index]
    live: dict[int, list] = {}
    spoiled: set[int] = set()
    for i, op in enumerate(blk.ops):
        if op.kind == "decref":
            entry = live.get(op.args[0].id)
            if entry is not None and entry[2] is None:
                entry[2] = i
            continue
        taken = [a for a in op.args if isinstance(a, ir.Value)] if op.kind == "incref" else []
        taken += [op.args[k] for k in ir.STEALS.get(op.kind, ())]
        taken += [a for _, targs in op.targets for a in targs]
        if op.unwind is not None:
            taken += op.unwind.keep
        spoiled.update(a.id for a in taken)
        if op.kind in ("store_local", "delete_local"):
            slot = op.attrs["slot"]
            spoiled.update(vid for vid, (_, s, end) in live.items() if s == slot and end is None)
        if op.kind in ("const", "load_local") and op.results and op.result.type == OBJ:
            slot = op.attrs["slot"] if op.kind == "load_local" else None
            live[op.result.id] = [op, slot, None]
    drop = set()
    for vid, (op, _, end) in live.items():
        if end is None or vid in spoiled:
            continue
        op.attrs["borrow"] = True
        op.result.borrowed = True
        drop.add(end)
    if drop:
        blk.ops = [op for i, op in enumerate(blk.ops) if i not in drop]
        for op in blk.ops:
            if op.unwind is not None:
                op.unwind.drop = [d for d in op.unwind.drop if not d.borrowed]
    return len(drop)
