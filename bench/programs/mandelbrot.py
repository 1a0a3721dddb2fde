"""Mandelbrot set: escape-time iteration over an n x n grid of points."""

GROUP = "numeric"
SIZES = {"quick": 140, "full": 500}
FUNCTIONS = ["escape", "run"]


def escape(cr, ci, limit):
    zr = 0.0
    zi = 0.0
    for k in range(limit):
        zr2 = zr * zr
        zi2 = zi * zi
        if zr2 + zi2 > 4.0:
            return k
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
    return limit


def run(n):
    limit = 60
    total = 0
    inside = 0
    weighted = 0
    for y in range(n):
        ci = -1.25 + 2.5 * y / n
        for x in range(n):
            cr = -2.1 + 2.8 * x / n
            k = escape(cr, ci, limit)
            total += k
            if k == limit:
                inside += 1
            weighted = (weighted * 31 + k) % 1_000_000_007
    return total, inside, weighted
