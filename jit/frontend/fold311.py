"""A generator expression folded by its consumer, as a plain function (CPython 3.11).

``sum(x * x for x in xs)`` makes a generator and hands it to ``sum`` at once;
nothing else ever sees the generator. While ``sum`` (``any``, ``all``, ``min``,
``max``, ``list``, ``tuple``, ``set``, ``frozenset``, ``sorted``: the
one-argument forms) is the builtin, the caller can run instead a
plain function made from the generator expression's code, with the consumer's
step where the code yields:

    RETURN_GENERATOR, POP_TOP, RESUME -> RESUME, LOAD_CONST False, STORE_FAST .seen
                                         (any/all: RESUME, NOP, NOP)
    YIELD_VALUE, RESUME, POP_TOP -> JUMP_FORWARD to the step, NOP, NOP
    LOAD_CONST None (returned)   -> sum/min/max: JUMP_FORWARD to "return .acc if
                                    .seen else 0 (EMPTY)"; any/all: LOAD_CONST False/True
    the step, last:
      sum:      .acc = (.acc if .seen else 0) + item; .seen = True; JUMP_BACKWARD_NO_INTERRUPT back
      min/max:  .acc = item if not .seen or item < / > .acc; .seen = True; JUMP_BACKWARD_NO_INTERRUPT back
                (returned: EMPTY if nothing was seen, which the caller raises about)
      any:      POP_JUMP_FORWARD_IF_TRUE found, JUMP_BACKWARD_NO_INTERRUPT back,
                found: POP_TOP (each iterator below), LOAD_CONST True, RETURN_VALUE
      all:      the same with IF_FALSE and False
      list, tuple, sorted (set, frozenset): LIST_APPEND (SET_ADD) to .acc, made by
                BUILD_LIST (BUILD_SET) in place of the generator's making; the
                caller makes the tuple / frozenset, or sorts the list

Nothing moves (the step goes after the code, 3.11 jumps are relative), so the
line table only grows by "no location" entries for the step, and tracebacks name
``<genexpr>`` at its own lines. The step is exactly the builtin's: ``sum`` adds
``0 + first``, then ``acc + item`` (its fast paths give the same values; .acc is
unbound until the first item, so its type is the items': a float sum stays a
float), ``any``/``all`` test each item's truth and stop at the first that decides.
The result is an ordinary function, compiled, specialised and deoptimised like a
comprehension.

What a generator does that a function does not is left to the caller (see
lower.lo_fold_call): an exception raised by the step itself is the consumer's
(no ``<genexpr>`` traceback entry: the step is the code's last ``step_units``
code units, which a deoptimised continuation keeps last too), and a
StopIteration out of the body becomes RuntimeError("generator raised StopIteration").
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import dis
import opcode
import types

from .dialect311 import read_bytecode

# collecting consumers: (what the folded code builds, how it adds an item)
COLLECTS = {"list": ("BUILD_LIST", "LIST_APPEND"), "tuple": ("BUILD_LIST", "LIST_APPEND"),
            "sorted": ("BUILD_LIST", "LIST_APPEND"), "set": ("BUILD_SET", "SET_ADD"),
            "frozenset": ("BUILD_SET", "SET_ADD")}
FOLDS = ("sum", "any", "all", "min", "max") + tuple(COLLECTS)
EMPTY = type("EmptyFold", (), {"__repr__": lambda self: "<no items>"})()   # min/max of nothing

# names whose use may read the running frame (its locals would show the folded
# code's own): such generator expressions stay generators
FRAME_READERS = frozenset(("locals", "vars", "dir", "eval", "exec", "_getframe",
                           "currentframe"))
_OP = opcode.opmap
_CACHES = opcode._inline_cache_entries
_CO_GENERATOR = 0x20
_LOCALSPLUS_OPS = frozenset(_OP[n] for n in ("LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF",
                                             "LOAD_CLOSURE", "MAKE_CELL", "LOAD_CLASSDEREF"))
_NO_LOCATION = 15
ACC, ITEM, SEEN = ".acc", ".item", ".seen"
IDENTITY_LOCALS = (ITEM,)    # min/max return the item itself: kept as the object it is


def _units(raw: bytes):
    """(offset, opcode, arg) of each instruction (EXTENDED_ARG kept as its own)."""
    i = 0
    while i < len(raw):
        op = raw[i]
        yield i, op, raw[i + 1]
        i += 2 + 2 * _CACHES[op]


def _depths(raw: bytes) -> dict[int, int] | None:
    """The operand stack depth before each reachable instruction; None if a jump
    does not land on one, or two paths reach one with different depths (code no
    compiler made)."""
    nexts = {}
    for off, op, arg in _units(raw):
        nexts[off] = off + 2 + 2 * _CACHES[op]
    depth, work = {0: 0}, [0]
    while work:
        off = work.pop()
        op, arg = raw[off], raw[off + 1]
        d = depth[off]
        name = opcode.opname[op]
        targets = []
        if op in dis.hasjrel:
            back = "BACKWARD" in name
            target = nexts[off] + (-2 if back else 2) * arg
            targets.append((target, d + dis.stack_effect(op, arg, jump=True)))
        if name not in ("JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
                        "RETURN_VALUE", "RAISE_VARARGS", "RERAISE"):
            effect = dis.stack_effect(op, arg, jump=False) if op >= opcode.HAVE_ARGUMENT \
                else dis.stack_effect(op)
            if name == "RETURN_GENERATOR":     # (pushes what the POP_TOP after it pops)
                effect = 1
            targets.append((nexts[off], d + effect))
        for target, td in targets:
            if target not in nexts or depth.get(target, td) != td:
                return None
            if target not in depth:
                depth[target] = td
                work.append(target)
    return depth


def fold_genexpr(code: types.CodeType, kind: str) -> tuple[types.CodeType, int] | None:
    """``code`` (a generator expression's) as a plain function folding what it yields
    as ``kind`` does, and the length in code units of the step at its end; None if
    the code is not the plain shape a generator expression compiles to."""
    if kind not in FOLDS or not code.co_flags & _CO_GENERATOR or code.co_argcount != 1 \
            or code.co_exceptiontable or code.co_name != "<genexpr>" \
            or not FRAME_READERS.isdisjoint(code.co_names):
        return None
    raw = bytearray(read_bytecode(code))
    ins = list(_units(raw))
    ops = [op for _, op, _ in ins]
    if ops.count(_OP["YIELD_VALUE"]) != 1 or ops.count(_OP["RETURN_VALUE"]) != 1 or \
            ops.count(_OP["RETURN_GENERATOR"]) != 1 or _OP["EXTENDED_ARG"] in ops:
        return None
    k_gen = ops.index(_OP["RETURN_GENERATOR"])
    k_yield = ops.index(_OP["YIELD_VALUE"])
    k_ret = ops.index(_OP["RETURN_VALUE"])
    if k_ret == 0 or ops[k_gen + 1:k_gen + 3] != [_OP["POP_TOP"], _OP["RESUME"]] or \
            ops[k_yield + 1:k_yield + 3] != [_OP["RESUME"], _OP["POP_TOP"]] or \
            ops[k_ret - 1] != _OP["LOAD_CONST"] or code.co_consts[ins[k_ret - 1][2]] is not None:
        return None
    try:
        depth = _depths(bytes(raw))
    except ValueError:             # (an opcode dis does not know)
        return None
    y_off = ins[k_yield][0]
    below = depth.get(y_off, 0) - 1 if depth else -1   # the iterators under the value
    if below < 1:
        return None
    consts = list(code.co_consts)

    def const(value) -> int:
        for i, c in enumerate(consts):
            if c is value or (type(c) is type(value) and c == value and type(c) is not float):
                return i
        consts.append(value)
        return len(consts) - 1

    def put(k: int, name: str, arg: int = 0):
        raw[ins[k][0]] = _OP[name]
        raw[ins[k][0] + 1] = arg

    varnames, nlocals = code.co_varnames, code.co_nlocals
    start = len(raw) // 2                      # what is added after the code, in code units
    back = y_off // 2 + 3                      # where the code goes on after its yield
    tail: list[tuple[str, int]] = []           # the instructions added

    def jump_back(to: int) -> tuple[str, int]:
        # (no eval-breaker check: the generator's own back jump, which the step goes
        # on to, checks it, where the interpreter does -- a signal handler's exception
        # then has the generator's traceback entry at its line)
        return ("JUMP_BACKWARD_NO_INTERRUPT", start + len(tail) + 1 - to)

    if kind in ("sum", "min", "max"):
        # the builtin's own loop over a result unbound until the first item (so it has
        # the items' type: no int 0 in a float sum): sum: 0 + first, then result +
        # each next; min/max: the first, then each next that compares < / >
        acc, seen = nlocals, nlocals + 1
        varnames += (ACC if kind == "sum" else ITEM, SEEN)
        for off, op, arg in ins:       # cells and free variables move up two indices
            if op in _LOCALSPLUS_OPS and arg >= nlocals:
                if arg + 2 > 255:
                    return None
                raw[off + 1] = arg + 2
        put(k_gen, "RESUME")       # (first, as in any function: see deopt._cells_unsafe)
        put(k_gen + 1, "LOAD_CONST", const(False))
        put(k_gen + 2, "STORE_FAST", seen)
        to_end = start - ins[k_ret - 1][0] // 2 - 1
        if to_end > 255:
            return None
        put(k_ret - 1, "JUMP_FORWARD", to_end)
        nothing = const(0) if kind == "sum" else const(EMPTY)
        tail += [("LOAD_FAST", seen), ("POP_JUMP_FORWARD_IF_FALSE", 2), ("LOAD_FAST", acc),
                 ("RETURN_VALUE", 0), ("LOAD_CONST", nothing), ("RETURN_VALUE", 0)]
        step_at = start + len(tail)
        first = [("LOAD_CONST", const(0)), ("SWAP", 2), ("BINARY_OP", 0), ("CACHE", 0)] \
            if kind == "sum" else []
        first += [("STORE_FAST", acc), ("LOAD_CONST", const(True)), ("STORE_FAST", seen)]
        tail += [("LOAD_FAST", seen), ("POP_JUMP_FORWARD_IF_TRUE", len(first) + 1)] + first
        tail.append(jump_back(back))
        if kind == "sum":
            tail += [("LOAD_FAST", acc), ("SWAP", 2), ("BINARY_OP", 0), ("CACHE", 0),
                     ("STORE_FAST", acc)]
        else:
            tail += [("COPY", 1), ("LOAD_FAST", acc),
                     ("COMPARE_OP", dis.cmp_op.index("<" if kind == "min" else ">")),
                     ("CACHE", 0), ("CACHE", 0), ("POP_JUMP_FORWARD_IF_FALSE", 2),
                     ("STORE_FAST", acc)]
            tail.append(jump_back(back))
            tail.append(("POP_TOP", 0))
        tail.append(jump_back(back))
    elif kind in COLLECTS:
        # the items gathered in a list (a set), which the caller turns into what the
        # builtin returns (a tuple, a frozenset, the list sorted)
        build, add = COLLECTS[kind]
        acc = nlocals
        varnames += (ACC,)
        for off, op, arg in ins:       # cells and free variables move up one index
            if op in _LOCALSPLUS_OPS and arg >= nlocals:
                if arg + 1 > 255:
                    return None
                raw[off + 1] = arg + 1
        put(k_gen, "RESUME")
        put(k_gen + 1, build)
        put(k_gen + 2, "STORE_FAST", acc)
        put(k_ret - 1, "LOAD_FAST", acc)
        step_at = start
        tail += [("LOAD_FAST", acc), ("SWAP", 2), (add, 1), ("POP_TOP", 0)]
        tail.append(jump_back(back))
    else:
        put(k_gen, "RESUME")
        put(k_gen + 1, "NOP")
        put(k_gen + 2, "NOP")
        put(k_ret - 1, "LOAD_CONST", const(kind == "all"))
        step_at = start
        tail.append(("POP_JUMP_FORWARD_IF_TRUE" if kind == "any" else "POP_JUMP_FORWARD_IF_FALSE", 1))
        tail.append(jump_back(back))
        tail += [("POP_TOP", 0)] * below + [("LOAD_CONST", const(kind == "any")),
                                            ("RETURN_VALUE", 0)]
    if step_at - (y_off // 2 + 1) > 255 or any(a > 255 for _, a in tail):
        return None
    put(k_yield, "JUMP_FORWARD", step_at - (y_off // 2 + 1))
    put(k_yield + 1, "NOP")
    put(k_yield + 2, "NOP")
    for name, arg in tail:
        raw += bytes((_OP[name], arg))
    units = start + len(tail) - step_at
    table = bytearray(code.co_linetable)
    n = len(tail)
    while n > 0:                               # "no location" entries, up to 8 units each
        chunk = min(n, 8)
        table.append(0x80 | (_NO_LOCATION << 3) | (chunk - 1))
        n -= chunk
    fused = code.replace(co_code=bytes(raw), co_consts=tuple(consts), co_varnames=varnames,
                         co_nlocals=len(varnames), co_flags=code.co_flags & ~_CO_GENERATOR,
                         co_stacksize=code.co_stacksize + 2, co_linetable=bytes(table))
    return fused, units
