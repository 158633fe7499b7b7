import ChurnCore
import Foundation

/// A notebook as one self-contained static HTML page: markdown cells rendered,
/// code with its execution count, outputs (HTML tables and SVG charts inline).
enum NotebookHTML {
    static func render(_ doc: NotebookDocument, title: String) -> String {
        var body = ""
        for cell in doc.cells {
            let source = NotebookDocument.text(cell["source"])
            switch cell["cell_type"] as? String {
            case "markdown":
                body += "<div class=\"cell markdown\">\n\(Markdown.html(source))</div>\n"
            case "code":
                let count = (cell["execution_count"] as? Int).map(String.init) ?? " "
                body += "<div class=\"cell code\">\n<div class=\"input\"><span class=\"prompt\">In [\(count)]:</span>"
                body += "<pre><code class=\"language-lua\">\(escape(source))</code></pre></div>\n"
                for o in cell["outputs"] as? [[String: Any]] ?? [] { body += output(o) }
                body += "</div>\n"
            default:
                body += "<div class=\"cell raw\"><pre>\(escape(source))</pre></div>\n"
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #1f2328; line-height: 1.5; }
            pre { background: #f6f8fa; padding: .6em .8em; overflow-x: auto; border-radius: 4px; font-size: 13px; margin: .2em 0; }
            .cell { margin: 1.2em 0; }
            .prompt { color: #57606a; font: 12px monospace; display: block; }
            .output { margin-left: 1em; }
            .output pre { background: #fff; border-left: 3px solid #d0d7de; }
            .output pre.error { background: #fff0f0; border-left-color: #cf222e; color: #82071e; }
            .output pre.stderr { background: #fff8e5; }
            table.churnlab-frame { border-collapse: collapse; font-size: 13px; margin: .4em 0; }
            table.churnlab-frame th, table.churnlab-frame td { border: 1px solid #d0d7de; padding: 2px 8px; }
            table.churnlab-frame thead th { background: #f6f8fa; }
            table.churnlab-frame td.null { color: #8c959f; }
            table.churnlab-frame caption { caption-side: bottom; text-align: left; color: #57606a; font-size: 12px; }
            code { background: #f6f8fa; padding: 0 .2em; border-radius: 3px; }
            pre code { background: none; padding: 0; }
            svg { max-width: 100%; height: auto; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func output(_ o: [String: Any]) -> String {
        var h = "<div class=\"output\">"
        switch o["output_type"] as? String {
        case "stream":
            let name = o["name"] as? String ?? "stdout"
            h += "<pre class=\"\(name)\">\(escape(NotebookDocument.text(o["text"])))</pre>"
        case "error":
            let tb = (o["traceback"] as? [String] ?? []).map(stripANSI).joined(separator: "\n")
            h += "<pre class=\"error\">\(escape(tb))</pre>"
        case "display_data", "execute_result":
            let data = o["data"] as? [String: Any] ?? [:]
            if let svg = data["image/svg+xml"] {
                // Inline SVG in HTML: the XML declaration does not belong there.
                h += NotebookDocument.text(svg).replacingOccurrences(of: #"^\s*<\?xml[^>]*\?>\s*"#, with: "", options: .regularExpression)
            } else if let html = data["text/html"] {
                h += NotebookDocument.text(html)
            } else if let png = data["image/png"] as? String {
                h += "<img src=\"data:image/png;base64,\(png.filter { !$0.isWhitespace })\">"
            } else if let text = data["text/plain"] {
                h += "<pre>\(escape(NotebookDocument.text(text)))</pre>"
            }
        default: break
        }
        return h + "</div>\n"
    }

    static func escape(_ s: String) -> String { Markup.escape(s, keepWhitespace: true) }

    static func stripANSI(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}

/// The subset of Markdown notebooks use: ATX headings, paragraphs, bullet and
/// numbered lists, fenced code, block quotes, rules, `code`, **bold**, *italic*, [links](url).
enum Markdown {
    static func html(_ text: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var list: (tag: String, items: [String])?
        var fence: [String]?
        func flushParagraph() {
            if !paragraph.isEmpty { out += "<p>\(inline(paragraph.joined(separator: " ")))</p>\n"; paragraph = [] }
        }
        func flushList() {
            if let l = list { out += "<\(l.tag)>\n" + l.items.map { "<li>\(inline($0))</li>\n" }.joined() + "</\(l.tag)>\n"; list = nil }
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if var f = fence {
                if line.hasPrefix("```") { out += "<pre><code>\(NotebookHTML.escape(f.joined(separator: "\n")))</code></pre>\n"; fence = nil }
                else { f.append(raw); fence = f }
                continue
            }
            if line.hasPrefix("```") { flushParagraph(); flushList(); fence = []; continue }
            if line.isEmpty { flushParagraph(); flushList(); continue }
            if let level = heading(line) {
                flushParagraph(); flushList()
                let content = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                out += "<h\(level)>\(inline(content))</h\(level)>\n"
            } else if line == "---" || line == "***" {
                flushParagraph(); flushList(); out += "<hr>\n"
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") {
                flushParagraph()
                if list?.tag != "ul" { flushList(); list = ("ul", []) }
                list!.items.append(String(line.dropFirst(2)))
            } else if let r = line.range(of: #"^\d+[.)] "#, options: .regularExpression) {
                flushParagraph()
                if list?.tag != "ol" { flushList(); list = ("ol", []) }
                list!.items.append(String(line[r.upperBound...]))
            } else if line.hasPrefix(">") {
                flushParagraph(); flushList()
                out += "<blockquote>\(inline(line.dropFirst().trimmingCharacters(in: .whitespaces)))</blockquote>\n"
            } else if list != nil, raw.hasPrefix("  ") {
                list!.items[list!.items.count - 1] += " " + line
            } else {
                flushList(); paragraph.append(line)
            }
        }
        if let f = fence { out += "<pre><code>\(NotebookHTML.escape(f.joined(separator: "\n")))</code></pre>\n" }
        flushParagraph(); flushList()
        return out
    }

    private static func heading(_ line: String) -> Int? {
        let n = line.prefix { $0 == "#" }.count
        guard (1...6).contains(n), line.dropFirst(n).first == " " else { return nil }
        return n
    }

    /// Inline markup; code spans are protected from the other rules.
    static func inline(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "`") {
            out += emphasis(NotebookHTML.escape(String(rest[..<open])))
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "`") else { rest = rest[open...]; break }
            out += "<code>\(NotebookHTML.escape(String(after[..<close])))</code>"
            rest = after[after.index(after: close)...]
        }
        return out + emphasis(NotebookHTML.escape(String(rest)))
    }

    private static func emphasis(_ s: String) -> String {
        var t = s.replacingOccurrences(of: #"\*\*(.+?)\*\*"#, with: "<strong>$1</strong>", options: .regularExpression)
        t = t.replacingOccurrences(of: #"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"#, with: "<em>$1</em>", options: .regularExpression)
        t = t.replacingOccurrences(of: #"\[([^\]]+)\]\(([^)\s]+)\)"#, with: "<a href=\"$2\">$1</a>", options: .regularExpression)
        return t
    }
}
