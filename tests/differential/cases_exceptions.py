"""try/except/else/finally, raise forms, chaining, except*, assert, exc_info, tracebacks."""
import sys

from .harness import case


class MyError(Exception):
    pass


class MyOtherError(MyError):
    def __init__(self, code, msg="other"):
        super().__init__(msg)
        self.code = code

    def __str__(self):
        return f"[{self.code}] {self.args[0]}"


def helper_raises(x):
    if x == 0:
        raise ValueError("zero!")
    return 10 // (x - 1)


def helper_deep(n):
    if n == 0:
        return {}["missing"]
    return helper_deep(n - 1)


@case((0,), (1,), (2,), ("s",))
def try_except_else_finally(x):
    log = []
    try:
        log.append("try")
        r = helper_raises(x)
    except ValueError as e:
        log.append(("value", str(e)))
    except ZeroDivisionError:
        log.append("zde")
    except (TypeError, KeyError) as e:
        log.append(("tuple", type(e).__name__))
    else:
        log.append(("else", r))
    finally:
        log.append("finally")
    return log


@case((0,), (1,), (2,))
def uncaught_through_finally(x):
    print("start")
    try:
        return helper_raises(x)
    finally:
        print("finally runs")


@case((0,), (1,), (3,))
def traceback_multi_frame(n):
    return helper_deep(n)


@case((0,), (1,))
def return_in_finally_overrides(x):
    try:
        if x:
            raise KeyError("lost")
        return "from try"
    finally:
        return "from finally"  # noqa: B012


@case(([1, 2, 3, 4],))
def break_continue_in_finally(xs):
    log = []
    for x in xs:
        try:
            if x == 2:
                raise ValueError(x)
            if x == 3:
                continue
            log.append(x)
        finally:
            if x == 2:
                continue  # swallows the ValueError
            if x == 4:
                break
    return log


@case(())
def break_in_try_with_finally():
    log = []
    for i in range(5):
        try:
            if i == 2:
                break
            log.append(i)
        finally:
            log.append("f%d" % i)
    return log


@case((0,), (1,), (2,))
def return_in_try_finally_order(x):
    log = []

    def inner():
        try:
            log.append("try")
            if x == 1:
                return "ret"
            if x == 2:
                raise RuntimeError("boom")
        finally:
            log.append("finally")
        log.append("after")
        return "end"
    try:
        r = inner()
    except RuntimeError as e:
        r = str(e)
    return r, log


@case((0,), (1,))
def nested_try(x):
    log = []
    try:
        try:
            if x:
                raise KeyError("k")
            raise IndexError("i")
        except KeyError as e:
            log.append(("inner", repr(e)))
            raise TypeError("converted")
        finally:
            log.append("inner finally")
    except (TypeError, IndexError) as e:
        log.append(("outer", type(e).__name__, str(e), type(e.__context__).__name__))
    return log


@case((0,), (1,), (2,))
def implicit_chaining(x):
    try:
        {}["a"]
    except KeyError:
        if x == 0:
            raise ValueError("during handling")
        elif x == 1:
            raise ValueError("explicit cause") from ZeroDivisionError("cause")
        else:
            raise ValueError("no context") from None


@case(())
def chaining_from_variable():
    try:
        int("x")
    except ValueError as e:
        err = e
    raise RuntimeError("later") from err


@case(())
def context_set_on_exception_in_finally():
    try:
        raise KeyError("first")
    finally:
        raise ValueError("second")


@case(())
def exception_in_except_block_context_chain():
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            [][0]
    except IndexError as e:
        return type(e.__context__).__name__, str(e.__context__), e.__suppress_context__, e.__cause__


@case(())
def reraise_bare():
    try:
        raise MyError("original")
    except MyError:
        print("handling")
        raise


@case(())
def reraise_named_from_other_line():
    try:
        raise MyError("original")
    except MyError as e:
        err = e
    raise err


@case(())
def reraise_after_nested_handler():
    try:
        raise KeyError("outer")
    except KeyError:
        try:
            raise ValueError("inner")
        except ValueError:
            pass
        raise  # re-raises KeyError, not ValueError


