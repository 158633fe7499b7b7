import Foundation

/// libFuzzer's entry point when the program provides `main` itself.
/// (SwiftPM links an executable target's `main` to `<Target>_main`, so a
/// fuzz target cannot rely on libFuzzer's own `main`; it calls this instead.)
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// What every fuzz target shares: the driver and the rule that a loader may
/// throw (bad input must be an error) but never trap, crash or hang.
public enum FuzzDriver {
    /// Runs libFuzzer with the command line, calling `testOneInput` per input.
    /// `testOneInput` must be the target's `@_cdecl("LLVMFuzzerTestOneInput")`
    /// function (libFuzzer's archive references that symbol too).
    public static func main(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }

    /// The input as bytes.
    public static func data(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        guard let bytes, count > 0 else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    /// Runs `body`; any thrown error is the expected outcome for bad input.
    public static func expectingErrors(_ body: () throws -> Void) {
        do { try body() } catch { _ = "\(error)" }   // the message must render, too
    }
}
