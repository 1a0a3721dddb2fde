"""A small module imported by the import cases (absolute, relative, star)."""
__all__ = ["public", "CONST", "Thing"]

CONST = 42
_private = "hidden"
not_exported = "not in __all__"


def public(x):
    return ("public", x)


class Thing:
    def __init__(self, v=0):
        self.v = v

    def __repr__(self):
        return f"Thing({self.v})"
