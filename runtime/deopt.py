"""Deoptimisation: finish a call in the interpreter from any instruction.

Specialised native code that cannot continue exactly (an int outgrew 64 bits,
a guessed type was wrong, a global was rebound) hands over its frame state:
the locals, the operand stack, and the offset of the instruction to run next.
We resume with a *continuation code object*: the function's own bytecode
behind a short prologue

    RESUME 0
    LOAD_FAST .s0 / PUSH_NULL ...     rebuild the operand stack, deepest first;
                                      the stack values arrive as extra arguments
    DELETE_FAST <unbound locals>      the caller passed UNBOUND there
    DELETE_FAST .s0 ...               the hidden arguments keep no references
    JUMP_FORWARD start // 2           into the original code

3.11 jumps are relative, so the original code needs no patching; only the
exception table (absolute offsets) is shifted by the prologue's length and the
line table gets a "no location" prefix for the prologue. The result runs at
full interpreter speed, raises the interpreter's own exceptions, and puts the
original function's name, file and line numbers in tracebacks.

One kind of stack value is itself an absolute offset: exception handlers
marked "lasti" push the offset of the instruction that raised, and RERAISE
sets the frame's position from it (f_lasti/f_lineno). The caller passes those
in the original code's units; the prologue adds the prologue's length. Which
slots hold one is found by a stack-shape analysis (as frame.f_lineno's setter
does in CPython), which also checks that ``depth`` is the stack depth the
code really has at ``start``, since a wrong one would crash the interpreter.

Cell and free variables: the native frame's slots mirror the interpreter's
"localsplus" (locals, then cells not also parameters, then free variables), a
cell's slot holding the cell itself. The continuation takes all of them as
plain locals at the same indices: LOAD_DEREF, STORE_DEREF, DELETE_DEREF and
LOAD_CLOSURE only read the slot as a cell, and MAKE_CELL / COPY_FREE_VARS run
before the resumed offset. (So ``frame.f_locals`` of a resumed frame shows cells
where the interpreter shows their contents; code reading its own frame --
``locals()``, zero-argument ``super()`` -- is never specialised.)

No generators or coroutines are resumed.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import dis
import functools
import inspect
import opcode
import types

from . import capi
from .helpers import UNBOUND


class _Null:
    def __repr__(self):
        return "<NULL stack slot>"


NULL = _Null()   # a NULL operand-stack slot (PUSH_NULL / LOAD_METHOD) in a deopt state

_OP = opcode.opmap
_CACHES = opcode._inline_cache_entries     # inline CACHE units after each opcode
_GENERATOR_FLAGS = (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
                    | inspect.CO_ITERABLE_COROUTINE)
_NO_LOCATION = 15                          # 3.11 location-table code: no line
_NB_ADD = 0                                # BINARY_OP's argument for +
_JUMPS = frozenset(dis.hasjrel)            # 3.11 has no absolute jumps
_ALWAYS_JUMPS = frozenset(_OP[name] for name in
                          ("JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"))
_NO_FALLTHROUGH = frozenset(_OP[name] for name in ("RETURN_VALUE", "RAISE_VARARGS", "RERAISE"))


# ---- bytecode and tables ------------------------------------------------------

def _instr(name: str, arg: int = 0) -> bytes:
    """One instruction, with EXTENDED_ARG prefixes as needed and zeroed inline caches."""
    out = b""
    for shift in (24, 16, 8):
        if arg >> shift:
            out += bytes((_OP["EXTENDED_ARG"], (arg >> shift) & 0xFF))
    return out + bytes((_OP[name], arg & 0xFF)) + bytes(2 * _CACHES[_OP[name]])


def _instructions(co_code: bytes):
    """(offset, next_offset, opcode, arg) for each instruction: offset is that of
    its first EXTENDED_ARG prefix, next_offset is past its inline caches."""
    offset = 0
    while offset < len(co_code):
        start, arg = offset, 0
        while co_code[offset] == _OP["EXTENDED_ARG"]:
            arg = (arg | co_code[offset + 1]) << 8
            offset += 2
        op = co_code[offset]
        arg |= co_code[offset + 1]
        offset += 2 + 2 * _CACHES[op]
        yield start, offset, op, arg


def _read_varint(table: bytes, i: int) -> tuple[int, int]:
    value = table[i] & 63
    while table[i] & 64:
        i += 1
        value = (value << 6) | (table[i] & 63)
    return value, i + 1


def _varint(value: int) -> bytearray:
    """6-bit chunks, most significant first, 64 = "more follows"."""
    out = bytearray([value & 63])
    while value >> 6:
        value >>= 6
        out.insert(0, 64 | (value & 63))
    return out


def _exception_table(table: bytes) -> list[tuple[int, int, int, int]]:
    """(start, length, target, depth << 1 | lasti) per entry, offsets in code units."""
    entries, i = [], 0
    while i < len(table):
        entry = []
        for _ in range(4):
            value, i = _read_varint(table, i)
            entry.append(value)
        entries.append(tuple(entry))
    return entries


def _encode_exception_table(entries) -> bytes:
    out = bytearray()
    for start, length, target, depth_lasti in entries:
        first = _varint(start)
        first[0] |= 128                      # marks the start of an entry
        out += first + _varint(length) + _varint(target) + _varint(depth_lasti)
    return bytes(out)


def _no_location(units: int) -> bytes:
    """Location-table entries saying "no line" for ``units`` code units (8 at most each)."""
    out = bytearray()
    while units:
        n = min(units, 8)
        out.append(0x80 | (_NO_LOCATION << 3) | (n - 1))
        units -= n
    return bytes(out)


# ---- stack shapes -----------------------------------------------------------

@functools.lru_cache(maxsize=256)     # equal code objects have equal shapes
def _stack_shapes(code: types.CodeType) -> dict[int, tuple[bool, ...]]:
    """The operand stack at each reachable instruction, deepest slot first: True
    where the slot holds a lasti offset. Like CPython's mark_stacks, opcodes other
    than COPY/SWAP are taken to pop and push at the top by their net effect."""
    instructions = {start: (nxt, op, arg) for start, nxt, op, arg in _instructions(code.co_code)}
    handlers = [(2 * start, 2 * (start + length), 2 * target, dl >> 1, dl & 1)
                for start, length, target, dl in _exception_table(code.co_exceptiontable)]

    def after(stack, op, arg, jump):
        if op == _OP["PRECALL"]:      # the compiler books PRECALL as popping the arguments
            effect = 0                # and CALL as popping one; really CALL pops them all
        elif op == _OP["CALL"]:
            effect = -arg - 1
        else:
            effect = dis.stack_effect(op, arg if op >= opcode.HAVE_ARGUMENT else None, jump=jump)
        return stack[:len(stack) + effect] if effect < 0 else stack + (False,) * effect

    shapes: dict[int, tuple[bool, ...]] = {}
    todo = [(0, ())]
    while todo:
        offset, stack = todo.pop()
        if offset in shapes:     # the compiler reaches each instruction with one shape
            continue
        shapes[offset] = stack
        nxt, op, arg = instructions[offset]
        for start, end, target, depth, lasti in handlers:
            if start <= offset < end:            # 3.11 table entries do not overlap
                todo.append((target, stack[:depth] + (True,) * lasti + (False,)))
                break
        if op in _JUMPS:
            target = nxt - 2 * arg if "BACKWARD" in opcode.opname[op] else nxt + 2 * arg
            todo.append((target, after(stack, op, arg, True)))
            if op in _ALWAYS_JUMPS:
                continue
        if op in _NO_FALLTHROUGH:
            continue
        if op == _OP["COPY"]:
            todo.append((nxt, stack + (stack[-arg],)))
        elif op == _OP["SWAP"]:
            swapped = list(stack)
            swapped[-1], swapped[-arg] = swapped[-arg], swapped[-1]
            todo.append((nxt, tuple(swapped)))
        else:
            todo.append((nxt, after(stack, op, arg, False)))
    return shapes


# ---- can the interpreter run it? ---------------------------------------------

# The interpreter trusts the compiler: some opcodes use an operand without
# checking its type (RERAISE's exception and lasti, LIST_APPEND's list, FOR_ITER's
# iterator ...), so hand-made bytecode that compiled code survives (its lowering
# guards those operands) could crash the interpreter after a deopt. A kind per
# stack slot, from the ops that make such values, proves they are right:
# E exception, P previous exception (PUSH_EXC_INFO), L lasti, I iterator,
# l list, t tuple, d dict, s set, ? anything.
_MAKES = {"GET_ITER": "I", "BUILD_LIST": "l", "BUILD_TUPLE": "t", "LIST_TO_TUPLE": "t",
          "BUILD_MAP": "d", "BUILD_CONST_KEY_MAP": "d", "BUILD_SET": "s"}
# opcode -> (stack position counted from the top (1 = TOS) before the op, kind)
_NEEDS = {"RERAISE": [(1, "E")], "POP_EXCEPT": [(1, "P")], "PUSH_EXC_INFO": [(1, "E")],
          "WITH_EXCEPT_START": [(1, "E")], "FOR_ITER": [(1, "I")],
          "MATCH_CLASS": [(1, "t")], "MATCH_KEYS": [(1, "t")]}
_NEEDS_AT_ARG = {"LIST_APPEND": ("l", 1), "LIST_EXTEND": ("l", 1), "SET_ADD": ("s", 1),
                 "SET_UPDATE": ("s", 1), "MAP_ADD": ("d", 2)}   # kind, values above it
_NEVER = {"PREP_RERAISE_STAR", "LOAD_CLASSDEREF"}
# A cell's slot is read as a cell unchecked (c: a cell, T: a tuple of cells, which
# MAKE_FUNCTION's closure must be); see _cells_unsafe for the rest.
_CELL_OPS = {"LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF", "LOAD_CLOSURE"}
_FAST_OPS = {"LOAD_FAST", "STORE_FAST", "DELETE_FAST"}
_PROLOGUE_OPS = {"MAKE_CELL", "COPY_FREE_VARS"}
_ARG_LIMITS = {"BINARY_OP": 26, "COMPARE_OP": 6, "IS_OP": 2, "CONTAINS_OP": 2}
# cannot raise, so their handler edges carry no stack (PUSH_EXC_INFO's would carry
# the exception where the handler expects the previous one)
_NO_RAISE = {"NOP", "PUSH_EXC_INFO", "POP_EXCEPT", "POP_TOP", "COPY", "SWAP", "LOAD_CONST",
             "STORE_FAST", "PUSH_NULL", "JUMP_FORWARD", "KW_NAMES"}


def _needs(name: str, arg: int) -> list[tuple[int, str]]:
    if name in _NEEDS_AT_ARG:
        kind, above = _NEEDS_AT_ARG[name]
        return [(arg + above, kind)]
    if name == "RERAISE" and arg:
        return [(1, "E"), (arg + 1, "L")]
    if name == "MAKE_FUNCTION":       # code on top, then closure, annotations, kwdefaults, defaults
        pos, needs = 2, []
        for flag, kind in ((8, "T"), (4, "?"), (2, "d"), (1, "t")):
            if arg & flag:
                needs.append((pos, kind))
                pos += 1
        return needs
    return _NEEDS.get(name, [])


def _after(stack: tuple, name: str, op: int, arg: int, jump: bool, consts) -> tuple:
    if name == "COPY":
        return stack + (stack[-arg],)
    if name == "SWAP":
        swapped = list(stack)
        swapped[-1], swapped[-arg] = swapped[-arg], swapped[-1]
        return tuple(swapped)
    if name == "PUSH_EXC_INFO":
        return stack[:-1] + ("P", "E")
    if name == "PRECALL":             # see _stack_shapes
        effect = 0
    elif name == "CALL":
        effect = -arg - 1
    else:
        effect = dis.stack_effect(op, arg if op >= opcode.HAVE_ARGUMENT else None, jump=jump)
    if name == "FOR_ITER":         # the next item, or (exhausted) the iterator gone
        return stack[:-1] if jump else stack + ("?",)
    made = _MAKES.get(name)
    if name == "LOAD_CLOSURE":
        made = "c"
    elif name == "BUILD_TUPLE" and arg and all(k == "c" for k in stack[len(stack) - arg:]):
        made = "T"
    elif name == "LOAD_CONST":
        const = consts[arg]
        made = "t" if type(const) is tuple else "K" if comprehension_code(const) else None
    elif name == "MAKE_FUNCTION" and stack[-1] == "K":
        made = "C"
    results = max(_results(name, arg, effect), effect, 0)
    kept = stack[:len(stack) - (results - effect)]
    return kept + ((made,) if made is not None else ("?",) * results)


# ops whose results are not one new value: (what they take off the stack is then
# the number of results minus the net effect; a result never keeps an operand's kind)
_NO_RESULT = {"STORE_FAST", "STORE_NAME", "STORE_GLOBAL", "STORE_ATTR", "STORE_SUBSCR",
              "DELETE_FAST", "DELETE_NAME", "DELETE_GLOBAL", "DELETE_ATTR", "DELETE_SUBSCR",
              "POP_TOP", "RETURN_VALUE", "RAISE_VARARGS", "RERAISE", "LIST_APPEND",
              "LIST_EXTEND", "SET_ADD", "SET_UPDATE", "MAP_ADD", "DICT_UPDATE", "DICT_MERGE",
              "POP_EXCEPT", "PRINT_EXPR", "IMPORT_STAR", "NOP", "RESUME", "PRECALL", "KW_NAMES",
              "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "EXTENDED_ARG",
              "CACHE", "SETUP_ANNOTATIONS", "COPY_FREE_VARS", "MAKE_CELL", "STORE_DEREF",
              "DELETE_DEREF", "POP_JUMP_FORWARD_IF_FALSE",
              "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE",
              "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_NONE",
              "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_NONE",
              "POP_JUMP_BACKWARD_IF_NOT_NONE", "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"}
_TWO_RESULTS = {"LOAD_METHOD", "BEFORE_WITH", "CHECK_EG_MATCH"}


def _results(name: str, arg: int, effect: int) -> int:
    if name in _NO_RESULT:
        return 0
    if name in _TWO_RESULTS:
        return 2
    if name == "UNPACK_SEQUENCE":
        return arg
    if name == "UNPACK_EX":
        return (arg & 0xFF) + (arg >> 8) + 1
    if name == "LOAD_GLOBAL":
        return effect
    return 1


def _arg_fits(name: str, arg: int, following) -> bool:
    """Arguments our decoder reads elsewhere (PRECALL: its CALL's) or checks itself,
    which the interpreter uses as they are."""
    if name == "PRECALL":    # the interpreter counts the arguments from PRECALL's own
        return following is not None and opcode.opname[following[1]] == "CALL" \
            and following[2] == arg
    if name == "BUILD_SLICE":
        return arg in (2, 3)
    return True


def _kw_names_fit(code, instructions, nxt: int, arg: int) -> bool:
    """KW_NAMES names a tuple of strings, no longer than the arguments of the
    PRECALL/CALL pair that follows it."""
    names = code.co_consts[arg]
    if type(names) is not tuple or not all(type(n) is str for n in names):
        return False
    precall = instructions.get(nxt)
    call = precall and instructions.get(precall[0])
    return bool(call) and opcode.opname[precall[1]] == "PRECALL" \
        and opcode.opname[call[1]] == "CALL" and len(names) <= call[2]


def comprehension_code(const) -> bool:
    """A comprehension's or generator expression's code: it runs FOR_ITER on its
    argument, which must be an iterator (the caller's GET_ITER makes it one)."""
    return isinstance(const, types.CodeType) and const.co_argcount == 1 \
        and const.co_varnames[:1] == (".0",)


def _misuses_comprehension(stack: tuple, after: tuple, name: str, arg: int) -> bool:
    """A function made from comprehension code (kind C) may only be called as the
    compiler does, CALL 0 with an iterator as its one argument; anything else
    that takes it off the stack or moves it is a misuse."""
    if name == "CALL" and arg == 0 and stack[-2:] == ("C", "I"):
        stack = stack[:-2]
    return any(k == "C" and (i >= len(after) or after[i] != "C") for i, k in enumerate(stack))


@functools.lru_cache(maxsize=256)
def nested_code_unsafe(code: types.CodeType) -> str | None:
    """Why a comprehension function ``code`` makes could crash the interpreter, which
    runs it (it is called with something GET_ITER did not make), or None."""
    return _analyse(code, resume=False)


@functools.lru_cache(maxsize=256)
def interpreter_unsafe(code: types.CodeType) -> str | None:
    """Why resuming ``code`` in the interpreter could crash it, or None when the
    operands the interpreter trusts are provably of the kinds it expects."""
    return _analyse(code, resume=True)


def _analyse(code: types.CodeType, resume: bool) -> str | None:
    """The stack-kind analysis behind interpreter_unsafe (resume: every operand the
    interpreter trusts) and nested_code_unsafe (only the comprehension protocol)."""
    instructions = {start: (nxt, op, arg) for start, nxt, op, arg in _instructions(code.co_code)}
    if resume:
        problem = _cells_unsafe(code, instructions)
        if problem:
            return problem
    handlers = [(2 * start, 2 * (start + length), 2 * target, dl >> 1, dl & 1)
                for start, length, target, dl in _exception_table(code.co_exceptiontable)]
    iterator_arg = _iterator_argument(code, instructions)
    kinds: dict[int, tuple] = {}
    todo = [(0, ())]
    while todo:
        offset, stack = todo.pop()
        if offset not in instructions:
            return f"a jump to offset {offset}, which starts no instruction"
        seen = kinds.get(offset)
        if seen is not None:
            if len(seen) != len(stack):
                return f"offset {offset} is reached with different stack depths"
            merged = tuple(a if a == b else "?" for a, b in zip(seen, stack))
            if merged == seen:
                continue
            stack = merged
        kinds[offset] = stack
        nxt, op, arg = instructions[offset]
        name = opcode.opname[op]
        problem = _trusted_operands(code, instructions, stack, offset, nxt, name, arg) \
            if resume else None
        if problem:
            return problem
        for start, end, target, depth, lasti in handlers:
            if start <= offset < end and name not in _NO_RAISE:   # entries do not overlap
                if depth > len(stack):
                    return f"a handler for offset {offset} keeps more than the stack holds"
                todo.append((target, stack[:depth] + ("L",) * lasti + ("E",)))
                break
        if name in ("COPY", "SWAP") and not 1 <= arg <= len(stack):
            return f"{name} {arg} at offset {offset} reaches below the stack"
        successors = []
        if op in _JUMPS:
            target = nxt - 2 * arg if "BACKWARD" in name else nxt + 2 * arg
            successors.append((target, _after(stack, name, op, arg, True, code.co_consts)))
        if op not in _ALWAYS_JUMPS and op not in _NO_FALLTHROUGH:
            successors.append((nxt, _after(stack, name, op, arg, False, code.co_consts)))
        for _, after in successors:
            if _misuses_comprehension(stack, after, name, arg):
                return f"{name} at offset {offset} misuses a comprehension's function"
        if name == "LOAD_FAST" and arg == 0 and iterator_arg:
            successors = [(t, after[:-1] + ("I",)) for t, after in successors]
        todo += successors
    return None


def _iterator_argument(code: types.CodeType, instructions) -> bool:
    """A comprehension's one argument is the iterator its maker's GET_ITER made
    (nested_code_unsafe checks the maker's side), unless the code rebinds it."""
    return comprehension_code(code) and not any(
        opcode.opname[op] in ("STORE_FAST", "DELETE_FAST") and arg == 0
        for _, op, arg in instructions.values())


def _trusted_operands(code, instructions, stack, offset, nxt, name, arg) -> str | None:
    """Why the interpreter, running this instruction, could be given operands it
    does not check (see _NEEDS ...), or None."""
    if name in _NEVER or arg >= _ARG_LIMITS.get(name, arg + 1) \
            or name in _PROLOGUE_OPS and offset > _first_resume(code) \
            or name in _CELL_OPS and arg not in _cell_slots(code) \
            or name in _FAST_OPS and arg in _cell_slots(code):
        return f"{name} {arg} at offset {offset}"
    if name == "KW_NAMES" and not _kw_names_fit(code, instructions, nxt, arg):
        return f"KW_NAMES at offset {offset} does not fit its call"
    if not _arg_fits(name, arg, instructions.get(nxt)):
        return f"{name} {arg} at offset {offset} does not fit the stack or its call"
    for pos, kind in _needs(name, arg):
        if pos > len(stack) or kind != "?" and stack[-pos] != kind:
            return f"{name} at offset {offset} is not given the operand it assumes"
    return None


@functools.lru_cache(maxsize=256)
def _first_resume(code: types.CodeType) -> int:
    return next((start for start, _, op, _ in _instructions(code.co_code)
                 if op == _OP["RESUME"]), -1)


@functools.lru_cache(maxsize=256)
def _cell_slots(code: types.CodeType) -> frozenset:
    """The localsplus indices of cells and free variables."""
    names = localsplus_names(code)
    return frozenset(i for i, n in enumerate(names)
                     if n in code.co_cellvars or n in code.co_freevars)


def _cells_unsafe(code: types.CodeType, instructions) -> str | None:
    """Every cell and free slot must hold a cell wherever the code can resume: the
    code starts as the compiler makes it -- COPY_FREE_VARS for all free variables,
    a MAKE_CELL for each cell, RESUME -- and makes no cells anywhere else."""
    want = []
    if code.co_freevars:
        want.append(("COPY_FREE_VARS", len(code.co_freevars)))
    names = localsplus_names(code)
    want += [("MAKE_CELL", names.index(c)) for c in code.co_cellvars]
    got = []
    for offset in sorted(instructions):
        _, op, arg = instructions[offset]
        if opcode.opname[op] == "RESUME":
            break
        got.append((opcode.opname[op], arg))
    if sorted(got) != sorted(want):
        return "cells not made as the compiler makes them"
    return None


def _in_keyword_call(code: types.CodeType, start: int) -> bool:
    """Is ``start`` the PRECALL or CALL of a keyword call? KW_NAMES leaves the names
    in interpreter state, not on the stack, so such a call resumes at its KW_NAMES."""
    pending = False
    for offset, _, op, _ in _instructions(code.co_code):
        if offset == start:
            return pending and op in (_OP["PRECALL"], _OP["CALL"])
        pending = op == _OP["KW_NAMES"] or (pending and op == _OP["PRECALL"])
    return False


# ---- continuations ----------------------------------------------------------

# Keyed on the code object's identity: equal code objects may differ in co_filename
# and co_qualname, which the continuation must keep. The entry holds the code, so
# its id is not reused while the entry exists.
_cache: dict[tuple, tuple[types.CodeType, types.CodeType]] = {}
_CACHE_LIMIT = 4096


def continuation(code: types.CodeType, start: int, depth: int, unbound: frozenset[int],
                 nulls: frozenset[int]) -> types.CodeType:
    """``code`` resumed at byte offset ``start`` (the first unit of the instruction,
    EXTENDED_ARG prefixes included) with ``depth`` stack values. Called with
    (local_0, ..., local_{n-1}, stack_0, ..., stack_{depth-1}), n the number of
    localsplus slots (see nlocalsplus), stack_0 deepest; locals in ``unbound`` and stack slots in ``nulls`` are
    emptied before resuming."""
    key = (id(code), start, depth, unbound, nulls)
    hit = _cache.get(key)
    if hit is not None:
        return hit[1]
    result = _build(code, start, depth, unbound, nulls)
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[key] = (code, result)
    return result


def _build(code: types.CodeType, start: int, depth: int, unbound: frozenset[int],
           nulls: frozenset[int]) -> types.CodeType:
    name = code.co_qualname
    if code.co_flags & _GENERATOR_FLAGS:
        raise ValueError(f"{name}: cannot resume a generator or coroutine")
    shape = _stack_shapes(code).get(start)
    if shape is None:
        raise ValueError(f"{name}: offset {start} is not a reachable instruction")
    if len(shape) != depth:
        raise ValueError(f"{name}: the stack at offset {start} holds {len(shape)} values, not {depth}")
    if _in_keyword_call(code, start):
        raise ValueError(f"{name}: offset {start} is inside a keyword call; resume at its KW_NAMES")
    names = localsplus_names(code)
    n = len(names)
    if not unbound <= set(range(n)) or not nulls <= set(range(depth)):
        raise ValueError(f"{name}: unbound locals or NULL slots out of range")
    if any(shape[k] for k in nulls):
        raise ValueError(f"{name}: a lasti stack slot cannot be NULL")

    prologue_length_const = len(code.co_consts)   # index of the constant appended below
    prologue = _instr("RESUME", 0)
    for k in range(depth):
        if k in nulls:
            prologue += _instr("PUSH_NULL")
            continue
        prologue += _instr("LOAD_FAST", n + k)
        if shape[k]:    # a lasti offset: in this code the original starts after the prologue
            prologue += _instr("LOAD_CONST", prologue_length_const) + _instr("BINARY_OP", _NB_ADD)
    for i in sorted(unbound):
        prologue += _instr("DELETE_FAST", i)
    for k in range(depth):
        prologue += _instr("DELETE_FAST", n + k)
    # Cells and free variables are passed in as cells, to slots declared cell
    # arguments. Never run, after the jump: a MAKE_CELL for each, which is what
    # f_locals looks for (_PyFrame_OpAlreadyRan) before it shows a cell's contents
    # rather than the cell (a traceback's frame, pytest, pdb)
    cells = sorted(_cell_slots(code))
    shown = b"".join(_instr("MAKE_CELL", i) for i in cells)
    # Relative to the end of the prologue, which is where the original code begins.
    prologue += _instr("JUMP_FORWARD", (start + len(shown)) // 2) + shown
    units = len(prologue) // 2

    shifted = [(s + units, length, target + units, dl)
               for s, length, target, dl in _exception_table(code.co_exceptiontable)]
    return code.replace(
        co_code=prologue + code.co_code,
        co_consts=code.co_consts + (units,) if any(shape) else code.co_consts,
        co_argcount=n + depth, co_posonlyargcount=0, co_kwonlyargcount=0,
        co_nlocals=n + depth,
        co_varnames=names + tuple(f".s{k}" for k in range(depth)),
        co_cellvars=tuple(names[i] for i in cells), co_freevars=(),
        co_flags=code.co_flags & ~(inspect.CO_VARARGS | inspect.CO_VARKEYWORDS),
        co_stacksize=max(code.co_stacksize, depth + 1),    # +1: the lasti fix-up's constant
        co_linetable=_no_location(units) + code.co_linetable,
        co_exceptiontable=_encode_exception_table(shifted))


def resume(globals_: dict, code: types.CodeType, start: int, depth: int, values, left=None,
           closure=None):
    """Run the rest of a call of ``code`` in the interpreter and return its result.
    ``values``: the localsplus slots (UNBOUND for unbound ones; cells as cells)
    then ``depth`` stack
    values (deepest first, NULL for NULL slots, lasti offsets in ``code``'s units).
    A call resumed before its cells are made (a deopt at entry) gets them here,
    the free variables' from ``closure``, and resumes at its RESUME.

    A tuple keeps every value alive until the call returns. A list is emptied
    into the call, so the resumed frame holds the only references (if the caller
    holds none) and objects die when the interpreter would free them."""
    n = len(localsplus_names(code))
    if start < _first_resume(code) and _cell_slots(code):
        values, start = _made_cells(code, values, closure or ()), _first_resume(code)
    unbound = frozenset(i for i in range(n) if values[i] is UNBOUND)
    nulls = frozenset(k for k in range(depth) if values[n + k] is NULL)
    function = types.FunctionType(continuation(code, start, depth, unbound, nulls),
                                  globals_, code.co_name)
    if left is not None:
        # the resumed frame takes the deoptimising native frame's place: the
        # recursion-limit count it leaves is the one that frame's level left
        # (``left``), whatever the Python frames on the way here took
        frames = 3 if type(values) is list else 2      # _resume_call's, call's, its own
        now = capi.shift_recursion_count(0)
        if now is not None:
            shift = left + frames - now
            capi.shift_recursion_count(shift)
            try:
                return _resume_call(function, values)
            finally:
                # (relative: a setrecursionlimit() meanwhile moved the count too)
                capi.shift_recursion_count(-shift)
    return _resume_call(function, values)


def _made_cells(code: types.CodeType, values, closure: tuple):
    """``values`` (a list: in place) with what COPY_FREE_VARS and MAKE_CELL would
    have put in the cell and free slots: the closure's cells, and new cells holding
    the argument (or nothing)."""
    names = localsplus_names(code)
    if len(closure) != len(code.co_freevars):
        raise SystemError(f"{code.co_qualname}: resumed without its closure")
    if type(values) is not list:
        values = list(values)
    for i in sorted(_cell_slots(code)):
        if names[i] in code.co_freevars:
            values[i] = closure[code.co_freevars.index(names[i])]
        else:
            values[i] = types.CellType() if values[i] is UNBOUND else types.CellType(values[i])
    return values


def _resume_call(function, values):
    if type(values) is list:
        call = _CALLS.get(len(values))
        if call is None:
            # made once per count; exec compiles, which near the recursion limit would
            # fail "during compilation" where the interpreter's own call does not
            shift = 64 if capi.shift_recursion_count(0) is not None else 0
            capi.shift_recursion_count(shift)
            try:
                call = _CALLS[len(values)] = _call_emptying(len(values))
            finally:
                capi.shift_recursion_count(-shift)
        return call(function, values)
    return function(*values)


def localsplus_names(code: types.CodeType) -> tuple:
    """The interpreter's frame slots in order: locals, cells that are not also
    parameters, free variables."""
    return code.co_varnames + tuple(c for c in code.co_cellvars if c not in code.co_varnames) \
        + code.co_freevars


_CALLS: dict = {}     # count -> _call_emptying(count)


def _call_emptying(count: int):
    """call(function, values): function(*values) with the list emptied onto the
    operand stack first. A Python-to-Python CALL moves its arguments from the
    stack into the new frame, while f(*values) would hold a tuple of them."""
    arguments = ", ".join(["values.pop()"] * count)
    namespace: dict = {}
    exec(f"def call(function, values):\n"
         f"    values.reverse()\n"
         f"    return function({arguments})\n", namespace)
    return namespace["call"]
