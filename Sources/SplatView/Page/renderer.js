// WebGL2 splat renderer with the projection and blending of SplatRender (docs/rasterizer.md):
// pixel centres at integer pixel-index coordinates (u = fx·x/z + cx − 0.5), EWA Jacobian with
// x/z, y/z clamped to the frustum widened by 15 %, 0.3 px² low-pass, 3σ radius from the larger
// eigenvalue and its 16-px tile rectangle, α = min(0.99, o·e^power) with α < 1/255 and power > 0
// skipped, Gaussians blended front to back in the order the sort worker gives. A model trained
// with antialiasing gets SplatRender's Mip-Splatting compensation, o·√(max(det Σ2D, 0) / det(Σ2D + 0.3·I)).
// Front to back: C += (1 − A)·α·c, A += (1 − A)·α into a float target, then C + (1 − A)·bg.

const TEX_WIDTH = 4096;

const SPLAT_VS = `#version 300 es
precision highp float; precision highp int;
uniform highp sampler2D u_data;
uniform highp sampler2D u_color;
uniform vec3 u_r0, u_r1, u_r2, u_t;
uniform vec4 u_intr;   // fx fy cx cy (canvas pixels)
uniform vec2 u_size;   // W H
uniform vec4 u_lim;    // x/z and y/z clamp range
uniform bool u_antialiased;
in vec2 a_corner;
in uint a_index;
flat out vec4 v_conic; // A B C opacity
flat out vec3 v_color;
flat out vec2 v_mean;  // (u, v) in pixel-index units
ivec2 at(uint i) { return ivec2(int(i & 4095u), int(i >> 12)); }
void cull() { gl_Position = vec4(0.0, 0.0, 2.0, 1.0); }
void main() {
  uint b = a_index * 3u;
  vec4 d0 = texelFetch(u_data, at(b), 0);
  vec4 d1 = texelFetch(u_data, at(b + 1u), 0);
  vec4 d2 = texelFetch(u_data, at(b + 2u), 0);
  vec3 p = vec3(dot(u_r0, d0.xyz), dot(u_r1, d0.xyz), dot(u_r2, d0.xyz)) + u_t;
  if (p.z <= 0.2) { cull(); return; }
  float xz = p.x / p.z, yz = p.y / p.z;
  float tx = (xz < u_lim.x || xz > u_lim.y) ? clamp(xz, u_lim.x, u_lim.y) * p.z : p.x;
  float ty = (yz < u_lim.z || yz > u_lim.w) ? clamp(yz, u_lim.z, u_lim.w) * p.z : p.y;
  float fx = u_intr.x, fy = u_intr.y;
  vec3 t0 = (fx / p.z) * u_r0 + (-fx * tx / (p.z * p.z)) * u_r2;
  vec3 t1 = (fy / p.z) * u_r1 + (-fy * ty / (p.z * p.z)) * u_r2;
  mat3 S = mat3(d1.x, d1.y, d1.z,  d1.y, d1.w, d2.x,  d1.z, d2.x, d2.y);
  vec3 st0 = S * t0, st1 = S * t1;
  float a0 = dot(t0, st0), bb = dot(t0, st1), c0 = dot(t1, st1);
  float a = a0 + 0.3, c = c0 + 0.3;
  float det = a * c - bb * bb;
  if (!(det > 0.0)) { cull(); return; }
  float mid = 0.5 * (a + c);
  float lambda = mid + sqrt(max(0.1, mid * mid - det));
  float radius = ceil(3.0 * sqrt(lambda));
  float u = fx * p.x / p.z + u_intr.z - 0.5;
  float v = fy * p.y / p.z + u_intr.w - 0.5;
  vec2 tiles = ceil(u_size / 16.0);
  vec2 lo = clamp(floor((vec2(u, v) - radius) / 16.0), vec2(0.0), tiles);
  vec2 hi = clamp(floor((vec2(u, v) + radius + 15.0) / 16.0), vec2(0.0), tiles);
  if (hi.x <= lo.x || hi.y <= lo.y) { cull(); return; }
  float o = d0.w;
  if (u_antialiased) o *= sqrt(max(a0 * c0 - bb * bb, 0.0) / det);
  float k2 = 2.0 * log(255.0 * o);
  if (!(k2 > 0.0)) { cull(); return; }
  // Pixels with α ≥ 1/255 lie within ±sqrt(k²·Σ) of the mean (+1 px for rounding); pixel i
  // covers [i, i+1) in window coordinates, so its centre is i + 0.5.
  vec2 ext = sqrt(k2 * vec2(a, c)) + 1.0;
  vec2 from = max(lo * 16.0, vec2(u, v) - ext + 0.5);
  vec2 to = min(min(hi * 16.0, u_size), vec2(u, v) + ext + 0.5);
  if (to.x <= from.x || to.y <= from.y) { cull(); return; }
  vec2 pix = mix(from, to, a_corner);
  gl_Position = vec4(2.0 * pix.x / u_size.x - 1.0, 1.0 - 2.0 * pix.y / u_size.y, 0.0, 1.0);
  v_conic = vec4(c / det, -bb / det, a / det, o);
  v_color = texelFetch(u_color, ivec2(int(a_index & 4095u), int(a_index >> 12)), 0).rgb;
  v_mean = vec2(u, v);
}`;

