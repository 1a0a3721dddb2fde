"""Exception-heavy control flow: parse, validate, retry, finally, raise from."""

GROUP = "object"
SIZES = {"quick": 36_000, "full": 500_000}
FUNCTIONS = ["parse_token", "checked_div", "process", "run"]
NUMBA = False


class ParseError(ValueError):
    pass


class RangeError(ArithmeticError):
    def __init__(self, value, limit):
        super().__init__(f"{value} out of range {limit}")
        self.value = value


def parse_token(tok):
    if not tok:
        raise ParseError("empty token")
    if tok[0] == "-":
        return -parse_token(tok[1:])
    if not tok.isdigit():
        raise ParseError("bad token " + tok)
    return int(tok)


def checked_div(a, b, limit):
    try:
        q = a // b
    except ZeroDivisionError:
        return 0
    if q > limit or q < -limit:
        raise RangeError(q, limit)
    return q


def process(tokens, limit):
    ok = 0
    errors = 0
    cleanups = 0
    acc = 0
    for i, tok in enumerate(tokens):
        try:
            try:
                v = parse_token(tok)
            except ParseError as exc:
                raise KeyError(tok) from exc
            acc += checked_div(v * 1000, i % 13 - 6, limit)
        except KeyError:
            errors += 1
        except RangeError as exc:
            errors += 2
            acc += exc.value % 7
        else:
            ok += 1
        finally:
            cleanups += 1
    return ok, errors, cleanups, acc


def run(n):
    pool = ["12", "-7", "x1", "", "300", "-", "42", "9999", "-80", "5y"]
    tokens = []
    seed = 5
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        tokens.append(pool[(seed >> 16) % len(pool)])
    attempts = 0
    while True:
        attempts += 1
        try:
            if attempts < 3:
                raise TimeoutError("try again")
            result = process(tokens, 250_000)
            break
        except TimeoutError:
            continue
    return result + (attempts,)
