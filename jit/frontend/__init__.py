"""decode: a code object -> neutral instructions (one dialect per CPython version)."""
from __future__ import annotations

import sys

from ..errors import UnsupportedError
from .neutral import Bytecode, ExceptionEntry, Instr

if sys.version_info[:2] == (3, 11):
    from . import dialect311 as dialect
else:  # the other versions' dialects are separate issues
    dialect = None


def decode(code) -> Bytecode:
    if dialect is None:
        raise UnsupportedError(f"CPython {sys.version_info[0]}.{sys.version_info[1]} has no bytecode "
                               "dialect yet", opcode=None, lineno=getattr(code, "co_firstlineno", None))
    return dialect.decode(code)


def supported_opcodes() -> frozenset[str]:
    return frozenset() if dialect is None else dialect.SUPPORTED


__all__ = ["decode", "Bytecode", "Instr", "ExceptionEntry", "supported_opcodes"]
