import ChurnCore
import Foundation

/// Reads a `--pseudonymize-key-file`: its bytes, without a trailing newline.
enum PseudonymKey {
    static func load(_ path: String) throws -> Pseudonymizer {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
        return try Pseudonymizer(key: bytes)
    }
}
