"""Integer loop arithmetic: a multiply/xor-shift hash stirred over a range."""

GROUP = "numeric"
SIZES = {"quick": 150_000, "full": 2_500_000}
FUNCTIONS = ["run"]


def run(n):
    mask = 0xFFFFFFFF
    h = 2166136261
    acc = 0
    for i in range(n):
        h = ((h ^ (i & 0xFF)) * 16777619) & mask
        h ^= h >> 13
        acc += (h % 1000) - (i % 7) * 3
        if acc > 1_000_000_000:
            acc -= 999_999_937
    return acc * 31 + h
