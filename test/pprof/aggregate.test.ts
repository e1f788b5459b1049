import { describe, expect, it } from 'vitest';
import { aggregateNodes, combineNodeSums, inlineLabels, labelsFromEdges, planEdges, prepareInputs, sumEdges, sumNodes, type InlineLabel } from '../../src/pprof/aggregate.js';
import type { Profile } from '../../src/model/profile.js';
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

/**
 * pprof's inline marks the naive way, from the profile's own locations: each
 * sample walked root to leaf over kept frames, an edge from the nearest kept
 * frame above, once per sample (inlined as its first occurrence in the
 * sample was), marks from the edges at or above the cutoff.
 */
function naiveLabels(profile: Profile, names: readonly string[], kept: readonly number[], cutoff: number): InlineLabel[] {
  const slotOf = new Map(kept.map((node, i) => [names[node]!, i] as const));
  const edges = new Map<string, { child: number; weight: number; inline: boolean }>();
  const { samples, locations, functions, strings } = profile;
  for (let s = 0; s < samples.count; s++) {
    const v = samples.values[s]!;
    if (v === 0) continue;
    const seen = new Set<string>();
    let parent = -1;
    for (let k = samples.stackOffsets[s + 1]! - 1; k >= samples.stackOffsets[s]!; k--) {
      const loc = samples.stackLocations[k]!;
      const outermost = locations.lineOffsets[loc + 1]! - 1;
      for (let li = outermost; li >= locations.lineOffsets[loc]!; li--) {
        const child = slotOf.get(strings[functions.nameStr[locations.lineFunction[li]!]!]!);
        if (child === undefined) continue;
        const key = `${parent},${child}`;
        if (parent >= 0 && parent !== child && !seen.has(key)) {
          seen.add(key);
          const e = edges.get(key) ?? { child, weight: 0, inline: true };
          e.weight += v;
          e.inline &&= li < outermost; // lines are innermost first: all but the last were inlined
          edges.set(key, e);
        }
        parent = child;
      }
    }
  }
  const hasInline = new Set<number>();
  const hasCall = new Set<number>();
  for (const e of edges.values()) if (Math.abs(e.weight) >= cutoff) (e.inline ? hasInline : hasCall).add(e.child);
  return kept.map((_, i) => (hasInline.has(i) ? (hasCall.has(i) ? 'partial-inline' : 'inline') : ''));
}

describe('inline marks', () => {
  const { bytes } = profileWithReference({ functions: 2500, locations: 6000, samples: 6000, maxLines: 5, seed: 4 });
  const profile = decodeProfile(bytes);
  const prepared = prepareInputs([{ profile, valueIndex: 0, sign: 1 }], 'functions');
  const totals = aggregateNodes(prepared);
  const byCum = Array.from(totals.cum.keys()).sort((a, b) => totals.cum[b]! - totals.cum[a]! || a - b);

  // 600 kept nodes sum their edges in dense arrays; all 2,500 (over 2^20 possible edges) in a Map.
  for (const [form, count] of [['dense', 600], ['sparse', 2500]] as const) {
    it(`equal a naive walk of every stack (${form} edge sums)`, () => {
      const kept = byCum.slice(0, count);
      const plan = planEdges(prepared, kept);
      expect(sumEdges(prepared.scans[0]!, plan, 0, 10).state === null).toBe(form === 'sparse');
      const cutoff = totals.flatSum * 0.001;
      const labels = inlineLabels(prepared, kept, cutoff);
      expect(labels).toEqual(naiveLabels(profile, prepared.names, kept, cutoff));
      expect(new Set(labels)).toEqual(new Set(['', 'inline', 'partial-inline']));
      // Parts of the samples merge to the same marks, as this thread's and the worker's halves do.
      const scan = prepared.scans[0]!;
      const cut = Math.floor(scan.count / 3);
      expect(labelsFromEdges(plan, [sumEdges(scan, plan, 0, cut), sumEdges(scan, plan, cut, scan.count)], cutoff)).toEqual(labels);
    });
  }
});
