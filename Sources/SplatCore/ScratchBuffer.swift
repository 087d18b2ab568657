/// A growable raw buffer that is reused across calls (never shrinks), so steady-state passes
/// (the rasterizer's forward and backward, the SSIM loss) allocate nothing but their returned
/// arrays, also when the image size changes from call to call.
public final class ScratchBuffer<T> {
    public private(set) var pointer: UnsafeMutablePointer<T>
    public private(set) var capacity: Int

    public init() {
        capacity = 16
        pointer = .allocate(capacity: capacity)
    }

    /// Makes room for `count` elements; contents are not preserved when it grows.
    @discardableResult
    public func reserve(_ count: Int) -> UnsafeMutablePointer<T> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity + capacity / 2)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }

    deinit { pointer.deallocate() }
}
