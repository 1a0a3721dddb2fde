"""Sieve of Eratosthenes over a list of bools, then prime gaps."""

GROUP = "numeric"
SIZES = {"quick": 500_000, "full": 6_000_000}
FUNCTIONS = ["sieve", "run"]


def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = False
        i += 1
    return flags


def run(n):
    flags = sieve(n)
    count = 0
    total = 0
    last = 2
    widest = 0
    for p in range(2, n + 1):
        if flags[p]:
            count += 1
            total += p
            if p - last > widest:
                widest = p - last
            last = p
    return count, total, widest
