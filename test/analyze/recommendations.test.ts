// The recommendation engine on findings and a catalog built by hand: which
// entries apply, their savings (the evidence's bytes × the entry's fractions),
// why one is rejected, and the order (urgent first, then saving per effort and risk).
import { describe, expect, it } from 'vitest';
import { recommend, type Findings } from '../../src/analyze/recommendations.js';
import type { CatalogEntry } from '../../src/model/alert-rules.js';
import type { AlertResult, LeakSuspect, Thresholds } from '../../src/model/report.js';

const MiB = 2 ** 20;

function entry(id: string, when: CatalogEntry['when'], over: Partial<CatalogEntry> = {}): CatalogEntry {
  return { id, title: `${id}: {subject}`, action: ' act on {function} ', effort: 'low', risk: 'low', when, subject: null, minShare: 0.05, saving: [0.2, 0.4], viable: true, reason: null, ...over };
}

function findings(over: Partial<Findings> = {}): Findings {
  return {
    peakHeapBytes: 100 * MiB,
    peakRssBytes: 200 * MiB,
    components: [
      { name: 'Informer cache', bytes: 40 * MiB, share: 0.4 },
      { name: 'Informer lists', bytes: 10 * MiB, share: 0.1 },
      { name: 'Tiny', bytes: 3 * MiB, share: 0.03 },
      { name: 'Empty', bytes: 0, share: 0 },
    ],
    componentPaths: new Map([
      ['Informer cache', [{ stack: ['cache.add', '…', 'main'], bytes: 30 * MiB }]],
      ['Informer lists', [{ stack: ['lists.decode', 'main'], bytes: 35 * MiB }]],
    ]) as unknown as Findings['componentPaths'],
    functionsAtPeak: new Map([
      ['encoding/json.unquote', 6 * MiB],
      ['encoding/json.literal', 4 * MiB],
      ['encoding/json.zero', 0],
      ['main.other', 50 * MiB],
    ]),
    overheadParts: [
      { name: 'idle heap kept (returned later)', bytes: 30 * MiB },
      { name: 'stacks', bytes: 2 * MiB },
    ],
    verdict: { kind: 'no-leak', slopeBytesPerHour: 0, reason: 'bounded' },
    windowMs: 600_000,
    leakSuspects: [],
    goroutines: null,
    staleSnapshots: 0,
    snapshots: 90,
    alerts: [],
    thresholds: null,
    ...over,
  };
}

