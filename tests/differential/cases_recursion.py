"""Recursion through module globals (the compiled function installed) and RecursionError."""
import sys

from .harness import case


@case((0,), (1,), (10,), (25,), install=True)
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


@case((0,), (1,), (15,), install=True)
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@case((2, 3), (1, 5), (0, 0), install=True)
def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


@case((10,), (7,), install=True)
def is_even(n):
    return True if n == 0 else is_odd(n - 1)


@case(([1, [2, [3, [4]], 5]],), ([],), install=True)
def flatten(xs):
    out = []
    for x in xs:
        if isinstance(x, list):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out


@case((5,), install=True)
def recursion_with_kwargs(n, acc=None, *, depth=0):
    acc = [] if acc is None else acc
    if n == 0:
        return acc, depth
    acc.append(n)
    return recursion_with_kwargs(n - 1, acc, depth=depth + 1)


@case((3,), (0,), install=True)
def recursion_raises_at_bottom(n):
    if n == 0:
        raise ValueError("bottom reached")
    return recursion_raises_at_bottom(n - 1)


@case((1,), install=True, exc_type_only=True)
def unbounded_recursion(n):
    return unbounded_recursion(n + 1) + 1


@case((1,), install=True, exc_type_only=True)
def unbounded_recursion_through_method(n):
    class R:
        def go(self, k):
            return unbounded_recursion_through_method(k)
    return R().go(n + 1)


@case((), install=True)
def recursion_error_is_catchable():
    def down(k):
        return down(k + 1)
    try:
        down(0)
    except RecursionError:
        return "caught"


@case((), exc_type_only=True)
def recursion_with_low_limit():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        def deep(k):
            return k if k == 0 else deep(k - 1) + 1
        return deep(10), deep(1000)
    finally:
        sys.setrecursionlimit(old)


@case((12,), install=True)
def hanoi(n, src="A", dst="C", via="B"):
    if n == 0:
        return 0
    return hanoi(n - 1, src, via, dst) + 1 + hanoi(n - 1, via, dst, src)


@case(([5, 3, 9, 1, 5, 6, 2],), ([],), install=True)
def quicksort(xs):
    if len(xs) <= 1:
        return xs
    pivot, *rest = xs
    return quicksort([x for x in rest if x < pivot]) + [pivot] + quicksort([x for x in rest if x >= pivot])
