"""Lowering of the typed ops that ``specialize`` produces: unboxed i64/f64
arithmetic with Python semantics, native range loops, inline list/tuple access,
guarded unboxing, known builtins and math functions.

Anything a typed op cannot do exactly in machine code (an int overflow, a zero
divisor, a math domain error, a failed guess) deoptimises (``L.deopt_if``): the
interpreter re-executes the instruction from the recorded state and produces
the exact result or exception.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import math
import struct

from runtime import abi

from .ir import F64, I64
from . import ir, lower
from .lower import FCMP, ICMP, LLTYPE
from .ranges import Ranges, factor_range

TWO53 = 1 << 53
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1

TYPED_PRELUDE = """
declare {i64, i1} @llvm.sadd.with.overflow.i64(i64, i64)
declare {i64, i1} @llvm.ssub.with.overflow.i64(i64, i64)
declare {i64, i1} @llvm.smul.with.overflow.i64(i64, i64)
declare double @llvm.floor.f64(double)
declare double @llvm.ceil.f64(double)
declare double @llvm.fabs.f64(double)
declare double @llvm.sqrt.f64(double)
declare double @llvm.roundeven.f64(double)
declare double @llvm.copysign.f64(double, double)
declare void @llvm.prefetch.p0(ptr, i32, i32, i32)
; Python's float % (CPython float_rem); the divisor is not zero
define internal double @jit.fmod(double %x, double %y) alwaysinline {
  %m = frem double %x, %y
  %nz = fcmp une double %m, 0.0
  br i1 %nz, label %fix, label %zero
fix:
  %yneg = fcmp olt double %y, 0.0
  %mneg = fcmp olt double %m, 0.0
  %diff = xor i1 %yneg, %mneg
  %m2 = fadd double %m, %y
  %r = select i1 %diff, double %m2, double %m
  ret double %r
zero:
  %z = call double @llvm.copysign.f64(double 0.0, double %y)
  ret double %z
}
; Python's float // (CPython float_floor_div); the divisor is not zero
define internal double @jit.ffloordiv(double %x, double %y) alwaysinline {
  %m = frem double %x, %y
  %xm = fsub double %x, %m
  %div = fdiv double %xm, %y
  %nz = fcmp une double %m, 0.0
  %yneg = fcmp olt double %y, 0.0
  %mneg = fcmp olt double %m, 0.0
  %diff = xor i1 %yneg, %mneg
  %adj = and i1 %nz, %diff
  %div1 = fsub double %div, 1.0
  %d = select i1 %adj, double %div1, double %div
  %dnz = fcmp une double %d, 0.0
  br i1 %dnz, label %floor, label %zero
floor:
  %f = call double @llvm.floor.f64(double %d)
  %frac = fsub double %d, %f
  %up = fcmp ogt double %frac, 0.5
  %f1 = fadd double %f, 1.0
  %r = select i1 %up, double %f1, double %f
  ret double %r
zero:
  %q = fdiv double %x, %y
  %z = call double @llvm.copysign.f64(double 0.0, double %q)
  ret double %z
}
"""


def float_literal(x: float) -> str:
    return f"0x{struct.unpack('<Q', struct.pack('<d', x))[0]:016X}"


def deopt_null():
    from runtime import deopt
    return deopt.NULL


def _not(L, c):
    r = L.t()
    L.emit(f"{r} = xor i1 {c}, true")
    return r


def _and(L, a, b):
    r = L.t()
    L.emit(f"{r} = and i1 {a}, {b}")
    return r


def _or(L, a, b):
    r = L.t()
    L.emit(f"{r} = or i1 {a}, {b}")
    return r


def _icmp(L, pred, a, b, ty="i64"):
    r = L.t()
    L.emit(f"{r} = icmp {pred} {ty} {a}, {b}")
    return r


def _fcmp(L, pred, a, b):
    r = L.t()
    L.emit(f"{r} = fcmp {pred} double {a}, {b}")
    return r


def _select(L, c, a, b, ty):
    r = L.t()
    L.emit(f"{r} = select i1 {c}, {ty} {a}, {ty} {b}")
    return r


def _bin(L, instr, a, b, ty="i64"):
    r = L.t()
    L.emit(f"{r} = {instr} {ty} {a}, {b}")
    return r


def unbox_int_inline(L, obj: str, no_bool=False) -> tuple[str, str]:
    """(value, ok): ``obj`` as an i64 if it is an exact int (or a bool) that fits."""
    t = L.type_of(obj)
    is_int = _icmp(L, "eq", t, L.capi("PyLong_Type"), "ptr")
    if not no_bool:
        is_int = _or(L, is_int, _icmp(L, "eq", t, L.capi("PyBool_Type"), "ptr"))
    start = L.cur
    one, small, big, join = L.label("ui.one"), L.label("ui.small"), L.label("ui.big"), L.label("ui.join")
    chk, two = L.label("ui.chk"), L.label("ui.two")
    L.emit(f"br i1 {is_int}, label %{chk}, label %{join}")
    L.start(chk)
    inc_small = []
    if abi.SMALL_INT_LAYOUT:
        size = L.field(obj, abi.VAR_SIZE, "i64")
        # |size| <= 1 (|value| < 2**30, the usual): value = size * d0
        L.br_likely(_icmp(L, "ule", _bin(L, "add", size, "1"), "2"), one, two)
        L.start(one)
        w0 = L.t()
        L.emit(f"{w0} = zext i32 {L.field(obj, abi.LONG_DIGITS, 'i32')} to i64")
        inc_small.append((_bin(L, "mul", w0, size), L.cur))
        L.emit(f"br label %{join}")
        L.start(two)
        # |size| == 2: value = sign * (d0 + d1 << 30)
        L.br_likely(_icmp(L, "ule", _bin(L, "add", size, "2"), "4"), small, big)
        L.start(small)
        d0 = L.field(obj, abi.LONG_DIGITS, "i32")
        d1p = L.t()
        L.emit(f"{d1p} = getelementptr i8, ptr {obj}, i64 {abi.LONG_DIGITS + 4}")
        d1, w0, w1 = L.t(), L.t(), L.t()
        L.emit(f"{d1} = load i32, ptr {d1p}")
        L.emit(f"{w0} = zext i32 {d0} to i64")
        L.emit(f"{w1} = zext i32 {d1} to i64")
        mag = _bin(L, "or", w0, _bin(L, "shl", w1, "30"))
        neg = _icmp(L, "slt", size, "0")
        inc_small.append((_select(L, neg, _bin(L, "sub", "0", mag), mag, "i64"), L.cur))
        L.emit(f"br label %{join}")
    else:
        L.emit(f"br label %{big}")
    L.start(big)
    ovf = L.t()
    L.allocas.append(f"{ovf} = alloca i32")
    big_val = L.call("PyLong_AsLongLongAndOverflow", obj, ovf)
    o = L.t()
    L.emit(f"{o} = load i32, ptr {ovf}")
    big_ok = _icmp(L, "eq", o, "0", "i32")
    big_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    val, ok = L.t(), L.t()
    inc_v = [f"[ 0, %{start} ]", f"[ {big_val}, %{big_end} ]"]
    inc_ok = [f"[ false, %{start} ]", f"[ {big_ok}, %{big_end} ]"]
    for value, block in inc_small:
        inc_v.append(f"[ {value}, %{block} ]")
        inc_ok.append(f"[ true, %{block} ]")
    L.emit(f"{val} = phi i64 {', '.join(inc_v)}")
    L.emit(f"{ok} = phi i1 {', '.join(inc_ok)}")
    return val, ok


def _within_2_53(L, v):
    biased = _bin(L, "add", v, str(TWO53))
    return _icmp(L, "ule", biased, str(2 * TWO53))


# ---- conversions -------------------------------------------------------------

def lo_unbox_int(L, op):
    val, ok = unbox_int_inline(L, L.v(op.args[0]), op.attrs.get("no_bool", False))
    L.deopt_if(_not(L, ok), op)
    L.emit(f"{L.v(op.result)} = add i64 {val}, 0")


def lo_unbox_float(L, op):
    obj = L.v(op.args[0])
    r = L.v(op.result)
    is_float = _icmp(L, "eq", L.type_of(obj), L.capi("PyFloat_Type"), "ptr")
    L.float_checks[obj] = "true" if not op.attrs.get("lenient") else is_float
    if not op.attrs.get("lenient"):
        L.deopt_if(_not(L, is_float), op)
        value = L.field(obj, abi.FLOAT_VALUE, "double")
        if op.attrs.get("no_nan"):
            L.deopt_if(_fcmp(L, "uno", value, value), op)
        L.emit(f"{r} = fadd double {value}, -0.0")
        return
    # a float, or an int that converts exactly (the other operand is a float)
    fl, other, join = L.label("uf.float"), L.label("uf.int"), L.label("uf.join")
    L.br_likely(is_float, fl, other)
    L.start(fl)
    fv = L.field(obj, abi.FLOAT_VALUE, "double")
    L.emit(f"br label %{join}")
    L.start(other)
    okp, ok8, cv = L.t(), L.t(), L.t()
    L.allocas.append(f"{okp} = alloca i8")
    L.emit(f"{cv} = call double @jit.int_as_double(ptr {obj}, ptr {okp})")
    L.emit(f"{ok8} = load i8, ptr {okp}")
    L.deopt_if(_icmp(L, "eq", ok8, "0", "i8"), op)
    other_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{r} = phi double [ {fv}, %{fl} ], [ {cv}, %{other_end} ]")


def _gep(L, obj, off):
    p = L.t()
    L.emit(f"{p} = getelementptr i8, ptr {obj}, i64 {off}")
    return p


def lo_int_to_float(L, op):
    v = L.v(op.args[0])
    if op.attrs.get("exact"):
        L.deopt_if(_not(L, _within_2_53(L, v)), op)
    L.emit(f"{L.v(op.result)} = sitofp i64 {v} to double")


def lo_box(L, op):
    r = L.box_value(op.args[0], op.attrs.get("kind", ""))
    L.emit(f"{L.v(op.result)} = bitcast ptr {r} to ptr")
    L.check_null(r, op, strip=op.attrs.get("kind") in ("rangeobj", "riter"))


# ---- int arithmetic ------------------------------------------------------------

def _overflowing(L, op, intrinsic, a, b):
    x, y = op.args
    facts = ranges(L)
    if "guarded" in op.attrs or (facts.product_fits(x, y) if intrinsic == "smul" else
                                 facts.sum_fits(x, y, 1 if intrinsic == "sadd" else -1)):
        r = L.t()          # (jit/ranges.py: no value of x and y overflows here)
        L.emit(f"{r} = {intrinsic[1:]} nsw i64 {a}, {b}")
        return r
    ranged = _ranged_const_mul(L, op, a, b) if intrinsic == "smul" else None
    if ranged is not None:
        return ranged
    pair, val, ovf = L.t(), L.t(), L.t()
    L.emit(f"{pair} = call {{i64, i1}} @llvm.{intrinsic}.with.overflow.i64(i64 {a}, i64 {b})")
    L.emit(f"{val} = extractvalue {{i64, i1}} {pair}, 0")
    L.emit(f"{ovf} = extractvalue {{i64, i1}} {pair}, 1")
    L.deopt_if(ovf, op)
    return val


def _ranged_const_mul(L, op, a, b):
    """x * c or c * x with a constant c other than -1, 0, 1, 2: overflow is a range
    test on x, made before a plain (nsw) multiplication. The test is off the
    product's dependency chain, and the product may become a shift or an lea
    (3 * x + 1: one lea), where the overflow intrinsic is an imul and a jo.
    (Additions keep the intrinsic: add + jo is one fused instruction.)"""
    c, x = L.int_consts.get(b), a
    if c is None:
        c, x = L.int_consts.get(a), b
    if c is None or c in (-1, 0, 1, 2):
        return None
    # x * c fits exactly when x lies in [lo, hi]
    _deopt_outside(L, op, x, *factor_range(c, I64_MIN, I64_MAX))
    r = L.t()
    L.emit(f"{r} = mul nsw i64 {x}, {c}")
    return r


def _floor_divmod(L, op, a, b):
    """Python's // and % on i64 (rounding toward minus infinity), and C's remainder
    (zero exactly when Python's is); deopt on a zero divisor (ZeroDivisionError) and
    MIN // -1 (overflow). Operands both known non-negative need no fix-up."""
    facts = ranges(L)
    x, y = op.args
    lo, hi = facts.interval(y)
    may_be_zero = lo <= 0 <= hi
    if may_be_zero:
        _zero_division(L, op, _icmp(L, "eq", b, "0"), "integer division or modulo by zero"
                       if op.attrs.get("op") == "//" else "integer modulo by zero")
    if x in facts and y in facts:
        # unsigned, unless a constant divisor's unsigned reciprocal needs 65 bits
        # (7: signed is two instructions shorter then)
        c = L.int_consts.get(b)
        sign = "s" if c is not None and not _short_reciprocal(c) else "u"
        r = _bin(L, f"{sign}rem", a, b)
        return _bin(L, f"{sign}div", a, b), r, r
    if facts.interval(x)[0] == I64_MIN and lo <= -1 <= hi:
        L.deopt_if(_and(L, _icmp(L, "eq", a, str(I64_MIN)), _icmp(L, "eq", b, "-1")), op)
    q, r = _bin(L, "sdiv", a, b), _bin(L, "srem", a, b)
    adjust = _and(L, _icmp(L, "ne", r, "0"), _icmp(L, "slt", _bin(L, "xor", r, b), "0"))
    fq = _select(L, adjust, _bin(L, "sub", q, "1"), q, "i64")
    fr = _select(L, adjust, _bin(L, "add", r, b), r, "i64")
    return fq, fr, r


def _zero_division(L, op, zero: str, message: str):
    """If ``zero`` holds, ZeroDivisionError(message): raised along the op's unwind
    when it has one (specialize.division_unwind; set by C code, which runs no Python
    code, so the op stays a pure one for borrow and ir.LEAF_OPS), else the
    interpreter raises it after a deopt."""
    if op.unwind is None:
        L.deopt_if(zero, op)
        return
    bad, ok = L.label("zd.raise"), L.label("zd.ok")
    L.emit(f"br i1 {zero}, label %{bad}, label %{ok}, !prof !0")
    L.start(bad)
    L.call("PyErr_SetObject", L.const(ZeroDivisionError), L.const(message))
    L.unwind(op)
    L.start(ok)


def _short_reciprocal(d: int) -> bool:
    """Whether x // d for every 64-bit unsigned x is a multiply-high by a 64-bit
    constant and shifts (a power of two's odd part taken out first), as code
    generation divides by a constant; some odd divisors need a 65-bit one."""
    if d <= 0:
        return True         # (0 deoptimises before dividing)
    zeros = (d & -d).bit_length() - 1
    odd, bits = d >> zeros, 64 - zeros
    if odd == 1:
        return True
    for s in range(64):
        m = -(-(1 << (bits + s)) // odd)
        if m >> 64:
            return False
        if m * odd - (1 << (bits + s)) <= 1 << s:
            return True
    return False


def _lshift(L, op, a, b):
    # negative counts raise, results past 64 bits grow: both deopt
    L.deopt_if(_icmp(L, "slt", b, "0"), op)
    zero = _icmp(L, "eq", a, "0")
    big = _icmp(L, "sge", b, "64")
    L.deopt_if(_and(L, big, _not(L, zero)), op)
    n = _select(L, big, "0", b, "i64")
    r = _bin(L, "shl", a, n)
    L.deopt_if(_icmp(L, "ne", _bin(L, "ashr", r, n), a), op)
    return r


def _rshift(L, op, a, b):
    L.deopt_if(_icmp(L, "slt", b, "0"), op)
    n = _select(L, _icmp(L, "sgt", b, "63"), "63", b, "i64")
    return _bin(L, "ashr", a, n)


def _deopt_outside(L, op, x: str, lo: int, hi: int):
    shifted = _bin(L, "sub", x, str(lo))      # outside [lo, hi] <=> x - lo > hi - lo, unsigned
    L.deopt_if(_icmp(L, "ugt", shifted, str(hi - lo)), op)


def lo_guard_range(L, op):
    """Deoptimise unless the i64 lies in [lo, hi] (hoist.guard_arms)."""
    _deopt_outside(L, op, L.v(op.args[0]), op.attrs["lo"], op.attrs["hi"])


def lo_int_op(L, op):
    a, b = (L.v(x) for x in op.args)
    sym = op.attrs["op"]
    if sym in ("+", "-", "*"):
        r = _overflowing(L, op, {"+": "sadd", "-": "ssub", "*": "smul"}[sym], a, b)
    elif sym in ("//", "%"):
        q, m, c_rem = _floor_divmod(L, op, a, b)
        r = q if sym == "//" else m
        if sym == "%":      # (for a test against zero: see lo_int_cmp)
            L.remainders[L.v(op.result)] = c_rem
    elif sym in ("&", "|", "^"):
        r = _bin(L, {"&": "and", "|": "or", "^": "xor"}[sym], a, b)
    elif sym == "**":
        r = _pow(L, op, "ipow", "i64", a, b)
    elif sym == "<<":
        r = _lshift(L, op, a, b)
    else:
        r = _rshift(L, op, a, b)
    L.emit(f"{L.v(op.result)} = add i64 {r}, 0")


def _pow(L, op, helper, lt, a, b):
    """rtlib's int or float power: the fast cases natively, the rest deopts (the
    interpreter raises or computes the big, complex or special result)."""
    bad, flag, r = L.t("bad"), L.t(), L.t()
    L.allocas.append(f"{bad} = alloca i8")
    L.emit(f"{r} = call {lt} @jit.{helper}({lt} {a}, {lt} {b}, ptr {bad})")
    L.emit(f"{flag} = load i8, ptr {bad}")
    L.deopt_if(_icmp(L, "ne", flag, "0", "i8"), op)
    return r


def lo_int_truediv(L, op):
    a, b = (L.v(x) for x in op.args)
    # exactly CPython's fast path: both operands convert to doubles exactly
    _zero_division(L, op, _icmp(L, "eq", b, "0"), "division by zero")
    L.deopt_if(_not(L, _and(L, _within_2_53(L, a), _within_2_53(L, b))), op)
    fa, fb = L.t(), L.t()
    L.emit(f"{fa} = sitofp i64 {a} to double")
    L.emit(f"{fb} = sitofp i64 {b} to double")
    L.emit(f"{L.v(op.result)} = fdiv double {fa}, {fb}")


def lo_int_unary(L, op):
    v = L.v(op.args[0])
    sym = op.attrs["op"]
    r = L.v(op.result)
    if sym == "-":
        L.deopt_if(_icmp(L, "eq", v, str(I64_MIN)), op)
        L.emit(f"{r} = sub i64 0, {v}")
    elif sym == "~":
        L.emit(f"{r} = xor i64 {v}, -1")
    else:
        L.emit(f"{r} = add i64 {v}, 0")


def lo_num_in(L, op):
    """x in (constants): x == each of them, or-ed."""
    x = L.v(op.args[0])
    hits = [_icmp(L, "eq", x, str(c)) if op.args[0].type == I64 else
            _fcmp(L, "oeq", x, float_literal(c)) for c in op.attrs["values"]]
    found = hits[0] if hits else "false"
    for h in hits[1:]:
        found = _or(L, found, h)
    L.emit(f"{L.v(op.result)} = or i1 {found}, false")


def lo_int_cmp(L, op):
    a, b = (L.v(x) for x in op.args)
    if op.attrs["op"] in ("==", "!=") and L.int_consts.get(b) == 0:
        # x % c == 0 (the common divisibility test) needs no sign fix-up: Python's
        # remainder is zero exactly when C's is
        a = L.remainders.get(a, a)
    L.emit(f"{L.v(op.result)} = icmp {ICMP[op.attrs['op']]} i64 {a}, {b}")


# ---- float arithmetic ------------------------------------------------------------

def lo_float_op(L, op):
    a, b = (L.v(x) for x in op.args)
    sym = op.attrs["op"]
    r = L.v(op.result)
    if sym in ("+", "-", "*"):
        L.emit(f"{r} = {({'+': 'fadd', '-': 'fsub', '*': 'fmul'})[sym]} double {a}, {b}")
        return
    if sym == "**":
        L.emit(f"{r} = fadd double {_pow(L, op, 'fpow', 'double', a, b)}, -0.0")
        return
    _zero_division(L, op, _fcmp(L, "oeq", b, "0.0"), {
        "/": "float division by zero", "//": "float floor division by zero",
        "%": "float modulo"}[sym])
    if sym == "/":
        L.emit(f"{r} = fdiv double {a}, {b}")
    else:
        fn = "@jit.fmod" if sym == "%" else "@jit.ffloordiv"
        L.emit(f"{r} = call double {fn}(double {a}, double {b})")


def lo_float_unary(L, op):
    v = L.v(op.args[0])
    if op.attrs["op"] == "-":
        L.emit(f"{L.v(op.result)} = fneg double {v}")
    else:
        L.emit(f"{L.v(op.result)} = fadd double {v}, -0.0")


def lo_float_cmp(L, op):
    a, b = (L.v(x) for x in op.args)
    L.emit(f"{L.v(op.result)} = fcmp {FCMP[op.attrs['op']]} double {a}, {b}")


def lo_num_truth(L, op):
    v = op.args[0]
    r = L.v(op.result)
    if v.type == I64:
        L.emit(f"{r} = icmp ne i64 {L.v(v)}, 0")
    elif v.type == F64:
        L.emit(f"{r} = fcmp une double {L.v(v)}, 0.0")
    else:
        L.emit(f"{r} = or i1 {L.v(v)}, false")


# ---- sequences -------------------------------------------------------------------

def _seq_index(L, c, k, allow_tuple, exact=None, index=None, write=False):
    """(in_bounds, item pointer): inline indexing of an exact list (or tuple).
    ``exact``: the specialiser knows which ("list"/"tuple"): no type check.
    ``index``: the IR value of ``k`` (a loop counter's access prefetches)."""
    if exact is not None:
        is_list = "true" if exact == "list" else "false"
        is_tuple = "true" if exact == "tuple" and allow_tuple else "false"
    else:
        t = L.type_of(c)
        is_list = _icmp(L, "eq", t, L.capi("PyList_Type"), "ptr")
        is_tuple = _icmp(L, "eq", t, L.capi("PyTuple_Type"), "ptr") if allow_tuple else "false"
    start = L.cur
    chk, join = L.label("sq.chk"), L.label("sq.join")
    L.emit(f"br i1 {_or(L, is_list, is_tuple)}, label %{chk}, label %{join}")
    L.start(chk)
    size = L.field(c, abi.VAR_SIZE, "i64")
    # a constant negative index counts from the end here; any other negative one
    # fails the unsigned bounds check and takes the generic path, which is exact
    idx = _bin(L, "add", k, size) if L.int_consts.get(k, 0) < 0 else k
    inb = _icmp(L, "ult", idx, size)
    list_items = L.field(c, abi.LIST_ITEMS)
    tuple_items = _gep(L, c, abi.TUPLE_ITEMS)
    items = _select(L, is_list, list_items, tuple_items, "ptr")
    p = L.t()
    L.emit(f"{p} = getelementptr ptr, ptr {items}, i64 {idx}")
    if index is not None:
        _prefetch(L, items, idx, index, write)
    return _checked_item(L, start, join, inb, p)


def _checked_item(L, start: str, join: str, inb: str, p: str):
    """(in bounds, pointer) at ``join``, from the bounds check's block (``inb``,
    ``p``) or from ``start`` (not the expected type: false, null)."""
    chk_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    ok, ptr = L.t(), L.t()
    L.emit(f"{ok} = phi i1 [ false, %{start} ], [ {inb}, %{chk_end} ]")
    L.emit(f"{ptr} = phi ptr [ null, %{start} ], [ {p}, %{chk_end} ]")
    return ok, ptr


# ---- prefetching strided access -----------------------------------------------
# ``xs[j]`` in ``for j in range(a, b, step)`` with a large step touches a new cache
# line (and page) each iteration, which the hardware prefetcher does not follow
# across pages: a sieve's marking loop waited on memory for most of its time. Such
# an access prefetches the item PREFETCH_AHEAD iterations ahead (a hint: never
# faults, whatever the address).
PREFETCH_AHEAD = 32


class Strides:
    """Which values are the counter of a native range loop whose step may be large:
    its range_next's result or a block parameter only ever given that result; and
    which typed local slots such counters are stored in (the slot's stride then
    lives in ``%stride<slot>``, 0 while it holds anything else)."""

    def __init__(self, L):
        fn = L.fn
        self.producer = L.producer
        self.incoming = ir.param_sources(fn)     # block parameter id -> values given it
        self.counter: dict[int, int] = {}     # value id -> id(range_next)
        for blk in fn.blocks:
            for op in blk.ops:
                if op.kind == "range_next" and not self._small_step(fn, op):
                    self.counter[op.results[0].id] = id(op)
        changed = True
        while changed:
            changed = False
            for pid, sources in self.incoming.items():
                roots = {self.counter.get(s.id) for s in sources}
                if pid not in self.counter and len(roots) == 1 and None not in roots:
                    self.counter[pid] = roots.pop()
                    changed = True
        stores = [op for blk in fn.blocks for op in blk.ops if op.kind == "store_local"]
        self.slots = {op.attrs["slot"] for op in stores if op.args[0].id in self.counter}
        self.loaded = {op.result.id: op.attrs["slot"] for blk in fn.blocks for op in blk.ops
                       if op.kind == "load_local" and op.attrs["slot"] in self.slots}

    def _origins(self, v) -> list:
        return ir.origins(v, self.producer, self.incoming)

    def _small_step(self, fn, range_next) -> bool:
        """A constant step under 64 items (512 bytes): the hardware follows it."""
        its = self._origins(range_next.args[0])
        if len(its) != 1 or its[0].kind != "range_iter":
            return False
        rngs = self._origins(its[0].args[0])
        if len(rngs) != 1 or rngs[0].kind != "range_new":
            return False
        if len(rngs[0].args) < 3:
            return True
        step = self.producer(rngs[0].args[2])
        return (step is not None and step.kind == "const" and step.result.type == I64
                and abs(fn.consts[step.attrs["index"]]) < 64)


def strides(L) -> Strides:
    if L.strides is None:
        L.strides = Strides(L)
    return L.strides


def ranges(L) -> Ranges:
    if L.ranges is None:
        L.ranges = Ranges(L.fn, L.producer, L.nparams(),
                          L.spec.types if L.spec is not None else (), L.param_ranges)
    return L.ranges


def store_stride(L, op):
    """store_local into a slot that holds a loop counter: record its stride."""
    slot = op.attrs["slot"]
    if slot in strides(L).slots:
        step = L.range_steps.get(strides(L).counter.get(op.args[0].id), "0")
        L.emit(f"store i64 {step}, ptr %stride{slot}")


def _stride_of(L, index: ir.Value) -> str | None:
    st = strides(L)
    root = st.counter.get(index.id)
    if root is not None:
        return L.range_steps.get(root)
    slot = st.loaded.get(index.id)
    if slot is None:
        return None
    s = L.t()
    L.emit(f"{s} = load i64, ptr %stride{slot}")
    return s


def _prefetch(L, items: str, k: str, index: ir.Value, write: bool):
    stride = _stride_of(L, index)
    if stride is None:
        return
    ahead = _bin(L, "add", k, _bin(L, "mul", stride, str(PREFETCH_AHEAD)))
    p = L.t()
    L.emit(f"{p} = getelementptr ptr, ptr {items}, i64 {ahead}")
    L.emit(f"call void @llvm.prefetch.p0(ptr {p}, i32 {int(write)}, i32 3, i32 1)")


def _bytes_index(L, c, k, writable=False):
    """(in_bounds, byte pointer): inline indexing of an exact bytearray (or bytes)."""
    t = L.type_of(c)
    is_array = _icmp(L, "eq", t, L.capi("PyByteArray_Type"), "ptr")
    is_bytes = "false" if writable else _icmp(L, "eq", t, L.capi("PyBytes_Type"), "ptr")
    start = L.cur
    chk, join = L.label("by.chk"), L.label("by.join")
    L.emit(f"br i1 {_or(L, is_array, is_bytes)}, label %{chk}, label %{join}")
    L.start(chk)
    inb = _icmp(L, "ult", k, L.field(c, abi.VAR_SIZE, "i64"))
    data = _select(L, is_array, L.field(c, abi.BYTEARRAY_START), _gep(L, c, abi.BYTES_DATA),
                   "ptr")
    p = L.t()
    L.emit(f"{p} = getelementptr i8, ptr {data}, i64 {k}")
    return _checked_item(L, start, join, inb, p)


def _ascii_index(L, c, k):
    """(in_bounds, character pointer): inline indexing of an exact compact ASCII str
    (a negative index counts from the end, as str's does)."""
    is_str = _icmp(L, "eq", L.type_of(c), L.capi("PyUnicode_Type"), "ptr")
    start = L.cur
    chk, join = L.label("as.chk"), L.label("as.join")
    L.emit(f"br i1 {is_str}, label %{chk}, label %{join}")
    L.start(chk)
    shape = abi.STR_COMPACT | abi.STR_ASCII | abi.STR_READY
    state = _bin(L, "and", L.field(c, abi.STR_STATE, "i32"), str(shape), "i32")
    size = L.field(c, abi.STR_LENGTH, "i64")
    idx = _select(L, _icmp(L, "slt", k, "0"), _bin(L, "add", k, size), k, "i64")
    ok = _and(L, _icmp(L, "eq", state, str(shape), "i32"), _icmp(L, "ult", idx, size))
    return _checked_item(L, start, join, ok, _ascii_char_pointer(L, c, idx))


def _small_int_at(L, byte: str) -> str:
    """The interpreter's cached int object for 0 <= ``byte`` < 256 (an i64)."""
    off, p = L.t(), L.t()
    L.emit(f"{off} = mul i64 {byte}, {abi.SMALL_INT_STRIDE}")
    L.emit(f"{p} = getelementptr i8, ptr {L.const(0)}, i64 {off}")
    return p


def lo_seq_getitem(L, op):
    """xs[k]: an exact list's or tuple's item, an exact bytearray's or bytes' byte (the
    cached int: no object made), inline; anything else, or out of range, generic."""
    c, k = L.v(op.args[0]), L.v(op.args[1])
    ok, ptr = _seq_index(L, c, k, allow_tuple=True, exact=op.attrs.get("exact"),
                         index=op.args[1])
    fast, slow, join = L.label("gi.fast"), L.label("gi.slow"), L.label("gi.join")
    L.br_likely(ok, fast, slow)
    L.start(fast)
    item = L.t()
    L.emit(f"{item} = load ptr, ptr {ptr}")
    lent = op.result.borrowed == "lent"
    if not lent:
        L.incref(item)
    L.emit(f"br label %{join}")
    L.start(slow)
    incoming = [(item, fast)]
    if op.attrs.get("exact") is None and abi.SMALL_INT_STRIDE is not None:
        bok, bptr = _bytes_index(L, c, k)
        bfast, generic = L.label("gi.byte"), L.label("gi.generic")
        L.emit(f"br i1 {bok}, label %{bfast}, label %{generic}")
        L.start(bfast)
        b8, b64 = L.t(), L.t()
        L.emit(f"{b8} = load i8, ptr {bptr}")
        L.emit(f"{b64} = zext i8 {b8} to i64")
        small = _small_int_at(L, b64)
        if not lent:
            L.incref(small)
        incoming.append((small, L.cur))
        L.emit(f"br label %{join}")
        L.start(generic)
    if op.attrs.get("exact") is None and abi.ASCII_CHAR_STRIDE is not None:
        sok, sptr = _ascii_index(L, c, k)
        sfast, generic = L.label("gi.char"), L.label("gi.generic")
        L.emit(f"br i1 {sok}, label %{sfast}, label %{generic}")
        L.start(sfast)
        char = _ascii_char_at(L, sptr)
        if not lent:
            L.incref(char)
        incoming.append((char, L.cur))
        L.emit(f"br label %{join}")
        L.start(generic)
    r = L.t()
    L.emit(f"{r} = call ptr @jit.getitem_index(ptr {c}, i64 {k})")
    L.check_null(r, op)
    owns = not (lent and op.attrs.get("exact") is not None)
    if not owns:
        # an exact list's or tuple's item (a negative index): the container holds it,
        # as on the fast path, so it is lent too and no path owns a reference
        L.decref(r)
    incoming.append((r, L.cur))
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))
    if lent:    # owned only when the generic path made it (released through .own)
        owned = [(r if v == r and owns else "null", b) for v, b in incoming]
        L.emit(f"{L.v(op.result)}.own = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in owned))


def lo_seq_setitem(L, op):
    c, k, v = (L.v(x) for x in op.args)
    ok, ptr = _seq_index(L, c, k, allow_tuple=False, exact=op.attrs.get("exact"),
                         index=op.args[1], write=True)
    fast, slow, join = L.label("si.fast"), L.label("si.slow"), L.label("si.join")
    L.br_likely(ok, fast, slow)
    L.start(fast)
    old = L.t()
    L.emit(f"{old} = load ptr, ptr {ptr}")
    # storing the object already there changes nothing (skips two refcount updates
    # of one object: flags[j] = False over False)
    # (steal: v's own reference goes to the list; the op releases it if it is not stored)
    steal = op.attrs.get("steal", False)
    swap, same = L.label("si.swap"), L.label("si.same")
    L.emit(f"br i1 {_icmp(L, 'eq', old, v, 'ptr')}, label %{same if steal else join}, label %{swap}")
    if steal:
        L.start(same)
        L.decref(v)       # the list holds it too: never the last reference
        L.emit(f"br label %{join}")
    L.start(swap)
    if not steal:
        L.incref(v)
    L.emit(f"store ptr {v}, ptr {ptr}")
    L.decref(old)
    L.emit(f"br label %{join}")
    L.start(slow)
    if op.attrs.get("exact") is None and abi.SMALL_INT_STRIDE is not None:
        # an exact bytearray's byte, for a cached int 0..255 (the object is one of
        # the interpreter's: its address says its value)
        bok, bptr = _bytes_index(L, c, k, writable=True)
        off = _bin(L, "sub", _ptr_int(L, v), _ptr_int(L, L.const(0)))
        is_byte = _icmp(L, "ult", off, str(256 * abi.SMALL_INT_STRIDE))
        bstore, generic = L.label("si.byte"), L.label("si.generic")
        L.emit(f"br i1 {_and(L, bok, is_byte)}, label %{bstore}, label %{generic}")
        L.start(bstore)
        byte, b8 = _bin(L, "udiv", off, str(abi.SMALL_INT_STRIDE)), L.t()
        L.emit(f"{b8} = trunc i64 {byte} to i8")
        L.emit(f"store i8 {b8}, ptr {bptr}")
        if steal:
            L.decref(v)
        L.emit(f"br label %{join}")
        L.start(generic)
    rc = L.t()
    L.emit(f"{rc} = call i32 @jit.setitem_index(ptr {c}, i64 {k}, ptr {v})")
    L.check_neg(rc, op)      # on failure the unwind releases v
    if steal:
        L.decref(v)
    L.emit(f"br label %{join}")
    L.start(join)


def lo_seq_swap(L, op):
    """``xs[i], xs[j] = xs[j], xs[i]`` of an exact list (jit/fuse.py): the two item
    pointers change places, no reference changes hands. An index out of range (or
    negative) deoptimises before anything is done; so does, after ``t = xs[i]``
    (a fourth operand: t's item), an xs[i] that is no longer t's item."""
    c, i, j = (L.v(x) for x in op.args[:3])
    size = L.field(c, abi.VAR_SIZE, "i64")
    L.deopt_if(_not(L, _and(L, _icmp(L, "ult", i, size), _icmp(L, "ult", j, size))), op)
    items = L.field(c, abi.LIST_ITEMS)
    pi, pj, xi, xj = L.t(), L.t(), L.t(), L.t()
    L.emit(f"{pi} = getelementptr ptr, ptr {items}, i64 {i}")
    L.emit(f"{pj} = getelementptr ptr, ptr {items}, i64 {j}")
    L.emit(f"{xi} = load ptr, ptr {pi}")
    if len(op.args) == 4:
        L.deopt_if(_icmp(L, "ne", xi, L.v(op.args[3]), "ptr"), op)
    L.emit(f"{xj} = load ptr, ptr {pj}")
    L.emit(f"store ptr {xj}, ptr {pi}")
    L.emit(f"store ptr {xi}, ptr {pj}")


def _ptr_int(L, p: str) -> str:
    r = L.t()
    L.emit(f"{r} = ptrtoint ptr {p} to i64")
    return r


def store_float_in_place(L, old: str, d: str, done: str):
    """If ``old`` (a container's item) is an exact float that only the container
    refers to, store ``d`` in it and go to ``done``: nothing else can tell it from a
    new float. Else go on (in a new block) to store a new one. (Whether it is a float
    may be known from its unboxing earlier in the IR block: its type is not read
    again.)"""
    is_float = L.float_checks.get(old) or \
        _icmp(L, "eq", L.type_of(old), L.capi("PyFloat_Type"), "ptr")
    sole = _icmp(L, "eq", L.field(old, 0, "i64"), "1")
    inplace, fresh = L.label("fl.inplace"), L.label("fl.fresh")
    L.br_likely(_and(L, is_float, sole), inplace, fresh)
    L.start(inplace)
    L.emit(f"store double {d}, ptr {_gep(L, old, abi.FLOAT_VALUE)}")
    L.emit(f"br label %{done}")
    L.start(fresh)


# ---- xs[k] op= <float> ---------------------------------------------------------
# The store of an augmented assignment to an exact list's item finds there the item
# its load read when nothing between the two could have run Python code (unboxed
# arithmetic only: no call, no allocation, no release of an object but the loaded
# item, which the list still holds): the store tries that item in place first,
# without indexing again.
def loaded_items(L) -> dict:
    """ir.loaded_items of the function lowered (made once)."""
    if L.loaded_items is None:
        L.loaded_items = ir.loaded_items(L.fn)
    return L.loaded_items


def lo_seq_setitem_float(L, op):
    """``xs[k] = <double>``. A list's float that only the list refers to is updated
    in place: no other reference exists, so nothing can tell it from a new float
    (n-body style updates then allocate nothing). Otherwise a new float is stored."""
    load = loaded_items(L).get(id(op)) if op.attrs.get("exact") == "list" else None
    if load is not None:
        done = L.label("sf.done")
        store_float_in_place(L, L.v(load.result), L.v(op.args[2]), done)
        _store_float_item(L, op)
        L.emit(f"br label %{done}")
        L.start(done)
    else:
        _store_float_item(L, op)


def _store_float_item(L, op):
    c, k, d = (L.v(x) for x in op.args)
    ok, ptr = _seq_index(L, c, k, allow_tuple=False, exact=op.attrs.get("exact"),
                         index=op.args[1], write=True)
    fast, slow, join = L.label("sf.fast"), L.label("sf.slow"), L.label("sf.join")
    L.br_likely(ok, fast, slow)
    L.start(fast)
    old = L.t()
    L.emit(f"{old} = load ptr, ptr {ptr}")
    store_float_in_place(L, old, d, join)
    new = L.call("PyFloat_FromDouble", d)
    L.check_null(new, op)
    L.emit(f"store ptr {new}, ptr {ptr}")
    L.decref(old)
    L.emit(f"br label %{join}")
    L.start(slow)
    rc = L.t()
    L.emit(f"{rc} = call i32 @jit.setitem_index_float(ptr {c}, i64 {k}, double {d})")
    L.check_neg(rc, op)
    L.emit(f"br label %{join}")
    L.start(join)


def lo_seq_next(L, op):
    """FOR_ITER: see _step."""
    L.emit(f"{L.v(op.result)} = bitcast ptr {_step(L, op, L.v(op.args[0]))} to ptr")


def _step(L, op, it: str, extra=()) -> str:
    """The next item of iterator ``it`` (a new reference), or NULL once exhausted:
    inline for a list, tuple or ASCII str iterator (exactly listiter_next,
    tupleiter_next, unicode_ascii_iter_next: the size is read at every step, and the
    exhausted iterator lets go of its sequence); any other through tp_iternext (what
    it raises unwinds ``op``, releasing ``extra``)."""
    if not abi.SEQ_ITER_LAYOUT:
        r = L.t()
        lower.iter_next(L, op, r, it, extra)
        return r
    t = L.type_of(it)
    is_list = _icmp(L, "eq", t, L.capi("PyListIter_Type"), "ptr")
    is_tuple = _icmp(L, "eq", t, L.capi("PyTupleIter_Type"), "ptr")
    join = L.label("sn.join")

    def item_of(seq, idx):
        items = _select(L, is_list, L.field(seq, abi.LIST_ITEMS), _gep(L, seq, abi.TUPLE_ITEMS),
                        "ptr")
        p, item = L.t(), L.t()
        L.emit(f"{p} = getelementptr ptr, ptr {items}, i64 {idx}")
        L.emit(f"{item} = load ptr, ptr {p}")
        return item
    incoming = _indexed_step(L, it, _or(L, is_list, is_tuple), abi.VAR_SIZE, item_of, join)
    if abi.ASCII_CHAR_STRIDE is not None:
        # an ASCII string's (as unicode_ascii_iter_next: the interpreter's
        # one-character string, no object made)
        is_ascii = _icmp(L, "eq", t, L.const(abi.ASCII_ITER_TYPE), "ptr")
        incoming += _indexed_step(L, it, is_ascii, abi.STR_LENGTH,
                                  lambda seq, idx: _ascii_char(L, seq, idx), join)
    r = L.t()
    lower.iter_next(L, op, r, it, extra)
    incoming.append((r, L.cur))
    L.emit(f"br label %{join}")
    L.start(join)
    got = L.t()
    L.emit(f"{got} = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))
    return got


def _indexed_step(L, it: str, applies: str, length_at: int, item_of, join: str) -> list:
    """If ``applies`` (i1), step iterator ``it`` of the {index, sequence} layout: the
    sequence's length read at ``length_at`` at every step, its item ``item_of(seq,
    index)`` with a new reference, the sequence let go of once exhausted. The
    (value, block) pairs it brings to ``join`` (NULL when exhausted); the code goes
    on, for other iterators, in a new block."""
    fast, live, more, end = (L.label(x) for x in ("sn.fast", "sn.live", "sn.more", "sn.end"))
    other = L.label("sn.other")
    L.emit(f"br i1 {applies}, label %{fast}, label %{other}")
    L.start(fast)
    seq = L.field(it, abi.SEQ_ITER_SEQ)
    L.emit(f"br i1 {_icmp(L, 'eq', seq, 'null', 'ptr')}, label %{join}, label %{live}")
    L.start(live)
    idx_p = _gep(L, it, abi.SEQ_ITER_INDEX)
    idx = L.t()
    L.emit(f"{idx} = load i64, ptr {idx_p}")
    L.emit(f"br i1 {_icmp(L, 'slt', idx, L.field(seq, length_at, 'i64'))}, "
           f"label %{more}, label %{end}")
    L.start(more)
    item = item_of(seq, idx)
    L.incref(item)
    L.emit(f"store i64 {_bin(L, 'add', idx, '1')}, ptr {idx_p}")
    more_end = L.cur
    L.emit(f"br label %{join}")
    L.start(end)
    L.emit(f"store ptr null, ptr {_gep(L, it, abi.SEQ_ITER_SEQ)}")
    L.decref(seq)
    end_end = L.cur
    L.emit(f"br label %{join}")
    L.start(other)
    return [("null", fast), (item, more_end), ("null", end_end)]


def _ascii_char(L, s: str, idx: str) -> str:
    """The interpreter's one-character string for the character at ``idx`` (in
    range) of the compact ASCII string ``s``."""
    return _ascii_char_at(L, _ascii_char_pointer(L, s, idx))


def _ascii_char_pointer(L, s: str, idx: str) -> str:
    p = L.t()
    L.emit(f"{p} = getelementptr i8, ptr {_gep(L, s, abi.STR_ASCII_DATA)}, i64 {idx}")
    return p


def _ascii_char_at(L, p: str) -> str:
    """The interpreter's one-character string for the ASCII character at ``p``."""
    byte = L.t()
    L.emit(f"{byte}.b = load i8, ptr {p}")
    L.emit(f"{byte} = zext i8 {byte}.b to i64")
    r = L.t()
    L.emit(f"{r} = getelementptr i8, ptr {L.const(abi.ASCII_CHARS)}, "
           f"i64 {_bin(L, 'mul', byte, str(abi.ASCII_CHAR_STRIDE))}")
    return r


def lo_pair_next(L, op):
    """FOR_ITER of ``for a, b in enumerate(xs)`` / ``zip(xs, ys)``, fused with the
    loop body's UNPACK_SEQUENCE 2 (see specialize.pair_unpacked): for an enumerate
    object whose index fits (as enum_next: the item first, then the index), or a
    zip of two iterators, not strict (as zip_next: the first item, then the
    second), the two come out as they are (the index unboxed) and no tuple is made;
    any other iterator steps generically and hands its item to pair_unpack. The
    results: (that item or NULL, first, second, exhausted)."""
    it = L.v(op.args[0])
    n, a, b, done = (L.v(r) for r in op.results)
    enum = op.attrs["source"] == "enumerate"
    t = L.type_of(it)
    fast, generic, join = L.label("pn.fast"), L.label("pn.generic"), L.label("pn.join")
    if enum:    # (an index at the end of Py_ssize_t goes on in a Python int: generic)
        ok = _and(L, _and(L, _icmp(L, "eq", t, L.capi("PyEnum_Type"), "ptr"),
                          _icmp(L, "eq", L.field(it, abi.ENUM_LONGINDEX), "null", "ptr")),
                  _icmp(L, "ne", L.field(it, abi.ENUM_INDEX, "i64"), str(I64_MAX)))
    else:
        ok = _and(L, _icmp(L, "eq", t, L.capi("PyZip_Type"), "ptr"),
                  _and(L, _icmp(L, "eq", L.field(it, abi.ZIP_SIZE, "i64"), "2"),
                       _icmp(L, "eq", L.field(it, abi.ZIP_STRICT, "i32"), "0", "i32")))
    L.emit(f"br i1 {ok}, label %{fast}, label %{generic}")
    L.start(fast)
    ends = []     # (block, generic item, first, second, exhausted) into the join
    zero, ta = ("0", "i64") if enum else ("null", "ptr")
    if enum:
        item = _step(L, op, L.field(it, abi.ENUM_ITER))
        idx_p = _gep(L, it, abi.ENUM_INDEX)
        idx = L.t()
        L.emit(f"{idx} = load i64, ptr {idx_p}")
        got = L.label("pn.got")
        ends.append((L.cur, "null", zero, "null", "true"))
        L.emit(f"br i1 {_icmp(L, 'eq', item, 'null', 'ptr')}, label %{join}, label %{got}")
        L.start(got)
        L.emit(f"store i64 {_bin(L, 'add', idx, '1')}, ptr {idx_p}")
        ends.append((got, "null", idx, item, "false"))
    else:
        iters = L.field(it, abi.ZIP_ITERS)
        x = _step(L, op, L.field(iters, abi.TUPLE_ITEMS))
        more = L.label("pn.more")
        ends.append((L.cur, "null", zero, "null", "true"))
        L.emit(f"br i1 {_icmp(L, 'eq', x, 'null', 'ptr')}, label %{join}, label %{more}")
        L.start(more)
        y = _step(L, op, L.field(iters, abi.TUPLE_ITEMS + 8), extra=[x])
        both, short = L.label("pn.both"), L.label("pn.short")
        L.emit(f"br i1 {_icmp(L, 'eq', y, 'null', 'ptr')}, label %{short}, label %{both}")
        L.start(short)
        L.decref(x)
        ends.append((short, "null", zero, "null", "true"))
        L.emit(f"br label %{join}")
        L.start(both)
        ends.append((both, "null", x, y, "false"))
    L.emit(f"br label %{join}")
    L.start(generic)
    r = L.t()
    lower.iter_next(L, op, r)
    over = _icmp(L, "eq", r, "null", "ptr")
    ends.append((L.cur, r, zero, "null", over))
    L.emit(f"br label %{join}")
    L.start(join)
    for name, ty, k in ((n, "ptr", 1), (a, ta, 2), (b, "ptr", 3), (done, "i1", 4)):
        L.emit(f"{name} = phi {ty} " + ", ".join(f"[ {e[k]}, %{e[0]} ]" for e in ends))


def lo_pair_unpack(L, op):
    """The loop body's UNPACK_SEQUENCE 2 of a pair loop: the two items the step
    handed over, or -- the step fell back to a generic iterator -- the interpreter
    unpacks its item (resuming at this instruction, the item on the stack)."""
    item, first, second = (L.v(a) for a in op.args)
    L.deopt_if(_icmp(L, "ne", item, "null", "ptr"), op)
    x, y = op.results
    if x.type == I64:
        L.emit(f"{L.v(x)} = add i64 {first}, 0")
    else:
        L.emit(f"{L.v(x)} = bitcast ptr {first} to ptr")
    L.emit(f"{L.v(y)} = bitcast ptr {second} to ptr")


def _generic_into(L, lower_fn, op):
    """Lower ``op`` generically into fresh values; their names."""
    fresh = [L.fn.new_value(r.type) for r in op.results]
    lower_fn(L, ir.Op(op.kind, op.args, fresh, op.attrs, op.unwind, op.offset, state=op.state))
    return [L.v(r) for r in fresh]


EXACT_TYPES = {"list": "PyList_Type", "dict": "PyDict_Type"}


def lo_exact_load_method(L, op):
    """LOAD_METHOD of a list's (dict's) method on an exact list (dict): the
    descriptor itself (see specialize.v_load_method); anything else looks it up."""
    obj = L.v(op.args[0])
    is_exact = _icmp(L, "eq", L.type_of(obj), L.capi(EXACT_TYPES[op.attrs["owner"]]), "ptr")
    fast, slow, join = L.label("lm.exact"), L.label("lm.other"), L.label("lm.join")
    L.emit(f"br i1 {is_exact}, label %{fast}, label %{slow}")
    L.start(fast)
    desc = L.const(L.fn.consts[op.attrs["index"]])
    L.incref(desc)
    L.incref(obj)
    L.emit(f"br label %{join}")
    L.start(slow)
    meth, self_ = _generic_into(L, lower.lo_load_method, op)
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    a, b = (L.v(r) for r in op.results)
    L.emit(f"{a} = phi ptr [ {desc}, %{fast} ], [ {meth}, %{slow_end} ]")
    L.emit(f"{b} = phi ptr [ {obj}, %{fast} ], [ {self_}, %{slow_end} ]")


def lo_append_call(L, op):
    """``xs.append(v)`` when the method found is list.append: lower.list_append
    (spare room inline); any other method is called."""
    def append(join):
        recv, v = (L.v(a) for a in op.args[1:])
        lower.list_append(L, op, recv, v)
        none = L.capi("_Py_NoneStruct")
        L.incref(none)
        L.emit(f"br label %{join}")
        return [(none, L.cur)]
    _known_method_call(L, op, "append_index", append)


def lo_dict_get_call(L, op):
    """``d.get(k)`` / ``d.get(k, default)`` when the method found is dict.get: the
    dict's lookup (PyDict_GetItemWithError, as dict.get does: an unhashable key
    raises the same TypeError); any other method is called."""
    def get(join):
        recv, key, *default = (L.v(a) for a in op.args[1:])
        found, missing = L.label("dg.found"), L.label("dg.missing")
        item = L.call("PyDict_GetItemWithError", recv, key)
        L.emit(f"br i1 {_icmp(L, 'ne', item, 'null', 'ptr')}, label %{found}, label %{missing}")
        L.start(found)
        L.incref(item)
        L.emit(f"br label %{join}")
        L.start(missing)
        err = L.call("PyErr_Occurred")
        L.branch_fail(_icmp(L, "ne", err, "null", "ptr"), op)
        other = default[0] if default else L.capi("_Py_NoneStruct")
        L.incref(other)
        L.emit(f"br label %{join}")
        return [(item, found), (other, L.cur)]
    _known_method_call(L, op, "get_index", get)


def _known_method_call(L, op, index_attr: str, fast):
    """A call of the method its load found (see lo_exact_load_method): when that is
    the descriptor ``op.attrs[index_attr]``, ``fast(join)``'s native code, which
    brings (result, block) pairs to ``join``; any other method is called."""
    known = L.const(L.fn.consts[op.attrs[index_attr]])
    is_known = _icmp(L, "eq", L.v(op.args[0]), known, "ptr")
    fast_label, slow, join = L.label("mc.fast"), L.label("mc.slow"), L.label("mc.join")
    L.emit(f"br i1 {is_known}, label %{fast_label}, label %{slow}")
    L.start(fast_label)
    incoming = fast(join)
    L.start(slow)
    r, = _generic_into(L, lower.lo_call, op)
    incoming.append((r, L.cur))
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))


