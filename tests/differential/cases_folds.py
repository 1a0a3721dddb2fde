"""sum / any / all of a generator expression, which compiled code folds into one loop
(jit.frontend.fold311): values, types, short-circuiting, side effects, what is
raised where (the consumer's own errors carry no <genexpr> traceback entry, a
StopIteration out of the body becomes RuntimeError), and the builtins rebound."""
import builtins

from .harness import case


class Loud:
    """A number that reports its additions and truth tests."""

    def __init__(self, v):
        self.v = v

    def __add__(self, other):
        print("add", self.v, other)
        return Loud(self.v + (other.v if isinstance(other, Loud) else other))

    def __radd__(self, other):
        print("radd", other, self.v)
        return Loud(other + self.v)

    def __bool__(self):
        print("bool", self.v)
        return bool(self.v)

    def __repr__(self):
        return f"Loud({self.v!r})"


class BadBool:
    def __bool__(self):
        raise ValueError("no truth here")


class StopAdd:
    def __radd__(self, other):
        raise StopIteration("from radd")


@case(([1, 2, 3],), ([],), ([1.5, -0.0],), ([-0.0],), ([True, True, 2],), ([2 ** 62, 2 ** 62, 1],),
      ([1, 2.5, 3],), ([2.5, 1],), ([float("nan"), 1.0],), ([float("inf"), -float("inf")],),
      ([2 ** 100, -2 ** 100, 3],), ([0.1] * 10,))
def sum_values(xs):
    s = sum(x for x in xs)
    return s, type(s).__name__, repr(s)


@case(([1, 2, 3, 4, 5, 6], 2), ([], 3), ([1.5, 2.5, 3.5], 1), ([7, 8, 9], 0))
def sum_with_filter_and_closure(xs, k):
    return sum(x * k for x in xs if x % 2 == 1), sum(k for _ in xs), sum(x / 2 for x in xs if x > k)


@case(([[1, 2], [3], []],), ([],), ([[1.5], [2, 3]],))
def sum_nested_loops(rows):
    return sum(v * i for i, row in enumerate(rows) for v in row), \
        sum(1 for row in rows for _ in row for _ in range(2))


@case(([1, 2, 3],), (["a", "b"],), ([[1], [2]],), ([Loud(1), Loud(2)],), ([1, Loud(2)],))
def sum_objects_and_errors(xs):
    # 0 + "a" fails in sum itself: no <genexpr> entry in the traceback
    return sum(x for x in xs)