const SPLAT_FS = `#version 300 es
precision highp float;
uniform vec2 u_size;
flat in vec4 v_conic;
flat in vec3 v_color;
flat in vec2 v_mean;
out vec4 outColor;
void main() {
  vec2 pixel = vec2(gl_FragCoord.x - 0.5, u_size.y - gl_FragCoord.y - 0.5);
  vec2 d = pixel - v_mean;
  float power = -0.5 * (v_conic.x * d.x * d.x + v_conic.z * d.y * d.y) - v_conic.y * d.x * d.y;
  if (power > 0.0) discard;
  float alpha = min(0.99, v_conic.w * exp(power));
  if (alpha < 1.0 / 255.0) discard;
  outColor = vec4(v_color * alpha, alpha);
}`;

const COMPOSITE_VS = `#version 300 es
in vec2 a_pos;
void main() { gl_Position = vec4(a_pos, 0.0, 1.0); }`;

const COMPOSITE_FS = `#version 300 es
precision highp float;
uniform highp sampler2D u_accum;
uniform vec3 u_background;
out vec4 outColor;
void main() {
  vec4 acc = texelFetch(u_accum, ivec2(gl_FragCoord.xy), 0);
  outColor = vec4(clamp(acc.rgb + (1.0 - acc.a) * u_background, 0.0, 1.0), 1.0);
}`;

function compile(gl, vs, fs) {
  const prog = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error('shader: ' + gl.getShaderInfoLog(sh));
    gl.attachShader(prog, sh);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error('program: ' + gl.getProgramInfoLog(prog));
  return prog;
}

