"""runtime.deopt: a continuation resumes a call at any instruction exactly.

The main check takes real frame states: a function runs under an opcode tracer
and, at its k-th instruction, the tracer reads the frame's locals and operand
stack (the stack through ctypes, 3.11's frame layout) and resumes the call from
there with ``deopt.resume``, while the original frame is paused inside the
tracer (so the live objects are not changed underneath, and the exception being
handled is the same). Prints before the pause plus the resumed run's prints,
and the resumed run's result or exception (type, message, context, traceback
from the function's frame on), must equal one plain run from the start. Then
the original is abandoned. Every instruction of each function is tried.

Further tests build stack states by hand from ``dis`` output.
"""
from __future__ import annotations

import contextlib
import copy
import ctypes
import dis
import io
import sys
import types

import pytest

from runtime import deopt
from runtime.deopt import NULL, continuation, resume
from runtime.helpers import UNBOUND

PTR = ctypes.sizeof(ctypes.c_void_p)
set_handled_exception = ctypes.pythonapi.PyErr_SetHandledException
set_handled_exception.argtypes = [ctypes.py_object]
set_handled_exception.restype = None


# ---- harness ----------------------------------------------------------------

def operand_stack(frame: types.FrameType) -> list:
    """The operand stack of a paused 3.11 frame, deepest first (NULL for NULL).
    PyFrameObject: f_frame at 3 pointers. _PyInterpreterFrame: f_code at 4
    pointers, stacktop (int) at 8, localsplus at 9; the stack follows the locals."""
    iframe = ctypes.c_void_p.from_address(id(frame) + 3 * PTR).value
    assert ctypes.c_void_p.from_address(iframe + 4 * PTR).value == id(frame.f_code)
    stacktop = ctypes.c_int.from_address(iframe + 8 * PTR).value

    def slot(i):
        address = ctypes.c_void_p.from_address(iframe + (9 + i) * PTR).value
        return NULL if address is None else ctypes.cast(address, ctypes.py_object).value

    code = frame.f_code
    local_values = frame.f_locals
    for i, name in enumerate(code.co_varnames):     # the layout is what we think
        assert slot(i) is local_values.get(name, NULL)
    return [slot(i) for i in range(code.co_nlocals, stacktop)]


def innermost(exc: BaseException) -> types.TracebackType:
    tb = exc.__traceback__
    while tb.tb_next:
        tb = tb.tb_next
    return tb


class Abandon(BaseException):
    """Raised by the tracer to abandon the original run once it has resumed."""


