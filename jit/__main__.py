"""python -m jit show FILE[:FUNCTION] [--stage bytecode|cfg|ssa|llvm|opt|asm]

Prints one stage of the pipeline for a function (or the module code) in FILE.
"""
from __future__ import annotations

import argparse
import sys
import types


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


def show(code, stage: str) -> str:
    from .cfg import build_cfg
    from .frontend import decode
    from .ssa import build_ssa
    if stage == "bytecode":
        return decode(code).listing()
    if stage == "cfg":
        return str(build_cfg(decode(code)))
    if stage == "ssa":
        return str(build_ssa(code)[0])
    from . import engine, pipeline
    native = pipeline.compile_code(code)
    if stage == "llvm":
        return native.llvm_ir
    if stage == "opt":
        return native.library.optimized_ir
    if stage == "asm":
        return engine.assembly(native.llvm_ir)
    raise SystemExit(f"unknown stage {stage!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m jit")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("show", help="print one stage of the pipeline")
    p.add_argument("target", help="FILE or FILE:FUNCTION (dotted for nested functions)")
    p.add_argument("--stage", default="ssa",
                   choices=["bytecode", "cfg", "ssa", "llvm", "opt", "asm"])
    args = parser.parse_args(argv)
    path, _, name = args.target.partition(":")
    print(show(_find_code(path, name or None), args.stage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
