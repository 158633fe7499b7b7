import ChurnCore
import Foundation

/// The analyst's latest results the dashboard shows next to the live state, read
/// from `--report-dir` (files a pipeline writes with `frame:write_csv`, so a
/// nightly run updates the page without a restart):
///
/// - `evaluation.csv` — the model's holdout rows: the label (`y`, `churned`,
///   `label` or `target`, 0/1) and the score (`p`, `probability` or `score`):
///   the model card's metrics (`MetricsReport`, as `cl.metrics.report`) and its
///   ROC and calibration charts;
/// - `survival.csv` — `duration`, `event` (1 = churned, 0 = censored) and an
///   optional `group`: Kaplan–Meier curves per group (as `cl.plot.survival`);
/// - `personas.csv` — one row per user with its `persona` label and numeric
///   feature columns (and an optional 0/1 `churned`): the persona profile
///   heatmap (as `cl.plot.personas`).
///
/// Each file is optional; a file that cannot be read gives a note in its
/// section, never an error page. The charts are the core's `Plot` code.
/// Results are cached per file by size and modification time.
final class DashboardReports: @unchecked Sendable {
    struct Evaluation {
        let rows: Int
        let metrics: MetricsReport
        let roc: String
        let calibration: String
    }
    /// A rendered section: an SVG chart and numbers, or a note saying why not.
    struct Part<T> { let value: T?; let note: String? }

    let directory: String?
    /// `--outcomes`: user_id and retained/churned (and date), as `churnlab rules effect` reads.
    let outcomesPath: String?
    private let lock = NSLock()
    private var cache: [String: (stamp: String, value: Any)] = [:]

    init(directory: String?, outcomesPath: String?) { self.directory = directory; self.outcomesPath = outcomesPath }

    static let labelColumns = ["y", "churned", "label", "target"]
    static let scoreColumns = ["p", "probability", "score"]
    /// Largest file read (the page is rendered per view; cached afterwards).
    static let maxBytes = 256 << 20

    var evaluation: Part<Evaluation>? { load(inDirectory: "evaluation.csv", Self.evaluation) }
    var survival: Part<(svg: String, groups: [(name: String, users: Int, median: Double)])>? { load(inDirectory: "survival.csv", Self.survival) }
    var personas: Part<(svg: String, labels: [String], names: [String], size: [Int])>? { load(inDirectory: "personas.csv", Self.personas) }
    var outcomes: Part<OutcomeTable>? {
        outcomesPath.flatMap { load($0, types: ["user_id": .string]) { try OutcomeTable($0) } }
    }

    private func load<T>(inDirectory name: String, _ make: (Frame) throws -> T) -> Part<T>? {
        directory.flatMap { load(($0 as NSString).appendingPathComponent(name), make) }
    }

    /// nil when the file is absent; else the (cached) result or a note.
    private func load<T>(_ path: String, types: [String: DType] = [:], _ make: (Frame) throws -> T) -> Part<T>? {
        let name = (path as NSString).lastPathComponent
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
        let stamp = "\(size):\((attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if let hit = lock.withLock({ cache[path] }), hit.stamp == stamp, let part = hit.value as? Part<T> { return part }
        let part: Part<T>
        if size > Self.maxBytes {
            part = Part(value: nil, note: "\(name) is larger than \(Self.maxBytes >> 20) MB; not shown")
        } else {
            do { part = Part(value: try make(try CSVReader(options: CSVReadOptions(types: types)).read(path: path).frame), note: nil) }
            catch { part = Part(value: nil, note: "Cannot read \(name): \(error)") }
        }
        lock.withLock { cache[path] = (stamp, part) }
        return part
    }

    static func numbers(_ f: Frame, _ names: [String], role: String) throws -> [Double] {
        guard let c = names.lazy.compactMap({ f.columnIfPresent($0) }).first else {
            throw ValidationFailure("needs a \(role) column (one of \(names.joined(separator: ", ")))")
        }
        guard let v = c.toDoubles() else { throw ValidationFailure("column '\(c.name)' (\(role)) is not numeric") }
        return v
    }

    static func evaluation(_ f: Frame) throws -> Evaluation {
        let y = try numbers(f, labelColumns, role: "label"), p = try numbers(f, scoreColumns, role: "score")
        let m = try MetricsReport(y, p)
        let roc = try Plot.roc(y, p, options: PlotOptions(title: "ROC (holdout)", width: 420, height: 340))
        let cal = try Plot.calibration(y, p, options: PlotOptions(title: "Calibration (holdout)", width: 420, height: 340))
        return Evaluation(rows: f.nrow, metrics: m, roc: roc, calibration: cal)
    }

    static func survival(_ f: Frame) throws -> (svg: String, groups: [(name: String, users: Int, median: Double)]) {
        let cols = SurvivalColumns(duration: "duration", event: f.has("event") ? "event" : nil, group: f.has("group") ? "group" : nil)
        let fits = try KaplanMeier.fitGroups(f, cols)
        let curves = fits.map { label, r, _ in
            SurvivalCurve(name: label == .null ? "all" : label.description, times: r.table.times, survival: r.survival,
                          lower: r.lower, upper: r.upper, atRisk: r.table.atRisk)
        }
        let svg = try Plot.survival(curves, options: PlotOptions(title: "Survival (Kaplan–Meier)", xLabel: "duration", width: 560, height: 380))
        return (svg, fits.map { label, r, n in (label == .null ? "all" : label.description, n, r.median) })
    }

    static func personas(_ f: Frame) throws -> (svg: String, labels: [String], names: [String], size: [Int]) {
        guard let labels = f.columnIfPresent("persona") else { throw ValidationFailure("needs a 'persona' column") }
        let ids = (0..<f.nrow).map { labels.string(at: $0) ?? labels.double(at: $0).map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0) } ?? "" }
        let skip: Set<String> = ["persona", "churned", "user_id"]
        let feats = f.columns.filter { !skip.contains($0.name) && $0.dtype != .string && $0.dtype != .category }
            .compactMap { c in c.toDoubles().map { (name: c.name, values: $0) } }
        let p = try PersonaProfiles(labels: ids, features: feats, churn: f.columnIfPresent("churned")?.toDoubles())
        let svg = try Plot.personas(p, options: PlotOptions(title: "Persona profiles (z vs the average user)", width: 560, height: max(220, 60 + 36 * Double(p.names.count))))
        return (svg, p.labels, p.names, p.size)
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
