// Makes the "shifted MNIST" set of the scale-out study from MNIST's training files: every one of
// the 60,000 images copied 10 times, each copy shifted by (dx, dy), both drawn uniformly from
// {-2, ..., 2}, pixels shifted in from outside the frame are 0. Copy-major order (copy 0 of every
// image, then copy 1, ...); labels follow their images. Deterministic: the shifts come from
// mulberry32 seeded with 42, drawn in output order (dx then dy), so the files' md5 is fixed.
// Usage: node shift-mnist.js IMAGES LABELS OUT_IMAGES OUT_LABELS
'use strict';
const fs = require('fs');

const COPIES = 10, MAX_SHIFT = 2, SEED = 42;

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readIdx(path, magic) {
  const b = fs.readFileSync(path);
  if (b.readUInt32BE(0) !== magic) throw new Error(`${path}: idx magic ${b.readUInt32BE(0).toString(16)}, expected ${magic.toString(16)}`);
  return b;
}

const [imagesPath, labelsPath, outImages, outLabels] = process.argv.slice(2);
if (!outLabels) { console.error('usage: node shift-mnist.js IMAGES LABELS OUT_IMAGES OUT_LABELS'); process.exit(2); }
const images = readIdx(imagesPath, 0x803), labels = readIdx(labelsPath, 0x801);
const n = images.readUInt32BE(4), rows = images.readUInt32BE(8), cols = images.readUInt32BE(12);
if (labels.readUInt32BE(4) !== n) throw new Error(`${labelsPath}: ${labels.readUInt32BE(4)} labels for ${n} images`);
const px = rows * cols, total = n * COPIES;
const outI = Buffer.alloc(16 + total * px), outL = Buffer.alloc(8 + total);
outI.writeUInt32BE(0x803, 0); outI.writeUInt32BE(total, 4); outI.writeUInt32BE(rows, 8); outI.writeUInt32BE(cols, 12);
outL.writeUInt32BE(0x801, 0); outL.writeUInt32BE(total, 4);
const rand = mulberry32(SEED);
const shift = () => Math.floor(rand() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
for (let c = 0; c < COPIES; c++) {
  for (let i = 0; i < n; i++) {
    const dx = shift(), dy = shift(), o = c * n + i;
    const src = 16 + i * px, dst = 16 + o * px;
    for (let y = 0; y < rows; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= rows) continue;
      for (let x = 0; x < cols; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < cols) outI[dst + y * cols + x] = images[src + sy * cols + sx];
      }
    }
    outL[8 + o] = labels[8 + i];
  }
}
fs.writeFileSync(outImages, outI);
fs.writeFileSync(outLabels, outL);
