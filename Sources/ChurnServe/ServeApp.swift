import ChurnCore
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// Everything `churnlab serve` is configured with.
public struct ServeConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var limits = ServeLimits()
    public var tiers = TierScheme.standard
    /// nil: POST and admin routes answer 403 (there is no way to authenticate).
    public var token: BearerToken?
    /// The rules ledger the dashboard shows (`--ledger`); opened read per page view.
    public var ledgerPath: String?
    /// `--report-dir`: the analyst's latest evaluation, survival and persona frames (see `DashboardReports`).
    public var reportDir: String?
    /// `--outcomes`: retention outcomes for the rule runs' effect (lift, CI), as `churnlab rules effect` reads.
    public var outcomesPath: String?
    /// Most users the dashboard scores per view (the first by id beyond that).
    public var dashboardUsers = 200_000
    /// Answer `POST /v1/score` on the event loop when the fast decoder accepts the body: from the
    /// socket's bytes (`ScoreWireHandler`), or from HTTP parts on connections it has handed over
    /// (`ScoreFastPathHandler`); false: every request goes through Hummingbird's router (the tests
    /// compare both).
    public var scoreFastPath = true
    public init() {}
}

/// One route of the API: the OpenAPI document must list every one (a test checks).
public struct ServeRoute: Sendable {
    public let method: String
    /// OpenAPI form (`{id}`); Hummingbird's form has `:id`.
    public let path: String
    public let authenticated: Bool
    var routerPath: String { path.replacingOccurrences(of: "{id}", with: ":id") }

    /// Authenticated only when the server is bound beyond loopback (see `dashboardNeedsToken`).
    public static let dashboard = ServeRoute(method: "GET", path: "/", authenticated: false)
    public static let health = ServeRoute(method: "GET", path: "/v1/health", authenticated: false)
    public static let metrics = ServeRoute(method: "GET", path: "/metrics", authenticated: false)
    public static let openapi = ServeRoute(method: "GET", path: "/v1/openapi.json", authenticated: false)
    public static let score = ServeRoute(method: "POST", path: "/v1/score", authenticated: true)
    public static let events = ServeRoute(method: "POST", path: "/v1/events", authenticated: true)
    public static let subscriptions = ServeRoute(method: "POST", path: "/v1/subscriptions", authenticated: true)
    public static let risk = ServeRoute(method: "GET", path: "/v1/users/{id}/risk", authenticated: true)
    public static let reload = ServeRoute(method: "POST", path: "/v1/admin/reload", authenticated: true)
    public static let scores = ServeRoute(method: "GET", path: "/v1/scores", authenticated: true)
    public static let all: [ServeRoute] = [dashboard, health, metrics, openapi, score, events, subscriptions, risk, reload, scores]
}

/// An error response: status, the field it concerns (when one), a message.
struct APIError: Error {
    let status: HTTPResponse.Status
    let field: String?
    let message: String
    init(_ status: HTTPResponse.Status, field: String? = nil, _ message: String) { self.status = status; self.field = field; self.message = message }
}

/// The HTTP server: routes, authentication, limits, metrics. The handlers are
/// thin: they check and convert, and the work is done by `ScoringModel`
/// and `OnlineStore`.
public final class ServeServer: Sendable {
    public let config: ServeConfig
    public let model: ModelSlot
    public let store: OnlineStore
    let metrics = ServeMetrics()
    let ingestQueue: IngestQueue
    /// Tier names as JSON strings, resolved once.
    let tierJSON: TierJSON
    /// The dashboard's files (report directory, outcomes), cached by modification time.
    let reports: DashboardReports

    public init(config: ServeConfig, model: ModelSlot, store: OnlineStore) {
        self.config = config; self.model = model; self.store = store
        ingestQueue = IngestQueue(store: store)
        tierJSON = TierJSON(config.tiers)
        reports = DashboardReports(directory: config.reportDir, outcomesPath: config.outcomesPath)
        let m = model.current
        metrics.setModel(version: m.version, kind: m.kind)
    }

