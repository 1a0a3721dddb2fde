"""The CPython 3.11 dialect: co_code -> neutral instructions.

Reads ``co_code`` (never the adaptive form), folds EXTENDED_ARG, CACHE and
KW_NAMES, makes jump targets absolute, and rejects malformed bytecode with
CompileError before anything tries to run it.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import ctypes
import opcode
import types

from ..errors import CompileError
from .neutral import Bytecode, ExceptionEntry, Instr

OPNAME = opcode.opname
CACHES = opcode._inline_cache_entries
EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
CACHE = opcode.opmap["CACHE"]
BINARY_OPS = [name for name, _ in opcode._nb_ops]  # e.g. NB_ADD
BINARY_SYMBOLS = [sym for _, sym in opcode._nb_ops]  # e.g. "+", "+="
CMP_OPS = opcode.cmp_op

FORWARD_JUMPS = {"JUMP_FORWARD": "JUMP", "POP_JUMP_FORWARD_IF_FALSE": "POP_JUMP_IF_FALSE",
                 "POP_JUMP_FORWARD_IF_TRUE": "POP_JUMP_IF_TRUE",
                 "POP_JUMP_FORWARD_IF_NONE": "POP_JUMP_IF_NONE",
                 "POP_JUMP_FORWARD_IF_NOT_NONE": "POP_JUMP_IF_NOT_NONE",
                 "JUMP_IF_FALSE_OR_POP": "JUMP_IF_FALSE_OR_POP",
                 "JUMP_IF_TRUE_OR_POP": "JUMP_IF_TRUE_OR_POP",
                 "FOR_ITER": "FOR_ITER", "SEND": "SEND"}
BACKWARD_JUMPS = {"JUMP_BACKWARD": "JUMP", "JUMP_BACKWARD_NO_INTERRUPT": "JUMP",
                  "POP_JUMP_BACKWARD_IF_FALSE": "POP_JUMP_IF_FALSE",
                  "POP_JUMP_BACKWARD_IF_TRUE": "POP_JUMP_IF_TRUE",
                  "POP_JUMP_BACKWARD_IF_NONE": "POP_JUMP_IF_NONE",
                  "POP_JUMP_BACKWARD_IF_NOT_NONE": "POP_JUMP_IF_NOT_NONE"}
# Opcodes that become NOP (they only matter to the specialising interpreter).
AS_NOP = {"NOP", "RESUME", "PRECALL", "KW_NAMES"}

LOCAL_OPS = {"LOAD_FAST", "STORE_FAST", "DELETE_FAST", "MAKE_CELL", "LOAD_CLOSURE",
             "LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF", "LOAD_CLASSDEREF"}
NAME_OPS = {"LOAD_NAME", "STORE_NAME", "DELETE_NAME", "LOAD_ATTR", "STORE_ATTR",
            "DELETE_ATTR", "LOAD_GLOBAL", "STORE_GLOBAL", "DELETE_GLOBAL", "LOAD_METHOD",
            "IMPORT_NAME", "IMPORT_FROM"}

# Everything ordinary code compiles to. Generator/coroutine opcodes are absent:
# such code falls back to the interpreter.
SUPPORTED = frozenset({
    "NOP", "RESUME", "PRECALL", "KW_NAMES", "CACHE", "EXTENDED_ARG",
    "POP_TOP", "PUSH_NULL", "COPY", "SWAP", "LOAD_CONST", "RETURN_VALUE",
    "LOAD_FAST", "STORE_FAST", "DELETE_FAST", "MAKE_CELL", "LOAD_CLOSURE",
    "LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF", "LOAD_CLASSDEREF", "COPY_FREE_VARS",
    "LOAD_GLOBAL", "STORE_GLOBAL", "DELETE_GLOBAL", "LOAD_NAME", "STORE_NAME", "DELETE_NAME",
    "LOAD_ATTR", "STORE_ATTR", "DELETE_ATTR", "LOAD_METHOD",
    "BINARY_OP", "UNARY_POSITIVE", "UNARY_NEGATIVE", "UNARY_NOT", "UNARY_INVERT",
    "COMPARE_OP", "IS_OP", "CONTAINS_OP",
    "BINARY_SUBSCR", "STORE_SUBSCR", "DELETE_SUBSCR", "BUILD_SLICE",
    "CALL", "CALL_FUNCTION_EX", "MAKE_FUNCTION",
    "BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP",
    "BUILD_STRING", "LIST_APPEND", "SET_ADD", "MAP_ADD", "LIST_EXTEND", "SET_UPDATE",
    "DICT_UPDATE", "DICT_MERGE", "LIST_TO_TUPLE", "UNPACK_SEQUENCE", "UNPACK_EX",
    "FORMAT_VALUE", "GET_ITER", "FOR_ITER",
    "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
    "POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_NONE",
    "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_BACKWARD_IF_TRUE",
    "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE",
    "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP",
    "PUSH_EXC_INFO", "POP_EXCEPT", "CHECK_EXC_MATCH", "RERAISE", "RAISE_VARARGS",
    "BEFORE_WITH", "WITH_EXCEPT_START", "CHECK_EG_MATCH", "PREP_RERAISE_STAR",
    "LOAD_ASSERTION_ERROR", "LOAD_BUILD_CLASS", "SETUP_ANNOTATIONS",
    "IMPORT_NAME", "IMPORT_FROM", "IMPORT_STAR", "PRINT_EXPR",
    "MATCH_CLASS", "MATCH_MAPPING", "MATCH_SEQUENCE", "MATCH_KEYS", "GET_LEN",
})


# Specialised (quickened) opcode -> its base opcode.
# (Specialised opcodes occupy the unused numbers, in _specialized_instructions order.)
DEOPT = {op: op for op in range(256)}
_SPECIAL_OPS = [op for op in range(256) if opcode.opname[op].startswith("<")]
_SPECIAL_NUMBER = dict(zip(opcode._specialized_instructions, _SPECIAL_OPS))
for _base, _family in opcode._specializations.items():
    for _name in _family:
        DEOPT[_SPECIAL_NUMBER[_name]] = opcode.opmap[_base]
_CODE_UNITS = types.CodeType.__basicsize__   # offsetof(PyCodeObject, co_code_adaptive)
_OB_SIZE = 16


def read_bytecode(code) -> bytes:
    """The de-specialised bytecode, read without ``code.co_code``.

    CPython 3.11 builds ``co_code`` by zeroing each instruction's inline caches
    without a bounds check, so on malformed code (an instruction with caches at
    the very end) merely reading ``co_code`` corrupts memory. We copy the
    adaptive code units and de-specialise them ourselves, within bounds.
    """
    nunits = ctypes.c_ssize_t.from_address(id(code) + _OB_SIZE).value
    raw = bytearray(ctypes.string_at(id(code) + _CODE_UNITS, 2 * nunits))
    i = 0
    while i < len(raw):
        op = DEOPT[raw[i]]
        raw[i] = op
        caches = CACHES[op]
        for c in range(i + 2, min(i + 2 + 2 * caches, len(raw)), 2):
            raw[c] = raw[c + 1] = 0
        i += 2 + 2 * caches
    return bytes(raw)


def _parse_exception_table(code) -> list[ExceptionEntry]:
    data = code.co_exceptiontable
    pos = 0

    def varint():
        nonlocal pos
        if pos >= len(data):
            raise CompileError(f"{code.co_name}: truncated exception table")
        b = data[pos]
        pos += 1
        val = b & 63
        while b & 64:
            if pos >= len(data):
                raise CompileError(f"{code.co_name}: truncated exception table")
            b = data[pos]
            pos += 1
            val = (val << 6) | (b & 63)
        return val

    entries = []
    while pos < len(data):
        start = varint() * 2
        end = start + varint() * 2
        target = varint() * 2
        dl = varint()
        entries.append(ExceptionEntry(start, end, target, dl >> 1, bool(dl & 1)))
    return entries


def _line_table(code):
    lines = {}
    for start, end, line in code.co_lines():
        for off in range(start, end, 2):
            lines[off] = line
    return lines


def _localsplus_names(code):
    names = list(code.co_varnames)
    names += [c for c in code.co_cellvars if c not in code.co_varnames]
    names += list(code.co_freevars)
    return names


def decode(code) -> Bytecode:
    raw = read_bytecode(code)
    name = code.co_qualname
    if len(raw) % 2:
        raise CompileError(f"{name}: bytecode has odd length {len(raw)}")
    lines = _line_table(code)
    localsplus = _localsplus_names(code)
    nconsts, nnames = len(code.co_consts), len(code.co_names)
    instrs: list[Instr] = []
    pending_kwnames = None
    i = 0
    n = len(raw)
    while i < n:
        start = i
        ext = 0
        op = raw[i]
        arg = raw[i + 1]
        while op == EXTENDED_ARG:
            ext = (ext | arg) << 8
            i += 2
            if i >= n:
                raise CompileError(f"{name}: EXTENDED_ARG at end of bytecode (offset {start})")
            op, arg = raw[i], raw[i + 1]
        arg = ext | arg
        offset = i
        opname = OPNAME[op]
        if opname.startswith("<") or op == CACHE:
            raise CompileError(f"{name}: unknown opcode {op} at offset {offset}")
        end = offset + 2 + 2 * CACHES[op]
        if end > n:
            raise CompileError(f"{name}: {opname} at offset {offset} runs past the end of the bytecode")
        has_arg = op >= opcode.HAVE_ARGUMENT
        ins = Instr(op=opname, arg=arg if has_arg else None, argval=None, start=start,
                    offset=offset, end=end, opname=opname, line=lines.get(offset))
        _resolve(ins, code, localsplus, nconsts, nnames, name)
        if opname == "KW_NAMES":
            pending_kwnames = ins.argval
        elif opname == "CALL":
            ins.extra["kwnames"] = pending_kwnames or ()
            pending_kwnames = None
        instrs.append(ins)
        i = end
    if not instrs:
        raise CompileError(f"{name}: empty bytecode")
    by_start = {ins.start: ins for ins in instrs}
    for ins in instrs:
        if ins.target is not None and ins.target not in by_start:
            raise CompileError(f"{name}: {ins.opname} at offset {ins.offset} jumps to {ins.target}, "
                               "which is not the start of an instruction")
        if ins.opname == "JUMP_BACKWARD_NO_INTERRUPT" and \
                by_start[ins.target].opname == "JUMP_BACKWARD":
            # it goes on to a back jump that polls the eval breaker (a folded generator
            # expression's step: see fold311), which it must not do first itself
            ins.backward = False
    table = _parse_exception_table(code)
    for e in table:
        if e.target not in by_start or e.start >= e.end or e.end > n:
            raise CompileError(f"{name}: malformed exception table entry {e}")
    return Bytecode(code, instrs, table, by_start)


def _resolve(ins: Instr, code, localsplus, nconsts, nnames, name):
    """Fill ``op``/``argval``/``target`` of ``ins``; check indices."""
    opname, arg = ins.opname, ins.arg

    def check(limit, what):
        if not 0 <= arg < limit:
            raise CompileError(f"{name}: {opname} at offset {ins.offset}: {what} index {arg} "
                               f"out of range (0..{limit - 1})")

    if opname in AS_NOP:
        ins.op = "NOP"
        if opname == "KW_NAMES":
            check(nconsts, "constant")
            ins.argval = code.co_consts[arg]
            if not isinstance(ins.argval, tuple):
                raise CompileError(f"{name}: KW_NAMES at offset {ins.offset} needs a tuple constant")
    elif opname in FORWARD_JUMPS:
        ins.op = FORWARD_JUMPS[opname]
        ins.target = ins.offset + 2 + 2 * arg
    elif opname in BACKWARD_JUMPS:
        ins.op = BACKWARD_JUMPS[opname]
        ins.target = ins.offset + 2 - 2 * arg
        ins.backward = True   # even NO_INTERRUPT: a malformed self-loop must stay interruptible
    elif opname == "LOAD_CONST":
        check(nconsts, "constant")
        ins.argval = code.co_consts[arg]
    elif opname == "LOAD_GLOBAL":
        ins.extra["push_null"] = bool(arg & 1)
        ins.arg = arg = arg >> 1
        check(nnames, "name")
        ins.argval = code.co_names[arg]
    elif opname in NAME_OPS:
        check(nnames, "name")
        ins.argval = code.co_names[arg]
    elif opname in LOCAL_OPS:
        check(len(localsplus), "local")
        ins.argval = localsplus[arg]
    elif opname == "BINARY_OP":
        check(len(BINARY_SYMBOLS), "binary operator")
        ins.argval = BINARY_SYMBOLS[arg]
    elif opname == "COMPARE_OP":
        check(len(CMP_OPS), "comparison")
        ins.argval = CMP_OPS[arg]
    elif opname == "COPY_FREE_VARS":
        if arg != len(code.co_freevars):
            raise CompileError(f"{name}: COPY_FREE_VARS {arg} but the code has "
                               f"{len(code.co_freevars)} free variables")
    elif opname in ("COPY", "SWAP") and arg < 1:
        raise CompileError(f"{name}: {opname} {arg} at offset {ins.offset}")
