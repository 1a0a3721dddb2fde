"""Unit tests per pipeline stage, on their printed forms."""
import dis
import subprocess
import sys

import pytest

from jit import ir
from jit.cfg import build_cfg
from jit.errors import CompileError
from jit.frontend import decode
from jit.ssa import build_ssa


def sample(a, b=2, *args, key=None, **kw):
    x = [i * i for i in range(a) if i % 2]
    try:
        y = x[b]
    except IndexError:
        y = None
    for q in range(10):
        if q > 5:
            break
    print(len(x), key=kw)
    return y


def test_decode_matches_dis_offsets_and_targets():
    bc = decode(sample.__code__)
    real = [i for i in dis.get_instructions(sample) if i.opname not in ("CACHE",)]
    assert [i.offset for i in bc.instrs] == [i.offset for i in real]
    for d in real:
        ins = next(i for i in bc.instrs if i.offset == d.offset)
        assert ins.opname == d.opname
        if d.opcode in dis.hasjrel:
            assert ins.target == d.argval
        if d.opname == "LOAD_GLOBAL":
            assert ins.argval == d.argval
            assert ins.extra["push_null"] == bool(d.arg & 1)


def test_decode_folds_kw_names_into_call():
    bc = decode(sample.__code__)
    calls = [i for i in bc.instrs if i.op == "CALL"]
    assert any(c.extra["kwnames"] == ("key",) for c in calls)
    assert all(i.op != "KW_NAMES" for i in bc.instrs)


def test_decode_exception_table_and_listing():
    bc = decode(sample.__code__)
    assert bc.exception_table
    text = bc.listing()
    assert "ExceptionTable:" in text and "LOAD_GLOBAL" in text
    entry = bc.exception_table[0]
    assert bc.handler_for(entry.start) == entry


def test_decode_extended_arg():
    src = "def f():\n    x = 0\n" + "".join(f"    v{i} = {i}\n" for i in range(300)) + \
          "    return v299\n"
    ns = {}
    exec(src, ns)
    bc = decode(ns["f"].__code__)
    stores = [i for i in bc.instrs if i.op == "STORE_FAST"]
    assert max(i.arg for i in stores) > 255
    assert any(i.start != i.offset for i in bc.instrs)   # an EXTENDED_ARG prefix


def test_cfg_blocks_and_edges():
    cfg = build_cfg(decode(sample.__code__))
    text = str(cfg)
    assert "except ->" in text
    starts = list(cfg.blocks)
    assert starts == sorted(starts)
    for blk in cfg.blocks.values():
        for s in blk.succs:
            assert s is None or s in cfg.blocks


def test_ssa_printed_form():
    fn, ops = build_ssa(sample.__code__)
    text = str(fn)
    assert text.startswith("function sample")
    assert "handler:" in text
    assert "iter_next" in text and "br_if_null" in text
    assert "unwind ^b" in text           # an op inside the try jumps to its handler
    assert {"FOR_ITER", "CALL", "PUSH_EXC_INFO"} <= ops
    ir.verify(fn)


def test_ssa_stack_slots_become_block_params():
    def f(c, a, b):
        return g(a if c else b)
    fn, _ = build_ssa(f.__code__)
    joins = [b for b in fn.blocks if len(b.params) >= 3]
    assert joins, str(fn)
    assert any(p.type == ir.NOBJ for b in joins for p in b.params)   # the NULL from LOAD_GLOBAL


def test_ssa_handler_edges_keep_depth():
    def f(x):
        with open(x) as fh:
            return fh.read()
    fn, _ = build_ssa(f.__code__)
    for blk in fn.blocks:
        for op in blk.ops:
            if op.unwind and op.unwind.handler is not None:
                h = op.unwind.handler
                assert len(h.params) == len(op.unwind.keep) + op.unwind.lasti + 1


def test_verifier_catches_arity_mismatch():
    fn = ir.Function("f", None, 0, [])
    a = fn.new_block("a")
    b = fn.new_block("b")
    fn.new_param(b, ir.OBJ)
    a.ops.append(ir.Op("br", [], targets=[(b, [])]))
    b.ops.append(ir.Op("ret", [b.params[0]]))
    with pytest.raises(ir.VerifyError, match="takes 1 arguments"):
        ir.verify(fn)


def test_lowering_uses_capi_and_inline_refcounts():
    from jit import pipeline
    def f(a, b):
        return a.x + b[0]
    native = pipeline.compile_code(f.__code__, f)
    text = native.llvm_ir
    assert "@PyNumber_Add" in text and "@PyObject_GetAttr" in text
    assert "@PyObject_GetItem" in text and "@jit.decref" in text
    assert "define ptr @" in text and ".entry(" in text


