"""Type specialisation: the specialised IR, dispatch, deoptimisation and
re-specialisation, direct calls. Every result is compared with the interpreter."""
import gc
import math
import inspect
import sys

import pytest

import jit
from jit.__main__ import show
from jit.dispatch import DEOPT_LIMIT


def native_of(compiled):
    from runtime import funcobject
    return funcobject.get_state(compiled)


def dispatcher(compiled):
    return native_of(compiled).dispatcher


def total_deopts(compiled):
    return dispatcher(compiled).deopt_count


def body_deopts(compiled):
    """Deopts at sites in the code (not on entry: an argument that did not unbox),
    over every specialisation the function had."""
    d = dispatcher(compiled)
    specs = [spec for _, spec in d.rows if spec is not None] + d.retired
    return sum(n for spec in specs for site, n in spec.deopts.items()
               if spec.sites[site][2] >= 0)


# ---- the specialised IR ---------------------------------------------------------

def sum_cubes(n):
    s = 0
    for i in range(n):
        s += i * i * i
    return s


def float_poly(x, n):
    acc = 0.0
    for k in range(n):
        acc = acc * x + k / 3
    return acc


def outcome(fn, args, kwargs):
    try:
        return ("ok", repr(fn(*args, **kwargs)))
    except Exception as exc:  # noqa: BLE001 - any exception is compared
        return ("raise", type(exc), str(exc).replace(fn.__qualname__, fn.__name__))


def test_spec_stage_unboxes_ints_and_range_loops():
    text = show(sum_cubes.__code__, "spec", (10,))
    assert "int_op op='*'" in text and "range_next" in text and "range_new" in text
    assert "binop" not in text            # no generic arithmetic left
    assert "i64" in text


def test_spec_stage_unboxes_floats_and_mixed():
    text = show(float_poly.__code__, "spec", (1.5, 10))
    assert "float_op op='*'" in text and "int_truediv" in text
    assert "binop" not in text


def test_show_cli_stages_with_args(capsys):
    from jit.__main__ import main
    assert main(["show", __file__ + ":sum_cubes", "--stage", "spec", "--args", "(3,)"]) == 0
    assert "range_next" in capsys.readouterr().out
    assert main(["show", __file__ + ":sum_cubes", "--stage", "opt", "--args", "(3,)"]) == 0
    assert "define" in capsys.readouterr().out


# ---- dispatch ---------------------------------------------------------------------

def test_rows_per_signature_and_explain():
    c = jit.compile(float_poly)
    for args in [(1.5, 10), (2, 10), (1.5, 3), ("x", 0)]:
        assert repr(c(*args)) == repr(float_poly(*args))
    text = jit.explain(c)
    assert "(float, int): specialised" in text
    assert "(int, int): specialised" in text
    assert "(str, int)" in text


def test_megamorphic_calls_use_generic_code():
    def add(a, b):
        return a + b
    c = jit.compile(add)
    args = [(1, 2), (1.0, 2), (1, 2.0), (1.0, 2.0), ("a", "b"), ([1], [2]), (True, 1)]
    for _ in range(3):
        for a in args:
            assert c(*a) == add(*a) and type(c(*a)) is type(add(*a))
    assert "at most 4 signatures" in jit.explain(c)


def test_specialize_false_has_no_dispatcher():
    c = jit.compile(sum_cubes, specialize=False)
    assert c(100) == sum_cubes(100)
    assert dispatcher(c) is None


def test_keyword_and_default_calls_are_dispatched():
    # a call with keywords is bound (by the binder) and then dispatched on the bound
    # arguments' types like a positional one: a kernel called with keywords runs
    # its specialisation, not the generic code
    def f(a, b=2):
        return a * b
    c = jit.compile(f)
    assert c(3) == 6 and c(3, b=4) == 12 and c(a=1.5) == 3.0 and c(3, 5) == 15
    assert [t for t, _ in dispatcher(c).rows] == [(int, int), (float, int)]
    assert "generic code: compiled on first use (not used yet)" in jit.explain(c)
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'z'"):
        c(1, z=2)
    with pytest.raises(TypeError, match="got multiple values for argument 'a'"):
        c(1, a=2)


def test_keyword_only_and_variadic_signatures_specialise():
    # keyword-only parameters are dispatched on like positional ones (a numeric
    # kernel with `*, step=1` runs unboxed); *args and **kwargs are objects
    def kernel(n, *, step=1, scale=2.0):
        s = 0.0
        for i in range(0, n, step):
            s += i * scale
        return s

    def variadic(x, *args, **kw):
        t = x
        for i in range(10):
            t = t * 2 + i
        return t, args, kw
    c, v = jit.compile(kernel), jit.compile(variadic)
    calls = [((10,), {}), ((10,), {"step": 3}), ((10,), {"scale": 3}), ((), {"n": 4}),
             ((10,), {"step": 0}), ((10,), {"step": 2**70}), ((10,), {"scale": "x"})]
    for _ in range(3):
        for args, kw in calls:
            assert outcome(c, args, kw) == outcome(kernel, args, kw)
        for args, kw in [((3,), {}), ((3, 4), {"k": 5}), ((1.5,), {}), ((2**62,), {})]:
            assert outcome(v, args, kw) == outcome(variadic, args, kw)
    rows = [t for t, _ in dispatcher(c).rows]
    assert (int, int, float) in rows and (int, int, int) in rows
    assert "(int, int, float): specialised" in jit.explain(c)
    assert "(float): specialised" in jit.explain(v)
    assert "generic code: compiled with the entry" in jit.explain(c)
    # errors are the binder's, and so the interpreter's
    for args, kw in [((), {}), ((1, 2), {}), ((1,), {"stp": 2})]:
        assert outcome(c, args, kw) == outcome(kernel, args, kw)


def test_keyword_only_specialisations_leak_nothing():
    def kernel(xs, *, k=3):
        s = 0
        for x in xs:
            s += x * k
        return s
    c = jit.compile(kernel)
    xs, big = [1, 2, 3], 10**30
    c(xs, k=2), c(xs), c(xs, k=big)
    before = sys.getrefcount(xs), sys.getrefcount(big)
    for _ in range(2000):
        c(xs, k=2)
        c(xs, k=big)
    assert (sys.getrefcount(xs), sys.getrefcount(big)) == before


# ---- deoptimisation ---------------------------------------------------------------

def grows(n, log):
    x = 1
    for i in range(n):
        log.append(i)
        x = x * 3 + 1          # outgrows 64 bits at i == 40
    return x


def test_overflow_mid_loop_deopts_with_side_effects_kept():
    c = jit.compile(grows)
    for n in (10, 50, 100):
        log1, log2 = [], []
        assert c(n, log2) == grows(n, log1)
        assert log1 == log2
    assert total_deopts(c) >= 2


def test_repeated_deopts_respecialize_and_stay_exact():
    c = jit.compile(grows)
    for _ in range(DEOPT_LIMIT + 3):
        log = []
        assert c(60, log) == grows(60, [])
        assert log == list(range(60))
    spec = dispatcher(c).rows[0][1]
    assert spec is None or spec.generation >= 1


def test_big_int_argument_deopts_at_entry():
    c = jit.compile(sum_cubes)
    assert c(10) == sum_cubes(10)

    def twice(x):
        return x + x
    t = jit.compile(twice)
    for x in (1, 2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 64, -2 ** 100):
        assert t(x) == twice(x)


def test_exceptions_after_deopt_have_the_interpreters_messages_and_lines():
    def div(a, b):
        q = a // b
        return q

    c = jit.compile(div)
    assert c(7, 2) == 3
    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero") as info:
        c(7, 0)
    tb = info.traceback[-1]
    assert tb.name == "div" and tb.lineno == div.__code__.co_firstlineno  # 0-based in pytest


