"""Code that compiled code makes and runs at once is compiled with it: comprehension
bodies, lambdas called where they are made, class bodies (see DESIGN.md)."""
import gc
import sys

import jit


class Token:
    pass


def make_things(t, n):
    class A:
        x = t

        def m(self):
            return __class__
    try:
        class B(A, metaclass=lambda *a: 1 / 0):
            y = t
    except ZeroDivisionError:
        pass
    try:
        class C:
            y = t
            z = 1 / 0
    except ZeroDivisionError:
        pass
    return [t for _ in range(n)], {i: t for i in range(n)}, {id(t) for _ in range(n)}, \
        (lambda u: u)(t), A


def test_nested_code_is_lowered_into_the_callers_module():
    def f(xs, k):
        return {x: k for x in xs}, {x % k for x in xs}, [x for x in xs if x > k]
    before = dict(jit.opcode_coverage)
    g = jit.compile(f, fallback=False)
    for op in ("MAP_ADD", "SET_ADD", "COPY_FREE_VARS", "LIST_APPEND"):
        assert jit.opcode_coverage.get(op, 0) > before.get(op, 0), op
    assert g(range(5), 2) == f(range(5), 2)


def test_class_body_reads_enclosing_cells_compiled():
    def f(k):
        class K:
            a = k          # LOAD_CLASSDEREF: no class-local k
            j = 1
            b = j
        return K.a, K.b
    before = jit.opcode_coverage.get("LOAD_CLASSDEREF", 0)
    g = jit.compile(f, fallback=False)
    assert jit.opcode_coverage.get("LOAD_CLASSDEREF", 0) > before
    assert g(7) == f(7) == (7, 1)


def test_repeated_nested_runs_leak_nothing():
    g = jit.compile(make_things, fallback=False)
    t = Token()
    for _ in range(20):
        g(t, 3)
    gc.collect()
    before = sys.getrefcount(t)
    for _ in range(500):
        r = g(t, 3)
    del r
    gc.collect()
    assert sys.getrefcount(t) == before
