import CLuaBridge
import Foundation

/// The operating-system layer of `--sandbox` (defense in depth): if a bug in
/// the in-process checks ever let a script name a file outside its roots, the
/// kernel still refuses it.
///
/// On Linux the whole process gets `PR_SET_NO_NEW_PRIVS` and, when the kernel
/// supports it, a Landlock domain that handles every filesystem right (no
/// execute anywhere) and allows only:
/// - the sandbox roots: read and write (what the script may touch);
/// - `hostWritable` (the command's own outputs, e.g. a ledger or a manifest
///   written after the script): read and write; `hostReadable` (its own
///   inputs, e.g. a key file): read;
/// - what the process itself needs: the executable and the directories of
///   every loaded shared library, `/etc/ld.so.cache`, `/etc/localtime`,
///   `/usr/share/zoneinfo` and `/usr/lib/locale` (`os.setlocale`) (read); `/proc/self` and
///   `/sys/devices/system/cpu` (read, for thread counts); `/dev/null`
///   (read/write), `/dev/urandom` (read).
/// With Landlock ABI ≥ 4 TCP bind/connect are denied as well.
///
/// Only `/proc/self`: all of `/proc` would let the process read other
/// processes' `environ` (Landlock's ptrace restriction does not cover it).
/// That is why the core's thread pool is not libdispatch's, whose monitor
/// opens `/proc/<tid>/stat` of each worker (see `WorkerPool`).
/// Lua's own module directories are not needed: the sandbox's `require` only
/// searches below the roots. Landlock applies to the calling thread and the
/// threads it creates later, so `apply` must run before any other thread
/// exists (the commands call it first thing).
public enum OSConfinement {
    public enum Outcome: Equatable {
        case landlock(abi: Int)
        /// Landlock could not be used; `reason` says why (once on stderr).
        case unavailable(reason: String)
    }

    /// Confines the process for good. Never fails the command: an
    /// unavailable layer is reported once on standard error.
    @discardableResult
    public static func apply(roots: [String], hostWritable: [String] = [], hostReadable: [String] = []) -> Outcome {
        #if DEBUG
        if ProcessInfo.processInfo.environment["CHURNLAB_TEST_DISABLE_LANDLOCK"] == "1" {
            return report(.unavailable(reason: "disabled for testing (CHURNLAB_TEST_DISABLE_LANDLOCK)"))
        }
        #endif
        #if os(Linux)
        let npr = clb_no_new_privs()
        let abi = Int(clb_landlock_abi())
        guard abi >= 1 else {
            return report(.unavailable(reason: "the kernel does not support Landlock (\(String(cString: strerror(Int32(-abi)))))"))
        }
        guard npr == 0 else { return report(.unavailable(reason: "cannot set no-new-privileges (\(String(cString: strerror(-npr))))")) }
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 1
        guard threads <= 1 else {
            return report(.unavailable(reason: "\(threads) threads already run, and Landlock would confine only new ones"))
        }
        let ruleset = clb_landlock_ruleset(Int32(abi))
        guard ruleset >= 0 else { return report(.unavailable(reason: "landlock_create_ruleset: \(String(cString: strerror(-ruleset)))")) }
        var rules: [(String, Int32)] = []
        for r in roots + hostWritable { rules.append((r, CLB_LL_READ | CLB_LL_WRITE)) }
        for r in hostReadable + systemReadable() { rules.append((r, CLB_LL_READ)) }
        rules.append(("/dev/null", CLB_LL_READ | CLB_LL_WRITE))
        for (path, rights) in rules {
            // A missing path (e.g. no /etc/localtime) simply allows nothing.
            _ = clb_landlock_allow(ruleset, path, rights, Int32(abi))
        }
        let r = clb_landlock_enforce(ruleset)
        guard r == 0 else { return report(.unavailable(reason: "landlock_restrict_self: \(String(cString: strerror(-r)))")) }
        return .landlock(abi: abi)
        #else
        return report(.unavailable(reason: "Landlock is Linux-only"))
        #endif
    }

    /// Read-only paths the process needs to keep working once confined.
    static func systemReadable() -> [String] {
        var paths: [String] = ["/etc/ld.so.cache", "/etc/localtime", "/usr/share/zoneinfo", "/usr/lib/locale",
                               "/proc/self", "/sys/devices/system/cpu", "/dev/urandom"]
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { paths.append(exe) }
        // Directories of the loaded shared libraries (Swift runtime, Foundation, ICU,
        // Lua, SQLite...), which may load parts of themselves later.
        if let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) {
            var dirs = Set<String>()
            for line in maps.split(separator: "\n") {
                guard let slash = line.firstIndex(of: "/") else { continue }
                let file = String(line[slash...])
                guard file.hasSuffix(".so") || file.contains(".so.") else { continue }
                dirs.insert((file as NSString).deletingLastPathComponent)
            }
            paths += dirs.sorted()
        }
        return paths
    }

    nonisolated(unsafe) private static var reported = false

    private static func report(_ o: Outcome) -> Outcome {
        if case .unavailable(let reason) = o, !reported {
            reported = true
            FileHandle.standardError.write(Data("churnlab: warning: --sandbox without the OS layer: \(reason); only the in-process checks apply\n".utf8))
        }
        return o
    }
}