def test_unbound_local_after_deopt():
    def f(n):
        if n > 0:
            y = n
        return y + 1
    c = jit.compile(f)
    assert c(3) == 4
    with pytest.raises(UnboundLocalError) as info:
        c(0)
    with pytest.raises(UnboundLocalError) as ref:
        f(0)
    assert str(info.value) == str(ref.value)


RANGE = range


def uses_range(n):
    total = 0
    for i in range(n):
        total += i
    return total


def test_rebinding_a_builtin_global_is_noticed():
    g = uses_range.__globals__
    c = jit.compile(uses_range)
    assert c(10) == 45
    g["range"] = lambda n: [100] * n
    try:
        assert c(3) == uses_range(3) == 300
    finally:
        del g["range"]
    assert c(10) == 45


def test_math_domain_errors_come_from_the_interpreter():
    def roots(xs):
        out = 0.0
        for x in xs:
            out += math.sqrt(x)
        return out
    c = jit.compile(roots)
    assert c([1.0, 4.0]) == 3.0
    with pytest.raises(ValueError, match="math domain error"):
        c([1.0, -1.0])


# ---- direct calls -----------------------------------------------------------------

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def test_recursion_calls_the_specialisation_directly():
    g = fib.__globals__
    orig = g["fib"]
    g["fib"] = c = jit.compile(orig)
    try:
        assert c(20) == 6765
        assert "direct_call" in str(dispatcher(c).rows[0][1].native.ir)
        assert c(30) == 832040
    finally:
        g["fib"] = orig


def test_a_direct_callee_is_checked_where_its_global_is_loaded():
    # the load compares the globals' version tag with the one the callee was last
    # found under (globals: no builtins tag), and the value is the constant: no
    # compare of the callee at the call, no cached value loaded
    g = fib.__globals__
    orig = g["fib"]
    g["fib"] = c = jit.compile(orig)
    try:
        assert c(15) == 610
        spec = dispatcher(c).rows[0][1]
        ir_text = str(spec.native.ir)
        assert "expect=" in ir_text and "scope='globals'" in ir_text
        assert "checked=True" in ir_text
        text = spec.native.llvm_ir
        assert "call i32 @jit.global_is(" in text and "call ptr @jit.lookup_global(" not in text
        g["fib"] = lambda n: -1        # rebound: the load deoptimises, the interpreter calls it
        assert c(5) == -2
    finally:
        g["fib"] = orig


def test_a_recursive_call_hands_its_stack_floor_down():
    # the callee's C-stack check takes the caller's floor (the same thread's) and
    # looks it up only when given 0 (an entry from the interpreter); the eval
    # breaker it polls at entry is a link-time address, not ts->interp->flag
    g = fib.__globals__
    orig = g["fib"]
    g["fib"] = c = jit.compile(orig)
    try:
        assert c(15) == 610
        text = dispatcher(c).rows[0][1].native.llvm_ir
        assert "ptr %ts, i64 %floor.in" in text                     # impl's parameter
        # fib's calls go to a copy of fib inlined here, passing this frame's floor;
        # the copy's own calls (to this impl) pass what it was given
        assert "i64 %st.floor, ptr %ts)" in text
        assert "ptr %ts, i64 %floor.in)" in text
        assert "icmp ne i64 %floor.in, 0" in text
        assert "@jit_eval_breaker" in text
        # a specialisation's impl loads its namespaces from its constants: the
        # recursive call passes five arguments (all in registers)
        assert "define ptr @code.impl(i1 %direct, ptr %out, ptr %args, ptr %ts, " \
               "i64 %floor.in)" in text
        assert "call ptr @code.impl(i1 true, ptr " in text
        assert c(25) == 75025
    finally:
        g["fib"] = orig


def test_a_function_gaining_only_inline_appends_is_specialised():
    # nothing unboxes, but xs.append(v) inline (no method lookup, no call) beats the
    # generic code's method call
    def collect(xs):
        out = []
        for x in xs:
            out.append(x)
        return out
    c = jit.compile(collect)
    assert c([1, "a", None]) == [1, "a", None] and c([2]) == [2]
    spec = dispatcher(c).rows[0][1]
    assert spec is not None and "append_call" in str(spec.native.ir)


def inl_leaf(a, b):
    s = a + b
    return s * s // 3 - a


def inl_caller(n, k):
    t = 0
    for i in range(n):
        t += inl_leaf(i, k)
    return t


def test_small_callees_are_inlined_and_stay_exact():
    g = inl_caller.__globals__
    saved = g["inl_leaf"], g["inl_caller"]
    g["inl_leaf"] = leaf = jit.compile(saved[0])
    g["inl_caller"] = c = jit.compile(saved[1])
    try:
        g["inl_leaf"] = saved[0]
        expected = [saved[1](50, 7), saved[1](5, 2 ** 62), saved[1](5, 2 ** 31 + 5)]
        g["inl_leaf"] = leaf
        for _ in range(3):
            assert [c(50, 7), c(5, 2 ** 62), c(5, 2 ** 31 + 5)] == expected
        spec = dispatcher(c).rows[0][1]
        assert "inline=" in str(spec.native.ir)
        assert "alwaysinline" in spec.native.llvm_ir
        assert total_deopts(leaf) > 0          # the overflow deopted inside the copy
        g["inl_leaf"] = lambda a, b: -1        # the guard sees the rebinding
        assert c(4, 1) == -4
    finally:
        g["inl_leaf"], g["inl_caller"] = saved


def inl_looping(xs):
    t = 0
    for x in xs:
        t += x
    return t


def inl_once(xs):
    return inl_looping(xs) + 1


def inl_repeated(xs, n):
    t = 0
    for _ in range(n):
        t += inl_looping(xs)
    return t


def test_a_callee_with_a_loop_is_inlined_only_where_the_call_repeats():
    g = inl_once.__globals__
    saved = {k: g[k] for k in ("inl_looping", "inl_once", "inl_repeated")}
    for k, f in saved.items():
        g[k] = jit.compile(f)
    try:
        xs = [1, 2, 3]
        assert g["inl_once"](xs) == 7 and g["inl_repeated"](xs, 4) == 24
        once = dispatcher(g["inl_once"]).rows[0][1]
        repeated = dispatcher(g["inl_repeated"]).rows[0][1]
        assert "direct_call" in str(once.native.ir) and "inline=" not in str(once.native.ir)
        assert "inline=" in str(repeated.native.ir)
    finally:
        g.update(saved)


def self_fib(n):
    if n < 2:
        return n
    return self_fib(n - 1) + self_fib(n - 2)


def test_a_small_recursive_specialisation_inlines_a_copy_of_itself():
    """The copy's own recursive calls go straight to the original's impl in the
    same module (no cell, no entry wrapper); results, overflow and rebinding exact."""
    g = self_fib.__globals__
    saved = g["self_fib"]
    g["self_fib"] = c = jit.compile(saved)
    try:
        for _ in range(3):
            assert [c(20), c(1), c(0), c(25)] == [6765, 1, 0, 75025]
        spec = dispatcher(c).rows[0][1]
        text = spec.native.llvm_ir
        p = spec.native.prefix
        copy = text[text.index(f"define internal ptr @{p}i0.impl"):]
        copy = copy[:copy.index("\n}")]
        assert f"call ptr @{p}.impl(" in copy
        assert total_deopts(c) == 0
        g["self_fib"] = lambda n: 1000          # both levels see the rebinding
        assert c(5) == 2000 and c(1) == 1
    finally:
        g["self_fib"] = saved


def while_caller(n, k):
    t = 0
    i = 0
    while i < n:
        t += inl_leaf(i, k)
        i += 1
    return t


def depth_probe(d, n):
    """Recurse d frames, then run while_caller (whose inl_leaf is an inlined copy)."""
    if d == 0:
        return while_caller(n, 3)
    return depth_probe(d - 1, n)


def _outcomes_near_the_limit():
    out = []
    for d in range(0, 60):
        try:
            out.append(depth_probe(d, 4))
        except RecursionError as e:
            out.append(("RecursionError", str(e)))
    return out


