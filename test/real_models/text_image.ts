// A seeded synthetic image of printed text for OCR models: light paper, lines of
// dark glyph-like strokes (vertical, horizontal and diagonal bars 2 px wide), a
// faint paper texture, normalised as PaddleOCR feeds its models
// ((v - ImageNet mean) / std per channel, NCHW). Noise images make a text detector
// answer "no text anywhere" (probabilities ~1e-7), which compares nothing useful.
import { randomFloats } from '../helpers/models.ts';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Grey levels in [0, 1], row-major [h, w]: `lines` text lines of glyphs 12 px high, 7 wide, 9 apart. */
export function textPage(h: number, w: number, seed: number, lines: readonly { y: number; x: number; glyphs: number }[]): Float32Array {
  const texture = randomFloats(h * w, seed, 0.03);
  const img = texture.map((v) => 0.9 + v);
  const r = randomFloats(4096, seed + 1);
  let k = 0;
  const rnd = () => (r[k++ % r.length] + 1) / 2;
  const ink = (y: number, x: number) => {
    if (y >= 0 && y < h && x >= 0 && x < w) img[y * w + x] = 0.1;
  };
  const [gh, gw] = [12, 7];
  for (const line of lines) {
    for (let g = 0; g < line.glyphs; g++) {
      const gx = line.x + g * 9;
      const strokes = 2 + Math.floor(rnd() * 3);
      for (let s = 0; s < strokes; s++) {
        const kind = Math.floor(rnd() * 3);
        const [a, b] = [Math.min(Math.floor(rnd() * gw), gw - 2), Math.floor(rnd() * (gh - 1))];
        for (let t = 0; t < gh; t++) {
          for (let d = 0; d < 2; d++) {
            if (kind === 0) ink(line.y + t, gx + a + d);
            else if (kind === 1 && t < gw) ink(line.y + b + d, gx + t);
            else if (kind === 2) ink(line.y + t, gx + Math.floor((t * gw) / gh) + d);
          }
        }
      }
    }
  }
  return img;
}

/** The page as a normalised RGB tensor [1, 3, h, w] (grey, so the channels differ only by mean/std). */
export function textImage(h: number, w: number, seed: number): Float32Array {
  const lines = [];
  for (let y = 6; y + 12 <= h - 4; y += 26) lines.push({ y, x: 4 + ((y * 7) % 9), glyphs: Math.floor((w - 16) / 9) - (y % 3) });
  const page = textPage(h, w, seed, lines);
  const out = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) out[c * h * w + i] = (page[i] - MEAN[c]) / STD[c];
  return out;
}
