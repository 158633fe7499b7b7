import ChurnCore
import ExecutionControl
import FuzzSupport

/// A footer may claim any number of rows; as in a Lua script, the memory budget
/// (1 GiB here) turns that into an error instead of an allocation.
let fuzzContext: ExecutionContext = {
    let c = ExecutionContext()
    c.budget.setLimit(1 << 30)
    return c
}()

/// Parquet reader: arbitrary bytes as a whole file (footer, page headers,
/// pages). Seeds are the pyarrow-written fixtures, so mutations start from
/// valid footers and pages of every supported kind.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = [UInt8](FuzzDriver.data(bytes, count))
    FuzzDriver.expectingErrors {
        try ExecutionContext.run(in: fuzzContext) {
            let frame = try ParquetReader().read(bytes: input, name: "fuzz.parquet")
            _ = frame.columns.map(\.name)
        }
    }
    return 0
}

@main enum FuzzParquetMain { static func main() { FuzzDriver.main(fuzzParquet) } }