def test_a_leaf_copy_inlined_into_a_loop_hits_the_recursion_limit_where_the_interpreter_does():
    # (a loop over range() would not do: at the limit, the interpreter's range()
    # raises "... in comparison" where the native loop raises at the next call)
    g = while_caller.__globals__
    saved = g["inl_leaf"], g["while_caller"]
    limit = sys.getrecursionlimit()
    leaf, c = jit.compile(saved[0]), jit.compile(saved[1])
    try:
        g["inl_leaf"] = leaf
        assert c(4, 3) == saved[1](4, 3)        # compiled now, not near the limit
        sys.setrecursionlimit(len(inspect.stack()) + 40)
        g["inl_leaf"], g["while_caller"] = saved
        expected = _outcomes_near_the_limit()
        assert ("RecursionError", "maximum recursion depth exceeded") in expected
        assert expected[0] == saved[1](4, 3)
        g["inl_leaf"], g["while_caller"] = leaf, c
        for _ in range(2):
            assert _outcomes_near_the_limit() == expected
        assert "alwaysinline" in dispatcher(c).rows[0][1].native.llvm_ir
    finally:
        sys.setrecursionlimit(limit)
        g["inl_leaf"], g["while_caller"] = saved


def tup_order(a, b):
    if a < b:
        return a, b
    return b, a


def tup_span(a, b):
    return b - a + (1 if a is True else 0)


def tup_caller(xs):
    total = 0
    for i in range(len(xs) - 1):
        lo, hi = tup_order(xs[i], xs[i + 1])
        total += tup_span(lo, hi)
    return total


def test_tuple_shapes_and_guessed_arguments_make_direct_calls():
    g = tup_caller.__globals__
    saved = {k: g[k] for k in ("tup_order", "tup_span", "tup_caller")}
    try:
        for k in saved:
            g[k] = jit.compile(saved[k])
        c = g["tup_caller"]
        cases = [[5, 1, 9, 3], [1, True, 2], [2 ** 62, -2 ** 62, 7], [1.5, 2, 0.5], [3, 1, 4]]
        for _ in range(3):
            got = [c(list(xs)) for xs in cases]
            g.update(saved)
            want = [saved["tup_caller"](list(xs)) for xs in cases]
            assert [repr(v) for v in got] == [repr(v) for v in want]
            for k in saved:
                g[k] = jit.compile(saved[k])
            c = g["tup_caller"]
        c([5, 1, 9, 3])
        ir_text = str(dispatcher(c).rows[0][1].native.ir)
        assert ir_text.count("direct_call") == 2, ir_text
    finally:
        g.update(saved)


def egcd_step(a, b):
    q = a // b
    return q, a - q * b, q * 0.5


def egcd_user(n, b):
    s = 0
    f = 0.0
    for i in range(1, n):
        q, r, h = egcd_step(i * 7 + 3, b)
        s += q * 3 - r
        f += h
    return s, f


def test_tuples_unpacked_at_once_travel_unboxed_between_specialisations():
    g = egcd_user.__globals__
    saved = {k: g[k] for k in ("egcd_step", "egcd_user")}
    try:
        want = [egcd_user(50, 7), egcd_user(5, -3), egcd_user(5, 2 ** 62)]
        for k in saved:
            g[k] = jit.compile(saved[k])
        c = g["egcd_user"]
        for _ in range(DEOPT_LIMIT + 2):
            assert [c(50, 7), c(5, -3), c(5, 2 ** 62)] == want
        with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
            c(3, 0)
        callee = str(dispatcher(g["egcd_step"]).rows[0][1].native.ir)
        assert "ret_raw items=True(" in callee and "build_tuple" not in callee, callee
        caller = str(dispatcher(c).rows[0][1].native.ir)
        assert "items=True" in caller and "unpack_sequence" not in caller, caller
        # a caller that keeps the tuple gets the object, built by the callee
        keep = jit.compile(lambda a, b: egcd_step(a, b))
        assert keep(17, 5) == (3, 2, 1.5)
        b = int("100007")
        c(20, b)
        gc.collect()
        before = sys.getrefcount(b), sys.getallocatedblocks()
        for _ in range(300):
            c(20, b)
        gc.collect()
        after = sys.getrefcount(b), sys.getallocatedblocks()
        assert after[0] == before[0] and after[1] - before[1] < 50
    finally:
        g.update(saved)


def zdiv(a, b):
    return a * b     # (overflows i64 when b is big: a deopt)


def zsum(n):
    s = 0
    for i in range(n):
        s += zdiv(i * 7, 2 ** 62 if i % 3 == 0 else i)
    return s


def test_a_site_that_keeps_deoptimising_goes_generic_in_inlined_copies_too():
    g = zsum.__globals__
    saved = {k: g[k] for k in ("zdiv", "zsum")}
    try:
        want = zsum(300)
        for k in saved:
            g[k] = jit.compile(saved[k])
        c, callee = g["zsum"], g["zdiv"]
        counts = []
        for _ in range(4):
            assert c(300) == want
            counts.append(total_deopts(callee))
        # the caller held a copy of zdiv: it was rebuilt with zdiv's new code, so
        # overflowing products stop deoptimising after the first call
        assert counts[0] >= DEOPT_LIMIT and counts[1] == counts[2] == counts[3], counts
        # zdiv's product is the generic one now; with nothing else to compute
        # natively, its row runs the generic code (specialize._only_reboxed)
        assert dispatcher(callee).rows[0][1] is None
        assert dispatcher(callee).retired[0].deopts
        assert dispatcher(c).rows[0][1].generation >= 1
    finally:
        g.update(saved)


def lucas_big(n):
    a, b = 2, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_results_beyond_64_bits_are_exact():
    c = jit.compile(lucas_big)
    for n in (10, 90, 91, 92, 93, 200):
        assert c(n) == lucas_big(n)


def times_constants(x):
    # each product's overflow is a range test on x (lower_typed._ranged_const_mul)
    return (x * 3, 3 * x + 1, x * -3, -7 * x, x * 1000003, x * -(2 ** 62),
            x * (2 ** 62 + 1), x * (-2 ** 63), x * 4, -2 * x)


