import { describe, expect, it } from 'vitest';
import { aggregateNodes, combineNodeSums, prepareInputs, sumNodes } from '../../src/pprof/aggregate.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { profileWithReference } from '../helpers/synthetic-profile.js';

function byName(names: readonly string[], values: Float64Array): Map<string, number> {
  const out = new Map<string, number>();
  names.forEach((n, i) => {
    if (values[i] !== 0) out.set(n, values[i]!);
  });
  return out;
}

describe('flat and cum per function', () => {
  // 16-bit node table below 65,535 nodes, 32-bit above; locations of up to 7 frames take the path beyond three.
  for (const shape of [
    { functions: 300, locations: 900, samples: 3000, maxLines: 7, seed: 1 },
    { functions: 70_000, locations: 80_000, samples: 4000, maxLines: 7, seed: 2 },
  ]) {
    it(`equal a naive count on ${shape.functions} functions, up to ${shape.maxLines} frames per location`, () => {
      const { bytes, flat, cum } = profileWithReference(shape);
      const prepared = prepareInputs([{ profile: decodeProfile(bytes), valueIndex: 0, sign: 1 }], 'functions');
      expect(prepared.names.length).toBe(shape.functions);
      const totals = aggregateNodes(prepared);
      expect(byName(totals.names, totals.flat)).toEqual(flat);
      expect(byName(totals.names, totals.cum)).toEqual(cum);
      // Ranges add up to the whole, as the worker's half and this thread's do.
      const scan = prepared.scans[0]!;
      const n = prepared.names.length;
      const cut = Math.floor(scan.count / 3);
      const parts = combineNodeSums(prepared.names, [sumNodes(scan, n, 0, cut), sumNodes(scan, n, cut, scan.count)]);
      expect(Array.from(parts.cum)).toEqual(Array.from(totals.cum));
      expect(Array.from(parts.flat)).toEqual(Array.from(totals.flat));
    });
  }
});
