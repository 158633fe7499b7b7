import ChurnFiles
import FuzzSupport

/// Notebook JSON loader (nbformat 4 structure checks).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotebook(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzDriver.expectingErrors { _ = try NotebookFile.parse(FuzzDriver.data(bytes, count), source: "fuzz.ipynb") }
    return 0
}

@main enum FuzzNotebookMain { static func main() { FuzzDriver.main(fuzzNotebook) } }