export class SplatRenderer {
  constructor(canvas) {
    const gl = canvas.getContext('webgl2', { antialias: false, alpha: false, depth: false, premultipliedAlpha: false });
    if (!gl) throw new Error('this browser has no WebGL2');
    this.gl = gl; this.canvas = canvas;
    this.count = 0; this.drawCount = 0; this.antialiased = false;
    // Float accumulation: 8-bit would round after every blend. RGBA32F needs EXT_float_blend.
    const cbf = gl.getExtension('EXT_color_buffer_float');
    const fblend = gl.getExtension('EXT_float_blend');
    this.accumFormat = cbf && fblend ? 'RGBA32F' : (cbf ? 'RGBA16F' : 'RGBA8');
    this.timer = gl.getExtension('EXT_disjoint_timer_query_webgl2');
    this.splat = compile(gl, SPLAT_VS, SPLAT_FS);
    this.composite = compile(gl, COMPOSITE_VS, COMPOSITE_FS);
    this.loc = {};
    for (const n of ['u_data', 'u_color', 'u_r0', 'u_r1', 'u_r2', 'u_t', 'u_intr', 'u_size', 'u_lim', 'u_antialiased']) {
      this.loc[n] = gl.getUniformLocation(this.splat, n);
    }
    this.vao = gl.createVertexArray();
    gl.bindVertexArray(this.vao);
    const corners = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, corners);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]), gl.STATIC_DRAW);
    const aCorner = gl.getAttribLocation(this.splat, 'a_corner');
    gl.enableVertexAttribArray(aCorner);
    gl.vertexAttribPointer(aCorner, 2, gl.FLOAT, false, 0, 0);
    this.orderBuffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, this.orderBuffer);
    const aIndex = gl.getAttribLocation(this.splat, 'a_index');
    gl.enableVertexAttribArray(aIndex);
    gl.vertexAttribIPointer(aIndex, 1, gl.UNSIGNED_INT, 0, 0);
    gl.vertexAttribDivisor(aIndex, 1);
    this.quadVao = gl.createVertexArray();
    gl.bindVertexArray(this.quadVao);
    const tri = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, tri);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
    const aPos = gl.getAttribLocation(this.composite, 'a_pos');
    gl.enableVertexAttribArray(aPos);
    gl.vertexAttribPointer(aPos, 2, gl.FLOAT, false, 0, 0);
    gl.bindVertexArray(null);
    this.dataTex = this.makeTexture();
    this.colorTex = this.makeTexture();
    this.fb = null; this.fbSize = [0, 0];
  }

  makeTexture() {
    const gl = this.gl, tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, tex);
    for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
    for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T]) gl.texParameteri(gl.TEXTURE_2D, p, gl.CLAMP_TO_EDGE);
    return tex;
  }

  uploadRGBA32F(tex, texels, data) {
    const gl = this.gl, rows = Math.max(1, Math.ceil(texels / TEX_WIDTH));
    const padded = new Float32Array(rows * TEX_WIDTH * 4);
    padded.set(data.subarray(0, Math.min(data.length, padded.length)));
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, TEX_WIDTH, rows, 0, gl.RGBA, gl.FLOAT, padded);
  }

  // model: { count, means, cov, opacity, antialiased } from the server's payload (ModelPayload.swift).
  setModel(model) {
    const n = model.count, packed = new Float32Array(n * 12);
    for (let i = 0; i < n; i++) {
      const o = i * 12;
      packed[o] = model.means[i * 3]; packed[o + 1] = model.means[i * 3 + 1]; packed[o + 2] = model.means[i * 3 + 2];
      packed[o + 3] = model.opacity[i];
      for (let k = 0; k < 6; k++) packed[o + 4 + k] = model.cov[i * 6 + k];
    }
    if (3 * n > TEX_WIDTH * this.gl.getParameter(this.gl.MAX_TEXTURE_SIZE)) throw new Error(`too many Gaussians for this GPU (${n})`);
    this.uploadRGBA32F(this.dataTex, 3 * n, packed);
    this.count = n; this.drawCount = 0; this.antialiased = model.antialiased;
  }

  // Colours (RGB per Gaussian, already clamped at 0) and the front-to-back order from the worker.
  setColorsAndOrder(colors, order) {
    const gl = this.gl;
    if (colors) {
      const rgba = new Float32Array(colors.length / 3 * 4);
      for (let i = 0, j = 0; i < colors.length; i += 3, j += 4) { rgba[j] = colors[i]; rgba[j + 1] = colors[i + 1]; rgba[j + 2] = colors[i + 2]; }
      this.uploadRGBA32F(this.colorTex, colors.length / 3, rgba);
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.orderBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, order, gl.DYNAMIC_DRAW);
    this.drawCount = order.length;
  }

  ensureTarget(w, h) {
    const gl = this.gl;
    if (this.fb && this.fbSize[0] === w && this.fbSize[1] === h) return;
    if (this.fb) { gl.deleteFramebuffer(this.fb); gl.deleteTexture(this.accum); }
    this.accum = this.makeTexture();
    const internal = { RGBA32F: gl.RGBA32F, RGBA16F: gl.RGBA16F, RGBA8: gl.RGBA8 }[this.accumFormat];
    const type = { RGBA32F: gl.FLOAT, RGBA16F: gl.HALF_FLOAT, RGBA8: gl.UNSIGNED_BYTE }[this.accumFormat];
    gl.texImage2D(gl.TEXTURE_2D, 0, internal, w, h, 0, gl.RGBA, type, null);
    this.fb = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.accum, 0);
    this.fbSize = [w, h];
  }

  // camera: ViewCamera; k: intrinsics for the canvas; background: [r, g, b].
  draw(camera, k, background) {
    const gl = this.gl, w = this.canvas.width, h = this.canvas.height;
    this.ensureTarget(w, h);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fb);
    gl.viewport(0, 0, w, h);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (this.drawCount > 0) {
      gl.useProgram(this.splat);
      gl.enable(gl.BLEND);
      gl.blendFuncSeparate(gl.ONE_MINUS_DST_ALPHA, gl.ONE, gl.ONE_MINUS_DST_ALPHA, gl.ONE);
      gl.activeTexture(gl.TEXTURE0); gl.bindTexture(gl.TEXTURE_2D, this.dataTex);
      gl.activeTexture(gl.TEXTURE1); gl.bindTexture(gl.TEXTURE_2D, this.colorTex);
      gl.uniform1i(this.loc.u_data, 0); gl.uniform1i(this.loc.u_color, 1);
      const R = camera.R, t = camera.t;
      gl.uniform3f(this.loc.u_r0, R[0], R[1], R[2]);
      gl.uniform3f(this.loc.u_r1, R[3], R[4], R[5]);
      gl.uniform3f(this.loc.u_r2, R[6], R[7], R[8]);
      gl.uniform3f(this.loc.u_t, t[0], t[1], t[2]);
      gl.uniform4f(this.loc.u_intr, k.fx, k.fy, k.cx, k.cy);
      gl.uniform2f(this.loc.u_size, w, h);
      gl.uniform1i(this.loc.u_antialiased, this.antialiased ? 1 : 0);
      gl.uniform4f(this.loc.u_lim, (-k.cx - 0.15 * w) / k.fx, (1.15 * w - k.cx) / k.fx,
                   (-k.cy - 0.15 * h) / k.fy, (1.15 * h - k.cy) / k.fy);
      gl.bindVertexArray(this.vao);
      gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 4, this.drawCount);
      gl.disable(gl.BLEND);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, w, h);
    gl.useProgram(this.composite);
    gl.activeTexture(gl.TEXTURE0); gl.bindTexture(gl.TEXTURE_2D, this.accum);
    gl.uniform1i(gl.getUniformLocation(this.composite, 'u_accum'), 0);
    gl.uniform3f(gl.getUniformLocation(this.composite, 'u_background'), background[0], background[1], background[2]);
    gl.bindVertexArray(this.quadVao);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindVertexArray(null);
  }
}
