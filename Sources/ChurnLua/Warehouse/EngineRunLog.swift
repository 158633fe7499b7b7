import ChurnCore
import Foundation
import LuaRuntime

/// Which engine computed each feature build, snapshot set and label set of a run,
/// for the run manifest (`churnlab run --manifest`): the same script can run in
/// process, in PostgreSQL or on Spark, and a manifest must say which one produced
/// its outputs. For a remote engine it records the SHA-256 of the SQL text that ran
/// (the text itself can be recompiled from the script; a hash keeps the manifest
/// small and never carries table data) and the source table — never a dsn.
public struct EngineRun: Equatable {
    /// "cl.features.build", "cl.features.snapshots" or "cl.labels.churn".
    public var call: String
    /// "in-process", "postgres" or "spark".
    public var engine: String
    /// The events table or files (remote sources); nil in process.
    public var source: String?
    /// SHA-256 (hex) of the SQL text the engine ran; nil in process.
    public var sqlSHA256: String?
    /// Result rows and wall-clock seconds of the call.
    public var rows: Int
    public var seconds: Double

    public var json: [String: Any] {
        var d: [String: Any] = ["call": call, "engine": engine, "rows": rows, "seconds": (seconds * 1000).rounded() / 1000]
        if let source { d["source"] = source }
        if let sqlSHA256 { d["sql_sha256"] = sqlSHA256 }
        return d
    }
}

/// The runs of one Lua state, in call order.
public final class EngineRunLog {
    public private(set) var runs: [EngineRun] = []
    func append(_ r: EngineRun) { runs.append(r) }

    static func hash(_ sql: String) -> String { SHA256.hash(sql).map { String(format: "%02x", $0) }.joined() }

    /// Runs `body` (which computes `call`'s frame) and records it as an in-process run.
    static func inProcess(_ c: LuaCall, _ call: String, _ body: () throws -> Frame) throws -> Frame {
        let t0 = Date()
        let f = try body()
        c.state.engineRuns.append(EngineRun(call: call, engine: "in-process", source: nil, sqlSHA256: nil,
                                            rows: f.nrow, seconds: Date().timeIntervalSince(t0)))
        return f
    }
}

extension LuaState {
    private static let engineRunsKey = "churnlab.engineRuns"

    /// The engine runs recorded so far (created on first use).
    public var engineRuns: EngineRunLog {
        if let l = userInfo[LuaState.engineRunsKey] as? EngineRunLog { return l }
        let l = EngineRunLog()
        userInfo[LuaState.engineRunsKey] = l
        return l
    }
}
