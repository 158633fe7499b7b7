/// Escaping text for HTML, SVG and other XML: the one implementation used by
/// charts, frame tables, reports and notebook pages.
public enum Markup {
    /// Escapes `& < > " '` and drops characters XML 1.0 forbids (C0 controls
    /// other than tab and newlines, U+FFFE, U+FFFF). With `keepWhitespace`
    /// false, tabs and newlines become spaces (attribute values, SVG text);
    /// with true they stay (HTML bodies, `<pre>` blocks).
    public static func escape(_ s: String, keepWhitespace: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r":
                if keepWhitespace { out.unicodeScalars.append(ch) } else { out += " " }
            default:
                if ch.value < 0x20 || ch.value == 0xFFFE || ch.value == 0xFFFF { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
