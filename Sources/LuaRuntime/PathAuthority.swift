import CLuaBridge
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A refusal by the sandbox's path authority. The message names the path as
/// the script gave it and why it was refused.
public struct SandboxDenied: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ path: String, _ reason: String) { description = "sandbox: '\(path)': \(reason)" }
}

/// A file descriptor owned by Swift; closed when released unless taken.
public final class OwnedDescriptor {
    public private(set) var fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    /// Hands the descriptor over to another owner (e.g. a Lua file handle).
    public func take() -> Int32 { defer { fd = -1 }; return fd }
    deinit { if fd >= 0 { close(fd) } }
}

/// A file the authority opened: its descriptor and its canonical path.
public struct AuthorizedFile {
    public let descriptor: OwnedDescriptor
    /// The absolute path with every symbolic link resolved (for manifests and messages).
    public let path: String
    /// A path that names exactly the opened file (not whatever the original path
    /// names by now): `/proc/self/fd/N` on Linux. For code that only takes paths.
    public var accessPath: String { PathAuthority.descriptorPath(descriptor.fd) }
}

/// A place to create or replace a file: the directory (held open) and the name in it.
public struct AuthorizedEntry {
    public let directory: OwnedDescriptor
    public let name: String
    /// The canonical absolute path of the entry.
    public let path: String
    /// Whether the entry exists now (then it is a regular file, or a symlink when not followed).
    public let exists: Bool
    /// A path naming `name` inside exactly the held directory (`/proc/self/fd/D/name` on
    /// Linux), so code that creates temporary files beside it and renames them stays there.
    public var accessPath: String {
        #if os(Linux)
        return PathAuthority.descriptorPath(directory.fd) + "/" + name
        #else
        return path
        #endif
    }
}

/// The one place that decides and performs sandboxed file access.
///
/// Why it resolves paths itself: checking a path with `realpath` and then
/// opening it lets the two disagree (a dangling link, a link loop that makes
/// `realpath` fail, a link swapped in between). The authority walks the path
/// one component at a time from `/`, each step relative to the directory
/// descriptor it already holds (`openat(…, O_NOFOLLOW)`), follows symbolic
/// links itself (at most `maxLinkHops`), and fails closed on every error. The
/// canonical path it ends with must lie below a root; then it opens the last
/// component relative to the held directory, with `O_NOFOLLOW | O_NONBLOCK`
/// (a FIFO can never block the open) and verifies with `fstat` that it opened a
/// regular file. Callers get the descriptor, never a path to open again.
public struct PathAuthority: Sendable, Equatable {
    /// Canonical roots (resolved once, when the policy is made by the operator).
    public let roots: [String]
    static let maxLinkHops = 40

    #if DEBUG
    /// Test-only (debug builds): `CHURNLAB_TEST_DISABLE_PATH_CHECK=1` turns off the
    /// root check, so a test can prove that the operating-system layer
    /// (Landlock) alone stops an escape. Release builds ignore the variable.
    public static let rootCheckDisabledForTesting = ProcessInfo.processInfo.environment["CHURNLAB_TEST_DISABLE_PATH_CHECK"] == "1"
    #endif

    public init(roots: [String]) { self.roots = roots }

    /// What the caller wants to do with a file.
    public enum Access: Equatable, Sendable {
        case read
        /// Open for writing; `create`/`truncate`/`append` as in `open(2)`; `read` for "+" modes.
        case write(create: Bool, truncate: Bool, append: Bool, read: Bool)

        /// The access of a Lua `io.open` mode ("r", "w", "a", "r+", "w+", "a+", each with optional "b"); nil when invalid.
        public init?(luaMode mode: String) {
            var m = Substring(mode)
            guard let first = m.first, "rwa".contains(first) else { return nil }
            m = m.dropFirst()
            let plus = m.first == "+"
            if plus { m = m.dropFirst() }
            guard m.allSatisfy({ $0 == "b" }) else { return nil }
            switch (first, plus) {
            case ("r", false): self = .read
            case ("r", true): self = .write(create: false, truncate: false, append: false, read: true)
            case ("w", _): self = .write(create: true, truncate: true, append: false, read: plus)
            default: self = .write(create: true, truncate: false, append: true, read: plus)
            }
        }

