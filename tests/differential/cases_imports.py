"""import / from-import inside functions: absolute, dotted, as, relative, errors."""
from .harness import case


@case(())
def import_simple():
    import math
    import os.path
    import os.path as osp
    import collections.abc
    return math.floor(2.7), os.path.basename("/a/b.txt"), osp.splitext("x.py"), \
        collections.abc.Sequence.__name__, math.__name__, osp.__name__ == os.path.__name__


@case(())
def from_import():
    from math import sqrt, pi as PI
    from collections import OrderedDict, namedtuple as nt
    from os import path
    return sqrt(16), round(PI, 3), OrderedDict.__name__, nt("P", "a")(1), path.join("a", "b")


@case(())
def relative_imports():
    from . import _helpermod
    from ._helpermod import public, CONST as C2
    from .harness import C as call_maker
    return _helpermod.CONST, public(1), C2, call_maker(1).args, _helpermod.__name__


@case(())
def import_missing_module():
    import nonexistent_module_for_jit_tests  # noqa: F401


@case(())
def import_missing_name():
    from math import no_such_function  # noqa: F401


@case(())
def import_missing_name_relative():
    from ._helpermod import nothing_here  # noqa: F401


@case(())
def import_missing_submodule():
    import os.nonexistent_sub  # noqa: F401


@case(())
def import_errors_caught():
    out = []
    try:
        import nonexistent_module_xyz_2  # noqa: F401
    except ModuleNotFoundError as e:
        out.append((type(e).__name__, str(e), e.name))
    try:
        from json import nope  # noqa: F401
    except ImportError as e:
        out.append((type(e).__name__, e.name))
    return out


@case(())
def import_is_cached_and_same_object():
    import json
    import json as j2
    import sys
    return json is j2, sys.modules["json"] is json


@case(())
def import_dunder_import_and_importlib():
    import importlib
    m = __import__("string")
    m2 = importlib.import_module("string")
    sub = __import__("os.path", fromlist=["join"])
    return m is m2, m.ascii_lowercase[:3], sub.join("x", "y")


@case(())
def import_binds_locals_only():
    import textwrap
    return "textwrap" in globals(), textwrap.dedent("  a\n  b")


@case(())
def from_import_attribute_of_package():
    from xml.etree import ElementTree
    from xml.etree.ElementTree import Element
    import xml.etree.ElementTree as ET
    return ElementTree is ET, Element("x").tag


@case((3,))
def conditional_import(x):
    if x > 2:
        import fractions
        return fractions.Fraction(x, 6)
    import decimal
    return decimal.Decimal(x)
