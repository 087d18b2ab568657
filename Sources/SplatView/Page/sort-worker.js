// Depth sort and view-dependent colour, off the main thread. Order: view-space z ascending
// (front to back), Gaussians with z ≤ 0.2 (SplatRender's near plane) left out; ties keep model
// order, as SplatRender's stable radix sort on (tile, z) does (docs/rasterizer.md).
// Colour: SH up to the chosen degree in the direction camera centre → mean, + 0.5, clamped at 0.
'use strict';

const C0 = 0.28209479177387814, C1 = 0.4886025119029199;
const C2 = [1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396];
const C3 = [-0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154,
            -0.4570457994644658, 1.445305721320277, -0.5900435899266435];

let model = null;       // { count, means, dc, rest, restCount, degree }
let lastCenter = null, lastDegree = -1, generation = 0;
const zBits = { f: null, u: null };

function colors(center, degree) {
  const { count, means, dc, rest, restCount } = model, out = new Float32Array(count * 3);
  const b = new Float64Array(16);
  b[0] = C0;
  for (let i = 0; i < count; i++) {
    let x = means[i * 3] - center[0], y = means[i * 3 + 1] - center[1], z = means[i * 3 + 2] - center[2];
    const len = Math.hypot(x, y, z) || 1;
    x /= len; y /= len; z /= len;
    let used = 1;
    if (degree >= 1) { b[1] = -C1 * y; b[2] = C1 * z; b[3] = -C1 * x; used = 4; }
    if (degree >= 2) {
      const xx = x * x, yy = y * y, zz = z * z;
      b[4] = C2[0] * x * y; b[5] = C2[1] * y * z; b[6] = C2[2] * (2 * zz - xx - yy); b[7] = C2[3] * x * z; b[8] = C2[4] * (xx - yy);
      used = 9;
      if (degree >= 3) {
        b[9] = C3[0] * y * (3 * xx - yy); b[10] = C3[1] * x * y * z; b[11] = C3[2] * y * (4 * zz - xx - yy);
        b[12] = C3[3] * z * (2 * zz - 3 * xx - 3 * yy); b[13] = C3[4] * x * (4 * zz - xx - yy);
        b[14] = C3[5] * z * (xx - yy); b[15] = C3[6] * x * (xx - 3 * yy);
        used = 16;
      }
    }
    for (let c = 0; c < 3; c++) {
      let v = dc[i * 3 + c] * C0 + 0.5;
      for (let k = 1; k < used; k++) v += b[k] * rest[(i * restCount + k - 1) * 3 + c];
      out[i * 3 + c] = v > 0 ? v : 0;
    }
  }
  return out;
}

// Two 16-bit LSD counting passes on the float32 bits of z (positive floats sort as integers).
function sortByDepth(R2, t2) {
  const { count, means } = model;
  if (!zBits.f || zBits.f.length < count) { zBits.f = new Float32Array(count); zBits.u = new Uint32Array(zBits.f.buffer); }
  const zf = zBits.f, zu = zBits.u;
  let kept = 0;
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const z = R2[0] * means[i * 3] + R2[1] * means[i * 3 + 1] + R2[2] * means[i * 3 + 2] + t2;
    zf[i] = z;
    if (zf[i] > 0.2) ids[kept++] = i;
  }
  const tmp = new Uint32Array(kept), counts = new Uint32Array(65536);
  let src = ids.subarray(0, kept), dst = tmp;
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < kept; i++) counts[(zu[src[i]] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const c = counts[d]; counts[d] = sum; sum += c; }
    for (let i = 0; i < kept; i++) { const id = src[i]; dst[counts[(zu[id] >>> shift) & 0xffff]++] = id; }
    const s = src; src = dst; dst = s;
  }
  return src.slice(0, kept);
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'model') {
    model = m.model; lastCenter = null; lastDegree = -1; generation = m.generation;
    return;
  }
  if (m.type === 'sort' && model && m.generation === generation) {
    const t0 = performance.now();
    const order = sortByDepth(m.R.slice(6, 9), m.t[2]);
    const degree = Math.min(m.degree, model.degree);
    let cols = null;
    const moved = !lastCenter || lastCenter.some((v, k) => v !== m.center[k]);
    if (lastDegree !== degree || (degree > 0 && moved)) {
      cols = colors(m.center, degree);
      lastCenter = m.center.slice(); lastDegree = degree;
    }
    const ms = performance.now() - t0;
    const transfer = [order.buffer];
    if (cols) transfer.push(cols.buffer);
    self.postMessage({ type: 'sorted', id: m.id, generation, order, colors: cols, ms }, transfer);
  }
};
