import CLua
import CLuaBridge
import ExecutionControl

/// A Swift class whose instances Lua can hold as userdata.
///
/// A userdata block holds one retained object pointer. Its metatable is the
/// class's (checked by identity before the pointer is trusted), `__gc`
/// releases the object exactly once and clears the pointer, so a resurrected
/// or closed userdata gives a Lua error instead of a dangling pointer.
public protocol LuaObject: AnyObject {
    /// The name Lua shows: `cl.Frame`, `cl.Model`, … (also in "got cl.Frame" messages).
    static var luaTypeName: String { get }
    /// Bytes of Swift memory the object holds for the script (a frame's
    /// columns, a model's trees). Charged to the owning state's memory budget
    /// while Lua holds the object, returned by `__gc` / `close` (see
    /// `LuaObjectMemory`). Computed once, when the object is pushed.
    var memoryFootprint: Int { get }
}

extension LuaObject {
    /// Not counted unless the class says how much it holds.
    public var memoryFootprint: Int { 0 }
}

/// How Lua sees a class: methods (called with `:`), metamethods, and an
/// optional fallback for other keys (e.g. `df.tenure` column access).
public struct LuaClass {
    public var methods: [String: LuaFunction] = [:]
    public var metamethods: [String: LuaFunction] = [:]
    /// Called as fallback(obj, key) for keys that are not methods.
    public var index: LuaFunction?
    /// Default `__tostring` when none is given: "<TypeName>".
    public init(methods: [String: LuaFunction] = [:], metamethods: [String: LuaFunction] = [:], index: LuaFunction? = nil) {
        self.methods = methods; self.metamethods = metamethods; self.index = index
    }
}

extension LuaState {
    /// Registers `T`'s metatable. Registering again replaces it.
    public func register<T: LuaObject>(_ type: T.Type, _ cls: LuaClass) {
        let key = classKeys[ObjectIdentifier(type)] ?? {
            let k = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
            classKeys[ObjectIdentifier(type)] = k
            return k
        }()
        _ = ensureStack(8)
        lua_createtable(L, 0, Int32(cls.metamethods.count + 4))
        let mt = lua_absindex(L, -1)
        push(T.luaTypeName); push("__name"); lua_rotate(L, -2, 1); lua_rawset(L, mt)
        push("__metatable"); push(T.luaTypeName); lua_rawset(L, mt)   // hide the metatable from scripts

        // methods table
        lua_createtable(L, 0, Int32(cls.methods.count))
        for (name, fn) in cls.methods.sorted(by: { $0.key < $1.key }) {
            push(name); push(function: name, method: true, fn); lua_rawset(L, -3)
        }
        push("__index")
        if let fallback = cls.index {
            lua_pushvalue(L, -2)                       // methods
            push(function: "__index", fallback)
            clb_push_index_with_fallback(L)            // pops both, pushes __index
        } else {
            lua_pushvalue(L, -2)
        }
        lua_rawset(L, mt)
        push("__methods"); lua_rotate(L, -2, 1); lua_rawset(L, mt)   // for completion/help

        for (name, fn) in cls.metamethods.sorted(by: { $0.key < $1.key }) {
            push(name); push(function: name, fn); lua_rawset(L, mt)
        }
        if cls.metamethods["__tostring"] == nil {
            push("__tostring")
            push(function: "__tostring") { c in c.push("<\(T.luaTypeName)>") }
            lua_rawset(L, mt)
        }
        // In C: checks the metatable's identity before trusting the block, and
        // never enters this LuaState (finalizers also run from its deinit).
        push("__gc")
        clb_push_object_gc(L, key)
        lua_rawset(L, mt)
        lua_rawsetp(L, clb_registryindex(), key)
    }

    func classKey<T: LuaObject>(_ type: T.Type) -> UnsafeMutableRawPointer? { classKeys[ObjectIdentifier(type)] }

    /// Pushes `obj` as a userdata of its registered class.
    /// Host code (not a script's call) pushing an object: when it does not
    /// fit the memory limit it stays uncharged — there is no call to fail.
    public func push<T: LuaObject>(object obj: T) {
        LuaObjects.push(L, obj, key: classKey(T.self), budget: objectBudget, failCall: false)
    }

    /// The budget objects pushed into this state are charged to: the state's own.
    var objectBudget: MemoryBudget? { context.budget }
}

