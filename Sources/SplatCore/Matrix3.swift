/// A 3x3 matrix in Double, stored as three rows. Cameras and poses are kept in Double so that
/// chains of conversions (COLMAP quaternions, transforms.json matrices, undistortion) lose nothing;
/// hot loops convert to Float once per camera.
public struct Matrix3: Equatable, Sendable, Codable {
    public var rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    public init(rows r0: SIMD3<Double>, _ r1: SIMD3<Double>, _ r2: SIMD3<Double>) {
        rows = (r0, r1, r2)
    }

    public static let identity = Matrix3(rows: [1, 0, 0], [0, 1, 0], [0, 0, 1])

    public subscript(row: Int, col: Int) -> Double {
        get {
            switch row {
            case 0: return rows.0[col]
            case 1: return rows.1[col]
            default: return rows.2[col]
            }
        }
        set {
            switch row {
            case 0: rows.0[col] = newValue
            case 1: rows.1[col] = newValue
            default: rows.2[col] = newValue
            }
        }
    }

    public var transposed: Matrix3 {
        Matrix3(rows: [rows.0.x, rows.1.x, rows.2.x],
                [rows.0.y, rows.1.y, rows.2.y],
                [rows.0.z, rows.1.z, rows.2.z])
    }

    public var determinant: Double {
        let (a, b, c) = rows
        return a.x * (b.y * c.z - b.z * c.y) - a.y * (b.x * c.z - b.z * c.x) + a.z * (b.x * c.y - b.y * c.x)
    }

    public var isFinite: Bool {
        for r in 0..<3 { for c in 0..<3 where !self[r, c].isFinite { return false } }
        return true
    }

    public static func * (m: Matrix3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((m.rows.0 * v).sum(), (m.rows.1 * v).sum(), (m.rows.2 * v).sum())
    }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        let bt = b.transposed
        func row(_ r: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3((r * bt.rows.0).sum(), (r * bt.rows.1).sum(), (r * bt.rows.2).sum())
        }
        return Matrix3(rows: row(a.rows.0), row(a.rows.1), row(a.rows.2))
    }

    public static func == (a: Matrix3, b: Matrix3) -> Bool {
        a.rows.0 == b.rows.0 && a.rows.1 == b.rows.1 && a.rows.2 == b.rows.2
    }

    // Codable as a flat row-major array of 9 numbers.
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        var v = [Double]()
        for _ in 0..<9 { v.append(try c.decode(Double.self)) }
        self.init(rows: [v[0], v[1], v[2]], [v[3], v[4], v[5]], [v[6], v[7], v[8]])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        for r in 0..<3 { for col in 0..<3 { try c.encode(self[r, col]) } }
    }
}

public extension SIMD3 where Scalar: FloatingPoint {
    var length: Scalar { (self * self).sum().squareRoot() }
    var normalized: SIMD3<Scalar> { self / length }
    func dot(_ o: SIMD3<Scalar>) -> Scalar { (self * o).sum() }
    func cross(_ o: SIMD3<Scalar>) -> SIMD3<Scalar> {
        SIMD3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
}
