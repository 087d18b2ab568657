import Foundation
import SplatCore
import Testing
@testable import SplatTrain

func perturbed(_ c: GaussianCloud) -> GaussianCloud {
    var p = c
    p.shDC = p.shDC.map { $0 * 0.3 }
    p.opacityLogits = p.opacityLogits.map { $0 - 0.8 }
    p.logScales = p.logScales.map { $0 + 0.2 }
    for i in 0..<p.means.count { p.means[i] += (i % 2 == 0 ? 0.03 : -0.03) }
    return p
}

func tempDir() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("splat-train-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func smallConfig(output: String, iterations: Int) -> TrainConfig {
    var c = TrainConfig()
    c.scene = "/synthetic"; c.output = output; c.setRunLength(iterations: iterations, minutes: nil)
    c.threads = 2; c.testInterval = 10; c.checkpointInterval = 0
    c.featureLR = 0.01; c.opacityLR = 0.05
    // Literal 3DGS steps and no warm-up, so these few-step runs exercise every step kind
    // (ScheduleTests covers the run-length schedules).
    c.scheduleIterations = 0; c.numDownscales = 0
    return c
}

@Suite struct TrainerTests {
    @Test func testRendererGradientsMatchCentralDifferences() {
        let cam = testCameras(count: 3)[1]
        let cloud = perturbed(targetCloud())
        let r = AdditiveTestRenderer()
        let w = [Float]((0..<(cam.width * cam.height * 3)).map { Float(($0 * 7919) % 13) / 13 - 0.5 })  // fixed dL/dImage
        func objective(_ c: GaussianCloud) -> Double {
            zip(r.render(c, camera: cam, shDegree: 0, background: .zero), w).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        var grads: [[Float]] = []
        w.withUnsafeBufferPointer { r.backward(cloud, camera: cam, shDegree: 0, background: .zero, dLdImage: $0, into: &grads) }
        for (group, index) in [(ParameterGroup.means, 0), (.means, 5), (.logScales, 3), (.opacityLogits, 2), (.shDC, 7)] {
            var plus = cloud, minus = cloud
            plus[keyPath: group.keyPath][index] += 1e-3
            minus[keyPath: group.keyPath][index] -= 1e-3
            let fd = (objective(plus) - objective(minus)) / 2e-3
            let analytic = Double(grads[group.rawValue][index])
            #expect(abs(fd - analytic) < 0.02 * abs(fd) + 1e-3, "\(group.name)[\(index)] fd \(fd) analytic \(analytic)")
        }
    }

    @Test func lossDecreasesWhenFittingRenderedViews() {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        var config = smallConfig(output: "/unused", iterations: 0)
        config.opacityDecayInterval = 0
        let trainer = Trainer(config: config, views: views,
                              state: TrainingState(cloud: perturbed(targetCloud()), seed: 1, trainViewCount: views.trainCameras.count),
                              renderer: AdditiveTestRenderer())
        let before = trainer.evaluate()!
        var losses: [Double] = []
        for _ in 0..<120 { losses.append(try! trainer.step().loss) }
        let after = trainer.evaluate()!
        let early = losses.prefix(12).reduce(0, +) / 12, late = losses.suffix(12).reduce(0, +) / 12
        #expect(late < 0.5 * early, "loss \(early) -> \(late)")
        #expect(after.psnr > before.psnr + 5, "PSNR \(before.psnr) -> \(after.psnr)")
        #expect(after.ssim > before.ssim)
    }

    /// `runLength`: the default run-length schedules with the warm-up active (views large enough
    /// for a ½-size level: steps 1–8 of 45 train at 200×30), stopped inside the warm-up.
    @Test(arguments: [false, true])
    func interruptedAndResumedRunEqualsUninterruptedRunBitForBit(runLength: Bool) throws {
        let cameras = runLength ? testCameras(count: 8, width: 400, height: 60) : testCameras(count: 8)
        let views = renderedViews(truth: targetCloud(), cameras: cameras)
        let start = perturbed(targetCloud())
        let stopAfter = runLength ? 6 : 23
        func session(_ dir: String, iterations: Int) -> TrainingSession {
            var c = smallConfig(output: dir, iterations: iterations)
            if runLength { c.scheduleIterations = 30000; c.numDownscales = 2 }
            c.checkpointInterval = 7
            let s = TrainingSession(config: c, views: views, renderer: AdditiveTestRenderer()) { _, _ in }
            s.report = { _ in }
            return s
        }
        let a = try tempDir(), b = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let full = try session(a, iterations: 45).run(resume: false) { start }
        #expect(full.completed && full.steps == 45)

        let first = session(b, iterations: 45)
        var stopAt = 0
        first.shouldStop = { stopAt += 1; return stopAt == stopAfter }   // not a checkpoint step
        let part = try first.run(resume: false) { start }
        #expect(!part.completed && part.steps == stopAfter)
        let rest = try session(b, iterations: 45).run(resume: true) { Issue.record("init on resume"); return start }
        #expect(rest.completed && rest.steps == 45)

        var sa = try Checkpoint.read(path: a + "/checkpoint.bin"), sb = try Checkpoint.read(path: b + "/checkpoint.bin")
        sa.elapsedSeconds = 0; sb.elapsedSeconds = 0
        #expect(sa == sb)
        #expect(sa.cloud != start)
        let csvA = try String(contentsOfFile: a + "/metrics.csv", encoding: .utf8)
        let csvB = try String(contentsOfFile: b + "/metrics.csv", encoding: .utf8)
        func metricColumns(_ s: String) -> [String] { s.split(separator: "\n").map { $0.split(separator: ",").prefix(4).joined(separator: ",") } }
        #expect(metricColumns(csvA) == metricColumns(csvB))
        #expect(metricColumns(csvA).count == 1 + 6)   // header, step 0, 10, 20, 30, 40, 45
    }

    @Test func nonFiniteGradientStopsWithLastGoodStateSaved() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let renderer = AdditiveTestRenderer()
        renderer.poisonBackwardCall = 5
        var config = smallConfig(output: dir, iterations: 20)
        config.testInterval = 0
        let session = TrainingSession(config: config, views: views, renderer: renderer) { _, _ in }
        session.report = { _ in }
        #expect(throws: TrainError.nonFinite(what: "gradient of means", step: 5, savedTo: dir + "/checkpoint.bin")) {
            _ = try session.run(resume: false) { perturbed(targetCloud()) }
        }
        let saved = try Checkpoint.read(path: dir + "/checkpoint.bin")
        #expect(saved.step == 4 && saved.adam.step == 4)
        #expect(saved.cloud.firstNonFiniteIndex() == nil)
        // The view drawn for the failed step was put back: the stack holds 6 − 4 views.
        #expect(saved.viewStack.count == views.trainCameras.count - 4)
    }

    @Test func transparentGaussiansArePrunedWithTheirMoments() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        var start = targetCloud()
        start.opacityLogits[2] = -8   // opacity 0.0003 < 0.005
        let trainer = Trainer(config: smallConfig(output: "/unused", iterations: 0), views: views,
                              state: TrainingState(cloud: start, seed: 1, trainViewCount: views.trainCameras.count),
                              renderer: AdditiveTestRenderer())
        for _ in 0..<9 { try trainer.step() }
        #expect(trainer.state.cloud.count == 4)
        try trainer.step()   // step 10: decay and prune
        #expect(trainer.state.cloud.count == 3)
        #expect(trainer.state.adam.firstMoments[0].count == 9)
        #expect(abs(trainer.state.cloud.opacity(0) - 0.99 * sigmoid(1)) < 0.05)
    }

    @Test func timeBudgetRunStopsAtItsDeadlineWithFinishedSchedules() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = smallConfig(output: dir, iterations: 5)
        c.setRunLength(iterations: nil, minutes: 0.05)   // 3 s, one kept back for writing; no step limit
        c.scheduleIterations = 30000; c.numDownscales = 2
        let session = TrainingSession(config: c, views: views, renderer: AdditiveTestRenderer()) { _, _ in }
        session.report = { _ in }
        let started = Date()
        let outcome = try session.run(resume: false) { perturbed(targetCloud()) }
        let wall = Date().timeIntervalSince(started)
        #expect(outcome.completed && outcome.steps > 5)
        // The last step ran with (nearly) the whole budget spent: schedules at their end state.
        #expect(outcome.progress > 0.9 && outcome.progress <= 1)
        // Stops at the deadline, not after a step count (there is none); the upper bound leaves room
        // for a CI machine busy with other suites.
        #expect(wall > 1.5 && wall < 20)
    }

    @Test func aResumedTimeBudgetRunWithNoTimeLeftRendersAtItsFinalSHDegree() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = smallConfig(output: dir, iterations: 5)
        c.setRunLength(iterations: nil, minutes: 0.02)   // no step limit; the final checkpoint is written
        c.scheduleIterations = 30000; c.checkpointInterval = 1000; c.testInterval = 0
        let first = TrainingSession(config: c, views: views, renderer: AdditiveTestRenderer()) { _, _ in }
        first.report = { _ in }
        let trained = try first.run(resume: false) { perturbed(targetCloud()) }
        #expect(trained.completed && trained.steps > 0)
        // Resumed with the budget's clock long run out: no step, schedules at their end.
        let renderer = AdditiveTestRenderer()
        let again = TrainingSession(config: c, views: views, renderer: renderer) { _, _ in }
        again.report = { _ in }
        again.budgetStart = Date(timeIntervalSinceNow: -3600)
        let resumed = try again.run(resume: true) { Issue.record("init on resume"); return perturbed(targetCloud()) }
        #expect(resumed.completed && resumed.steps == trained.steps && resumed.progress == 1)
        #expect(!renderer.renderedDegrees.isEmpty && renderer.renderedDegrees.allSatisfy { $0 == 1 })
    }

    @Test func bothLimitsStopAtTheNearerEnd() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        func run(iterations: Int, minutes: Double) throws -> TrainingSession.Outcome {
            let dir = try tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var c = smallConfig(output: dir, iterations: 5)
            c.setRunLength(iterations: iterations, minutes: minutes)
            c.scheduleIterations = 30000
            let session = TrainingSession(config: c, views: views, renderer: AdditiveTestRenderer()) { _, _ in }
            session.report = { _ in }
            return try session.run(resume: false) { perturbed(targetCloud()) }
        }
        // Steps end first: exactly the step count, schedules at their end.
        let short = try run(iterations: 6, minutes: 20)
        #expect(short.completed && short.steps == 6 && short.progress == 1)
        // The deadline ends first: far fewer steps than the limit, schedules (nearly) finished.
        let started = Date()
        let capped = try run(iterations: 10_000_000, minutes: 0.05)
        #expect(capped.completed && capped.steps < 10_000_000 && capped.progress > 0.9)
        #expect(Date().timeIntervalSince(started) < 20)   // 10M steps would take hours
    }

    @Test func aDistantTimeLimitLeavesAStepRunBitIdentical() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        func finalCloud(minutes: Double?) throws -> GaussianCloud {
            let dir = try tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var c = smallConfig(output: dir, iterations: 12)
            c.setRunLength(iterations: 12, minutes: minutes)
            c.scheduleIterations = 30000; c.numDownscales = 2
            var written: GaussianCloud?
            let session = TrainingSession(config: c, views: views, renderer: AdditiveTestRenderer()) { cloud, _ in written = cloud }
            session.report = { _ in }
            _ = try session.run(resume: false) { perturbed(targetCloud()) }
            return try #require(written)
        }
        #expect(try finalCloud(minutes: 20) == finalCloud(minutes: nil))
    }

    @Test func sessionWritesConfigMetricsAndCloud() throws {
        let views = renderedViews(truth: targetCloud(), cameras: testCameras(count: 8))
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var written: GaussianCloud?
        let session = TrainingSession(config: smallConfig(output: dir, iterations: 12), views: views,
                                      renderer: AdditiveTestRenderer()) { cloud, path in
            written = cloud
            try AtomicFile.write("ply", to: path)
        }
        session.report = { _ in }
        let outcome = try session.run(resume: false) { perturbed(targetCloud()) }
        #expect(written?.count == outcome.gaussians)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(files == ["config.yaml", "metrics.csv", "metrics.json", "point_cloud.ply"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/metrics.json"))) as! [String: Any]
        #expect(json["steps"] as? Int == 12)
        #expect((json["psnr"] as? Double ?? 0) > 10)
        #expect((json["peak_rss_bytes"] as? Int ?? 0) > 0)
        #expect(try ConfigLoader.load(path: dir + "/config.yaml") == session.config)
    }
}