def test_show_command_prints_every_stage(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n")
    for stage, marker in [("bytecode", "FOR_ITER"), ("cfg", "B0"), ("ssa", "function f"),
                          ("llvm", "define ptr"), ("opt", "define"), ("asm", "ret")]:
        out = subprocess.run([sys.executable, "-m", "jit", "show", f"{src}:f", "--stage", stage],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert marker in out.stdout, (stage, out.stdout[:500])


def _code(*units):
    """A code object for ``def f(x): return x`` with its body replaced by ``units``
    ((opname, arg) pairs; inline caches added)."""
    import opcode

    def f(x):
        return x
    raw = bytearray()
    for name, arg in units:
        op = opcode.opmap[name]
        raw += bytes([op, arg])
        raw += bytes(2 * opcode._inline_cache_entries[op])
    return f.__code__.replace(co_code=bytes(raw), co_linetable=b"", co_exceptiontable=b"")


@pytest.mark.parametrize("units, message", [
    ([("RESUME", 0), ("LOAD_CONST", 9), ("RETURN_VALUE", 0)], "constant index 9 out of range"),
    ([("RESUME", 0), ("LOAD_FAST", 5), ("RETURN_VALUE", 0)], "local index 5 out of range"),
    ([("RESUME", 0), ("RETURN_VALUE", 0)], "stack underflow"),
    ([("RESUME", 0), ("JUMP_FORWARD", 40), ("LOAD_FAST", 0), ("RETURN_VALUE", 0)],
     "not the start of an instruction"),
    ([("RESUME", 0), ("LOAD_FAST", 0), ("LOAD_FAST", 0), ("POP_JUMP_FORWARD_IF_TRUE", 1),
      ("LOAD_FAST", 0), ("RETURN_VALUE", 0)], "inconsistent stack depth"),
    ([("RESUME", 0), ("LOAD_FAST", 0), ("POP_TOP", 0)], "falls off the end"),
    ([("RESUME", 0), ("PUSH_NULL", 0), ("UNARY_NEGATIVE", 0), ("RETURN_VALUE", 0)],
     "NULL stack slot"),
    ([("RESUME", 0), ("LOAD_FAST", 0), ("LOAD_DEREF", 0), ("RETURN_VALUE", 0)], "as a cell"),
])
def test_malformed_bytecode_rejected(units, message):
    import jit
    with pytest.raises(CompileError, match=message):
        jit.compile(_code(*units), fallback=False)


def test_unknown_opcode_rejected():
    import jit

    def f(x):
        return x
    raw = bytearray(f.__code__.co_code)
    raw[2] = 0xFE   # not an opcode in 3.11
    bad = f.__code__.replace(co_code=bytes(raw))
    with pytest.raises(CompileError, match="unknown opcode"):
        jit.compile(bad, fallback=False)


def bound_on_every_path(flag):
    y = 1
    if flag:
        y = 2
    return y


def maybe_deleted(flag):
    y = 1
    if flag:
        del y
    return y


def bound_in_handler(x):
    y = 0
    try:
        z = 1 // x
    except ZeroDivisionError:
        return y        # bound before the try
    return z


def _local_loads(fn, name):
    ssa = build_ssa(fn.__code__)[0]
    return [op for blk in ssa.blocks for op in blk.ops
            if op.kind == "load_local" and op.attrs["name"] == name]


def test_ssa_definitely_bound_locals_need_no_unbound_check():
    assert all(op.unwind is None for op in _local_loads(bound_on_every_path, "y"))
    assert [op.unwind is None for op in _local_loads(maybe_deleted, "y")] == [False]
    assert all(op.unwind is None for op in _local_loads(bound_in_handler, "y"))
    assert all(op.unwind is None for op in _local_loads(bound_in_handler, "x"))  # a parameter
    import jit
    f = jit.compile(maybe_deleted, fallback=False)
    assert f(False) == 1
    with pytest.raises(UnboundLocalError):
        f(True)


def test_a_generator_expression_of_odd_bytecode_is_not_folded():
    # fold_genexpr rewrites only the shape CPython compiles a generator expression to;
    # anything else (a jump between instructions, no code before the return) stays a
    # generator, with no error of the rewriter's own (the interpreter or the
    # compiler proper deals with the code as it is)
    import dis
    from jit.frontend import fold_genexpr
    genexpr = next(c for c in (lambda xs: sum(x for x in xs)).__code__.co_consts
                   if hasattr(c, "co_code"))
    assert fold_genexpr(genexpr, "sum") is not None
    raw = bytearray(genexpr.co_code)
    jumps = [i for i in range(0, len(raw), 2) if raw[i] == dis.opmap["JUMP_BACKWARD"]]
    for arg in (255, 6):         # before the code's start; to STORE_FAST x, one item short
        raw[jumps[0] + 1] = arg
        assert fold_genexpr(genexpr.replace(co_code=bytes(raw)), "sum") is None
    ret = bytes([dis.opmap["RETURN_GENERATOR"], 0, dis.opmap["RETURN_VALUE"], 0])
    assert fold_genexpr(genexpr.replace(co_code=ret, co_linetable=b""), "any") is None
