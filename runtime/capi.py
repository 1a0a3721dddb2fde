"""The C-API functions and data native code may use, with their LLVM types.

``declare(name)`` gives the LLVM declaration; ``address(name)`` the address
in this interpreter (checked non-zero). Lowering may only call what is here.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import ctypes
import sys


# name -> (return type, parameter types), in LLVM IR syntax. ptr = PyObject* etc.
FUNCTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # numbers
    **{f"PyNumber_{n}": ("ptr", ("ptr", "ptr")) for n in (
        "Add", "Subtract", "Multiply", "TrueDivide", "FloorDivide", "Remainder",
        "MatrixMultiply", "Lshift", "Rshift", "And", "Or", "Xor",
        "InPlaceAdd", "InPlaceSubtract", "InPlaceMultiply", "InPlaceTrueDivide",
        "InPlaceFloorDivide", "InPlaceRemainder", "InPlaceMatrixMultiply",
        "InPlaceLshift", "InPlaceRshift", "InPlaceAnd", "InPlaceOr", "InPlaceXor")},
    "PyNumber_Power": ("ptr", ("ptr", "ptr", "ptr")),
    "PyNumber_InPlacePower": ("ptr", ("ptr", "ptr", "ptr")),
    "PyNumber_Negative": ("ptr", ("ptr",)),
    "PyNumber_Positive": ("ptr", ("ptr",)),
    "PyNumber_Invert": ("ptr", ("ptr",)),
    "PyLong_FromLongLong": ("ptr", ("i64",)),
    "PyLong_FromSsize_t": ("ptr", ("i64",)),
    "PyLong_AsLongLongAndOverflow": ("i64", ("ptr", "ptr")),
    "PyFloat_FromDouble": ("ptr", ("double",)),
    "PyFloat_AsDouble": ("double", ("ptr",)),
    "PyBool_FromLong": ("ptr", ("i64",)),
    # objects
    "PyObject_RichCompare": ("ptr", ("ptr", "ptr", "i32")),
    "PyObject_IsTrue": ("i32", ("ptr",)),
    "PyObject_Not": ("i32", ("ptr",)),
    "PyObject_GetAttr": ("ptr", ("ptr", "ptr")),
    "PyObject_SetAttr": ("i32", ("ptr", "ptr", "ptr")),
    "PyObject_GetItem": ("ptr", ("ptr", "ptr")),
    "PyObject_SetItem": ("i32", ("ptr", "ptr", "ptr")),
    "PyObject_DelItem": ("i32", ("ptr", "ptr")),
    "PyObject_GetIter": ("ptr", ("ptr",)),
    "PyObject_Format": ("ptr", ("ptr", "ptr")),
    "PyObject_Str": ("ptr", ("ptr",)),
    "PyObject_Repr": ("ptr", ("ptr",)),
    "PyObject_IsInstance": ("i32", ("ptr", "ptr")),
    "PyObject_ASCII": ("ptr", ("ptr",)),
    "PyObject_Size": ("i64", ("ptr",)),
    "PyMapping_Check": ("i32", ("ptr",)),
    "PyObject_Vectorcall": ("ptr", ("ptr", "ptr", "i64", "ptr")),
    "PyObject_Call": ("ptr", ("ptr", "ptr", "ptr")),
    "_PyObject_GetMethod": ("i32", ("ptr", "ptr", "ptr")),
    "_PyType_Lookup": ("ptr", ("ptr", "ptr")),
    "PyType_IsSubtype": ("i32", ("ptr", "ptr")),
    "_PyObject_LookupSpecial": ("ptr", ("ptr", "ptr")),
    "PyObject_CallNoArgs": ("ptr", ("ptr",)),
    "PyObject_GenericGetAttr": ("ptr", ("ptr", "ptr")),
    "PyObject_GenericSetAttr": ("i32", ("ptr", "ptr", "ptr")),
    "PySequence_Contains": ("i32", ("ptr", "ptr")),
    "PyIter_Next": ("ptr", ("ptr",)),
    "_Py_Dealloc": ("void", ("ptr",)),
    "Py_IncRef": ("void", ("ptr",)),
    "Py_DecRef": ("void", ("ptr",)),
    "PyUnicode_Append": ("void", ("ptr", "ptr")),
    "PyUnicode_Compare": ("i32", ("ptr", "ptr")),
    # containers
    "PyTuple_New": ("ptr", ("i64",)),
    "PyList_New": ("ptr", ("i64",)),
    "PyList_Append": ("i32", ("ptr", "ptr")),
    "PyList_AsTuple": ("ptr", ("ptr",)),
    "PyList_Sort": ("i32", ("ptr",)),
    "PyFrozenSet_New": ("ptr", ("ptr",)),
    "PySet_New": ("ptr", ("ptr",)),
    "PySet_Add": ("i32", ("ptr", "ptr")),
    "_PySet_Update": ("i32", ("ptr", "ptr")),
    "_PyList_Extend": ("ptr", ("ptr", "ptr")),
    "PySequence_Tuple": ("ptr", ("ptr",)),
    "PyDict_New": ("ptr", ()),
    "PyDict_SetItem": ("i32", ("ptr", "ptr", "ptr")),
    "_PyDict_MergeEx": ("i32", ("ptr", "ptr", "i32")),
    "PyDict_DelItem": ("i32", ("ptr", "ptr")),
    "PyDict_GetItemWithError": ("ptr", ("ptr", "ptr")),
    "PyDict_GetItem": ("ptr", ("ptr", "ptr")),
    "PySlice_New": ("ptr", ("ptr", "ptr", "ptr")),
    "_PyUnicode_JoinArray": ("ptr", ("ptr", "ptr", "i64")),
    # cells and functions
    "PyCell_New": ("ptr", ("ptr",)),
    "PyCell_Set": ("i32", ("ptr", "ptr")),
    "PyFunction_New": ("ptr", ("ptr", "ptr")),
    "PyFunction_GetDefaults": ("ptr", ("ptr",)),
    "PyFunction_GetKwDefaults": ("ptr", ("ptr",)),
    "PyFunction_SetClosure": ("i32", ("ptr", "ptr")),
    "PyFunction_SetAnnotations": ("i32", ("ptr", "ptr")),
    "PyFunction_SetKwDefaults": ("i32", ("ptr", "ptr")),
    "PyFunction_SetDefaults": ("i32", ("ptr", "ptr")),
    # errors
    "PyErr_Occurred": ("ptr", ()),
    "PyErr_Fetch": ("void", ("ptr", "ptr", "ptr")),
    "PyErr_Restore": ("void", ("ptr", "ptr", "ptr")),
    "PyErr_NormalizeException": ("void", ("ptr", "ptr", "ptr")),
    "PyErr_SetObject": ("void", ("ptr", "ptr")),
    "PyErr_SetNone": ("void", ("ptr",)),
    "PyErr_Clear": ("void", ()),
    "PyErr_ExceptionMatches": ("i32", ("ptr",)),
    "PyErr_GivenExceptionMatches": ("i32", ("ptr", "ptr")),
    "PyErr_GetHandledException": ("ptr", ()),
    "PyErr_SetHandledException": ("void", ("ptr",)),
    "PyException_SetTraceback": ("i32", ("ptr", "ptr")),
    "PyException_SetCause": ("void", ("ptr", "ptr")),
    "PyException_GetTraceback": ("ptr", ("ptr",)),
    "_PyObject_GC_New": ("ptr", ("ptr",)),
    "PyObject_GC_Track": ("void", ("ptr",)),
    "Py_MakePendingCalls": ("i32", ()),
    "PyThreadState_GetInterpreter": ("ptr", ("ptr",)),
    "PyEval_SaveThread": ("ptr", ()),
    "PyEval_RestoreThread": ("void", ("ptr",)),
    "Py_EnterRecursiveCall": ("i32", ("ptr",)),
    "_PyThreadState_UncheckedGet": ("ptr", ()),
    "Py_LeaveRecursiveCall": ("void", ()),
    "_PyFunction_Vectorcall": ("ptr", ("ptr", "ptr", "i64", "ptr")),
    "_PyCode_GetExtra": ("i32", ("ptr", "i64", "ptr")),
    "PyWeakref_GetObject": ("ptr", ("ptr",)),
}

# Data symbols: name -> LLVM type of the object (we only take their address).
DATA = (
    "_Py_NoneStruct", "_Py_TrueStruct", "_Py_FalseStruct", "_Py_NotImplementedStruct",
    "PyExc_AssertionError", "PyExc_NameError", "PyExc_UnboundLocalError",
    "PyExc_StopIteration", "PyExc_TypeError", "PyExc_SystemError", "PyExc_AttributeError",
    "PyExc_KeyError",
    "PyTuple_Type", "PyList_Type", "PyTraceBack_Type", "PyDict_Type", "PyLong_Type",
    "PyFloat_Type", "PyUnicode_Type", "PyCell_Type", "PyBool_Type", "PyModule_Type",
    "PyType_Type", "PyFunction_Type", "PyListIter_Type", "PyTupleIter_Type", "PyRangeIter_Type",
    "PyEnum_Type",
    "PyZip_Type", "PyCFunction_Type", "PyBytes_Type", "PyByteArray_Type", "PySet_Type",
    "PyMemberDescr_Type", "PyBaseObject_Type", "PyRange_Type", "PyMethod_Type",
)

# libm functions the math module calls (specialised code calls the same ones).
LIBM = {**{name: ("double", ("double",)) for name in (
            "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
            "acosh", "atanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "cbrt",
            "erf", "erfc")},
        **{name: ("double", ("double", "double")) for name in (
            "pow", "atan2", "copysign", "fmod", "remainder")}}
FUNCTIONS.update(LIBM)
# the C library's thread functions (a thread's stack bounds: jit.stack_floor)
FUNCTIONS["PyFrame_New"] = ("ptr", ("ptr", "ptr", "ptr", "ptr"))
FUNCTIONS.update({"pthread_self": ("i64", ()), "pthread_getattr_np": ("i32", ("i64", "ptr")),
                  "pthread_attr_getstack": ("i32", ("ptr", "ptr", "ptr")),
                  "pthread_attr_destroy": ("i32", ("ptr",))})
FUNCTIONS["memcmp"] = ("i32", ("ptr", "ptr", "i64"))     # (str ==: the characters)


def _libm_address(name: str) -> int:
    import ctypes.util
    lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value


# Each thread's C-stack floor for compiled frames, by thread: 64 entries {thread id,
# lowest address a compiled frame may reach}, filled by rtlib's jit.stack_floor.
# Native frames use the C stack, which the interpreter's recursion limit does not
# protect once a program raises it (nor in a thread with a small stack): a compiled
# call whose frame would reach below the floor raises RecursionError instead.
def lasting(obj):
    """``obj``, never freed: compiled code reads and writes the memory of these
    blocks by address, and may run after this module's dict was cleared (a
    finaliser late in the interpreter's exit), when they would go."""
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))
    return obj


