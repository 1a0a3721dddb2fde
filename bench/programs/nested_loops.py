"""Nested loops with break and continue: searching pairs and triples."""

GROUP = "numeric"
SIZES = {"quick": 560, "full": 2_000}
FUNCTIONS = ["run"]


def run(n):
    pairs = 0
    triples = 0
    checksum = 0
    limit = n * n // 3
    for a in range(1, n):
        if a % 4 == 0:
            continue
        for b in range(a + 1, n):
            p = a * b
            if p > limit:
                break
            if (a + b) % 5 == 0:
                continue
            if p % 7 == 3:
                pairs += 1
                checksum = (checksum * 17 + p) % 1_000_003
            c = b + 1
            while c < n:
                s = a + b + c
                if s % 11 == 0:
                    triples += 1
                    break
                if s > 2 * n:
                    break
                c += 3
    return pairs, triples, checksum
