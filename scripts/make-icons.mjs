#!/usr/bin/env node
// Draws the w2w app icon (build/icon.svg and the PNGs electron-builder packs) from one geometry, with node:zlib only.
//
// The mark is a "w" drawn as a network: two people (the outer top nodes) linked through a relay (the ring in
// the middle), white on a blue rounded square. Run `node scripts/make-icons.mjs` after changing the geometry;
// the output is deterministic, so committed icons only change when the drawing does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const BUILD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'build');

// Geometry in unit coordinates (0..1 across the icon).
const MARGIN = 0.03; // transparent border around the tile
const CORNER = 0.2; // tile corner radius
const POINTS = [
  [0.2, 0.34],
  [0.35, 0.7],
  [0.5, 0.42],
  [0.65, 0.7],
  [0.8, 0.34],
];
const STROKE = 0.085; // width of the "w" line
const NODE = 0.085; // radius of the two people
const RELAY_OUTER = 0.1; // relay ring
const RELAY_INNER = 0.05;
const TOP = [0x3b, 0x82, 0xf6]; // tile gradient, top left
const BOTTOM = [0x1e, 0x3a, 0x8a]; // tile gradient, bottom right
const WHITE = [0xff, 0xff, 0xff];

// Signed distances (negative inside), all in unit coordinates.
function roundedSquare(x, y) {
  const half = 0.5 - MARGIN;
  const qx = Math.abs(x - 0.5) - (half - CORNER);
  const qy = Math.abs(y - 0.5) - (half - CORNER);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - CORNER;
}

function circle(x, y, [cx, cy], r) {
  return Math.hypot(x - cx, y - cy) - r;
}

function segment(x, y, [ax, ay], [bx, by], width) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy) - width / 2;
}

function mark(x, y) {
  let d = Math.min(circle(x, y, POINTS[0], NODE), circle(x, y, POINTS[4], NODE), circle(x, y, POINTS[2], RELAY_OUTER));
  for (let i = 0; i + 1 < POINTS.length; i++) d = Math.min(d, segment(x, y, POINTS[i], POINTS[i + 1], STROKE));
  return d;
}

const tileColor = (x, y) => {
  const t = Math.min(1, Math.max(0, (x + y) / 2));
  return TOP.map((c, i) => c + (BOTTOM[i] - c) * t);
};

/** RGBA pixels of the icon at `size` x `size`, anti-aliased from the signed distances. */
function render(size) {
  const rgba = Buffer.alloc(size * size * 4);
  // Coverage of a pixel by a shape whose distance (in pixels) from the pixel centre is d.
  const cover = (d) => Math.min(1, Math.max(0, 0.5 - d * size));
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size;
      const y = (py + 0.5) / size;
      const tile = cover(roundedSquare(x, y));
      const white = cover(mark(x, y)) * (1 - cover(circle(x, y, POINTS[2], RELAY_INNER)));
      const base = tileColor(x, y);
      const o = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) rgba[o + i] = Math.round(base[i] + (WHITE[i] - base[i]) * white);
      rgba[o + 3] = Math.round(255 * tile);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A PNG file: 8-bit RGBA, no interlace, filter type 0 on every row. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const u = (v) => +(v * 512).toFixed(2);
  const hex = (rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  const side = u(1 - 2 * MARGIN);
  const [relayX, relayY] = POINTS[2];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <title>w2w</title>
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="${hex(TOP)}"/>
      <stop offset="1" stop-color="${hex(BOTTOM)}"/>
    </linearGradient>
    <mask id="relay-hole">
      <rect width="512" height="512" fill="#fff"/>
      <circle cx="${u(relayX)}" cy="${u(relayY)}" r="${u(RELAY_INNER)}" fill="#000"/>
    </mask>
  </defs>
  <rect x="${u(MARGIN)}" y="${u(MARGIN)}" width="${side}" height="${side}" rx="${u(CORNER)}" fill="url(#tile)"/>
  <g fill="#fff" mask="url(#relay-hole)">
    <polyline points="${POINTS.map(([x, y]) => `${u(x)},${u(y)}`).join(' ')}" fill="none" stroke="#fff" stroke-width="${u(STROKE)}" stroke-linecap="round" stroke-linejoin="round"/>
    <circle cx="${u(POINTS[0][0])}" cy="${u(POINTS[0][1])}" r="${u(NODE)}"/>
    <circle cx="${u(POINTS[4][0])}" cy="${u(POINTS[4][1])}" r="${u(NODE)}"/>
    <circle cx="${u(relayX)}" cy="${u(relayY)}" r="${u(RELAY_OUTER)}"/>
  </g>
</svg>
`;
}

// build/icon.png feeds mac and Windows; build/icons/NxN.png are the Linux set.
const SIZES = [16, 32, 48, 64, 128, 256, 512];
mkdirSync(join(BUILD_DIR, 'icons'), { recursive: true });
writeFileSync(join(BUILD_DIR, 'icon.svg'), svg());
for (const size of SIZES) {
  const png = encodePng(size, render(size));
  writeFileSync(join(BUILD_DIR, 'icons', `${size}x${size}.png`), png);
  if (size === 512) writeFileSync(join(BUILD_DIR, 'icon.png'), png);
}
process.stdout.write(`make-icons: wrote build/icon.svg, build/icon.png and build/icons/{${SIZES.join(',')}}px PNGs\n`);
