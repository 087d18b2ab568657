// Training curves drawn on 2D canvases: loss (loss.csv) and held-out PSNR / SSIM (metrics.csv)
// against step or training time.

export function parseCSV(text) {
  const lines = text.trim().split('\n').filter((l) => l.length > 0);
  if (lines.length < 1) return [];
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const f = l.split(','), row = {};
    header.forEach((h, k) => { row[h] = Number(f[k]); });
    return row;
  }).filter((r) => Object.values(r).every(Number.isFinite));
}

function niceStep(span, target) {
  const raw = span / Math.max(1, target), mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  const n = raw / mag;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}

// A tick label with as many decimals as the tick spacing needs.
function tick(v, step) {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

function fmt(v) {
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, '');
  if (a >= 0.1 || a === 0) return v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return v.toExponential(1);
}

// points: [[x, y], ...]; draws axes, ticks, one line and the last value.
export function drawPlot(canvas, points, { title, xLabel, color }) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#ddd';
  const last = points.length ? points[points.length - 1][1] : null;
  g.fillText(title + (last !== null ? `  ${fmt(last)}` : '  (no data yet)'), 6, 12);
  canvas.dataset.points = String(points.length);
  if (points.length === 0) return;
  const left = 44, right = w - 8, top = 20, bottom = h - 26;
  let [x0, x1] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))];
  if (x1 === x0) { x1 = x0 + 1; }
  if (y1 === y0) { y0 -= 0.5 * (Math.abs(y0) || 1); y1 += 0.5 * (Math.abs(y1) || 1); }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const X = (x) => left + (x - x0) / (x1 - x0) * (right - left);
  const Y = (y) => bottom - (y - y0) / (y1 - y0) * (bottom - top);
  g.strokeStyle = '#555'; g.lineWidth = 1;
  g.beginPath(); g.moveTo(left, top); g.lineTo(left, bottom); g.lineTo(right, bottom); g.stroke();
  g.fillStyle = '#aaa';
  const ys = niceStep(y1 - y0, 4);
  for (let y = Math.ceil(y0 / ys) * ys; y <= y1; y += ys) {
    g.fillText(tick(y, ys), 2, Y(y) + 4);
    g.strokeStyle = '#333'; g.beginPath(); g.moveTo(left, Y(y)); g.lineTo(right, Y(y)); g.stroke();
  }
  const xs = niceStep(x1 - x0, 4);
  for (let x = Math.ceil(x0 / xs) * xs; x <= x1; x += xs) g.fillText(tick(x, xs), X(x) - 8, bottom + 12);
  g.fillText(xLabel, right - 40, h - 3);
  g.strokeStyle = color; g.lineWidth = 1.5;
  g.beginPath();
  points.forEach(([x, y], k) => (k ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y))));
  g.stroke();
  if (points.length === 1) { g.fillStyle = color; g.fillRect(X(points[0][0]) - 2, Y(points[0][1]) - 2, 4, 4); }
}
