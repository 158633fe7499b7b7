import ChurnCore
import FuzzSupport

/// Parquet reader: arbitrary bytes as a whole file (footer, page headers,
/// pages). Seeds are the pyarrow-written fixtures, so mutations start from
/// valid footers and pages of every supported kind.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = [UInt8](FuzzDriver.data(bytes, count))
    FuzzDriver.expectingErrors {
        let frame = try ParquetReader().read(bytes: input, name: "fuzz.parquet")
        _ = frame.columns.map(\.name)
    }
    return 0
}

@main enum FuzzParquetMain { static func main() { FuzzDriver.main(fuzzParquet) } }
