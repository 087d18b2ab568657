import Foundation
import SplatCore

/// EDGS dense initialization (docs/how-edgs-works.md §1, docs/init.md): select reference views and neighbours, match
/// densely (built-in plane sweep or files), sample reference pixels ∝ certainty, triangulate
/// each against every neighbour keeping the best, and turn survivors into Gaussians.
public enum EDGSInitializer {
    public struct Result: Sendable {
        public var cloud: GaussianCloud
        public var report: InitReport
    }

    /// Runs the whole pipeline. `loadImage` returns a camera's RGB image (3 channels, size ==
    /// camera.intrinsics), already composited on the scene background; the CLI passes
    /// SplatIO's `SceneImages.loadRGB`. `progress` receives one-line status messages.
    public static func run(scene: Scene, options: InitOptions, loadImage: (Camera) throws -> Image8,
                           progress: (String) -> Void = { _ in },
                           shouldStop: @Sendable () -> Bool = { false }) throws -> Result {
        var seconds = InitReport.Seconds()
        let start = now()
        guard scene.trainIndices.count >= 2 else {
            throw InitError(scene.source, "initialization needs at least 2 train views, the scene has \(scene.trainIndices.count)")
        }
        // 1. Views (and, from files, the matches themselves).
        var t = now()
        var fileMatches: [ReferenceMatches]? = nil
        let selection: [ReferenceSelection]
        if let dir = options.correspondences {
            let m = try CorrespondenceFiles.load(directory: dir, scene: scene)
            fileMatches = m
            selection = m.map { ReferenceSelection(reference: $0.reference, neighbours: $0.pairs.map(\.neighbour)) }
        } else {
            selection = ViewSelection.select(cameras: scene.cameras, trainIndices: scene.trainIndices,
                                             numRefs: options.references(trainViews: scene.trainIndices.count),
                                             nnsPerRef: options.nnsPerRef, seed: options.seed,
                                             points: scene.points, observedPoints: scene.observedPoints)
        }
        seconds.selection = now() - t
        progress("views: \(selection.count) references × \(selection.first?.neighbours.count ?? 0) neighbours")

        // 2. Images of every view involved, loaded once.
        t = now()
        var needed = Set(selection.map(\.reference))
        if fileMatches == nil { for s in selection { needed.formUnion(s.neighbours) } }
        var images = [Int: Image8]()
        for v in needed.sorted() {
            if shouldStop() { throw InitInterrupted(referencesDone: 0) }
            let cam = scene.cameras[v]
            let img = try loadImage(cam)
            guard img.width == cam.width, img.height == cam.height, img.channels == 3 else {
                throw InitError(cam.imagePath ?? cam.name, "image is \(img.width)x\(img.height)x\(img.channels), camera expects \(cam.width)x\(cam.height) RGB")
            }
            images[v] = img
        }
        seconds.images = now() - t

        // 3–6. Per reference: match, sample, triangulate.
        var builder = GaussianBuilder(shDegree: options.shDegree, scalingFactor: options.scalingFactor)
        var refReports = [InitReport.Reference](), totalSampled = 0, errors = [Double](), warnings = [String]()
        for (k, sel) in selection.enumerated() {
            if shouldStop() { throw InitInterrupted(referencesDone: k) }
            t = now()
            let matches: ReferenceMatches
            if let fm = fileMatches {
                matches = fm[k]
            } else {
                var ranges = [Int: ClosedRange<Double>]()
                for v in [sel.reference] + sel.neighbours {
                    let partner = v == sel.reference ? sel.neighbours[0] : sel.reference
                    ranges[v] = DepthRange.estimate(camera: scene.cameras[v], points: scene.points, partner: scene.cameras[partner])
                }
                guard let m = DenseMatcher.match(cameras: scene.cameras, reference: sel.reference, neighbours: sel.neighbours,
                                                 images: images, depthRanges: ranges, options: options.matcher,
                                                 shouldStop: shouldStop) else { throw InitInterrupted(referencesDone: k) }
                matches = m
            }
            seconds.matching += now() - t

            t = now()
            let weights = MatchSampling.aggregate(matches, sampleThreshold: options.sampleThreshold)
            let cells = MatchSampling.sample(weights: weights, count: options.samplesPerReference(references: selection.count),
                                             seed: options.seed &+ 0x9E37_79B9 &* UInt64(sel.reference + 1))
            seconds.sampling += now() - t

            t = now()
            let refCam = scene.cameras[sel.reference]
            let best = bestTriangulations(matches, cells: cells, cameras: scene.cameras, minRayAngle: options.minRayAngleDegrees,
                                          agreement: options.agreementDistance)
            let tol = options.tolerance(for: refCam)
            let minAgreeing = min(fileMatches == nil ? options.minAgreeingViews : 1, sel.neighbours.count)
            var r = InitReport.Reference(reference: refCam.name, neighbours: sel.neighbours.map { scene.cameras[$0].name },
                                         sharedPoints: sel.sharedPoints, anglesDegrees: sel.angles,
                                         matchedCells: weights.filter { $0 > 0 }.count, sampled: cells.count, kept: 0)
            var kept = [(pixel: SIMD2<Float>, position: SIMD3<Double>)]()
            for b in best {
                if !b.point.isValid { r.droppedNoTriangulation += 1; continue }
                if b.point.error > tol { r.droppedReprojection += 1; continue }
                if b.agreeing < minAgreeing { r.droppedAgreement += 1; continue }
                builder.add(position: b.point.position, refPixel: b.refPixel, view: sel.reference, image: images[sel.reference]!, camera: refCam)
                kept.append((b.refPixel, b.point.position))
                errors.append(b.point.error)
                r.kept += 1
            }
            if options.coverageCells > 0 {
                for seed in CoverageFill.seeds(camera: refCam, image: images[sel.reference]!, kept: kept, cellsAlongLongSide: options.coverageCells) {
                    builder.add(position: seed.position, colour: seed.colour, camera: refCam, scalePixels: seed.scalePixels)
                    r.filled += 1
                }
            }
            seconds.triangulation += now() - t
            totalSampled += cells.count
            r.warning = InitDiagnosis.failingReference(r, minAgreeing: minAgreeing, failing: options.failingReferenceFraction)
            if let w = r.warning { warnings.append("reference \(refCam.name): " + w) }
            refReports.append(r)
            progress("reference \(k + 1)/\(selection.count) \(refCam.name): \(cells.count) sampled, \(r.kept) kept"
                     + (r.filled > 0 ? ", \(r.filled) filled" : "")
                     + (r.warning.map { " (warning: \($0))" } ?? ""))
        }
        if shouldStop() { throw InitInterrupted(referencesDone: selection.count) }
        let filled = refReports.reduce(0) { $0 + $1.filled }
        let dense = builder.count - filled
        let addSfM = InitDiagnosis.addsSfMPoints(dense: dense, sfm: scene.points.count, options: options)
        guard dense > 0 || addSfM else {
            throw InitError(scene.source, "no point survived triangulation (\(totalSampled) sampled, all rejected or no confident matches)"
                            + (scene.points.isEmpty ? "" : "; --sfm-points auto or always would start from the \(scene.points.count) SfM points"))
        }
        t = now()
        var cloud = builder.count > 0 ? builder.makeCloud(initialScale: options.initialScale,
                                                  threadCount: ProcessInfo.processInfo.activeProcessorCount)
            : GaussianCloud(count: 0, maxSHDegree: options.shDegree)
        if addSfM {
            cloud.append(contentsOf: SfMSeeds.cloud(scene: scene, dense: cloud, shDegree: options.shDegree,
                                                    threadCount: ProcessInfo.processInfo.activeProcessorCount))
        }
        if let w = InitDiagnosis.fewDense(dense: dense, sampled: totalSampled, sfm: scene.points.count, added: addSfM, options: options) {
            warnings.append(w)
            progress("warning: " + w)
        }
        seconds.gaussians = now() - t
        seconds.total = now() - start
        errors.sort()
        let firstRef = selection.first.map { scene.cameras[$0.reference] }
        let report = InitReport(
            settings: options,
            matchSource: options.correspondences.map { "files: \($0)" } ?? "built-in plane sweep",
            trainViews: scene.trainIndices.count, references: refReports, sampled: totalSampled,
            gaussians: cloud.count, denseGaussians: dense, filledGaussians: filled, sfmPointsAdded: addSfM ? scene.points.count : 0,
            rejectedFraction: totalSampled > 0 ? 1 - Double(dense) / Double(totalSampled) : 0,
            medianReprojectionErrorPx: errors.isEmpty ? 0 : errors[errors.count / 2],
            tolerancePx: firstRef.map { options.tolerance(for: $0) } ?? 0, seconds: seconds, warnings: warnings)
        return Result(cloud: cloud, report: report)
    }

