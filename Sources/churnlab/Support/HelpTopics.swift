import ArgumentParser

/// `churnlab help TOPIC…` for a topic that is no command.
///
/// ArgumentParser's built-in `help` subcommand prints the root help and exits 0
/// for any unknown name, so a typo (`churnlab help shedule`) looks like success
/// to a script. The words after `help` are walked down the command tree first;
/// the first one that names no subcommand is reported as a usage error (64).
enum HelpTopics {
    static func unknownTopic(_ args: [String], root: ParsableCommand.Type) -> (name: String, known: [String])? {
        guard args.first == "help" else { return nil }
        var command: ParsableCommand.Type = root
        for word in args.dropFirst() {
            if word.hasPrefix("-") { break }
            let subs = command.configuration.subcommands
            let names = subs.map { $0._commandName } + (ObjectIdentifier(command) == ObjectIdentifier(root) ? ["help"] : [])
            guard let next = subs.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else {
                if word == "help" && ObjectIdentifier(command) == ObjectIdentifier(root) { continue }
                return (word, names)
            }
            command = next
        }
        return nil
    }
}
