extension Frame {
    /// An HTML table for notebooks: names with types in the header, at most
    /// `maxRows` rows (first and last halves around a `…` row), text escaped,
    /// numbers right-aligned, and the shape in a caption.
    public func htmlTable(maxRows: Int = 20) -> String {
        let (rows, gap) = Frame.displayRows(nrow, maxRows)
        var h = "<table class=\"churnlab-frame\">\n<caption>\(shapeText)</caption>\n<thead><tr>"
        for c in columns {
            h += "<th>\(Frame.escapeHTML(c.name))<br><small>\(c.dtype.rawValue)</small></th>"
        }
        h += "</tr></thead>\n<tbody>\n"
        for (k, i) in rows.enumerated() {
            if let gap, k == gap {
                h += "<tr>" + String(repeating: "<td>…</td>", count: ncol) + "</tr>\n"
            }
            h += "<tr>"
            for c in columns {
                let numeric = c.dtype == .float64 || c.dtype == .int64
                let text = Frame.escapeHTML(Frame.cellDisplay(c, i))
                let cls = c.isNull(i) ? " class=\"null\"" : (numeric ? " style=\"text-align:right\"" : "")
                h += "<td\(cls)>\(text)</td>"
            }
            h += "</tr>\n"
        }
        if let gap, gap == rows.count { h += "<tr>" + String(repeating: "<td>…</td>", count: ncol) + "</tr>\n" }
        return h + "</tbody>\n</table>"
    }

    static func escapeHTML(_ s: String) -> String { Markup.escape(s, keepWhitespace: true) }
}