@case(([1, 0, 2],), ([1, 2],))
def sum_body_raises(xs):
    # raised in the generator expression: its frame is in the traceback
    return sum(10 // x for x in xs)


@case(([1, 2],), ([],))
def sum_body_raises_stopiteration(xs):
    return sum(next(iter(())) for x in xs)


@case(([1, 2],),)
def sum_step_raises_stopiteration(xs):
    # raised by the consumer's addition: StopIteration, as it is, out of sum
    return sum(StopAdd() for x in xs)


@case(([0, 0, 3, 4],), ([],), ([0, 0],), ([0.0, -0.0, float("nan")],), ([None, "", "x"],))
def any_all_values(xs):
    return any(x for x in xs), all(x for x in xs), any(x > 2 for x in xs if x is not None and
                                                         not isinstance(x, str)), \
        all(x == x for x in xs)


@case(([1, 5, 2, 7, 3],), ([1, 2],))
def any_all_stop_early(xs):
    # the first deciding item stops the loop: what is left of the iterator stays
    it = iter(xs)
    found = any(x > 4 for x in it)
    rest = list(it)
    it2 = iter(xs)
    every = all(x < 6 for x in it2)
    return found, rest, every, list(it2)


@case(([Loud(0), Loud(3), Loud(4)],), ([Loud(0)],))
def any_all_side_effects(xs):
    def seen(x):
        print("seen", x)
        return x
    return any(seen(x) for x in xs), all(seen(x) for x in xs)


@case(([1, BadBool()],), ([0, BadBool()],))
def any_truth_raises(xs):
    # the truth test is any's own: no <genexpr> entry
    return any(x for x in xs)


@case(([1, 2, 3],), ([5],))
def all_body_raises(xs):
    return all(x / (x - 2) for x in xs)


@case(([3, 1, 4],), ([],))
def walrus_in_folds(xs):
    last = None
    found = any((last := x) > 2 for x in xs)
    return found, last, sum((y := x * 2) for x in xs), (y if xs else None)


@case(([1, 2, 3],), (range(5),), ({"a": 1, "b": 2},), ("abc",))
def folds_over_iterables(xs):
    return sum(1 for _ in xs), any(x == 2 for x in xs), all(x for x in xs)


def _my_sum(g):
    print("my sum got", type(g).__name__)
    return builtins.sum(g) * 100


def _rebind_sum():
    globals()["sum"] = _my_sum


def _unbind_sum():
    globals().pop("sum", None)


@case(([1, 2, 3],), ([],), resets=_unbind_sum, globals=("sum",))
def sum_rebound_between_calls(xs):
    global sum
    first = sum(x for x in xs)
    sum = _my_sum  # noqa: A001
    second = sum(x for x in xs)
    del sum
    return first, second, sum(x for x in xs)


@case((5,), (0,))
def folds_in_a_loop(n):
    out = []
    for i in range(n):
        row = [j * i for j in range(i + 1)]
        out.append((sum(v for v in row if v % 2 == 0), any(v > 6 for v in row),
                    all(v >= 0 for v in row)))
    return out


@case(([3, 1, 4, 1, 5],), ([],), ([2.5, -1.0, float("nan"), 7.0],), ([float("nan"), 1.0],),
      ([1, 2.5, True],), (["b", "a", "c"],), ([-0.0, 0.0],), ([0.0, -0.0],), ([2 ** 70, 3],))
def min_max_values(xs):
    out = []
    for f in (min, max):
        try:
            out.append(repr(f(x for x in xs)))
        except ValueError as e:
            out.append(str(e))
    return out, repr(min(x * 2 for x in xs if x == x)) if any(x == x for x in xs) else None


@case(([3, 1, 4],), ([],), ([1, "a"],))
def min_max_raise(xs):
    # an empty sequence / a failed comparison: raised by min/max themselves
    return max(x for x in xs), min(-x for x in xs)


@case(([Loud(3), Loud(1)],),)
def min_max_items_are_the_objects(xs):
    # the item itself comes back (no copy), and equal items keep the first
    class Key:
        def __init__(self, k, tag):
            self.k, self.tag = k, tag

        def __lt__(self, other):
            return self.k < other.k

        def __gt__(self, other):
            return self.k > other.k
    keys = [Key(1, "a"), Key(0, "b"), Key(1, "c"), Key(0, "d")]
    best = max(k for k in keys)
    least = min(k for k in keys)
    return best.tag, least.tag, max(x for x in xs) is xs[0], min(x.v for x in xs)


@case(([3, 1, 2],), ([],), ([1.5, -0.0, 0.0, float("nan")],), ([True, 1, 1.0],), ("bca",))
def collect_values(xs):
    return list(x for x in xs), tuple(x for x in xs), set(x for x in xs), \
        frozenset(x for x in xs), sorted(x for x in xs if x == x)


@case(([3, 1, 2], 2), ([], 0), ([[1], [2]], 1))
def collect_errors(xs, k):
    out = []
    for make in (list, tuple, set, frozenset, sorted):
        try:
            r = make(x * k for x in xs)
            out.append((type(r).__name__, sorted(r) if make is not list else r))
        except TypeError as e:
            out.append(str(e))
    return out


@case(([[1], [2]],), ([1, "a"],))
def collect_step_raises(xs):
    # set's hashing and sorted's comparisons are the builtins' own: no <genexpr> entry
    try:
        s = set(x for x in xs)
    except TypeError:
        s = None
    return s, sorted(x for x in xs)


@case(([1, 0, 2],), ([4],))
def collect_body_raises(xs):
    return tuple(8 // x for x in xs)


@case(([Loud(2), Loud(0)],),)
def collect_side_effects(xs):
    def seen(x):
        print("seen", x)
        return x
    return list(seen(x) for x in xs), tuple(bool(x) for x in xs)


@case((30,), (400,), (30,), install=True, exc_type_only=True)
def fold_recursion_all(n):
    # all() counts a level of recursion as the C call it is (sum does not): the
    # RecursionError comes at the interpreter's depth (three levels a step here:
    # 400 steps are past a limit of 1000, which two a step would not be). Which
    # check raises it (its message) can differ, as README says of native calls
    if n == 0:
        return True
    return all(fold_recursion_all(n - 1) for x in [1])


@case((30,), (400,), (30,), install=True, exc_type_only=True)
def fold_recursion_max(n):
    if n == 0:
        return 0
    return max(fold_recursion_max(n - 1) + x for x in [1])


@case((30,), (400,), (600,), (30,), install=True, exc_type_only=True)
def fold_recursion_sum(n):
    if n == 0:
        return 0
    return sum(fold_recursion_sum(n - 1) + x for x in [1])


@case(([1, 2],), ([],))
def folds_reading_their_frame(xs):
    # generator expressions that read their frame stay generators (their locals)
    return max((sorted(locals()) for x in xs), default=None), sum(len(dir()) for x in xs)
