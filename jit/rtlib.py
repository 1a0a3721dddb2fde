"""rtlib: the cold helpers every compiled module calls, compiled once per process.

Tracebacks, exception fetching, out-of-line reference counting for unwinding
paths, boxing a native range: code each module would otherwise carry (and
LLVM generate machine code for) again. Modules ``declare`` them
(``DECLARATIONS``) and import their addresses (``symbols()``), as they do the
C-API's.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
from runtime import abi, capi

from . import engine

CAPI = ("jit_helpers_globals", "jit_interpreter_check", "PyLong_FromLongLong", "PyErr_Fetch", "PyErr_Restore", "PyErr_Clear",
        "PyErr_NormalizeException", "PyException_SetTraceback", "PyObject_Vectorcall",
        "_Py_Dealloc", "_Py_NoneStruct", "PyTraceBack_Type", "PyList_New", "PyFloat_FromDouble",
        "PyDict_GetItemWithError", "PyErr_Occurred", "_Py_TrueStruct", "_Py_FalseStruct",
        "PyObject_GetItem", "PyObject_SetItem", "PyLong_Type", "PyBool_Type",
        "PyLong_AsLongLongAndOverflow", "pow", "_PyType_Lookup", "PyObject_GenericGetAttr",
        "PyObject_GenericSetAttr", "PyFunction_Type", "PyEval_SaveThread", "PyEval_RestoreThread",
        "Py_MakePendingCalls", "_PyThreadState_UncheckedGet", "PyThreadState_GetInterpreter", "pthread_self",
        "pthread_getattr_np", "pthread_attr_getstack", "pthread_attr_destroy", "PyFrame_New",
        "PyException_GetTraceback", "PyErr_ExceptionMatches", "PyExc_AttributeError",
        "PyExc_KeyError", "PyTuple_Type", "PyErr_GivenExceptionMatches", "_PyObject_GC_New",
        "PyObject_GC_Track", "PyType_IsSubtype", "PyMemberDescr_Type", "PyRange_Type",
        "PyObject_GetIter", "PyModule_Type", "PyMethod_Type", "_PyFunction_Vectorcall",
        "_PyCode_GetExtra", "jit_code_extra_index", "jit_raw_marker", "PyWeakref_GetObject")

INLINE = """
!0 = !{!"branch_weights", i32 1, i32 4000}
!1 = !{!"branch_weights", i32 4000, i32 1}
define internal void @jit.xincref(ptr %o) alwaysinline {
  %z = icmp eq ptr %o, null
  br i1 %z, label %done, label %inc
inc:
  call void @jit.incref(ptr %o)
  br label %done
done:
  ret void
}
define internal void @jit.xdecref(ptr %o) alwaysinline {
  %z = icmp eq ptr %o, null
  br i1 %z, label %done, label %dec
dec:
  call void @jit.decref(ptr %o)
  br label %done
done:
  ret void
}
"""

HELPERS = """
; Out-of-line releases for cold paths (unwinding), to keep the code small.
define void @jit.decref.cold(ptr %o) noinline cold {
  call void @jit.decref(ptr %o)
  ret void
}
define void @jit.xdecref.cold(ptr %o) noinline cold {
  call void @jit.xdecref(ptr %o)
  ret void
}
define void @jit.incref.cold(ptr %o) noinline cold {
  call void @jit.incref(ptr %o)
  ret void
}
; A thread's C-stack floor for compiled frames (see runtime.capi.stack_table): its
; stack's lowest address plus a reserve for the C code compiled frames call (a
; quarter of the stack, at least 32 KB, at most half of it), stored in %entry with
; the thread's id. 0 (no floor) if the bounds cannot be read. A main-thread stack
; reported unbounded (RLIMIT_STACK unlimited) is taken as 8 MB.
define i64 @jit.stack_floor(i64 %tid, ptr %entry) noinline cold {
  %attr = alloca [16 x i64]
  %addr.p = alloca i64
  %size.p = alloca i64
  %self = call i64 @pthread_self()
  %rc = call i32 @pthread_getattr_np(i64 %self, ptr %attr)
  %ok = icmp eq i32 %rc, 0
  br i1 %ok, label %got, label %unknown
got:
  %rc2 = call i32 @pthread_attr_getstack(ptr %attr, ptr %addr.p, ptr %size.p)
  %rc3 = call i32 @pthread_attr_destroy(ptr %attr)
  %ok2 = icmp eq i32 %rc2, 0
  br i1 %ok2, label %bounds, label %unknown
bounds:
  %addr = load i64, ptr %addr.p
  %size0 = load i64, ptr %size.p
  %top = add i64 %addr, %size0
  %huge = icmp ugt i64 %size0, 1073741824
  %size = select i1 %huge, i64 8388608, i64 %size0
  %low = sub i64 %top, %size
  %q = lshr i64 %size, 2
  %half = lshr i64 %size, 1
  %small = icmp ult i64 %q, 32768
  %r1 = select i1 %small, i64 32768, i64 %q
  %over = icmp ugt i64 %r1, %half
  %reserve = select i1 %over, i64 %half, i64 %r1
  %floor = add i64 %low, %reserve
  store i64 %tid, ptr %entry
  %fp = getelementptr i64, ptr %entry, i64 1
  store i64 %floor, ptr %fp
  ret i64 %floor
unknown:
  ret i64 0
}
; Take the pending exception for a handler: normalised, traceback attached.
define ptr @jit.fetch_exc() noinline cold {
  %t = alloca ptr
  %v = alloca ptr
  %tb = alloca ptr
  call void @PyErr_Fetch(ptr %t, ptr %v, ptr %tb)
  call void @PyErr_NormalizeException(ptr %t, ptr %v, ptr %tb)
  %tv = load ptr, ptr %t
  %vv = load ptr, ptr %v
  %tbv = load ptr, ptr %tb
  %none = icmp eq ptr %tbv, null
  %tbo = select i1 %none, ptr @_Py_NoneStruct, ptr %tbv
  %rc = call i32 @PyException_SetTraceback(ptr %vv, ptr %tbo)
  call void @jit.xdecref(ptr %tv)
  call void @jit.xdecref(ptr %tbv)
  ret ptr %vv
}
; An exception out of a folded generator expression (lower.lo_fold_call): the
; pending one is handed to %fixer (runtime.helpers.fold_error) with %units, and
; what it returns is raised instead.
define void @jit.fold_error(ptr %fixer, ptr %units) noinline cold {
entry:
  %args = alloca [2 x ptr]
  %exc = call ptr @jit.fetch_exc()
  store ptr %exc, ptr %args
  %a1 = getelementptr ptr, ptr %args, i64 1
  store ptr %units, ptr %a1
  %new = call ptr @PyObject_Vectorcall(ptr %fixer, ptr %args, i64 2, ptr null)
  call void @jit.decref(ptr %exc)
  %ok = icmp ne ptr %new, null
  br i1 %ok, label %raise, label %done
raise:
  %tp = getelementptr i8, ptr %new, i64 8
  %ty = load ptr, ptr %tp
  call void @jit.incref(ptr %ty)
  %tb = call ptr @PyException_GetTraceback(ptr %new)
  call void @PyErr_Restore(ptr %ty, ptr %new, ptr %tb)
  ret void
done:
  ret void
}
; A runtime helper failed: drop its traceback entry, and those of the helpers it
; called (frames whose globals are runtime.helpers'; not looked for while
; jit_helpers_globals is NULL: the frame layout is unconfirmed)
define void @jit.strip_tb() noinline cold {
entry:
  %t = alloca ptr
  %v = alloca ptr
  %tb = alloca ptr
  call void @PyErr_Fetch(ptr %t, ptr %v, ptr %tb)
  %tbv = load ptr, ptr %tb
  %tv = load ptr, ptr %t
  %vv = load ptr, ptr %v
  %none = icmp eq ptr %tbv, null
  br i1 %none, label %done, label %walk
walk:
  %cur = phi ptr [ %tbv, %entry ], [ %next, %helper ]
  %np = getelementptr i8, ptr %cur, i64 16
  %next = load ptr, ptr %np
  %end = icmp eq ptr %next, null
  br i1 %end, label %cut, label %look
look:
  %hg = load ptr, ptr @jit_helpers_globals
  %known = icmp ne ptr %hg, null
  br i1 %known, label %inframe, label %cut
inframe:
  %fp = getelementptr i8, ptr %next, i64 24
  %fo = load ptr, ptr %fp
  %ifp = getelementptr i8, ptr %fo, i64 FRAME_IFRAME
  %iframe = load ptr, ptr %ifp
  %gp = getelementptr i8, ptr %iframe, i64 IFRAME_GLOBALS
  %g = load ptr, ptr %gp
  %same = icmp eq ptr %g, %hg
  br i1 %same, label %helper, label %cut
helper:
  br label %walk
cut:
  call void @jit.xincref(ptr %next)
  call void @jit.decref(ptr %tbv)
  call void @PyErr_Restore(ptr %tv, ptr %vv, ptr %next)
  ret void
done:
  call void @PyErr_Restore(ptr %tv, ptr %vv, ptr null)
  ret void
}
; A native range (or its iterator) as an object: fn(next, stop, step); NULL on failure.
; It takes the values, not the range's memory, so the range never escapes (LLVM keeps
; loop counters in registers)
define ptr @jit.box_range(i64 %x0, i64 %x1, i64 %x2, i1 %iter) noinline cold {
  %args = alloca [3 x ptr]
  %b0 = call ptr @PyLong_FromLongLong(i64 %x0)
  %b1 = call ptr @PyLong_FromLongLong(i64 %x1)
  %b2 = call ptr @PyLong_FromLongLong(i64 %x2)
  %n0 = icmp eq ptr %b0, null
  %n1 = icmp eq ptr %b1, null
  %n2 = icmp eq ptr %b2, null
  %n01 = or i1 %n0, %n1
  %any = or i1 %n01, %n2
  br i1 %any, label %fail, label %call
call:
  store ptr %b0, ptr %args
  %a1 = getelementptr ptr, ptr %args, i64 1
  store ptr %b1, ptr %a1
  %a2 = getelementptr ptr, ptr %args, i64 2
  store ptr %b2, ptr %a2
  ; range's own vectorcall and tp_iter: C code, no recursion-limit level taken (a
  ; deopt near the limit boxes its loop's iterator where the interpreter has one)
  %r = call ptr @PyObject_Vectorcall(ptr @PyRange_Type, ptr %args, i64 3, ptr null)
  %rnull = icmp eq ptr %r, null
  %doiter = select i1 %rnull, i1 false, i1 %iter
  br i1 %doiter, label %toiter, label %done
toiter:
  %it = call ptr @PyObject_GetIter(ptr %r)
  call void @jit.decref(ptr %r)
  br label %done
fail:
  br label %done
done:
  %res = phi ptr [ %r, %call ], [ %it, %toiter ], [ null, %fail ]
  call void @jit.xdecref(ptr %b0)
  call void @jit.xdecref(ptr %b1)
  call void @jit.xdecref(ptr %b2)
  ret ptr %res
}
; How many stack slots a value of deopt stack kind k takes (see jit.deopt_list).
define internal i64 @jit.stack_kind_width(i8 %k) alwaysinline {
entry:
  %riter = icmp eq i8 %k, 114
  %range = icmp eq i8 %k, 82
  %three = or i1 %riter, %range
  %pint = icmp eq i8 %k, 112
  %pfloat = icmp eq i8 %k, 113
  %two = or i1 %pint, %pfloat
  %w = select i1 %two, i64 2, i64 1
  %width = select i1 %three, i64 3, i64 %w
  ret i64 %width
}
; The frame of a deoptimising call as one list, locals then operand stack (see
; lower._deopt_shared). Local i holds vals[i], of kind kinds[i]: 'o' an owned
; object or NULL (unbound), 'i' an i64, 'f' a double (bound[i]: whether the typed
; slot holds one; 2: vals[i] is the argument object it was unboxed from, borrowed).
; Stack slot j holds stack[j], of kind skinds[j]: 'o' an owned object, 'n' the same
; or NULL, 'b' a borrowed object, 'm' the same or NULL, 'B' an i1, 'i' an i64, 'f' a
; double, 'p' / 'q' an i64 / a double then the argument object it was unboxed from
; (borrowed) or NULL, in two slots, 'r' / 'R' a native range iterator / range as its
; {start, stop, step} in three slots (boxed by jit.box_range);
; NULL stack slots become `null_slot`, unbound locals `unbound`. NULL on failure (a
; box failed), with every reference released.
define ptr @jit.deopt_list(ptr %vals, ptr %bound, ptr %kinds, i64 %n, ptr %stack, ptr %skinds, i64 %depth, ptr %unbound, ptr %null_slot) noinline cold {
entry:
  %size = add i64 %n, %depth
  %lst = call ptr @PyList_New(i64 %size)
  %nomem = icmp eq ptr %lst, null
  br i1 %nomem, label %drop, label %fill
fill:
  %ip = getelementptr i8, ptr %lst, i64 {LIST_ITEMS}
  %items = load ptr, ptr %ip
  br label %loc
loc:
  %i = phi i64 [ 0, %fill ], [ %i.next, %put ]
  %ok = phi i1 [ true, %fill ], [ %ok.next, %put ]
  %more = icmp ult i64 %i, %n
  br i1 %more, label %slot, label %stk
slot:
  %kp = getelementptr i8, ptr %kinds, i64 %i
  %k = load i8, ptr %kp
  %vp = getelementptr i64, ptr %vals, i64 %i
  %bp = getelementptr i8, ptr %bound, i64 %i
  %b8 = load i8, ptr %bp
  %b = icmp ne i8 %b8, 0
  switch i8 %k, label %k.obj [ i8 105, label %k.int
                               i8 102, label %k.float ]
k.obj:
  %o = load ptr, ptr %vp
  br label %put
k.int:
  br i1 %b, label %k.int.given, label %put
k.int.given:
  %ilent = icmp eq i8 %b8, 2
  br i1 %ilent, label %k.lent, label %k.int.box
k.int.box:
  %iv = load i64, ptr %vp
  %io = call ptr @PyLong_FromLongLong(i64 %iv)
  br label %put
k.float:
  br i1 %b, label %k.float.given, label %put
k.float.given:
  %flent = icmp eq i8 %b8, 2
  br i1 %flent, label %k.lent, label %k.float.box
k.float.box:
  %fv = load double, ptr %vp
  %fo = call ptr @PyFloat_FromDouble(double %fv)
  br label %put
k.lent:
  %lo = load ptr, ptr %vp
  call void @jit.incref(ptr %lo)
  br label %put
put:
  %x = phi ptr [ %o, %k.obj ], [ null, %k.int ], [ %io, %k.int.box ], [ null, %k.float ], [ %fo, %k.float.box ], [ %lo, %k.lent ]
  %tried = phi i1 [ false, %k.obj ], [ false, %k.int ], [ true, %k.int.box ], [ false, %k.float ], [ true, %k.float.box ], [ false, %k.lent ]
  %xnull = icmp eq ptr %x, null
  %failed = and i1 %xnull, %tried
  %ok.next = select i1 %failed, i1 false, i1 %ok
  %y = select i1 %xnull, ptr %unbound, ptr %x
  %yinc = select i1 %xnull, ptr %unbound, ptr null
  call void @jit.xincref(ptr %yinc)
  %q = getelementptr ptr, ptr %items, i64 %i
  store ptr %y, ptr %q
  %i.next = add i64 %i, 1
  br label %loc
stk:
  %j = phi i64 [ 0, %loc ], [ %j.next, %spush ]
  %soff = phi i64 [ 0, %loc ], [ %soff.next, %spush ]
  %ok2 = phi i1 [ %ok, %loc ], [ %ok2.next, %spush ]
  %smore = icmp ult i64 %j, %depth
  br i1 %smore, label %sslot, label %done
sslot:
  %skp = getelementptr i8, ptr %skinds, i64 %j
  %sk = load i8, ptr %skp
  %sp = getelementptr i64, ptr %stack, i64 %soff
  %sraw = load i64, ptr %sp
  %sptr = load ptr, ptr %sp
  switch i8 %sk, label %s.owned [ i8 114, label %s.riter
                                  i8 82, label %s.range
                                  i8 110, label %s.maybe
                                  i8 98, label %s.lent
                                  i8 109, label %s.maybe_lent
                                  i8 66, label %s.bool
                                  i8 105, label %s.int
                                  i8 102, label %s.float
                                  i8 112, label %s.param
                                  i8 113, label %s.param ]
s.owned:
  br label %spush
s.riter:
  br label %s.ranges
s.range:
  br label %s.ranges
s.ranges:
  %rmk = phi i1 [ true, %s.riter ], [ false, %s.range ]
  %rp1 = getelementptr i64, ptr %sp, i64 1
  %rstop = load i64, ptr %rp1
  %rp2 = getelementptr i64, ptr %sp, i64 2
  %rstep = load i64, ptr %rp2
  %rbox = call ptr @jit.box_range(i64 %sraw, i64 %rstop, i64 %rstep, i1 %rmk)
  br label %spush
s.maybe:
  %mnull = icmp eq ptr %sptr, null
  %mv = select i1 %mnull, ptr %null_slot, ptr %sptr
  %minc = select i1 %mnull, ptr %null_slot, ptr null
  call void @jit.xincref(ptr %minc)
  br label %spush
s.lent:
  call void @jit.incref(ptr %sptr)
  br label %spush
s.maybe_lent:
  %lnull = icmp eq ptr %sptr, null
  %lv = select i1 %lnull, ptr %null_slot, ptr %sptr
  call void @jit.incref(ptr %lv)
  br label %spush
s.bool:
  %bt = icmp ne i64 %sraw, 0
  %bo = select i1 %bt, ptr @_Py_TrueStruct, ptr @_Py_FalseStruct
  call void @jit.incref(ptr %bo)
  br label %spush
s.param:
  %pp = getelementptr i64, ptr %sp, i64 1
  %pobj = load ptr, ptr %pp
  %phas = icmp ne ptr %pobj, null
  br i1 %phas, label %s.param.obj, label %s.param.raw
s.param.obj:
  call void @jit.incref(ptr %pobj)
  br label %spush
s.param.raw:
  %pisf = icmp eq i8 %sk, 113
  br i1 %pisf, label %s.float, label %s.int
s.int:
  %si = call ptr @PyLong_FromLongLong(i64 %sraw)
  br label %spush
s.float:
  %sfv = load double, ptr %sp
  %sf = call ptr @PyFloat_FromDouble(double %sfv)
  br label %spush
spush:
  %sv = phi ptr [ %sptr, %s.owned ], [ %rbox, %s.ranges ], [ %mv, %s.maybe ], [ %sptr, %s.lent ], [ %lv, %s.maybe_lent ], [ %bo, %s.bool ], [ %si, %s.int ], [ %sf, %s.float ], [ %pobj, %s.param.obj ]
  %snull = icmp eq ptr %sv, null
  %sy = select i1 %snull, ptr %unbound, ptr %sv
  %sinc = select i1 %snull, ptr %unbound, ptr null
  call void @jit.xincref(ptr %sinc)
  %dst = add i64 %j, %n
  %sq = getelementptr ptr, ptr %items, i64 %dst
  store ptr %sy, ptr %sq
  %ok2.next = select i1 %snull, i1 false, i1 %ok2
  %j.next = add i64 %j, 1
  %swidth = call i64 @jit.stack_kind_width(i8 %sk)
  %soff.next = add i64 %soff, %swidth
  br label %stk
done:
  br i1 %ok2, label %give, label %fail
give:
  ret ptr %lst
fail:
  call void @jit.decref(ptr %lst)
  ret ptr null
drop:
  %d = phi i64 [ 0, %entry ], [ %d.next, %drop.next ]
  %dmore = icmp ult i64 %d, %n
  br i1 %dmore, label %drop.slot, label %drop.stk
drop.slot:
  %dkp = getelementptr i8, ptr %kinds, i64 %d
  %dk = load i8, ptr %dkp
  %dobj = icmp eq i8 %dk, 111
  br i1 %dobj, label %drop.obj, label %drop.next
drop.obj:
  %dvp = getelementptr ptr, ptr %vals, i64 %d
  %dv = load ptr, ptr %dvp
  call void @jit.xdecref(ptr %dv)
  br label %drop.next
drop.next:
  %d.next = add i64 %d, 1
  br label %drop
drop.stk:
  %e = phi i64 [ 0, %drop ], [ %e.next, %drop.stk.next ]
  %eoff = phi i64 [ 0, %drop ], [ %eoff.next, %drop.stk.next ]
  %emore = icmp ult i64 %e, %depth
  br i1 %emore, label %drop.stk.body, label %drop.done
drop.stk.body:
  %ekp = getelementptr i8, ptr %skinds, i64 %e
  %ek = load i8, ptr %ekp
  %eown = icmp eq i8 %ek, 111
  %emay = icmp eq i8 %ek, 110
  %edrop = or i1 %eown, %emay
  br i1 %edrop, label %drop.stk.obj, label %drop.stk.next
drop.stk.obj:
  %ep = getelementptr ptr, ptr %stack, i64 %eoff
  %ev = load ptr, ptr %ep
  call void @jit.xdecref(ptr %ev)
  br label %drop.stk.next
drop.stk.next:
  %e.next = add i64 %e, 1
  %ewidth = call i64 @jit.stack_kind_width(i8 %ek)
  %eoff.next = add i64 %eoff, %ewidth
  br label %drop.stk
drop.done:
  ret ptr null
}
; A global's value, borrowed: from the globals dict, else the builtins. Found, it is
; cached with the dicts' version tags read before the lookup (cache = {globals
; version, builtins version, value, the entry's index in globals or -1}). NULL with an exception set: the lookup's, or
; the NameError raised by name_error(name).
define ptr @jit.lookup_global(ptr %globals, ptr %builtins, ptr %name, ptr %cache, ptr %name_error, i64 %gver, i64 %bver) noinline cold {
entry:
  %args = alloca [1 x ptr]
  %g = call ptr @PyDict_GetItemWithError(ptr %globals, ptr %name)
  %gnull = icmp eq ptr %g, null
  br i1 %gnull, label %gmiss, label %ghit
ghit:
  %ix = call i64 @jit.global_index(ptr %globals, ptr %name)
  %ixp = getelementptr i64, ptr %cache, i64 3
  store i64 %ix, ptr %ixp
  br label %found
gmiss:
  %e1 = call ptr @PyErr_Occurred()
  %e1set = icmp ne ptr %e1, null
  br i1 %e1set, label %fail, label %builtin
builtin:
  %b = call ptr @PyDict_GetItemWithError(ptr %builtins, ptr %name)
  %bnull = icmp eq ptr %b, null
  br i1 %bnull, label %bmiss, label %found
bmiss:
  %e2 = call ptr @PyErr_Occurred()
  %e2set = icmp ne ptr %e2, null
  br i1 %e2set, label %fail, label %undefined
undefined:
  store ptr %name, ptr %args
  %r = call ptr @PyObject_Vectorcall(ptr %name_error, ptr %args, i64 1, ptr null)
  call void @jit.strip_tb()
  br label %fail
found:
  %v = phi ptr [ %g, %ghit ], [ %b, %builtin ]
  store i64 %gver, ptr %cache
  %cb = getelementptr i64, ptr %cache, i64 1
  store i64 %bver, ptr %cb
  %cv = getelementptr i64, ptr %cache, i64 2
  store ptr %v, ptr %cv
  ret ptr %v
fail:
  ret ptr null
}
; Is the global %name bound to %expected: in globals (%in_globals), or in builtins
; and not in globals? 1: it is, and the dicts' version tags read before the lookup
; are cached (cache = {globals version, builtins version, -, entry index}); 0: it
; is not; -1: the lookup raised.
define i32 @jit.global_is(ptr %globals, ptr %builtins, ptr %name, ptr %expected, ptr %cache, i64 %gver, i64 %bver, i1 %in_globals) noinline cold {
entry:
  %g = call ptr @PyDict_GetItemWithError(ptr %globals, ptr %name)
  %gnull = icmp eq ptr %g, null
  br i1 %gnull, label %gmiss, label %gfound
gfound:
  %gsame = icmp eq ptr %g, %expected
  %gok = and i1 %gsame, %in_globals
  br i1 %gok, label %gsame.ix, label %other
gsame.ix:
  %ix = call i64 @jit.global_index(ptr %globals, ptr %name)
  %ixp = getelementptr i64, ptr %cache, i64 3
  store i64 %ix, ptr %ixp
  br label %same
gmiss:
  %e1 = call ptr @PyErr_Occurred()
  %e1set = icmp ne ptr %e1, null
  br i1 %e1set, label %fail, label %gabsent
gabsent:
  br i1 %in_globals, label %other, label %builtin
builtin:
  %b = call ptr @PyDict_GetItemWithError(ptr %builtins, ptr %name)
  %bsame = icmp eq ptr %b, %expected
  br i1 %bsame, label %same, label %bother
bother:
  %e2 = call ptr @PyErr_Occurred()
  %e2set = icmp ne ptr %e2, null
  br i1 %e2set, label %fail, label %other
same:
  store i64 %gver, ptr %cache
  %cb = getelementptr i64, ptr %cache, i64 1
  store i64 %bver, ptr %cb
  ret i32 1
other:
  ret i32 0
fail:
  ret i32 -1
}
; seq[i] the generic way (not an exact list or tuple, or i out of range): a new
; reference, or NULL with the exception set.
define ptr @jit.getitem_index(ptr %seq, i64 %i) noinline cold {
entry:
  %key = call ptr @PyLong_FromLongLong(i64 %i)
  %nokey = icmp eq ptr %key, null
  br i1 %nokey, label %fail, label %get
get:
  %r = call ptr @PyObject_GetItem(ptr %seq, ptr %key)
  call void @jit.decref(ptr %key)
  ret ptr %r
fail:
  ret ptr null
}
; seq[i] = v the generic way; v is borrowed. -1 with the exception set on failure.
define i32 @jit.setitem_index(ptr %seq, i64 %i, ptr %v) noinline cold {
entry:
  %key = call ptr @PyLong_FromLongLong(i64 %i)
  %nokey = icmp eq ptr %key, null
  br i1 %nokey, label %fail, label %set
set:
  %rc = call i32 @PyObject_SetItem(ptr %seq, ptr %key, ptr %v)
  call void @jit.decref(ptr %key)
  ret i32 %rc
fail:
  ret i32 -1
}
; seq[i] = d the generic way, d boxed here. -1 with the exception set on failure.
define i32 @jit.setitem_index_float(ptr %seq, i64 %i, double %d) noinline cold {
entry:
  %v = call ptr @PyFloat_FromDouble(double %d)
  %nov = icmp eq ptr %v, null
  br i1 %nov, label %fail, label %set
set:
  %rc = call i32 @jit.setitem_index(ptr %seq, i64 %i, ptr %v)
  call void @jit.decref(ptr %v)
  ret i32 %rc
fail:
  ret i32 -1
}
; An exact int (or bool) that a double holds exactly (|v| <= 2**53), as a double;
; *ok says whether it was one (never an exception).
define double @jit.int_as_double(ptr %o, ptr %ok) noinline cold {
entry:
  %ovf = alloca i32
  %tp = getelementptr i8, ptr %o, i64 8
  %t = load ptr, ptr %tp
  %isint = icmp eq ptr %t, @PyLong_Type
  %isbool = icmp eq ptr %t, @PyBool_Type
  %isnum = or i1 %isint, %isbool
  br i1 %isnum, label %conv, label %no
conv:
  %v = call i64 @PyLong_AsLongLongAndOverflow(ptr %o, ptr %ovf)
  %of = load i32, ptr %ovf
  %fits = icmp eq i32 %of, 0
  %biased = add i64 %v, 9007199254740992
  %exact = icmp ule i64 %biased, 18014398509481984
  %good = and i1 %fits, %exact
  br i1 %good, label %yes, label %no
yes:
  store i8 1, ptr %ok
  %d = sitofp i64 %v to double
  ret double %d
no:
  store i8 0, ptr %ok
  ret double 0.0
}
""".replace("{LIST_ITEMS}", str(abi.LIST_ITEMS))

POW = """
declare {i64, i1} @llvm.smul.with.overflow.i64(i64, i64)
declare double @llvm.fabs.f64(double)
declare double @llvm.floor.f64(double)
; math.gcd(a, b) of two i64 by Euclid's algorithm on their magnitudes (unsigned:
; |-2**63| is 2**63); -1 when the result, 2**63, does not fit an i64.
define i64 @jit.gcd(i64 %a, i64 %b) {
entry:
  %an = sub i64 0, %a
  %aneg = icmp slt i64 %a, 0
  %ua = select i1 %aneg, i64 %an, i64 %a
  %bn = sub i64 0, %b
  %bneg = icmp slt i64 %b, 0
  %ub = select i1 %bneg, i64 %bn, i64 %b
  br label %loop
loop:
  %x = phi i64 [ %ua, %entry ], [ %y, %step ]
  %y = phi i64 [ %ub, %entry ], [ %r, %step ]
  %done = icmp eq i64 %y, 0
  br i1 %done, label %out, label %step
step:
  %r = urem i64 %x, %y
  br label %loop
out:
  %big = icmp slt i64 %x, 0
  %res = select i1 %big, i64 -1, i64 %x
  ret i64 %res
}
; Python's int ** int in 64 bits by repeated squaring; *bad is set (and the caller
; leaves it to the interpreter) for a negative exponent (a float result) or a result
; beyond 64 bits. A square is taken only while exponent bits remain, so it overflows
; only when the result would.
define i64 @jit.ipow(i64 %a, i64 %b, ptr %bad) {
entry:
  %neg = icmp slt i64 %b, 0
  br i1 %neg, label %fail, label %loop
loop:
  %r = phi i64 [ 1, %entry ], [ %r1, %square ]
  %x = phi i64 [ %a, %entry ], [ %x2, %square ]
  %e = phi i64 [ %b, %entry ], [ %e1, %square ]
  %bit = and i64 %e, 1
  %odd = icmp ne i64 %bit, 0
  br i1 %odd, label %mul, label %shift
mul:
  %m = call {i64, i1} @llvm.smul.with.overflow.i64(i64 %r, i64 %x)
  %mv = extractvalue {i64, i1} %m, 0
  %mo = extractvalue {i64, i1} %m, 1
  br i1 %mo, label %fail, label %shift
shift:
  %r1 = phi i64 [ %r, %loop ], [ %mv, %mul ]
  %e1 = lshr i64 %e, 1
  %last = icmp eq i64 %e1, 0
  br i1 %last, label %ok, label %square
square:
  %s = call {i64, i1} @llvm.smul.with.overflow.i64(i64 %x, i64 %x)
  %x2 = extractvalue {i64, i1} %s, 0
  %so = extractvalue {i64, i1} %s, 1
  br i1 %so, label %fail, label %loop
ok:
  store i8 0, ptr %bad
  ret i64 %r1
fail:
  store i8 1, ptr %bad
  ret i64 0
}
; Python's float ** float (CPython's float_pow) for finite operands: x ** 0 is 1;
; 0 ** y (y > 0) is 0, keeping the zero's sign for an odd integral y; otherwise libm
; pow of |x|, negated for a negative base with an odd integral exponent. *bad is set
; (the interpreter decides: it raises, or makes a complex or special result) for nan
; or inf operands, 0 ** negative, a negative base with a fractional exponent, and an
; infinite (overflowed) result.
define double @jit.fpow(double %x, double %y, ptr %bad) {
entry:
  %y0 = fcmp oeq double %y, 0.0
  br i1 %y0, label %one, label %chk
one:
  store i8 0, ptr %bad
  ret double 1.0
chk:
  %ay = call double @llvm.fabs.f64(double %y)
  %yfin = fcmp olt double %ay, 0x7FF0000000000000
  %ax = call double @llvm.fabs.f64(double %x)
  %xfin = fcmp olt double %ax, 0x7FF0000000000000
  %fin = and i1 %yfin, %xfin
  br i1 %fin, label %sign, label %fail
sign:
  %half = fmul double %ay, 0.5
  %fh = call double @llvm.floor.f64(double %half)
  %fy = call double @llvm.floor.f64(double %ay)
  %yint = fcmp oeq double %fy, %ay
  %hfrac = fcmp une double %fh, %half
  %oddy = and i1 %yint, %hfrac
  %x0 = fcmp oeq double %x, 0.0
  br i1 %x0, label %zero, label %nonzero
zero:
  %yneg = fcmp olt double %y, 0.0
  br i1 %yneg, label %fail, label %zres
zres:
  %z = select i1 %oddy, double %x, double 0.0
  store i8 0, ptr %bad
  ret double %z
nonzero:
  %xneg = fcmp olt double %x, 0.0
  %negfrac = xor i1 %yint, true
  %cplx = and i1 %xneg, %negfrac
  br i1 %cplx, label %fail, label %call
call:
  %p = call double @pow(double %ax, double %y)
  %ap = call double @llvm.fabs.f64(double %p)
  %pfin = fcmp olt double %ap, 0x7FF0000000000000
  br i1 %pfin, label %parity, label %fail
parity:
  %flip = and i1 %xneg, %oddy
  %np = fneg double %p
  %r = select i1 %flip, double %np, double %p
  store i8 0, ptr %bad
  ret double %r
fail:
  store i8 1, ptr %bad
  ret double 0.0
}
"""

ATTR = """
; tp's version tag, 0 when it has no valid one
define internal i64 @jit.version_tag(ptr %tp) alwaysinline {
  %fp = getelementptr i8, ptr %tp, i64 {TYPE_FLAGS}
  %flags = load i64, ptr %fp
  %valid = and i64 %flags, {VALID}
  %isvalid = icmp ne i64 %valid, 0
  %vp = getelementptr i8, ptr %tp, i64 {VERSION_TAG}
  %ver32 = load i32, ptr %vp
  %ver = zext i32 %ver32 to i64
  %r = select i1 %isvalid, i64 %ver, i64 0
  ret i64 %r
}

