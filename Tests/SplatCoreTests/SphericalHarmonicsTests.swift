import Foundation
import Testing
import SplatCore

/// `SH.basis` against real spherical harmonics built from their definition, not from the same
/// constants: Y_l^m = √2·K(l,|m|)·P_l^|m|(cos θ)·{cos mφ, sin |m|φ} (Y_l^0 = K(l,0)·P_l^0),
/// K(l,m) = √((2l+1)/(4π)·(l−m)!/(l+m)!), P_l^m the associated Legendre functions with the
/// Condon–Shortley phase, index l² + l + m. This is the convention of the 3DGS SH evaluation,
/// so a PLY from 3DGS shades the same here.
@Suite struct SphericalHarmonicsTests {
    static func factorial(_ n: Int) -> Double { n <= 1 ? 1 : (2...n).reduce(1.0) { $0 * Double($1) } }

    /// P_l^m(x) for m ≥ 0 with the Condon–Shortley phase, by the standard recurrence in l.
    static func legendre(_ l: Int, _ m: Int, _ x: Double) -> Double {
        var pmm = 1.0
        let s = (1 - x * x).squareRoot()
        for k in 0..<m { pmm *= -Double(2 * k + 1) * s }   // (−1)^m (2m−1)!! (1−x²)^{m/2}
        if l == m { return pmm }
        var pm1 = x * Double(2 * m + 1) * pmm
        if l == m + 1 { return pm1 }
        var pl = 0.0
        for ll in (m + 2)...l {
            pl = (Double(2 * ll - 1) * x * pm1 - Double(ll + m - 1) * pmm) / Double(ll - m)
            pmm = pm1; pm1 = pl
        }
        return pl
    }

    static func realSH(_ l: Int, _ m: Int, theta: Double, phi: Double) -> Double {
        let am = abs(m)
        let k = ((2 * Double(l) + 1) / (4 * Double.pi) * factorial(l - am) / factorial(l + am)).squareRoot()
        let p = legendre(l, am, cos(theta))
        if m == 0 { return k * p }
        return 2.0.squareRoot() * k * p * (m > 0 ? cos(Double(m) * phi) : sin(Double(am) * phi))
    }

    @Test func basisEqualsRealSphericalHarmonicsFromTheirDefinition() {
        var rng = SplatRandom(seed: 11)
        for _ in 0..<200 {
            let theta = acos(2 * Double(rng.nextFloat()) - 1), phi = 2 * Double.pi * Double(rng.nextFloat())
            let d = (x: sin(theta) * cos(phi), y: sin(theta) * sin(phi), z: cos(theta))
            let b = SH.basis(degree: 3, x: d.x, y: d.y, z: d.z)
            #expect(b.count == 16)
            for l in 0...3 {
                for m in -l...l {
                    let want = Self.realSH(l, m, theta: theta, phi: phi)
                    #expect(abs(b[l * l + l + m] - want) < 1e-12, "l \(l) m \(m): \(b[l * l + l + m]) vs \(want)")
                }
            }
        }
    }

    /// Orthonormal over the sphere (Gauss–Legendre in cos θ × uniform φ, exact for these degrees).
    @Test func basisIsOrthonormalOverTheSphere() {
        // 8-point Gauss–Legendre nodes and weights on [−1, 1].
        let nodes = [-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
                     0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363]
        let weights = [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
                       0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763]
        var gram = [Double](repeating: 0, count: 256)
        let nPhi = 16
        for (z, w) in zip(nodes, weights) {
            for j in 0..<nPhi {
                let phi = 2 * Double.pi * Double(j) / Double(nPhi), s = (1 - z * z).squareRoot()
                let b = SH.basis(degree: 3, x: s * cos(phi), y: s * sin(phi), z: z)
                for a in 0..<16 { for c in 0..<16 { gram[a * 16 + c] += w * 2 * Double.pi / Double(nPhi) * b[a] * b[c] } }
            }
        }
        for a in 0..<16 { for c in 0..<16 {
            #expect(abs(gram[a * 16 + c] - (a == c ? 1 : 0)) < 1e-9, "⟨β\(a), β\(c)⟩ = \(gram[a * 16 + c])")
        } }
    }
}
