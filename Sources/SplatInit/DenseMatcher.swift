import SplatCore

/// Settings of the built-in CPU matcher.
public struct MatcherOptions: Sendable, Codable, Equatable {
    /// Long side of the images the matcher works on, pixels; images are area-downscaled by the
    /// smallest integer factor that fits. The warp (one cell per matcher pixel) has this size.
    public var maxSide = 320
    /// ZNCC window radius in matcher pixels (window 2r+1 square).
    public var windowRadius = 3
    /// Upper bound on plane-sweep depth samples per pair and direction.
    public var maxDepthSamples = 160
    /// Target spacing of consecutive depth samples along the epipolar line, matcher pixels.
    public var pixelsPerDepthStep = 1.0
    /// ZNCC score mapped to certainty 0 at `scoreLow` and 1 at `scoreHigh`.
    public var scoreLow: Float = 0.5, scoreHigh: Float = 0.9
    /// Margin of the best over the best non-adjacent depth giving full certainty.
    public var uniquenessFull: Float = 0.1
    /// Forward-backward error (matcher pixels): full certainty up to `consistencyFull`,
    /// none from `consistencyZero`.
    public var consistencyFull: Float = 1, consistencyZero: Float = 3
    public init() {}
}

/// The built-in dense matcher: plane sweep from the reference into each neighbour and back,
/// certainty = score term × uniqueness term × forward-backward consistency term.
public enum DenseMatcher {
    /// Matches one reference against its neighbours. `images` maps camera index to the RGB
    /// image of that camera (size == intrinsics); `depthRanges` gives each view's depth range.
    public static func match(cameras: [Camera], reference: Int, neighbours: [Int], images: [Int: Image8],
                             depthRanges: [Int: ClosedRange<Double>], options: MatcherOptions = .init()) -> ReferenceMatches {
        match(cameras: cameras, reference: reference, neighbours: neighbours, images: images, depthRanges: depthRanges,
              options: options, shouldStop: { false })!
    }

    /// As above; nil when `shouldStop` turned true (checked before each sweep, so a stop
    /// request waits for at most the sweeps already running).
    public static func match(cameras: [Camera], reference: Int, neighbours: [Int], images: [Int: Image8],
                             depthRanges: [Int: ClosedRange<Double>], options: MatcherOptions,
                             shouldStop: @Sendable () -> Bool) -> ReferenceMatches? {
        var grayImages = [Int: MatchImage]()
        for v in [reference] + neighbours {
            grayImages[v] = MatchImage(images[v]!, factor: factor(for: cameras[v], maxSide: options.maxSide))
        }
        // Two sweeps per neighbour (reference→neighbour, neighbour→reference), run in parallel.
        let tasks = neighbours.flatMap { [($0, true), ($0, false)] }
        let results = ParallelSlots<SweepResult>(count: tasks.count)
        let gray = grayImages
        Parallel.forEach(tasks.count) { t in
            if shouldStop() { return }
            let (nbr, forward) = tasks[t]
            let (a, b) = forward ? (reference, nbr) : (nbr, reference)
            results[t] = sweep(from: cameras[a], gray[a]!, to: cameras[b], gray[b]!,
                               depthRange: depthRanges[a]!, options: options)
        }
        if shouldStop() || (0..<tasks.count).contains(where: { results[$0] == nil }) { return nil }
        let ref = gray[reference]!
        let pairs = neighbours.enumerated().map { (k, nbr) in
            certainMatches(refCamera: cameras[reference], ref: ref, nbrCamera: cameras[nbr], nbr: gray[nbr]!,
                           neighbour: nbr, forward: results[2 * k]!, backward: results[2 * k + 1]!, options: options)
        }
        return ReferenceMatches(reference: reference, cellCount: ref.width * ref.height, pairs: pairs)
    }

    static func factor(for camera: Camera, maxSide: Int) -> Int {
        let side = max(camera.width, camera.height)
        return max(1, (side + maxSide - 1) / max(1, maxSide))
    }

    /// X_b = R X_a + t for two world-to-camera poses.
    static func relativePose(_ a: CameraFromWorld, _ b: CameraFromWorld) -> (Matrix3, SIMD3<Double>) {
        let r = b.rotation * a.rotation.transposed
        return (r, b.translation - r * a.translation)
    }

    static func sweep(from ca: Camera, _ ga: MatchImage, to cb: Camera, _ gb: MatchImage,
                      depthRange: ClosedRange<Double>, options: MatcherOptions) -> SweepResult {
        let ka = Pinhole(ca.intrinsics, factor: ga.factor), kb = Pinhole(cb.intrinsics, factor: gb.factor)
        let (r, t) = relativePose(ca.pose, cb.pose)
        let samples = inverseDepthSamples(src: ka, width: ga.width, height: ga.height, dst: kb, rotation: r,
                                          translation: t, range: depthRange, options: options)
        return PlaneSweep.sweep(src: ga, dst: gb, srcK: ka, dstK: kb, rotation: r, translation: t,
                                invDepths: samples, radius: options.windowRadius)
    }