; whether tp is a heap type whose instances keep their attributes in values laid
; out by its shared keys (a managed dict)
define internal i1 @jit.managed_heap_type(ptr %tp) alwaysinline {
  %fp = getelementptr i8, ptr %tp, i64 {TYPE_FLAGS}
  %flags = load i64, ptr %fp
  %need = and i64 %flags, {MANAGED_HEAP}
  %managed = icmp eq i64 %need, {MANAGED_HEAP}
  ret i1 %managed
}

; Fill an attribute site's cache {type, version tag, where} for obj.name (set, when
; %store), when the type's own getattro/setattro is the generic one: where is name's
; index in the type's shared keys when it is a plain instance attribute (a managed
; dict, nothing of that name on the type or its bases), its offset negated when it
; is a __slots__ member (jit.member_slot), else -1 (this type version: always the
; generic path). Nothing is cached for a type without a valid version tag.
define void @jit.attr_fill(ptr %cache, ptr %obj, ptr %name, i1 %store) {
entry:
  %tpp = getelementptr i8, ptr %obj, i64 {OB_TYPE}
  %tp = load ptr, ptr %tpp
  %descr = call ptr @_PyType_Lookup(ptr %tp, ptr %name)   ; (gives tp a version tag)
  %ver = call i64 @jit.version_tag(ptr %tp)
  %isvalid = icmp ne i64 %ver, 0
  br i1 %isvalid, label %check, label %done
check:
  %hookoff = select i1 %store, i64 {SETATTRO}, i64 {GETATTRO}
  %hookp = getelementptr i8, ptr %tp, i64 %hookoff
  %hook = load ptr, ptr %hookp
  %generic = select i1 %store, ptr @PyObject_GenericSetAttr, ptr @PyObject_GenericGetAttr
  %plain = icmp eq ptr %hook, %generic
  br i1 %plain, label %kind, label %none
kind:
  %nodescr = icmp eq ptr %descr, null
  br i1 %nodescr, label %values, label %member
values:
  %managed = call i1 @jit.managed_heap_type(ptr %tp)
  br i1 %managed, label %keys, label %none
keys:
  %ki = call i64 @jit.shared_key_index(ptr %tp, ptr %name)
  %isidx = icmp sge i64 %ki, 0
  br i1 %isidx, label %found, label %none
found:
  br label %put
member:
  %mo = call i64 @jit.member_slot(ptr %tp, ptr %descr, i1 %store)
  br label %put
none:
  br label %put
put:
  %where = phi i64 [ %ki, %found ], [ %mo, %member ], [ -1, %none ]
  store ptr %tp, ptr %cache
  %c1p = getelementptr i64, ptr %cache, i64 1
  store i64 %ver, ptr %c1p
  %c2p = getelementptr i64, ptr %cache, i64 2
  store i64 %where, ptr %c2p
  br label %done
done:
  ret void
}

