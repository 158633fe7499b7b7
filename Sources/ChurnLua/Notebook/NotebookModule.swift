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
            return ["text/plain": f.render(), "text/html": f.htmlTable()]
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

    /// One line for a chart in a text console: its title, size and how to save it.
    static func svgSummary(_ s: String) -> String {
        func attribute(_ name: String) -> String? {
            guard let r = s.range(of: " \(name)=\"[0-9.]+\"", options: .regularExpression) else { return nil }
            return String(s[r].dropFirst(name.count + 3).dropLast())
        }
        var parts: [String] = []
        if let a = s.range(of: "<title>"), let b = s.range(of: "</title>", range: a.upperBound..<s.endIndex) {
            parts.append("\"" + String(s[a.upperBound..<b.lowerBound]) + "\"")
        }
        if let w = attribute("width"), let h = attribute("height") { parts.append("\(w)×\(h)") }
        let kb = Double(s.utf8.count) / 1024
        parts.append(kb < 10 ? String(format: "%.1f KB", kb) : "\(Int(kb.rounded())) KB")
        return "<SVG chart " + parts.joined(separator: ", ") + "> — :save FILE.svg writes it"
    }
}
