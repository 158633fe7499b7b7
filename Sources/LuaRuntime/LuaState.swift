import CLua
import CLuaBridge
import ExecutionControl
import Foundation

/// A raw `lua_State *`.
public typealias LuaStatePointer = OpaquePointer

/// Options for a new Lua state.
public struct LuaOptions: Sendable {
    public var limits: LuaLimits
    /// When set, the state is sandboxed (see `Sandbox`).
    public var sandbox: SandboxPolicy?

    public init(limits: LuaLimits = .init(), sandbox: SandboxPolicy? = nil) {
        self.limits = limits; self.sandbox = sandbox
    }
}

/// One Lua 5.4 state and everything Swift registered in it.
///
/// Rules this type keeps (and callers of `L` must keep too): from Swift, only
/// non-raising Lua API is used directly (`lua_raw*`, `lua_type`, `lua_to*`,
/// pushes); everything that may raise runs inside `clb_pcall`. A state is
/// single-threaded: never touch it from more than one thread.
public final class LuaState {
    public let L: LuaStatePointer
    let runtime: UnsafeMutablePointer<clb_runtime>
    /// Swift functions registered in this state; kept alive as long as it.
    var functions: [FunctionBox] = []
    /// Registry keys of registered userdata classes, by Swift type.
    var classKeys: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]
    public private(set) var options: LuaOptions
    /// What governs the work this state runs: the cancellation token (armed
    /// with the timeout by each top-level `pcall`, set by `interrupt()`,
    /// signal handlers and the kernel) and the memory budget (the Lua heap
    /// plus Swift-side charges, against the memory limit). Installed on the
    /// calling thread for the duration of each top-level call, so the numeric
    /// core sees it through `ExecutionContext.current`.
    public let context: ExecutionContext
    /// Arbitrary per-state values for the binding layer (e.g. output capture).
    public var userInfo: [String: Any] = [:]
    private var callDepth = 0
    /// The thread that created the state; Lua may run only there.
    let ownerThread = pthread_self()

    /// Throws when called off the owning thread: a Lua state is single-threaded,
    /// and entering it from a worker thread would corrupt it.
    public func checkThread() throws {
        guard pthread_equal(pthread_self(), ownerThread) != 0 else {
            throw LuaError(kind: .runtime, message: "Lua called from a worker thread (a Lua state is single-threaded)")
        }
    }

    public init(_ options: LuaOptions = LuaOptions()) throws {
        LuaState.installDispatcher()
        runtime = .allocate(capacity: 1)
        guard let L = clb_newstate(runtime) else {
            runtime.deallocate()
            throw LuaError(kind: .memory, message: "cannot create Lua state")
        }
        self.L = L
        self.options = options
        context = ExecutionContext()
        // The C hook and allocator read the token and the charges directly
        // (no Swift call from the hook or the allocator).
        runtime.pointee.cancel_flag = context.token.flag
        runtime.pointee.deadline = context.token.deadlinePointer
        runtime.pointee.budget_charged = UnsafePointer(context.budget.chargedPointer)
        let rt = runtime
        context.budget.luaHeapBytes = { Int(rt.pointee.used) }
        LuaState.registerInstance(self)
        if clb_openlibs(L) != LUA_OK { throw popError(status: LUA_ERRRUN) }
        if clb_install_guards(L) != LUA_OK { throw popError(status: LUA_ERRRUN) }
        clb_install_hook(L)
        setLimits(options.limits)
        if let sandbox = options.sandbox { try Sandbox.install(sandbox, in: self) }
    }

    deinit {
        // Finalizers run by lua_close cannot reach this (deinitializing)
        // object: the trampoline refuses Swift calls from here on.
        runtime.pointee.closing = 1
        clb_close(L)
        LuaState.unregisterInstance(L)
        for key in classKeys.values { key.deallocate() }
        runtime.deallocate()
    }

    // MARK: limits

    /// Applies limits; the timeout clock starts at each top-level `run`/`call`.
    public func setLimits(_ limits: LuaLimits) {
        options.limits = limits
        let bytes = limits.memoryBytes.map { max(0, $0) } ?? 0
        runtime.pointee.limit = size_t(bytes)
        context.budget.setLimit(bytes)
    }

    /// Bytes the Lua heap holds now, and at most so far.
    public var memoryUsed: Int { Int(runtime.pointee.used) }
    public var memoryPeak: Int { Int(runtime.pointee.peak) }

    /// Asks running work (Lua code at its next hook check, native loops at
    /// their next chunk boundary) to stop with an "interrupted" error. Safe
    /// from another thread.
    public func interrupt() { context.token.cancel(.interrupted) }

    /// An opaque handle for `requestInterrupt`, usable from a signal handler:
    /// the address of the token's flag.
    public var interruptHandle: UnsafeMutableRawPointer { UnsafeMutableRawPointer(context.token.flag) }

    /// Sets the interrupt flag behind `handle` (async-signal-safe: one aligned
    /// store of an Int32, no allocation, no lock).
    public static func requestInterrupt(_ handle: UnsafeMutableRawPointer) {
        handle.assumingMemoryBound(to: Int32.self).pointee = CancellationReason.interrupted.rawValue
    }

    /// Forgets an interrupt requested while no Lua code was running.
    public func clearInterrupt() { context.token.flag.pointee = 0 }

    // MARK: stack helpers (non-raising)

    public var top: Int32 {
        get { lua_gettop(L) }
        set { lua_settop(L, newValue) }
    }

    public func pop(_ n: Int32 = 1) { lua_settop(L, -n - 1) }

    /// Text of the value at `index` if it is a string or number (no metamethods).
    public func string(at index: Int32) -> String? { LuaStack.string(L, index) }

    public func push(_ s: String) { LuaStack.push(L, s) }

    /// Copies the value at `index` (tables `depth` levels deep; no metamethods run).
    public func value(at index: Int32, depth: Int = 1) -> LuaValue { LuaStack.value(L, index, depth: depth) }

    /// Pushes a Swift value.
    public func push(_ v: LuaValue) { LuaStack.push(L, v) }

    /// Ensures room for `n` more stack slots; false when the stack cannot grow.
    public func ensureStack(_ n: Int32) -> Bool { lua_checkstack(L, n) != 0 }

    public func pushCFunction(_ f: lua_CFunction) { clb_pushcfunction(L, f) }

    /// Pushes registry[key] (raw).
    public func pushRegistryField(_ key: String) {
        push(key)
        lua_rawget(L, clb_registryindex())
    }

    // MARK: globals

    /// Pops the top value into global `name` (raw set on the globals table).
    public func setGlobal(_ name: String) {
        lua_rawgeti(L, clb_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        push(name)
        lua_rotate(L, -3, -1)   // globals, name, value
        lua_rawset(L, -3)
        pop()
    }

    /// Pushes global `name` (raw get).
    public func getGlobal(_ name: String) {
        lua_rawgeti(L, clb_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        push(name)
        lua_rawget(L, -2)
        lua_rotate(L, -2, 1)
        pop()
    }

    // MARK: loading and calling

    /// Compiles `code` and pushes the chunk. `name` is the chunk name as Lua
    /// shows it in messages ("=stdin", "@script.lua").
    public func load(string code: String, name: String, textOnly: Bool = true) throws {
        var code = code
        let status: Int32 = code.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { c in
                luaL_loadbufferx(L, c.baseAddress, c.count, name, textOnly ? "t" : "bt")
            }
        }
        if status != LUA_OK { throw popError(status: status) }
    }

    /// Compiles the file at `path` (chunk name `@path`) and pushes the chunk.
    public func load(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LuaError(kind: .file, message: "cannot open \(path)")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("#") {   // skip a shebang line like lua does, keeping line numbers
            if let nl = text.firstIndex(of: "\n") { text = "--" + text[nl...] } else { text = "" }
        }
        try load(string: text, name: "@" + path)
    }

    /// Calls the function below `nargs` arguments in protected mode with a
    /// traceback; on success the results are on the stack.
    /// The time limit covers the outermost call; nested calls share its deadline.
    public func pcall(nargs: Int32 = 0, nresults: Int32 = LUA_MULTRET) throws {
        try checkThread()
        guard callDepth == 0 else {
            callDepth += 1
            defer { callDepth -= 1 }
            let status = clb_pcall(L, nargs, nresults, 1)
            if status != LUA_OK { throw popError(status: status) }
            return
        }
        let token = context.token
        token.arm(timeout: options.limits.timeout)
        if token.timeout > 0 {
            setTimeoutMessage(CancellationError(reason: .timeLimit, timeout: token.timeout).description)
        }
        clb_install_hook(L)   // the normal rate on the main thread (a trip sets every instruction)
        callDepth += 1
        defer {
            callDepth -= 1
            token.reset()
        }
        let status = ExecutionContext.run(in: context) { clb_pcall(L, nargs, nresults, 1) }
        if status != LUA_OK { throw popError(status: status) }
    }

    /// Stores the hook's time-limit message (the same text `CancellationError`
    /// gives, so the core and the hook report identically).
    private func setTimeoutMessage(_ text: String) {
        withUnsafeMutableBytes(of: &runtime.pointee.timeout_msg) { buf in
            let bytes = Array(text.utf8.prefix(buf.count - 1))
            buf.copyBytes(from: bytes)
            buf[bytes.count] = 0
        }
    }

    /// Runs a chunk of code and returns its results.
    @discardableResult
    public func run(_ code: String, name: String = "=(string)") throws -> [LuaValue] {
        let base = top
        try load(string: code, name: name)
        try pcall()
        defer { top = base }
        return (base + 1 ..< top + 1).map { value(at: $0) }
    }

    /// Pops an error value and classifies it.
    func popError(status: Int32) -> LuaError {
        defer { pop() }
        var text = string(at: -1) ?? "(error object is a \(typeName(at: -1)) value)"
        var trace: String?
        if let r = text.range(of: "\nstack traceback:\n") {
            trace = String(text[text.index(after: r.lowerBound)...])
            text = String(text[..<r.lowerBound])
        }
        let kind: LuaError.Kind
        switch status {
        case LUA_ERRSYNTAX: kind = .syntax
        case LUA_ERRMEM:
            kind = .memory
            if runtime.pointee.limit > 0 {
                text = "memory limit exceeded (\(runtime.pointee.limit >> 20) MB)"
            }
        default:
            if text.contains("time limit exceeded") { kind = .timeout }
            else if text.hasSuffix("interrupted") { kind = .interrupted }
            else if text.contains("memory limit exceeded") { kind = .memory }
            else { kind = .runtime }
        }
        return LuaError(kind: kind, message: text, traceback: trace)
    }

    /// The Lua type name of the value at `index`; for userdata of a registered
    /// class, its class name (from `__name`, read raw).
    public func typeName(at index: Int32) -> String { LuaStack.typeName(L, index) }

    // MARK: instance lookup (Swift functions receive only the lua_State)

    private static let instancesLock = NSLock()
    nonisolated(unsafe) private static var instances: [LuaStatePointer: Unmanaged<LuaState>] = [:]

    private static func registerInstance(_ s: LuaState) {
        instancesLock.lock(); defer { instancesLock.unlock() }
        instances[s.L] = Unmanaged.passUnretained(s)
    }

    private static func unregisterInstance(_ L: LuaStatePointer) {
        instancesLock.lock(); defer { instancesLock.unlock() }
        instances[L] = nil
    }

    /// The LuaState owning `L` (also for coroutine threads of it).
    public static func owner(of L: LuaStatePointer) -> LuaState? {
        lua_rawgeti(L, clb_registryindex(), lua_Integer(LUA_RIDX_MAINTHREAD))
        let main = lua_tothread(L, -1)
        lua_settop(L, -2)
        instancesLock.lock(); defer { instancesLock.unlock() }
        return main.flatMap { instances[$0]?.takeUnretainedValue() }
    }
}
