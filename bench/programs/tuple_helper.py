"""A helper returning tuples, called in a loop: extended Euclid and friends."""

GROUP = "numeric"
SIZES = {"quick": 24_000, "full": 300_000}
FUNCTIONS = ["egcd", "min_max", "run"]


def egcd(a, b):
    x0, y0, x1, y1 = 1, 0, 0, 1
    while b != 0:
        q = a // b
        a, b = b, a - q * b
        x0, x1 = x1, x0 - q * x1
        y0, y1 = y1, y0 - q * y1
    return a, x0, y0


def min_max(a, b):
    if a < b:
        return a, b
    return b, a


def run(n):
    gsum = 0
    xsum = 0
    coprime = 0
    lo_sum = 0
    seed = 12345
    for i in range(1, n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        a = seed % 100_000 + 1
        lo, hi = min_max(a, i * 7 + 3)
        g, x, y = egcd(hi, lo)
        if g == 1:
            coprime += 1
        gsum += g
        xsum += x * 3 - y
        lo_sum += lo
    return gsum, xsum, coprime, lo_sum
