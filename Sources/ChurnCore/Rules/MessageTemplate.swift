import Foundation

/// A `{field}` message template compiled once per rule and rendered per selected
/// user from whole columns. `{{` and `}}` are literal braces; a null field renders empty.
public struct MessageTemplate: Sendable {
    public enum Part: Sendable, Equatable { case text(String), field(String) }
    public let parts: [Part]
    public let source: String

    public init(_ source: String) throws {
        self.source = source
        var parts: [Part] = []
        var text = ""
        var it = Array(source)
        var i = 0
        while i < it.count {
            let ch = it[i]
            if ch == "{" {
                if i + 1 < it.count && it[i + 1] == "{" { text.append("{"); i += 2; continue }
                guard let close = it[(i + 1)...].firstIndex(of: "}") else {
                    throw RulesError("template '\(source)': '{' at character \(i + 1) is never closed")
                }
                let name = String(it[(i + 1)..<close]).trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { throw RulesError("template '\(source)': empty field '{}' at character \(i + 1)") }
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                parts.append(.field(name))
                i = close + 1
            } else if ch == "}" {
                if i + 1 < it.count && it[i + 1] == "}" { text.append("}"); i += 2; continue }
                throw RulesError("template '\(source)': unmatched '}' at character \(i + 1)")
            } else {
                text.append(ch); i += 1
            }
        }
        if !text.isEmpty { parts.append(.text(text)) }
        it.removeAll()
        self.parts = parts
    }

    public var fields: [String] { parts.compactMap { if case .field(let f) = $0 { return f } else { return nil } } }
}