    /// Reloads the model file; the old model keeps serving if the new one fails to load.
    @discardableResult
    public func reloadModel() throws -> ScoringModel {
        let m = try model.reload()
        metrics.setModel(version: m.version, kind: m.kind)
        metrics.reloads.increment()
        return m
    }

    /// Builds the application; `onListening` receives the bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        for route in ServeRoute.all {
            let handler = self.handler(for: route)
            router.on(RouterPath(route.routerPath), method: HTTPRequest.Method(route.method)!) { request, context in
                try await self.respond(route, request, context, handler)
            }
        }
        // The single-row fast paths: on raw bytes ahead of the HTTP/1 decoder, then on HTTP parts
        // ahead of the router (for connections the first has handed over).
        let server: HTTPServerBuilder = config.scoreFastPath
            ? HTTPServerBuilder { responder in
                ServeChildChannel(http1: HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [ScoreFastPathHandler(server: self)])),
                                  server: self)
            }
            : .http1()
        return Application(router: router,
                           server: server,
                           configuration: .init(address: .hostname(config.host, port: config.port), serverName: Self.serverName),
                           onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) })
    }

    /// The `Server` header of every response.
    static let serverName = "churnlab"

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    private func handler(for route: ServeRoute) -> Handler {
        switch route.path {
        case ServeRoute.dashboard.path: return { _, _ in try self.dashboard() }
        case ServeRoute.health.path: return { _, _ in self.health() }
        case ServeRoute.metrics.path: return { _, _ in self.metricsText() }
        case ServeRoute.openapi.path: return { _, _ in Self.json(OpenAPIDocument.text) }
        case ServeRoute.score.path: return { req, _ in try await self.score(req) }
        case ServeRoute.events.path: return { req, _ in try await self.ingest(req) }
        case ServeRoute.subscriptions.path: return { req, _ in try await self.ingestTerms(req) }
        case ServeRoute.risk.path: return { _, ctx in try self.risk(ctx.parameters.get("id") ?? "") }
        case ServeRoute.reload.path: return { req, _ in try await self.reload(req) }
        case ServeRoute.scores.path: return { _, _ in try self.scoresCSV() }
        default: fatalError("route \(route.path) has no handler")
        }
    }

    /// Authentication, error mapping and metrics around every handler.
    private func respond(_ route: ServeRoute, _ request: Request, _ context: BasicRequestContext, _ handler: Handler) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            try authorize(route, authorization: request.headers[.authorization])
            response = try await handler(request, context)
        } catch let e as APIError {
            response = Self.error(e)
        } catch let e as JSONInputError {
            response = Self.error(APIError(.badRequest, field: e.field.isEmpty ? nil : e.field, e.message))
        } catch let e as IngestError {
            response = Self.error(APIError(.badRequest, field: e.field, e.message))
        } catch where (error as? HTTPError)?.status == .contentTooLarge || error is NIOTooManyBytesError {
            // NIOTooManyBytesError: a body without Content-Length (chunked) grew past the limit while collected.
            response = Self.error(APIError(.contentTooLarge, "request body larger than \(config.limits.maxBodyBytes) bytes"))
        } catch {
            response = Self.error(APIError(.internalServerError, "\(error)"))
        }
        if route.authenticated && response.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        metrics.request(route: route.path, status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }

    /// Throws the 403/401 a request to `route` gets without the right bearer token; returns when it may proceed.
    func authorize(_ route: ServeRoute, authorization: String?) throws {
        guard var authorization else { return try authorize(route, authorization: nil as UnsafeBufferPointer<UInt8>?) }
        try authorization.withUTF8 { try authorize(route, authorization: $0) }
    }

    /// The same on the header value's bytes.
    func authorize(_ route: ServeRoute, authorization: UnsafeBufferPointer<UInt8>?) throws {
        guard route.authenticated || (route.path == ServeRoute.dashboard.path && dashboardNeedsToken) else { return }
        guard let token = config.token else {
            throw APIError(.forbidden, "this route is disabled: start the server with --token-file")
        }
        guard let authorization, token.accepts(authorization: authorization) else {
            throw APIError(.unauthorized, "missing or wrong bearer token (Authorization: Bearer <token>)")
        }
    }

    // MARK: bodies

    /// The request body's bytes, after the content-type and size checks.
    private func bodyBytes(_ request: Request) async throws -> ByteBuffer {
        try checkBodyHeaders(contentType: request.headers[.contentType], contentLength: request.headers[.contentLength])
        return try await request.body.collect(upTo: config.limits.maxBodyBytes)
    }

    /// A Content-Type must start with it (letters in either case).
    private static let jsonType = Array("application/json".utf8)

    /// The content-type and declared-size checks every JSON body passes before it is read.
    func checkBodyHeaders(contentType: String?, contentLength: String?) throws {
        var contentType = contentType
        let length = contentLength.flatMap(Int.init)
        guard contentType != nil else { return try checkBodyHeaders(contentType: nil as UnsafeBufferPointer<UInt8>?, contentLength: length) }
        try contentType!.withUTF8 { try checkBodyHeaders(contentType: $0, contentLength: length) }
    }

    /// The same on the content type's bytes and the parsed length.
    func checkBodyHeaders(contentType: UnsafeBufferPointer<UInt8>?, contentLength: Int?) throws {
        guard let contentType, ASCIICase.hasPrefix(contentType, Self.jsonType) else {
            throw APIError(.unsupportedMediaType, "send Content-Type: application/json")
        }
        if let len = contentLength, len > config.limits.maxBodyBytes {
            throw APIError(.contentTooLarge, "request body of \(len) bytes is larger than \(config.limits.maxBodyBytes)")
        }
    }

    /// The strict parse (every rejection names the field).
    private static func parse(_ buffer: ByteBuffer) throws -> JSONValue {
        try StrictJSON.parse(Array(buffer.readableBytesView))
    }

    /// Runs a fast decoder over the body's bytes (nil: use the strict path).
    private static func fast<T>(_ buffer: ByteBuffer, _ decode: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        buffer.withUnsafeReadableBytes { decode($0.assumingMemoryBound(to: UInt8.self)) }
    }

    static let jsonContentType = "application/json; charset=utf-8"

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: jsonContentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ e: APIError) -> Response {
        var s = "{\"error\":{\"status\":\(e.status.code),"
        if let f = e.field { s += "\"field\":\(JSONText.string(f)),"}
        s += "\"message\":\(JSONText.string(e.message))}}"
        return json(s, status: e.status)
    }

    private func reasonsJSON(_ r: [(feature: String, contribution: Double)]) -> String {
        "[" + r.map { "{\"feature\":\(JSONText.string($0.feature)),\"contribution\":\(JSONText.number($0.contribution))}" }.joined(separator: ",") + "]"
    }

    // MARK: handlers

    /// The dashboard shows user ids: without a token only to this machine (a loopback bind).
    var dashboardNeedsToken: Bool {
        !(config.host == "127.0.0.1" || config.host == "::1" || config.host == "localhost")
    }

    private func dashboard() throws -> Response {
        let html = DashboardPage.render(try dashboardData())
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    typealias StateFeatures = (names: [String], users: [String], columns: [[Double]], total: Int, asOf: Int64, plan: PlanColumn?)

    private func missingFeatures(_ m: ScoringModel, _ names: [String]) -> [String] {
        let have = Set(names)
        return m.hasPipeline ? [] : m.featureNames.filter { !have.contains($0) }
    }

    /// Every user of the online state (at most `dashboardUsers`, the first by id) with features as of
    /// now, and their probabilities (nil when the model needs features the state lacks).
    func scoreState(_ m: ScoringModel) throws -> (StateFeatures, [Double]?) {
        let all = try store.allFeatures(limit: config.dashboardUsers)
        guard !all.users.isEmpty, missingFeatures(m, all.names).isEmpty else { return (all, nil) }
        let frame = try PlanColumn.frame(names: all.names, columns: all.columns, plan: all.plan)
        return (all, try m.score(frame, reasons: false).map(\.probability))
    }

    /// `GET /v1/scores`: the state's users scored now, as CSV (user_id, probability, tier, the
    /// online features): the users table a rule run reads (`churnlab rules run --users`), so
    /// "score now → act now" goes through the rules and the exactly-once ledger.
    private func scoresCSV() throws -> Response {
        let m = model.current
        let (all, p) = try scoreState(m)
        guard let p else {
            if all.users.isEmpty { throw APIError(.notFound, "the online state holds no user yet") }
            throw APIError(.unprocessableContent, "the model needs features the online state does not compute: " +
                           missingFeatures(m, all.names).prefix(8).joined(separator: ", "))
        }
        metrics.rowsScored.increment(by: Int64(p.count))
        var out = "user_id,probability,tier," + all.names.joined(separator: ",") + "\n"
        out.reserveCapacity(all.users.count * (32 + 12 * all.names.count))
        for (r, u) in all.users.enumerated() {
            out += CSVText.field(u) + "," + JSONText.number(p[r]) + "," + CSVText.field(config.tiers.tier(p[r]))
            for (k, c) in all.columns.enumerated() {
                if let plan = all.plan, k == plan.index { out += "," + (plan.name(c[r]).map(CSVText.field) ?? ""); continue }
                out += c[r].isNaN ? "," : "," + JSONText.number(c[r])
            }
            out += "\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: out)))
    }

    /// Scores the online state's users now (at most `dashboardUsers`), and reads the ledger.
    func dashboardData() throws -> DashboardData {
        let m = model.current
        var importance: (names: [String], values: [Double])?
        if let v = try? m.model.featureImportance(nil), v.count == m.featureNames.count, v.allSatisfy(\.isFinite) { importance = (m.featureNames, v) }
        var risk: DashboardData.Risk?, riskNote: String?
        let (all, scoredState) = try scoreState(m)
        if all.users.isEmpty {
            riskNote = "No events yet: POST /v1/events (or start with --events-from) to see the current risk."
        } else if scoredState == nil {
            riskNote = "The model needs features the online state does not compute (" + missingFeatures(m, all.names).prefix(6).joined(separator: ", ") + "), so users cannot be scored from it."
        } else if let p = scoredState {
            let tiers = config.tiers
            var counts: [String: Int] = [:]
            for q in p { counts[tiers.tier(q), default: 0] += 1 }
            let order = tiers.thresholds.map(\.name) + [tiers.lowest]
            let topRows = p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && all.users[$0] < all.users[$1]) }.prefix(10)
            let sub = try PlanColumn.frame(names: all.names, columns: all.columns.map { c in topRows.map { c[$0] } }, plan: all.plan)
            let explained = try m.score(sub, reasons: true)
            let top = zip(topRows, explained).map { r, e in
                DashboardData.AtRisk(user: all.users[r], probability: e.probability, tier: tiers.tier(e.probability), reasons: e.reasons)
            }
            risk = .init(scored: p.count, total: all.total, probabilities: p, tierCounts: order.map { ($0, counts[$0] ?? 0) }, top: top, asOf: all.asOf)
        }
        var runs: [DashboardData.RuleRun]?, ledgerNote: String?
        let outcomes = reports.outcomes
        if let path = config.ledgerPath {
            do {
                let ledger = try Ledger(path: path)
                let list = try ledger.runs(limit: 20)
                runs = try list.enumerated().map { k, run in
                    // Decisions by rule/tier/group for the latest run; the effect for the latest few.
                    guard k < DashboardData.effectRuns else { return .init(run: run, counts: [], effect: nil) }
                    let decisions = try ledger.decisions(run: run.runID)
                    var counts: [(String, String, String, Int)] = []
                    if k == 0 {
                        var c: [String: Int] = [:], keys: [(String, String, String)] = []
                        for d in decisions {
                            let key = d.rule + "\u{1F}" + d.tier + "\u{1F}" + d.group
                            if c[key] == nil { keys.append((d.rule, d.tier, d.group)) }
                            c[key, default: 0] += 1
                        }
                        counts = keys.map { ($0.0, $0.1, $0.2, c[$0.0 + "\u{1F}" + $0.1 + "\u{1F}" + $0.2]!) }
                    }
                    var effect: RuleEffectReport?
                    if let table = outcomes?.value {
                        // As `churnlab rules effect`: a policy's logged non-contacts (group none) are not in the holdout comparison.
                        let ds = decisions.filter { $0.group != "none" }.map {
                            RuleEffect.Decision(user: $0.userID, rule: $0.rule, tier: $0.tier, control: $0.group == "control", cost: $0.cost,
                                                asOfDay: $0.asOfDay, horizonDays: $0.horizonDays)
                        }
                        effect = try? RuleEffect.report(ds, outcomes: table, level: 0.95)
                    }
                    return .init(run: run, counts: counts, effect: effect)
                }
            } catch {
                ledgerNote = "Cannot read the ledger: \(error)"
            }
        }
        return DashboardData(modelKind: m.kind, modelVersion: m.version, featureCount: m.featureNames.count, importance: importance,
                             risk: risk, riskNote: riskNote, ruleRuns: runs, ledgerNote: ledgerNote,
                             outcomesNote: outcomes?.note ?? (config.outcomesPath != nil && outcomes == nil ? "--outcomes file not found" : nil),
                             cohorts: all.users.isEmpty ? nil : store.cohortActivity(),
                             evaluation: reports.evaluation, survival: reports.survival, personas: reports.personas)
    }

    private func health() -> Response {
        let m = model.current, s = store.stats
        return Self.json("{\"status\":\"ok\",\"model_version\":\(JSONText.string(m.version)),\"model_kind\":\(JSONText.string(m.kind))," +
                         "\"features\":\(m.featureNames.count),\"state_users\":\(s.users),\"state_events\":\(s.events),\"state_subscriptions\":\(s.terms)}")
    }

    private func metricsText() -> Response {
        let s = store.stats
        metrics.stateUsers.set(Double(s.users)); metrics.stateEvents.set(Double(s.events)); metrics.stateBytes.set(Double(s.bytes))
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }

    private func score(_ request: Request) async throws -> Response {
        let buffer = try await bodyBytes(request)
        let m = model.current
        if let text = try buffer.withUnsafeReadableBytes({ try fastScoreJSON($0.assumingMemoryBound(to: UInt8.self), model: m) }) {
            return Self.json(text)
        }
        let req = try RequestDecoding.score(try Self.parse(buffer), model: m, limits: config.limits)
        let scored: [ScoringModel.Scored]
        do { scored = try m.score(req.frame, reasons: req.reasons) }
        catch { throw APIError(.badRequest, "cannot score these rows: \(error)") }
        return Self.json(scoreJSON(m, scored, reasons: req.reasons))
    }

    /// A `/v1/score` body read by the fast decoder and scored, as the response JSON; nil when the
    /// fast decoder refuses the body (the strict parse then answers, or names the field).
    /// Used by the router's handler and by `ScoreFastPathHandler`, so both answer alike.
    func fastScoreJSON(_ body: UnsafeBufferPointer<UInt8>, model m: ScoringModel) throws -> String? {
        guard let names = m.numericFeatureBytes,
              let batch = FastScoreDecoding.decode(body, names: names, maxRows: config.limits.maxRows) else { return nil }
        let scored: [ScoringModel.Scored]
        do { scored = try m.score(batch) }
        catch { throw APIError(.badRequest, "cannot score these rows: \(error)") }
        return scoreJSON(m, scored, reasons: batch.reasons)
    }

    /// The `/v1/score` response for scored rows (counts them in the metrics).
    private func scoreJSON(_ m: ScoringModel, _ scored: [ScoringModel.Scored], reasons: Bool) -> String {
        metrics.rowsScored.increment(by: Int64(scored.count))
        var out = m.scoreResponsePrefix
        out.reserveCapacity(64 + scored.count * (reasons ? 200 : 48))
        let tiers = tierJSON
        for (i, s) in scored.enumerated() {
            out += i > 0 ? ",{\"probability\":" : "{\"probability\":"
            out += JSONText.number(s.probability)
            out += ",\"tier\":"
            out += tiers.json(s.probability)
            if reasons { out += ",\"reasons\":" + reasonsJSON(s.reasons) }
            out += "}"
        }
        out += "]}"
        return out
    }

    private func ingest(_ request: Request) async throws -> Response {
        let buffer = try await bodyBytes(request)
        let limits = config.limits
        let events = try Self.fast(buffer, { FastEventDecoding.decode($0, limits: limits) })
            ?? RequestDecoding.events(try Self.parse(buffer), limits: limits)
        try await ingestQueue.submit(events)
        metrics.eventsIngested.increment(by: Int64(events.count))
        return Self.json("{\"accepted\":\(events.count)}")
    }

    private func ingestTerms(_ request: Request) async throws -> Response {
        let terms = try RequestDecoding.subscriptions(try Self.parse(try await bodyBytes(request)), limits: config.limits)
        let store = self.store
        try await ingestQueue.perform { try store.ingest(terms: terms) }
        metrics.termsIngested.increment(by: Int64(terms.count))
        return Self.json("{\"accepted\":\(terms.count)}")
    }

    private func risk(_ user: String) throws -> Response {
        guard !user.isEmpty, user.utf8.count <= config.limits.maxIdBytes else {
            throw APIError(.badRequest, field: "id", "user id must be 1 to \(config.limits.maxIdBytes) bytes")
        }
        guard let f = try store.features(user: user) else {
            throw APIError(.notFound, field: "id", "no events before now for user '\(user)'")
        }
        let m = model.current
        if !m.hasPipeline {
            let have = Set(f.names)
            let missing = m.featureNames.filter { !have.contains($0) }
            if !missing.isEmpty {
                throw APIError(.unprocessableContent, "the model needs features the online state does not compute: " +
                               missing.prefix(8).joined(separator: ", ") + (missing.count > 8 ? ", …" : ""))
            }
        }
        let frame = try PlanColumn.frame(names: f.names, columns: f.values.map { [$0] }, plan: f.plan)
        let s: ScoringModel.Scored
        do { s = try m.score(frame, reasons: true)[0] } catch { throw APIError(.unprocessableContent, "cannot score this user: \(error)") }
        metrics.rowsScored.increment()
        let feats = zip(f.names, f.values).enumerated().map { k, nv in
            if let plan = f.plan, k == plan.index { return "\(JSONText.string(nv.0)):" + (plan.name(nv.1).map(JSONText.string) ?? "null") }
            return "\(JSONText.string(nv.0)):\(JSONText.number(nv.1))"
        }.joined(separator: ",")
        return Self.json("{\"user\":\(JSONText.string(user)),\"as_of\":\(JSONText.string(DateText.format(micros: f.asOf).replacingOccurrences(of: " ", with: "T") + "Z"))," +
                         "\"model_version\":\(JSONText.string(m.version)),\"probability\":\(JSONText.number(s.probability))," +
                         "\"tier\":\(JSONText.string(config.tiers.tier(s.probability))),\"reasons\":\(reasonsJSON(s.reasons))," +
                         "\"features\":{\(feats)}}")
    }

    /// Takes no body: the model path is fixed at start and never comes from a request.
    private func reload(_ request: Request) async throws -> Response {
        var body = try await request.body.collect(upTo: 4096)
        guard body.readableBytes == 0 || (body.readString(length: body.readableBytes) ?? "").allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "this route takes no body: it reloads the file given by --model")
        }
        let m: ScoringModel
        do { m = try reloadModel() } catch { throw APIError(.unprocessableContent, "reload failed, the previous model keeps serving: \(error)") }
        return Self.json("{\"model_version\":\(JSONText.string(m.version)),\"model_kind\":\(JSONText.string(m.kind))}")
    }
}

/// A tier scheme with its names already JSON-quoted (responses name a tier per row).
struct TierJSON: Sendable {
    let mins: [Double]
    let names: [String]
    let lowest: String
    init(_ t: TierScheme) {
        mins = t.thresholds.map(\.min); names = t.thresholds.map { JSONText.string($0.name) }; lowest = JSONText.string(t.lowest)
    }
    /// Same choice as `TierScheme.tier`.
    func json(_ p: Double) -> String {
        for k in 0..<mins.count where p >= mins[k] { return names[k] }
        return lowest
    }
}

/// CSV fields as RFC 4180 writes them (quoted when holding a comma, quote or line break).
enum CSVText {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
