"""N-body gravity: bodies held in parallel lists of floats, leapfrog steps.

Only correctly rounded float operations (+ - * / and math.sqrt; not ** 0.5,
whose libm result may be an ulp off and differ between implementations), so
the result is exact to the bit although the orbits are chaotic.
"""
import math

GROUP = "numeric"
SIZES = {"quick": 6_000, "full": 80_000}
FUNCTIONS = ["make_bodies", "offset_momentum", "energy", "advance", "run"]

SOFTENING = 0.05  # keeps close encounters tame


def make_bodies(k):
    xs = [0.0] * k
    ys = [0.0] * k
    zs = [0.0] * k
    vx = [0.0] * k
    vy = [0.0] * k
    vz = [0.0] * k
    ms = [0.0] * k
    ms[0] = 40.0
    for i in range(1, k):
        r = 3.0 + 2.5 * i
        xs[i] = r * (1.0 if i % 2 == 0 else -1.0)
        ys[i] = 0.3 * i - 0.7
        zs[i] = 0.05 * (i % 3) - 0.05
        speed = math.sqrt(40.0 / r)
        vy[i] = speed * (1.0 if i % 2 == 0 else -1.0)
        vx[i] = 0.01 * i
        vz[i] = -0.002 * i
        ms[i] = 0.02 + 0.01 * i
    return xs, ys, zs, vx, vy, vz, ms


def offset_momentum(vx, vy, vz, ms):
    px = 0.0
    py = 0.0
    pz = 0.0
    for i in range(len(ms)):
        px += vx[i] * ms[i]
        py += vy[i] * ms[i]
        pz += vz[i] * ms[i]
    vx[0] = -px / ms[0]
    vy[0] = -py / ms[0]
    vz[0] = -pz / ms[0]


def energy(xs, ys, zs, vx, vy, vz, ms):
    e = 0.0
    k = len(ms)
    for i in range(k):
        e += 0.5 * ms[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i])
        for j in range(i + 1, k):
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            dz = zs[i] - zs[j]
            e -= ms[i] * ms[j] / math.sqrt(dx * dx + dy * dy + dz * dz + SOFTENING)
    return e


def advance(xs, ys, zs, vx, vy, vz, ms, dt, steps):
    k = len(ms)
    for _ in range(steps):
        for i in range(k):
            for j in range(i + 1, k):
                dx = xs[i] - xs[j]
                dy = ys[i] - ys[j]
                dz = zs[i] - zs[j]
                d2 = dx * dx + dy * dy + dz * dz + SOFTENING
                mag = dt / (d2 * math.sqrt(d2))
                mi = ms[i] * mag
                mj = ms[j] * mag
                vx[i] -= dx * mj
                vy[i] -= dy * mj
                vz[i] -= dz * mj
                vx[j] += dx * mi
                vy[j] += dy * mi
                vz[j] += dz * mi
        for i in range(k):
            xs[i] += dt * vx[i]
            ys[i] += dt * vy[i]
            zs[i] += dt * vz[i]


def run(n):
    xs, ys, zs, vx, vy, vz, ms = make_bodies(5)
    offset_momentum(vx, vy, vz, ms)
    e0 = energy(xs, ys, zs, vx, vy, vz, ms)
    advance(xs, ys, zs, vx, vy, vz, ms, 0.01, n)
    e1 = energy(xs, ys, zs, vx, vy, vz, ms)
    return e0, e1, xs[1], vy[2]
