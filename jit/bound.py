"""bound: definite assignment of fast locals.

A ``load_local`` of a slot that is bound on every path to it cannot raise
UnboundLocalError, so it needs no unwind (and no unbound check when lowered:
for specialised slots that check is a deopt site). Parameters are bound at
entry; ``store_local`` binds a slot and ``delete_local`` unbinds it. Nothing
else can rebind a fast local of compiled code (it has no frame to write).

A forward data-flow problem over blocks, met by intersection: the state an
exception handler starts with is the meet of the states at every op that
unwinds to it.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from . import ir


def drop_bound_checks(fn: ir.Function, nparams: int) -> int:
    """Remove the unwind of every ``load_local`` whose slot is definitely bound;
    the number removed."""
    entry = fn.blocks[0]
    state_in: dict[int, int] = {id(entry): (1 << nparams) - 1}   # bit i: slot i bound
    work = [entry]
    while work:
        blk = work.pop()
        for succ, state in _edges(blk, state_in[id(blk)]):
            old = state_in.get(id(succ))
            new = state if old is None else old & state
            if new != old:
                state_in[id(succ)] = new
                work.append(succ)
    removed = 0
    for blk in fn.blocks:
        state = state_in.get(id(blk), 0)
        for op in blk.ops:
            if op.kind == "load_local" and op.unwind is not None and state >> op.attrs["slot"] & 1:
                op.unwind = None
                removed += 1
            state = _transfer(op, state)
    return removed


def _transfer(op: ir.Op, state: int) -> int:
    if op.kind == "store_local":
        return state | 1 << op.attrs["slot"]
    if op.kind == "delete_local":
        return state & ~(1 << op.attrs["slot"])
    return state


def _edges(blk: ir.Block, state: int):
    """(successor, the state it is reached with) for every edge out of ``blk``."""
    for op in blk.ops:
        if op.unwind is not None and op.unwind.handler is not None:
            yield op.unwind.handler, state      # raised before the op's own effect
        state = _transfer(op, state)
        for target, _ in op.targets:
            yield target, state
