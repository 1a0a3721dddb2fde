"""Sorting lists of records with key functions, stable multi-key sorts."""

GROUP = "object"
SIZES = {"quick": 14_000, "full": 180_000}
FUNCTIONS = ["make_records", "by_score", "name_key", "run"]
NUMBA = False  # numba spends ~10 s failing to type sorted(key=...)


def make_records(n):
    firsts = ["ada", "bo", "cy", "dee", "eli", "fay", "gus", "hal", "ivy", "jo"]
    lasts = ["stone", "river", "marsh", "field", "brook", "hill", "wood"]
    records = []
    seed = 99
    for i in range(n):
        seed = (seed * 69069 + 1) % 4294967296
        name = firsts[seed % 10] + " " + lasts[(seed >> 8) % 7]
        age = 18 + (seed >> 12) % 60
        score = ((seed >> 5) % 10_000) / 100.0
        records.append((name, age, score, i))
    return records


def by_score(record):
    return record[2]


def name_key(record):
    first, last = record[0].split(" ")
    return (last, first)


def run(n):
    records = make_records(n)
    total = 0
    a = sorted(records, key=by_score)
    total += a[0][3] + a[-1][3] * 3
    b = sorted(records, key=name_key)
    total += b[n // 2][3]
    c = sorted(records, key=lambda r: (r[1], -r[2]), reverse=True)
    total += c[0][3] + c[n // 3][3]
    d = list(records)
    d.sort(key=by_score)
    d.sort(key=lambda r: r[1])  # stable: ties keep score order
    checksum = 0
    for k in range(0, n, 7):
        checksum = (checksum * 31 + d[k][3]) % 1_000_000_007
    names = sorted(sorted({r[0] for r in records}), key=len)
    words = sorted([r[0] for r in records[:500]], key=str.upper)
    return total, checksum, names[0], names[-1], words[0], words[-1]
