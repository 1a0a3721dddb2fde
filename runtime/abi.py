"""Object layout facts native code relies on, per CPython version.

The one place that knows struct offsets and the reference-count scheme.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import sys

from runtime import own_builtins

VERSION = sys.version_info[:2]

OB_TYPE = 8                 # PyObject.ob_type
TUPLE_ITEMS = 24            # PyTupleObject.ob_item[0]
VAR_SIZE = 16               # PyVarObject.ob_size
LIST_ITEMS = 24             # PyListObject.ob_item (PyObject**)
LIST_ALLOCATED = 32         # PyListObject.allocated
# list and tuple iterators: {head, it_index, it_seq (NULL once exhausted)}
SEQ_ITER_INDEX, SEQ_ITER_SEQ = 16, 24


def _seq_iter_layout() -> bool:
    """The list and tuple iterators are laid out as above (their structs are
    private to CPython, so this is checked on live ones before native code relies
    on it)."""
    import ctypes
    for seq in ([7, 8, 9], (7, 8, 9)):
        it = iter(seq)
        next(it)
        words = (ctypes.c_ssize_t * 2).from_address(id(it) + SEQ_ITER_INDEX)
        if words[0] != 1 or words[1] != id(seq):
            return False
    return True


SEQ_ITER_LAYOUT = _seq_iter_layout()

# len() of an exact str and dict is a word at VAR_SIZE too (PyASCIIObject.length,
# PyDictObject.ma_used): checked on live objects
def _sized_at_var_size() -> bool:
    import ctypes
    return all(ctypes.c_ssize_t.from_address(id(o) + VAR_SIZE).value == len(o)
               for o in ("", "abc", "h\u00e9llo w\u00f6rld", "\U0001f600x", {}, {1: 2, 3: 4}))


LEN_AT_VAR_SIZE = _sized_at_var_size()

# str (3.11's PyASCIIObject): length, hash, then the state bits (interned:2, kind:3,
# compact:1, ascii:1, ready:1); a compact string's characters follow the struct:
# at STR_ASCII_DATA for an ASCII one, at STR_COMPACT_DATA (PyCompactUnicodeObject)
# for any other
STR_LENGTH, STR_STATE, STR_ASCII_DATA, STR_COMPACT_DATA = 16, 32, 48, 72
STR_KIND_SHIFT, STR_COMPACT, STR_ASCII, STR_READY = 2, 1 << 5, 1 << 6, 1 << 7


def _str_layout() -> bool:
    """Strings are laid out as above (checked on live ones of each kind)."""
    import ctypes
    if VERSION != (3, 11):
        return False
    for s, kind, ascii_ in (("abc", 1, True), ("h\u00e9", 1, False), ("\u1234x", 2, False),
                            ("\U0001f600", 4, False)):
        s = "".join(list(s))        # (a new string, made the ordinary way)
        state = ctypes.c_uint32.from_address(id(s) + STR_STATE).value
        at = STR_ASCII_DATA if ascii_ else STR_COMPACT_DATA
        want = STR_COMPACT | STR_READY | (STR_ASCII if ascii_ else 0) | kind << STR_KIND_SHIFT
        if state & 0xFC != want or ctypes.c_ssize_t.from_address(id(s) + STR_LENGTH).value \
                != len(s) or ctypes.string_at(id(s) + at, len(s) * kind) != \
                s.encode({1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind]):
            return False
    return True


def _ascii_char_stride() -> int | None:
    """The interpreter's one-character ASCII strings (what indexing or iterating an
    ASCII string gives) lie in one array: the distance between neighbours, so native
    code names the character by address; None when they do not, or when the
    ASCII iterator is not laid out as the list one."""
    import ctypes
    if not _str_layout():
        return None
    base, stride = id(chr(0)), id(chr(1)) - id(chr(0))
    if stride <= 0 or any(id(chr(c)) != base + c * stride for c in range(128)):
        return None
    s = "".join(["ab", "c"])
    it = iter(s)
    next(it)
    words = (ctypes.c_ssize_t * 2).from_address(id(it) + SEQ_ITER_INDEX)
    if words[0] != 1 or words[1] != id(s) or "".join(["a", "b"])[1] is not chr(98):
        return None
    return stride


STR_LAYOUT = _str_layout()
ASCII_CHAR_STRIDE = _ascii_char_stride()
ASCII_CHARS = chr(0)              # the first of them
ASCII_ITER_TYPE = type(iter(""))  # str_ascii_iterator


# range(...)'s iterator for C long bounds: {head, index, start, step, len}; its
# n-th item is start + n * step
RANGE_ITER_INDEX, RANGE_ITER_START, RANGE_ITER_STEP, RANGE_ITER_LEN = 16, 24, 32, 40


def _range_iter_layout() -> bool:
    """The range iterator is laid out as above (checked on a live one, as above)."""
    import ctypes
    it = iter(range(5, 100, 7))
    next(it)
    words = (ctypes.c_long * 4).from_address(id(it) + RANGE_ITER_INDEX)
    return type(it).__name__ == "range_iterator" and list(words) == [1, 5, 7, 14]


RANGE_ITER_LAYOUT = _range_iter_layout()

# A builtin method bound to its object (``xs.append``): PyCFunctionObject {head,
# m_ml (its PyMethodDef), m_self}
CFUNC_ML, CFUNC_SELF = 16, 24


def _list_append_def() -> int | None:
    """The PyMethodDef of list.append, read from a bound one whose m_self is checked
    (None where the layout is not the one above)."""
    import ctypes
    xs = []
    bound = xs.append
    words = (ctypes.c_void_p * 2).from_address(id(bound) + CFUNC_ML)
    if type(bound).__name__ != "builtin_function_or_method" or words[1] != id(xs):
        return None
    again = [].append
    return words[0] if ctypes.c_void_p.from_address(id(again) + CFUNC_ML).value == words[0] \
        else None


LIST_APPEND_DEF = _list_append_def()

# A frame object made by PyFrame_New (3.11): PyFrameObject.f_frame points at its own
# _PyInterpreterFrame, whose prev_instr and stacktop say how far it ran
FRAME_IFRAME = 24            # PyFrameObject.f_frame
IFRAME_CODE = 32             # _PyInterpreterFrame.f_code
IFRAME_PREV_INSTR = 56       # _PyInterpreterFrame.prev_instr (_Py_CODEUNIT *)
IFRAME_STACKTOP = 64         # _PyInterpreterFrame.stacktop (int)
IFRAME_GLOBALS = 8           # _PyInterpreterFrame.f_globals
IFRAME_LOCALSPLUS = 72       # _PyInterpreterFrame.localsplus[0]
CODE_UNITS = 184             # PyCodeObject.co_code_adaptive (its instructions)


def _frame_slots_layout() -> bool:
    """The offsets above, checked on a live frame (its code, globals, an argument's
    object in its first slot, its instruction pointer inside the code) and a code
    object (its instructions, unquickened, equal co_code)."""
    import ctypes
    import sys
    if VERSION != (3, 11):
        return False

    def probe(marker):
        return sys._getframe()
    marker = object()
    frame = probe(marker)
    code = frame.f_code
    iframe = ctypes.c_void_p.from_address(id(frame) + FRAME_IFRAME).value
    if not iframe:
        return False
    word = lambda off: ctypes.c_void_p.from_address(iframe + off).value   # noqa: E731
    fresh = compile("x = 1", "<probe>", "exec")
    units = ctypes.string_at(id(fresh) + CODE_UNITS, len(fresh.co_code))
    prev = word(IFRAME_PREV_INSTR) - (id(code) + CODE_UNITS)
    return (word(IFRAME_CODE) == id(code) and word(IFRAME_GLOBALS) == id(frame.f_globals)
            and word(IFRAME_LOCALSPLUS) == id(marker) and units == fresh.co_code
            and 0 <= prev < len(code.co_code))


# compiled code's traceback entries get frames holding its locals (jit.tb_frame)
FRAME_SLOTS_LAYOUT = _frame_slots_layout()


def settle_frame(frame) -> bool:
    """Make a frame that compiled code names in tracebacks (never run) hold nothing
    in its slots and look started: otherwise reading its f_locals, for code with free
    variables, takes the NULL in a free variable's slot for its cell, or copies the
    free variables from the closure PyFrame_New's frame does not have (both NULL
    dereferences in CPython). Checked on the live frame; False (the frame untouched)
    where the layout differs."""
    import ctypes
    if VERSION != (3, 11):
        return False
    code = frame.f_code
    iframe = ctypes.c_void_p.from_address(id(frame) + FRAME_IFRAME).value
    if not iframe or ctypes.c_void_p.from_address(iframe + IFRAME_CODE).value != id(code):
        return False
    stacktop = ctypes.c_int.from_address(iframe + IFRAME_STACKTOP)
    cells = [c for c in code.co_cellvars if c not in code.co_varnames]   # (a captured
    if stacktop.value != code.co_nlocals + len(cells) + len(code.co_freevars):  # arg: once)
        return False
    if frame.f_lasti < 0:
        prev = ctypes.c_void_p.from_address(iframe + IFRAME_PREV_INSTR)
        prev.value += 2          # one code unit on: the first instruction "ran"
        if frame.f_lasti != 0:
            prev.value -= 2
            return False
    stacktop.value = 0
    return True

# enumerate: {head, en_index, en_sit (the iterator), en_result, en_longindex (NULL
# while the index fits)}; zip: {head, tuplesize, ittuple (the iterators), result,
# int strict}. Private to CPython too: checked on live ones.
ENUM_INDEX, ENUM_ITER, ENUM_LONGINDEX = 16, 24, 40
ZIP_SIZE, ZIP_ITERS, ZIP_STRICT = 16, 24, 40


def _pair_iter_layout() -> bool:
    import ctypes

    def words(obj, offset, n=1):
        return (ctypes.c_ssize_t * n).from_address(id(obj) + offset)
    e = enumerate([7, 8], 5)
    next(e)
    if words(e, ENUM_INDEX)[0] != 6 or words(e, ENUM_LONGINDEX)[0] != 0:
        return False
    inner = ctypes.cast(words(e, ENUM_ITER)[0], ctypes.py_object).value
    if type(inner).__name__ != "list_iterator":
        return False
    for strict in (False, True):
        z = zip([1], (2,), strict=strict)
        its = ctypes.cast(words(z, ZIP_ITERS)[0], ctypes.py_object).value
        if words(z, ZIP_SIZE)[0] != 2 or type(its) is not tuple or len(its) != 2 \
                or ctypes.c_int.from_address(id(z) + ZIP_STRICT).value != strict:
            return False
    return True


PAIR_ITER_LAYOUT = _pair_iter_layout()
MODULE_DICT = 16            # PyModuleObject.md_dict
# what a module's own type serves before its dict (module.__dict__, .__class__, ...)
MODULE_TYPE_ATTRS = frozenset(dir(type(sys)))
CELL_REF = 16               # PyCellObject.ob_ref
METHOD_FUNC = 16            # PyMethodObject.im_func
# PyFunctionObject's leading fields (_PyFunction_COMMON_FIELDS in 3.11-3.13)
FUNC_GLOBALS, FUNC_BUILTINS, FUNC_CODE, FUNC_DEFAULTS, FUNC_CLOSURE = 16, 24, 48, 56, 72
FUNC_NAME, FUNC_QUALNAME, FUNC_KWDEFAULTS = 32, 40, 64


def _func_vectorcall() -> int | None:
    """Offset of PyFunctionObject.vectorcall (what PyObject_Vectorcall calls), found
    as the one word of a fresh function equal to _PyFunction_Vectorcall; None if not
    exactly one (then compiled code leaves the functions it makes as they are)."""
    import ctypes
    try:
        target = ctypes.cast(ctypes.pythonapi._PyFunction_Vectorcall, ctypes.c_void_p).value
    except AttributeError:
        return None
    probe = (lambda: None)
    n = type(probe).__basicsize__ // 8       # (read within the object)
    words = (ctypes.c_uint64 * n).from_address(id(probe))
    hits = [i * 8 for i in range(n) if words[i] == target]
    return hits[0] if len(hits) == 1 and hits[0] > FUNC_CLOSURE else None


FUNC_VECTORCALL = _func_vectorcall()
FLOAT_VALUE = 16            # PyFloatObject.ob_fval
BYTES_DATA = 32             # PyBytesObject.ob_sval[0]
BYTEARRAY_START = 40        # PyByteArrayObject.ob_start (char *: the first byte)
LONG_DIGITS = 24            # PyLongObject.ob_digit[0] (30-bit digits, sign in ob_size)
# ints as (ob_size = sign * ndigits, digits): 3.11 only; 3.12 packs the sign into lv_tag
SMALL_INT_LAYOUT = VERSION == (3, 11)


def _small_int_stride() -> int | None:
    """The interpreter's cached ints -5..256 lie in one array (as CPython lays them
    out): the distance between neighbours, so compiled code can box a small int by
    address; None when they do not (then every box is PyLong_FromLongLong)."""
    base, stride = id(-5), id(-4) - id(-5)
    small = range(-5, 257)
    if stride <= 0 or any(id(v) != base + (v + 5) * stride for v in small):
        return None
    return stride


SMALL_INTS = range(-5, 257)
SMALL_INT_STRIDE = _small_int_stride()
DICT_VERSION = 24          # PyDictObject.ma_version_tag (bumped by every mutation; 3.11-3.13)
assert DICT_VERSION == own_builtins._DICT_VERSION
# A global's entry in the module dict's keys, found again by its index as 3.11's
# LOAD_GLOBAL_MODULE does (keys: PyDictObject.ma_keys; a str-keyed table's entries
# are {me_key, me_value}, after the 1 << dk_log2_index_bytes bytes of indices).
GLOBAL_HINTS = VERSION == (3, 11)
DICT_KEYS = 32             # PyDictObject.ma_keys
DICT_KEYS_UNICODE = 1      # dk_kind of a table whose keys are all str
# PyTracebackObject (Include/cpython/traceback.h): tb_next, tb_frame, int tb_lasti
# (a byte offset), int tb_lineno
TB_NEXT, TB_FRAME, TB_LASTI, TB_LINENO = 16, 24, 32, 36
TYPE_FLAGS = 168            # PyTypeObject.tp_flags
TYPE_NEW = 312              # PyTypeObject.tp_new
TYPE_ITERNEXT = 224         # PyTypeObject.tp_iternext
TYPE_NAME = 24              # PyTypeObject.tp_name (const char *)
TYPE_ITER = 216             # PyTypeObject.tp_iter

TPFLAGS_SEQUENCE = 1 << 5
TPFLAGS_MAPPING = 1 << 6
TPFLAGS_LONG_SUBCLASS = 1 << 24
TPFLAGS_LIST_SUBCLASS = 1 << 25
TPFLAGS_TUPLE_SUBCLASS = 1 << 26
TPFLAGS_BASE_EXC_SUBCLASS = 1 << 30
TPFLAGS_TYPE_SUBCLASS = 1 << 31
VECTORCALL_ARGUMENTS_OFFSET = 1 << 63

# Instance attributes in 3.11's managed dicts, read and written as CPython's
# LOAD_ATTR_INSTANCE_VALUE / STORE_ATTR_INSTANCE_VALUE do: a type with a managed
# dict keeps its instances' attribute values in an array laid out by the type's
# shared keys (ht_cached_keys), the array's pointer just before the GC header (NULL
# once __dict__ has been made). The type's version tag changes with the type.
# (Checked against 3.11 objects by tests/test_attr_cache.py.)
INSTANCE_VALUES = VERSION == (3, 11)
TYPE_GETATTRO, TYPE_SETATTRO = 144, 152     # PyTypeObject.tp_getattro / tp_setattro
TYPE_VERSION_TAG = 384                      # PyTypeObject.tp_version_tag (uint32)
HEAPTYPE_CACHED_KEYS = 872                  # PyHeapTypeObject.ht_cached_keys
OBJECT_VALUES = -32                         # PyDictValues* of a managed-dict object
OBJECT_DICT = -24                           # its made __dict__ (NULL while values serve)
KEYS_LOG2_INDEX_BYTES, KEYS_KIND, KEYS_NENTRIES, KEYS_INDICES = 9, 10, 24, 32
DICT_KEYS_SPLIT = 2                         # dk_kind of shared keys
TPFLAGS_MANAGED_DICT = 1 << 4
TPFLAGS_HEAPTYPE = 1 << 9
TPFLAGS_VALID_VERSION_TAG = 1 << 19
# __slots__ members, read and written as LOAD_ATTR_SLOT / STORE_ATTR_SLOT do: the
# type's member descriptor (PyMemberDescrObject: {PyDescr_COMMON's head, d_type,
# d_name, d_qualname}, d_member) points at its PyMemberDef {name, int type,
# Py_ssize_t offset, int flags}; a T_OBJECT_EX member's value is the object pointer
# at the offset in the instance, NULL while unset.
DESCR_TYPE, MEMBER_DESCR_DEF = 16, 40
MEMBER_TYPE, MEMBER_OFFSET, MEMBER_FLAGS = 8, 16, 24
T_OBJECT_EX = 16
MEMBER_READONLY, MEMBER_AUDIT_READ = 1, 2   # (flags) not stored / audited when read

# Inline reference counting, as LLVM IR function bodies taking `ptr %o`.
_RC_311 = """
define internal void @jit.incref(ptr %o) alwaysinline {
  %c = load i64, ptr %o
  %n = add i64 %c, 1
  store i64 %n, ptr %o
  ret void
}
define internal void @jit.decref(ptr %o) alwaysinline {
  %c = load i64, ptr %o
  %n = sub i64 %c, 1
  store i64 %n, ptr %o
  %z = icmp eq i64 %n, 0
  br i1 %z, label %free, label %done, !prof !0
free:
  call void @_Py_Dealloc(ptr %o)
  br label %done
done:
  ret void
}
"""

# 3.12/3.13: immortal objects keep a saturated low word; never touch them.
_RC_312 = """
define internal void @jit.incref(ptr %o) alwaysinline {
  %c = load i32, ptr %o
  %n = add i32 %c, 1
  %z = icmp eq i32 %n, 0
  br i1 %z, label %done, label %store
store:
  store i32 %n, ptr %o
  br label %done
done:
  ret void
}
define internal void @jit.decref(ptr %o) alwaysinline {
  %lo = load i32, ptr %o
  %imm = icmp slt i32 %lo, 0
  br i1 %imm, label %done, label %dec, !prof !0
dec:
  %c = load i64, ptr %o
  %n = sub i64 %c, 1
  store i64 %n, ptr %o
  %z = icmp eq i64 %n, 0
  br i1 %z, label %free, label %done, !prof !0
free:
  call void @_Py_Dealloc(ptr %o)
  br label %done
done:
  ret void
}
"""

REFCOUNT_IR = {(3, 11): _RC_311, (3, 12): _RC_312, (3, 13): _RC_312}.get(VERSION)
