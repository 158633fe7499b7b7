import ArgumentParser
import ChurnCore
import Foundation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a simulated knowledge-payment platform (users.csv, subscriptions.csv, events.csv, courses.csv, interactions.csv).",
        discussion: """
            Users sign up over time, hold monthly or annual subscriptions, produce events (login, view_course, \
            finish_lesson, purchase, renew, comment, share, coupon_redeem) and churn with a hazard driven by their \
            engagement, price and satisfaction; a course catalogue and user–course interactions follow latent tastes. The same seed gives byte-identical files.
            """
    )

    @Option(help: "Number of users.") var users = 10_000
    @Option(help: "Days of activity.") var days = 365
    @Option(help: ArgumentHelp("First day (YYYY-MM-DD).", valueName: "date")) var start = "2024-01-01"
    @Option(parsing: .unconditional, help: "Random seed.") var seed: UInt64 = 42
    @Option(help: ArgumentHelp("Directory to write the CSV files to (created if missing).", valueName: "dir")) var out: String

    func validate() throws {
        guard users > 0 else { throw ValidationError("--users must be positive") }
        guard days > 0 else { throw ValidationError("--days must be positive") }
        guard DateText.parseDate(start) != nil else { throw ValidationError("--start must be a date like 2024-01-01, got '\(start)'") }
    }

    func run() throws {
        let t0 = Date()
        let sim: SimulatedPlatform
        do {
            sim = try simulatePlatform(SimulationOptions(users: users, days: days, start: DateText.parseDate(start)!, seed: seed))
        } catch {
            printError("churnlab simulate: \(error)")
            throw ExitStatus.usage
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for (name, frame) in [("users", sim.users), ("subscriptions", sim.subscriptions), ("events", sim.events),
                                 ("courses", sim.courses), ("interactions", sim.interactions)] {
                let path = (out as NSString).appendingPathComponent(name + ".csv")
                try frame.writeCSV(path: path)
                printError("wrote \(path) (\(frame.shapeText))")
            }
        } catch {
            printError("churnlab simulate: \(error)")
            throw ExitStatus.failure
        }
        printError(String(format: "done in %.2f s", Date().timeIntervalSince(t0)))
    }
}
