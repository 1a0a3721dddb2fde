"""Mixed int/float arithmetic: int counters, float accumulators, //, % on both."""

GROUP = "numeric"
SIZES = {"quick": 60_000, "full": 1_000_000}
FUNCTIONS = ["poly", "run"]


def poly(x):
    return ((0.5 * x - 1.25) * x + 3) * x - 7


def run(n):
    h = 1.0 / n
    area = 0.0
    ticks = 0
    wrapped = 0.0
    floors = 0
    for i in range(n):
        x = i * h
        y = poly(x)
        area += y * h
        if y > -6.5:
            ticks += 1
        k = i % 97
        wrapped += (x * 37.0) % 1.5 - k / 97
        floors += int((y * 100.0) // 3) + (i // 9) % 5
        if i % 1000 == 999:
            wrapped = wrapped / 2 + ticks % 3
    return area, ticks, wrapped, floors