STACK_TABLE_ENTRIES = 64
stack_table = lasting((ctypes.c_int64 * (2 * STACK_TABLE_ENTRIES))())
# The address a direct call returns when it stored an unboxed result instead of
# returning an object (never a valid object).
raw_marker = lasting(ctypes.c_int64(0))
# runtime.helpers' module dict (set by it): jit.strip_tb drops the traceback
# entries of its functions' frames
helpers_globals = lasting(ctypes.c_void_p(0))
# runtime.helpers.let_interpreter_check (set by it): jit.tick calls it when the eval
# breaker stays set for what only the interpreter handles (an async exception)
interpreter_check = lasting(ctypes.c_void_p(0))
# The index of the code-object extra slot (PEP 523's co_extra) holding a code's
# compiled entry for jit.closure_call (runtime.closures; -1 until it has one)
code_extra_index = lasting(ctypes.c_int64(-1))
RUNTIME_DATA = {"jit_stack_table": ctypes.addressof(stack_table),
                "jit_code_extra_index": ctypes.addressof(code_extra_index),
                "jit_raw_marker": ctypes.addressof(raw_marker),
                "jit_helpers_globals": ctypes.addressof(helpers_globals),
                "jit_interpreter_check": ctypes.addressof(interpreter_check)}


def _recursion_counter():
    """Offset in a thread state of the int ``Py_EnterRecursiveCall`` decrements and
    ``Py_LeaveRecursiveCall`` increments, found by watching them; compiled code
    counts its calls there inline while far from the limit (near it, or when the
    offset cannot be confirmed, it calls the functions)."""
    api = ctypes.pythonapi
    get = api._PyThreadState_UncheckedGet
    get.restype = ctypes.c_void_p
    enter, leave = api.Py_EnterRecursiveCall, api.Py_LeaveRecursiveCall
    enter.argtypes, enter.restype = [ctypes.c_char_p], ctypes.c_int
    leave.argtypes, leave.restype = [], None
    fields = (ctypes.c_int32 * 64).from_address(get())
    before = list(fields)
    if enter(b""):
        api.PyErr_Clear()
        return None
    during = list(fields)
    leave()
    after = list(fields)
    moved = [i for i in range(64) if during[i] != before[i]]
    if len(moved) != 1 or during[moved[0]] != before[moved[0]] - 1 or after != before:
        return None
    return moved[0] * 4


