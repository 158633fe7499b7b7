import ChurnCore

/// The text of `cl.help`: formatted, multi-line, for people (the REPL and notebooks print
/// it as is). Names: "seed", "cl.metrics.auc", "metrics" (a module: its functions),
/// "df:filter" or "cl.Frame:filter" (a method), "df" or "cl.Frame" (a class: its methods).
/// Internal names (a segment starting with "_", e.g. cl._bench) are left out of listings.
enum HelpText {
    static func isInternal(_ name: String) -> Bool {
        name.split(whereSeparator: { $0 == "." || $0 == ":" }).contains { $0.hasPrefix("_") }
    }

    /// Without a name: every module and function, then the object classes.
    static func overview(_ docs: Docs) -> String {
        var out = ["ChurnLab \(ChurnLab.version): cl.help(name) explains one function, module or method;",
                   "cl.help(obj) lists an object's methods (also cl.help('df'), cl.help('df:filter')).", ""]
        for name in docs.names where !isInternal(name) {
            let e = docs.entry(name)!
            out.append(e.signature == name ? "\(name) — \(e.help)" : "  " + e.signature)
        }
        out.append("")
        out.append("Objects (cl.help('<name>') lists the methods):")
        for (cls, methods) in MethodDocs.byClass.sorted(by: { $0.key < $1.key }) {
            let receiver = MethodDocs.receivers.filter { $0.value == cls }.keys.sorted { $0.count < $1.count }.first ?? cls
            out.append("  \(cls) (\(receiver):...): " + methods.keys.sorted().joined(separator: ", "))
        }
        return out.joined(separator: "\n")
    }

    /// Help for `name`, or an error message naming near matches.
    static func text(for rawName: String, _ docs: Docs) throws -> String {
        let name = rawName.trimmingCharacters(in: .whitespaces)
        if let colon = name.firstIndex(of: ":") {
            return try method(receiver: String(name[..<colon]), method: String(name[name.index(after: colon)...]))
        }
        if let cls = className(name) { return classListing(cls) }
        let full = name.hasPrefix("cl.") ? name : "cl." + name
        if let e = docs.entry(full) {
            let members = docs.names.filter { $0.hasPrefix(full + ".") && !isInternal($0) }
            if members.isEmpty { return e.signature + "\n  " + e.help }
            // A module: its description, then one line per function.
            return ([full + " — " + e.help, ""] + members.map { m in
                let me = docs.entry(m)!
                return "  " + me.signature + "\n      " + firstSentence(me.help)
            }).joined(separator: "\n")
        }
        let last = String(full.split(separator: ".").last ?? "")
        var near = docs.names.filter { $0.hasSuffix("." + last) && !isInternal($0) }
        near += MethodDocs.byClass.filter { $0.value[last] != nil }.map { "\(receiver(of: $0.key)):\(last)" }.sorted()
        throw HelpError("no help for '\(full)'" + (near.isEmpty ? "" : "; did you mean " + near.map { "'\($0)'" }.joined(separator: " or ") + "?"))
    }

    /// The class a name denotes: "cl.Frame", "Frame" or a receiver alias like "df".
    static func className(_ name: String) -> String? {
        if MethodDocs.byClass[name] != nil { return name }
        if MethodDocs.byClass["cl." + name] != nil { return "cl." + name }
        return MethodDocs.receivers[name]
    }

    static func receiver(of cls: String) -> String {
        MethodDocs.receivers.filter { $0.value == cls }.keys.sorted { ($0.count, $0) < ($1.count, $1) }.first ?? cls
    }

    /// The method entry for receiver (alias or class) and method name.
    static func methodEntry(receiver: String, method: String) -> MethodDocs.Entry? {
        className(receiver).flatMap { MethodDocs.byClass[$0]?[method] }
    }

    static func method(receiver: String, method: String) throws -> String {
        if let cls = className(receiver) {
            if let e = MethodDocs.byClass[cls]?[method] { return e.signature + "   (\(cls))\n  " + e.help }
            let near = MethodDocs.byClass[cls]!.keys.filter { editDistance($0, method) <= max(2, method.count / 3) }.sorted()
            throw HelpError("\(cls) has no method '\(method)'" + (near.isEmpty ? "; cl.help('\(receiver)') lists them"
                                                                                : "; did you mean " + near.map { "'\($0)'" }.joined(separator: " or ") + "?"))
        }
        // Unknown receiver name (a variable like `train`): every class with that method.
        let hits = MethodDocs.byClass.compactMap { cls, m in m[method].map { (cls, $0) } }.sorted { $0.0 < $1.0 }
        guard !hits.isEmpty else { throw HelpError("no object class has a method '\(method)'") }
        return hits.map { $0.1.signature + "   (\($0.0))\n  " + $0.1.help }.joined(separator: "\n")
    }

    /// Every method of a class with its one-line help.
    static func classListing(_ cls: String) -> String {
        let methods = MethodDocs.byClass[cls]!
        let width = min(60, methods.values.map { $0.signature.count }.max() ?? 0)
        return (["\(cls) methods (call with ':'):"] + methods.sorted { $0.key < $1.key }.map { _, e in
            let sig = e.signature.count <= width ? e.signature + String(repeating: " ", count: width - e.signature.count) : e.signature
            return "  " + sig + "  " + firstSentence(e.help)
        } + (MethodDocs.classNotes[cls].map { ["", $0] } ?? [])).joined(separator: "\n")
    }

    static func firstSentence(_ s: String) -> String {
        guard let r = s.range(of: ". ") else { return s }
        return String(s[..<r.lowerBound]) + "."
    }
}

struct HelpError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