@case((0,), (1,), (2,), (3,), (4,), (5,))
def raise_forms(x):
    if x == 0:
        raise ValueError
    if x == 1:
        raise ValueError()
    if x == 2:
        raise MyOtherError(7, "custom")
    if x == 3:
        raise 5
    if x == 4:
        raise ValueError("x") from 5
    raise MyOtherError


@case(())
def bare_raise_without_active_exception():
    raise


@case((1,), (2,))
def except_as_is_deleted(x):
    e = "before"
    try:
        raise KeyError(x)
    except KeyError as e:
        pass
    try:
        return e
    except UnboundLocalError as err:
        return str(err)


@case((KeyError,), (ValueError,), (Exception,), (BaseException,))
def except_dynamic_type(t):
    try:
        raise KeyError("k")
    except t as e:
        return "caught", type(e).__name__
    except Exception:
        return "fallthrough"


@case((5,), ("notatype",), (int,))
def except_bad_type(t):
    try:
        raise KeyError("k")
    except t:
        return "caught"


@case(())
def exc_info_in_handler():
    before = sys.exc_info()
    try:
        raise ValueError("v")
    except ValueError:
        t, v, tb = sys.exc_info()
        during = (t.__name__, str(v), tb is not None)
        try:
            raise KeyError("inner")
        except KeyError:
            inner = sys.exc_info()[0].__name__
        restored = sys.exc_info()[0].__name__
    after = sys.exc_info()
    return before, during, inner, restored, after


@case((), in_handler=True)
def exc_info_sees_callers_exception():
    return sys.exc_info()[0].__name__, str(sys.exc_info()[1])


@case((), in_handler=True)
def bare_raise_reraises_callers_exception():
    raise


@case((), in_handler=True)
def new_exception_gets_callers_context():
    raise ValueError("in callee")


@case((0,), (1,), (-1,))
def assert_forms(x):
    assert x >= 0
    assert x == 0, f"x was {x}"
    return "ok"


@case(())
def assert_message_side_effects():
    log = []

    def msg():
        log.append("evaluated")
        return "m"
    assert True, msg()
    try:
        assert [], msg()
    except AssertionError as e:
        return log, e.args


@case(())
def assertion_error_rebound():
    global AssertionError
    try:
        assert False, "uses the real AssertionError"
    except Exception as e:
        return type(e).__name__


@case(())
def exception_attributes():
    try:
        raise MyOtherError(3, "three")
    except MyError as e:
        return e.code, e.args, str(e), repr(e), isinstance(e, Exception)


@case(())
def except_group_basic():
    log = []
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2), ValueError(3)])
    except* ValueError as g:
        log.append(("value", [str(e) for e in g.exceptions]))
    except* TypeError as g:
        log.append(("type", [str(e) for e in g.exceptions]))
    return log


@case(())
def except_group_unhandled_rest():
    try:
        raise ExceptionGroup("eg", [ValueError(1), KeyError(2)])
    except* ValueError:
        print("handled values")


class DerivingGroup(ExceptionGroup):
    log = []

    def derive(self, excs):
        DerivingGroup.log.append([repr(e) for e in excs])
        return DerivingGroup(self.message, excs)


@case(())
def except_star_rest_of_a_custom_group():
    # the re-raised rest is derived once, the handled part not again
    DerivingGroup.log.clear()
    try:
        try:
            raise DerivingGroup("m", [ValueError(1), TypeError(2)])
        except* ValueError:
            DerivingGroup.log.append("handler")
    except DerivingGroup as e:
        return DerivingGroup.log, repr(e)


@case(())
def except_star_naked_exception():
    r = None
    try:
        raise ValueError("naked")
    except* ValueError as g:
        r = type(g).__name__, [repr(e) for e in g.exceptions]
    return r


@case(())
def except_star_raise_inside():
    try:
        raise ExceptionGroup("eg", [ValueError(1)])
    except* ValueError:
        raise KeyError("from handler")