def test_products_by_constants_overflow_exactly_at_their_edges():
    c = jit.compile(times_constants)
    factors = (3, -3, 7, -7, 1000003, 2 ** 62, 2 ** 62 + 1, 2 ** 63, 4, 2)
    xs = {0, 1, -1, 2, -2, 2 ** 62, -2 ** 62, 2 ** 63 - 1, -2 ** 63}
    for k in factors:       # around each bound: MAX // k, MIN // k, their ceilings
        for edge in ((2 ** 63 - 1) // k, (-2 ** 63) // k, -((2 ** 63 - 1) // k), -((-2 ** 63) // k)):
            xs.update(e for e in (edge - 1, edge, edge + 1) if -2 ** 63 <= e < 2 ** 63)
    for x in sorted(xs):
        assert c(x) == times_constants(x), x
    assert total_deopts(c) > 0          # (the edges were crossed)


def counter_remainders(n, d):
    # i, j, k, s are never negative (jit/ranges.py): their // and % divide unsigned
    acc = 0
    s = 3
    for i in range(n):
        acc += i % 7 + (i // 9) % 5 + i % 1000 + i // d + i % d
        s = s * 5 % 1000003 + (i & 3)
        acc += s % 11
    for j in range(n, -1, -1):
        acc += j % 97
    k = 1
    while k < n:
        acc += (k + 3) // 7
        k += 3
    return acc


def signed_remainders(n, d):
    # none of these operands is known non-negative: signed division, fix-ups kept
    acc = 0
    t = n
    for i in range(-n, n):
        acc += i % 7 + i // 9
    for j in range(n, -3, -1):
        acc += j % 5
    for i in range(n):
        acc += (i - 5) % 7 + i % d + (n - i) // 3 + min(i, t - 8) % 4 + (i & t) // 3
        t = -t
    return acc


def test_never_negative_operands_divide_unsigned():
    llvm_ir = show(counter_remainders.__code__, "llvm", (50, 4))
    assert "urem" in llvm_ir and "udiv" in llvm_ir
    assert "srem i64 %" in llvm_ir       # i % 7: a constant whose unsigned reciprocal is long
    c = jit.compile(counter_remainders)
    for n, d in ((0, 1), (1, 3), (50, 4), (1000, 13), (333, 2 ** 62), (20, 1)):
        assert c(n, d) == counter_remainders(n, d)
    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
        c(5, 0)
    for args in ((5, -3), (7, -(2 ** 63))):        # a negative divisor: signed again
        assert c(*args) == counter_remainders(*args)


def counter_steps(lo, hi, xs):
    # no overflow check (jit/ranges.py): i + 1 (i below hi); the sum of two
    # remainders; in the second loop every op but acc's sum, as j, last and n lie in
    # [0, 2**60] (no list holds more items)
    acc = 0
    for i in range(lo, hi):
        acc += (i + 1) % 1000 + (i - lo) % 7
    last = 0
    n = len(xs)
    for j in range(n):      # (not i: a slot's stores decide what its loads are)
        acc += (j - last) * 2 + (n - j) + (j + -5)
        last = j
    return acc


def edge_steps(lo, hi, k):
    # each of these may overflow: the check stays and the result grows exactly
    top = 9223372036854775807 if k else 5
    acc = top + 1
    for i in range(lo, hi):
        acc += (i - lo) + (i + 2) + (k - i)
    j = hi
    while j > lo:
        j -= 1
        acc += j + 1
    return acc


def test_sums_that_always_fit_skip_the_overflow_check():
    llvm_ir = show(counter_steps.__code__, "llvm", (0, 5, [1]))
    assert llvm_ir.count("add nsw i64") == 5 and llvm_ir.count("sub nsw i64") == 2
    assert llvm_ir.count("mul nsw i64") == 1
    c = jit.compile(counter_steps)
    for lo, hi, xs in ((0, 0, []), (3, 50, [1] * 9), (-4, 4, [0]),
                       (2 ** 63 - 4, 2 ** 63 - 1, [2] * 3), (-2 ** 63, -2 ** 63 + 3, [])):
        assert c(lo, hi, xs) == counter_steps(lo, hi, xs)
    assert total_deopts(c) == 0
    e = jit.compile(edge_steps)
    for args in ((0, 3, 1), (2 ** 63 - 4, 2 ** 63 - 1, 0), (-2 ** 63, -2 ** 63 + 2, 2 ** 63 - 1),
                 (-3, 3, -2 ** 63), (5, 9, 1)):
        assert e(*args) == edge_steps(*args), args


class HugeLen:
    def __len__(self):
        return sys.maxsize


def len_plus(a, k):
    n = len(a)
    return n + 1, n + k, n - k, -n - 2


def len_of_rebound(xs, other):
    if other is not None:
        xs = other          # (the slot is assigned: its len() is not a list's)
    n = len(xs)
    return n + 1


def test_len_of_any_object_may_be_sys_maxsize():
    # __len__ may return sys.maxsize: len(a) + 1 is 2**63, not a wrapped -2**63
    c = jit.compile(len_plus)
    for k in (1, 0, -1, 2 ** 62):
        assert c(HugeLen(), k) == len_plus(HugeLen(), k)
        assert c([1, 2], k) == len_plus([1, 2], k)
    r = jit.compile(len_of_rebound)
    assert r([1], None) == 2
    assert r([1], HugeLen()) == len_of_rebound([1], HugeLen()) == 2 ** 63


def pair_terms(xs, d):
    n = len(xs)
    acc = 0
    for i in range(n):
        for j in range(n):
            acc += (i + j + 1) * (i - j) + 60 // (i + 1) + ((j - 3) // d) // 4 + (i % d) // 3
    return acc


def divisors_cross_zero(n):
    acc = 0
    for i in range(-n, n):
        acc += 100 // (i + n + 1) + 7 // i
    return acc


def test_counters_of_a_list_length_fit():
    # i, j lie in [0, 2**60): i + j + 1 and i - j need no check; their product does
    llvm_ir = show(pair_terms.__code__, "llvm", ([1.0] * 3, 2))
    assert "add nsw i64" in llvm_ir and "sub nsw i64" in llvm_ir
    assert "smul.with.overflow.i64(i64" in llvm_ir
    c = jit.compile(pair_terms)
    for xs, d in (([], 1), ([0] * 5, 3), ([0] * 40, -7), ([0] * 9, 2 ** 63 - 1), ([0] * 3, -1)):
        assert c(xs, d) == pair_terms(xs, d), (len(xs), d)
    with pytest.raises(ZeroDivisionError):
        c([0] * 2, 0)
    # a divisor whose range holds 0 keeps its check: the interpreter's error at i == 0
    z = jit.compile(divisors_cross_zero)
    assert z(0) == 0
    with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero"):
        z(3)


def tri(i, j):
    s = i + j
    return s * (s + 1) // 2 + i + 1


def tri_sum(xs):
    n = len(xs)
    t = 0
    for i in range(n):
        for j in range(n):
            t += tri(i, j)
    return t


def tri_two_sites(xs, a):
    t = 0
    for i in range(len(xs)):
        t += tri(i, i) + tri(a, i)      # (the second passes anything: checks stay)
    return t


def test_a_copy_inlined_into_a_caller_takes_the_ranges_it_is_passed():
    tri_c = jit.compile(tri)
    sum_c, two_c = (jit.compile(f) for f in (tri_sum, tri_two_sites))
    old = globals()["tri"]
    globals()["tri"] = tri_c
    try:
        assert sum_c([0] * 30) == sum(old(i, j) for i in range(30) for j in range(30))
        # the copy in tri_sum: only the product keeps its check
        sums = show(tri_sum.__code__, "llvm", ([0] * 3,), imports={"tri": tri_c})
        assert sums.count("add nsw i64") == 4     # i + j, s + 1, + i, + 1
        for a in (0, -1, 2 ** 62, -2 ** 63, 2 ** 63 - 1, 3 * 2 ** 31):
            expect = sum(old(i, i) + old(a, i) for i in range(5))
            assert two_c([0] * 5, a) == expect, a
            assert tri_c(a, a) == old(a, a)
    finally:
        globals()["tri"] = old


def test_operands_that_may_be_negative_keep_floor_semantics():
    assert "urem" not in show(signed_remainders.__code__, "llvm", (10, 3))
    c = jit.compile(signed_remainders)
    for n, d in ((0, 1), (1, 3), (10, 3), (37, -4), (100, 7)):
        assert c(n, d) == signed_remainders(n, d)


# ---- reference counts ---------------------------------------------------------------

def test_no_leaks_through_specialised_and_deopt_paths():
    def f(xs, big):
        s = 0
        for x in xs:
            s += x
        return s + big
    c = jit.compile(f)
    xs = [1, 2, 3]
    big = 2 ** 70
    c(xs, 1)
    c(xs, big)
    gc.collect()
    before = (sys.getrefcount(xs), sys.getrefcount(big))
    for _ in range(300):
        assert c(xs, big) == 6 + big
        assert c(xs, 5) == 11
    gc.collect()
    assert (sys.getrefcount(xs), sys.getrefcount(big)) == before


# ---- global load caches -------------------------------------------------------------

SCALE = 2


def scaled(n):
    total = 0
    for i in range(n):
        total += i * SCALE
    return total


def bumps_scale(n):
    global SCALE
    out = []
    for i in range(n):
        out.append(SCALE)
        SCALE = SCALE + 1
    return out


@pytest.mark.parametrize("specialize", [True, False])
def test_global_caches_see_every_rebinding(specialize):
    global SCALE
    c, b = jit.compile(scaled, specialize=specialize), jit.compile(bumps_scale, specialize=specialize)
    try:
        assert c(10) == 90
        SCALE = 3
        assert c(10) == 135
        SCALE = 2.5          # a float now: the unboxing guess deopts, the result is exact
        assert c(4) == scaled(4) == 15.0
        SCALE = 1
        assert b(4) == [1, 2, 3, 4] and SCALE == 5
        del globals()["SCALE"]
        with pytest.raises(NameError, match="name 'SCALE' is not defined"):
            c(3)
    finally:
        SCALE = 2


# ---- raising unboxed values ------------------------------------------------------

def raise_double(n):
    x = n * 2
    raise x


def raise_in_handler(n):
    x = n + 1.5
    try:
        raise x
    except TypeError:
        return x


def test_raising_an_unboxed_value_releases_its_box_once():
    # the raise consumes the boxed value; its unwind must not release it again
    # (a double release of a cached small int freed it: found by the mutation fuzz)
    c = jit.compile(raise_double, fallback=False)
    h = jit.compile(raise_in_handler, fallback=False)
    for _ in range(5):
        with pytest.raises(TypeError, match="exceptions must derive from BaseException"):
            c(3)
        assert h(2) == 3.5
    counts = []
    for _ in range(3):
        counts.append(sys.getrefcount(6))
        for _ in range(1000):
            try:
                c(3)
            except TypeError:
                pass
            assert h(2) == 3.5
    assert counts[0] == counts[1] == counts[2], counts
    assert "specialised" in jit.explain(c)


# ---- lists passed to direct calls; for-in loops ----------------------------------

def seq_search(a, x):
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def seq_caller(n):
    a = list(range(0, 3 * n, 3))
    t = 0
    for x in range(n):
        t += seq_search(a, x)
    return t


def kw_scaled(x, scale=1, offset=0.5):
    return x * scale + offset


def kw_caller(n):
    t = 0.0
    for i in range(n):
        t += kw_scaled(i, offset=0.25) + kw_scaled(scale=2, x=i)
    return t


def test_keyword_calls_are_direct_calls():
    # keywords are bound to the callee's parameters when specialising (defaults
    # filled in between): no binding at run time, and the callee's row is (int, int,
    # float) for both calls
    g = kw_caller.__globals__
    saved = {k: g[k] for k in ("kw_scaled", "kw_caller")}
    try:
        for k in saved:
            g[k] = jit.compile(saved[k])
        c = g["kw_caller"]
        assert c(50) == saved["kw_caller"](50)
        ir_text = str(dispatcher(c).rows[0][1].native.ir)
        assert ir_text.count("direct_call") == 2 and "kwnames" not in ir_text, ir_text
        assert [t for t, _ in dispatcher(g["kw_scaled"]).rows] == [(int, int, float)]
    finally:
        g.update(saved)


SHIFT = 0.25


def shifted_sum(n):
    s = 0.0
    for i in range(n):
        s += i % 11 + SHIFT
    return s


def test_a_global_is_guessed_like_its_value():
    # an int next to a float global was guessed: every call deoptimised at once
    # until the site was given up; the global's value now says float
    c = jit.compile(shifted_sum)
    for _ in range(3):
        assert c(100) == shifted_sum(100)
    (types, spec), = dispatcher(c).rows
    assert sum(spec.deopts.values()) == 0 and spec.generation == 0


def byte_flags(n):
    s = bytearray(b"\x01") * n
    t = 0
    for i in range(n):
        t += s[i] * i
    return t


def test_a_builtin_type_called_is_not_guessed_a_number():
    # bytearray(...) * n next to an int was guessed an int product: a deopt per call
    c = jit.compile(byte_flags)
    for _ in range(3):
        assert c(50) == byte_flags(50)
    (types, spec), = dispatcher(c).rows
    assert sum(spec.deopts.values()) == 0 and spec.generation == 0


class Body:
    def __init__(self, x, m):
        self.x = x
        self.m = m


def pull(bodies):
    f = 0.0
    for a in bodies:
        for b in bodies:
            f += a.m * b.m * (a.x - b.x)
    return f


def test_instance_attributes_are_guessed_from_the_arguments():
    # the list's first item is sampled like a list's: a.x, a.m are guessed floats
    # (checked where unboxed), so the arithmetic is native, not generic binops
    c = jit.compile(pull)
    bodies = [Body(i * 0.5, 1.0 + i) for i in range(5)]
    assert c(bodies) == pull(bodies)
    ir_text = str(dispatcher(c).rows[0][1].native.ir)
    assert "= binop" not in ir_text and "float_op" in ir_text, ir_text


def comp_matrix(n):
    a = [[(i * j) % 7 + 0.5 for j in range(n)] for i in range(n)]
    s = 0.0
    for i in range(n):
        for j in range(n):
            s += a[i][j] * a[j][i]
    return s


def test_comprehension_rows_are_guessed_from_what_they_append():
    # the list comprehension's code is inferred for its iterator: the caller guesses
    # a list of lists of floats, as it would for such an argument, and unboxes
    # a[i][j] (checked) instead of making generic calls
    c = jit.compile(comp_matrix)
    assert c(12) == comp_matrix(12)
    ir_text = str(dispatcher(c).rows[0][1].native.ir)
    assert "unbox_float" in ir_text and "float_op" in ir_text, ir_text
    assert "= binop" not in ir_text, ir_text      # (the items' product: no generic op)


def test_lists_travel_to_direct_calls():
    g = seq_caller.__globals__
    saved = {k: g[k] for k in ("seq_search", "seq_caller")}
    try:
        for k in saved:
            g[k] = jit.compile(saved[k])
        c = g["seq_caller"]
        assert c(50) == saved["seq_caller"](50)
        ir_text = str(dispatcher(c).rows[0][1].native.ir)
        assert "direct_call" in ir_text and "type_checks=((0, 'list'),)" in ir_text, ir_text
        callee = dispatcher(g["seq_search"])
        assert [t for t, _ in callee.rows] == [(list, int)]
        assert sum(callee.rows[0][1].deopts.values()) == 0
    finally:
        g.update(saved)


def loop_items(xs, ys):
    t = 0.0
    for v in xs:
        t += v * v
    for i, v in enumerate(xs):
        t += v * i
    for a, b in zip(xs, ys):
        t += a * b
    return t


def test_for_in_items_are_unboxed():
    c = jit.compile(loop_items)
    xs, ys = [1.5, 2.5, 3.5], [0.5, 1.0, 2.0]
    assert c(xs, ys) == loop_items(xs, ys)
    ir_text = str(dispatcher(c).rows[0][1].native.ir)
    assert ir_text.count("seq_next") == 1, ir_text
    # enumerate's and zip's steps hand over both items, the index unboxed: no tuple
    assert ir_text.count("pair_next") == 2 and ir_text.count("pair_unpack") == 2, ir_text
    assert "unpack_sequence" not in ir_text, ir_text
    # the items are multiplied unboxed: no generic binop is left
    assert "binop" not in ir_text, ir_text
    assert ir_text.count("float_op op='*'") == 3, ir_text


def const_tuple_norm(x, y):
    d = math.sqrt(x * x + y * y)
    if d == 0.0:
        return 0.0, 0.0, 0.0          # folded to a constant by CPython
    return x / d, y / d, d


def test_constant_tuple_returns_travel_unboxed():
    c = jit.compile(const_tuple_norm)
    assert c(3.0, 4.0) == (0.6, 0.8, 5.0) and c(0.0, 0.0) == (0.0, 0.0, 0.0)
    assert dispatcher(c).rows[0][1].raw_tuple == ("float", "float", "float")


def vague_total(grid):
    t = 0
    for row in grid:
        for j in range(len(row)):
            t += row[j]
    return t


def vague_caller(n):
    grid = []
    for i in range(n):
        grid.append([i, i + 1])
    return vague_total(grid)


def test_direct_callee_of_a_vague_list_is_made_from_the_values():
    """The caller knows ``grid`` is a list but not what it holds: the callee's
    specialisation waits for a call's values, which tell it the rows hold ints."""
    g = vague_caller.__globals__
    saved = {k: g[k] for k in ("vague_total", "vague_caller")}
    try:
        for k in saved:
            g[k] = jit.compile(saved[k])
        assert g["vague_caller"](5) == saved["vague_caller"](5)
        assert g["vague_caller"](6) == saved["vague_caller"](6)
        callee = dispatcher(g["vague_total"])
        assert [t for t, _ in callee.rows] == [(list,)]
        assert callee.rows[0][1].arg_types == [("obj", ("list", ("list", "int")))]
        assert "direct_call" in str(dispatcher(g["vague_caller"]).rows[0][1].native.ir)
    finally:
        g.update(saved)


class Holder:
    def __init__(self, x):
        self._x = x

    @property
    def x(self):              # (a property: what it gives is not sampled)
        return self._x


def scaled_sum(p, n):
    t = 0.0
    for i in range(n):
        t += p.x * i          # p.x is guessed an int (next to i): floats deopt
    return t


def test_sites_whose_deopts_saw_floats_guess_floats():
    c = jit.compile(scaled_sum)
    p = Holder(1.5)
    for _ in range(DEOPT_LIMIT + 2):
        assert c(p, 50) == scaled_sum(p, 50)
    row = dispatcher(c).rows[0][1]
    assert row.generation == 1 and len(row.float_sites) == 1 and not row.no_speculate
    assert sum(row.deopts.values()) == 0
    assert "float_op op='*'" in str(row.native.ir)
    q = Holder(3)             # an int there now: deopts, exactly
    assert c(q, 10) == scaled_sum(q, 10) == 135.0


class SlotPt:
    __slots__ = ("x", "y", "tag")

    def __init__(self, x, y):
        self.x, self.y = x, y


class SlotPtDict:
    __slots__ = ("x", "__dict__")


class SlotPtShadowed(SlotPt):
    __slots__ = ()

    @property
    def y(self):
        return "shadowed"


class PlantedMember:
    x = SlotPt.__dict__["x"]        # (its getter refuses this class's instances)


def test_slots_members_are_sampled_like_instance_attributes():
    from jit.specialize import FLOAT, INT, hint_of
    assert hint_of(SlotPt(1.5, 2)) == ("inst", (("x", FLOAT), ("y", INT)))   # tag unset
    shadowed = SlotPtShadowed.__new__(SlotPtShadowed)
    shadowed.x = 1.5
    SlotPt.y.__set__(shadowed, 2)
    assert hint_of(shadowed) == ("inst", (("x", FLOAT),))
    both = SlotPtDict()
    both.x = 0.5
    both.__dict__.update(x="a member wins over the dict", z=3)
    assert hint_of(both) == ("inst", (("x", FLOAT), ("z", INT)))
    assert hint_of(PlantedMember()) is None


def slot_distances(ps):
    s = 0.0
    for a in ps:
        for b in ps:
            dx = a.x - b.x
            dy = a.y - b.y
            s += dx * dx + dy * dy
    return s


def test_float_slots_are_unboxed_in_specialised_code():
    c = jit.compile(slot_distances)
    ps = [SlotPt(i * 0.5, 1.0 - i) for i in range(5)]
    ps[2].y = 2.0
    assert c(ps) == slot_distances(ps) and c(ps) == slot_distances(ps)
    row = dispatcher(c).rows[0][1]
    assert sum(row.deopts.values()) == 0 and "float_op op='-'" in str(row.native.ir)
    ps[3].x = 7                       # an int now: deopts, exactly
    assert c(ps) == slot_distances(ps)


def with_defaults(n, step=2, scale=0.5):
    t = 0.0
    for i in range(0, n, step):
        t += i * scale
    return t


def test_calls_leaving_out_defaults_are_specialised():
    c = jit.compile(with_defaults)
    assert c(10) == with_defaults(10) and c(10, 3) == with_defaults(10, 3)
    assert [t for t, _ in dispatcher(c).rows] == [(int, int, float)]
    assert dispatcher(c).rows[0][1] is not None
    c.__defaults__ = (1, 2)          # an int scale now: another signature
    assert c(4) == with_defaults(4, 1, 2) == 12
    assert [t for t, _ in dispatcher(c).rows] == [(int, int, float), (int, int, int)]


# ---- session 8's fast paths, seen in the specialised IR ---------------------------

def count_small_residues(n):
    c = 0
    for i in range(-n, n):      # (negative too: a counter of range(n) divides unsigned)
        if i % 7 in (1, 3, 5) and i % 2 == 0:
            c += 1
    return c


def dot_pairs(pts):
    s = 0.0
    for x, y in pts:
        s += x * y
    return s


def scale_all(xs, k):
    return [x * k for x in xs]


def test_membership_in_constants_and_divisibility_are_native():
    c = jit.compile(count_small_residues)
    assert c(100) == count_small_residues(100)
    native = dispatcher(c).rows[0][1].native
    assert "num_in values=[1, 3, 5]" in str(native.ir)
    assert "contains" not in str(native.ir)
    # the == 0 test compares C's remainder (the srem), not the sign-fixed one
    import re
    rems = re.findall(r"(%\S+) = srem i64", native.llvm_ir)
    assert any(re.search(rf"icmp (eq|ne) i64 {re.escape(r)}, ", native.llvm_ir) for r in rems)


def test_locals_assigned_guessed_floats_are_unboxed():
    c = jit.compile(dot_pairs)
    pts = [(1.5, 2.0), (0.25, 4.0)]
    assert c(pts) == dot_pairs(pts)
    slots = dispatcher(c).rows[0][1].native.ir.slot_types
    assert slots[2:] == ["f64", "f64"]          # x, y


def test_a_function_is_specialised_for_its_comprehension():
    c = jit.compile(scale_all)
    assert c([1.5, 2.5], 2.0) == [3.0, 5.0]
    (types, spec), = dispatcher(c).rows
    assert spec is not None and spec.native is not None


def mean_of(xs):
    return sum(xs) / len(xs)


def circle_areas(n):
    s = 0.0
    for r in range(n):
        s += math.pi * r * r
    return s


def test_sum_and_module_floats_are_guessed_floats_at_once():
    # sum() over floats unboxes as a float in the first specialisation (no deopt on
    # a wrong int guess first); math.pi is a checked constant (test_module_attrs.py)
    for f, args, unboxed in ((mean_of, ([1.5, 2.25, 4.0],), "unbox_float"),
                             (circle_areas, (50,), "repr='3.141592653589793'")):
        c = jit.compile(f)
        assert c(*args) == f(*args)
        spec = dispatcher(c).rows[0][1]
        text = str(spec.native.ir)
        assert unboxed in text and "unbox_int" not in text.replace("unbox_int no_bool=True", "")
        assert total_deopts(c) == 0


def test_guessed_builtin_and_module_results_are_checked():
    # the guesses are only guesses: other values at run time deoptimise exactly
    c = jit.compile(mean_of)
    assert c([1.5, 2.5]) == 2.0
    for xs in ([1, 2, 4], [2**62, 2**62, 2**62], [True, False], [1.5, 2], [0.5, 2**70]):
        assert c(xs) == mean_of(xs)
    with pytest.raises(ZeroDivisionError):
        c([])
    import types
    mod = types.ModuleType("m")
    mod.k = 2.5
    ns = {"m": mod}
    src = "def g(n):\n    s = 0\n    for i in range(n):\n        s += m.k * i\n    return s\n"
    exec(src, ns)
    g = jit.compile(ns["g"])
    assert g(10) == ns["g"](10)
    mod.k = 3
    assert g(10) == ns["g"](10) and type(g(10)) is int
    mod.k = "ab"
    with pytest.raises(TypeError, match="unsupported operand"):
        g(3)
    del mod.k
    with pytest.raises(AttributeError):
        g(3)


def pair_gaps(xs, n):
    s = 0.0
    for i in range(n):
        for j in range(n):
            s += xs[i] - xs[j]
    return s


def test_deopt_and_failure_paths_stay_small():
    # code size is compile time: guards with one state share a deopt block, range
    # iterators on a deopt's stack are stored raw (boxed by jit.deopt_list, not at
    # each site), and a loop's periodic break is one call
    import re
    c = jit.compile(pair_gaps)
    xs = [0.5, 1.25, 3.0]
    assert c(xs, 3) == pair_gaps(xs, 3)
    text = dispatcher(c).rows[0][1].native.llvm_ir
    sites = re.findall(r"^(deopt\d+):", text, re.M)
    guards = re.findall(r"br i1 \S+, label %(deopt\d+), label", text)
    assert len(guards) > len(set(guards)) == len(sites)
    assert "call ptr @jit.box_range(" not in text
    assert re.search(r'c"[^"]*rr[^"]*\\00"', text)      # the two loops' iterators
    assert "call i32 @jit.tick()" in text and "@PyEval_SaveThread()" not in text
    # and a guard failing there resumes exactly
    ys = [0.5, 2, 3.0]
    assert c(ys, 3) == pair_gaps(ys, 3)


def from_imported_math(n):
    from_sqrt = _sqrt_bound    # (a local: not the call below)
    s = 0.0
    for i in range(n):
        s += _sqrt_bound(i) + _gcd_bound(i, 6) + pow(i, 2)
    return s, from_sqrt is _sqrt_bound


from math import sqrt as _sqrt_bound, gcd as _gcd_bound  # noqa: E402


def test_calls_are_planned_for_what_the_name_is_bound_to():
    # `from math import sqrt as _sqrt_bound`: the call is native (the name does not
    # matter, what it is bound to does), guarded at run time
    c = jit.compile(from_imported_math)
    assert c(20) == from_imported_math(20)
    text = str(dispatcher(c).rows[0][1].native.ir)
    assert "num_call fn='sqrt'" in text and "num_call fn='gcd'" in text
    assert "int_op op='**'" in text and " call nargs" not in text
    global _sqrt_bound
    saved, _sqrt_bound = _sqrt_bound, lambda x: 1.0     # rebound: the guard sees it
    try:
        assert c(5) == from_imported_math(5)
    finally:
        _sqrt_bound = saved


def mark_multiples(flags, i):
    for j in range(i * i, len(flags), i):
        flags[j] = False
    hits = 0
    for k in range(len(flags)):
        hits += flags[k]
    return hits


def test_strided_list_access_prefetches():
    # a list indexed by a range loop's counter prefetches the item 32 steps ahead
    # (a hint: the hardware prefetcher does not follow a large stride across pages);
    # a constant small step needs none
    import re
    c = jit.compile(mark_multiples)
    flags = [True] * 50
    assert c(flags, 3) == mark_multiples([True] * 50, 3) and flags[9] is False
    text = dispatcher(c).rows[0][1].native.llvm_ir
    # the store's (for writing); the unit-stride load has none
    assert re.findall(r"call void @llvm.prefetch.p0\(ptr \S+, i32 (\d),", text) == ["1"]


def _or_zero(a):
    return a or 0


def _and_chain(a, b, c):
    return a and b and c


def _or_in_format(a, b, c):
    return f"{a}{b or c}"


def _local_and(a):
    y = a * 2
    return y and 0


def test_short_circuit_of_an_unboxed_value_leaks_nothing():
    # `a or 0` with a float: the value is boxed only on the edge that passes it on
    # (a box made before the branch leaked on the other edge: one float per call)
    cases = [(_or_zero, (0.0,)), (_or_zero, (1.5,)), (_and_chain, (1, 2.5, 3)),
             (_and_chain, (1.5, 0.0, 3)), (_or_in_format, (1, 0.0, 2.0)), (_local_and, (1.5,)),
             (_local_and, (0.0,))]
    for f, args in cases:
        c = jit.compile(f, fallback=False)
        for _ in range(3):
            assert repr(c(*args)) == repr(f(*args))
        gc.collect()
        before = sys.getallocatedblocks()
        for _ in range(5000):
            c(*args)
        gc.collect()
        assert sys.getallocatedblocks() - before < 50, (f.__name__, args)


def _pair_of_param(x):
    t = (x, x)
    return t[0] is t[1], t[0]


def _param_and_product(x):
    y = x * 1.0
    return y, x


def test_an_unassigned_parameter_boxes_to_its_argument_object():
    # an unboxed parameter the code never assigns is its argument object again when
    # boxed (a direct call, which passed it raw, boxes it anew)
    for f, v in ((_pair_of_param, 2.5), (_pair_of_param, 300), (_pair_of_param, 2 ** 62),
                 (_param_and_product, 2.5)):
        c = jit.compile(f, fallback=False)
        for _ in range(3):
            expected, got = f(v), c(v)
            assert [r is v for r in expected if not isinstance(r, bool)] == \
                [r is v for r in got if not isinstance(r, bool)]
            assert expected == got


# ---- object lifetimes across a deoptimisation ----------------------------------------

class Noted:
    def __init__(self, log):
        self.log = log

    def __del__(self):
        self.log.append("freed")


def rebinds_to_int(log, n):
    x = Noted(log)      # the slot is an int's: the unboxing deoptimises here
    x = n               # the interpreter frees the object at once
    log.append("rebound")
    for i in range(n):
        y = Noted(log)
        y = i
        log.append(i)
    return x


def test_objects_on_the_stack_at_a_deopt_die_where_the_interpreter_frees_them():
    c = jit.compile(rebinds_to_int)
    for _ in range(3):
        want, got = [], []
        assert c(got, 2) == rebinds_to_int(want, 2)
        assert got == want == ["freed", "rebound", "freed", 0, "freed", 1]
    assert total_deopts(c) > 0


# ---- a local holding numbers and comparison results -------------------------------

def bool_after_int(x):
    d = 1
    d = d > 0
    return d


def bool_after_float(x):
    d = 1.5
    d = d > 0
    return d


def int_after_bool(x):
    d = x > 0
    d = 5
    return d


def bools_in_a_loop(x):
    d = x
    for i in range(3):
        d = d > i
    return d


def bool_on_one_path(x):
    d = x
    if x > 2:
        d = x > 5
    return d


def bool_times_two(x):
    s = x
    s = s == 3
    s = s * 2
    return s


@pytest.mark.parametrize("fn", [bool_after_int, bool_after_float, int_after_bool, bools_in_a_loop,
                                bool_on_one_path, bool_times_two])
def test_a_local_given_numbers_and_comparisons_keeps_its_bools(fn):
    # (the slot was forced to hold an unboxed number, and LLVM rejected storing an
    # i1 there: every such function ran generic code)
    c = jit.compile(fn)
    for x in (0, 1, 3, 7, 2.5, True, -4.0):
        got, want = c(x), fn(x)
        assert (got, type(got)) == (want, type(want)), x
    assert "could not specialise" not in jit.explain(c)


# ---- internal compiler errors ---------------------------------------------------------

def test_an_internal_error_while_specialising_leaves_the_call_to_generic_code(monkeypatch):
    from jit import pipeline
    monkeypatch.delenv("JIT_STRICT", raising=False)
    # raised from the compiler's own code (an exception from the program's code that
    # ran meanwhile is the program's: errors.raised_by_program)
    namespace = {}
    exec(compile("def broken(*args):\n    raise ValueError(\"a bug of the compiler's\")\n",
                 pipeline.__file__, "exec"), namespace)
    monkeypatch.setattr(pipeline, "compile_specialized", namespace["broken"])
    c = jit.compile(sum_cubes)
    assert c(10) == sum_cubes(10)
    assert "internal compiler error: ValueError: a bug of the compiler's" in jit.explain(c)
    monkeypatch.setenv("JIT_STRICT", "1")          # (the test suite's setting: loud)
    with pytest.raises(ValueError):
        jit.compile(sum_cubes)(10)


def test_a_failed_specialisation_keeps_no_argument_alive(monkeypatch):
    # an LLVM error raised on the compile thread: the error's traceback must not
    # make a cycle holding the calling frames (and so the call's arguments)
    from jit import engine, pipeline
    monkeypatch.delenv("JIT_STRICT", raising=False)
    monkeypatch.setattr(pipeline, "compile_specialized",
                        lambda *args: engine.compile_ir("not IR", [], {}))
    freed = []

    class Noted(int):
        def __del__(self):
            freed.append(True)

    c = jit.compile(sum_cubes)
    gc.disable()
    try:
        assert c(Noted(4)) == sum_cubes(4)
        assert freed == [True]
    finally:
        gc.enable()
    assert "could not specialise" in jit.explain(c)


def kept_after_deopt(x, n):
    s = n * n * n * n        # past 64 bits for n = 2**20: deoptimises
    return x


def kept_on_the_stack(x, n):
    return (x, n * n * n * n)


def kept_after_deopt_in_loop(x, k):
    acc = 0
    for i in range(k):
        acc += i * i * i * i * i     # deoptimises at i = 6000
    return x, acc


@pytest.mark.parametrize("fn", [kept_after_deopt, kept_on_the_stack, kept_after_deopt_in_loop])
def test_a_kept_parameter_is_its_argument_after_a_deopt(fn):
    # an unboxed parameter never assigned is the caller's object in the resumed
    # frame too (deopt_list takes the argument object, not a new box)
    c = jit.compile(fn)
    for x in (1.5, 10 ** 18, int("7777"), -0.0, 2.0 ** 60):    # (no cached small int)
        for n in (3, 2 ** 20, 6001):
            # (1.5 is a shared constant: garbage of earlier tests holding it, freed by
            # a collection during the compiles, would change its count meanwhile)
            gc.collect()
            before = sys.getrefcount(x)
            got, want = c(x, n), fn(x, n)
            assert got == want
            first = got[0] if isinstance(got, tuple) else got
            assert first is x, (fn.__name__, x, n)
            del got, want, first
            assert sys.getrefcount(x) == before
    assert total_deopts(c) > 0


# ---- range guards for conditional arms (hoist.guard_arms) ---------------------------

def collatz_steps(x, log):
    steps = 0
    while x != 1 and steps < 5000:
        if x % 2 == 0:
            x = x // 2
        else:
            x = 3 * x + 1
        steps += 1
        if steps % 50 == 0:
            log.append(x)          # (side effects done before a deopt stay done)
    return steps, x


def arm_shapes(x, k):
    acc = 0
    for i in range(k):
        if i % 3 == 0:
            acc += -7 * x          # a negative constant
        elif i % 3 == 1:
            y = x
            x = x + 1              # stored before the product: its own check stays
            acc += x * 5 - y
        else:
            t = x
            x = t * 3 - 2
            x = x // 4
    return acc, x


def test_a_product_in_a_branch_arm_is_guarded_in_the_branching_block():
    spec = show(collatz_steps.__code__, "spec", (7, []))
    assert "guard_range" in spec and "guarded=" in spec
    assert "mul nsw i64" in show(collatz_steps.__code__, "llvm", (7, []))
    c = jit.compile(collatz_steps)
    # 3 * x + 1 fits exactly up to (2**63 - 1 - 2**20) // 3: around it, and far past
    hi = (2 ** 63 - 1 - 2 ** 20) // 3
    top = (2 ** 63 - 1) // 3          # (past hi, but within the slack a guard leaves)
    # (values past the guard first: a site failing DEOPT_LIMIT times is dropped)
    for x in (7, top + 1, hi + 2, top - 1, 27, 871, hi - 2, hi - 1, hi, hi + 1, top,
              top + 2, 2 ** 62 + 1, 2 ** 63 - 1, 2 ** 64 + 1, 97, 3):
        got_log, want_log = [], []
        assert c(x, got_log) == collatz_steps(x, want_log), x
        assert got_log == want_log, x
    assert body_deopts(c) > 0          # (the guard failed, and the results stayed exact)


def store_first(x, flag):
    if x != flag:
        x = x + 2 ** 40        # stored before the product: the guard may not use the old x
        r = x * 5
    else:
        r = -x
    return r


def reassigned(x, big):
    t = x % 2
    x = big                    # stored after the load the branch uses
    if t:
        return x * 3
    return 0


def test_arms_that_store_first_or_multiply_by_negatives_stay_exact():
    c = jit.compile(arm_shapes)
    lim = 2 ** 63 // 7
    for x, k in ((5, 10), (-5, 10), (lim, 1), (lim + 1, 1), (-lim, 1), (-lim - 2, 4),
                 (2 ** 61, 6), (-(2 ** 62), 7), (2 ** 63 - 1, 3), (3, 40)):
        assert c(x, k) == arm_shapes(x, k), (x, k)
    s = jit.compile(store_first)
    hi5 = (2 ** 63 - 1) // 5 - 2 ** 40
    for x in (3, hi5 - 2, hi5 - 1, hi5, hi5 + 1, -hi5 - 2, 3):
        assert s(x, 0) == store_first(x, 0), x
    r = jit.compile(reassigned)
    for x, big in ((1, 5), (1, 2 ** 62), (3, -(2 ** 62)), (2, 2 ** 62)):
        assert r(x, big) == reassigned(x, big), (x, big)


def trial_division(n, extra):
    primes = []
    for k in range(2, n):
        for p in primes:
            if p * p > k:
                primes.append(k)
                break
            if k % p == 0:
                break
        else:
            primes.append(k)
    for x in extra:
        primes.append(x)
    total = 0
    for p in primes:
        total += p * p
    return len(primes), total


def test_items_appended_to_a_list_are_guessed():
    """``primes = []`` ... ``primes.append(k)`` with k an int: the list's items are
    guessed ints, so ``p * p`` of an item is unboxed arithmetic (guarded: other items
    appended later deoptimise, exactly)."""
    c = jit.compile(trial_division)
    assert c(200, ()) == trial_division(200, ())
    spec = dispatcher(c).rows[0][1]
    assert "int_op op='*'" in str(spec.native.ir)
    for extra in ((2**40,), (2**62,), (1.5, 3), (True,), ("s",), (2**63, -2**63)):
        want = _outcome(trial_division, 50, extra)
        assert _outcome(c, 50, extra) == want, extra


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except Exception as e:
        return "exc", type(e), str(e)


class _Holder:
    pass


def store_args(obj, a, b):
    obj.a = a
    obj.b = b
    obj.c = 0
    return obj


def store_sum(obj, a, b):
    obj.a = a + b
    return obj


def test_only_reboxing_arguments_is_not_worth_a_specialisation():
    # int arguments only stored as attributes would be unboxed at entry and boxed
    # again at each store (an allocation past the small ints): the generic code
    # serves those calls; one adding them is specialised
    c, d = jit.compile(store_args), jit.compile(store_sum)
    for _ in range(3):
        h = c(_Holder(), 10 ** 12, -7)
        assert (h.a, h.b, h.c) == (10 ** 12, -7, 0)
        assert d(_Holder(), 10 ** 12, 3).a == 10 ** 12 + 3
    assert dispatcher(c).rows and dispatcher(c).rows[0][1] is None
    assert dispatcher(d).rows[0][1] is not None
    assert "int_op" in str(dispatcher(d).rows[0][1].native.ir)


def store_param_attr(o, b):
    o.b = b
    return o


def store_param_item(xs, b):
    for i in range(len(xs)):
        xs[i] = b
    return xs


def test_a_float_parameter_stored_is_the_argument_object():
    # the store puts the argument itself, as the interpreter does, not a float made
    # from its double (helper 45)
    x = 3.25 + 0.0
    o = jit.compile(store_param_attr)(_Holder(), x)
    xs = jit.compile(store_param_item)([0.0, 1.0, 2.0], x)
    assert o.b is x and all(v is x for v in xs)
