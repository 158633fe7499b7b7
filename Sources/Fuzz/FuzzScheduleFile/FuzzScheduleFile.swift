import ChurnFiles
import FuzzSupport

/// Schedule file loader: the Lua evaluation and every field check. Job files
/// are looked up under a directory that does not exist, so the "missing
/// file" errors are exercised too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScheduleFile(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: FuzzDriver.data(bytes, count), as: UTF8.self)
    FuzzDriver.expectingErrors {
        _ = try ScheduleFile.parse(text, path: "/nonexistent-churnlab-fuzz/schedule.lua", ledgerPath: "/nonexistent-churnlab-fuzz/l.db")
    }
    return 0
}

@main enum FuzzScheduleFileMain { static func main() { FuzzDriver.main(fuzzScheduleFile) } }