def lo_len(L, op):
    """len(): the size of an exact list, tuple, str or dict inline (a word at the
    same offset in each: see runtime/abi.py), anything else through PyObject_Size."""
    c = L.v(op.args[0])
    t = L.type_of(c)
    is_seq = _or(L, _icmp(L, "eq", t, L.capi("PyList_Type"), "ptr"),
                 _icmp(L, "eq", t, L.capi("PyTuple_Type"), "ptr"))
    if abi.LEN_AT_VAR_SIZE:
        is_seq = _or(L, is_seq, _or(L, _icmp(L, "eq", t, L.capi("PyUnicode_Type"), "ptr"),
                                    _icmp(L, "eq", t, L.capi("PyDict_Type"), "ptr")))
    fast, slow, join = L.label("ln.fast"), L.label("ln.slow"), L.label("ln.join")
    L.emit(f"br i1 {is_seq}, label %{fast}, label %{slow}")
    L.start(fast)
    size = L.field(c, abi.VAR_SIZE, "i64")
    L.emit(f"br label %{join}")
    L.start(slow)
    n = L.call("PyObject_Size", c)
    L.check_neg(n, op, width="i64")
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{L.v(op.result)} = phi i64 [ {size}, %{fast} ], [ {n}, %{slow_end} ]")