; The offset, negated, of the object pointer that descr (found on tp) reads and
; writes when it is a __slots__ member, as CPython's LOAD_ATTR_SLOT / STORE_ATTR_SLOT
; serve it: a T_OBJECT_EX member (NULL while unset) of a type tp's instances are of
; (else its getter raises), not audited when read, not read-only when stored; else -1.
define internal i64 @jit.member_slot(ptr %tp, ptr %descr, i1 %store) {
entry:
  %dtp = getelementptr i8, ptr %descr, i64 {OB_TYPE}
  %dt = load ptr, ptr %dtp
  %ismember = icmp eq ptr %dt, @PyMemberDescr_Type
  br i1 %ismember, label %owner, label %no
owner:
  %ownp = getelementptr i8, ptr %descr, i64 {DESCR_TYPE}
  %own = load ptr, ptr %ownp
  %sub = call i32 @PyType_IsSubtype(ptr %tp, ptr %own)
  %issub = icmp ne i32 %sub, 0
  br i1 %issub, label %def, label %no
def:
  %mp = getelementptr i8, ptr %descr, i64 {MEMBER_DESCR_DEF}
  %m = load ptr, ptr %mp
  %typ = getelementptr i8, ptr %m, i64 {MEMBER_TYPE}
  %ty = load i32, ptr %typ
  %isobj = icmp eq i32 %ty, {T_OBJECT_EX}
  %flp = getelementptr i8, ptr %m, i64 {MEMBER_FLAGS}
  %fl = load i32, ptr %flp
  %barred = select i1 %store, i32 {MEMBER_READONLY}, i32 {MEMBER_AUDIT_READ}
  %bars = and i32 %fl, %barred
  %free = icmp eq i32 %bars, 0
  %offp = getelementptr i8, ptr %m, i64 {MEMBER_OFFSET}
  %off = load i64, ptr %offp
  %inside = icmp sgt i64 %off, 0
  %c1 = and i1 %isobj, %free
  %ok = and i1 %c1, %inside
  %neg = sub i64 0, %off
  %r = select i1 %ok, i64 %neg, i64 -1
  ret i64 %r
no:
  ret i64 -1
}
"""


POLY = """
; Fill the entry of a site's cache (ENTRIES entries of {type, ...}, WORDS words
; each, then a round-robin word) that is to serve obj's type: the entry already for
; that type (a new version of it), else an empty one, else the next in turn.
define void @jit.{NAME}_poly(ptr %cache, ptr %obj, ptr %name, {ARG}) {
entry:
  %tpp = getelementptr i8, ptr %obj, i64 {OB_TYPE}
  %tp = load ptr, ptr %tpp
  br label %same
same:
  %i = phi i64 [ 0, %entry ], [ %i1, %same.next ]
  %more = icmp slt i64 %i, {ENTRIES}
  br i1 %more, label %same.look, label %empty
same.look:
  %o = mul i64 %i, {BYTES}
  %ep = getelementptr i8, ptr %cache, i64 %o
  %et = load ptr, ptr %ep
  %is = icmp eq ptr %et, %tp
  br i1 %is, label %fill, label %same.next
same.next:
  %i1 = add i64 %i, 1
  br label %same
empty:
  %j = phi i64 [ 0, %same ], [ %j1, %empty.next ]
  %jmore = icmp slt i64 %j, {ENTRIES}
  br i1 %jmore, label %empty.look, label %turn
empty.look:
  %jo = mul i64 %j, {BYTES}
  %jp = getelementptr i8, ptr %cache, i64 %jo
  %jt = load ptr, ptr %jp
  %free = icmp eq ptr %jt, null
  br i1 %free, label %fill, label %empty.next
empty.next:
  %j1 = add i64 %j, 1
  br label %empty
turn:
  %rp = getelementptr i8, ptr %cache, i64 {ROUND}
  %r = load i64, ptr %rp
  %r1 = add i64 %r, 1
  store i64 %r1, ptr %rp
  %k = urem i64 %r, {ENTRIES}
  br label %fill
fill:
  %which = phi i64 [ %i, %same.look ], [ %j, %empty.look ], [ %k, %turn ]
  %wo = mul i64 %which, {BYTES}
  %entryp = getelementptr i8, ptr %cache, i64 %wo
  call void @jit.{NAME}(ptr %entryp, ptr %obj, ptr %name, {ARG})
  ret void
}
"""


def _poly(name: str, words: int, arg: str) -> str:
    """POLY for the filler jit.<name> of entries of ``words`` words and one more
    argument ``arg`` (an LLVM type and name)."""
    return _fill_in(POLY, {"NAME": name, "BYTES": 8 * words, "ROUND": 8 * words * ATTR_ENTRIES,
                           "ARG": arg})


METHOD = """
; name's index in the split keys a managed-dict heap type shares among its
; instances (ht_cached_keys); -1 when it is not one of them, -2 without such keys.
define internal i64 @jit.shared_key_index(ptr %tp, ptr %name) {
entry:
  %kp = getelementptr i8, ptr %tp, i64 {CACHED_KEYS}
  %k = load ptr, ptr %kp
  %nok = icmp eq ptr %k, null
  br i1 %nok, label %nokeys, label %kind
kind:
  %kindp = getelementptr i8, ptr %k, i64 {KEYS_KIND}
  %kd = load i8, ptr %kindp
  %split = icmp eq i8 %kd, {SPLIT}
  br i1 %split, label %scan0, label %nokeys
scan0:
  %i = call i64 @jit.keys_index(ptr %k, ptr %name)
  ret i64 %i
nokeys:
  ret i64 -2
}

