// The floor for decoding in JS on this machine: a bare loop that only parses
// the packed location ids of every sample (no values, labels, offsets, checks).
// Usage: node bench/floor.mjs PROFILE → prints the median of 3 runs in ms.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const buf = gunzipSync(readFileSync(process.argv[2]));
// Top-level sample spans, found once.
const spans = [];
for (let pos = 0; pos < buf.length; ) {
  const key = buf[pos++];
  if ((key & 7) === 2) {
    let len = 0;
    let shift = 0;
    let b;
    do {
      b = buf[pos++];
      len |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
    if (key === 0x12) spans.push(pos, pos + len);
    pos += len;
  } else if ((key & 7) === 0) {
    while (buf[pos++] >= 0x80);
  } else throw new Error('unexpected wire type in the generated profile');
}

function parseIds() {
  const out = new Uint32Array(buf.length);
  let n = 0;
  for (let i = 0; i < spans.length; i += 2) {
    let p = spans[i];
    const end = spans[i + 1];
    while (p < end) {
      const key = buf[p];
      const stop = p + 2 + buf[p + 1];
      p += 2;
      if (key !== 0x0a) {
        p = stop;
        continue;
      }
      while (p < stop) {
        let b = buf[p];
        let id = b & 0x7f;
        if (b < 0x80) p++;
        else {
          b = buf[p + 1];
          id |= (b & 0x7f) << 7;
          if (b < 0x80) p += 2;
          else {
            id |= buf[p + 2] << 14;
            p += 3;
          }
        }
        out[n++] = id;
      }
    }
  }
  return n;
}

const times = [];
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  parseIds();
  times.push(performance.now() - t);
}
console.log(times.sort((a, b) => a - b)[1].toFixed(1));
