import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime

/// A record of one `churnlab run`: what ran (version, script hash, arguments,
/// parameters, seed, limits) and the files it read and wrote with their
/// SHA-256, so `churnlab verify` can re-run it and compare the outputs.
struct RunManifest {
    struct FileRecord: Equatable {
        /// Relative to the working directory when below it, else absolute.
        var path: String
        var size: Int
        var sha256: String
    }

    var churnlabVersion = ChurnLab.version
    var created = MessageCodec.timestamp()
    var workingDirectory: String
    var script: String?
    var scriptSHA256: String?
    var arguments: [String]
    var execute: [String]
    /// Values the script resolved through cl.params, and the -p text given.
    var params: [(name: String, value: ScriptParamValue)]
    var paramArguments: [String]
    /// The process-wide seed when the run started and when it ended (cl.seed's value).
    var initialSeed: UInt64
    var seed: UInt64
    var timeout: Double?
    var memoryLimit: Double?
    var sandbox: Bool
    var allowPaths: [String]
    var status: String
    var error: String?
    var inputs: [FileRecord]
    var outputs: [FileRecord]
    /// Which engine ran each feature build, snapshot set and label set (in process, PostgreSQL,
    /// Spark) with the SHA-256 of the SQL for remote ones (`EngineRun.json`); written when any ran.
    var engineRuns: [[String: Any]] = []

    struct Invalid: Error, CustomStringConvertible { let description: String }

    /// Hashes the files a run touched. Files it read after writing them are outputs, not inputs.
    static func files(_ observer: FileObserver, workingDirectory: String) throws -> (inputs: [FileRecord], outputs: [FileRecord]) {
        let written = Set(observer.writes)
        func record(_ path: String) throws -> FileRecord? {
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
                  (attrs[.type] as? FileAttributeType) == .typeRegular else { return nil }
            let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
            return FileRecord(path: relative(path, to: workingDirectory), size: size,
                              sha256: Hex.encode(try SHA256.hashFile(atPath: path)))
        }
        let inputs = try observer.reads.filter { !written.contains($0) }.compactMap(record)
        let outputs = try observer.writes.compactMap(record)
        return (inputs, outputs)
    }

    static func relative(_ path: String, to dir: String) -> String {
        let d = dir.hasSuffix("/") ? dir : dir + "/"
        return path.hasPrefix(d) ? String(path.dropFirst(d.count)) : path
    }

    static func absolute(_ path: String, in dir: String) -> String {
        path.hasPrefix("/") ? path : (dir.hasSuffix("/") ? dir : dir + "/") + path
    }

    var json: [String: Any] {
        func files(_ fs: [FileRecord]) -> [[String: Any]] { fs.map { ["path": $0.path, "size": $0.size, "sha256": $0.sha256] } }
        var params: [String: Any] = [:]
        for (k, v) in self.params { params[k] = v.jsonValue }
        var d: [String: Any] = [
            "manifest_version": 1, "churnlab_version": churnlabVersion, "created": created,
            "working_directory": workingDirectory, "arguments": arguments, "execute": execute,
            "params": params, "param_arguments": paramArguments,
            "seed": NSNumber(value: seed), "initial_seed": NSNumber(value: initialSeed),
            "limits": ["timeout": timeout as Any? ?? NSNull(), "memory_limit_mb": memoryLimit as Any? ?? NSNull(),
                       "sandbox": sandbox, "allow_paths": allowPaths],
            "status": status, "inputs": files(inputs), "outputs": files(outputs),
        ]
        if let script { d["script"] = ["path": script, "sha256": scriptSHA256 ?? ""] }
        if let error { d["error"] = error }
        if !engineRuns.isEmpty { d["engine_runs"] = engineRuns }
        return d
    }

    func write(to path: String) throws {
        var data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    init(workingDirectory: String, script: String?, scriptSHA256: String?, arguments: [String], execute: [String],
         params: [(name: String, value: ScriptParamValue)], paramArguments: [String], initialSeed: UInt64, seed: UInt64,
         timeout: Double?, memoryLimit: Double?, sandbox: Bool, allowPaths: [String], status: String, error: String?,
         inputs: [FileRecord], outputs: [FileRecord]) {
        self.workingDirectory = workingDirectory; self.script = script; self.scriptSHA256 = scriptSHA256
        self.arguments = arguments; self.execute = execute; self.params = params; self.paramArguments = paramArguments
        self.initialSeed = initialSeed; self.seed = seed; self.timeout = timeout; self.memoryLimit = memoryLimit
        self.sandbox = sandbox; self.allowPaths = allowPaths; self.status = status; self.error = error
        self.inputs = inputs; self.outputs = outputs
    }

    /// Reads a manifest written by `write(to:)`.
    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "cannot read manifest '\(path)'") }
        guard let obj = try? JSONSerialization.jsonObject(with: data), let d = obj as? [String: Any],
              (d["manifest_version"] as? Int) == 1 else {
            throw Invalid(description: "\(path): not a churnlab run manifest (manifest_version 1)")
        }
        func files(_ key: String) throws -> [FileRecord] {
            guard let list = d[key] as? [[String: Any]] else { throw Invalid(description: "\(path): '\(key)' missing") }
            return try list.enumerated().map { i, f in
                guard let p = f["path"] as? String, let h = f["sha256"] as? String else {
                    throw Invalid(description: "\(path): \(key)[\(i + 1)] needs path and sha256")
                }
                return FileRecord(path: p, size: f["size"] as? Int ?? 0, sha256: h)
            }
        }
        let limits = d["limits"] as? [String: Any] ?? [:]
        let scriptInfo = d["script"] as? [String: Any]
        self.init(workingDirectory: d["working_directory"] as? String ?? ".", script: scriptInfo?["path"] as? String,
                  scriptSHA256: scriptInfo?["sha256"] as? String, arguments: d["arguments"] as? [String] ?? [],
                  execute: d["execute"] as? [String] ?? [], params: [],
                  paramArguments: d["param_arguments"] as? [String] ?? [],
                  initialSeed: (d["initial_seed"] as? NSNumber)?.uint64Value ?? GlobalSeed.value,
                  seed: (d["seed"] as? NSNumber)?.uint64Value ?? 0,
                  timeout: limits["timeout"] as? Double, memoryLimit: limits["memory_limit_mb"] as? Double,
                  sandbox: limits["sandbox"] as? Bool ?? false, allowPaths: limits["allow_paths"] as? [String] ?? [],
                  status: d["status"] as? String ?? "ok", error: d["error"] as? String,
                  inputs: try files("inputs"), outputs: try files("outputs"))
        churnlabVersion = d["churnlab_version"] as? String ?? "?"
        created = d["created"] as? String ?? ""
    }
}