RECURSION_COUNTER = _recursion_counter()


def recursion_headroom() -> int | None:
    """How many more nested calls this thread may make before RecursionError, or
    None where the counter's offset is unknown."""
    if RECURSION_COUNTER is None:
        return None
    ts = ctypes.pythonapi._PyThreadState_UncheckedGet()
    return ctypes.c_int32.from_address(ts + RECURSION_COUNTER).value


# Recursion-limit units a deoptimising native call lends the Python code on the way
# to the frame resuming it (jit.lower.Lowering._deopt_call; runtime.deopt.resume
# then sets the count the resumed frame starts from)
DEOPT_LEND = 64


def shift_recursion_count(delta: int) -> int | None:
    """Add delta to this thread's recursion-limit count (what Py_EnterRecursiveCall
    decrements); the count before, as the caller sees it (this function's own
    frame holds one unit meanwhile), or None where the counter is unknown."""
    if RECURSION_COUNTER is None:
        return None
    ts = ctypes.pythonapi._PyThreadState_UncheckedGet()
    counter = ctypes.c_int32.from_address(ts + RECURSION_COUNTER)
    before = counter.value + 1
    counter.value += delta
    return before


# words of a thread state the probes below read: within 3.11's PyThreadState (360
# bytes; reading past its allocation is reading memory that is not its)
TSTATE_WORDS = 44


