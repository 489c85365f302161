import Foundation
import Synchronization

/// Reports how many of a run's tasks are done: `(completed, total)`. Called from worker threads.
/// Library code takes one (default none) and never prints; the command line decides the output.
public typealias ProgressHandler = @Sendable (_ completed: Int, _ total: Int) -> Void

/// Runs `body(task)` for task = 0..<count on `threads` worker threads (default: all cores),
/// handing tasks out one at a time. Results must not depend on which thread runs which task:
/// give each task its own state (integrator, RNG stream seeded from the task index). The caller's
/// program decides OpenBLAS's own threads (``BLAS/threads``; the neurodyn executable sets one):
/// a library never changes that process-wide setting.
public func parallelTasks(count: Int, threads: Int? = nil, progress: ProgressHandler? = nil,
                          _ body: @Sendable (Int) -> Void) {
    guard count > 0 else { return }
    let workers = Swift.max(1, Swift.min(threads ?? ProcessInfo.processInfo.activeProcessorCount, count))
    let next = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let task = next.add(1, ordering: .relaxed).oldValue
            guard task < count else { return }
            body(task)
            let finished = done.add(1, ordering: .relaxed).newValue
            progress?(finished, count)
        }
    }
}

/// A fixed-size output buffer that parallel tasks fill at disjoint indices.
public final class SharedResults<Element>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Element>

    public init(repeating value: Element, count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: value)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    /// Each index must be written by one task only.
    public subscript(index: Int) -> Element {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    public var array: [Element] { Array(storage) }
}
