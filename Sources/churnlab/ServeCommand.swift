import ArgumentParser
import ChurnCore
import ChurnServe
import Foundation

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP: scoring, event ingestion, fresh per-user risk, metrics.",
        discussion: """
            Routes (see GET /v1/openapi.json): GET / (the dashboard: model card, current risk and tiers, users most \
            at risk with reasons, retention by signup cohort, rule runs and decisions of --ledger with their effect given --outcomes, \
            and the evaluation, personas and survival curves of --report-dir; no token needed on a loopback bind), POST /v1/score, POST /v1/events, POST /v1/subscriptions, GET /v1/users/{id}/risk, \
            POST /v1/admin/reload, GET /v1/health, GET /metrics. POST routes and per-user reads need \
            `Authorization: Bearer <token>` with the token read from --token-file (mode 600; never given on the \
            command line); without --token-file those routes answer 403. Binds to 127.0.0.1 unless --host says otherwise. \
            With --state-dir every accepted event batch is fsynced to an append-only log before it is acknowledged, \
            and a snapshot is written on shutdown (SIGTERM, SIGINT); a restart recovers every acknowledged event once. \
            SIGHUP reloads the model file (the old model keeps serving if the new one fails validation). \
            Prints `listening on http://HOST:PORT` once ready (--port 0 picks a free port). \
            Exit codes: 0 after a graceful shutdown; 64 bad usage; 66 the model, token or events file is missing \
            or unreadable; 1 the model or state is invalid, or the server failed.
            """
    )

    @Option(help: ArgumentHelp("The model file (.clm) to serve.", valueName: "m.clm"))
    var model: String

    @Option(name: .customLong("events-from"), help: ArgumentHelp("CSV of past events (user_id, ts, event[, amount]) loaded into an empty state at start.", valueName: "events.csv"))
    var eventsFrom: String?

    @Option(name: .customLong("subscriptions-from"), help: ArgumentHelp("CSV of subscription terms (user_id, start, end (empty = open), plan, price or mrr[, auto_renew][, discount]) loaded into a state without terms at start; the subscription features (subscribed, plan, price, mrr, …) as cl.features.build computes them with subscriptions =.", valueName: "subs.csv"))
    var subscriptionsFrom: String?

    @Option(help: ArgumentHelp("Event-loop threads serving requests (1 to 64; default: one per core).", valueName: "N"))
    var threads: Int?

    @Option(help: ArgumentHelp("The rules ledger (SQLite) whose runs and decisions the dashboard at / shows.", valueName: "churnlab.db"))
    var ledger: String?

    @Option(name: .customLong("report-dir"), help: ArgumentHelp("Directory of the analyst's latest results the dashboard shows when present: evaluation.csv (label y|churned, score p|probability: metrics, ROC, calibration), survival.csv (duration, event[, group]: Kaplan–Meier curves), personas.csv (persona + numeric features: profile heatmap). Re-read when they change.", valueName: "dir"))
    var reportDir: String?

    @Option(help: ArgumentHelp("Retention outcomes (user_id, retained|churned[, date]) for the effect (lift, CI) of the ledger's rule runs on the dashboard, as `churnlab rules effect` reads them.", valueName: "OUTCOMES.csv"))
    var outcomes: String?

    @Option(help: "TCP port (0: any free port).")
    var port: Int = 8080

    @Option(help: "Address to bind (default loopback only).")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("token-file"), help: ArgumentHelp("File holding the bearer token (mode 600).", valueName: "F"))
    var tokenFile: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Directory for the online state's log and snapshot (default: in memory only).", valueName: "D"))
    var stateDir: String?

    @Option(help: ArgumentHelp("Risk tiers as name=min_probability, highest first; a last bare name renames the lowest tier.", valueName: "high=0.7,medium=0.4,low"))
    var tiers: String?

    @Option(name: .customLong("feature-spec"), help: ArgumentHelp("JSON feature spec for the online state, keys as cl.features.build (windows, families, event_types, …; no as_of).", valueName: "spec.json"))
    var featureSpec: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted.")
    var maxBodyBytes: Int = 8 << 20

    @Option(name: .customLong("max-rows"), help: "Most rows per /v1/score request.")
    var maxRows: Int = 10_000

    @Option(name: .customLong("max-events"), help: "Most events per /v1/events request.")
    var maxEvents: Int = 100_000

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, got \(port)") }
        guard (1...(1 << 30)).contains(maxBodyBytes) else { throw ValidationError("--max-body-bytes must be 1 to 1073741824") }
        guard (1...1_000_000).contains(maxRows) else { throw ValidationError("--max-rows must be 1 to 1000000") }
        guard (1...10_000_000).contains(maxEvents) else { throw ValidationError("--max-events must be 1 to 10000000") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        if let threads { guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64, got \(threads)") } }
    }

    func run() throws {
        var config = ServeConfig()
        config.host = host; config.port = port
        if let ledger {
            guard FileManager.default.fileExists(atPath: ledger) else { printError("churnlab serve: --ledger '\(ledger)' does not exist"); throw ExitStatus.noInput }
            config.ledgerPath = ledger
        }
        if let reportDir {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: reportDir, isDirectory: &isDir), isDir.boolValue else {
                printError("churnlab serve: --report-dir '\(reportDir)' is not a directory"); throw ExitStatus.noInput
            }
            config.reportDir = reportDir
        }
        if let outcomes {
            guard FileManager.default.isReadableFile(atPath: outcomes) else { printError("churnlab serve: --outcomes '\(outcomes)' cannot be read"); throw ExitStatus.noInput }
            config.outcomesPath = outcomes
        }
        config.limits.maxBodyBytes = maxBodyBytes; config.limits.maxRows = maxRows; config.limits.maxEvents = maxEvents
        if let tiers {
            do { config.tiers = try TierScheme(parsing: tiers) } catch { printError("churnlab: \(error)"); throw ExitStatus.usage }
        }
        let scoring: ScoringModel
        do { scoring = try ScoringModel(path: model) } catch {
            printError("churnlab serve: \(error)")
            throw (error as? ModelFileError).map { if case .notFound = $0 { return ExitStatus.noInput } else { return ExitStatus.failure } } ?? ExitStatus.failure
        }
        if let tokenFile {
            guard FileManager.default.fileExists(atPath: tokenFile) else { printError("churnlab serve: --token-file '\(tokenFile)' does not exist"); throw ExitStatus.noInput }
            do { config.token = try BearerToken(file: tokenFile) } catch { printError("churnlab serve: \(error)"); throw ExitStatus.failure }
        } else {
            printError("churnlab serve: no --token-file: POST routes and per-user reads are disabled (403)")
        }
        let spec: FeatureSpec
        do { spec = try ServeCommand.loadSpec(featureSpec) } catch { printError("churnlab serve: \(error)"); throw ExitStatus.usage }
        let store: OnlineStore
        do { store = try OnlineStore(spec: spec, stateDir: stateDir, note: { printError("churnlab serve: \($0)") }) }
        catch { printError("churnlab serve: \(error)"); throw ExitStatus.failure }
        if let eventsFrom {
            guard FileManager.default.fileExists(atPath: eventsFrom) else { printError("churnlab serve: --events-from '\(eventsFrom)' does not exist"); throw ExitStatus.noInput }
            do {
                let events = try ServeCommand.readEvents(eventsFrom)
                if try store.seed(events) { print("loaded \(events.count) events from \(eventsFrom)") }
                else { printError("churnlab serve: the state directory already holds events; --events-from ignored") }
            } catch { printError("churnlab serve: \(eventsFrom): \(error)"); throw ExitStatus.failure }
        }

        if let subscriptionsFrom {
            guard FileManager.default.fileExists(atPath: subscriptionsFrom) else { printError("churnlab serve: --subscriptions-from '\(subscriptionsFrom)' does not exist"); throw ExitStatus.noInput }
            do {
                let terms = try ServeCommand.readTerms(subscriptionsFrom)
                if try store.seed(terms: terms) { print("loaded \(terms.count) subscription terms from \(subscriptionsFrom)") }
                else { printError("churnlab serve: the state directory already holds subscription terms; --subscriptions-from ignored") }
            } catch { printError("churnlab serve: \(subscriptionsFrom): \(error)"); throw ExitStatus.failure }
        }

        // Request tasks on the event loops (no hand-off per request); before the first task starts.
        EventLoopTasks.install(threads: threads)
        let server = ServeServer(config: config, model: ModelSlot(scoring), store: store)
        // SIGHUP: reload the model.
        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hup.setEventHandler {
            do { let m = try server.reloadModel(); print("reloaded model \(m.version)"); fflush(stdout) }
            catch { printError("churnlab serve: reload failed, the previous model keeps serving: \(error)") }
        }
        hup.resume()
        let host = self.host
        let app = server.application(onListening: { port in
            print("listening on http://\(host):\(port) (model \(scoring.kind) \(scoring.version))")
            fflush(stdout)
        })
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await app.runService() } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        hup.cancel()
        if let e = failure.error { printError("churnlab serve: \(e)"); throw ExitStatus.failure }
        do { try store.persist() } catch { printError("churnlab serve: saving the state failed: \(error)"); throw ExitStatus.failure }
        if stateDir != nil { print("state saved") }
    }

    final class FailureBox: @unchecked Sendable { var error: Error? }

    /// A `FeatureSpec` from JSON without `as_of` (the server's is always "now"); default spec when nil:
    /// every family (the subscription family appears once the state holds a term).
    static func loadSpec(_ path: String?) throws -> FeatureSpec {
        guard let path else { return FeatureSpec(asOf: 0, families: FeatureFamily.allCases) }
        guard let data = FileManager.default.contents(atPath: path),
              var obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("--feature-spec '\(path)' is not a readable JSON object")
        }
        obj["as_of"] = 0
        let spec = try JSONDecoder().decode(FeatureSpec.self, from: try JSONSerialization.data(withJSONObject: obj))
        try spec.validate()
        return spec
    }

    /// Subscription terms of a CSV as `Subscriptions` reads it: user_id, start, end, plan, and price (the
    /// whole term's) or mrr (a monthly rate); auto_renew and discount when present.
    static func readTerms(_ path: String) throws -> [OnlineTerm] {
        let frame = try Frame.readCSV(path: path).frame
        let monthly = !frame.has("price") && frame.has("mrr")
        let subs = try Subscriptions(frame, price: monthly ? "mrr" : "price", autoRenew: frame.has("auto_renew") ? "auto_renew" : nil,
                                     discount: frame.has("discount") ? "discount" : nil, pricePeriod: monthly ? .month : .term)
        return OnlineTerm.terms(of: subs)
    }

    /// Events of a CSV (columns user_id, ts, event and, when present, amount), per user in time order.
    static func readEvents(_ path: String) throws -> [OnlineEvent] {
        let frame = try Frame.readCSV(path: path).frame
        return OnlineEvent.events(of: try EventLog(frame, amount: frame.has("amount") ? "amount" : nil))
    }
}