enum LuaObjects {
    /// The one place a Lua-held object is let go: by its `__gc` (through
    /// `clb_push_object_gc`) or by `LuaCall.close`. Exactly once per push:
    /// clears the box, returns the memory charged for the object, releases it.
    static func release(box raw: UnsafeMutableRawPointer) {
        let box = LuaObjectBox.at(raw)
        guard let p = box.pointee.object else { return }
        box.pointee.object = nil
        LuaObjectMemory.release(box)
        Unmanaged<AnyObject>.fromOpaque(p).release()
    }

    /// Installs `release` as the C `__gc`'s callback (once per process).
    static let installRelease: () -> Void = {
        clb_set_object_release { box in if let box { LuaObjects.release(box: UnsafeMutableRawPointer(box)) } }
        return {}
    }()

    static func push<T: LuaObject>(_ L: LuaStatePointer, _ obj: T, key: UnsafeMutableRawPointer?, budget: MemoryBudget?,
                                   failCall: Bool = true) {
        guard let key else { preconditionFailure("class \(T.luaTypeName) is not registered in this Lua state") }
        let box = LuaObjectBox.at(UnsafeMutableRawPointer(clb_new_box(L)!))
        box.pointee.object = UnsafeMutableRawPointer(Unmanaged<AnyObject>.passRetained(obj).toOpaque())
        lua_rawgetp(L, clb_registryindex(), key)
        lua_setmetatable(L, -2)
        // After the metatable is set, so a collection run by a failed charge cannot see a bare box.
        LuaObjectMemory.charge(L, obj, box: box, budget: budget, failCall: failCall)
    }

    /// The object at `index` if it is a live userdata of class `T`.
    static func get<T: LuaObject>(_ L: LuaStatePointer, _ index: Int32, key: UnsafeMutableRawPointer?) -> (T?, closed: Bool) {
        guard let key, lua_type(L, index) == LUA_TUSERDATA, lua_checkstack(L, 2) != 0,
              lua_getmetatable(L, index) != 0 else { return (nil, false) }
        lua_rawgetp(L, clb_registryindex(), key)
        let same = lua_rawequal(L, -1, -2) != 0
        lua_settop(L, -3)
        guard same, let raw = lua_touserdata(L, index) else { return (nil, false) }
        guard let p = LuaObjectBox.at(raw).pointee.object else { return (nil, true) }
        return (Unmanaged<AnyObject>.fromOpaque(p).takeUnretainedValue() as? T, false)
    }
}

extension LuaCall {
    /// The argument as an object of class `T`; anything else is a Lua error.
    public func object<T: LuaObject>(_ i: Int32, _ type: T.Type = T.self) throws -> T {
        let (obj, closed) = LuaObjects.get(L, i, key: state.classKey(T.self)) as (T?, closed: Bool)
        if let obj { return obj }
        if closed { throw LuaArgumentError(i, "\(T.luaTypeName) has been closed or collected") }
        throw expected(T.luaTypeName, i)
    }

    public func optObject<T: LuaObject>(_ i: Int32, _ type: T.Type = T.self) throws -> T? {
        isNoneOrNil(i) ? nil : try object(i, type)
    }

    /// True if argument `i` is a live object of class `T`.
    public func isObject<T: LuaObject>(_ i: Int32, _ type: T.Type) -> Bool {
        (LuaObjects.get(L, i, key: state.classKey(T.self)) as (T?, closed: Bool)).0 != nil
    }

    @discardableResult
    public func push<T: LuaObject>(object obj: T) -> Int32 {
        LuaObjects.push(L, obj, key: state.classKey(T.self), budget: state.objectBudget)
        return 1
    }

    /// Charges the object held by userdata `i` `bytes` from now on instead of
    /// what it was charged so far (for an object whose Swift data grew, e.g. a
    /// model after `fit`). Throws `MemoryLimitError`, leaving the charge as it
    /// was, when the growth does not fit the memory limit.
    public func recharge(_ i: Int32, to bytes: Int) throws {
        guard lua_type(L, i) == LUA_TUSERDATA, let raw = lua_touserdata(L, i) else { return }
        let box = LuaObjectBox.at(raw)
        guard box.pointee.object != nil else { return }
        try LuaObjectMemory.recharge(L, box, to: bytes, budget: state.objectBudget, what: LuaStack.typeName(L, i))
    }

    /// Releases the object of class `T` held by userdata `i` now (e.g.
    /// `:close()`); later uses of it raise "closed" errors. Anything but a
    /// live `T` is an argument error (the block is trusted only after the
    /// metatable check).
    public func close<T: LuaObject>(_ i: Int32, _ type: T.Type) throws {
        _ = try object(i, type)
        LuaObjects.release(box: lua_touserdata(L, i)!)
    }
}
