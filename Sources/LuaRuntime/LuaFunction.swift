import CLua
import CLuaBridge
import ExecutionControl

/// A Swift function callable from Lua. It reads its arguments and pushes its
/// results through `LuaCall` and returns how many results it pushed. It
/// reports failure by throwing; the C trampoline raises the Lua error after
/// this Swift frame has returned.
public typealias LuaFunction = (LuaCall) throws -> Int32

/// Holds a registered Swift function. Lua sees it as a C closure over
/// `clb_trampoline` with this box as a light-userdata upvalue; the owning
/// `LuaState` keeps the box alive.
final class FunctionBox {
    let name: String
    /// Methods count arguments from 1 after `self`, as Lua's messages do.
    let isMethod: Bool
    let body: LuaFunction
    unowned let state: LuaState

    init(name: String, isMethod: Bool, state: LuaState, body: @escaping LuaFunction) {
        self.name = name; self.isMethod = isMethod; self.state = state; self.body = body
    }
}

extension LuaState {
    /// Installs the Swift dispatcher used by the C trampoline (once per process).
    static let installDispatcher: () -> Void = {
        // Hot path of every call from Lua into Swift: no reference counting on
        // the box (the owning LuaState keeps it alive for the state's lifetime).
        clb_set_dispatcher { L, box in
            Unmanaged<FunctionBox>.fromOpaque(box)._withUnsafeGuaranteedRef { fn in
                let call = LuaCall(L: L, box: fn)
                do {
                    let n = try fn.body(call)
                    // An object pushed by the call did not fit the memory limit (see
                    // LuaObjectMemory). The flag is one load; the rest is out of line.
                    if clb_runtime_of(L).pointee.object_error != 0 { return call.failIfObjectOverLimit(n) }
                    return n
                } catch {
                    return call.fail(error)
                }
            }
        }
        return {}
    }()

    /// Pushes a Lua function that runs `body`.
    public func push(function name: String, method: Bool = false, _ body: @escaping LuaFunction) {
        let box = FunctionBox(name: name, isMethod: method, state: self, body: body)
        functions.append(box)
        clb_push_swift_function(L, Unmanaged.passUnretained(box).toOpaque())
    }

    /// Registers `body` as global `name`.
    public func register(global name: String, _ body: @escaping LuaFunction) {
        push(function: name, body)
        setGlobal(name)
    }
}

extension LuaCall {
    // The two failure paths of the dispatcher, kept out of line so that its hot
    // path is small enough to be inlined into the C entry point (one call frame
    // less on every call from Lua into Swift; perf-guard's lua_call kernel).

    /// After a call that returned `n`: the pending object error, raised, or `n`.
    @inline(never) func failIfObjectOverLimit(_ n: Int32) -> Int32 {
        if let e = LuaObjectMemory.takePending(L) { return pushError(e) }
        return n
    }

    /// After a call that threw: discards a pending object error, raises `error`.
    @inline(never) func fail(_ error: Error) -> Int32 {
        if clb_runtime_of(L).pointee.object_error != 0 { _ = LuaObjectMemory.takePending(L) }
        return pushError(error)
    }

    /// Pushes the message for `error` and returns the trampoline code that raises it.
    func pushError(_ error: Error) -> Int32 {
        lua_settop(L, 0)
        _ = lua_checkstack(L, 2)
        switch error {
        case let e as LuaArgumentError:
            let pos = box.isMethod ? e.position - 1 : e.position
            if box.isMethod && pos == 0 {
                LuaStack.push(L, "calling '\(box.name)' on bad self (\(e.message))")
            } else {
                LuaStack.push(L, "bad argument #\(pos) to '\(box.name)' (\(e.message))")
            }
            return CLB_RAISE_WHERE
        case let e as LuaError:
            // Already a Lua message with its position (e.g. from a nested call).
            LuaStack.push(L, e.message)
            return CLB_RAISE
        case let e as CancellationError:
            // Native work stopped by the token: the same text the hook gives
            // ("t.lua:3: interrupted", "t.lua:3: time limit exceeded (3 s)"),
            // so `LuaError.kind` is .interrupted / .timeout either way.
            LuaStack.push(L, e.description)
            return CLB_RAISE_WHERE
        case let e as MemoryLimitError:
            // "t.lua:3: memory limit exceeded (64 MB) allocating …" → kind .memory.
            LuaStack.push(L, e.description)
            return CLB_RAISE_WHERE
        default:
            LuaStack.push(L, "\(error)")
            return CLB_RAISE_WHERE
        }
    }
}
