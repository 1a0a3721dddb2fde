"""A generator pipeline: produce, filter, transform, window, yield from."""

GROUP = "object"
SIZES = {"quick": 80_000, "full": 1_000_000}
FUNCTIONS = ["numbers", "keep", "transform", "pairs", "chain", "take", "run"]
NUMBA = False


def numbers(n, seed):
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        yield seed % 10_000


def keep(items, modulus):
    for x in items:
        if x % modulus != 0:
            yield x


def transform(items):
    for x in items:
        yield x * x % 9973 - 4000


def pairs(items):
    it = iter(items)
    prev = next(it, None)
    for x in it:
        yield prev, x
        prev = x


def chain(*sources):
    for src in sources:
        yield from src


def take(items, k):
    for i, x in enumerate(items):
        if i >= k:
            return
        yield x


def run(n):
    total = 0
    rising = 0
    for a, b in pairs(transform(keep(numbers(n, 1), 3))):
        total += a - b // 2
        if b > a:
            rising += 1
    mixed = chain(take(numbers(n, 2), n // 4), keep(range(n // 2), 7), (i * 3 for i in range(100)))
    count = 0
    acc = 0
    for x in mixed:
        count += 1
        acc = (acc * 7 + x) % 1_000_003
    head = list(take(transform(numbers(n, 3)), 5))
    return total, rising, count, acc, head