# ---- calls of known builtins -------------------------------------------------

def lo_obj_call(L, op):
    """str(x) / repr(x) as the C-API call the builtin makes; isinstance(x, cls) true
    at once when x's type is cls (as PyObject_IsInstance's own first test), else
    PyObject_IsInstance."""
    fn = op.attrs["fn"]
    r = L.v(op.result)
    if fn != "isinstance":
        got = L.call({"str": "PyObject_Str", "repr": "PyObject_Repr"}[fn], L.v(op.args[0]))
        L.check_null(got, op)
        L.emit(f"{r} = bitcast ptr {got} to ptr")
        return
    x, cls = (L.v(a) for a in op.args)
    slow, join = L.label("ii.slow"), L.label("ii.join")
    start = L.cur
    L.emit(f"br i1 {_icmp(L, 'eq', L.type_of(x), cls, 'ptr')}, label %{join}, label %{slow}")
    L.start(slow)
    rc = L.call("PyObject_IsInstance", x, cls)
    L.check_neg(rc, op)
    yes = _icmp(L, "ne", rc, "0", "i32")
    slow_end = L.cur
    L.emit(f"br label %{join}")
    L.start(join)
    L.emit(f"{r} = phi i1 [ true, %{start} ], [ {yes}, %{slow_end} ]")