@case((0,), (1,), (2,))
def except_star_raise_the_match(k):
    # raising the matched group (or a leaf of it) by name is a new raise, not a
    # re-raise: it goes into a new group beside what is left
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2), KeyError(3)])
    except* TypeError as t:
        if k == 0:
            raise t
        if k == 1:
            raise t.exceptions[0]
        raise


@case(())
def except_star_naked_reraised():
    # the wrapped naked exception has no traceback, and a re-raise adds no entry
    try:
        raise ValueError(5)
    except* ValueError:
        raise


@case((0,), (1,))
def duplicate_star_star_keyword(handling):
    # 3.11: inside a handler the merge's KeyError gets through format_kwargs_error
    def f(*a, **k):
        return k
    if handling:
        try:
            raise ValueError
        except ValueError:
            return f(**{"a": 1}, **{"a": 2})
    return f(**{"a": 1}, **{"a": 2})


@case(())
def except_star_reraise():
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
    except* ValueError:
        raise
    except* TypeError:
        pass


@case(())
def except_star_nested_groups():
    try:
        raise ExceptionGroup("outer", [ValueError(1), ExceptionGroup("inner", [ValueError(2), OSError(3)])])
    except* ValueError as g:
        print(repr(g))
    except* OSError as g:
        print("os", repr(g))


@case(())
def except_star_with_else_finally():
    log = []
    try:
        log.append("body")
    except* ValueError:
        log.append("never")
    else:
        log.append("else")
    finally:
        log.append("finally")
    return log


@case((0,), (1,))
def exception_notes(x):
    try:
        raise ValueError("noted")
    except ValueError as e:
        e.add_note("note one")
        if x:
            e.add_note("note two")
        raise


@case(())
def exception_object_reuse():
    e = ValueError("reused")
    out = []
    for i in range(2):
        try:
            raise e
        except ValueError as caught:
            out.append((caught is e, len(_tb_names(caught.__traceback__))))
    return out


def _tb_names(tb):
    out = []
    while tb is not None:
        out.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return out


@case(())
def traceback_lines_in_handler():
    try:
        helper_deep(2)
    except KeyError as e:
        import traceback
        return [(fs.name, fs.lineno - fs.lineno + 1) for fs in traceback.extract_tb(e.__traceback__)]


@case(())
def traceback_of_caught_exception_names():
    try:
        helper_raises(0)
    except ValueError as e:
        return _tb_names(e.__traceback__)


@case((0,), (1,))
def raise_in_else(x):
    try:
        if x:
            raise KeyError
    except KeyError:
        return "except"
    else:
        raise ValueError("from else")
    finally:
        print("finally")


@case(())
def raise_exception_class_with_args_error():
    class NeedsArgs(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)
    raise NeedsArgs


@case(())
def stop_iteration_and_friends():
    out = []
    it = iter([])
    try:
        next(it)
    except StopIteration as e:
        out.append(("stop", e.value))
    try:
        raise StopIteration(5)
    except StopIteration as e:
        out.append(("stop", e.value))
    try:
        raise KeyboardInterrupt("ki")
    except BaseException as e:
        out.append(type(e).__name__)
    try:
        raise SystemExit(3)
    except SystemExit as e:
        out.append(("exit", e.code))
    return out


@case(())
def system_exit_propagates():
    raise SystemExit("bye")


@case(())
def exception_in_finally_replaces():
    try:
        try:
            raise KeyError("a")
        finally:
            print("cleanup")
            raise ValueError("b")
    except ValueError as e:
        return repr(e), repr(e.__context__)


