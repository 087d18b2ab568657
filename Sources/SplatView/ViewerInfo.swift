import Foundation
import SplatCore

/// `/api/info`: what the page needs besides the model: dataset cameras (world-to-camera
/// rotation and translation in the OpenCV convention, intrinsics at the image size), the
/// scene's up direction and background, and whether there is an output folder to follow.
enum ViewerInfo {
    static func json(_ source: ViewerSource, title: String) -> Data {
        var info: [String: Any] = [
            "title": title,
            "background": [source.background.x, source.background.y, source.background.z].map(Double.init),
            "run": source.runDirectory != nil,
        ]
        if let scene = source.scene, !scene.cameras.isEmpty {
            let train = Set(scene.trainIndices), test = Set(scene.testIndices)
            info["cameras"] = scene.cameras.enumerated().map { index, c -> [String: Any] in
                let r = c.pose.rotation.rows
                return [
                    "name": c.name,
                    "split": test.contains(index) ? "test" : (train.contains(index) ? "train" : "other"),
                    "width": c.width, "height": c.height,
                    "fx": c.intrinsics.fx, "fy": c.intrinsics.fy, "cx": c.intrinsics.cx, "cy": c.intrinsics.cy,
                    "R": [r.0.x, r.0.y, r.0.z, r.1.x, r.1.y, r.1.z, r.2.x, r.2.y, r.2.z],
                    "t": [c.pose.translation.x, c.pose.translation.y, c.pose.translation.z],
                ]
            }
            let up = CameraPath.up(of: scene.cameras)
            info["up"] = [up.x, up.y, up.z]
        }
        return (try? JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// `/api/metrics`: the output folder's metrics.csv and loss.csv as text ("" when missing).
    static func metrics(_ source: ViewerSource) -> Data {
        guard let dir = source.runDirectory else { return Data(#"{"eval":"","loss":""}"#.utf8) }
        func read(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }
        let body: [String: Any] = ["eval": read(ViewerSource.RunFile.metrics), "loss": read(ViewerSource.RunFile.loss)]
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
    }
}
