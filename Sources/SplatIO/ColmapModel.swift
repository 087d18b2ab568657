import SplatCore

/// A COLMAP sparse model as stored (docs/formats-input.md, COLMAP): ids, raw parameters, keypoints.
struct ColmapModel: Equatable {
    var cameras: [ColmapCamera]
    var images: [ColmapImage]
    var points: [ColmapPoint]
}

struct ColmapCamera: Equatable {
    var id: UInt32
    var model: String
    var width: Int
    var height: Int
    var params: [Double]
}

struct ColmapImage: Equatable {
    var id: UInt32
    /// World-to-camera rotation, w first, as stored (normalised when used).
    var rotation: Quaternion
    var translation: SIMD3<Double>
    var cameraId: UInt32
    var name: String
    /// Keypoint positions in pixels (COLMAP convention) and the 3D point each observes (-1: none).
    var keypoints: [SIMD2<Double>]
    var point3DIds: [Int64]
}

struct ColmapPoint: Equatable {
    var id: UInt64
    var position: SIMD3<Double>
    var color: SIMD3<UInt8>
    var error: Double
    var trackLength: Int
}

/// COLMAP camera models: id, name and parameter count. The count is not stored in cameras.bin,
/// so a model id missing here makes the file unreadable.
enum ColmapCameraModel {
    static let table: [(id: Int32, name: String, paramCount: Int)] = [
        (0, "SIMPLE_PINHOLE", 3), (1, "PINHOLE", 4), (2, "SIMPLE_RADIAL", 4), (3, "RADIAL", 5),
        (4, "OPENCV", 8), (5, "OPENCV_FISHEYE", 8), (6, "FULL_OPENCV", 12), (7, "FOV", 5),
        (8, "SIMPLE_RADIAL_FISHEYE", 4), (9, "RADIAL_FISHEYE", 5), (10, "THIN_PRISM_FISHEYE", 12),
        (11, "RAD_TAN_THIN_PRISM_FISHEYE", 16), (12, "SIMPLE_DIVISION", 4), (13, "DIVISION", 5),
        (14, "SIMPLE_FISHEYE", 3), (15, "FISHEYE", 4), (16, "EUCM", 6),
    ]

    static func byId(_ id: Int32) -> (name: String, paramCount: Int)? {
        table.first { $0.id == id }.map { ($0.name, $0.paramCount) }
    }

    static func byName(_ name: String) -> (id: Int32, paramCount: Int)? {
        table.first { $0.name == name }.map { ($0.id, $0.paramCount) }
    }

    /// Models splat turns into a pinhole camera (plus OpenCV-style distortion when needed).
    static let supported: Set<String> = ["SIMPLE_PINHOLE", "PINHOLE", "SIMPLE_RADIAL", "RADIAL", "OPENCV"]
}
