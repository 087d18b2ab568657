import Testing
@testable import SplatInit

@Suite struct InitOptionsTests {
    @Test func samplesPerReferenceSpreadTheTotalWithinScaledBounds() {
        var o = InitOptions()
        #expect(o.samplesPerReference(references: 33) == 160_000 / 33)
        #expect(o.samplesPerReference(references: 64) == 3000)     // lower bound
        #expect(o.samplesPerReference(references: 4) == 20_000)    // upper bound
        o.totalSamples = 80_000                                    // both bounds halve
        #expect(o.samplesPerReference(references: 33) == 80_000 / 33)
        #expect(o.samplesPerReference(references: 64) == 1500)
        #expect(o.samplesPerReference(references: 2) == 10_000)
        o.matchesPerRef = 700                                      // an explicit count wins
        #expect(o.samplesPerReference(references: 33) == 700)
    }

    @Test func aTimeBudgetSizesTheInitByCoreMinutes() {
        #expect(InitOptions.totalSamples(budgetMinutes: 20, threads: 2) == 160_000)   // the default recipe
        #expect(InitOptions.totalSamples(budgetMinutes: 10, threads: 2) == 160_000)
        #expect(InitOptions.totalSamples(budgetMinutes: 60, threads: 8) == 160_000)   // never more
        #expect(InitOptions.totalSamples(budgetMinutes: 10, threads: 1) == 80_000)
        #expect(InitOptions.totalSamples(budgetMinutes: 4, threads: 2) == 64_000)
        #expect(InitOptions.totalSamples(budgetMinutes: 5, threads: 1) == 53_333)     // never under a third
        #expect(InitOptions.totalSamples(budgetMinutes: 1, threads: 0) == 53_333)
    }
}
