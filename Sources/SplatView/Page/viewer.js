// The page of `splat view`: loads /api/info and /api/model, renders with SplatRenderer, keeps
// the depth order fresh through the sort worker, lists the dataset cameras and, for an output
// folder, plots the training curves and follows the training live (server-sent events).
import { ViewCamera, fitIntrinsics, dot, sub } from './camera.js';
import { SplatRenderer } from './renderer.js';
import { Controls } from './controls.js';
import { parseCSV, drawPlot } from './plots.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

function parseModel(buffer) {
  const head = new Uint32Array(buffer, 0, 7);
  if (head[0] !== 0x564c5053 || head[1] !== 2) throw new Error('unexpected model payload');
  const n = head[2], degree = head[3], restCount = (degree + 1) * (degree + 1) - 1;
  const kind = ['model', 'final', 'preview'][head[4]] ?? 'model', step = new Int32Array(buffer, 20, 1)[0];
  const antialiased = (head[6] & 1) !== 0;
  let offset = 28;
  const take = (len) => { const a = new Float32Array(buffer, offset, len); offset += len * 4; return a; };
  return { kind, step: step >= 0 ? step : null, antialiased, count: n, degree, restCount, means: take(3 * n), cov: take(6 * n), opacity: take(n), dc: take(3 * n), rest: take(n * restCount * 3) };
}

// Robust centre and size of a model: per-axis medians and the 80th-percentile distance.
function extent(means, count) {
  const step = Math.max(1, Math.floor(count / 20000)), xs = [[], [], []];
  for (let i = 0; i < count; i += step) for (let k = 0; k < 3; k++) xs[k].push(means[i * 3 + k]);
  const med = xs.map((a) => a.sort((p, q) => p - q)[a.length >> 1] ?? 0);
  const d = [];
  for (let i = 0; i < xs[0].length; i++) d.push(Math.hypot(xs[0][i] - med[0], xs[1][i] - med[1], xs[2][i] - med[2]));
  d.sort((p, q) => p - q);
  return { center: med, radius: d[Math.floor(d.length * 0.8)] || 1 };
}

class Viewer {
  constructor() {
    this.canvas = $('view');
    this.renderer = new SplatRenderer(this.canvas);
    this.worker = new Worker('sort-worker.js');
    this.worker.onmessage = (e) => this.onSorted(e.data);
    this.worker.onerror = (e) => this.fail('sort worker: ' + e.message);
    this.generation = 0; this.cameraVersion = 0; this.sortedVersion = -1; this.sorting = false;
    this.pending = null; this.dirty = true; this.frames = 0; this.frameTimes = []; this.sortMs = 0;
    this.drawnVersion = -1; this.settleWaiters = [];
    this.up = [0, -1, 0]; this.background = [0, 0, 0]; this.cameras = []; this.datasetCamera = null;
    this.shCap = params.has('sh') ? Math.max(0, Math.min(3, Number(params.get('sh')) | 0)) : 3;
    this.modelInfo = { kind: '', step: null, count: 0, degree: 0, antialiased: false };
    this.history = []; this.metricsLoads = 0;
    this.controls = new Controls(this.canvas, this);
    let readyResolve;
    this.ready = new Promise((r) => { readyResolve = r; });
    this.readyResolve = readyResolve;
    window.addEventListener('resize', () => { this.resize(); this.cameraChanged(); });
    this.resize();
  }

