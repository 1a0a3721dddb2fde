"""python -m jit show FILE[:FUNCTION] [--stage bytecode|cfg|ssa|spec|llvm|opt|asm]
                                     [--args "(1, 2.0)"]

Prints one stage of the pipeline for a function (or the module code) in FILE.
With --args (a Python expression for a tuple of argument values), ``spec``,
``llvm``, ``opt`` and ``asm`` show the version specialised for those
arguments' types.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import argparse
import sys
import types


def _imports(path: str) -> dict:
    """What the top-level import statements of the module in ``path`` bind (only
    those run: the module itself is not)."""
    import ast
    with open(path) as fh:
        tree = ast.parse(fh.read(), path)
    names: dict = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            try:
                exec(compile(ast.Module([node], []), path, "exec"), names)
            except Exception:       # (an import that fails here is simply left out)
                pass
    names.pop("__builtins__", None)
    return names


def _find_code(path: str, name: str | None):
    with open(path) as fh:
        src = fh.read()
    code = compile(src, path, "exec")
    if not name:
        return code
    for part in name.split("."):
        for const in code.co_consts:
            if isinstance(const, types.CodeType) and const.co_name == part:
                code = const
                break
        else:
            raise SystemExit(f"no function {name!r} in {path}")
    return code


def show(code, stage: str, args: tuple | None = None, imports: dict | None = None) -> str:
    """Stage ``stage`` of ``code`` as text; specialised for ``args``' types when given,
    with the globals ``imports`` (what the module's imports bind: the specialiser
    reads what ``math.sqrt`` or ``sqrt`` is bound to)."""
    from .cfg import build_cfg
    from .frontend import decode
    from .borrow import borrow
    from .fuse import fuse_swaps
    from .hoist import guard_arms, hoist_guards, hoist_invariants
    from .specialize import arg_type, specialize
    from .ssa import build_ssa
    if stage == "bytecode":
        return decode(code).listing()
    if stage == "cfg":
        return str(build_cfg(decode(code)))
    if stage == "ssa":
        return str(build_ssa(code)[0])
    spec = function = None
    if args is not None:
        from .dispatch import Dispatcher, Specialization
        function = types.FunctionType(code, dict(imports or {}, __builtins__=__builtins__))
        spec = Specialization(Dispatcher(function, code), tuple(map(type, args)),
                              [arg_type(a) for a in args], frozenset(), 0)
    if stage == "spec":
        fn = build_ssa(code)[0]
        specialize(fn, [arg_type(a) for a in args or ()], frozenset(), spec)
        borrow(fn)
        fuse_swaps(fn)
        guard_arms(fn)
        hoist_guards(fn)
        hoist_invariants(fn)
        return str(fn)
    from . import engine, pipeline
    if args is not None:
        native = pipeline.compile_specialized(code, function, spec)
        if native is None:
            raise SystemExit("nothing to specialise for these argument types")
    else:
        native = pipeline.compile_code(code)
    if stage == "llvm":
        return native.llvm_ir
    if stage == "opt":
        return native.library.optimized_ir
    if stage == "asm":
        return engine.assembly(native.llvm_ir, 2 if args is not None else 1)
    raise SystemExit(f"unknown stage {stage!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m jit")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("show", help="print one stage of the pipeline")
    p.add_argument("target", help="FILE or FILE:FUNCTION (dotted for nested functions)")
    p.add_argument("--stage", default="ssa",
                   choices=["bytecode", "cfg", "ssa", "spec", "llvm", "opt", "asm"])
    p.add_argument("--args", default=None,
                   help="argument values to specialise for, e.g. \"(10, 2.5)\"")
    args = parser.parse_args(argv)
    path, _, name = args.target.partition(":")
    values = None
    if args.args is not None:
        values = eval(args.args, {})
        values = values if isinstance(values, tuple) else (values,)
    imports = _imports(path) if values is not None and path.endswith(".py") else None
    print(show(_find_code(path, name or None), args.stage, values, imports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
