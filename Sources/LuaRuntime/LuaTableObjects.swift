import CLua

extension LuaTable {
    /// t[key] as a userdata object of class `T` (nil when absent). Lets option
    /// readers that see only the table (e.g. a model kind's option parser)
    /// take objects such as an event log; errors name the field.
    public func object<T: LuaObject>(_ key: String, _ type: T.Type = T.self) throws -> T? {
        let t = get(key); defer { lua_settop(L, -2) }
        if t == LUA_TNIL { return nil }
        guard let state = LuaState.owner(of: L) else { throw err(key, "\(T.luaTypeName) expected") }
        let (obj, closed) = LuaObjects.get(L, -1, key: state.classKey(T.self)) as (T?, closed: Bool)
        if let obj { return obj }
        throw err(key, closed ? "\(T.luaTypeName) has been closed or collected" : "\(T.luaTypeName) expected, got \(LuaStack.typeName(L, -1))")
    }
}
