import ChurnCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client of a running `churnlab serve`, for `churnlab schedule --source serve`:
/// reads `GET /v1/scores` (every user of the online state scored now, as CSV)
/// so a scheduled rule run acts on the server's fresh state. Plain HTTP/1.1
/// over one connection per request (`Connection: close`), as the server
/// speaks it; the token comes from a file, as the server's does.
public struct ServeClient: Sendable {
    public let host: String
    public let port: Int
    let token: String?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// `url`: `http://HOST[:PORT]` (no path; https is not spoken: the server binds plain HTTP, loopback by default).
    public init(url: String, tokenFile: String?) throws {
        guard url.hasPrefix("http://") else { throw Failure("--server must be http://HOST[:PORT], got '\(url)'") }
        var rest = Substring(url.dropFirst(7))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else { throw Failure("--server must be http://HOST[:PORT] without a path, got '\(url)'") }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {            // [::1]:8080
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let tail = rest[rest.index(after: close)...]
            guard tail.isEmpty || tail.hasPrefix(":") else { throw Failure("--server: bad address '\(url)'") }
            port = tail.isEmpty ? 80 : Int(tail.dropFirst()) ?? -1
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon]); port = Int(rest[rest.index(after: colon)...]) ?? -1
        } else {
            host = String(rest); port = 80
        }
        guard (1...65535).contains(port), !host.isEmpty else { throw Failure("--server: bad port or host in '\(url)'") }
        token = try tokenFile.map(BearerToken.read(file:))
    }

    /// Largest response read (a scores table of a few million users).
    public static let maxResponseBytes = 2 << 30

    /// `GET path`: the status and body; throws when the server cannot be reached or the response is malformed.
    public func get(_ path: String, timeout: Double = 300) throws -> (status: Int, body: [UInt8]) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else { throw Failure("cannot resolve \(host)") }
        defer { freeaddrinfo(res) }
        var fd: Int32 = -1
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd >= 0 {
                if connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { break }
                close(fd); fd = -1
            }
            ai = a.pointee.ai_next
        }
        guard fd >= 0 else { throw Failure("cannot connect to http://\(host):\(port): \(String(cString: strerror(errno))) (is churnlab serve running?)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var head = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nAccept: */*\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        let request = Array((head + "\r\n").utf8)
        var off = 0
        while off < request.count {
            let n = request[off...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure("cannot send the request to \(host):\(port): \(String(cString: strerror(errno)))") }
            off += n
        }
        var response: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw Failure("reading the response from \(host):\(port): \(String(cString: strerror(errno)))") }
            response += buf[0..<n]
            guard response.count <= Self.maxResponseBytes else { throw Failure("the response is larger than \(Self.maxResponseBytes) bytes") }
        }
        return try Self.parse(response)
    }

    /// Status line, headers (Content-Length or chunked) and body of a complete HTTP/1.1 response.
    static func parse(_ r: [UInt8]) throws -> (status: Int, body: [UInt8]) {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, r.count - 3)).first(where: { r[$0..<$0 + 4].elementsEqual(sep) }) else {
            throw Failure("no HTTP response header (\(r.count) bytes)")
        }
        let lines = String(decoding: r[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { throw Failure("bad status line '\(lines[0])'") }
        var headers: [String: String] = [:]
        for l in lines.dropFirst() {
            if let c = l.firstIndex(of: ":") { headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces) }
        }
        var body = Array(r[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var out: [UInt8] = [], i = 0
            while true {
                guard let nl = (i..<max(i, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
                      let n = Int(String(decoding: body[i..<nl], as: UTF8.self).split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16),
                      nl + 2 + n <= body.count else { throw Failure("truncated chunked response") }
                if n == 0 { break }
                out += body[(nl + 2)..<(nl + 2 + n)]
                i = nl + 2 + n + 2
            }
            body = out
        } else if let len = headers["content-length"].flatMap(Int.init) {
            guard body.count >= len else { throw Failure("truncated response: \(body.count) of \(len) bytes") }
            body = Array(body.prefix(len))
        }
        return (status, body)
    }

    /// Writes the server's scores (`GET /v1/scores`: user_id, probability, tier, the online features)
    /// to `path` (via a temporary file, renamed once complete); returns the number of users.
    public func fetchScores(to path: String, timeout: Double = 300) throws -> Int {
        let (status, body) = try get("/v1/scores", timeout: timeout)
        guard status == 200 else {
            let text = String(decoding: body.prefix(2000), as: UTF8.self)
            let message = ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])
                .flatMap { ($0["error"] as? [String: Any])?["message"] as? String } ?? text
            throw Failure("GET http://\(host):\(port)/v1/scores answered \(status): \(message)")
        }
        let tmp = path + ".part"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(body)) else { throw Failure("cannot write \(tmp)") }
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
        return max(0, body.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } - 1)
    }
}