@case((1,), (0,))
def deep_nesting_of_try(x):
    log = []
    try:
        try:
            try:
                log.append(1 // x)
            finally:
                log.append("f1")
        except ZeroDivisionError:
            log.append("zd")
            try:
                raise OSError("os")
            except OSError as e:
                log.append(str(e))
        finally:
            log.append("f2")
    finally:
        log.append("f3")
    return log


@case((0,), (1,), (2,))
def return_value_from_handler_with_finally(x):
    try:
        if x == 0:
            return "try"
        raise ValueError(x)
    except ValueError as e:
        if x == 2:
            raise TypeError("from handler") from e
        return "handler"
    finally:
        print("finally", x)


@case((3,))
def exception_in_loop_continue(n):
    out = []
    for i in range(-n, n):
        try:
            out.append(10 // i)
        except ZeroDivisionError as e:
            out.append(str(e))
            continue
        finally:
            out.append("|")
    return out


@case(())
def exception_group_api():
    eg = ExceptionGroup("msg", [ValueError("a"), KeyError("b")])
    match, rest = eg.split(ValueError)
    return repr(match), repr(rest), eg.message, len(eg.exceptions), str(eg)


@case(())
def raise_from_none_in_nested():
    try:
        try:
            raise KeyError("inner")
        except KeyError:
            raise ValueError("outer") from None
    except ValueError as e:
        return e.__suppress_context__, repr(e.__context__), e.__cause__


@case(())
def handler_variable_scope_in_loop():
    errs = []
    for v in ["1", "x", "3"]:
        try:
            errs.append(int(v))
        except ValueError as exc:
            errs.append(str(exc))
    return errs


def _pop_registry():
    globals().pop("__warningregistry__", None)


@case((), resets=_pop_registry)
def warnings_attributed_to_this_line():
    import os
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        warnings.warn("careful", UserWarning)
    return [(str(x.message), x.category.__name__, os.path.basename(x.filename), x.lineno) for x in w]


# ---- matching and raising on the native paths (exception classes, instances) ----

class _MetaCheck(type):
    # CPython's `except` matches by the MRO and never asks __instancecheck__
    def __instancecheck__(cls, obj):
        return True

    def __subclasscheck__(cls, sub):
        return True


class Claims(Exception, metaclass=_MetaCheck):
    pass


class Masquerade(ValueError):
    @property
    def __class__(self):
        return KeyError


@case((0,), (1,), (2,), (3,), (4,), (5,))
def except_matches_by_mro(k):
    errs = [ValueError("v"), KeyError("k"), Masquerade("m"), MyOtherError(7), OSError(2, "x"),
            ZeroDivisionError()]
    out = []
    try:
        raise errs[k]
    except Claims:
        out.append("claims")
    except KeyError as e:
        out.append(("key", type(e).__name__))
    except MyError as e:
        out.append(("mine", str(e)))
    except (OSError, ZeroDivisionError) as e:
        out.append(("tuple", type(e).__name__, e.args))
    except ValueError as e:
        out.append(("value", type(e).__name__, isinstance(e, KeyError)))
    return out


@case((0,), (1,), (2,), (3,), (4,), (5,), (6,))
def raise_forms_and_causes(k):
    cause = [None, ValueError("c"), KeyError, 3, RuntimeError("r"), None, None][k]
    exc = [MyError("a"), MyError("b"), MyError, MyError("d"), IndexError, 5, "s"][k]
    try:
        if k in (0, 5, 6):
            raise exc from cause
        raise exc from cause
    except BaseException as e:
        c = e.__cause__
        return (type(e).__name__, str(e), type(c).__name__ if c is not None else None,
                e.__suppress_context__)


@case((0,), (1,), (2,))
def except_with_bad_class(k):
    bad = [42, (ValueError, "x"), ValueError][k]
    try:
        try:
            raise ValueError("inner")
        except bad:
            return "caught"
    except TypeError as e:
        return ("TypeError", str(e), type(e.__context__).__name__)


@case((0,), (1,), (2,))
def except_tuple_matches_by_mro(k):
    errs = [ValueError("v"), Masquerade("m"), KeyError("k")]
    try:
        raise errs[k]
    except (Claims, KeyError) as e:
        return ("first", type(e).__name__)
    except (OSError, ValueError) as e:
        return ("second", type(e).__name__)


class _NewReturnsInt(Exception):
    def __new__(cls, *args):
        return 5


class _SpoofedClass:
    __class__ = property(lambda self: ValueError)


@case((0,), (1,), (2,), (3,))
def raise_checks_real_types(which):
    # do_raise: a class is called and its result checked (not the cause's); an
    # object is an exception by its real type, whatever __class__ says
    try:
        if which == 0:
            raise _NewReturnsInt
        if which == 1:
            raise ValueError("x") from _NewReturnsInt
        if which == 2:
            raise _SpoofedClass()
        raise ValueError from _SpoofedClass()
    except ValueError as e:
        return repr(e.__cause__), e.__suppress_context__


class _YesMeta(type):
    def __instancecheck__(cls, inst):
        return True


class _AnythingError(Exception, metaclass=_YesMeta):
    pass


@case(())
def except_star_matches_by_real_type():
    # CHECK_EG_MATCH goes by the MRO: a metaclass __instancecheck__ is not asked
    out = []
    try:
        raise ValueError(1)
    except* _AnythingError as eg:
        out.append(("anything", repr(eg)))
    except* ValueError as eg:
        out.append(("value", repr(eg)))
    return out


# ---- raise and except natively (lower.lo_raise, jit.exc_match): every path ----

class _NewMakesOther(Exception):
    # do_raise leaves the class pending with what its call made: normalising finds
    # an unrelated instance and calls the class again with it as the argument
    def __new__(cls, *args):
        return KeyError("made") if not args else Exception.__new__(cls, *args)


class _NewMakesSub(Exception):
    def __new__(cls, *args):
        return Exception.__new__(_SubOfNewMakesSub, "sub")


class _SubOfNewMakesSub(_NewMakesSub):
    pass


class _InitFails(Exception):
    def __init__(self):
        raise OSError("in __init__")


class _InitCounts(Exception):
    made = 0

    def __init__(self, *args):
        type(self).made += 1
        super().__init__("made", type(self).made, *args)


class _CallsMeta(type):
    def __call__(cls, *args):
        return "not an exception"

    def __repr__(cls):
        return "<the meta repr>"


class _MetaCalled(Exception, metaclass=_CallsMeta):
    pass


class _Noisy:
    """Says when it is freed: a leaked or early-freed operand changes the output."""
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"_Noisy({self.name})"

    def __del__(self):
        print("freed", self.name)


class _MakesNoisy(Exception):
    def __new__(cls, *args):
        return _Noisy("made")


class _MetaSubclassCheck(type):
    # except matches by the MRO: this must not be asked
    def __subclasscheck__(cls, sub):
        print("asked __subclasscheck__")
        return True

    def __instancecheck__(cls, inst):
        print("asked __instancecheck__")
        return True


class _Checked(Exception, metaclass=_MetaSubclassCheck):
    pass


class _Tuple(tuple):
    pass


def _reset_counts():
    _InitCounts.made = 0


@case((0,), (1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (9,), resets=_reset_counts)
def raise_class_paths(k):
    # the class call (and its result check) natively, in a handler or not
    try:
        if k == 0:
            raise _NewMakesOther
        if k == 1:
            raise _NewMakesSub
        if k == 2:
            raise _InitFails
        if k == 3:
            raise _InitCounts
        if k == 4:
            raise _MetaCalled
        if k == 5:
            raise _MakesNoisy
        if k == 6:
            raise KeyboardInterrupt
        if k == 7:
            raise MyOtherError      # __init__ needs an argument: its TypeError
        if k == 8:
            raise StopIteration
        raise _Checked              # normalising asks the metaclass, as it does there
    except BaseException as e:
        print("handled", type(e).__name__, e.args, type(e.__context__).__name__)
        return type(e).__name__, repr(e.args), e.__cause__, e.__suppress_context__


@case((0,), (1,), (2,), (3,), (4,))
def raise_class_paths_uncaught(k):
    # the same paths leaving the function (traceback entries: __init__'s too)
    if k == 0:
        raise _NewMakesOther
    if k == 1:
        raise _InitFails
    if k == 2:
        raise _MetaCalled
    if k == 3:
        raise _MakesNoisy
    raise _NewMakesSub


@case((0,), (1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,))
def raise_class_paths_in_handler(k):
    # an error on each path gets the handled exception as its context
    try:
        raise IndexError("handled")
    except IndexError:
        ops = [lambda: _InitFails, lambda: _MetaCalled, lambda: 5, lambda: _Noisy("op"),
               lambda: _MakesNoisy, lambda: ValueError, lambda: ValueError("i"),
               lambda: _NewMakesOther, lambda: None]
        raise ops[k]()


@case((0,), (1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (9,))
def raise_from_paths(k):
    exc = [ValueError, ValueError("v"), ValueError, 5, _Noisy("exc"), ValueError("v"),
           ValueError, ValueError, _InitFails, ValueError][k]
    cause = [None, KeyError, KeyError("c"), KeyError("c"), KeyError, _Noisy("cause"), _InitFails,
             _NewReturnsInt, KeyError, _MakesNoisy][k]
    try:
        raise exc from cause
    except BaseException as e:
        c = e.__cause__
        return (type(e).__name__, str(e), type(c).__name__, repr(c), e.__suppress_context__,
                type(e.__context__).__name__)


@case((0,), (1,), (2,), (3,))
def raise_from_paths_uncaught(k):
    if k == 0:
        raise ValueError from _InitFails
    if k == 1:
        raise ValueError("x") from _Noisy("cause")
    if k == 2:
        raise _InitFails from KeyError
    raise _MetaCalled from None


@case((0,), (1,), (2,))
def raise_same_object_again(k):
    # the object raised is the one caught, each time (its cause replaced)
    e0 = MyError("once")
    seen = []
    for cause in [None, KeyError("a"), e0][: k + 1]:
        try:
            raise e0 from cause
        except MyError as e:
            seen.append((e is e0, repr(e.__cause__), e.__suppress_context__))
    return seen


@case((0,), (1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (9,), (10,))
def except_type_paths(k):
    # the clause's type as check_except_type_valid takes it (a tuple's items all
    # checked first, none nested), then matched by the MRO
    typ = [(ValueError, (KeyError,)), (KeyError, 5), (), _Tuple((KeyError, ValueError)),
           _Tuple((ValueError, "x")), ValueError("instance"), (_Checked,), _Checked,
           (OSError, LookupError, ValueError), (Exception, object), BaseException][k]
    try:
        try:
            raise ValueError("inner")
        except typ as e:
            return "caught", type(e).__name__
        except BaseException as e:
            return "next clause", type(e).__name__
    except TypeError as e:
        return "TypeError", str(e), type(e.__context__).__name__


@case((0,), (1,), (2,))
def except_type_error_uncaught(k):
    typ = [(ValueError, 5), int, _Tuple(("x",))][k]
    try:
        raise ValueError("inner")
    except typ:
        return "caught"


@case((0,), (1,), (2,), (3,))
def except_clauses_in_order(k):
    exc = [KeyError("k"), IndexError("i"), ZeroDivisionError(), UnicodeDecodeError("u", b"", 0, 1, "r")][k]
    try:
        raise exc
    except (TypeError, _Checked) as e:
        return "first", e
    except IndexError:
        return "second"
    except (ArithmeticError, (LookupError,)):
        return "third"
    except ValueError as e:
        return "fourth", type(e).__name__


def _raise_in_callee(k):
    if k == 0:
        raise MyError
    if k == 1:
        raise MyOtherError(3) from KeyError("why")
    return {}[k]


@case((0,), (1,), (2,))
def raise_in_callee_caught(k):
    try:
        _raise_in_callee(k)
    except (MyError, KeyError) as e:
        return type(e).__name__, repr(e.__cause__), _tb_names(e.__traceback__)


@case((0,), (1,), (2,), (3,), install=True)
def raise_caught_by_compiled_caller(k, depth=0):
    # raised two compiled calls down, caught on the way up (traceback entries of
    # each level, the cause kept)
    if depth == 2:
        if k == 0:
            raise MyError
        if k == 1:
            raise MyOtherError(3) from KeyError("why")
        if k == 2:
            return {}[k]
        raise _InitFails
    try:
        return raise_caught_by_compiled_caller(k, depth + 1)
    except (MyError, KeyError) as e:
        if depth == 1 and k == 2:
            raise
        return depth, type(e).__name__, repr(e.__cause__), _tb_names(e.__traceback__)
