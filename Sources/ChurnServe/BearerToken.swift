import ChurnCore
import Crypto
import Foundation

/// The shared secret POST and admin routes require (`Authorization: Bearer <token>`).
/// It comes from a file only (never the command line, where `ps` shows it);
/// the file must not be readable by group or others, as ssh insists for keys.
public struct BearerToken: Sendable {
    private let digest: Crypto.SHA256.Digest
    /// Shortest accepted token.
    public static let minLength = 16

    public init(file path: String) throws { self.init(token: try BearerToken.read(file: path)) }

    /// The token a file holds, after the mode and shape checks (a client sends it; the server keeps only its hash).
    public static func read(file path: String) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { throw StateFileError("--token-file '\(path)': \(String(cString: strerror(errno)))") }
        guard st.st_mode & 0o077 == 0 else {
            throw StateFileError("--token-file '\(path)' is readable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw StateFileError("--token-file '\(path)' cannot be read as UTF-8 text")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count >= BearerToken.minLength, !token.contains(where: { $0.isWhitespace }) else {
            throw StateFileError("--token-file '\(path)': the token must be one word of at least \(BearerToken.minLength) characters")
        }
        return token
    }

    public init(token: String) { digest = Crypto.SHA256.hash(data: Array(token.utf8)) }

    /// Whether an Authorization header value carries the token. Both sides are
    /// hashed first, so the comparison time does not depend on the presented
    /// token's length or on where it first differs; the digest compare itself is
    /// swift-crypto's constant-time one. The scheme is matched ASCII case-insensitively
    /// on the header's UTF-8 bytes (no String copies: this runs for every authenticated
    /// request), and the hash is BoringSSL's (SHA extensions where the CPU has them:
    /// ~4 % of a one-row score request's server CPU with the hand-written `ChurnCore.SHA256`).
    public func accepts(authorization header: String?) -> Bool {
        guard var header else { return false }
        return header.withUTF8 { accepts(authorization: $0) }
    }

    /// The same on the header value's bytes (`ScoreWireHandler` reads them off the wire).
    func accepts(authorization b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count > 7, ASCIICase.hasPrefix(b, Self.scheme) else { return false }
        return Crypto.SHA256.hash(data: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[7...]))) == digest
    }

    /// "bearer " in lowercase ASCII.
    private static let scheme = Array("bearer ".utf8)
}
