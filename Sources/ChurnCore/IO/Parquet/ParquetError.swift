/// Why a Parquet file could not be read or written. Every message names the file.
public struct ParquetError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public init(file: String, _ reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}

/// A structural problem found while decoding, before the file name is known
/// to the code that found it; `ParquetReader` turns it into a `ParquetError`.
struct ParquetFormatError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
