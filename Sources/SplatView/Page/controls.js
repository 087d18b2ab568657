// Mouse, keyboard and touch input, the way other splat viewers do it: left drag orbits,
// right drag (or Shift + left) pans, the wheel zooms, Ctrl/Alt + left drag looks around,
// W A S D move, Q / E go down / up (Shift: faster), R resets, H shows help, [ ] step through
// the dataset cameras. One finger orbits, two fingers pinch-zoom and pan.

export class Controls {
  constructor(canvas, viewer) {
    this.viewer = viewer; this.keys = new Set(); this.drag = null; this.touches = new Map();
    canvas.addEventListener('contextmenu', (e) => e.preventDefault());
    canvas.addEventListener('pointerdown', (e) => {
      if (e.pointerType === 'touch') return;
      canvas.setPointerCapture(e.pointerId);
      const mode = e.button === 2 || e.shiftKey ? 'pan' : (e.ctrlKey || e.altKey ? 'look' : (e.button === 1 ? 'pan' : 'orbit'));
      this.drag = { mode, x: e.clientX, y: e.clientY };
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drag || e.pointerType === 'touch') return;
      const dx = e.clientX - this.drag.x, dy = e.clientY - this.drag.y;
      this.drag.x = e.clientX; this.drag.y = e.clientY;
      this.apply(this.drag.mode, dx, dy);
    });
    const end = () => { this.drag = null; };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      viewer.camera.zoom(Math.exp(Math.sign(e.deltaY) * Math.min(Math.abs(e.deltaY), 200) * 0.0015));
      viewer.cameraChanged();
    }, { passive: false });
    canvas.addEventListener('touchstart', (e) => { e.preventDefault(); this.touchUpdate(e, true); }, { passive: false });
    canvas.addEventListener('touchmove', (e) => { e.preventDefault(); this.touchUpdate(e, false); }, { passive: false });
    canvas.addEventListener('touchend', (e) => this.touchUpdate(e, true));
    window.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      const k = e.key.toLowerCase();
      if ('wasdqe'.includes(k) && k.length === 1) { this.keys.add(k); this.fast = e.shiftKey; }
      else if (k === 'r') viewer.resetView();
      else if (k === 'h' || k === '?') viewer.toggleHelp();
      else if (k === '[') viewer.stepCamera(-1);
      else if (k === ']') viewer.stepCamera(1);
      else if (k === 'c') viewer.togglePanel();
    });
    window.addEventListener('keyup', (e) => { this.keys.delete(e.key.toLowerCase()); this.fast = e.shiftKey; });
    window.addEventListener('blur', () => this.keys.clear());
  }

  apply(mode, dx, dy) {
    const v = this.viewer, cam = v.camera, k = v.intrinsics();
    if (mode === 'orbit') cam.orbit(dx * 0.005, -dy * 0.005, v.up);
    else if (mode === 'look') cam.look(dx * 0.003, -dy * 0.003, v.up);
    else cam.move(-dx * cam.dist / k.fx, -dy * cam.dist / k.fy, 0);
    v.cameraChanged();
  }

  touchUpdate(e, reset) {
    const pts = [...e.touches].map((t) => [t.clientX, t.clientY]);
    if (reset || !this.lastTouch || this.lastTouch.length !== pts.length) { this.lastTouch = pts; return; }
    const prev = this.lastTouch;
    if (pts.length === 1) this.apply('orbit', pts[0][0] - prev[0][0], pts[0][1] - prev[0][1]);
    else if (pts.length === 2) {
      const d = (p) => Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]);
      const mid = (p) => [(p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2];
      this.viewer.camera.zoom(d(prev) / Math.max(1, d(pts)));
      const m0 = mid(prev), m1 = mid(pts);
      this.apply('pan', m1[0] - m0[0], m1[1] - m0[1]);
    }
    this.lastTouch = pts;
  }

  // WASD/QE movement for the time since the last frame; true when the camera moved.
  tick(dt) {
    if (this.keys.size === 0) return false;
    const cam = this.viewer.camera, speed = this.viewer.moveSpeed * (this.fast ? 4 : 1) * dt;
    let f = 0, r = 0, u = 0;
    if (this.keys.has('w')) f += 1; if (this.keys.has('s')) f -= 1;
    if (this.keys.has('d')) r += 1; if (this.keys.has('a')) r -= 1;
    if (this.keys.has('e')) u += 1; if (this.keys.has('q')) u -= 1;
    const up = this.viewer.up;
    cam.move(r * speed, 0, f * speed);
    cam.center = cam.center.map((c, k) => c + up[k] * u * speed);
    return true;
  }
}
