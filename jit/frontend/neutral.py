"""Neutral instructions: what every per-version dialect decodes into.

Everything after decoding (cfg, ssa, lowering) sees only these, never a
version-specific opcode. Names follow CPython 3.11 where that is neutral
enough; the differences the dialects remove:

- jumps carry an absolute ``target`` offset; forward/backward variants are
  one op (JUMP, POP_JUMP_IF_FALSE, ...), ``backward`` says whether the
  interpreter would check for signals there;
- CACHE, EXTENDED_ARG, PRECALL and RESUME disappear (RESUME/PRECALL become NOP
  so offsets stay addressable); KW_NAMES is folded into the CALL after it;
- LOAD_GLOBAL's NULL bit, COMPARE_OP's operator, BINARY_OP's operator and
  local/cell indices are decoded into ``argval``.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from dataclasses import dataclass, field


@dataclass(slots=True)
class Instr:
    op: str                 # neutral operation name
    arg: int | None         # decoded integer argument (after EXTENDED_ARG)
    argval: object          # resolved argument (name, constant, operator, ...)
    start: int              # offset of the first code unit (incl. EXTENDED_ARG prefixes)
    offset: int             # offset of the opcode itself (what tracebacks call lasti)
    end: int                # offset of the next instruction (after inline caches)
    opname: str             # the original opcode name, for coverage and messages
    line: int | None = None
    target: int | None = None     # absolute jump target, for branches
    backward: bool = False        # a loop back-edge: check for signals
    extra: dict = field(default_factory=dict)

    def __str__(self):
        arg = "" if self.arg is None else f" {self.arg}"
        val = ""
        if self.target is not None:
            val = f" (to {self.target})"
        elif self.argval is not None and self.argval != self.arg:
            val = f" ({self.argval!r})"
        return f"{self.start:>5} {self.op}{arg}{val}"


@dataclass(slots=True, frozen=True)
class ExceptionEntry:
    start: int   # first covered offset
    end: int     # one past the last covered offset
    target: int  # handler offset
    depth: int   # stack depth the handler restores
    lasti: bool  # push the offset of the raising instruction before the exception


@dataclass(slots=True)
class Bytecode:
    """A decoded code object: instructions, exception table and metadata."""
    code: object
    instrs: list[Instr]
    exception_table: list[ExceptionEntry]
    by_start: dict[int, Instr]

    def handler_for(self, offset: int) -> ExceptionEntry | None:
        for entry in self.exception_table:
            if entry.start <= offset < entry.end:
                return entry
        return None

    def listing(self) -> str:
        lines = []
        last_line = None
        for ins in self.instrs:
            prefix = f"{ins.line:>4}" if ins.line != last_line and ins.line is not None else "    "
            last_line = ins.line
            lines.append(f"{prefix} {ins}")
        if self.exception_table:
            lines.append("ExceptionTable:")
            for e in self.exception_table:
                lines.append(f"  {e.start} to {e.end} -> {e.target} [{e.depth}]{' lasti' if e.lasti else ''}")
        return "\n".join(lines)
