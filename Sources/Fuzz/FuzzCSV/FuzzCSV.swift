import ChurnCore
import FuzzSupport

/// CSV reader: header and rows of arbitrary bytes. The first byte is not
/// CSV: its low two bits pick the separator (, ; tab |) and bit 2 turns the
/// header off, so both paths are explored (seed files start with that byte).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = [UInt8](FuzzDriver.data(bytes, count))
    guard let mode = input.first else { return 0 }
    var options = CSVReadOptions()
    options.sep = [",", ";", "\t", "|"][Int(mode & 3)]
    options.header = mode & 4 == 0
    FuzzDriver.expectingErrors {
        let result = try CSVReader(options: options).read(bytes: Array(input.dropFirst()), name: "fuzz.csv")
        _ = result.frame.columns.map(\.name)
        _ = result.badRows.count
    }
    return 0
}

@main enum FuzzCSVMain { static func main() { FuzzDriver.main(fuzzCSV) } }