def traceback_tail(exc: BaseException, code: types.CodeType) -> list:
    """(function, file, line) of each traceback entry from ``code``'s function on."""
    entries = []
    tb = exc.__traceback__
    while tb is not None:
        c = tb.tb_frame.f_code
        entries.append((c.co_qualname, c.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    mine = [i for i, e in enumerate(entries) if e[:2] == (code.co_qualname, code.co_filename)]
    return entries[mine[0]:] if mine else entries


def outcome(call, code):
    try:
        # a copy: the abandoned original may still change the objects (its finally blocks run)
        return ("return", copy.deepcopy(call()))
    except Exception as exc:  # noqa: BLE001 - any exception is part of the outcome
        return ("raise", type(exc), str(exc), type(exc.__context__), type(exc.__cause__),
                traceback_tail(exc, code))


def A(*args, **kwargs):
    """The arguments of a call."""
    return args, kwargs


def run_from_start(fn, make_call):
    assert sys.exc_info()[1] is None     # else the expected exception contexts would be off
    args, kwargs = make_call()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = outcome(lambda: fn(*args, **kwargs), fn.__code__)
    return result, out.getvalue()


def keyword_call_offsets(code) -> set:
    """PRECALL/CALL offsets of keyword calls (they resume at their KW_NAMES)."""
    instructions = list(dis.get_instructions(code))
    return {i.offset for k, kw in enumerate(instructions) if kw.opname == "KW_NAMES"
            for i in instructions[k + 1:k + 3]}


def resume_at_instruction(fn, make_call, index):
    """Run ``fn`` traced; at its ``index``-th executed instruction resume the call
    from the frame's state. Returns a dict: offset, opname, depth and (outcome,
    output) or rejected=True for a PRECALL/CALL of a keyword call; None if the
    run executes fewer instructions."""
    code = fn.__code__
    keyword_calls = keyword_call_offsets(code)
    out = io.StringIO()
    executed = 0
    report = {}

    def tracer(frame, event, arg):
        nonlocal executed
        if frame.f_code is not code:
            return None
        frame.f_trace_opcodes = True
        if event != "opcode":
            return tracer
        executed += 1
        if executed <= index:
            return tracer
        offset, stack = frame.f_lasti, operand_stack(frame)
        local_values = frame.f_locals
        values = tuple(local_values.get(n, UNBOUND) for n in code.co_varnames) + tuple(stack)
        report.update(offset=offset, opname=dis.opname[code.co_code[offset]], depth=len(stack))
        call = lambda: resume(fn.__globals__, code, offset, len(stack), values)  # noqa: E731
        if offset in keyword_calls:
            with pytest.raises(ValueError, match="KW_NAMES"):
                call()
            report["rejected"] = True
            raise Abandon
        printed = out.getvalue()
        resumed_out = io.StringIO()
        with contextlib.redirect_stdout(resumed_out):
            report["result"] = (outcome(call, code), printed + resumed_out.getvalue())
        raise Abandon

    args, kwargs = make_call()
    handled = sys.exc_info()[1]
    sys.settrace(tracer)
    try:
        with contextlib.redirect_stdout(out):
            fn(*args, **kwargs)
    except Abandon:
        pass
    except Exception:  # noqa: BLE001 - the original's own exception, no resumption happened
        pass
    finally:
        sys.settrace(None)
    # Abandoning at a PUSH_EXC_INFO runs the cleanup handler that assumes it ran: that
    # leaves the in-flight exception as the thread's handled one. Put ours back.
    set_handled_exception(handled)
    return report or None


def count_instructions(fn, make_call) -> int:
    code, executed = fn.__code__, 0

    def tracer(frame, event, arg):
        nonlocal executed
        if frame.f_code is not code:
            return None
        frame.f_trace_opcodes = True
        executed += event == "opcode"
        return tracer

    args, kwargs = make_call()
    sys.settrace(tracer)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - raising is one of the outcomes
        pass
    finally:
        sys.settrace(None)
    return executed


def check_every_instruction(fn, make_call, max_points=400):
    """Resume at each executed instruction (at most ``max_points``, evenly spread)."""
    expected = run_from_start(fn, make_call)
    executed = count_instructions(fn, make_call)
    step = max(1, executed // max_points)
    tried, failures, depths = 0, [], set()
    for index in range(0, executed, step):
        report = resume_at_instruction(fn, make_call, index)
        if report.get("rejected"):
            continue
        tried += 1
        depths.add(report["depth"])
        if report["result"] != expected:
            failures.append((index, report["offset"], report["opname"], report["result"]))
    assert not failures, (f"expected {expected}\n" +
                          "\n".join(f"instruction {i} at {o} {n}: {r}" for i, o, n, r in failures[:5]))
    return tried, depths


# ---- functions to resume --------------------------------------------------------

class Log:
    """Context manager that prints; suppresses KeyError."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, typ, exc, tb):
        print("exit", self.name, typ and typ.__name__)
        return typ is KeyError


def loops(n):
    total = 0
    i = 0
    while i < n:
        if i % 2:
            total += i * i
        else:
            total -= 1
        i += 1
    for j in range(n):
        for k in range(j):
            if k == 2:
                break
            if (j + k) % 2:
                continue
            total += j * k
            print("jk", j, k, total)
    else:
        print("loops done")
    return total


def exceptions(x):
    log = []
    try:
        log.append(10 // x)
    except ZeroDivisionError as e:
        print("caught", e)
        log.append("zero")
    else:
        log.append("no error")
    finally:
        print("finally", log)
    try:
        try:
            if x > 1:
                raise ValueError(f"big {x}")
        finally:
            log.append("inner finally")
    except ValueError as e:
        log.append(str(e))
    return log


def reraises(x):
    try:
        return {"a": 1}[x]
    except KeyError as e:
        print("missing", e)
        if x == "b":
            raise
        raise LookupError("wrapped") from e


def with_blocks(key):
    d = {"a": 1}
    with Log("outer"):
        with Log("inner"):
            value = d[key]
            print("got", value)
        print("after inner")
    try:
        with Log("raising"):
            raise TypeError("from with")
    except TypeError as e:
        print("outer caught", e)
    return key


def iterators(xs):
    it = iter(xs)
    first = next(it)
    pairs = []
    for i, (a, b) in enumerate(zip(it, reversed(xs))):
        pairs.append((i, a, b))
    for ch in "ab":
        for n in xs[:2]:
            pairs.append(ch * n)
    squares = [x * x for x in xs]
    return first, pairs, squares, sum(x for x in xs)


def kw_target(a, b=2, *rest, c, d=4, **extra):
    return (a, b, rest, c, d, sorted(extra.items()))


def keyword_calls(xs):
    r1 = kw_target(1, c=3)
    r2 = kw_target(*xs, c=5, d=6, e=7)
    r3 = sorted(xs, key=lambda v: -v, reverse=True)
    opts = {"sep": "-", "end": "!\n"}
    print("x", "y", **opts)
    r4 = dict(a=1, **{"b": 2})
    return r1, r2, r3, r4, kw_target(a=0, c=None)


class Box:
    def __init__(self, v):
        self.v = v
        self.hook = lambda n: n + 100    # an attribute, not a method: LOAD_METHOD leaves NULL

    def get(self, n=0):
        return self.v + n


def methods(s):
    parts = s.split(",")
    parts.append(s.upper())
    box = Box(len(parts))
    total = box.get(1) + box.get(n=2) + box.hook(3)
    joined = "-".join(p.strip() for p in parts)
    return parts, total, joined, str.lower(s)


def unpacking(seq):
    a, *middle, z = seq
    x, y = z, a
    x, y = y, x
    (p, q), r = (a, z), middle
    first, second = divmod(len(seq), 3)
    merged = [*seq, *middle]
    d = {**{"k": a}, "z": z}
    return a, middle, z, x, y, p, q, r, first, second, merged, d


def fstrings(x, width):
    name = "value"
    s = f"{name}={x!r:>{width}}|{x:08.3f}|{x!s}|{name!a}"
    print(f"{s} {len(s)}")
    return f"<{s}>"


def helper_raises(n):
    if n > 2:
        raise KeyError(n)
    return n


def raises_late(n):
    total = 0
    for i in range(n):
        total += helper_raises(i)
        print("total", total)
    if total > 2:
        raise ValueError(f"total {total}")
    return total


def deletes(flag):
    v = 1
    w = 2
    del v
    if flag:
        return w
    return v


def varargs(*args, **kwargs):
    total = sum(args)
    for key in sorted(kwargs):
        total += kwargs[key]
    return total, args, kwargs


def early_returns(xs):
    for x in xs:
        if x < 0:
            return "negative", x
    while xs:
        if xs[-1] == 0:
            return "zero"
        xs = xs[:-1]
    return None


CASES = [
    (loops, lambda: A(5)),
    (exceptions, lambda: A(0)),
    (exceptions, lambda: A(1)),
    (exceptions, lambda: A(2)),
    (reraises, lambda: A("a")),
    (reraises, lambda: A("b")),
    (reraises, lambda: A("c")),
    (with_blocks, lambda: A("a")),
    (with_blocks, lambda: A("b")),
    (iterators, lambda: A([3, 1, 2])),
    (keyword_calls, lambda: A([1, 2, 3])),
    (methods, lambda: A("a, b,c")),
    (unpacking, lambda: A([1, 2, 3, 4])),
    (fstrings, lambda: A(3.25, 9)),
    (raises_late, lambda: A(2)),
    (raises_late, lambda: A(3)),
    (raises_late, lambda: A(5)),
    (deletes, lambda: A(True)),
    (deletes, lambda: A(False)),
    (varargs, lambda: A(1, 2, x=3, y=4)),
    (early_returns, lambda: A([1, 2, 0, 3])),
    (early_returns, lambda: A([1, -2])),
]


@pytest.mark.parametrize("fn, make_call", CASES,
                         ids=[f"{fn.__name__}{make_call()!r}" for fn, make_call in CASES])
def test_resume_at_every_instruction(fn, make_call):
    tried, depths = check_every_instruction(fn, make_call)
    assert tried >= 5
    assert max(depths) >= 1     # stack-carrying states were among them


# ---- hand-built states ---------------------------------------------------------

def starts(code) -> list[tuple[int, dis.Instruction]]:
    """(offset of the first unit, EXTENDED_ARG prefixes included; instruction)."""
    out, prefix = [], None
    for ins in dis.get_instructions(code):
        if ins.opname == "EXTENDED_ARG":
            prefix = ins.offset if prefix is None else prefix
            continue
        out.append((ins.offset if prefix is None else prefix, ins))
        prefix = None
    return out


def offset_of(fn, opname, nth=0, **attrs):
    found = [start for start, ins in starts(fn.__code__) if ins.opname == opname
             and all(getattr(ins, k) == v for k, v in attrs.items())]
    return found[nth]


def add(a, b):
    return a + b


def test_binary_op_with_operands_on_the_stack():
    at = offset_of(add, "BINARY_OP")
    assert resume(add.__globals__, add.__code__, at, 2, (UNBOUND, UNBOUND, 30, 12)) == 42
    assert resume(add.__globals__, add.__code__, at, 2, ("x", "y", "a", "b")) == "ab"
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'int' and 'str'"):
        resume(add.__globals__, add.__code__, at, 2, (1, 2, 1, "s"))


def length(x):
    return len(x)


def test_call_with_null_and_callable_on_the_stack():
    at = offset_of(length, "PRECALL")
    assert resume(length.__globals__, length.__code__, at, 3, ("ignored", NULL, sorted, "cab")) \
        == ["a", "b", "c"]
    at = offset_of(length, "CALL")
    assert resume(length.__globals__, length.__code__, at, 3, (UNBOUND, NULL, len, "ab")) == 2


def shout(s):
    return s.upper()


def test_method_call_with_null_or_self():
    at = offset_of(shout, "PRECALL")
    code = shout.__code__
    # LOAD_METHOD found a method: [function, self]
    assert resume(shout.__globals__, code, at, 2, (UNBOUND, str.upper, "abc")) == "ABC"
    # LOAD_METHOD found a plain attribute: [NULL, callable]
    assert resume(shout.__globals__, code, at, 2, (UNBOUND, NULL, "xyz".upper)) == "XYZ"


def point(x, b=0):
    return "point", x, b


def keyword_call(f):
    return f(1, b=2)


def test_keyword_call_resumes_at_kw_names():
    at = offset_of(keyword_call, "KW_NAMES")
    code = keyword_call.__code__
    got = resume(keyword_call.__globals__, code, at, 4, (UNBOUND, NULL, point, 10, 20))
    assert got == ("point", 10, 20)
    with pytest.raises(TypeError, match="takes no keyword arguments"):
        resume(keyword_call.__globals__, code, at, 4, (UNBOUND, NULL, divmod, 1, 2))
    for opname in ("PRECALL", "CALL"):      # the keyword names are not on the stack
        with pytest.raises(ValueError, match="KW_NAMES"):
            continuation(code, offset_of(keyword_call, opname), 4, frozenset(), frozenset({0}))


def sum_from(xs):
    total = 0
    for x in xs:
        total += x
    return total


def test_for_iter_with_an_iterator_on_the_stack():
    code = sum_from.__code__
    at = offset_of(sum_from, "FOR_ITER")
    it = iter([5, 6, 7, 8])
    next(it)
    assert resume(sum_from.__globals__, code, at, 1, (UNBOUND, 100, UNBOUND, it)) == 121
    assert next(it, "done") == "done"
    # inside the body: the iterator under the loop variable, about to STORE_FAST x
    body = offset_of(sum_from, "STORE_FAST", argval="x")
    assert resume(sum_from.__globals__, code, body, 2, (UNBOUND, 1, UNBOUND, iter([10]), 7)) == 18


def shows_locals(a):
    return a, sorted(locals())


def test_hidden_stack_locals_are_invisible():
    at = offset_of(shows_locals, "LOAD_GLOBAL", argval="sorted")
    assert resume(shows_locals.__globals__, shows_locals.__code__, at, 1, ("local", "stacked")) \
        == ("stacked", ["a"])
    assert resume(shows_locals.__globals__, shows_locals.__code__, at, 1, (UNBOUND, "stacked")) \
        == ("stacked", [])


def reads_local():
    x = 1
    return x


def test_unbound_local_gives_the_interpreters_error():
    with pytest.raises(UnboundLocalError) as interpreter:
        deletes(False)
    at = offset_of(reads_local, "LOAD_FAST", argval="x")
    with pytest.raises(UnboundLocalError) as resumed:
        resume(reads_local.__globals__, reads_local.__code__, at, 0, (UNBOUND,))
    assert str(resumed.value) == str(interpreter.value).replace("'v'", "'x'")
    assert str(resumed.value) == "cannot access local variable 'x' where it is not associated with a value"
    assert resume(reads_local.__globals__, reads_local.__code__, at, 0, ("bound",)) == "bound"


def exceptions_line():
    try:
        n = 10 // 0
    except ZeroDivisionError:
        return "handled"
    return n


def test_resume_inside_a_try_block_runs_the_handler():
    # the exception table is shifted with the code: the handler still covers the try body
    at = offset_of(exceptions_line, "LOAD_CONST", argval=10)
    assert resume(exceptions_line.__globals__, exceptions_line.__code__, at, 0, (UNBOUND,)) == "handled"
    at = offset_of(exceptions_line, "BINARY_OP")
    assert resume(exceptions_line.__globals__, exceptions_line.__code__, at, 2, (UNBOUND, 1, 0)) \
        == "handled"
    assert resume(exceptions_line.__globals__, exceptions_line.__code__, at, 2, (UNBOUND, 9, 3)) == 3


def fails_on_line():
    value = 1
    value += 1
    raise RuntimeError(f"value {value}")


def test_traceback_names_the_original_function_file_and_line():
    at = offset_of(fails_on_line, "LOAD_FAST", argval="value")
    with pytest.raises(RuntimeError) as resumed:
        resume(fails_on_line.__globals__, fails_on_line.__code__, at, 0, (41,))
    assert str(resumed.value) == "value 42"
    last = innermost(resumed.value)
    code = last.tb_frame.f_code
    assert (code.co_name, code.co_qualname, code.co_filename) == ("fails_on_line", "fails_on_line", __file__)
    assert last.tb_lineno == fails_on_line.__code__.co_firstlineno + 3
    assert code is not fails_on_line.__code__     # it is the continuation


exits = []


class RecordingExit:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        exits.append(sys._getframe(1))
        return False


def with_reraise(cm, x):
    with cm:
        y = x + 1
    return y


def test_lasti_stack_slot_is_rebased():
    """The with-statement's exit handler holds the raising instruction's offset (lasti)
    on the stack; RERAISE 2 puts the frame back there. Passed in the original's units,
    it must land on the same line in the continuation."""
    cm = RecordingExit()
    with pytest.raises(TypeError):
        with_reraise(cm, "a")
    original_line = exits[-1].f_lineno
    assert original_line == with_reraise.__code__.co_firstlineno + 2

    binary_op = offset_of(with_reraise, "BINARY_OP")
    at = offset_of(with_reraise, "WITH_EXCEPT_START")
    try:
        "a" + 1
    except TypeError as raised:     # in a handler the exception always has a traceback
        exc = raised
    values = (cm, "a", UNBOUND, cm.__exit__, binary_op // 2, None, exc)
    with pytest.raises(TypeError) as resumed:
        resume(with_reraise.__globals__, with_reraise.__code__, at, 4, values)
    assert resumed.value is exc
    assert exits[-1].f_lineno == original_line
    assert exits[-1].f_code is not with_reraise.__code__


# ---- EXTENDED_ARG and big code ------------------------------------------------

def make_big():
    """300 locals and constants (LOAD_FAST/LOAD_CONST/DELETE_FAST need EXTENDED_ARG),
    a jump over more than 255 units, a try block beyond 4096 units (3-chunk varints)."""
    lines = ["def big(flag):", "    acc = []"]
    lines += [f"    v{i} = {i}.5" for i in range(300)]
    lines += ["    if flag:"] + [f"        acc.append(v{i})" for i in range(300)]
    lines += ["    try:", "        acc.append(1 // (len(acc) - 300))", "    except ZeroDivisionError:",
              "        acc.append('zero')", "    return len(acc), acc[-1], acc[0]"]
    namespace = {}
    exec(compile("\n".join(lines), "<big>", "exec"), namespace)
    return namespace["big"]


def test_extended_arg_jump_and_indices():
    big = make_big()
    code = big.__code__
    jump = [(s, ins) for s, ins in starts(code) if ins.opname == "POP_JUMP_FORWARD_IF_FALSE"][0]
    start, ins = jump
    assert ins.arg > 255 and start < ins.offset    # it has an EXTENDED_ARG prefix
    n = code.co_nlocals
    assert n > 256

    def local_values():
        return [[]] + [i + 0.5 for i in range(300)]
    # the condition on the stack decides, not the local
    assert resume(big.__globals__, code, start, 1, (False, *local_values(), True)) \
        == big(True) == (301, "zero", 0.5)
    assert resume(big.__globals__, code, start, 1, (True, *local_values(), False)) \
        == big(False) == (1, -1, -1)
    with pytest.raises(ValueError, match="not a reachable instruction"):
        continuation(code, ins.offset, 1, frozenset(), frozenset())   # inside the instruction

    # resume after the jump at the last v299 read: an unbound local with index > 255
    load = max(s for s, i in starts(code) if i.opname == "LOAD_FAST" and i.argval == "v299")
    assert code.co_varnames.index("v299") > 255
    bound = local_values()
    values = (True, *bound[:-1], UNBOUND, NULL, bound[0].append)
    with pytest.raises(UnboundLocalError, match="'v299'"):
        resume(big.__globals__, code, load, 2, values)
    values = (True, *bound, NULL, bound[0].append)
    assert resume(big.__globals__, code, load, 2, values) == (2, -1, 299.5)


def test_big_function_every_instruction():
    big = make_big()
    tried, depths = check_every_instruction(big, lambda: A(True), max_points=200)
    assert tried >= 50 and max(depths) >= 1


# ---- the continuation's own tables -------------------------------------------------

def test_tables_are_shifted_and_original_untouched():
    big = make_big()
    code = big.__code__
    before = (code.co_code, code.co_exceptiontable, code.co_linetable, code.co_consts)
    try_body = code.co_firstlineno + 604      # acc.append(1 // (len(acc) - 300))
    start = [s for s, ins in starts(code) if ins.starts_line == try_body][0]
    cont = continuation(code, start, 0, frozenset({5}), frozenset())
    assert (code.co_code, code.co_exceptiontable, code.co_linetable, code.co_consts) == before

    prologue = (len(cont.co_code) - len(code.co_code)) // 2
    assert cont.co_code[2 * prologue:] == code.co_code
    positions = list(cont.co_positions())
    assert positions[:prologue] == [(None, None, None, None)] * prologue
    assert positions[prologue:] == list(code.co_positions())
    shifted = [(e.start + 2 * prologue, e.end + 2 * prologue, e.target + 2 * prologue, e.depth, e.lasti)
               for e in dis._parse_exception_table(code)]
    assert [tuple(e) for e in dis._parse_exception_table(cont)] == shifted
    assert shifted and shifted[0][0] // 2 >= 4096


def test_exception_table_encoding_round_trip():
    entries = [(0, 1, 2, 0), (63, 64, 65, 3), (4095, 4096, 262143, 9), (262144, 1, 16_777_216, 1)]
    assert deopt._exception_table(deopt._encode_exception_table(entries)) == entries


# ---- caching and errors -------------------------------------------------------------

def test_continuations_are_cached():
    at = offset_of(add, "BINARY_OP")
    first = continuation(add.__code__, at, 2, frozenset(), frozenset())
    assert continuation(add.__code__, at, 2, frozenset(), frozenset()) is first
    assert continuation(add.__code__, at, 2, frozenset({0}), frozenset()) is not first


def test_equal_code_from_different_files_keeps_its_file():
    """Code objects compare equal regardless of co_filename: the cache must not mix them."""
    source = "def divide(x):\n    return 1 // x\n"
    functions = []
    for filename in ("first_file.py", "second_file.py"):
        namespace = {}
        exec(compile(source, filename, "exec"), namespace)
        functions.append(namespace["divide"])
    assert functions[0].__code__ == functions[1].__code__
    for fn in functions:
        with pytest.raises(ZeroDivisionError) as info:
            resume(fn.__globals__, fn.__code__, 2, 0, (0,))
        assert innermost(info.value).tb_frame.f_code.co_filename == fn.__code__.co_filename


def make_closure():
    captured = 1

    def inner():
        return captured
    return inner


def generator():
    yield 1


async def coroutine():
    pass


def closure_user(n):
    k = n * 2

    def get():
        return k
    k += 1
    return get() + n + k


def test_cells_resume_as_the_same_cells():
    """Slots of cells hold the cells themselves; the resumed code reads and writes
    through them, so closures made before the deopt see its writes."""
    code = closure_user.__code__
    assert deopt.interpreter_unsafe(code) is None
    at = offset_of(closure_user, "LOAD_DEREF", argval="k")     # k += 1
    cell = types.CellType(10)
    get = types.FunctionType(code.co_consts[2], globals(), "get", None, (cell,))
    assert resume(globals(), code, at, 0, [5, get, cell]) == 11 + 5 + 11
    assert cell.cell_contents == 11
    inner = make_closure()           # free variables resume alike
    free = inner.__closure__[0]
    at = offset_of(inner, "LOAD_DEREF")
    assert resume(globals(), inner.__code__, at, 0, [free]) == 1


def test_cells_made_otherwise_are_not_resumed():
    code = closure_user.__code__
    # no MAKE_CELL for k: its slot would hold no cell where the code resumes
    stripped = code.co_code.replace(bytes((dis.opmap["MAKE_CELL"], 2)),
                                    bytes((dis.opmap["NOP"], 0)))
    assert deopt.interpreter_unsafe(code.replace(co_code=stripped)) is not None
    # a local read of a cell's slot (STORE_FAST there could put a non-cell in it)
    fast = code.co_code.replace(bytes((dis.opmap["LOAD_DEREF"], 2)),
                                bytes((dis.opmap["LOAD_FAST"], 2)), 1)
    assert "LOAD_FAST 2" in deopt.interpreter_unsafe(code.replace(co_code=fast))


def test_unsupported_code_is_rejected():
    for fn in (generator, coroutine):
        with pytest.raises(ValueError, match="generator or coroutine"):
            continuation(fn.__code__, 2, 0, frozenset(), frozenset())


def test_bad_states_are_rejected():
    at = offset_of(add, "BINARY_OP")
    code = add.__code__
    with pytest.raises(ValueError, match="holds 2 values, not 1"):
        continuation(code, at, 1, frozenset(), frozenset())
    with pytest.raises(ValueError, match="not a reachable instruction"):
        continuation(code, at + 1, 2, frozenset(), frozenset())
    with pytest.raises(ValueError, match="not a reachable instruction"):
        continuation(code, at + 2, 2, frozenset(), frozenset())     # its inline cache
    with pytest.raises(ValueError, match="out of range"):
        continuation(code, at, 2, frozenset({2}), frozenset())


# ---- object lifetimes and reference counts ------------------------------------------

freed = []


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        freed.append(self.name)


def rebinds(tmp):
    tmp = None
    freed.append("rebound")
    return tmp


def drops_result(make):
    make("on the stack")
    freed.append("popped")


def test_values_in_a_list_die_when_the_interpreter_frees_them():
    """A tuple keeps every value alive until the call returns; a list is handed over."""
    freed.clear()
    rebinds(Noisy("interpreter"))
    assert freed == ["interpreter", "rebound"]

    at = offset_of(rebinds, "LOAD_CONST")
    freed.clear()
    resume(rebinds.__globals__, rebinds.__code__, at, 0, (Noisy("tuple"),))
    assert freed == ["rebound", "tuple"]
    freed.clear()
    values = [Noisy("list")]
    assert resume(rebinds.__globals__, rebinds.__code__, at, 0, values) is None
    assert freed == ["list", "rebound"] and values == []

    at = offset_of(drops_result, "POP_TOP")     # the call's result is on the stack
    freed.clear()
    resume(drops_result.__globals__, drops_result.__code__, at, 1, [UNBOUND, Noisy("result")])
    assert freed == ["result", "popped"]


# ---- reference counts ---------------------------------------------------------------

def test_resuming_does_not_leak_references():
    local, left, right, arg = [1], [2], [3], "abc"
    states = [
        (add, offset_of(add, "BINARY_OP"), 2, lambda: (local, UNBOUND, left, right)),
        (length, offset_of(length, "PRECALL"), 3, lambda: (local, NULL, len, left)),
        (shout, offset_of(shout, "PRECALL"), 2, lambda: (arg, str.upper, arg)),
        (exceptions_line, offset_of(exceptions_line, "BINARY_OP"), 2, lambda: (local, 1, 0)),
    ]
    objects = (local, left, right, arg, len)
    for fn, at, depth, values in states:
        for container in (tuple, list):
            resume(fn.__globals__, fn.__code__, at, depth, container(values()))     # warm caches
            before = [sys.getrefcount(o) for o in objects]
            for _ in range(1000):
                resume(fn.__globals__, fn.__code__, at, depth, container(values()))
            assert [sys.getrefcount(o) for o in objects] == before, (fn.__name__, container)


# ---- which code the interpreter can resume ---------------------------------------

def _replaced(fn, opname, new_opname, new_arg=0, last=False):
    """``fn``'s code with its first (or last) ``opname`` instruction replaced."""
    code = fn.__code__
    offsets = [ins.offset for ins in dis.get_instructions(code) if ins.opname == opname]
    at = offsets[-1] if last else offsets[0]
    raw = bytearray(code.co_code)
    raw[at:at + 2] = bytes((dis.opmap[new_opname], new_arg))
    return code.replace(co_code=bytes(raw))


def guarded_division(x):
    try:
        return 1 // x
    except ZeroDivisionError:
        return 0


def calls_len(xs):
    return len(xs) + 1


def summed(xs):
    total = 0
    for x in xs:
        total += x
    return total


def test_compiler_output_is_resumable():
    for fn, _ in CASES:
        assert deopt.interpreter_unsafe(fn.__code__) is None, fn.__name__
    assert deopt.interpreter_unsafe(guarded_division.__code__) is None
    assert deopt.interpreter_unsafe(summed.__code__) is None


def test_hand_made_bytecode_the_interpreter_trusts_is_not_resumable():
    # the cleanup handler's COPY 3 / POP_EXCEPT / RERAISE 1, with SWAP 2 for the COPY:
    # POP_EXCEPT would take the lasti offset for the previous exception
    bad = _replaced(guarded_division, "COPY", "SWAP", 2, last=True)
    assert "POP_EXCEPT" in deopt.interpreter_unsafe(bad)
    # FOR_ITER on the list itself (CPython calls its missing tp_iternext)
    bad = _replaced(summed, "GET_ITER", "NOP")
    assert "FOR_ITER" in deopt.interpreter_unsafe(bad)
    # PRECALL's own count (our decoder reads CALL's; the interpreter reads PRECALL's)
    bad = _replaced(guarded_division, "BINARY_OP", "BINARY_OP", 11)
    assert deopt.interpreter_unsafe(bad) is None
    bad = _replaced(calls_len, "PRECALL", "PRECALL", 143)
    assert "PRECALL 143" in deopt.interpreter_unsafe(bad)


def test_unresumable_code_runs_generic_and_says_why():
    import jit
    bad = _replaced(summed, "GET_ITER", "NOP")
    f = types.FunctionType(bad, {}, "summed")
    g = jit.compile(f, fallback=False)
    for _ in range(3):
        with pytest.raises(SystemError):     # the generic code guards FOR_ITER's operand
            g([1, 2])
    assert "no per-signature specialisation: the interpreter could not resume it" in jit.explain(g)


def squares(xs):
    return [x * x for x in xs]


def test_comprehension_called_without_an_iterator_is_rejected():
    # nested functions run in the interpreter, whose comprehension code trusts that
    # its argument is an iterator (the caller's GET_ITER): without it CPython crashes
    import jit
    assert deopt.nested_code_unsafe(squares.__code__) is None
    assert jit.compile(squares, fallback=False)([1, 2]) == [1, 4]
    bad = _replaced(squares, "GET_ITER", "NOP")
    assert "misuses a comprehension's function" in deopt.nested_code_unsafe(bad)
    with pytest.raises(jit.CompileError, match="comprehension"):
        jit.compile(types.FunctionType(bad, {}, "squares"), fallback=False)


def three_ranges(grid, n):
    # a guard (grid's items guessed ints) fails with three range iterators on the
    # stack; each resumes where it was, steps and bounds intact
    out = []
    for i in range(n, -n, -3):
        for j in range(0, 2**62, 2**60):
            for k in range(i, i + 2):
                out.append(grid[(i + j + k) % len(grid)] * 2 + k)
    return out, i, j, k


def test_deopt_resumes_nested_range_loops_exactly():
    import jit
    c = jit.compile(three_ranges)
    ints = list(range(7))
    assert c(ints, 6) == three_ranges(ints, 6)
    for late in (1, 5, 20, 40):      # turns a float at different depths of the loops
        grid = list(range(7))
        grid[late % 7] = 0.5 if late % 2 else 2**70
        assert c(grid, 6) == three_ranges(grid, 6)
    from runtime import funcobject
    assert funcobject.get_state(c).dispatcher.deopt_count > 0


def grows(xs, k):
    s = k
    for x in xs:
        s = s * 3 + x        # leaves 64 bits part way
    t = s % 1000
    return t + s // 10**30 % 7


def test_an_int_that_outgrows_64_bits_respecialises_once():
    # the product that overflows flows on into the accumulator, the next iteration's
    # product and the code after the loop: one re-specialisation makes them all
    # generic (one per place, each after a few deopts, before)
    import jit
    from runtime import funcobject
    c = jit.compile(grows)
    xs = list(range(60))
    for _ in range(12):
        assert c(xs, 5) == grows(xs, 5)
    d = funcobject.get_state(c).dispatcher
    (types, spec), = d.rows
    # (generic code, or a specialisation of what is left to unbox)
    assert spec is None or spec.generation == 1
    before = d.deopt_count
    assert before <= 4
    for _ in range(5):
        assert c(xs, 5) == grows(xs, 5)
    assert d.deopt_count == before
    assert c(list(range(3)), 1) == grows(list(range(3)), 1)     # small ones too
