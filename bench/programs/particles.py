"""Class-based particle simulation: attribute access and method calls."""

GROUP = "object"
SIZES = {"quick": 400, "full": 5_500}
FUNCTIONS = ["run", "Vec.__init__", "Vec.add", "Vec.scaled", "Vec.dot",
             "Particle.step", "Particle.bounce", "Particle.kinetic",
             "World.step", "World.energy"]
NUMBA = False


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def scaled(self, k):
        return Vec(self.x * k, self.y * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y


class Particle:
    def __init__(self, ident, pos, vel, mass):
        self.ident = ident
        self.pos = pos
        self.vel = vel
        self.mass = mass
        self.bounces = 0

    def step(self, dt, gravity):
        self.vel = self.vel.add(gravity.scaled(dt))
        self.pos = self.pos.add(self.vel.scaled(dt))

    def bounce(self, width, height):
        p, v = self.pos, self.vel
        if p.x < 0.0 or p.x > width:
            self.vel = Vec(-v.x * 0.9, v.y)
            self.pos = Vec(min(max(p.x, 0.0), width), p.y)
            self.bounces += 1
        if p.y < 0.0 or p.y > height:
            self.vel = Vec(self.vel.x, -self.vel.y * 0.9)
            self.pos = Vec(self.pos.x, min(max(p.y, 0.0), height))
            self.bounces += 1

    def kinetic(self):
        return 0.5 * self.mass * self.vel.dot(self.vel)


class World:
    def __init__(self, count, width, height):
        self.width = width
        self.height = height
        self.gravity = Vec(0.0, -9.81)
        self.particles = []
        seed = 7
        for i in range(count):
            seed = (seed * 48271) % 2147483647
            x = (seed % 1000) / 1000.0 * width
            seed = (seed * 48271) % 2147483647
            y = (seed % 1000) / 1000.0 * height
            seed = (seed * 48271) % 2147483647
            vx = (seed % 200 - 100) / 10.0
            self.particles.append(Particle(i, Vec(x, y), Vec(vx, 0.0), 1.0 + i % 3))

    def step(self, dt):
        for p in self.particles:
            p.step(dt, self.gravity)
            p.bounce(self.width, self.height)

    def energy(self):
        total = 0.0
        for p in self.particles:
            total += p.kinetic() + p.mass * 9.81 * p.pos.y
        return total


def run(n):
    world = World(100, 50.0, 30.0)
    for _ in range(n):
        world.step(0.01)
    bounces = 0
    for p in world.particles:
        bounces += p.bounces
    return world.energy(), bounces, world.particles[3].pos.x
