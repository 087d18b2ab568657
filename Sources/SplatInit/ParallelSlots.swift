/// Fixed slots that `DispatchQueue.concurrentPerform` iterations fill, each iteration writing
/// only its own index (so no two threads touch the same slot), read after the loop returns.
final class ParallelSlots<Element>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Element?>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    deinit {
        storage.deinitialize()  // releases what the slots hold
        storage.deallocate()
    }
    subscript(i: Int) -> Element? {
        get { storage[i] }
        set { storage[i] = newValue }
    }
}