def lo_guard_defaults(L, op):
    """The function's defaults (a compiled function's: on its binder, see
    runtime/funcobject.py; ``plain``: a function's own) are still the tuple the call
    was compiled with."""
    from runtime import funcobject
    fn = L.v(op.args[0])
    holder = fn if op.attrs.get("plain") else L.field(fn, funcobject.OFF_BINDER)
    now = L.field(holder, abi.FUNC_DEFAULTS)
    L.deopt_if(_icmp(L, "ne", now, L.const(L.fn.consts[op.attrs["index"]]), "ptr"), op)


def lo_guard_code(L, op):
    """The (plain) function's code (and ``fields``' other members: defaults, names)
    are still the objects the call was compiled for (None: a NULL member)."""
    changed = None
    for off, index in op.attrs["fields"]:
        value = L.fn.consts[index]
        want = "null" if value is None and off != abi.FUNC_CODE else L.const(value)
        c = _icmp(L, "ne", L.field(L.v(op.args[0]), off), want, "ptr")
        changed = c if changed is None else _or(L, changed, c)
    L.deopt_if(changed, op)


def lo_guard_callee(L, op):
    """The callee is the object the call was compiled for (unless its global load
    checked that: ``checked``), with no self argument before it."""
    first, callee = op.args
    wrong = None
    if not op.attrs.get("checked"):
        wrong = _icmp(L, "ne", L.v(callee), L.const(L.fn.consts[op.attrs["index"]]), "ptr")
    if first.id not in L.static_null:
        not_null = _icmp(L, "ne", L.v(first), "null", "ptr")
        wrong = not_null if wrong is None else _or(L, wrong, not_null)
    if wrong is not None:
        L.deopt_if(wrong, op)


