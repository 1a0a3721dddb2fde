"""if/elif/else, for/while with break/continue/else, loop edge cases, early returns."""
from .harness import case


@case((-5,), (0,), (3,), (10,), (100,), (2.5,), (float("nan"),))
def if_elif(x):
    if x < 0:
        return "neg"
    elif x == 0:
        return "zero"
    elif x < 5:
        r = "small"
    elif x < 50:
        r = "medium"
    else:
        r = "large"
    return r


@case((0,), (1,), (2,))
def nested_if(x):
    if x:
        if x > 1:
            a = "big"
        else:
            a = "one"
    else:
        if not x:
            a = "zero"
    return a


@case((10,), (0,), (1,))
def while_loop(n):
    i = 0
    total = 0
    while i < n:
        total += i
        i += 1
    return total, i


@case((10, 3), (10, 20), (0, 0))
def while_else_break(n, stop):
    i = 0
    while i < n:
        if i == stop:
            break
        i += 1
    else:
        return "no break", i
    return "break", i


@case(([1, 2, 3], 2), ([1, 2, 3], 5), ([], 0))
def for_else(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            found = i
            break
    else:
        found = None
    return found


@case((10,),)
def continue_in_loops(n):
    evens = []
    for i in range(n):
        if i % 2:
            continue
        evens.append(i)
    j = 0
    odds = []
    while j < n:
        j += 1
        if j % 2 == 0:
            continue
        odds.append(j)
    return evens, odds


@case((4,), (0,))
def nested_loops_break(n):
    pairs = []
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            if (i + j) % 3 == 0:
                continue
            pairs.append((i, j))
        else:
            pairs.append("inner-else")
    return pairs


@case((5,), (50,))
def while_true_break(n):
    x = 1
    steps = 0
    while True:
        x = x * 2
        steps += 1
        if x > n:
            break
    return x, steps


@case((27,), (1,), (97,))
def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


class Node:
    def __init__(self, v, nxt=None):
        self.v = v
        self.next = nxt


@case((Node(1, Node(2, Node(3))),), (None,))
def while_is_not_none(node):
    out = []
    while node is not None:
        out.append(node.v)
        node = node.next
    return out


@case((Node(1, Node(2)),), (None,))
def while_is_none_variants(node):
    count = 0
    cur = node
    while cur:
        count += 1
        cur = cur.next
    x = None
    n = 0
    while x is None:
        n += 1
        if n > 3:
            x = n
    return count, x


@case(([3, 1, 4, 1, 5, 9, 2, 6],), ([],), ([1],))
def bubble_sort(xs):
    xs = list(xs)
    n = len(xs)
    for i in range(n):
        swapped = False
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
                swapped = True
        if not swapped:
            break
    return xs


@case((30,), (2,), (1,))
def primes(n):
    out = []
    for k in range(2, n):
        for d in range(2, int(k ** 0.5) + 1):
            if k % d == 0:
                break
        else:
            out.append(k)
    return out


@case((5,), (-1,))
def return_from_loop(n):
    for i in range(10):
        if i == n:
            return "found", i
    while n < 0:
        return "negative"
    return "none"


@case((range(5),), ("abc",), ({"a": 1, "b": 2},), ({3, 1, 2},), (iter([1, 2]),), ((),),
      (b"ab",), (5,), (None,))
def iterate_various(it):
    out = []
    for x in it:
        out.append(x)
    return out


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n


class OldIter:
    def __getitem__(self, i):
        if i >= 3:
            raise IndexError
        return i * i


class BadNext:
    def __iter__(self):
        return self

    def __next__(self):
        raise ValueError("next failed")


class IterReturnsNonIterator:
    def __iter__(self):
        return 5


@case((Countdown(3),), (OldIter(),), (BadNext(),), (IterReturnsNonIterator(),))
def iterate_protocols(it):
    out = []
    for x in it:
        out.append(x)
    return out


@case(({"a": 1, "b": 2},), ([1, 2, 3],))
def mutate_during_iteration(c):
    n = 0
    for k in c:
        n += 1
        if isinstance(c, dict):
            c[k + "x"] = 1
        elif n < 5:
            c.append(n)
    return n, c


@case((10,))
def range_forms(n):
    return (list(range(n)), list(range(2, n)), list(range(n, 0, -3)), list(range(-n, -2, 4)),
            list(range(0)), list(range(5, 1)), len(range(0, n, 3)), range(n)[2:5], 3 in range(n))


@case((0,), (3,))
def range_errors(step):
    return list(range(0, 10, step))


@case((4,))
def loop_variable_after_loop(n):
    for i in range(n):
        pass
    for j in []:
        pass
    try:
        return i, j
    except UnboundLocalError as e:
        return i, str(e)


@case((3,))
def loop_with_else_and_continue(n):
    log = []
    for i in range(n):
        try:
            if i == 1:
                continue
            log.append(i)
        finally:
            log.append("f")
    else:
        log.append("else")
    return log


@case(([1, 2, 3],))
def enumerate_zip_reversed(xs):
    out = []
    for i, (a, b) in enumerate(zip(xs, reversed(xs)), 1):
        out.append((i, a, b))
    for a, b in zip(xs, "ab"):
        out.append(a)
    return out


@case((20,))
def deeply_nested_control(n):
    out = []
    i = 0
    while i < n:
        i += 1
        if i % 2 == 0:
            for j in range(i):
                if j == 3:
                    break
                elif j == 1:
                    continue
                else:
                    while j < 2:
                        j += 1
                        if j == 2:
                            out.append((i, "w"))
        elif i % 5 == 0:
            continue
        else:
            out.append(i)
    return out


@case((0,), (1,), (2,))
def pass_and_ellipsis(x):
    if x == 0:
        pass
    elif x == 1:
        ...
    else:
        "docstring-like expression"
    return x


@case((5,))
def augmented_in_loop_with_containers(n):
    d = {}
    lst = [0] * n
    for i in range(n * 3):
        d[i % n] = d.get(i % n, 0) + i
        lst[i % n] += 1
    return d, lst


@case((1000,),)
def long_loop(n):
    s = 0
    i = 0
    while i < n:
        if i & 1:
            s += i
        else:
            s -= i // 2
        i += 1
    return s


@case((3, 4), (0, 4))
def loop_early_exit_flag(a, b):
    done = False
    for i in range(a):
        for j in range(b):
            if i * j == 2:
                done = True
                break
        if done:
            break
    return done, i if a else None
