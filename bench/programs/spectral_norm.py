"""Spectral norm of an infinite matrix by power iteration on lists of floats."""

GROUP = "numeric"
SIZES = {"quick": 70, "full": 260}
FUNCTIONS = ["entry", "times", "times_transposed", "times_ata", "run"]


def entry(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)


def times(v, out):
    n = len(v)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += entry(i, j) * v[j]
        out[i] = acc


def times_transposed(v, out):
    n = len(v)
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += entry(j, i) * v[j]
        out[i] = acc


def times_ata(v, out, tmp):
    times(v, tmp)
    times_transposed(tmp, out)


def run(n):
    u = [1.0] * n
    v = [0.0] * n
    tmp = [0.0] * n
    for _ in range(10):
        times_ata(u, v, tmp)
        times_ata(v, u, tmp)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return (vbv / vv) ** 0.5
