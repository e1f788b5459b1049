import { Worker } from 'node:worker_threads';
import {
  aggregateNodes,
  combineNodeSums,
  inlineLabels,
  labelsFromEdges,
  sumEdges,
  sumNodes,
  planEdges,
  type EdgePlan,
  type EdgeSums,
  type NodeSums,
  type PreparedInputs,
  type SampleScan,
} from '../pprof/aggregate.js';
import type { TopPasses } from '../pprof/top.js';
import { packageFile } from './package-root.js';

/** A job for the worker: a pass over samples [from, to) of one scan. */
export type PassJob =
  | { id: number; kind: 'nodes'; scan: SampleScan; nNodes: number; from: number; to: number }
  | { id: number; kind: 'edges'; scan: SampleScan; plan: EdgePlan; from: number; to: number };

export interface ParallelPasses extends TopPasses {
  /**
   * Starts the worker thread now rather than at the first pass. Its start-up
   * takes ~50 ms of a core: call it when a core is free (see
   * ReadProfileOptions.onInflated), not while inflating and decoding keep
   * both busy, where it slowed reading the bench profile by ~100 ms.
   */
  start(): void;
  /** Samples the worker has summed so far, over every pass (the rest were summed on this thread). */
  readonly workerSamples: number;
  close(): Promise<void>;
}

/** Whether the scan's big arrays can be read by another thread without a copy. */
function isShared(scan: SampleScan): boolean {
  return [scan.stackLocations, scan.stackOffsets, scan.values].every((a) => a.buffer instanceof SharedArrayBuffer);
}

/**
 * Runs `top`'s two sample passes on this thread and one worker thread at
 * once, each over half of the samples, then adds the halves: both passes
 * are sums over samples, so the split is exact. Profiles decoded with
 * `shared: true` are read by the worker in place. Anything smaller than
 * `minSamples`, not shared, or meant for a worker that failed runs here.
 *
 * The worker starts on `start()` or at the first pass that uses it.
 */
export function parallelPasses(minSamples: number): ParallelPasses {
  let worker: Worker | null = null;
  let broken = false;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let workerSamples = 0;
  const start = (): void => {
    if (worker !== null || broken) return;
    try {
      // tsc's output, also from the bundled CLI (which has no module of that name next to it).
      worker = new Worker(packageFile('dist/adapters/top-worker.js'));
      worker.unref();
      worker.on('message', (msg: { id: number }) => {
        waiting.get(msg.id)?.resolve(msg);
        waiting.delete(msg.id);
      });
      const fail = (e: unknown): void => {
        broken = true;
        for (const w of waiting.values()) w.reject(e);
        waiting.clear();
      };
      worker.on('error', fail);
      // Exited (terminated, or its own process.exit): a job sent now would never be answered.
      worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    } catch {
      broken = true;
    }
  };

  const usable = (scan: SampleScan): boolean => {
    if (broken || scan.count < Math.max(2, minSamples) || !isShared(scan)) return false;
    start();
    return worker !== null && !broken;
  };
  const send = <T>(job: PassJob): Promise<T> =>
    new Promise((resolve, reject) => {
      waiting.set(job.id, { resolve: resolve as (v: unknown) => void, reject });
      worker!.postMessage(job);
    });

  /**
   * Runs `pass` over every scan: a usable scan's second half on the worker
   * while this thread does the first; a worker that died mid-job costs time,
   * not the result (the half is redone here).
   *
   * Halves, not chunks claimed by each thread from a shared counter as it
   * goes: that balanced the threads, yet measured 20–40 ms slower on the
   * bench profile (medians of 16–24, alternating; BENCHMARKS.md).
   */
  const halves = async <T>(scans: readonly SampleScan[], pass: (scan: SampleScan, from: number, to: number) => T, job: (scan: SampleScan, from: number, to: number) => PassJob, pick: (reply: unknown) => T): Promise<T[]> => {
    const parts: T[] = [];
    for (const scan of scans) {
      if (!usable(scan)) {
        parts.push(pass(scan, 0, scan.count));
        continue;
      }
      const mid = scan.count >> 1;
      const remote = send<unknown>(job(scan, mid, scan.count)).catch(() => null);
      parts.push(pass(scan, 0, mid));
      const reply = await remote;
      if (reply !== null) workerSamples += scan.count - mid;
      parts.push(reply !== null ? pick(reply) : pass(scan, mid, scan.count));
    }
    return parts;
  };

  return {
    start,

    get workerSamples() {
      return workerSamples;
    },

    async nodeTotals(prepared: PreparedInputs) {
      if (!prepared.scans.some(usable)) return aggregateNodes(prepared);
      const n = prepared.names.length;
      const parts = await halves(
        prepared.scans,
        (scan, from, to) => sumNodes(scan, n, from, to),
        (scan, from, to) => ({ id: nextId++, kind: 'nodes', scan, nNodes: n, from, to }),
        (reply) => (reply as { sums: NodeSums }).sums,
      );
      return combineNodeSums(prepared.names, parts);
    },

    async inlineLabels(prepared: PreparedInputs, kept: readonly number[], edgeCutoff: number) {
      const plan = planEdges(prepared, kept);
      if (!prepared.scans.some(usable) || plan.children === 0) return inlineLabels(prepared, kept, edgeCutoff);
      const parts = await halves(
        prepared.scans,
        (scan, from, to) => sumEdges(scan, plan, from, to),
        (scan, from, to) => ({ id: nextId++, kind: 'edges', scan, plan, from, to }),
        (reply) => (reply as { edges: EdgeSums }).edges,
      );
      return labelsFromEdges(plan, parts, edgeCutoff);
    },

    async close() {
      if (worker) await worker.terminate();
    },
  };
}