def _float_to_int(L, op, x):
    # int(x) for a float: nan, inf and values beyond 64 bits go to the interpreter
    ok = _and(L, _fcmp(L, "oge", x, float_literal(-2.0 ** 63)),
              _fcmp(L, "olt", x, float_literal(2.0 ** 63)))
    L.deopt_if(_not(L, ok), op)
    r = L.t()
    L.emit(f"{r} = fptosi double {x} to i64")
    return r


def lo_num_call(L, op):
    fn = op.attrs["fn"]
    args = [L.v(a) for a in op.args]
    x = args[0]
    ty = op.args[0].type
    r = L.v(op.result)
    if fn == "abs" and ty == I64:
        L.deopt_if(_icmp(L, "eq", x, str(I64_MIN)), op)
        L.emit(f"{r} = select i1 {_icmp(L, 'slt', x, '0')}, i64 {_bin(L, 'sub', '0', x)}, i64 {x}")
    elif fn in ("abs", "fabs"):
        L.emit(f"{r} = call double @llvm.fabs.f64(double {x})")
    elif fn in ("min", "max"):
        # as the builtin's loop: the next one replaces the best only if it is
        # smaller (larger), so the first of equals wins and a nan stays put
        pred = ("slt" if fn == "min" else "sgt") if ty == I64 else ("olt" if fn == "min" else "ogt")
        lt = "i64" if ty == I64 else "double"
        best = x
        for y in args[1:]:
            c = _icmp(L, pred, y, best) if ty == I64 else _fcmp(L, pred, y, best)
            best = _select(L, c, y, best, lt)
        L.emit(f"{r} = {'add' if ty == I64 else 'fadd'} {lt} {best}, {'0' if ty == I64 else '-0.0'}")
    elif fn in ("int", "trunc", "floor", "ceil", "round"):
        if ty == I64:
            L.emit(f"{r} = add i64 {x}, 0")
        else:
            if fn in ("floor", "ceil", "round"):   # round(): half to even, as float.__round__
                f = L.t()
                intrinsic = "roundeven" if fn == "round" else fn
                L.emit(f"{f} = call double @llvm.{intrinsic}.f64(double {x})")
                x = f
            L.emit(f"{r} = add i64 {_float_to_int(L, op, x)}, 0")
    elif fn in ("degrees", "radians"):    # x times CPython's constant (pi/180 as a double)
        k = 180.0 / math.pi if fn == "degrees" else math.pi / 180.0
        L.emit(f"{r} = fmul double {x}, {float_literal(k)}")
    elif fn == "gcd":      # |a|, |b| as unsigned; a result of 2**63 does not fit: deopt
        g = L.t()
        L.emit(f"{g} = call i64 @jit.gcd(i64 {x}, i64 {args[1]})")
        L.deopt_if(_icmp(L, "slt", g, "0"), op)
        L.emit(f"{r} = add i64 {g}, 0")
    elif fn == "isnan":
        L.emit(f"{r} = fcmp uno double {x}, {x}")
    elif fn in ("isinf", "isfinite"):     # |x| == inf; |x| != inf and not a nan
        pred = "oeq" if fn == "isinf" else "one"
        L.emit(f"{r} = fcmp {pred} double {_fabs(L, x)}, {float_literal(float('inf'))}")
    elif fn == "float":
        L.emit(f"{r} = fadd double {x}, -0.0" if ty == F64 else f"{r} = sitofp i64 {x} to double")
    elif fn == "divmod":    # (a // b, a % b), unpacked at once
        q, m = (L.v(v) for v in op.results)
        if ty == I64:
            fq, fm, _ = _floor_divmod(L, op, x, args[1])
            L.emit(f"{q} = add i64 {fq}, 0")
            L.emit(f"{m} = add i64 {fm}, 0")
        else:
            L.deopt_if(_fcmp(L, "oeq", args[1], "0.0"), op)   # ZeroDivisionError
            L.emit(f"{q} = call double @jit.ffloordiv(double {x}, double {args[1]})")
            L.emit(f"{m} = call double @jit.fmod(double {x}, double {args[1]})")
    else:   # math.sqrt/sin/atan2/...: libm, with math_1/math_2's error rules (-> deopt)
        y = L.t()
        if fn == "sqrt":    # a nan exactly from x < 0 (and a nan), never an infinity from finite x
            L.emit(f"{y} = call double @llvm.sqrt.f64(double {x})")
            L.deopt_if(_fcmp(L, "olt", x, "0.0"), op)
            L.emit(f"{r} = fadd double {y}, -0.0")
            return
        L.call(fn, *args, ret=y)
        # an error: a nan from arguments none of which is one, an infinity from
        # finite arguments
        inf = float_literal(float("inf"))
        any_nan = any_nonfinite = "false"
        for a in args:
            any_nan = _or(L, any_nan, _fcmp(L, "uno", a, a))
            any_nonfinite = _or(L, any_nonfinite, _not(L, _fcmp(L, "one", _fabs(L, a), inf)))
        y_nan = _fcmp(L, "uno", y, y)
        y_inf = _fcmp(L, "oeq", _fabs(L, y), inf)
        bad = _or(L, _and(L, y_nan, _not(L, any_nan)), _and(L, y_inf, _not(L, any_nonfinite)))
        L.deopt_if(bad, op)
        L.emit(f"{r} = fadd double {y}, -0.0")


