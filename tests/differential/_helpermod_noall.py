"""Imported with ``from ... import *``: no __all__, so private names are skipped."""
import math as _math

alpha = 1
beta = [2]
_gamma = 3


def delta():
    return _math.floor(2.5)
