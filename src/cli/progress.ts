import type { CollectEvent } from '../adapters/collector.js';
import { formatMiB } from '../model/size.js';
import { escapeTerminal } from '../render/escape.js';
import type { CliIo } from './io.js';

export type ProgressMode = 'live' | 'plain' | 'quiet' | 'json';

const mib = (b: number | null): string => formatMiB(b, '-');

interface TargetLine {
  snapshots: number;
  heap: number | null;
  rss: number | null;
  failures: number;
  state: string;
}

/**
 * Shows collection progress: one live line per target on a terminal, a plain
 * line per heap snapshot otherwise, nothing with --quiet, and one JSON event
 * per line with --json (stdout carries nothing else then).
 */
export function createProgress(mode: ProgressMode, io: CliIo, targets: readonly string[], startedAt: number): (e: CollectEvent) => void {
  const lines = new Map<string, TargetLine>(targets.map((t) => [t, { snapshots: 0, heap: null, rss: null, failures: 0, state: 'waiting' }]));
  let drawn = 0;
  const draw = (now: number): void => {
    const elapsed = Math.round((now - startedAt) / 1000);
    const text = [...lines].map(
      ([name, l]) =>
        `${escapeTerminal(name).padEnd(16)} ${String(l.snapshots).padStart(5)} snapshots  heap ${mib(l.heap).padStart(10)}  rss ${mib(l.rss).padStart(10)}  failures ${l.failures}  ${elapsed}s  ${l.state}`,
    );
    // Move up over the previous drawing, clear each line, redraw.
    io.stderr((drawn > 0 ? `\x1b[${drawn}A` : '') + text.map((t) => `\x1b[2K${t}\n`).join(''));
    drawn = text.length;
  };
  return (e) => {
    if (mode === 'quiet') return;
    if (mode === 'json') {
      if (e.type !== 'log') io.stdout(JSON.stringify(e) + '\n');
      return;
    }
    const line = e.type === 'end' ? undefined : e.target !== null ? lines.get(e.target) : undefined;
    if (e.type === 'snapshot' && line && e.kind === 'heap') {
      if (e.status === 'ok') {
        line.snapshots = e.stored;
        line.heap = e.heapInuseBytes;
        line.state = 'collecting';
      } else line.state = `failed: ${e.error ?? ''}`;
      line.rss = e.rssBytes ?? line.rss;
      line.failures = e.consecutiveFailures;
    }
    if (e.type === 'target-stopped' && line) line.state = `stopped: ${e.reason}`;
    if (mode === 'live') {
      if (e.type !== 'log') draw(e.t);
      return;
    }
    // plain
    if (e.type === 'snapshot' && e.kind === 'heap') {
      const what = e.status === 'ok' ? `heap ${mib(e.heapInuseBytes)}, rss ${mib(e.rssBytes)}` : `failed: ${e.error}`;
      io.stderr(`${escapeTerminal(e.target)} #${e.index}: ${what}\n`);
    } else if (e.type === 'target-stopped') io.stderr(`${escapeTerminal(e.target)}: stopped: ${e.reason}\n`);
    else if (e.type === 'end') io.stderr(`run ended: ${e.reason}\n`);
  };
}
