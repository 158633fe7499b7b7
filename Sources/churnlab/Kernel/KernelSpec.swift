import ChurnLua
import Foundation

/// The kernelspec Jupyter uses to start `churnlab kernel`.
enum KernelSpec {
    static let name = "churnlab"
    static let displayName = "ChurnLab (Lua)"

    static var notebookKernelspec: [String: Any] {
        ["name": name, "display_name": displayName, "language": "lua"]
    }

    static var languageInfo: [String: Any] {
        ["name": "lua", "version": "5.4", "mimetype": "text/x-lua", "file_extension": ".lua",
         "codemirror_mode": "lua", "pygments_lexer": "lua"]
    }

    /// kernel.json for a kernel started as `executable kernel --connection-file F`.
    static func kernelJSON(executable: String) -> [String: Any] {
        ["argv": [executable, "kernel", "--connection-file", "{connection_file}"],
         "display_name": displayName,
         "language": "lua",
         "interrupt_mode": "message",
         "metadata": ["debugger": false]]
    }

    /// The kernels directory: `--user` → the per-user Jupyter data dir, `--prefix P` → P/share/jupyter/kernels.
    static func kernelsDirectory(user: Bool, prefix: String?) -> String {
        if let prefix { return prefix + "/share/jupyter/kernels" }
        let env = ProcessInfo.processInfo.environment
        if user {
            if let d = env["JUPYTER_DATA_DIR"], !d.isEmpty { return d + "/kernels" }
            #if os(macOS)
            return NSHomeDirectory() + "/Library/Jupyter/kernels"
            #else
            let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.local/share"
            return base + "/jupyter/kernels"
            #endif
        }
        return "/usr/local/share/jupyter/kernels"
    }

    /// Writes `<dir>/churnlab/kernel.json`; returns the kernelspec directory.
    static func install(into kernelsDir: String, executable: String) throws -> String {
        let dir = kernelsDir + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: kernelJSON(executable: executable),
                                              options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: URL(fileURLWithPath: dir + "/kernel.json"))
        return dir
    }
}