    struct Best { var point: TriangulatedPoint; var refPixel: SIMD2<Float>; var agreeing: Int }

    /// For each sampled cell, the triangulation with the smallest error over the neighbours
    /// that have a match there (ties within 0.01 px go to the more certain match), and how many
    /// neighbours' points agree with it to within `agreement` × its distance from the
    /// reference camera (itself included). One DLT batch per neighbour, neighbours in parallel.
    static func bestTriangulations(_ m: ReferenceMatches, cells: [Int], cameras: [Camera], minRayAngle: Double,
                                   agreement: Double) -> [Best] {
        let slots = ParallelSlots<[TriangulatedPoint?]>(count: m.pairs.count)
        Parallel.forEach(m.pairs.count) { j in
            let pair = m.pairs[j]
            var use = [Int](), a = [Double](), b = [Double]()
            for (s, c) in cells.enumerated() where pair.certainty[c] > 0 {
                use.append(s)
                a += [Double(pair.refXY[c * 2]), Double(pair.refXY[c * 2 + 1])]
                b += [Double(pair.nbrXY[c * 2]), Double(pair.nbrXY[c * 2 + 1])]
            }
            let res = Triangulation.triangulate(ref: cameras[m.reference], nbr: cameras[pair.neighbour],
                                                refPixels: a, nbrPixels: b, minRayAngleDegrees: minRayAngle)
            var out = [TriangulatedPoint?](repeating: nil, count: cells.count)
            for (k, s) in use.enumerated() { out[s] = res[k] }
            slots[j] = out
        }
        let centre = cameras[m.reference].center
        var best = [Best]()
        best.reserveCapacity(cells.count)
        let invalid = TriangulatedPoint(position: .zero, error: .infinity, isValid: false)
        for (s, c) in cells.enumerated() {
            var b = Best(point: invalid, refPixel: .zero, agreeing: 0), bestCertainty: Float = -1
            for j in 0..<m.pairs.count {
                guard let p = slots[j]![s], p.isValid else { continue }
                let cert = m.pairs[j].certainty[c]
                let better = !b.point.isValid || p.error < b.point.error - 0.01
                    || (p.error <= b.point.error + 0.01 && cert > bestCertainty)
                guard better else { continue }
                b = Best(point: p, refPixel: SIMD2(m.pairs[j].refXY[c * 2], m.pairs[j].refXY[c * 2 + 1]), agreeing: 0)
                bestCertainty = cert
            }
            if b.point.isValid {
                let radius = agreement * (b.point.position - centre).length
                for j in 0..<m.pairs.count {
                    if let p = slots[j]![s], p.isValid, (p.position - b.point.position).length <= radius { b.agreeing += 1 }
                }
            }
            best.append(b)
        }
        return best
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
}
