"""Closures (with nonlocal state) and list/dict/set comprehensions."""

GROUP = "object"
SIZES = {"quick": 12_000, "full": 200_000}
FUNCTIONS = ["make_counter", "make_affine", "compose", "run"]
NUMBA = False


def make_counter(step):
    count = 0

    def tick():
        nonlocal count
        count += step
        return count

    return tick


def make_affine(a, b):
    def f(x):
        return a * x + b
    return f


def compose(f, g):
    return lambda x: f(g(x))


def run(n):
    tick = make_counter(3)
    fs = [make_affine(k % 5 + 1, k % 7) for k in range(10)]
    total = 0
    for i in range(n):
        h = compose(fs[i % 10], fs[(i * 3) % 10])
        total += h(i) % 1000 + tick()
        squares = [j * j for j in range(i % 16)]
        table = {j: s % 7 for j, s in enumerate(squares)}
        odd = {s for s in squares if s % 2}
        total += sum(table.values()) + len(odd)
        total += sum(x for x in squares if x > 20)
    nested = [[r * c for c in range(6)] for r in range(6)]
    flat = [v for row in nested for v in row if v % 3 != 0]
    return total, tick(), sum(flat), len(flat)
