// Camera maths of the viewer. A camera is a world-to-camera rotation R (row-major 3×3, OpenCV
// axes: x right, y down, z forward, the convention of docs/conventions.md) and a centre c, plus
// pinhole intrinsics in canvas pixels. Orbit/pan/zoom turn about a pivot `dist` ahead of it.

export const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a) => Math.hypot(a[0], a[1], a[2]);
export const unit = (a) => scale(a, 1 / (norm(a) || 1));

// Rotation matrix (row-major) of angle `angle` about unit axis `k` (Rodrigues).
export function axisAngle(k, angle) {
  const c = Math.cos(angle), s = Math.sin(angle), t = 1 - c, [x, y, z] = k;
  return [t * x * x + c, t * x * y - s * z, t * x * z + s * y,
          t * x * y + s * z, t * y * y + c, t * y * z - s * x,
          t * x * z - s * y, t * y * z + s * x, t * z * z + c];
}
const mulMV = (m, v) => [m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2], m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
// a · bᵀ for row-major 3×3 matrices.
function mulABt(a, b) {
  const out = new Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    out[i * 3 + j] = a[i * 3] * b[j * 3] + a[i * 3 + 1] * b[j * 3 + 1] + a[i * 3 + 2] * b[j * 3 + 2];
  }
  return out;
}

export class ViewCamera {
  constructor(R, center, dist) {
    this.R = R.slice(); this.center = center.slice(); this.dist = dist;
  }
  clone() { return new ViewCamera(this.R, this.center, this.dist); }
  get right() { return this.R.slice(0, 3); }
  get down() { return this.R.slice(3, 6); }
  get forward() { return this.R.slice(6, 9); }
  get t() { return scale(mulMV(this.R, this.center), -1); }
  get pivot() { return add(this.center, scale(this.forward, this.dist)); }

  // A dataset camera: R, t as in /api/info (world-to-camera).
  static fromPose(R, t, dist) {
    const Rt = [R[0], R[3], R[6], R[1], R[4], R[7], R[2], R[5], R[8]];
    return new ViewCamera(R, scale(mulMV(Rt, t), -1), dist);
  }

  // Looking from `eye` at `target` with world `up` pointing up in the image.
  static lookAt(eye, target, up) {
    const f = unit(sub(target, eye));
    let r = cross(scale(up, -1), f);
    if (norm(r) < 1e-6) r = cross([0, 0, 1], f);
    r = unit(r);
    const d = cross(f, r);
    return new ViewCamera([...r, ...d, ...f], eye, norm(sub(target, eye)));
  }

  // Applies the world rotation M about point p to the camera (centre moves, R turns).
  rotateAbout(M, p) {
    this.center = add(p, mulMV(M, sub(this.center, p)));
    this.R = mulABt(this.R, M);
  }

  // Orbit about the pivot: yaw about world up, pitch about the camera's right axis; pitch stops
  // short of the poles so the scene stays the right way up.
  orbit(yaw, pitch, up) {
    const p = this.pivot;
    this.rotateAbout(axisAngle(up, -yaw), p);
    const before = this.clone();
    this.rotateAbout(axisAngle(this.right, pitch), p);
    if (Math.abs(dot(this.forward, up)) > 0.985) Object.assign(this, before);
  }
  // Turn the view about the camera centre (fly mode).
  look(yaw, pitch, up) {
    this.rotateAbout(axisAngle(up, -yaw), this.center);
    const before = this.clone();
    this.rotateAbout(axisAngle(this.right, pitch), this.center);
    if (Math.abs(dot(this.forward, up)) > 0.985) Object.assign(this, before);
  }
  // Move in camera axes (right, down, forward), in world units.
  move(dx, dy, dz) {
    this.center = add(this.center, add(scale(this.right, dx), add(scale(this.down, dy), scale(this.forward, dz))));
  }
  // Dolly toward the pivot by a factor (< 1 zooms in).
  zoom(factor) {
    const p = this.pivot;
    this.dist = Math.max(1e-4, this.dist * factor);
    this.center = sub(p, scale(this.forward, this.dist));
  }
}

// Intrinsics of a dataset camera for a canvas of w×h: scaled to the canvas height, principal
// point kept, centred horizontally when the aspect ratios differ (same as the image when equal).
export function fitIntrinsics(cam, w, h) {
  const s = h / cam.height;
  return { fx: cam.fx * s, fy: cam.fy * s, cx: cam.cx * s + (w - cam.width * s) / 2, cy: cam.cy * s, width: w, height: h };
}
