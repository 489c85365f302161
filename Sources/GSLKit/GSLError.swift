import _CGSL
#if canImport(Glibc)
import Glibc
#endif

/// A failure reported by GSL, or by Swift code running inside a GSL callback.
///
/// GSL's default handler aborts the process. Neurodyn replaces it once, at first use of
/// ``GSLKit``, by a handler that records `(status, reason, file, line)` for the calling thread and
/// returns; every GSL call then goes through ``check(_:)`` which turns a non-zero status into this
/// error.
public struct GSLError: Error, Equatable, CustomStringConvertible, Sendable {
    /// GSL's status code (`GSL_EDOM`, `GSL_EMAXITER`, ...), or `GSL_EBADFUNC` for a callback that threw.
    public let status: Int32
    public let reason: String
    public let file: String
    public let line: Int

    public init(status: Int32, reason: String, file: String = "", line: Int = 0) {
        self.status = status
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String {
        let name = String(cString: gsl_strerror(status))
        return file.isEmpty ? "GSL error \(status) (\(name)): \(reason)"
            : "GSL error \(status) (\(name)): \(reason) [\(file):\(line)]"
    }
}

/// The per-thread record that the non-aborting handler fills.
private final class LastError {
    var value: GSLError?
}

private let lastErrorKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { pointer in
        if let pointer { Unmanaged<LastError>.fromOpaque(pointer).release() }
    }
    return key
}()

private func threadRecord() -> LastError {
    if let pointer = pthread_getspecific(lastErrorKey) {
        return Unmanaged<LastError>.fromOpaque(pointer).takeUnretainedValue()
    }
    let record = LastError()
    pthread_setspecific(lastErrorKey, Unmanaged.passRetained(record).toOpaque())
    return record
}

private func recordingHandler(
    reason: UnsafePointer<CChar>?, file: UnsafePointer<CChar>?, line: Int32, status: Int32
) {
    threadRecord().value = GSLError(
        status: status,
        reason: reason.map { String(cString: $0) } ?? "",
        file: file.map { String(cString: $0) } ?? "",
        line: Int(line))
}

/// Installs the recording handler (idempotent, thread-safe through a lazy global).
private let handlerInstalled: Bool = {
    _ = gsl_set_error_handler(recordingHandler)
    return true
}()

/// Makes sure GSL will not abort. Every entry point of GSLKit calls this first.
@inline(__always)
public func installGSLErrorHandler() {
    _ = handlerInstalled
}

/// Turns a GSL status into a thrown ``GSLError``, with the reason the handler recorded.
@inline(__always)
public func check(_ status: Int32) throws(GSLError) {
    guard status != 0 else { return }
    let record = threadRecord()
    let recorded = record.value
    record.value = nil
    if let recorded, recorded.status == status { throw recorded }
    throw GSLError(status: status, reason: String(cString: gsl_strerror(status)))
}