def _fabs(L, x):
    r = L.t()
    L.emit(f"{r} = call double @llvm.fabs.f64(double {x})")
    return r


# ---- native range loops -----------------------------------------------------------

def _range_alloca(L):
    a = L.t("rng")
    L.allocas.append(f"{a} = alloca [3 x i64]")
    return a


def _store3(L, a, values):
    for i, v in enumerate(values):
        p = L.t()
        L.emit(f"{p} = getelementptr i64, ptr {a}, i64 {i}")
        L.emit(f"store i64 {v}, ptr {p}")


def _load3(L, a):
    out = []
    for i in range(3):
        p, v = L.t(), L.t()
        L.emit(f"{p} = getelementptr i64, ptr {a}, i64 {i}")
        L.emit(f"{v} = load i64, ptr {p}")
        out.append(v)
    return out


def lo_range_new(L, op):
    args = [L.v(a) for a in op.args]
    if len(args) == 1:
        args = ["0", args[0], "1"]
    elif len(args) == 2:
        args = args + ["1"]
    L.deopt_if(_icmp(L, "eq", args[2], "0"), op)   # ValueError
    a = _range_alloca(L)
    _store3(L, a, args)
    L.emit(f"{L.v(op.result)} = getelementptr i8, ptr {a}, i64 0")


