import Foundation
import Synchronization

/// Progress on stderr: redrawn in place on a terminal, throttled plain lines otherwise.
final class ProgressPrinter: Sendable {
    let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let last = Mutex<(fraction: Double, time: Double)>((-1, 0))

    init(label: String) { self.label = label }

    func report(_ completed: Int, _ total: Int) {
        let fraction = Double(completed) / Double(Swift.max(total, 1))
        let now = Date().timeIntervalSinceReferenceDate
        let shouldPrint = last.withLock { state -> Bool in
            let due = completed == total || (isTerminal ? now - state.time > 0.1
                : fraction - state.fraction >= 0.02 && now - state.time >= 1)
            if due { state = (fraction, now) }
            return due
        }
        guard shouldPrint else { return }
        let text = "\(label): \(completed)/\(total) (\(Int(fraction * 100))%)"
        let line = isTerminal ? "\r\(text)" + (completed == total ? "\n" : "") : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