def _thread_id_offset():
    """Offset in a thread state of its thread_id (the thread's pthread_t), found as
    the one word equal to it; None if not exactly one."""
    import threading
    ts = ctypes.pythonapi._PyThreadState_UncheckedGet()
    words = (ctypes.c_uint64 * TSTATE_WORDS).from_address(ts)
    hits = [i * 8 for i in range(TSTATE_WORDS) if words[i] == threading.get_ident()]
    return hits[0] if len(hits) == 1 else None


THREAD_ID = _thread_id_offset()


def _unique_id_offset():
    """Offset in a thread state of its unique id (PyThreadState_GetID: never reused
    by a later thread, where a pthread_t is), found as the one word equal to it in
    the main thread's state and in another thread's; None if not so."""
    import threading
    api = ctypes.pythonapi
    api.PyThreadState_GetID.restype = ctypes.c_uint64
    api.PyThreadState_GetID.argtypes = [ctypes.c_void_p]

    def offsets():
        ts = api._PyThreadState_UncheckedGet()
        words = (ctypes.c_uint64 * TSTATE_WORDS).from_address(ts)
        want = api.PyThreadState_GetID(ts)
        return {i * 8 for i in range(TSTATE_WORDS) if words[i] == want}
    found = [offsets()]
    worker = threading.Thread(target=lambda: found.append(offsets()))
    worker.start()
    worker.join()
    common = found[0] & found[1] if len(found) == 2 else set()
    return common.pop() if len(common) == 1 else None


THREAD_UID = _unique_id_offset()

_PENDING_CALL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_probe_call = _PENDING_CALL(lambda arg: 0)     # (kept: the interpreter calls it later)


