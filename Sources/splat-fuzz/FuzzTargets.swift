import Foundation
import SplatCore
import SplatIO
import SplatInit
import SplatTrain

/// One reader under test. `run` feeds it one input; a thrown error is the expected outcome for
/// bad input, anything else (trap, sanitizer report, huge allocation) is a bug.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable (Data, FuzzWorkspace) throws -> Void
}

enum FuzzTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "ply", summary: "GaussianPLY.read and PointPLY.read (binary LE/BE and ASCII)") { data, ws in
            let path = try ws.write(data, as: "input.ply")
            _ = try? GaussianPLY.read(path: path)
            _ = try PointPLY.read(path: path)
        },
        FuzzTarget(name: "colmap-cameras-bin", summary: "SceneLoader on a COLMAP model with this cameras.bin") { data, ws in
            _ = try ws.loadColmap(binary: true, replacing: "cameras.bin", with: data)
        },
        FuzzTarget(name: "colmap-images-bin", summary: "SceneLoader on a COLMAP model with this images.bin") { data, ws in
            _ = try ws.loadColmap(binary: true, replacing: "images.bin", with: data)
        },
        FuzzTarget(name: "colmap-points-bin", summary: "SceneLoader on a COLMAP model with this points3D.bin") { data, ws in
            _ = try ws.loadColmap(binary: true, replacing: "points3D.bin", with: data)
        },
        FuzzTarget(name: "colmap-txt", summary: "SceneLoader on a text COLMAP model; input = cameras.txt NUL images.txt NUL points3D.txt") { data, ws in
            _ = try ws.loadColmapText(data)
        },
        FuzzTarget(name: "transforms-json", summary: "SceneLoader on transforms.json (images from Fixtures/nerf_ngp)") { data, ws in
            _ = try ws.loadTransforms(data)
        },
        FuzzTarget(name: "npy", summary: "NpyReader.parse") { data, _ in
            _ = try NpyReader.parse(data, path: "fuzz.npy")
        },
        FuzzTarget(name: "match-list", summary: "CorrespondenceFiles.load with a text match list") { data, ws in
            _ = try ws.loadMatchList(data)
        },
        FuzzTarget(name: "checkpoint", summary: "Checkpoint.decode") { data, _ in
            _ = try Checkpoint.decode(data, path: "fuzz.ckpt")
        },
        FuzzTarget(name: "yaml", summary: "ConfigLoader.parse (run.yaml)") { data, _ in
            guard let text = String(data: data, encoding: .utf8) else { return }
            _ = try ConfigLoader.parse(text, file: "run.yaml", baseDirectory: "/nonexistent")
        },
        FuzzTarget(name: "png", summary: "ImageCodec.decode and readSize on PNG bytes") { data, ws in
            _ = try? ImageCodec.readSize(path: try ws.write(data, as: "input.png"))
            _ = try ImageCodec.decode(data: data, name: "fuzz.png")
        },
        FuzzTarget(name: "jpeg", summary: "ImageCodec.decode and readSize on JPEG bytes") { data, ws in
            _ = try? ImageCodec.readSize(path: try ws.write(data, as: "input.jpg"))
            _ = try ImageCodec.decode(data: data, name: "fuzz.jpg")
        },
        FuzzTarget(name: "spz", summary: "SPZ.read (gzip + header + records)") { data, ws in
            _ = try SPZ.read(path: try ws.write(data, as: "input.spz"))
        },
        FuzzTarget(name: "splat", summary: "SplatFile.read (.splat records)") { data, ws in
            _ = try SplatFile.read(path: try ws.write(data, as: "input.splat"))
        },
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