; Fill a method site's cache {type, version tag, function, entries of the type's
; shared keys} for obj.name: the function when obj.name is a plain function found
; on the type (a managed-dict heap type, the generic getattro, name none of its
; instances' attributes), else NULL (this type version: always the generic path).
; Nothing is cached for a type without a valid version tag.
define void @jit.method_fill(ptr %cache, ptr %obj, ptr %name, ptr %ftype) {
entry:
  %tpp = getelementptr i8, ptr %obj, i64 {OB_TYPE}
  %tp = load ptr, ptr %tpp
  %descr = call ptr @_PyType_Lookup(ptr %tp, ptr %name)   ; (gives tp a version tag)
  %ver = call i64 @jit.version_tag(ptr %tp)
  %isvalid = icmp ne i64 %ver, 0
  br i1 %isvalid, label %check, label %done
check:
  %managed = call i1 @jit.managed_heap_type(ptr %tp)
  %hookp = getelementptr i8, ptr %tp, i64 {GETATTRO}
  %hook = load ptr, ptr %hookp
  %plain = icmp eq ptr %hook, @PyObject_GenericGetAttr
  %c1 = and i1 %managed, %plain
  %hasdescr = icmp ne ptr %descr, null
  %c2 = and i1 %c1, %hasdescr
  br i1 %c2, label %kinds, label %uncached
kinds:
  %dtp = getelementptr i8, ptr %descr, i64 {OB_TYPE}
  %dt = load ptr, ptr %dtp
  %isfn = icmp eq ptr %dt, @PyFunction_Type
  %iscf = icmp eq ptr %dt, %ftype
  %callable = or i1 %isfn, %iscf
  %ki = call i64 @jit.shared_key_index(ptr %tp, ptr %name)
  %notattr = icmp eq i64 %ki, -1
  %ok = and i1 %callable, %notattr
  br i1 %ok, label %cached, label %uncached
cached:
  %kp = getelementptr i8, ptr %tp, i64 {CACHED_KEYS}
  %k = load ptr, ptr %kp
  %np = getelementptr i8, ptr %k, i64 {KEYS_NENTRIES}
  %n = load i64, ptr %np
  br label %put
uncached:
  br label %put
put:
  %fn = phi ptr [ %descr, %cached ], [ null, %uncached ]
  %ne = phi i64 [ %n, %cached ], [ -1, %uncached ]
  store ptr %tp, ptr %cache
  %c1p = getelementptr i64, ptr %cache, i64 1
  store i64 %ver, ptr %c1p
  %c2p = getelementptr i64, ptr %cache, i64 2
  store ptr %fn, ptr %c2p
  %c3p = getelementptr i64, ptr %cache, i64 3
  store i64 %ne, ptr %c3p
  br label %done
done:
  ret void
}
"""


ATTR_ENTRIES = 4     # the entries of an attribute or method site's cache (types served)

PROBE = """
; The entry of a site cache (entries of %bytes bytes, {type, version tag, ...})
; for a type as it is now, looked for from the second entry on (the code checks
; the first itself); NULL if there is none.
define ptr @jit.cache_probe(ptr %cache, ptr %tp, i64 %ver, i64 %bytes) {
entry:
  br label %loop
loop:
  %k = phi i64 [ 1, %entry ], [ %k1, %next ]
  %more = icmp slt i64 %k, {ENTRIES}
  br i1 %more, label %look, label %none
look:
  %o = mul i64 %k, %bytes
  %e = getelementptr i8, ptr %cache, i64 %o
  %t = load ptr, ptr %e
  %vp = getelementptr i8, ptr %e, i64 8
  %v = load i64, ptr %vp
  %st = icmp eq ptr %t, %tp
  %sv = icmp eq i64 %v, %ver
  %hit = and i1 %st, %sv
  br i1 %hit, label %found, label %next
next:
  %k1 = add i64 %k, 1
  br label %loop
found:
  ret ptr %e
none:
  ret ptr null
}
"""


def _fill_in(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


ATTR = _fill_in(ATTR + PROBE + _poly("attr_fill", 3, "i1 %store") + METHOD
               + _poly("method_fill", 4, "ptr %ftype"), {
              "ENTRIES": ATTR_ENTRIES,
              "OB_TYPE": abi.OB_TYPE, "TYPE_FLAGS": abi.TYPE_FLAGS,
              "VALID": abi.TPFLAGS_VALID_VERSION_TAG, "VERSION_TAG": abi.TYPE_VERSION_TAG,
              "MANAGED_HEAP": abi.TPFLAGS_MANAGED_DICT | abi.TPFLAGS_HEAPTYPE,
              "SETATTRO": abi.TYPE_SETATTRO, "GETATTRO": abi.TYPE_GETATTRO,
              "DESCR_TYPE": abi.DESCR_TYPE, "MEMBER_DESCR_DEF": abi.MEMBER_DESCR_DEF,
              "MEMBER_TYPE": abi.MEMBER_TYPE, "MEMBER_OFFSET": abi.MEMBER_OFFSET,
              "MEMBER_FLAGS": abi.MEMBER_FLAGS, "T_OBJECT_EX": abi.T_OBJECT_EX,
              "MEMBER_READONLY": abi.MEMBER_READONLY, "MEMBER_AUDIT_READ": abi.MEMBER_AUDIT_READ,
              "CACHED_KEYS": abi.HEAPTYPE_CACHED_KEYS, "KEYS_KIND": abi.KEYS_KIND,
              "SPLIT": abi.DICT_KEYS_SPLIT, "KEYS_NENTRIES": abi.KEYS_NENTRIES}
               ) if abi.INSTANCE_VALUES else ""

KEYS = _fill_in("""
; The entries of a dict keys table whose entries are {key, value} (str-keyed or
; split): after the 1 << dk_log2_index_bytes bytes of indices.
define internal ptr @jit.keys_entries(ptr %k) alwaysinline {
  %lp = getelementptr i8, ptr %k, i64 {KEYS_LOG2_INDEX_BYTES}
  %l8 = load i8, ptr %lp
  %l = zext i8 %l8 to i64
  %ib = shl i64 1, %l
  %eoff = add i64 %ib, {KEYS_INDICES}
  %entries = getelementptr i8, ptr %k, i64 %eoff
  ret ptr %entries
}
; The index of %name's entry in such a table, by identity (names are interned); -1
; if it has none.
define internal i64 @jit.keys_index(ptr %k, ptr %name) {
entry:
  %np = getelementptr i8, ptr %k, i64 {KEYS_NENTRIES}
  %n = load i64, ptr %np
  %entries = call ptr @jit.keys_entries(ptr %k)
  br label %scan
scan:
  %i = phi i64 [ 0, %entry ], [ %i1, %next ]
  %more = icmp slt i64 %i, %n
  br i1 %more, label %look, label %absent
look:
  %eo = mul i64 %i, 16
  %ep = getelementptr i8, ptr %entries, i64 %eo
  %key = load ptr, ptr %ep
  %same = icmp eq ptr %key, %name
  br i1 %same, label %found, label %next
next:
  %i1 = add i64 %i, 1
  br label %scan
found:
  ret i64 %i
absent:
  ret i64 -1
}
""", {"KEYS_NENTRIES": abi.KEYS_NENTRIES, "KEYS_LOG2_INDEX_BYTES": abi.KEYS_LOG2_INDEX_BYTES,
      "KEYS_INDICES": abi.KEYS_INDICES}) if abi.INSTANCE_VALUES or abi.GLOBAL_HINTS else ""

GLOBAL_HINT = _fill_in("""
; The index of %name's entry in the str-keyed table of %globals, by identity (names
; are interned); -1 if it has none there (or the table is not str-keyed).
define i64 @jit.global_index(ptr %globals, ptr %name) noinline cold {
entry:
  %kp = getelementptr i8, ptr %globals, i64 {DICT_KEYS}
  %k = load ptr, ptr %kp
  %kindp = getelementptr i8, ptr %k, i64 {KEYS_KIND}
  %kd = load i8, ptr %kindp
  %uni = icmp eq i8 %kd, {UNICODE}
  br i1 %uni, label %scan, label %absent
scan:
  %i = call i64 @jit.keys_index(ptr %k, ptr %name)
  ret i64 %i
absent:
  ret i64 -1
}
; A global's value (borrowed) through the entry index in cache[3], as the
; interpreter's LOAD_GLOBAL_MODULE finds it: after a store to another global (or
; to this one) changed the dict's version, it is still there. NULL if the entry at
; the index is not %name's (or holds no value, or the table is not str-keyed).
define ptr @jit.global_hint(ptr %globals, ptr %name, ptr %cache) noinline {
entry:
  %kp = getelementptr i8, ptr %globals, i64 {DICT_KEYS}
  %k = load ptr, ptr %kp
  %kindp = getelementptr i8, ptr %k, i64 {KEYS_KIND}
  %kd = load i8, ptr %kindp
  %uni = icmp eq i8 %kd, {UNICODE}
  %ixp = getelementptr i64, ptr %cache, i64 3
  %ix = load i64, ptr %ixp
  %np = getelementptr i8, ptr %k, i64 {KEYS_NENTRIES}
  %n = load i64, ptr %np
  %inside = icmp ult i64 %ix, %n
  %ok = and i1 %uni, %inside
  br i1 %ok, label %probe, label %miss
probe:
  %entries = call ptr @jit.keys_entries(ptr %k)
  %eo = mul i64 %ix, 16
  %ep = getelementptr i8, ptr %entries, i64 %eo
  %key = load ptr, ptr %ep
  %vp = getelementptr i8, ptr %ep, i64 8
  %v = load ptr, ptr %vp
  %same = icmp eq ptr %key, %name
  %bound = icmp ne ptr %v, null
  %hit = and i1 %same, %bound
  br i1 %hit, label %found, label %miss
found:
  ret ptr %v
miss:
  ret ptr null
}
""", {"DICT_KEYS": abi.DICT_KEYS, "KEYS_KIND": abi.KEYS_KIND, "UNICODE": abi.DICT_KEYS_UNICODE,
      "KEYS_NENTRIES": abi.KEYS_NENTRIES}) if abi.GLOBAL_HINTS else """
