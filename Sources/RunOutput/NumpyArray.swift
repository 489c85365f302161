import Foundation

/// NumPy's .npy format, version 1.0, for a float64 matrix: the magic string, a header dict
/// padded with spaces to a multiple of 64 bytes and ended by '\n', then the values in C order,
/// little-endian (numpy.lib.format).
public enum NumpyArray {
    public static func data(_ values: [Double], rows: Int, columns: Int) -> Data {
        precondition(values.count == rows * columns, "npy: \(values.count) values for \(rows) x \(columns)")
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }
}
