"""Recursive Fibonacci: call overhead and small-integer arithmetic."""

GROUP = "numeric"
SIZES = {"quick": 27, "full": 32}
FUNCTIONS = ["fib", "run"]


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def run(n):
    return fib(n)
