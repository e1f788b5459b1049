import { describe, expect, it } from 'vitest';
import type { CollectEvent } from '../../src/adapters/collector.js';
import { createProgress } from '../../src/cli/progress.js';

const snapshot = (target: string, index: number, heap: number | null, status: 'ok' | 'failed' = 'ok'): CollectEvent => ({
  type: 'snapshot',
  target,
  kind: 'heap',
  index,
  t: 1_000 + index * 1000,
  status,
  error: status === 'ok' ? null : 'HTTP 500',
  heapInuseBytes: heap,
  rssBytes: 50 << 20,
  consecutiveFailures: status === 'ok' ? 0 : 1,
  stored: index + 1,
});

function capture(mode: Parameters<typeof createProgress>[0], events: CollectEvent[]) {
  let stdout = '';
  let stderr = '';
  const show = createProgress(mode, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, ['api', 'x\x1b[31m'], 1000);
  events.forEach(show);
  return { stdout, stderr };
}

describe('collection progress', () => {
  const events = [snapshot('api', 0, 10 << 20), snapshot('x\x1b[31m', 0, 20 << 20), snapshot('api', 1, null, 'failed'), { type: 'end', reason: 'duration reached', status: 'complete', t: 5000 } as CollectEvent];

  it('live: one line per target, redrawn in place, names escaped', () => {
    const { stdout, stderr } = capture('live', events);
    expect(stdout).toBe('');
    expect(stderr).toContain('\x1b[2A'); // moved back up over the two target lines
    const last = stderr.slice(stderr.lastIndexOf('\x1b[2A'));
    expect(last).toMatch(/api\s+1 snapshots .* failed: HTTP 500/);
    expect(last).toContain('x\\x1b[31m');
    expect(last).not.toContain('x\x1b[31m ');
  });

  it('plain: a line per heap snapshot', () => {
    const { stderr } = capture('plain', events);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      'api #0: heap 10.0 MiB, rss 50.0 MiB',
      'x\\x1b[31m #0: heap 20.0 MiB, rss 50.0 MiB',
      'api #1: failed: HTTP 500',
      'run ended: duration reached',
    ]);
  });

  it('json: one event per line on stdout, nothing else', () => {
    const { stdout, stderr } = capture('json', events);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['snapshot', 'snapshot', 'snapshot', 'end']);
  });

  it('quiet: nothing', () => {
    expect(capture('quiet', events)).toEqual({ stdout: '', stderr: '' });
  });
});
