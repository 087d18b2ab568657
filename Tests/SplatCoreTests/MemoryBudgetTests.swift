import Foundation
import SplatCore
import Testing

@Suite struct MemoryBudgetTests {
    @Test func trainingEstimateAddsParametersMomentsScratchImagesAndPixels() {
        // SH degree 3: 59 floats = 236 B per Gaussian; ×7 (parameters, gradients, 2 moments,
        // checkpoint copy of 3) + 8 B screen-space gradient.
        let e = MemoryEstimate.training(gaussians: 1000, shDegree: 3, cachedImagePixels: 10_000, largestViewPixels: 2_000)
        #expect(MemoryEstimate.floatsPerGaussian(shDegree: 3) == 59)
        #expect(MemoryEstimate.floatsPerGaussian(shDegree: 0) == 14)
        let parts = Dictionary(uniqueKeysWithValues: e.parts.map { ($0.name, $0.bytes) })
        #expect(parts["runtime"] == 64 << 20)
        #expect(parts["Gaussians (parameters, gradients, Adam moments, checkpoint copy)"] == 1000 * (236 * 7 + 8))
        #expect(parts["rasterizer scratch"] == 1000 * (117 + 6 * 108))
        #expect(parts["image cache"] == 30_000)
        #expect(parts["per-pixel buffers"] == 320_000)
        #expect(e.total == (64 << 20) + 1_660_000 + 765_000 + 30_000 + 320_000)
        // Degree 0 needs far less per Gaussian.
        let d0 = MemoryEstimate.training(gaussians: 1000, shDegree: 0, cachedImagePixels: 0, largestViewPixels: 0)
        #expect(d0.total == (64 << 20) + 1000 * (56 * 7 + 8) + 765_000)
    }

    @Test func renderAndInitEstimates() {
        let r = MemoryEstimate.rendering(gaussians: 100, shDegree: 1, pixels: 1000)
        #expect(r.total == (64 << 20) + 100 * 23 * 4 + 100 * (81 + 6 * 72) + 40_000)
        let i = MemoryEstimate.initialization(loadedImagePixels: 1000, loadedViews: 4, matchPixels: 100, depthSamples: 160,
                                              concurrentSweeps: 2, neighbours: 3, points: 10)
        #expect(i.total == (64 << 20) + (3000 + 4 * 100 * 4) + (2 * 100 * 184 * 4 + 3 * 100 * 20) + 10 * (236 + 64))
    }

    @Test func meminfoAndCgroupFilesAreParsed() {
        let meminfo = "MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n"
        #expect(MemoryBudget.memAvailable(meminfo: meminfo) == 20_000_000 * 1024)
        #expect(MemoryBudget.memAvailable(meminfo: "MemTotal: 5 kB\n") == nil)
        #expect(MemoryBudget.remaining(limit: "1073741824\n", usage: "73741824\n") == 1_000_000_000)
        #expect(MemoryBudget.remaining(limit: "max\n", usage: "5\n") == nil)
        #expect(MemoryBudget.remaining(limit: "9223372036854771712\n", usage: "5\n") == nil)   // cgroup v1 "unlimited"
        #expect(MemoryBudget.remaining(limit: "100", usage: "200") == 0)
        #expect(MemoryBudget.remaining(limit: nil, usage: nil) == nil)
        let hybrid = "9:name=systemd:/\n4:memory:/process_api/c56\n1:cpu,cpuacct:/\n0::/\n"
        #expect(MemoryBudget.ownCgroups(hybrid) == ("/", "/process_api/c56"))
        #expect(MemoryBudget.ownCgroups("0::/user.slice/x.scope\n") == ("/user.slice/x.scope", "/"))
        #expect(MemoryBudget.levels(root: "/sys/fs/cgroup/memory", path: "/process_api/c56")
                == ["/sys/fs/cgroup/memory/process_api/c56", "/sys/fs/cgroup/memory/process_api", "/sys/fs/cgroup/memory"])
        #expect(MemoryBudget.levels(root: "/r", path: "/") == ["/r"])
        #expect(MemoryBudget.levels(root: "/r", path: "/a/../b") == ["/r"])
    }

    @Test func overrideVariableReplacesTheMeasurementAndIsValidated() throws {
        #expect(try MemoryBudget.available(environment: ["SPLAT_MEMORY_LIMIT_MB": "3"]) == 3 << 20)
        #expect(throws: MemoryShortage.self) { try MemoryBudget.available(environment: ["SPLAT_MEMORY_LIMIT_MB": "lots"]) }
        #expect(throws: MemoryShortage.self) { try MemoryBudget.available(environment: ["SPLAT_MEMORY_LIMIT_MB": "-1"]) }
        // Without the override this machine reports something positive.
        #expect((try MemoryBudget.available(environment: [:]) ?? 0) > 0)
    }

    @Test func requireThrowsOneLineNamingSubjectNeedAndAdvice() throws {
        let e = MemoryEstimate.training(gaussians: 10_000_000, shDegree: 3, cachedImagePixels: 0, largestViewPixels: 0)
        do {
            try MemoryBudget.require(e, for: "run.yaml", advice: "try 'downscale: 2'", environment: ["SPLAT_MEMORY_LIMIT_MB": "1024"])
            Issue.record("a 10-million-Gaussian run fitted in 1 GiB")
        } catch let s as MemoryShortage {
            #expect(s.description == "run.yaml: needs about \(MemoryBudget.format(e.total)) but only 1.00 GiB is available; "
                    + "try 'downscale: 2' (or set SPLAT_MEMORY_LIMIT_MB)")
            #expect(MemoryBudget.format(e.total).hasSuffix(" GiB") && !s.description.contains("\n"))
        }
        try MemoryBudget.require(e, for: "run.yaml", advice: "", environment: ["SPLAT_MEMORY_LIMIT_MB": "1000000"])
        #expect(MemoryBudget.format(5 << 20) == "5 MiB")
    }
}