        public var writes: Bool { if case .write = self { return true } else { return false } }

        var flags: Int32 {
            switch self {
            case .read: return O_RDONLY
            case let .write(create, truncate, append, read):
                return (read ? O_RDWR : O_WRONLY) | (create ? O_CREAT : 0) | (truncate ? O_TRUNC : 0) | (append ? O_APPEND : 0)
            }
        }
        var creates: Bool { if case .write(let c, _, _, _) = self { return c } else { return false } }
    }

    // MARK: operations

    /// Opens a regular file below a root; the descriptor is the caller's.
    public func open(_ path: String, _ access: Access) throws -> AuthorizedFile {
        let e = try entry(path, followLast: true)
        if !e.exists && !access.creates { throw SandboxDenied(path, "No such file or directory") }
        let fd = openat(e.directory.fd, e.name, access.flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SandboxDenied(path, String(cString: strerror(errno))) }
        let owned = OwnedDescriptor(fd)
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SandboxDenied(path, String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SandboxDenied(path, "not a regular file (\(PathAuthority.kind(st.st_mode)))") }
        let fl = fcntl(fd, F_GETFL)
        if fl >= 0 { _ = fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) }
        return AuthorizedFile(descriptor: owned, path: e.path)
    }

    /// Reads a whole regular file below a root.
    public func readAll(_ path: String) throws -> (bytes: [UInt8], path: String) {
        let f = try open(path, .read)
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(f.descriptor.fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw SandboxDenied(path, String(cString: strerror(errno))) }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return (out, f.path)
    }

    /// Whether `path` names a regular file below a root (false on any error;
    /// nothing is opened, so FIFOs cannot block and outside files are not probed).
    public func isReadableFile(_ path: String) -> Bool {
        guard let e = try? entry(path, followLast: true), e.exists else { return false }
        var st = stat()
        guard fstatat(e.directory.fd, e.name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Where a file may be created or replaced (the final link, if any, followed).
    /// An existing entry must be a regular file.
    public func outputEntry(_ path: String) throws -> AuthorizedEntry {
        try entry(path, followLast: true)
    }

    /// Removes a file (or empty directory) below a root; a final symbolic link is removed itself.
    public func remove(_ path: String) throws {
        let e = try entry(path, followLast: false, allowAnyType: true)
        guard e.exists else { throw SandboxDenied(path, "No such file or directory") }
        if unlinkat(e.directory.fd, e.name, 0) == 0 { return }
        if errno == EISDIR, unlinkat(e.directory.fd, e.name, AT_REMOVEDIR) == 0 { return }
        throw SandboxDenied(path, String(cString: strerror(errno)))
    }

    /// Renames within the roots; final symbolic links are renamed themselves.
    public func rename(_ from: String, _ to: String) throws {
        let a = try entry(from, followLast: false, allowAnyType: true)
        guard a.exists else { throw SandboxDenied(from, "No such file or directory") }
        let b = try entry(to, followLast: false, allowAnyType: true)
        guard renameat(a.directory.fd, a.name, b.directory.fd, b.name) == 0 else {
            throw SandboxDenied(from, String(cString: strerror(errno)))
        }
    }

    // MARK: resolution

    /// Resolves `path` to (directory held open, last name); the canonical path must lie below a root.
    /// Unless `allowAnyType`, an existing last entry must be a regular file.
    func entry(_ path: String, followLast: Bool, allowAnyType: Bool = false) throws -> AuthorizedEntry {
        guard !roots.isEmpty else {
            throw SandboxDenied(path, "file access is not allowed (no allowed directory; give --allow-path)")
        }
        guard !path.isEmpty, !path.utf8.contains(0) else { throw SandboxDenied(path, "invalid path") }
        let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let rootFD = PathAuthority.openDirectory(AT_FDCWD, "/")
        guard rootFD >= 0 else { throw SandboxDenied(path, "cannot open /") }
        var dirs: [OwnedDescriptor] = [OwnedDescriptor(rootFD)]
        var names: [String] = []
        var pending = Array(abs.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        var hops = 0

        /// A failure while resolving: its reason is shown only when the place is
        /// inside the roots, so refusals reveal nothing about outside files.
        func failure(_ at: [String], _ reason: String) -> SandboxDenied {
            under(PathAuthority.join(at)) ? SandboxDenied(path, reason) : outside()
        }
        func outside() -> SandboxDenied {
            SandboxDenied(path, "access is not allowed (outside \(roots.joined(separator: ", ")))")
        }

        while let comp = pending.popLast() {
            if comp == "." { continue }
            if comp == ".." {
                if dirs.count > 1 { dirs.removeLast(); names.removeLast() }
                continue
            }
            let isLast = pending.allSatisfy { $0 == "." }
            let here = dirs[dirs.count - 1].fd
            var st = stat()
            if fstatat(here, comp, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                let err = errno
                if err == ENOENT && isLast {
                    let full = names + [comp]
                    guard under(PathAuthority.join(full)) else { throw outside() }
                    return AuthorizedEntry(directory: dirs.removeLast(), name: comp, path: PathAuthority.join(full), exists: false)
                }
                throw failure(names + [comp], String(cString: strerror(err)))
            }
            let type = st.st_mode & S_IFMT
            if type == S_IFLNK && (followLast || !isLast) {
                hops += 1
                guard hops <= PathAuthority.maxLinkHops else { throw failure(names + [comp], String(cString: strerror(ELOOP))) }
                guard let target = PathAuthority.readLink(here, comp) else { throw failure(names + [comp], "cannot read link") }
                if target.hasPrefix("/") { dirs.removeSubrange(1...); names = [] }
                pending.append(contentsOf: target.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
                continue
            }
            if isLast {
                let full = names + [comp]
                guard under(PathAuthority.join(full)) else { throw outside() }
                if !allowAnyType && type != S_IFREG {
                    throw SandboxDenied(path, "not a regular file (\(PathAuthority.kind(st.st_mode)))")
                }
                return AuthorizedEntry(directory: dirs.removeLast(), name: comp, path: PathAuthority.join(full), exists: true)
            }
            guard type == S_IFDIR else { throw failure(names + [comp], String(cString: strerror(ENOTDIR))) }
            let fd = PathAuthority.openDirectory(here, comp)
            guard fd >= 0 else { throw failure(names + [comp], String(cString: strerror(errno))) }
            dirs.append(OwnedDescriptor(fd))
            names.append(comp)
        }
        // The path names a directory (or "/"): never a file to open.
        guard under(PathAuthority.join(names)) else { throw outside() }
        throw SandboxDenied(path, "is a directory")
    }

    /// Whether a canonical path is a root or below one.
    func under(_ canonical: String) -> Bool {
        #if DEBUG
        if PathAuthority.rootCheckDisabledForTesting { return true }
        #endif
        return roots.contains { root in
            canonical == root || canonical.hasPrefix(root == "/" ? "/" : root + "/")
        }
    }

    static func join(_ names: [String]) -> String { "/" + names.joined(separator: "/") }

    static func readLink(_ dir: Int32, _ name: String) -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(dir, name, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens a directory only as a place to resolve names from; a link in its
    /// place fails (`O_NOFOLLOW`) instead of being followed.
    static func openDirectory(_ dir: Int32, _ name: String) -> Int32 {
        #if os(Linux)
        return openat(dir, name, clb_o_path() | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        #else
        return openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        #endif
    }

    static func descriptorPath(_ fd: Int32) -> String {
        #if os(Linux)
        return "/proc/self/fd/\(fd)"
        #else
        return "/dev/fd/\(fd)"
        #endif
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
