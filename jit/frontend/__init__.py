"""decode: a code object -> neutral instructions (one dialect per CPython version)."""
from __future__ import annotations

import sys

from ..errors import UnsupportedError
from .neutral import Bytecode, ExceptionEntry, Instr

if sys.version_info[:2] == (3, 11):
    from . import dialect311 as dialect
    from . import fold311 as fold
else:  # the other versions' dialects are separate issues
    dialect = fold = None

# consumers of a generator expression that compiled code can fold it into, and the
# locals of folded code whose objects' identity counts (a min/max result)
FOLD_KINDS = fold.FOLDS if fold is not None else ()
IDENTITY_LOCALS = fold.IDENTITY_LOCALS if fold is not None else ()


def decode(code) -> Bytecode:
    if dialect is None:
        raise UnsupportedError(f"CPython {sys.version_info[0]}.{sys.version_info[1]} has no bytecode "
                               "dialect yet", opcode=None, lineno=getattr(code, "co_firstlineno", None))
    return dialect.decode(code)


def fold_genexpr(code, kind):
    """(a plain function's code folding the generator expression ``code`` as the
    builtin ``kind`` consumes it, the length of its step in code units), or None."""
    return None if fold is None else fold.fold_genexpr(code, kind)


def supported_opcodes() -> frozenset[str]:
    return frozenset() if dialect is None else dialect.SUPPORTED


__all__ = ["decode", "fold_genexpr", "FOLD_KINDS", "IDENTITY_LOCALS", "Bytecode", "Instr",
           "ExceptionEntry", "supported_opcodes"]
