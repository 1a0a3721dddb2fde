"""Deoptimisation: finish a call in the interpreter from any instruction.

Specialised native code that cannot continue exactly (an int outgrew 64 bits,
a guessed type was wrong, a global was rebound) hands over its frame state:
the locals, the operand stack, and the offset of the instruction to run next.
We resume with a *continuation code object*: the function's own bytecode
behind a short prologue that pushes the stack values (passed as extra
arguments), unbinds the locals that were unbound, and jumps to the offset.
3.11 jumps are relative, so the original code needs no patching; only the
exception table (absolute offsets) is shifted and the line table gets a
"no location" prefix. The result runs at full interpreter speed, raises the
interpreter's own exceptions, and puts the original function's name, file and
line numbers in tracebacks. Continuations are cached per
(code, offset, stack depth, unbound locals, NULL stack slots).

Only code without cell or free variables is resumed this way (specialisation
is limited to such functions).
"""
from __future__ import annotations

import functools
import opcode
import types

from .helpers import UNBOUND


class _Null:
    def __repr__(self):
        return "<NULL stack slot>"


NULL = _Null()   # a NULL operand-stack slot (PUSH_NULL / LOAD_METHOD) in a deopt state

_OP = opcode.opmap
CO_VARARGS, CO_VARKEYWORDS = 0x04, 0x08
_NO_LOCATION = 15     # 3.11 location-table code: no line


def _instr(name: str, arg: int = 0) -> bytes:
    """One instruction with EXTENDED_ARG prefixes as needed (no inline caches:
    only used for opcodes that have none)."""
    out = b""
    for shift in (24, 16, 8):
        if arg >> shift:
            out += bytes((_OP["EXTENDED_ARG"], (arg >> shift) & 0xFF))
    return out + bytes((_OP[name], arg & 0xFF))


def _varint(value: int, first: bool) -> bytes:
    chunks = [value & 63]
    value >>= 6
    while value:
        chunks.append(value & 63)
        value >>= 6
    chunks.reverse()
    out = bytearray()
    for i, c in enumerate(chunks):
        out.append(c | (64 if i + 1 < len(chunks) else 0) | (128 if first and i == 0 else 0))
    return bytes(out)


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    b = data[i]
    value = b & 63
    while b & 64:
        i += 1
        b = data[i]
        value = (value << 6) | (b & 63)
    return value, i + 1


def _shift_exception_table(table: bytes, units: int) -> bytes:
    out = bytearray()
    i = 0
    while i < len(table):
        start, i = _read_varint(table, i)
        length, i = _read_varint(table, i)
        target, i = _read_varint(table, i)
        depth_lasti, i = _read_varint(table, i)
        out += _varint(start + units, True) + _varint(length, False)
        out += _varint(target + units, False) + _varint(depth_lasti, False)
    return bytes(out)


def _no_location(units: int) -> bytes:
    out = bytearray()
    while units:
        n = min(units, 8)
        out.append(0x80 | (_NO_LOCATION << 3) | (n - 1))
        units -= n
    return bytes(out)


@functools.lru_cache(maxsize=4096)
def continuation(code: types.CodeType, start: int, depth: int, unbound: frozenset,
                 nulls: frozenset) -> types.CodeType:
    """``code`` resumed at offset ``start``, called with (locals..., stack...)."""
    if code.co_cellvars or code.co_freevars:
        raise ValueError(f"{code.co_qualname}: cannot resume code with cells")
    if code.co_flags & 0x2A0:
        raise ValueError(f"{code.co_qualname}: cannot resume a generator or coroutine")
    n = code.co_nlocals
    prologue = _instr("RESUME", 0)
    for k in range(depth):
        prologue += _instr("PUSH_NULL") if k in nulls else _instr("LOAD_FAST", n + k)
    for i in sorted(unbound):
        prologue += _instr("DELETE_FAST", i)
    for k in range(depth):
        prologue += _instr("DELETE_FAST", n + k)
    # fixed-size jump: 3 EXTENDED_ARG + JUMP_FORWARD, relative to the next unit
    target = start // 2
    prologue += bytes((_OP["EXTENDED_ARG"], (target >> 24) & 0xFF,
                       _OP["EXTENDED_ARG"], (target >> 16) & 0xFF,
                       _OP["EXTENDED_ARG"], (target >> 8) & 0xFF,
                       _OP["JUMP_FORWARD"], target & 0xFF))
    units = len(prologue) // 2
    return code.replace(
        co_code=prologue + code.co_code,
        co_argcount=n + depth, co_posonlyargcount=0, co_kwonlyargcount=0,
        co_nlocals=n + depth,
        co_varnames=code.co_varnames + tuple(f".s{k}" for k in range(depth)),
        co_flags=code.co_flags & ~(CO_VARARGS | CO_VARKEYWORDS),
        co_stacksize=max(code.co_stacksize, depth) + 1,
        co_linetable=_no_location(units) + code.co_linetable,
        co_exceptiontable=_shift_exception_table(code.co_exceptiontable, units))


def resume(globals_: dict, code: types.CodeType, start: int, depth: int, values: tuple):
    """Run the rest of a call of ``code`` in the interpreter. ``values``: the
    co_nlocals locals (UNBOUND for unbound ones) then ``depth`` stack values
    (deepest first, NULL for NULL slots)."""
    n = code.co_nlocals
    unbound = frozenset(i for i in range(n) if values[i] is UNBOUND)
    nulls = frozenset(k for k in range(depth) if values[n + k] is NULL)
    cont = continuation(code, start, depth, unbound, nulls)
    fn = types.FunctionType(cont, globals_, code.co_name)
    return fn(*values)
