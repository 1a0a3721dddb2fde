"""Collatz sequences: the longest chain among starting values below n."""

GROUP = "numeric"
SIZES = {"quick": 8_000, "full": 80_000}
FUNCTIONS = ["chain_length", "run"]


def chain_length(x):
    steps = 1
    while x != 1:
        if x % 2 == 0:
            x = x // 2
        else:
            x = 3 * x + 1
        steps += 1
    return steps


def run(n):
    best = 1
    best_len = 1
    total = 0
    for start in range(1, n):
        length = chain_length(start)
        total += length
        if length > best_len:
            best = start
            best_len = length
    return best, best_len, total