def lo_range_iter(L, op):
    a = _range_alloca(L)
    _store3(L, a, _load3(L, L.v(op.args[0])))
    L.emit(f"{L.v(op.result)} = getelementptr i8, ptr {a}, i64 0")


def lo_range_next(L, op):
    it = L.v(op.args[0])
    cur, stop, step = _load3(L, it)
    bounds = ranges(L)._range_of(op)
    sign = _step_sign(bounds)
    if sign:        # (the step's sign known: one compare, and the loop's exit test is plain)
        more = _icmp(L, "slt" if sign > 0 else "sgt", cur, stop)
    else:
        up = _icmp(L, "sgt", step, "0")
        more = _select(L, up, _icmp(L, "slt", cur, stop), _icmp(L, "sgt", cur, stop), "i1")
    value, done = op.results
    L.emit(f"{L.v(done)} = xor i1 {more}, true")
    if _step_stays_in_i64(bounds):
        # a value before the stop steps to at most the stop: the sum fits (one
        # past the last value, where it might not, is never read: the loop has ended)
        nxt = _bin(L, "add", cur, step)
    else:
        pair, nxt0, ovf = L.t(), L.t(), L.t()
        L.emit(f"{pair} = call {{i64, i1}} @llvm.sadd.with.overflow.i64(i64 {cur}, i64 {step})")
        L.emit(f"{nxt0} = extractvalue {{i64, i1}} {pair}, 0")
        L.emit(f"{ovf} = extractvalue {{i64, i1}} {pair}, 1")
        # past the end of i64 is past the stop too
        nxt = _select(L, ovf, stop, nxt0, "i64")
    p = L.t()
    L.emit(f"{p} = getelementptr i64, ptr {it}, i64 0")
    L.emit(f"store i64 {nxt}, ptr {p}")
    L.emit(f"{L.v(value)} = add i64 {cur}, 0")
    L.range_steps[id(op)] = step


def _step_sign(bounds) -> int:
    """1 or -1 when the range's step is known to be positive or negative, else 0."""
    if bounds is None or bounds[2] is None:
        return 0
    step_lo, step_hi = bounds[2]
    return 1 if step_lo > 0 else -1 if step_hi < 0 else 0


