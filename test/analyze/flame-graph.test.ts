import { describe, expect, it } from 'vitest';
import { buildFlameGraph } from '../../src/analyze/flame-graph.js';
import type { FlameGraph } from '../../src/model/flame.js';
import type { Profile } from '../../src/model/profile.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { resolveSampleType } from '../../src/pprof/sample-type.js';
import { diffTop, topOf } from '../../src/pprof/top.js';
import { fixtureProfiles, rawProfile } from '../helpers/fixtures.js';

/**
 * The flame graph is checked against `heaplens top` (itself equal to
 * `go tool pprof -top` on every fixture, see test/pprof): with nothing
 * pruned, a function's self bytes summed over its nodes are its flat, and
 * its outermost nodes (no ancestor of the same name: recursion counted
 * once) sum to its cum.
 */
const profiles = fixtureProfiles().filter((p, i) => !p.includes('goroutine') && (i % 7 === 0 || p.includes('synthetic') || p.includes('profiles/')));

function perFunction(g: FlameGraph, side: readonly number[]): Map<string, { flat: number; cum: number }> {
  const out = new Map<string, { flat: number; cum: number }>();
  const childSum = new Array<number>(g.name.length).fill(0);
  for (let i = 1; i < g.name.length; i++) childSum[g.parent[i]!]! += side[i]!;
  for (let i = 1; i < g.name.length; i++) {
    const name = g.names[g.name[i]!]!;
    const row = out.get(name) ?? { flat: 0, cum: 0 };
    row.flat += side[i]! - childSum[i]!;
    let outermost = true;
    for (let p = g.parent[i]!; p > 0; p = g.parent[p]!) if (g.names[g.name[p]!] === name) outermost = false;
    if (outermost) row.cum += side[i]!;
    out.set(name, row);
  }
  return out;
}

function expectMatchesTop(g: FlameGraph, side: readonly number[], rows: readonly { name: string; flat: number; cum: number }[]): void {
  const mine = perFunction(g, side);
  for (const r of rows) {
    const m = mine.get(r.name) ?? { flat: 0, cum: 0 };
    expect([r.name, m.flat, m.cum]).toEqual([r.name, r.flat, r.cum]);
  }
  // And no function the flame graph shows with bytes is missing from top.
  const names = new Set(rows.map((r) => r.name));
  for (const [name, m] of mine) if (m.cum !== 0) expect(names.has(name) ? name : `missing: ${name}`).toBe(name);
}

function side(path: string): { profile: Profile; sampleIndex: number; snapshot: number } {
  const profile = decodeProfile(rawProfile(path));
  return { profile, sampleIndex: resolveSampleType(profile), snapshot: 0 };
}

describe('buildFlameGraph', () => {
  it.each(profiles)('%s: nodes add up to top (flat and cum per function)', (path) => {
    const s = side(path);
    const g = buildFlameGraph(s, null, 1 << 20);
    expect(g.prunedNodes).toBe(0);
    const top = topOf(s.profile, { nodeFraction: 0 });
    expect(g.value[0]).toBe(top.total);
    expectMatchesTop(g, g.value, top.rows);
  });

  it('diff: both sides on one tree match top of each profile, and their difference matches -diff_base', () => {
    const leak = fixtureProfiles().filter((p) => p.includes('runs/leak/') && p.includes('/heap-'));
    const base = side(leak[12]!);
    const peak = side(leak[84]!);
    const g = buildFlameGraph(peak, base, 1 << 20);
    expect(g.base).not.toBeNull();
    expect(g.value[0]).toBe(topOf(peak.profile, { nodeFraction: 0 }).total);
    expect(g.base![0]).toBe(topOf(base.profile, { nodeFraction: 0 }).total);
    expectMatchesTop(g, g.value, topOf(peak.profile, { nodeFraction: 0 }).rows);
    expectMatchesTop(g, g.base!, topOf(base.profile, { nodeFraction: 0 }).rows);
    const delta = g.value.map((v, i) => v - g.base![i]!);
    const diff = diffTop(base.profile, peak.profile, { nodeFraction: 0 });
    const mine = perFunction(g, delta);
    for (const r of diff.rows) expect([r.name, mine.get(r.name)?.flat, mine.get(r.name)?.cum]).toEqual([r.name, r.flat, r.cum]);
  });

  it('pruning keeps the largest nodes, each with its parent, in pre-order, within the cap', () => {
    const leak = fixtureProfiles().filter((p) => p.includes('runs/leak/') && p.includes('/heap-'));
    const full = buildFlameGraph(side(leak[84]!), side(leak[12]!), 1 << 20);
    for (const cap of [1, 10, 100, 500]) {
      const g = buildFlameGraph(side(leak[84]!), side(leak[12]!), cap);
      expect(g.name.length).toBe(Math.min(cap, full.name.length));
      expect(g.prunedNodes).toBe(full.name.length - g.name.length);
      expect(g.value[0]).toBe(full.value[0]);
      const size = (x: FlameGraph, i: number): number => Math.max(x.value[i]!, x.base![i]!);
      const smallestKept = Math.min(...g.name.map((_, i) => size(g, i)));
      const dropped = full.name.map((_, i) => size(full, i)).sort((a, b) => b - a)[g.name.length];
      if (dropped !== undefined) expect(smallestKept).toBeGreaterThanOrEqual(dropped);
      for (let i = 1; i < g.name.length; i++) {
        expect(g.parent[i]).toBeLessThan(i);
        expect(g.value[i]).toBeLessThanOrEqual(g.value[g.parent[i]!]!);
      }
      // Children never hold more than their parent, whatever was pruned.
      const childSum = new Array<number>(g.name.length).fill(0);
      for (let i = 1; i < g.name.length; i++) childSum[g.parent[i]!]! += g.value[i]!;
      g.value.forEach((v, i) => expect(childSum[i]).toBeLessThanOrEqual(v));
    }
  });

  it('siblings are ordered by size, largest first', () => {
    const g = buildFlameGraph(side(fixtureProfiles().find((p) => p.includes('runs/plateau/') && p.includes('/heap-000080'))!));
    const lastChildValue = new Map<number, number>();
    for (let i = 1; i < g.name.length; i++) {
      const p = g.parent[i]!;
      if (lastChildValue.has(p)) expect(g.value[i]).toBeLessThanOrEqual(lastChildValue.get(p)!);
      lastChildValue.set(p, g.value[i]!);
    }
  });
});
