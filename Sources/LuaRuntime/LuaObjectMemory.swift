import CLua
import CLuaBridge
import ExecutionControl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The userdata block of a `LuaObject` (`clb_new_box`, `CLB_BOX_WORDS` words):
/// the retained object, the memory budget its footprint is charged to
/// (retained, so the release always reaches the budget that was charged, even
/// if the object outlives the call that made it), and the bytes charged.
struct LuaObjectBox {
    var object: UnsafeMutableRawPointer?
    var budget: UnsafeMutableRawPointer?
    var charged: Int

    static func at(_ raw: UnsafeMutableRawPointer) -> UnsafeMutablePointer<LuaObjectBox> {
        raw.assumingMemoryBound(to: LuaObjectBox.self)
    }
}

/// Charging the Swift memory of objects Lua holds (frames, columns, models)
/// to the script's memory budget for as long as the userdata lives.
///
/// Policy when a push would exceed the limit: first a full garbage
/// collection (dead frames and columns still hold charges until their `__gc`
/// runs, and Lua's collector does not see Swift memory), then one more try;
/// if it still does not fit, the object is pushed uncharged and the call that
/// pushed it ends with "memory limit exceeded (N MB) allocating cl.Frame (… MB)"
/// — raised by the trampoline after the Swift frame has returned, like every
/// other error — so the object becomes garbage at once.
enum LuaObjectMemory {
    /// Charges `obj`'s footprint to `budget` and records it in `box`.
    /// With `failCall` false (host code pushing, no script call to fail) an
    /// object that does not fit stays uncharged and nothing is reported.
    static func charge<T: LuaObject>(_ L: LuaStatePointer, _ obj: T, box: UnsafeMutablePointer<LuaObjectBox>,
                                     budget: MemoryBudget?, failCall: Bool = true) {
        let bytes = obj.memoryFootprint
        guard bytes > 0, let budget else { return }
        let what = { "\(T.luaTypeName) (\(describe(bytes)))" }
        do {
            try budget.reserve(bytes, for: what())
        } catch {
            // Finalizers of dead objects release their charges; Lua never runs
            // them for Swift-side memory pressure on its own.
            clb_full_gc(L)
            do { try budget.reserve(bytes, for: what()) } catch {
                if failCall { setPending(error, L) }
                return
            }
        }
        box.pointee.budget = UnsafeMutableRawPointer(Unmanaged.passRetained(budget).toOpaque())
        box.pointee.charged = bytes
    }

    /// Changes the box's charge to `bytes` (an object that grew, e.g. a model
    /// after `fit`), or throws `MemoryLimitError` leaving the charge as it was.
    static func recharge(_ L: LuaStatePointer, _ box: UnsafeMutablePointer<LuaObjectBox>, to bytes: Int,
                         budget: MemoryBudget?, what: @autoclosure () -> String) throws {
        guard let budget else { return }
        if let b = box.pointee.budget, Unmanaged<MemoryBudget>.fromOpaque(b).takeUnretainedValue() !== budget {
            release(box)   // charged to another budget (cannot happen for objects of one state): start over
        }
        let old = box.pointee.charged
        if bytes > old {
            let more = bytes - old
            do { try budget.reserve(more, for: "\(what()) (\(describe(bytes)))") } catch {
                clb_full_gc(L)
                try budget.reserve(more, for: "\(what()) (\(describe(bytes)))")
            }
        } else {
            budget.release(old - bytes)
        }
        if box.pointee.budget == nil { box.pointee.budget = UnsafeMutableRawPointer(Unmanaged.passRetained(budget).toOpaque()) }
        box.pointee.charged = bytes
    }

    /// Returns the box's charge (exactly what was charged) and forgets it.
    static func release(_ box: UnsafeMutablePointer<LuaObjectBox>) {
        guard let b = box.pointee.budget else { return }
        let budget = Unmanaged<MemoryBudget>.fromOpaque(b)
        budget.takeUnretainedValue().release(box.pointee.charged)
        budget.release()
        box.pointee.budget = nil
        box.pointee.charged = 0
    }

    static func describe(_ n: Int) -> String {
        let mb = Double(n) / 1_048_576
        return mb >= 10 ? "\(Int(mb.rounded())) MB" : "\((mb * 10).rounded() / 10) MB"
    }

    // MARK: the error of a push that did not fit

    /// Per thread (a Lua state runs on one thread): set by a push that did not
    /// fit, taken by the dispatcher when the Swift function returns.
    private static let pendingKey: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// Also raises the state's `object_error` flag, so the dispatcher's hot
    /// path reads one field instead of the thread-local slot on every call.
    private static func setPending(_ error: Error, _ L: LuaStatePointer) {
        clb_runtime_of(L).pointee.object_error = 1
        if pthread_getspecific(pendingKey) != nil { return }   // the first one is reported
        pthread_setspecific(pendingKey, Unmanaged.passRetained(ErrorBox(error)).toOpaque())
    }

    /// The error of a push made during the call that just returned, if any
    /// (the dispatcher calls this only when `object_error` is set); clears the flag.
    static func takePending(_ L: LuaStatePointer) -> Error? {
        clb_runtime_of(L).pointee.object_error = 0
        guard let p = pthread_getspecific(pendingKey) else { return nil }
        pthread_setspecific(pendingKey, nil)
        return Unmanaged<ErrorBox>.fromOpaque(p).takeRetainedValue().error
    }

    private final class ErrorBox {
        let error: Error
        init(_ e: Error) { error = e }
    }
}
