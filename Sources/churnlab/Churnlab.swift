import ArgumentParser
import ChurnLua

@main
struct Churnlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churnlab",
        abstract: "A workbench for churn analytics: Lua pipelines over a fast Swift core.",
        discussion: """
            Exit codes: 0 success; 1 a script, test or job failed; 64 bad command-line usage; \
            66 an input file is missing or unreadable; 70 internal error.
            """,
        version: ChurnLab.version,
        subcommands: [RunCommand.self, ReplCommand.self, TestCommand.self, SimulateCommand.self, RulesCommand.self,
                      ScheduleCommand.self, NotebookCommand.self, KernelCommand.self, VerifyCommand.self]
    )
}