def _step_stays_in_i64(bounds) -> bool:
    """Whether value + step fits in i64 for every value before the stop (value <
    stop for a positive step): a step of 1 or -1 always, a longer one when the stop
    is far enough from the end of i64."""
    if bounds is None or bounds[1] is None or bounds[2] is None:
        return False
    (stop_lo, stop_hi), (step_lo, step_hi) = bounds[1], bounds[2]
    if step_lo > 0:
        return stop_hi - 1 + step_hi <= I64_MAX
    if step_hi < 0:
        return stop_lo + 1 + step_lo >= I64_MIN
    return False


def lo_range_obj_next(L, op):
    """FOR_ITER over a boxed range iterator (a comprehension's over ``range(n)``):
    exactly rangeiter_next, unboxed: item ``index`` is start + index * step (in C's
    wrapping arithmetic: it fits by construction), the index advancing until it
    reaches len. Any other iterator deoptimises before it is touched."""
    it = L.v(op.args[0])
    value, done = op.results
    L.deopt_if(_icmp(L, "ne", L.type_of(it), L.capi("PyRangeIter_Type"), "ptr"), op)
    idx_p = _gep(L, it, abi.RANGE_ITER_INDEX)
    idx = L.t()
    L.emit(f"{idx} = load i64, ptr {idx_p}")
    more = _icmp(L, "slt", idx, L.field(it, abi.RANGE_ITER_LEN, "i64"))
    L.emit(f"{L.v(done)} = xor i1 {more}, true")
    step = _bin(L, "mul", idx, L.field(it, abi.RANGE_ITER_STEP, "i64"))
    L.emit(f"{L.v(value)} = add i64 {L.field(it, abi.RANGE_ITER_START, 'i64')}, {step}")
    L.emit(f"store i64 {_select(L, more, _bin(L, 'add', idx, '1'), idx, 'i64')}, ptr {idx_p}")


def lo_direct_call(L, op):
    """Call another specialised function through its direct-entry cell: typed
    arguments travel unboxed, and so does an int/float result, or the items of a
    tuple of them (attr ``items``), when the callee returns that (it stores it in
    ``out`` and returns the raw marker). An empty cell (no specialisation) is an
    ordinary call."""
    fn_obj, *args = op.args
    results = op.results
    items = op.attrs.get("items", False)
    want = lower.raw_code([r.type for r in results], items) if items or \
        results[0].type in (I64, F64) else 0
    fp = None
    if op.attrs.get("inline") is not None and not L.inline_copy:
        fp = L.inline_entry(op.attrs["inline"])    # a copy of the callee, inlinable
    inlined = fp is not None
    if fp is None and op.attrs.get("recursive"):
        fp = L.recursive_impl      # this code itself: no cell, no entry wrapper
    if fp is None:
        cell = L.address(op.attrs["cell"])
        fp = L.t()
        L.emit(f"{fp} = load ptr, ptr {cell}")
    fast, slow, got = L.label("dc.fast"), L.label("dc.slow"), L.label("dc.obj")
    checks = op.attrs.get("type_checks", ())
    # a copy in this module or this code itself is always there: with nothing to
    # check, no ordinary-call path (LLVM would only fold it away, and keep the
    # copy's own function alive until then)
    always = fp[0] == "@" and not checks
    ready = "true" if fp[0] == "@" else _icmp(L, 'ne', fp, 'null', 'ptr')
    for i, kind in checks:
        exact = {"list": "PyList_Type", "tuple": "PyTuple_Type"}[kind]
        ready = _and(L, ready, _icmp(L, "eq", L.type_of(L.v(args[i])), L.capi(exact), "ptr"))
    L.emit(f"br label %{fast}" if always else f"br i1 {ready}, label %{fast}, label %{slow}")
    L.start(fast)
    raw = L.t("raw")
    L.allocas.append(f"{raw} = alloca [{max(len(args), 1)} x i64]")
    for i, a in enumerate(args):
        p = L.t()
        L.emit(f"{p} = getelementptr i64, ptr {raw}, i64 {i}")
        L.emit(f"store {LLTYPE[a.type]} {L.v(a)}, ptr {p}")
    out = "null"
    if want:
        out = L.t("out")
        L.allocas.append(f"{out} = alloca [{len(results) + 1} x i64]")
        L.emit(f"store i64 {want}, ptr {out}")
    r1 = L.t()
    if fp == L.recursive_impl:
        # (the original's impl: this code's own, or the one a copy of it is inlined into)
        spaces = L.impl_args("ptr %globals, ptr %builtins, ptr null, ptr %frame, ptr %closure")
        L.emit(f"{r1} = call ptr {fp}({spaces}i1 true, ptr {out}, ptr {raw}, ptr %ts, "
               f"i64 {L.stack_floor})")
    elif inlined:      # a copy's direct entry takes this thread state along
        flag = ""
        if fp in L.depth_flagged:       # (and whether this call's depth is checked)
            flag = f", i1 {'true' if op.attrs.get('depth_checked') else 'false'}"
        L.emit(f"{r1} = call ptr {fp}(ptr {raw}, ptr {out}, i64 {L.stack_floor}, ptr %ts{flag})")
    else:
        L.emit(f"{r1} = call ptr {fp}(ptr {raw}, ptr {out}, i64 {L.stack_floor}, ptr %ts)")
    if want:
        is_raw, rawl, objl = L.t(), L.label("dc.raw"), L.label("dc.isobj")
        L.emit(f"{is_raw} = icmp eq ptr {r1}, {L.capi('jit_raw_marker')}")
        L.emit(f"br i1 {is_raw}, label %{rawl}, label %{objl}")
        L.start(rawl)
        loaded = []
        for i, r in enumerate(results):
            p, rv = L.t(), (L.v(r) if items else L.t())
            L.emit(f"{p} = getelementptr i64, ptr {out}, i64 {i + 1}")
            L.emit(f"{rv} = load {LLTYPE[r.type]}, ptr {p}")
            loaded.append(rv)
        join = L.label("dc.join")
        L.emit(f"br label %{join}")
        L.start(objl)
    # (a Python function raised: the interpreter's frame stands past the call's caches)
    past = op.attrs.get("py_lasti")
    lasti = None if past is None else (lambda: str(past))
    L.check_null(r1, op, lasti=lasti)
    incoming = [(r1, L.cur)]
    L.emit(f"br label %{got}")
    if not always:
        L.start(slow)
        made = {i: L.box_raw(a.type, L.v(a)) for i, a in enumerate(args) if a.type in (I64, F64)}
        for b in made.values():
            L.check_null(b, op)   # (leaks the earlier boxes on MemoryError only)
        boxed = [made.get(i, L.v(a)) for i, a in enumerate(args)]
        copy = op.attrs.get("copy")     # a program function's compiled copy, else fn_obj
        slow_callee = L.v(fn_obj) if copy is None else L.const(L.fn.consts[copy])
        kw = op.attrs.get("kwonly_names")     # (keyword-only parameters: by keyword)
        kwn = L.fn.consts[kw] if kw is not None else ()
        r2 = L.call("PyObject_Vectorcall", slow_callee, L.array(boxed),
                    str(len(boxed) - len(kwn)), L.const(kwn) if kwn else "null")
        for b in made.values():
            L.decref(b)
        L.check_null(r2, op, lasti=lasti)
        incoming.append((r2, L.cur))
        L.emit(f"br label %{got}")
    L.start(got)
    obj = L.v(op.attrs["boxed"]) if want else L.v(results[0])
    L.emit(f"{obj} = phi ptr " + ", ".join(f"[ {v}, %{b} ]" for v, b in incoming))
    if not want:
        return
    after, below = op.attrs["after"]
    if items or op.attrs.get("strict"):
        # not the items raw (no specialisation, or it changed): the interpreter
        # unpacks the object from after the call on; a strict call (in a loop whose
        # guards were hoisted, hoist.py) resumes there too, as the callee deoptimised
        # and so may have run anything
        L.emit_deopt(after, below + [op.attrs["boxed"]], op.offset, release=op.attrs["release"])
        L.start(join)
        if not items:
            L.emit(f"{L.v(results[0])} = phi {LLTYPE[results[0].type]} [ {loaded[0]}, %{rawl} ]")
        return
    # an object result: unbox it, or resume after the call with it on the stack
    lower._number_result(L, op, obj, [(loaded[0], rawl)], join)


TYPED_LOWER = {
    "direct_call": lo_direct_call,
    "seq_setitem_float": lo_seq_setitem_float, "seq_swap": lo_seq_swap, "seq_next": lo_seq_next, "range_obj_next": lo_range_obj_next,
    "exact_load_method": lo_exact_load_method, "append_call": lo_append_call,
    "dict_get_call": lo_dict_get_call,
    "pair_next": lo_pair_next, "pair_unpack": lo_pair_unpack,
    "guard_defaults": lo_guard_defaults, "guard_code": lo_guard_code, "guard_range": lo_guard_range,
    "unbox_int": lo_unbox_int, "unbox_float": lo_unbox_float, "int_to_float": lo_int_to_float,
    "box": lo_box, "int_op": lo_int_op, "int_truediv": lo_int_truediv,
    "int_unary": lo_int_unary, "int_cmp": lo_int_cmp, "num_in": lo_num_in, "float_op": lo_float_op,
    "float_unary": lo_float_unary, "float_cmp": lo_float_cmp, "num_truth": lo_num_truth,
    "seq_getitem": lo_seq_getitem, "seq_setitem": lo_seq_setitem, "len": lo_len,
    "obj_call": lo_obj_call,
    "guard_callee": lo_guard_callee, "num_call": lo_num_call, "range_new": lo_range_new,
    "range_iter": lo_range_iter, "range_next": lo_range_next,
}
