/// One optional result per iteration of a `Parallel.forEach`, read after the loop returns.
/// Race-free because iteration i writes only slot i (no two threads touch the same slot) and
/// nothing reads until every iteration is done; a class so the loop body can write into it
/// without capturing an `inout` array (whose copy-on-write check would itself race).
public final class ParallelSlots<Element> {
    private let storage: UnsafeMutableBufferPointer<Element?>

    /// `count` empty slots.
    public init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()  // releases what the slots hold
        storage.deallocate()
    }

    public subscript(i: Int) -> Element? {
        get { storage[i] }
        set { storage[i] = newValue }
    }
}
