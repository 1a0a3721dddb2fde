"""Comprehensions of every kind, nested, with conditions, closures and walrus."""
from .harness import case

SCALE = 3


@case((5,), (0,))
def list_comp(n):
    return [i * i for i in range(n)], [i for i in range(n) if i % 2], [i if i else -1 for i in range(n)]


@case((4,))
def set_comp(n):
    return {i % 3 for i in range(n)}, {c for c in "hello"}


@case((4,), (0,))
def dict_comp(n):
    return {i: i * i for i in range(n)}, {k: v for k, v in zip("abc", range(n))}, {i % 2: i for i in range(n)}


@case((5,))
def gen_exp(n):
    return sum(i for i in range(n)), list(x * 2 for x in range(n) if x != 2), tuple(i for i in "ab"), \
        max((i for i in range(n)), default=None), any(i > 3 for i in range(n))


@case((3,))
def nested_comprehensions(n):
    return ([[i * j for j in range(n)] for i in range(n)], [(i, j) for i in range(n) for j in range(i)],
            [x for row in [[1, 2], [3]] for x in row if x != 2], {i: {j for j in range(i)} for i in range(n)})


@case((3,))
def comp_uses_globals_and_closures(n):
    k = 10
    return [i * SCALE + k for i in range(n)], [(lambda: i)() for i in range(n)], \
        [f() for f in [lambda: i for i in range(n)]]


@case((5,))
def comp_walrus(n):
    total = 0
    vals = [total := total + i for i in range(n)]
    last = [y for x in range(n) if (y := x * 2) > 4]
    return vals, total, last, y


@case(())
def comp_scope_does_not_leak():
    x = "outer"
    r = [x for x in range(3)]
    return x, r


@case(([1, 0, 2],))
def comp_raises(xs):
    return [10 // x for x in xs]


@case((5,))
def comp_over_various_iterables(n):
    d = {"a": 1, "b": 2}
    return ([c for c in "xyz"], [k for k in d], [v for v in d.values()], [e for e in enumerate("ab")],
            [b for b in b"ab"], [i for i in range(n, 0, -2)], [x for x in {3}], [t for t in zip((1, 2), "ab")])


@case(())
def comp_in_class_body():
    class K:
        base = [1, 2, 3]
        doubled = [x * 2 for x in base]
        n = 2
        try:
            shifted = [x + n for x in base]
        except NameError as e:
            shifted = str(e)
    return K.doubled, K.shifted


@case((4,))
def comp_first_iterable_evaluated_in_enclosing_scope(n):
    xs = [[1, 2], [3]]
    return [[y + n for y in x] for x in xs], [x for x in range(n) for n in range(x)]


@case(())
def generator_expression_laziness():
    log = []

    def f(x):
        log.append(x)
        return x
    g = (f(x) for x in range(5))
    first = next(g)
    second = next(g)
    return first, second, log, list(g), log


@case((3,))
def comprehension_returns_functions(n):
    fs = [lambda x, i=i: x + i for i in range(n)]
    return [f(10) for f in fs]


@case(([[1, 2], [3, 4]],))
def matrix_ops(m):
    t = [[row[i] for row in m] for i in range(len(m[0]))]
    p = [[sum(a * b for a, b in zip(r, c)) for c in t] for r in m]
    return t, p


# Comprehensions (and functions made and called at once) run compiled, inside the
# caller's module: the same closure, globals, results, errors and tracebacks.
@case(([3, 0, 1],), ([],))
def comp_error_inside_nested_comprehension(xs):
    k = 6
    return [[k // x for _ in range(2)] for x in xs]


@case((4,))
def comp_closure_rebound_between_runs(n):
    k = 1
    first = [x + k for x in range(n)]
    k = 100
    second = {x: x * k for x in range(n)}
    return first, second, {x - k for x in range(n)}


@case((3,))
def immediately_called_lambdas(n):
    k = 5
    return (lambda a, b: a * b + k)(n, 2), (lambda: n)(), (lambda *a: a)(1, 2)


@case((6,))
def comp_numeric_body(n):
    total = 0
    for i in range(n):
        total += sum([j * j for j in range(i)])
    return total, [i / 2 for i in range(n)], {i: i ** 2 for i in range(n) if i & 1}


@case(())
def comp_function_code_swapped_while_iterating():
    import gc
    import types

    class Sneaky:
        def __iter__(self):
            for o in gc.get_objects():
                if isinstance(o, types.FunctionType) and o.__name__ == "<listcomp>" \
                        and o.__code__ is target:
                    o.__code__ = (lambda it: ["swapped", list(it)]).__code__
            return iter([1, 2])
    target = None
    for c in comp_function_code_swapped_while_iterating.__code__.co_consts:
        if isinstance(c, types.CodeType) and c.co_name == "<listcomp>":
            target = c
    return [x for x in Sneaky()]


@case((3,))
def comp_iterator_errors(n):
    out = []
    for bad in (None, 5, "ab"):
        try:
            out.append([x for x in bad])
        except TypeError as e:
            out.append(str(e))
    return out