define i64 @jit.global_index(ptr %globals, ptr %name) noinline cold {
  ret i64 -1
}
"""

CALL_LASTI = _fill_in("""
; The frame offset a call that raised leaves (see lower._call_lasti): %past when the
; callable -- %first, else %second, a bound method's function -- is a Python
; function or a compiled one (%compiled: its type), else %at.
define i64 @jit.call_lasti(ptr %first, ptr %second, ptr %compiled, i64 %at, i64 %past) noinline cold {
entry:
  %none = icmp eq ptr %first, null
  %f0 = select i1 %none, ptr %second, ptr %first
  %tp0p = getelementptr i8, ptr %f0, i64 {OB_TYPE}
  %tp0 = load ptr, ptr %tp0p
  %ismeth = icmp eq ptr %tp0, @PyMethod_Type
  %unpack = and i1 %none, %ismeth
  br i1 %unpack, label %meth, label %check
meth:
  %fp = getelementptr i8, ptr %f0, i64 {METHOD_FUNC}
  %f1 = load ptr, ptr %fp
  br label %check
check:
  %f = phi ptr [ %f0, %entry ], [ %f1, %meth ]
  %tpp = getelementptr i8, ptr %f, i64 {OB_TYPE}
  %tp = load ptr, ptr %tpp
  %py = icmp eq ptr %tp, @PyFunction_Type
  %jit = icmp eq ptr %tp, %compiled
  %either = or i1 %py, %jit
  %r = select i1 %either, i64 %past, i64 %at
  ret i64 %r
}
""", {"OB_TYPE": abi.OB_TYPE, "METHOD_FUNC": abi.METHOD_FUNC})

MODULE_ATTR = _fill_in("""
; Is %module an exact module whose dict binds %name to %expected? 1: it is, and the
; dict's version tag read before the lookup is cached (cache = {version}); 0: it is
; not; -1: the lookup raised.
define i32 @jit.module_attr_is(ptr %module, ptr %name, ptr %expected, ptr %cache) noinline cold {
entry:
  %tpp = getelementptr i8, ptr %module, i64 {OB_TYPE}
  %tp = load ptr, ptr %tpp
  %ismod = icmp eq ptr %tp, @PyModule_Type
  br i1 %ismod, label %look, label %other
look:
  %dp = getelementptr i8, ptr %module, i64 {MODULE_DICT}
  %d = load ptr, ptr %dp
  %vp = getelementptr i8, ptr %d, i64 {DICT_VERSION}
  %ver = load i64, ptr %vp
  %v = call ptr @PyDict_GetItemWithError(ptr %d, ptr %name)
  %same = icmp eq ptr %v, %expected
  br i1 %same, label %yes, label %notsame
yes:
  store i64 %ver, ptr %cache
  ret i32 1
notsame:
  %e = call ptr @PyErr_Occurred()
  %eset = icmp ne ptr %e, null
  br i1 %eset, label %fail, label %other
other:
  ret i32 0
fail:
  ret i32 -1
}
""", {"OB_TYPE": abi.OB_TYPE, "MODULE_DICT": abi.MODULE_DICT, "DICT_VERSION": abi.DICT_VERSION})

CONTAINERS = _fill_in("""
; The list a star target takes (lower.lo_unpack_ex): the %n items of the exact tuple or
; list %seq from %lo, new references; NULL on failure; %seq itself when its size is no
; longer %size after the allocation (which may collect garbage, whose finalisers may
; change a list): the caller then iterates it as the interpreter does. The items are
; read after the allocation.
define ptr @jit.unpack_rest(ptr %seq, i64 %lo, i64 %n, i64 %size) {
entry:
  %l = call ptr @PyList_New(i64 %n)
  %fail = icmp eq ptr %l, null
  br i1 %fail, label %done, label %check
check:
  %szp = getelementptr i8, ptr %seq, i64 {VAR_SIZE}
  %now = load i64, ptr %szp
  %same = icmp eq i64 %now, %size
  br i1 %same, label %which, label %changed
changed:
  call void @jit.decref(ptr %l)
  ret ptr %seq
which:
  %tp = getelementptr i8, ptr %seq, i64 {OB_TYPE}
  %ty = load ptr, ptr %tp
  %is_tuple = icmp eq ptr %ty, @PyTuple_Type
  br i1 %is_tuple, label %tuple, label %list
tuple:
  %titems = getelementptr i8, ptr %seq, i64 {TUPLE_ITEMS}
  br label %start
list:
  %lp = getelementptr i8, ptr %seq, i64 {LIST_ITEMS}
  %litems = load ptr, ptr %lp
  br label %start
start:
  %items = phi ptr [ %titems, %tuple ], [ %litems, %list ]
  %from = getelementptr ptr, ptr %items, i64 %lo
  %dp = getelementptr i8, ptr %l, i64 {LIST_ITEMS}
  %dst = load ptr, ptr %dp
  %empty = icmp eq i64 %n, 0
  br i1 %empty, label %done, label %copy
copy:
  %i = phi i64 [ 0, %start ], [ %i1, %copy ]
  %sp = getelementptr ptr, ptr %from, i64 %i
  %v = load ptr, ptr %sp
  call void @jit.incref(ptr %v)
  %dp2 = getelementptr ptr, ptr %dst, i64 %i
  store ptr %v, ptr %dp2
  %i1 = add i64 %i, 1
  %more = icmp slt i64 %i1, %n
  br i1 %more, label %copy, label %done
done:
  ret ptr %l
}
; A dict merge failed (lower._dict_merge): its error as DICT_UPDATE ({**m}; %func
; NULL) and DICT_MERGE (a call's **m: format_kwargs_error) leave it. An AttributeError
; (the mapping has no keys()) becomes what %raise raises for (mapping), or for a
; call (func, mapping, None); a call's duplicate keyword, a KeyError whose value is
; still the key's 1-tuple (it is made an instance while an exception is handled,
; and then left as it is), what %raise raises for (func, mapping, the 1-tuple).
; Other errors stay. The helper's traceback entry is dropped.
define void @jit.merge_error(ptr %raise, ptr %func, ptr %mapping) noinline cold {
entry:
  %args = alloca [3 x ptr]
  %tp = alloca ptr
  %vp = alloca ptr
  %tbp = alloca ptr
  store ptr %func, ptr %args
  %a1 = getelementptr ptr, ptr %args, i64 1
  store ptr %mapping, ptr %a1
  %a2 = getelementptr ptr, ptr %args, i64 2
  store ptr @_Py_NoneStruct, ptr %a2
  %update = icmp eq ptr %func, null
  %aet = load ptr, ptr @PyExc_AttributeError
  %ae = call i32 @PyErr_ExceptionMatches(ptr %aet)
  %is_ae = icmp ne i32 %ae, 0
  br i1 %is_ae, label %not_mapping, label %for_call
not_mapping:
  call void @PyErr_Clear()
  %from = select i1 %update, ptr %a1, ptr %args
  %nargs = select i1 %update, i64 1, i64 3
  %r = call ptr @PyObject_Vectorcall(ptr %raise, ptr %from, i64 %nargs, ptr null)
  call void @jit.xdecref(ptr %r)
  call void @jit.strip_tb()
  ret void
for_call:
  br i1 %update, label %keep, label %key_error
key_error:
  %ket = load ptr, ptr @PyExc_KeyError
  %ke = call i32 @PyErr_ExceptionMatches(ptr %ket)
  %is_ke = icmp ne i32 %ke, 0
  br i1 %is_ke, label %fetch, label %keep
fetch:
  call void @PyErr_Fetch(ptr %tp, ptr %vp, ptr %tbp)
  %t = load ptr, ptr %tp
  %v = load ptr, ptr %vp
  %tb = load ptr, ptr %tbp
  %vnull = icmp eq ptr %v, null
  br i1 %vnull, label %restore, label %is_tuple
is_tuple:
  %vtp = getelementptr i8, ptr %v, i64 {OB_TYPE}
  %vty = load ptr, ptr %vtp
  %fp = getelementptr i8, ptr %vty, i64 {TYPE_FLAGS}
  %flags = load i64, ptr %fp
  %tbit = and i64 %flags, {TUPLE_SUBCLASS}
  %tuple = icmp ne i64 %tbit, 0
  br i1 %tuple, label %size, label %restore
size:
  %sp = getelementptr i8, ptr %v, i64 {VAR_SIZE}
  %n = load i64, ptr %sp
  %one = icmp eq i64 %n, 1
  br i1 %one, label %duplicate, label %restore
duplicate:
  store ptr %v, ptr %a2
  %r2 = call ptr @PyObject_Vectorcall(ptr %raise, ptr %args, i64 3, ptr null)
  call void @jit.xdecref(ptr %r2)
  call void @jit.xdecref(ptr %t)
  call void @jit.xdecref(ptr %v)
  call void @jit.xdecref(ptr %tb)
  call void @jit.strip_tb()
  ret void
restore:
  call void @PyErr_Restore(ptr %t, ptr %v, ptr %tb)
  ret void
keep:
  ret void
}
; Whether %o is an exception class (PyExceptionClass_Check): a type (its type's flags
; say so: only then are %o's own flags read) with BaseException in its MRO.
define internal i1 @jit.is_exc_class(ptr %o) alwaysinline {
entry:
  %mtp = getelementptr i8, ptr %o, i64 {OB_TYPE}
  %mt = load ptr, ptr %mtp
  %mfp = getelementptr i8, ptr %mt, i64 {TYPE_FLAGS}
  %mflags = load i64, ptr %mfp
  %tbit = and i64 %mflags, {TYPE_SUBCLASS}
  %is_type = icmp ne i64 %tbit, 0
  br i1 %is_type, label %type, label %done
type:
  %fp = getelementptr i8, ptr %o, i64 {TYPE_FLAGS}
  %flags = load i64, ptr %fp
  %ebit = and i64 %flags, {BASE_EXC_SUBCLASS}
  %is_exc = icmp ne i64 %ebit, 0
  br label %done
done:
  %r = phi i1 [ false, %entry ], [ %is_exc, %type ]
  ret i1 %r
}
; CHECK_EXC_MATCH (lower.lo_check_exc_match): 1 if the exception %exc matches %typ,
; 0 if not, -1 if %typ is neither an exception class nor a tuple of them (the except
; clause's TypeError, which the caller raises). As the interpreter: every item of a
; tuple is checked first (check_except_type_valid), then PyErr_GivenExceptionMatches
; matches by the MRO, never asking a metaclass's __subclasscheck__.
define i32 @jit.exc_match(ptr %exc, ptr %typ) {
entry:
  %tp = getelementptr i8, ptr %typ, i64 {OB_TYPE}
  %ty = load ptr, ptr %tp
  %fp = getelementptr i8, ptr %ty, i64 {TYPE_FLAGS}
  %flags = load i64, ptr %fp
  %tbit = and i64 %flags, {TUPLE_SUBCLASS}
  %is_tuple = icmp ne i64 %tbit, 0
  br i1 %is_tuple, label %tuple, label %one
one:
  %ok = call i1 @jit.is_exc_class(ptr %typ)
  br i1 %ok, label %match, label %bad
tuple:
  %sp = getelementptr i8, ptr %typ, i64 {VAR_SIZE}
  %n = load i64, ptr %sp
  %items = getelementptr i8, ptr %typ, i64 {TUPLE_ITEMS}
  br label %check
check:
  %i = phi i64 [ 0, %tuple ], [ %i1, %item ]
  %more = icmp slt i64 %i, %n
  br i1 %more, label %item, label %match
item:
  %ip = getelementptr ptr, ptr %items, i64 %i
  %it = load ptr, ptr %ip
  %i1 = add i64 %i, 1
  %iok = call i1 @jit.is_exc_class(ptr %it)
  br i1 %iok, label %check, label %bad
match:
  %m = call i32 @PyErr_GivenExceptionMatches(ptr %exc, ptr %typ)
  ret i32 %m
bad:
  ret i32 -1
}
""", {"OB_TYPE": abi.OB_TYPE, "TYPE_FLAGS": abi.TYPE_FLAGS, "VAR_SIZE": abi.VAR_SIZE,
      "TUPLE_ITEMS": abi.TUPLE_ITEMS, "LIST_ITEMS": abi.LIST_ITEMS,
      "TUPLE_SUBCLASS": abi.TPFLAGS_TUPLE_SUBCLASS, "TYPE_SUBCLASS": abi.TPFLAGS_TYPE_SUBCLASS,
      "BASE_EXC_SUBCLASS": abi.TPFLAGS_BASE_EXC_SUBCLASS})

# name -> (return type, parameter types)
SIGNATURES = {
    "jit.decref.cold": ("void", "ptr"),
    "jit.xdecref.cold": ("void", "ptr"),
    "jit.incref.cold": ("void", "ptr"),
    "jit.tick": ("i32", ""),
    "jit.tb_here": ("void", "ptr, i64, i64"),
    "jit.stack_floor": ("i64", "i64, ptr"),
    **({"jit.tb_frame": ("ptr", "ptr, i64, ptr, ptr, ptr, i64")} if abi.FRAME_SLOTS_LAYOUT else {}),
    "jit.fetch_exc": ("ptr", ""),
    "jit.closure_call": ("ptr", "ptr, ptr, i64, ptr"),
    "jit.strip_tb": ("void", ""),
    "jit.box_range": ("ptr", "i64, i64, i64, i1"),
    "jit.deopt_list": ("ptr", "ptr, ptr, ptr, i64, ptr, ptr, i64, ptr, ptr"),
    "jit.deopt_resume": ("ptr", "ptr, ptr, ptr, ptr, i64"),
    "jit.lookup_global": ("ptr", "ptr, ptr, ptr, ptr, ptr, i64, i64"),
    "jit.global_is": ("i32", "ptr, ptr, ptr, ptr, ptr, i64, i64, i1"),
    "jit.module_attr_is": ("i32", "ptr, ptr, ptr, ptr"),
    "jit.call_lasti": ("i64", "ptr, ptr, ptr, i64, i64"),
    **({"jit.global_hint": ("ptr", "ptr, ptr, ptr")} if abi.GLOBAL_HINTS else {}),
    "jit.fold_error": ("void", "ptr, ptr"),
    "jit.unpack_rest": ("ptr", "ptr, i64, i64, i64"),
    "jit.exc_match": ("i32", "ptr, ptr"),
    "jit.merge_error": ("void", "ptr, ptr, ptr"),
    "jit.getitem_index": ("ptr", "ptr, i64"),
    "jit.setitem_index": ("i32", "ptr, i64, ptr"),
    "jit.setitem_index_float": ("i32", "ptr, i64, double"),
    "jit.int_as_double": ("double", "ptr, ptr"),
    "jit.ipow": ("i64", "i64, i64, ptr"),
    "jit.gcd": ("i64", "i64, i64"),
    "jit.fpow": ("double", "double, double, ptr"),
    **({"jit.attr_fill": ("void", "ptr, ptr, ptr, i1"),
        "jit.attr_fill_poly": ("void", "ptr, ptr, ptr, i1"),
        "jit.method_fill_poly": ("void", "ptr, ptr, ptr, ptr"),
        "jit.method_fill": ("void", "ptr, ptr, ptr, ptr"),
        "jit.cache_probe": ("ptr", "ptr, ptr, i64, i64")} if abi.INSTANCE_VALUES else {}),
}
# called on fast paths: not marked cold
HOT = {"jit.closure_call", "jit.global_hint", "jit.ipow", "jit.fpow", "jit.gcd", "jit.cache_probe", "jit.unpack_rest", "jit.exc_match"}

DECLARATIONS = "\n".join(f"declare {ret} @{name}({params}){'' if name in HOT else ' cold'}"
                         for name, (ret, params) in SIGNATURES.items())


# The entry is made as PyTraceBack_Here makes it (tb_create_raw): allocated and
# filled in, not by calling the traceback type (an argument tuple, parsing, boxed
# ints, and a count against the recursion limit that PyTraceBack_Here does not take).
TB_HERE = _fill_in("""
; Add a traceback entry for the compiled function to the pending exception.
define void @jit.tb_here(ptr %frame, i64 %lasti, i64 %line) noinline cold {
  %t = alloca ptr
  %v = alloca ptr
  %tb = alloca ptr
  call void @PyErr_Fetch(ptr %t, ptr %v, ptr %tb)
  %new = call ptr @_PyObject_GC_New(ptr @PyTraceBack_Type)
  %tv = load ptr, ptr %t
  %vv = load ptr, ptr %v
  %tbv = load ptr, ptr %tb
  %failed = icmp eq ptr %new, null
  br i1 %failed, label %keep, label %fill
keep:
  call void @PyErr_Clear()
  call void @PyErr_Restore(ptr %tv, ptr %vv, ptr %tbv)
  ret void
fill:
  %next.p = getelementptr i8, ptr %new, i64 {TB_NEXT}
  store ptr %tbv, ptr %next.p
  call void @jit.incref(ptr %frame)
  %frame.p = getelementptr i8, ptr %new, i64 {TB_FRAME}
  store ptr %frame, ptr %frame.p
  %lasti.p = getelementptr i8, ptr %new, i64 {TB_LASTI}
  %lasti.i = trunc i64 %lasti to i32
  store i32 %lasti.i, ptr %lasti.p
  %line.p = getelementptr i8, ptr %new, i64 {TB_LINENO}
  %line.i = trunc i64 %line to i32
  store i32 %line.i, ptr %line.p
  call void @PyObject_GC_Track(ptr %new)
  call void @PyErr_Restore(ptr %tv, ptr %vv, ptr %new)
  ret void
}
""", {"TB_NEXT": abi.TB_NEXT, "TB_FRAME": abi.TB_FRAME, "TB_LASTI": abi.TB_LASTI,
      "TB_LINENO": abi.TB_LINENO})


def _lend_count(by: int) -> tuple[str, str]:
    """IR lines adding ``by`` to %ts's recursion-limit count (through %rcp), and the
    lines taking it back."""
    up = (f"  %rcp = getelementptr i8, ptr %ts, i64 {capi.RECURSION_COUNTER}\n"
          f"  %rc0 = load i32, ptr %rcp\n  %rc1 = add i32 %rc0, {by}\n  store i32 %rc1, ptr %rcp")
    down = f"  %rc2 = load i32, ptr %rcp\n  %rc3 = sub i32 %rc2, {by}\n  store i32 %rc3, ptr %rcp"
    return up, down


# The call a deoptimising function makes (see Lowering._deopt_call): deopt(site,
# lst, left), with `left` the recursion-limit count this level leaves (%own: 1 for a
# leaf copy, which did not count its level) and the count lent DEOPT_LEND meanwhile,
# so the Python code on the way does not hit the limit; the list is released. A NULL
# list (jit.deopt_list failed) is a NULL result.
DEOPT_RESUME = """
define ptr @jit.deopt_resume(ptr %lst, ptr %site, ptr %deopt, ptr %ts, i64 %own) noinline cold {
entry:
  %failed = icmp eq ptr %lst, null
  br i1 %failed, label %out, label %call
call:
  %args = alloca [3 x ptr]
;LEFT
  store ptr %site, ptr %args
  %a1 = getelementptr ptr, ptr %args, i64 1
  store ptr %lst, ptr %a1
  %a2 = getelementptr ptr, ptr %args, i64 2
  store ptr %left, ptr %a2
;LEND
  %r = call ptr @PyObject_Vectorcall(ptr %deopt, ptr %args, i64 3, ptr null)
;UNLEND
  call void @jit.xdecref(ptr %left)
  call void @jit.decref(ptr %lst)
  br label %out
out:
  %res = phi ptr [ null, %entry ], [ %r, %call ]
  ret ptr %res
}
"""


# A loop's periodic break (lower.lo_check_signals): when the interpreter's eval loop
# would (its eval_breaker set: runtime.capi.EVAL_BREAKER), let other threads take
# the GIL, then run signal handlers and pending calls; -1 if one raised. (Before, every tick gave the
# GIL up and took it back, two lock round trips whether or not a thread waited.)
TICK = """
define i32 @jit.tick() noinline cold {
;POLL
  %ts = call ptr @PyEval_SaveThread()
  call void @PyEval_RestoreThread(ptr %ts)
  %rc = call i32 @Py_MakePendingCalls()
;AGAIN
  ret i32 %rc
;IDLE
}
"""
# Still set after that: what only the interpreter's own check handles (an
# asynchronous exception) is left to it, in a call of a Python function (whose
# traceback entry is dropped), instead of polling every back-edge meanwhile.
TICK_AGAIN = """  %failed = icmp slt i32 %rc, 0
  br i1 %failed, label %done, label %again
again:
  %flag2 = load atomic i32, ptr %flag.p monotonic, align 4
  %still = icmp ne i32 %flag2, 0
  br i1 %still, label %check, label %done
check:
  %fn = load ptr, ptr @jit_interpreter_check
  %r = call ptr @PyObject_Vectorcall(ptr %fn, ptr null, i64 0, ptr null)
  %raised = icmp eq ptr %r, null
  br i1 %raised, label %stripped, label %fine
stripped:
  call void @jit.strip_tb()
  ret i32 -1
fine:
  call void @jit.decref(ptr %r)
  br label %done
done:
  %rc2 = phi i32 [ %rc, %break ], [ %rc, %again ], [ 0, %fine ]
  ret i32 %rc2
"""


def _tick() -> str:
    if capi.EVAL_BREAKER is None:
        return TICK.replace(";POLL\n", "").replace(";IDLE\n", "").replace(";AGAIN\n", "")
    poll = ("  %now = call ptr @_PyThreadState_UncheckedGet()\n"
            "  %interp = call ptr @PyThreadState_GetInterpreter(ptr %now)\n"
            f"  %flag.p = getelementptr i8, ptr %interp, i64 {capi.EVAL_BREAKER}\n"
            "  %flag = load atomic i32, ptr %flag.p monotonic, align 4\n"
            "  %quiet = icmp eq i32 %flag, 0\n"
            "  br i1 %quiet, label %idle, label %break\n"
            "break:\n")
    return TICK.replace(";POLL\n", poll).replace(";IDLE\n", "idle:\n  ret i32 0\n").replace(
        ";AGAIN\n  ret i32 %rc\n", TICK_AGAIN)


def _deopt_resume() -> str:
    if capi.RECURSION_COUNTER is None:
        return DEOPT_RESUME.replace(";LEFT", "  %left = getelementptr i8, ptr @_Py_NoneStruct, i64 0\n"
                                    "  call void @jit.incref(ptr %left)").replace(
            ";LEND", "").replace(";UNLEND", "")
    lend, unlend = _lend_count(capi.DEOPT_LEND)
    left = (f"  %lp = getelementptr i8, ptr %ts, i64 {capi.RECURSION_COUNTER}\n"
            "  %lc = load i32, ptr %lp\n  %lc64 = sext i32 %lc to i64\n"
            "  %lown = sub i64 %lc64, %own\n"
            "  %left = call ptr @PyLong_FromLongLong(i64 %lown)")
    return DEOPT_RESUME.replace(";LEFT", left).replace(";LEND", lend).replace(";UNLEND", unlend)


# A frame for a traceback entry of compiled code that holds its locals (f_locals,
# f_lineno read as the interpreter's frame would): see Lowering._tb_shared.
TB_FRAME = """
; A new frame like %proto (its code and globals) holding the compiled frame's locals
; (vals/bound/kinds as for jit.deopt_list, but objects borrowed: new references are
; taken), its last instruction at byte offset %lasti. NULL if it cannot be made;
; the pending exception is kept either way.
define ptr @jit.tb_frame(ptr %proto, i64 %lasti, ptr %vals, ptr %bound, ptr %kinds, i64 %n) noinline cold {
entry:
  %t = alloca ptr
  %v = alloca ptr
  %tb = alloca ptr
  call void @PyErr_Fetch(ptr %t, ptr %v, ptr %tb)
  %pif.p = getelementptr i8, ptr %proto, i64 FRAME_IFRAME
  %pif = load ptr, ptr %pif.p
  %code.p = getelementptr i8, ptr %pif, i64 IFRAME_CODE
  %code = load ptr, ptr %code.p
  %glob.p = getelementptr i8, ptr %pif, i64 IFRAME_GLOBALS
  %glob = load ptr, ptr %glob.p
  %ts = call ptr @_PyThreadState_UncheckedGet()
  %f = call ptr @PyFrame_New(ptr %ts, ptr %code, ptr %glob, ptr null)
  %fnull = icmp eq ptr %f, null
  br i1 %fnull, label %done, label %made
made:
  %if.p = getelementptr i8, ptr %f, i64 FRAME_IFRAME
  %if = load ptr, ptr %if.p
  %units = getelementptr i8, ptr %code, i64 CODE_UNITS
  %prev = getelementptr i8, ptr %units, i64 %lasti
  %prev.p = getelementptr i8, ptr %if, i64 IFRAME_PREV_INSTR
  store ptr %prev, ptr %prev.p
  %slots = getelementptr i8, ptr %if, i64 IFRAME_LOCALSPLUS
  br label %loop
loop:
  %i = phi i64 [ 0, %made ], [ %i1, %store ]
  %more = icmp slt i64 %i, %n
  br i1 %more, label %body, label %done
body:
  %k.p = getelementptr i8, ptr %kinds, i64 %i
  %k = load i8, ptr %k.p
  %v.p = getelementptr i64, ptr %vals, i64 %i
  %b.p = getelementptr i8, ptr %bound, i64 %i
  %b = load i8, ptr %b.p
  %isobj = icmp eq i8 %k, 111
  br i1 %isobj, label %obj, label %typed
obj:
  %o = load ptr, ptr %v.p
  call void @jit.xincref(ptr %o)
  br label %store
typed:
  %unbound = icmp eq i8 %b, 0
  br i1 %unbound, label %store, label %box
box:
  %isint = icmp eq i8 %k, 105
  br i1 %isint, label %boxi, label %boxf
boxi:
  %iv = load i64, ptr %v.p
  %bi = call ptr @PyLong_FromLongLong(i64 %iv)
  br label %store
boxf:
  %fv = load double, ptr %v.p
  %bf = call ptr @PyFloat_FromDouble(double %fv)
  br label %store
store:
  %val = phi ptr [ %o, %obj ], [ null, %typed ], [ %bi, %boxi ], [ %bf, %boxf ]
  %slot = getelementptr ptr, ptr %slots, i64 %i
  store ptr %val, ptr %slot
  %i1 = add i64 %i, 1
  br label %loop
done:
  call void @PyErr_Clear()
  %tv = load ptr, ptr %t
  %vv = load ptr, ptr %v
  %tbv = load ptr, ptr %tb
  call void @PyErr_Restore(ptr %tv, ptr %vv, ptr %tbv)
  ret ptr %f
}
"""


def _tb_frame() -> str:
    if not abi.FRAME_SLOTS_LAYOUT:
        return ""
    text = TB_FRAME
    for name in ("FRAME_IFRAME", "IFRAME_CODE", "IFRAME_GLOBALS", "IFRAME_PREV_INSTR",
                 "IFRAME_LOCALSPLUS", "CODE_UNITS"):
        text = text.replace(f"i64 {name}", f"i64 {getattr(abi, name)}")
    return text


# The vectorcall of the functions compiled code makes (runtime.closures): the entry
# registered in the code's extra slot, for exactly its positional parameters, while
# the keeper of its machine code lives (held meanwhile); the interpreter's otherwise
# (and when the entry declines: it returns the raw marker before doing anything).
CLOSURE_CALL = f"""
define ptr @jit.closure_call(ptr %f, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %slot = alloca ptr
  store ptr null, ptr %slot
  %code.p = getelementptr i8, ptr %f, i64 {abi.FUNC_CODE}
  %code = load ptr, ptr %code.p
  %index = load i64, ptr @jit_code_extra_index
  %rc = call i32 @_PyCode_GetExtra(ptr %code, i64 %index, ptr %slot)
  %s = load ptr, ptr %slot
  %none = icmp eq ptr %s, null
  br i1 %none, label %interp, label %have
have:
  %fn = load ptr, ptr %s
  %gone = icmp eq ptr %fn, null
  %kw = icmp ne ptr %kwnames, null
  %no = or i1 %gone, %kw
  br i1 %no, label %interp, label %count
count:
  %n = and i64 %nargsf, 9223372036854775807
  %argc.p = getelementptr i8, ptr %s, i64 16
  %argc = load i64, ptr %argc.p
  %fits = icmp eq i64 %n, %argc
  br i1 %fits, label %live, label %interp
live:
  %keeper.p = getelementptr i8, ptr %s, i64 8
  %keeper.ref = load ptr, ptr %keeper.p
  %keeper = call ptr @PyWeakref_GetObject(ptr %keeper.ref)
  %gone2 = icmp eq ptr %keeper, @_Py_NoneStruct
  br i1 %gone2, label %interp, label %run
run:
  call void @jit.incref(ptr %keeper)
  %r = call ptr %fn(ptr %f, ptr %args)
  call void @jit.decref(ptr %keeper)
  %declined = icmp eq ptr %r, @jit_raw_marker
  br i1 %declined, label %interp, label %done
done:
  ret ptr %r
interp:
  %ri = tail call ptr @_PyFunction_Vectorcall(ptr %f, ptr %args, i64 %nargsf, ptr %kwnames)
  ret ptr %ri
}}
"""

_library = None


def symbols() -> dict[str, int]:
    """name -> address of every helper (compiling the library on first use)."""
    global _library
    if _library is None:
        helpers = HELPERS.replace("i64 FRAME_IFRAME", f"i64 {abi.FRAME_IFRAME}").replace(
            "i64 IFRAME_GLOBALS", f"i64 {abi.IFRAME_GLOBALS}")
        text = "\n".join([capi.declaration(n) for n in CAPI] + [abi.REFCOUNT_IR, INLINE, helpers, TB_HERE, _tick(), _deopt_resume(), _tb_frame(), POW, KEYS, ATTR, GLOBAL_HINT, MODULE_ATTR, CALL_LASTI, CONTAINERS, CLOSURE_CALL])
        _library = engine.compile_ir(text, list(SIGNATURES),
                                     {n: capi.address(n) for n in CAPI}, opt_level=1,
                                     codegen_level=2)
    return {name: _library.address(name) for name in SIGNATURES}
