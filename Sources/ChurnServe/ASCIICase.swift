/// ASCII case-insensitive matching on UTF-8 bytes, for header values the server checks on
/// every request (the auth scheme, the content type) without lowercasing a String copy.
enum ASCIICase {
    /// Whether `bytes` starts with `lowercase` (lowercase ASCII), letters compared either case,
    /// as `String(bytes).lowercased().hasPrefix(…)` answers: that compares characters, so a
    /// non-ASCII byte right after the prefix (a combining mark would join its last character) fails.
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count >= lowercase.count, bytes.count == lowercase.count || bytes[lowercase.count] < 0x80 else { return false }
        for (i, c) in lowercase.enumerated() {
            let b = bytes[i]
            // Only an ASCII letter is compared with its bit 0x20 set (A-Z → a-z).
            guard b == c || (c >= 0x61 && c <= 0x7A && b | 0x20 == c) else { return false }
        }
        return true
    }

    /// The same on a String's UTF-8.
    static func hasPrefix(_ s: String, _ lowercase: [UInt8]) -> Bool {
        var s = s
        return s.withUTF8 { hasPrefix($0, lowercase) }
    }
}