    /// Inverse depths from 1/far to 1/near, spaced so that one step moves the match about
    /// `pixelsPerDepthStep` along the epipolar line (measured on five probe pixels).
    static func inverseDepthSamples(src: Pinhole, width: Int, height: Int, dst: Pinhole, rotation: Matrix3,
                                    translation: SIMD3<Double>, range: ClosedRange<Double>,
                                    options: MatcherOptions) -> [Float] {
        let lo = 1 / range.upperBound, hi = 1 / range.lowerBound
        let probes: [(Double, Double)] = [(0.5, 0.5), (0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]
        var longest = 0.0
        for (px, py) in probes {
            let ray = SIMD3((px * Double(width) - src.cx) / src.fx, (py * Double(height) - src.cy) / src.fy, 1)
            var last: SIMD2<Double>? = nil, length = 0.0
            for k in 0...64 {
                let id = lo + (hi - lo) * Double(k) / 64
                let x = rotation * (ray / id) + translation
                guard x.z > 1e-9 else { last = nil; continue }
                let q = SIMD2(dst.fx * x.x / x.z + dst.cx, dst.fy * x.y / x.z + dst.cy)
                if let l = last { length += ((q - l) * (q - l)).sum().squareRoot() }
                last = q
            }
            longest = max(longest, length)
        }
        let count = min(options.maxDepthSamples, max(8, Int(min(1e6, longest / options.pixelsPerDepthStep)) + 1))
        return (0..<count).map { Float(lo + (hi - lo) * Double($0) / Double(count - 1)) }
    }

    /// Turns the two sweeps into matches with certainty in [0, 1], in full-resolution pixels.
    static func certainMatches(refCamera: Camera, ref: MatchImage, nbrCamera: Camera, nbr: MatchImage, neighbour: Int,
                               forward: SweepResult, backward: SweepResult, options: MatcherOptions) -> PairMatches {
        let w = ref.width, h = ref.height, P = w * h
        let k1 = Pinhole(refCamera.intrinsics, factor: ref.factor), k2 = Pinhole(nbrCamera.intrinsics, factor: nbr.factor)
        let (r21, t21) = relativePose(refCamera.pose, nbrCamera.pose)
        let (r12, t12) = relativePose(nbrCamera.pose, refCamera.pose)
        var refXY = [Float](repeating: 0, count: P * 2), nbrXY = refXY
        var cert = [Float](repeating: 0, count: P)
        let f1 = Double(ref.factor), f2 = Double(nbr.factor)
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x
                let u = Double(x) + 0.5, v = Double(y) + 0.5
                refXY[p * 2] = Float(u * f1); refXY[p * 2 + 1] = Float(v * f1)
                let id = Double(forward.invDepth[p])
                guard id.isFinite, id > 0 else { continue }
                let x1 = SIMD3((u - k1.cx) / k1.fx, (v - k1.cy) / k1.fy, 1) / id
                let x2 = r21 * x1 + t21
                guard x2.z > 1e-9 else { continue }
                let qx = k2.fx * x2.x / x2.z + k2.cx, qy = k2.fy * x2.y / x2.z + k2.cy
                nbrXY[p * 2] = Float(qx * f2); nbrXY[p * 2 + 1] = Float(qy * f2)
                guard qx >= 0, qy >= 0, qx < Double(nbr.width), qy < Double(nbr.height) else { continue }
                let id2 = Double(backward.invDepth[Int(qy) * nbr.width + Int(qx)])
                guard id2.isFinite, id2 > 0 else { continue }
                let back = r12 * (SIMD3((qx - k2.cx) / k2.fx, (qy - k2.cy) / k2.fy, 1) / id2) + t12
                guard back.z > 1e-9 else { continue }
                let ex = k1.fx * back.x / back.z + k1.cx - u, ey = k1.fy * back.y / back.z + k1.cy - v
                let err = Float((ex * ex + ey * ey).squareRoot())
                let consistency = ramp(options.consistencyZero - err, 0, options.consistencyZero - options.consistencyFull)
                let score = ramp(forward.score[p] - options.scoreLow, 0, options.scoreHigh - options.scoreLow)
                let unique = ramp(forward.uniqueness[p], 0, options.uniquenessFull)
                cert[p] = score * unique * consistency
            }
        }
        return PairMatches(neighbour: neighbour, refXY: refXY, nbrXY: nbrXY, certainty: cert)
    }

    /// (value − lo) / span clamped to [0, 1].
    @inline(__always) static func ramp(_ value: Float, _ lo: Float, _ span: Float) -> Float {
        min(1, max(0, (value - lo) / span))
    }
}