describe('recommend', () => {
  it('components: the matched components summed, savings from their bytes, the heaviest path as the frames', () => {
    const { recommendations } = recommend([entry('cache', { kind: 'component', pattern: /^Informer/ })], findings());
    const r = recommendations[0]!;
    // 40 + 10 MiB; 20–40% → 10–20 MiB, estimate the midpoint 15 MiB.
    expect(r).toMatchObject({ id: 'cache', priority: 1, viable: true, reason: null, savingsLowBytes: 10 * MiB, savingsHighBytes: 20 * MiB, estimatedSavingsBytes: 15 * MiB });
    expect(r.evidence).toMatchObject({ kind: 'component', subject: 'Informer cache + Informer lists', bytes: 50 * MiB, share: 0.5 });
    // The heaviest path of both (35 MiB, lists) names the function; "…" elisions are dropped.
    expect(r.evidence.frames).toEqual(['lists.decode', 'main']);
    expect(r.title).toBe('cache: Informer cache + Informer lists');
    expect(r.action).toBe('act on lists.decode');
    expect(r.savingsBasis).toBe('20%–40% of Informer cache + Informer lists (50.0 MiB)');
    expect(r.evidence.detail).toBe('Informer cache 40.0 MiB, Informer lists 10.0 MiB at the peak');
  });

  it('rejects an action whose evidence is under its minimum share, or whose best saving is under the floor', () => {
    const { recommendations, nonViable } = recommend(
      [entry('tiny', { kind: 'component', pattern: /^Tiny$/ }), entry('small', { kind: 'component', pattern: /^Informer lists$/ }, { saving: [0.05, 0.1] }), entry('none', { kind: 'component', pattern: /^Empty$/ })],
      findings(),
    );
    expect(recommendations).toEqual([]);
    expect(nonViable.map((r) => [r.id, r.reason])).toEqual([
      ['tiny', 'Tiny holds 3.0 MiB (3% of the heap), under the 5% this action needs to pay off'],
      // 10% of 10 MiB = 1 MiB, under the floor max(1 MiB, 2% of 100 MiB) = 2 MiB.
      ['small', 'at most 1.0 MiB to gain (10% of 10.0 MiB), under 2.0 MiB'],
    ]);
    expect(nonViable.every((r) => r.priority === 0 && !r.viable)).toBe(true);
  });

  it('an entry marked not viable is listed as rejected with its own reason', () => {
    const { nonViable } = recommend([entry('runtime', { kind: 'component', pattern: /^Informer cache$/ }, { viable: false, reason: 'the runtime is not yours' })], findings());
    expect(nonViable.map((r) => r.reason)).toEqual(['the runtime is not yours']);
  });

  it('functions: matched by name, largest first, zero-byte ones left out', () => {
    const { recommendations } = recommend([entry('json', { kind: 'functions', pattern: /^encoding\/json\./ }, { subject: 'JSON decoding', saving: [0.3, 0.5] })], findings());
    const r = recommendations[0]!;
    expect(r.evidence).toMatchObject({ kind: 'functions', subject: 'JSON decoding in 2 functions', bytes: 10 * MiB, share: 0.1, frames: ['encoding/json.unquote', 'encoding/json.literal'] });
    expect(r.evidence.detail).toBe('encoding/json.unquote 6.0 MiB, encoding/json.literal 4.0 MiB');
    expect([r.savingsLowBytes, r.savingsHighBytes]).toEqual([3 * MiB, 5 * MiB]);
  });

  it('overhead: a share of RSS, not of the heap; needs an RSS reading', () => {
    const e = entry('idle', { kind: 'overhead', pattern: /^idle heap/ }, { minShare: 0.1, saving: [0.5, 1] });
    const r = recommend([e], findings()).recommendations[0]!;
    expect(r.evidence).toMatchObject({ kind: 'overhead', subject: 'idle heap kept', bytes: 30 * MiB, share: 0.15 });
    expect(r.evidence.detail).toBe('idle heap kept (returned later) 30.0 MiB of 200.0 MiB RSS');
    expect(recommend([e], findings({ peakRssBytes: null })).recommendations).toEqual([]);
    // Under its share of RSS (2 MiB of 200 = 1%): rejected, naming RSS.
    const stacks = recommend([entry('stacks', { kind: 'overhead', pattern: /^stacks/ })], findings()).nonViable[0]!;
    expect(stacks.reason).toBe('stacks holds 2.0 MiB (1% of RSS), under the 5% this action needs to pay off');
  });

  it('a leak comes first, whatever the other savings; its bytes are the growth over the window', () => {
    const suspect = { function: 'main.leaky', stack: ['main.leaky', 'main.run'], growthBytes: 12 * MiB } as unknown as LeakSuspect;
    const f = findings({ verdict: { kind: 'leak', slopeBytesPerHour: 60 * MiB, reason: 'the heap grows' }, leakSuspects: [suspect] });
    const { recommendations, actionPlan } = recommend([entry('cache', { kind: 'component', pattern: /^Informer/ }), entry('fix-leak', { kind: 'leak' }, { effort: 'high', risk: 'high', minShare: 0, saving: [1, 1] })], f);
    expect(recommendations.map((r) => r.id)).toEqual(['fix-leak', 'cache']);
    const leak = recommendations[0]!;
    // 60 MiB/h over a 10-minute window: 10 MiB; saving 100%, one figure.
    expect(leak.evidence).toMatchObject({ kind: 'leak', subject: 'main.leaky', bytes: 10 * MiB, frames: ['main.leaky', 'main.run'] });
    expect(leak.evidence.detail).toBe('the heap grows; main.leaky gained 12.0 MiB; unbounded: 60.0 MiB per hour');
    expect(actionPlan.map((p) => [p.phase, p.items.map((i) => i.text)])).toEqual([
      ['Immediate', ['fix-leak: main.leaky (saves 10.0 MiB); effort high, risk high']],
      ['Next: low effort', ['cache: Informer cache + Informer lists (saves 10.0 MiB–20.0 MiB); effort low, risk low']],
    ]);
    // No leak verdict: the leak entry does not apply.
    expect(recommend([entry('fix-leak', { kind: 'leak' })], findings()).recommendations).toEqual([]);
  });

  it('orders by saving per effort and risk: a medium-effort action must save twice as much', () => {
    const cat = [
      entry('cheap', { kind: 'component', pattern: /^Informer lists$/ }, { saving: [0.4, 0.4], minShare: 0 }), // 4 MiB / 1 / 1
      entry('costly', { kind: 'component', pattern: /^Informer cache$/ }, { saving: [0.15, 0.15], effort: 'medium', minShare: 0 }), // 6 MiB / 2 / 1 = 3
      entry('risky', { kind: 'component', pattern: /^Informer cache$/ }, { saving: [0.3, 0.3], risk: 'high', minShare: 0 }), // 12 MiB / 1 / 2 = 6
    ];
    const { recommendations, actionPlan } = recommend(cat, findings());
    expect(recommendations.map((r) => [r.id, r.priority])).toEqual([
      ['risky', 1],
      ['cheap', 2],
      ['costly', 3],
    ]);
    expect(actionPlan.map((p) => p.phase)).toEqual(['Next: low effort', 'Evaluate: medium or high effort, measure before and after (heaplens compare)']);
  });

  it('stale snapshots, growing goroutines and alerts that fired without a leak are urgent, in that order after a leak', () => {
    const fired = { name: 'MemoryPeak', fired: true } as AlertResult;
    const thresholds = { growth: { bytesPerSec: 52_000 }, peak: { bytes: 69e6 }, forSeconds: 300, onThisRun: [{ fired: false }] } as unknown as Thresholds;
    const f = findings({
      staleSnapshots: 45,
      goroutines: { growing: true, first: 10, last: 400, stacks: [['wait', 'leaky']] },
      alerts: [fired, { name: 'Quiet', fired: false } as AlertResult],
      thresholds,
    });
    const cat = [
      entry('stale', { kind: 'stale', minShare: 0.5 }, { saving: [0, 0] }),
      entry('alerts', { kind: 'alerts' }, { saving: [0, 0] }),
      entry('goroutines', { kind: 'goroutines' }, { saving: [0, 0] }),
    ];
    const { recommendations } = recommend(cat, f);
    expect(recommendations.map((r) => r.id)).toEqual(['goroutines', 'alerts', 'stale']);
    const byId = new Map(recommendations.map((r) => [r.id, r]));
    expect(byId.get('goroutines')!.evidence).toMatchObject({ subject: 'wait', frames: ['wait', 'leaky'], detail: 'goroutines rose from 10 to 400' });
    expect(byId.get('alerts')!.evidence.detail).toBe('MemoryPeak fired although the verdict is no-leak; the recommended thresholds (growth 52.0 kB/s, peak 69.0 MB, for 300 s) stay quiet on this run');
    expect(byId.get('stale')!.evidence.detail).toBe('45 of 90 heap snapshots repeat the previous one (no GC in between)');
    expect(byId.get('stale')!.savingsBasis).toBe('no bytes: 45 of 90 heap snapshots repeat the previous one (no GC in between)');
    expect(byId.get('stale')!.estimatedSavingsBytes).toBe(0);
    // Under the share: no stale entry; with a leak verdict, fired alerts are the leak's doing.
    expect(recommend(cat, findings({ staleSnapshots: 44 })).recommendations).toEqual([]);
    expect(recommend([cat[1]!], { ...f, verdict: { kind: 'leak', slopeBytesPerHour: 1, reason: '' } }).recommendations).toEqual([]);
    expect(recommend([cat[1]!], { ...f, thresholds: { ...thresholds, onThisRun: [{ fired: true }] } as unknown as Thresholds }).recommendations[0]!.evidence.detail).toMatch(/still fire on this run$/);
  });
});
