"""Pancake flipping over all permutations of 0..n-1 (fannkuch-style)."""

GROUP = "numeric"
SIZES = {"quick": 8, "full": 9}
FUNCTIONS = ["count_flips", "run"]


def count_flips(perm, work):
    n = len(perm)
    for i in range(n):
        work[i] = perm[i]
    flips = 0
    first = work[0]
    while first != 0:
        lo = 0
        hi = first
        while lo < hi:
            t = work[lo]
            work[lo] = work[hi]
            work[hi] = t
            lo += 1
            hi -= 1
        flips += 1
        first = work[0]
    return flips


def run(n):
    perm = [0] * n
    for i in range(n):
        perm[i] = i
    work = [0] * n
    counts = [0] * n
    checksum = 0
    max_flips = 0
    index = 0
    while True:
        flips = count_flips(perm, work)
        if flips > max_flips:
            max_flips = flips
        if index % 2 == 0:
            checksum += flips
        else:
            checksum -= flips
        index += 1
        # Next permutation: rotate prefixes, counting rotations per level.
        r = 1
        while r < n:
            first = perm[0]
            for i in range(r):
                perm[i] = perm[i + 1]
            perm[r] = first
            counts[r] += 1
            if counts[r] <= r:
                break
            counts[r] = 0
            r += 1
        if r == n:
            break
    return checksum, max_flips, index
