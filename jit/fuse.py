"""fuse: an exchange of two items of an exact list becomes one op.

``xs[i], xs[j] = xs[j], xs[i]`` reads both items (a reference each) and stores
them back (each store releasing the item it replaces): six refcount updates on
two objects, which chain through memory when a loop keeps moving the same
items (a sort, a permutation). One ``seq_swap`` op exchanges the two pointers
instead: the list's references just change places.

The four ops fuse when, within one block, nothing between them but reads of
locals, constants and the index arithmetic runs (so nothing else can see the
list meanwhile), the four name one list (the same local, an exact list) and
two indexes (the same local, constant or arithmetic of them, read while no
store changes those locals), and the items read are used only by the two
stores. The fused op runs where the last store was, checking both indexes
first; an index out of range (or negative) deoptimises to the first read,
before anything was done, and the interpreter raises what it raises.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from . import ir

# ops that may lie between the four (reading, never deoptimising; index arithmetic
# too, when it repeats an index already computed: dropped)
BETWEEN = {"load_local", "const"}


def fuse_swaps(fn: ir.Function) -> int:
    """Fuse the item exchanges of ``fn`` in place; how many."""
    uses = ir.use_counts(fn)
    return sum(_fuse_block(fn, blk, uses) for blk in fn.blocks)


def _fuse_block(fn, blk, uses) -> int:
    fused = 0
    i = 0
    while i < len(blk.ops):
        span = _swap_at(fn, blk.ops, i, uses)
        if span is None:
            i += 1
            continue
        end, removed, op, stays = span
        window = blk.ops[i:end + 1]
        gone = {id(o) for o in removed}
        used_by_removed = _use_counts_in(removed)
        # (reads only the removed ops used go too: the temporary's read)
        needed = {v.id for v in op.args + list(op.state[1])}
        kept = [o for o in window if id(o) not in gone and (id(o) in stays or (
            o.kind in BETWEEN and not (o.results and o.result.id not in needed and
                                       used_by_removed.get(o.result.id, 0) ==
                                       uses.get(o.result.id, 0))))]
        blk.ops[i:end + 1] = kept + [op]
        fused += 1
        i += 1
    return fused


def _swap_at(fn, ops, start, uses):
    """(index of the last op, the ops it replaces, the seq_swap op, ids of the ops
    of the window that stay before it) when ops[start] begins an exchange."""
    first = ops[start]
    if not _is_list_read(first):
        return None
    reads, stores, dropped, temp = [first], [], [], None
    for k in range(start + 1, len(ops)):
        op = ops[k]
        if op.kind in BETWEEN:
            if op.unwind is not None:
                return None     # (a read that may raise: its unwind releases the items)
            continue
        if op.kind == "int_op":
            dropped.append(op)       # (only if it repeats an index: checked at the end)
            continue
        if op.kind == "store_local" and temp is None and len(reads) == 1 and \
                op.args[0] is first.result:
            temp = op                # t = xs[i] (then xs[i] = xs[j]; xs[j] = t)
            continue
        if len(reads) == 1 and _is_list_read(op):
            reads.append(op)
            continue
        if len(reads) == 2 and op.kind == "seq_setitem" and op.attrs.get("exact") == "list":
            stores.append(op)
            if len(stores) == 2:
                return _match(fn, ops, k, reads, stores, dropped, temp, uses)
            continue
        return None
    return None


def _match(fn, ops, end, reads, stores, dropped, temp, uses):
    keys = _Keys(fn, ops, end)
    lists = {keys.of(op.args[0]) for op in reads + stores}
    if len(lists) != 1 or lists.pop()[0] != "L":
        return None
    if any(op.args[1].type != ir.I64 for op in reads + stores):
        return None
    index = [keys.of(r.args[1]) for r in reads]
    if index[0] == index[1] or "V" in (index[0][0], index[1][0]):
        return None       # (the same index twice: no exchange to speak of)
    # each store puts one read's item at the other read's index: its own reference
    # (stolen), or the temporary's (the store takes one more)
    which = []
    for store in stores:
        src = _source(store, reads, temp, keys)
        if src is None or keys.of(store.args[1]) != index[1 - src]:
            return None
        which.append(src)
    if sorted(which) != [0, 1]:
        return None
    for r in reads:
        if uses.get(r.result.id) != 1:
            return None      # (the items go nowhere else; the stores' unwinds drop them)
    # arithmetic in between only recomputes a store's index (computed before: so it
    # cannot deoptimise here), used by that store alone
    for op in dropped:
        if uses.get(op.result.id, 0) != 1 or not any(op.result is s.args[1] for s in stores):
            return None
    i, j = reads[0].args[1], reads[1].args[1]
    if temp is None:
        # nothing has happened before the last store: the op stands for all four,
        # and deoptimises to the first read
        op = ir.Op("seq_swap", [stores[0].args[0], i, j], [], {},
                   offset=reads[0].offset, state=reads[0].state)
        return end, reads + stores + dropped, op, set()
    # t = xs[i] stays as it is (storing t releases its old value, which may run
    # anything, even change xs): the op stands for the rest, from the second read
    # (deoptimising there), and exchanges the items only while xs[i] is still
    # the one t holds
    op = ir.Op("seq_swap", [stores[0].args[0], i, j, reads[0].result], [], {},
               offset=reads[1].offset, state=reads[1].state)
    return end, reads[1:] + stores + dropped, op, {id(reads[0]), id(temp)}


def _source(store, reads, temp, keys):
    """Which read's item ``store`` stores (0 or 1), or None."""
    v = store.args[2]
    for n, r in enumerate(reads):
        if v is r.result and store.attrs.get("steal"):
            return n
    if temp is not None and not store.attrs.get("steal") and \
            keys.reads_slot(v, after=temp) == temp.attrs["slot"]:
        return 0
    return None


def _is_list_read(op) -> bool:
    return op.kind == "seq_getitem" and op.attrs.get("exact") == "list" and \
        not op.result.borrowed


class _Keys:
    """What a value is, as far as the exchange cares: equal keys, equal values. A
    local read in this block that no store changes before ``end``, a constant, int
    arithmetic of such; anything else is itself."""

    def __init__(self, fn, ops, end):
        self.fn = fn
        self.at = {r.id: (k, op) for k, op in enumerate(ops) for r in op.results}
        self.ops, self.end = ops, end

    def reads_slot(self, v, after):
        """The local ``v`` is read from in this block after op ``after``, or None."""
        found = self.at.get(v.id)
        if found is None or found[1].kind != "load_local" or \
                found[0] < next(k for k, o in enumerate(self.ops) if o is after):
            return None
        return found[1].attrs["slot"]

    def of(self, v):
        found = self.at.get(v.id)
        if found is None:
            return ("V", v.id)
        k, op = found
        if op.kind == "load_local":
            slot = op.attrs["slot"]
            if any(o.kind in ("store_local", "delete_local") and o.attrs["slot"] == slot
                   for o in self.ops[k:self.end]):
                return ("V", v.id)
            return ("L", slot)
        if op.kind == "const":
            c = self.fn.consts[op.attrs["index"]]
            return ("C", type(c), c)
        if op.kind == "int_op":
            a, b = self.of(op.args[0]), self.of(op.args[1])
            if "V" in (a[0], b[0]):
                return ("V", v.id)
            return ("op", op.attrs["op"], a, b)
        return ("V", v.id)


def _use_counts_in(ops) -> dict:
    counts: dict[int, int] = {}
    for op in ops:
        for v in op.args:
            if isinstance(v, ir.Value):
                counts[v.id] = counts.get(v.id, 0) + 1
    return counts