  fail(message) {
    const box = $('message');
    box.textContent = message; box.hidden = false;
    console.warn(message);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr)), h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
  }

  // Canvas intrinsics: the chosen dataset camera's, fitted to the canvas, or the first camera's
  // field of view (50° vertical without a scene).
  intrinsics() {
    const w = this.canvas.width, h = this.canvas.height;
    const ref = this.datasetCamera ?? this.cameras[0];
    if (ref) return fitIntrinsics(ref, w, h);
    const f = h / 2 / Math.tan(25 * Math.PI / 180);
    return { fx: f, fy: f, cx: w / 2, cy: h / 2, width: w, height: h };
  }

  async start() {
    const info = await (await fetch('api/info')).json();
    document.title = `splat view: ${info.title}`;
    $('title').textContent = info.title;
    this.background = info.background;
    this.cameras = info.cameras ?? [];
    if (info.up) this.up = info.up;
    this.buildCameraList();
    if (info.run) {
      $('plots').hidden = false;
      $('xaxis').addEventListener('change', () => this.drawPlots());
      await this.loadMetrics();
      const events = new EventSource('api/events');
      events.addEventListener('metrics', () => this.loadMetrics());
      events.addEventListener('model', () => this.loadModel(true));
    }
    await this.loadModel(false);
    this.loop();
  }

  async loadModel(live) {
    const response = await fetch('api/model');
    if (!response.ok) {
      if (!live) $('status').textContent = 'waiting for the first training preview…';
      return;
    }
    const model = parseModel(await response.arrayBuffer());
    if (this.modelLoadedMs === undefined) this.modelLoadedMs = performance.now();
    const first = !this.model;
    this.generation += 1;
    this.pending = { model, kind: model.kind, step: model.step };
    this.worker.postMessage({ type: 'model', generation: this.generation, model: {
      count: model.count, degree: model.degree, restCount: model.restCount,
      means: model.means.slice(), dc: model.dc.slice(), rest: model.rest.slice() } });
    if (first || !this.camera) {
      this.model = model;
      this.extent = extent(model.means, model.count);
      this.moveSpeed = this.extent.radius * 0.5;
      this.home = this.initialView();
      this.camera = this.home.camera.clone();
      this.datasetCamera = this.home.dataset;
    }
    this.sortedVersion = -1;
    this.requestSort();
  }

  // ?view=<image name>, else the first train camera, else a view of the whole model.
  initialView() {
    const wanted = params.get('view');
    if (wanted) {
      const cam = this.findCamera(wanted);
      if (cam) return { camera: this.cameraFor(cam), dataset: cam };
      this.fail(`no dataset camera named '${wanted}'`);
    }
    const first = this.cameras.find((c) => c.split === 'train') ?? this.cameras[0];
    if (first) return { camera: this.cameraFor(first), dataset: first };
    const { center, radius } = this.extent;
    const eye = [center[0], center[1] - radius * 0.5, center[2] - radius * 2.5];
    return { camera: ViewCamera.lookAt(eye, center, this.up), dataset: null };
  }

  findCamera(name) {
    const stem = (s) => s.replace(/\.[^./]*$/, ''), file = (s) => s.split('/').pop();
    return this.cameras.find((c) => c.name === name)
      ?? this.cameras.find((c) => stem(c.name) === name || file(c.name) === name || stem(file(c.name)) === name);
  }

  // A dataset camera, orbiting about the model's centre as seen along its axis.
  cameraFor(cam) {
    const c = ViewCamera.fromPose(cam.R, cam.t, 1);
    const ahead = dot(sub(this.extent.center, c.center), c.forward);
    c.dist = Math.max(ahead, this.extent.radius * 0.2);
    return c;
  }

  goTo(cam) {
    this.camera = this.cameraFor(cam);
    this.datasetCamera = cam;
    const url = new URL(location.href);
    url.searchParams.set('view', cam.name);
    history.replaceState(null, '', url);
    document.querySelectorAll('#cameras li').forEach((li) => li.classList.toggle('current', li.dataset.name === cam.name));
    this.cameraChanged();
  }

  stepCamera(delta) {
    if (!this.cameras.length) return;
    const i = this.cameras.indexOf(this.datasetCamera);
    this.goTo(this.cameras[(i + delta + this.cameras.length) % this.cameras.length]);
  }

  resetView() {
    this.camera = this.home.camera.clone();
    this.datasetCamera = this.home.dataset;
    this.cameraChanged();
  }

  toggleHelp() { $('help').hidden = !$('help').hidden; }
  togglePanel() { $('panel').hidden = !$('panel').hidden; }

  buildCameraList() {
    if (!this.cameras.length) return;
    $('camera-section').hidden = false;
    const list = $('cameras');
    const counts = { train: 0, test: 0 };
    for (const cam of this.cameras) {
      counts[cam.split] = (counts[cam.split] ?? 0) + 1;
      const li = document.createElement('li');
      li.dataset.name = cam.name;
      const tag = document.createElement('span');
      tag.className = 'tag ' + cam.split; tag.textContent = cam.split;
      li.append(tag, document.createTextNode(' ' + cam.name));
      li.addEventListener('click', () => this.goTo(cam));
      list.append(li);
    }
    $('camera-count').textContent = `${counts.train} train, ${counts.test} test`;
  }

  async loadMetrics() {
    const m = await (await fetch('api/metrics')).json();
    this.metrics = { eval: parseCSV(m.eval), loss: parseCSV(m.loss) };
    this.metricsLoads += 1;
    this.drawPlots();
  }

  drawPlots() {
    if (!this.metrics) return;
    const byTime = $('xaxis').value === 'time';
    const x = (r) => (byTime ? r.elapsed_s : r.step);
    const xLabel = byTime ? 'seconds' : 'step';
    drawPlot($('plot-loss'), this.metrics.loss.map((r) => [x(r), r.loss]), { title: 'train loss', xLabel, color: '#f0a040' });
    drawPlot($('plot-psnr'), this.metrics.eval.map((r) => [x(r), r.psnr]), { title: 'test PSNR (dB)', xLabel, color: '#50b0f0' });
    drawPlot($('plot-ssim'), this.metrics.eval.map((r) => [x(r), r.ssim]), { title: 'test SSIM', xLabel, color: '#70d070' });
  }

  cameraChanged() { this.cameraVersion += 1; this.dirty = true; this.requestSort(); }

  requestSort() {
    if (this.sorting || !this.camera || this.sortedVersion === this.cameraVersion) return;
    this.sorting = true;
    const cam = this.camera;
    this.worker.postMessage({ type: 'sort', id: this.cameraVersion, generation: this.generation,
                              R: cam.R, t: cam.t, center: cam.center, degree: this.shCap });
  }

  onSorted(m) {
    this.sorting = false;
    if (m.generation !== this.generation) { this.requestSort(); return; }
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      this.model = p.model;
      this.renderer.setModel(p.model);
      this.modelInfo = { kind: p.kind, step: p.step, count: p.model.count, degree: p.model.degree, antialiased: p.model.antialiased };
      this.history.push(`${p.kind}:${p.step ?? ''}`);
    }
    this.renderer.setColorsAndOrder(m.colors, m.order);
    this.sortMs = m.ms;
    this.sortedVersion = m.id;
    this.dirty = true;
    this.requestSort();
  }

  draw() {
    this.resize();
    this.renderer.draw(this.camera, this.intrinsics(), this.background);
    this.frames += 1;
    if (this.sortedVersion === this.cameraVersion && this.renderer.drawCount > 0) {
      this.drawnVersion = this.cameraVersion;
      if (this.firstFrameMs === undefined) { this.firstFrameMs = performance.now(); this.readyResolve(); }
      const waiters = this.settleWaiters; this.settleWaiters = [];
      waiters.forEach((r) => r());
    }
  }

  loop() {
    let last = performance.now(), drewAt = null;
    const frame = (now) => {
      if (drewAt !== null) {
        this.frameTimes.push(now - drewAt);
        if (this.frameTimes.length > 30) this.frameTimes.shift();
      }
      drewAt = null;
      const dt = Math.min(0.1, (now - last) / 1000); last = now;
      if (this.camera && this.controls.tick(dt)) this.cameraChanged();
      if (this.dirty && this.camera) { this.dirty = false; this.draw(); drewAt = now; }
      this.showStatus();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  showStatus() {
    const m = this.modelInfo;
    if (!m.count) return;
    const ft = this.frameTimes.length ? this.frameTimes.reduce((a, b) => a + b, 0) / this.frameTimes.length : 0;
    const what = m.kind === 'preview' ? `training preview${m.step !== null ? ` at step ${m.step}` : ''}` : (m.kind === 'final' ? 'final model' : 'model');
    const text = `${what} · ${m.count.toLocaleString('en')} Gaussians · SH ${Math.min(this.shCap, m.degree)} · ` +
                 (m.antialiased ? 'antialiased · ' : '') +
                 `frame ${ft.toFixed(1)} ms · sort ${this.sortMs.toFixed(0)} ms`;
    if ($('status').textContent !== text) $('status').textContent = text;
  }

  // Resolves once a frame has been drawn with the depth order of the current camera.
  settled() {
    if (this.drawnVersion === this.cameraVersion && !this.pending) return Promise.resolve();
    return new Promise((r) => this.settleWaiters.push(r));
  }

  // The canvas as a PNG data URL, drawn now (the drawing buffer is read in the same task).
  capture() { this.draw(); return this.canvas.toDataURL('image/png'); }

  // Mean milliseconds per frame over n frames, each waited for with a 1-pixel read.
  benchmark(n = 20) {
    const gl = this.renderer.gl, px = new Uint8Array(4);
    this.draw(); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) { this.draw(); gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); }
    return (performance.now() - t0) / n;
  }

  state() {
    return { ...this.modelInfo, frames: this.frames, view: this.datasetCamera?.name ?? null,
             accum: this.renderer.accumFormat, canvas: [this.canvas.width, this.canvas.height],
             lossPoints: this.metrics?.loss.length ?? 0, evalPoints: this.metrics?.eval.length ?? 0,
             modelLoadedMs: this.modelLoadedMs ?? null, firstFrameMs: this.firstFrameMs ?? null, sortMs: this.sortMs };
  }
}

try {
  const viewer = new Viewer();
  window.splatViewer = viewer;
  viewer.start().catch((e) => viewer.fail(String(e.message ?? e)));
} catch (e) {
  const box = $('message');
  box.textContent = String(e.message ?? e); box.hidden = false;
}
