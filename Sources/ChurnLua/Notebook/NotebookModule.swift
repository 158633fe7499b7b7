import CLua
import ChurnCore
import LuaRuntime

/// `cl.display(...)` and `cl.mime(v)`: rich representations of values for
/// notebooks. Outside a notebook, `cl.display` prints the plain-text form.
enum NotebookModule {
    /// Key in `LuaState.userInfo` of the handler that receives `cl.display` bundles.
    static let displayHandlerKey = "churnlab.notebook.display"

    /// Receives the bundles of `cl.display` in a notebook or kernel.
    final class DisplayHandler {
        let receive: (MimeBundle) -> Void
        init(_ receive: @escaping (MimeBundle) -> Void) { self.receive = receive }
    }

    static func register(_ cl: ModuleBuilder) throws {
        cl.function("_rich", "_rich(v)", "Rich MIME representations of frames and SVG strings (nil for other values).") { c in
            guard let bundle = richBundle(c) else { return c.pushNil() }
            return c.push(LuaValue.table(bundle.sorted { $0.key < $1.key }.map { (.string($0.key), .string($0.value)) }))
        }
        cl.function("_display_bundle", "_display_bundle(bundle)",
                    "Hands a MIME bundle to the notebook; false when not running in one.") { c in
            let t = try c.table(1)
            guard let handler = c.state.userInfo[displayHandlerKey] as? DisplayHandler else { return c.push(false) }
            var bundle: MimeBundle = [:]
            for k in t.stringKeys { if let v = try t.string(k) { bundle[k] = v } }
            handler.receive(bundle)
            return c.push(true)
        }
        cl.doc("mime", "mime(v)",
               "The MIME bundle a notebook shows for v: text/plain (cl.inspect) always; text/html for frames; image/svg+xml for SVG strings.")
        cl.doc("display", "display(v, ...)",
               "Shows each value as a notebook output now (frames as tables, SVG strings as images); outside a notebook prints it.")
        try cl.state.load(string: prelude, name: "=cl.display")
        lua_pushvalue(cl.state.L, cl.index)
        try cl.state.pcall(nargs: 1, nresults: 0)
    }

    static let prelude = #"""
    local cl = ...
    local select, print = select, print
    function cl.mime(v)
      local b = cl._rich(v) or {}
      if b["text/plain"] == nil then b["text/plain"] = cl.inspect(v) end
      return b
    end
    function cl.display(...)
      for i = 1, select("#", ...) do
        local b = cl.mime((select(i, ...)))
        if not cl._display_bundle(b) then _G.print(b["text/plain"]) end
      end
    end
    """#

    /// Frames: a plain-text and an HTML table; strings holding an SVG document: the image.
    static func richBundle(_ c: LuaCall) -> MimeBundle? {
        if c.isObject(1, FrameObject.self), let f = try? c.frame(1) {
            return ["text/plain": FrameText.render(f), "text/html": FrameHTML.render(f)]
        }
        if c.luaType(1) == LUA_TSTRING, let s = try? c.string(1), RichText.isSVG(s) {
            return ["image/svg+xml": s, "text/plain": "<SVG image, \(s.utf8.count) bytes>"]
        }
        return nil
    }
}

enum RichText {
    /// True for a string holding an SVG document (optionally after an XML declaration).
    static func isSVG(_ s: String) -> Bool {
        var t = s.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        if t.hasPrefix("<?xml"), let end = t.range(of: "?>") {
            t = t[end.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        }
        guard t.hasPrefix("<svg") else { return false }
        let next = t.dropFirst(4).first
        return next == nil || next == ">" || next == " " || next == "\n" || next == "\t" || next == "\r"
    }

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// A frame as an HTML table (first and last rows of long frames), in the
/// style pandas uses so notebooks render it the familiar way.
enum FrameHTML {
    static func render(_ f: Frame, maxRows: Int = 20) -> String {
        let n = f.nrow
        let rows: [Int] = n <= maxRows ? Array(0..<n) : Array(0..<(maxRows / 2)) + Array((n - maxRows / 2)..<n)
        var h = "<table class=\"dataframe\" border=\"1\">\n<thead>\n<tr style=\"text-align: right;\"><th></th>"
        for name in f.names { h += "<th>\(RichText.escapeHTML(name))</th>" }
        h += "</tr>\n<tr style=\"text-align: right;\"><th></th>"
        for col in f.columns { h += "<th><small>\(col.dtype.rawValue)</small></th>" }
        h += "</tr>\n</thead>\n<tbody>\n"
        for (k, r) in rows.enumerated() {
            if n > maxRows && k == maxRows / 2 {
                h += "<tr><th>…</th>" + String(repeating: "<td>…</td>", count: f.ncol) + "</tr>\n"
            }
            h += "<tr><th>\(r + 1)</th>"
            for col in f.columns { h += "<td>\(RichText.escapeHTML(cell(col, r)))</td>" }
            h += "</tr>\n"
        }
        h += "</tbody>\n</table>\n<p>\(n) rows × \(f.ncol) columns</p>"
        return h
    }

    /// One cell's text. Mirrors `FrameText.render`'s cell formatting (Data/LuaColumns.swift);
    /// the two should share one helper once that file exposes it.
    static func cell(_ col: Column, _ r: Int) -> String {
        if col.isNull(r) { return "null" }
        switch col.data {
        case .float64(let v): return LuaValue.format(v[r])
        case .int64(let v): return String(v[r])
        case .bool(let v): return v[r] ? "true" : "false"
        case .string(let c, let d), .category(let c, let d): return d[Int(c[r])]
        case .date(let v): return CoreDates.formatDate(v[r])
        case .timestamp(let v): return CoreDates.formatTimestamp(v[r])
        }
    }
}
