"""cfg: neutral instructions -> basic blocks with normal and exception edges."""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from dataclasses import dataclass, field

from .frontend.neutral import Bytecode, Instr

# Ops after which control never falls through.
NO_FALLTHROUGH = {"JUMP", "RETURN_VALUE", "RAISE_VARARGS", "RERAISE"}
BRANCHES = {"JUMP", "POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_NONE",
            "POP_JUMP_IF_NOT_NONE", "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP",
            "FOR_ITER", "SEND"}


@dataclass(eq=False)
class BasicBlock:
    start: int                      # offset of the first instruction
    instrs: list[Instr]
    succs: list[int] = field(default_factory=list)       # normal successors (offsets)
    handlers: list[int] = field(default_factory=list)    # exception handler targets

    def __repr__(self):
        return f"B{self.start}"


@dataclass
class CFG:
    bytecode: Bytecode
    blocks: dict[int, BasicBlock]   # by start offset, in code order

    def __str__(self):
        out = []
        for b in self.blocks.values():
            succ = ", ".join(f"B{s}" for s in b.succs)
            exc = ", ".join(f"B{s}" for s in b.handlers)
            out.append(f"B{b.start}: -> [{succ}]" + (f" except -> [{exc}]" if exc else ""))
            out.extend(f"    {ins}" for ins in b.instrs)
        return "\n".join(out)


def build_cfg(bc: Bytecode) -> CFG:
    instrs = bc.instrs
    leaders = {instrs[0].start}
    for i, ins in enumerate(instrs):
        if ins.target is not None:
            leaders.add(ins.target)
        if (ins.op in BRANCHES or ins.op in NO_FALLTHROUGH) and i + 1 < len(instrs):
            leaders.add(instrs[i + 1].start)
    for e in bc.exception_table:
        leaders.add(e.target)
    blocks: dict[int, BasicBlock] = {}
    current = None
    for i, ins in enumerate(instrs):
        if ins.start in leaders:
            current = blocks[ins.start] = BasicBlock(ins.start, [])
        current.instrs.append(ins)
    order = list(blocks.values())
    for i, blk in enumerate(order):
        last = blk.instrs[-1]
        if last.target is not None:
            blk.succs.append(last.target)
        if last.op not in NO_FALLTHROUGH:
            # None: control falls off the end of the code (rejected by the SSA builder)
            blk.succs.insert(0, order[i + 1].start if i + 1 < len(order) else None)
        seen = set()
        for ins in blk.instrs:
            h = bc.handler_for(ins.offset)
            if h is not None and h.target not in seen:
                seen.add(h.target)
                blk.handlers.append(h.target)
    return CFG(bc, blocks)