def _eval_breaker_offset():
    """Offset in an interpreter state of the flag its eval loop polls (3.11's
    ceval.eval_breaker: another thread asks for the GIL, a signal arrived, a call
    is pending); None unless 3.11's layout is confirmed. The flag follows
    ceval.recursion_limit, found as the one int that follows sys.setrecursionlimit;
    the layout is confirmed by the pending-call queue behind them: a call added
    with Py_AddPendingCall lands in the slot its queue's `last` index named.
    A native loop's tick gives up the GIL and checks signals only when the flag is
    set, as the interpreter does."""
    api = ctypes.pythonapi
    api.PyInterpreterState_Get.restype = ctypes.c_void_p
    api.Py_AddPendingCall.argtypes = [_PENDING_CALL, ctypes.c_void_p]
    interp = api.PyInterpreterState_Get()
    words = (ctypes.c_int32 * 256).from_address(interp)
    limit = sys.getrecursionlimit()
    found = [i for i in range(256) if words[i] == limit]
    sys.setrecursionlimit(limit + 7)
    try:
        found = [i for i in found if words[i] == limit + 7]
    finally:
        sys.setrecursionlimit(limit)
    if len(found) != 1:
        return None
    ceval = found[0] * 4
    # ceval: recursion_limit, eval_breaker, gil_drop_request, then pending: lock,
    # calls_to_do, async_exc, calls[32] of {func, arg}, first, last
    calls, last_at = ceval + 32, ceval + 32 + 32 * 16 + 4
    last = ctypes.c_int32.from_address(interp + last_at).value
    if not 0 <= last < 32 or api.Py_AddPendingCall(_probe_call, None) != 0:
        return None
    slot = ctypes.c_uint64.from_address(interp + calls + 16 * last).value
    if slot != ctypes.cast(_probe_call, ctypes.c_void_p).value:
        return None
    return ceval + 4


EVAL_BREAKER = _eval_breaker_offset() if sys.version_info[:2] == (3, 11) else None


def _interp_offset():
    """Offset in a thread state of its interpreter state (PyThreadState.interp),
    found as the one pointer word equal to PyInterpreterState_Get(); None if not
    exactly one."""
    api = ctypes.pythonapi
    api.PyInterpreterState_Get.restype = ctypes.c_void_p    # (restypes: as set above)
    ts, interp = api._PyThreadState_UncheckedGet(), api.PyInterpreterState_Get()
    words = (ctypes.c_uint64 * 16).from_address(ts)
    hits = [i * 8 for i in range(16) if words[i] == interp]
    return hits[0] if len(hits) == 1 else None


# native code polls ts->interp->ceval.eval_breaker where both offsets are known
TSTATE_INTERP = _interp_offset() if EVAL_BREAKER is not None else None


def _eval_breaker_address() -> int:
    api = ctypes.pythonapi
    api.PyInterpreterState_Get.restype = ctypes.c_void_p
    return api.PyInterpreterState_Get() + EVAL_BREAKER


# Data whose address depends on the interpreter that links the code (the running one)
INTERPRETER_DATA = {"jit_eval_breaker": _eval_breaker_address}


def address(name: str) -> int:
    if name in RUNTIME_DATA:
        return RUNTIME_DATA[name]
    if name in INTERPRETER_DATA:
        return INTERPRETER_DATA[name]()
    if name in DATA:
        addr = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, name))
    elif name in LIBM:
        addr = _libm_address(name)
    else:
        addr = ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value
    if not addr:
        raise RuntimeError(f"C-API symbol {name} not found")
    return addr


def declaration(name: str) -> str:
    if name in RUNTIME_DATA or name in INTERPRETER_DATA:
        return f"@{name} = external global i64"
    if name in DATA:
        return f"@{name} = external global i8"
    ret, params = FUNCTIONS[name]
    attrs = ATTRIBUTES.get(name, "")
    return f"declare {ret} @{name}({', '.join(params)}){' ' + attrs if attrs else ''}"


# The running thread's state is the same for the whole of a compiled call (the
# thread does not change under it), so LLVM may reuse one lookup (e.g. of inlined
# callees' recursion counting).
ATTRIBUTES = {"_PyThreadState_UncheckedGet": "nounwind willreturn memory(none)"}
