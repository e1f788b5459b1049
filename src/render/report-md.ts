import type { AlertResult, Recommendation, Report, TargetReport } from '../model/report.js';
import { formatMiB as mb, formatRange } from '../model/size.js';
import { alertValue as decimal, forDuration as seconds, pct, sinceStart as time, suspectHistory, suspectSite } from './report-format.js';
import { escapeMarkdownCell, escapeTerminal } from './escape.js';

/** One line per alert for the executive summary: what fired, how high, when. */
function alertLine(a: AlertResult, t0: number): string {
  const title = escapeMarkdownCell(a.annotations.summary ?? a.name);
  const value = a.maxValue !== null ? decimal(a.maxValue, a.unit) : 'n/a';
  if (a.fired) return `**${escapeMarkdownCell(a.name)}** fired — ${title}: ${value} at most, first at ${time(a.firstFiredAt!, t0)} (for ${seconds(a.forSeconds)})`;
  return `**${escapeMarkdownCell(a.name)}** pending, never fired — ${title}: ${value} at most, active from ${time(a.firstActiveAt!, t0)} but not for ${seconds(a.forSeconds)}`;
}

/** report.md: the hand-written report's sections, computed. Names from profiles are escaped. */
export function renderReportMarkdown(report: Report): string {
  const out: string[] = [`# Memory analysis: ${escapeMarkdownCell(report.run.name)}`, ''];
  out.push(`Run: ${report.run.start ?? '?'} to ${report.run.end ?? '?'}, ${report.run.snapshots} heap snapshots (heaplens ${report.tool.version}).`, '');
  for (const t of report.targets) out.push(...renderTarget(t));
  return out.join('\n') + '\n';
}

function renderTarget(t: TargetReport): string[] {
  const out: string[] = [];
  const t0 = t.series[0]?.t ?? 0;
  if (t.series.length === 0) return [`## ${escapeMarkdownCell(t.name)}`, '', 'No heap snapshot was collected.', ''];
  out.push(`## ${escapeMarkdownCell(t.name)}`, '', '### Executive summary', '');
  out.push(`- Peak heap (in-use, from profile samples): **${mb(t.peak.heapInuseBytes)}** at snapshot ${t.peak.heapSnapshot}`);
  out.push(`- Peak RSS: **${mb(t.peak.rssBytes)}**`);
  if (t.overhead) out.push(`- Overhead RSS − heap at peak RSS (snapshot ${t.overhead.atSnapshot}): **${mb(t.overhead.bytes)}** (${pct(t.overhead.share)} of RSS)`);
  const fired = t.alerts.filter((a) => a.state === 'fired').sort((a, b) => a.firstFiredAt! - b.firstFiredAt!);
  const pending = t.alerts.filter((a) => a.state === 'pending');
  out.push('', '**Alerts fired:**', '');
  if (fired.length === 0) out.push(t.alerts.length === 0 ? '- none evaluated' : `- none (${t.alerts.filter((a) => a.state !== 'no-data').length} of ${t.alerts.length} rules had data)`);
  fired.forEach((a, i) => out.push(`${i + 1}. ${alertLine(a, t0)}`));
  if (pending.length > 0) {
    out.push('', '**Alerts pending** (active, but never for their `for` duration; not fired):', '');
    pending.forEach((a) => out.push(`- ${alertLine(a, t0)}`));
  }
  out.push('', `**Verdict: ${t.verdict.kind.toUpperCase()}.** ${escapeMarkdownCell(t.keyFinding)}`, '');

  out.push(`### Memory breakdown (peak heap, snapshot ${t.peak.heapSnapshot})`, '', '| Component | Size | % of heap | Optimizable |', '|---|---|---|---|');
  for (const c of t.components) out.push(`| ${escapeMarkdownCell(c.name)} | ${mb(c.bytes)} | ${pct(c.share)} | ${c.optimizable} |`);
  out.push('', 'Each byte is counted once, in the first component whose rule matches its allocation stack, so the shares add up to 100%.', '');

  out.push('### Growth pattern', '', '| Phase | Snapshots | Time | Heap | Slope |', '|---|---|---|---|---|');
  for (const p of t.phases) {
    out.push(`| ${p.kind} | ${p.startIndex}–${p.endIndex} | ${time(p.startT, t0)} → ${time(p.endT, t0)} | ${mb(p.startBytes)} → ${mb(p.endBytes)} | ${(p.slopeBytesPerSec / 1024).toFixed(1)} kB/s |`);
  }
  out.push('');
  if (t.rssPhases.length > 0) {
    out.push(`RSS: ${t.rssPhases.map((p) => `${p.kind} (${p.startIndex}–${p.endIndex}, ${mb(p.startBytes)} → ${mb(p.endBytes)})`).join(', ')}.`, '');
  }
  if (t.staleSnapshots > 0) {
    out.push(
      `${t.staleSnapshots} of ${t.series.length} snapshots are **stale**: their heap profile repeats the previous one because no GC ran in between. ` +
        'They are not evidence of stability and are left out of phases, verdict and suspects. Collect with `--gc` for a fresh heap at every snapshot.',
      '',
    );
  }

  out.push('### Root cause analysis', '');
  for (const rc of t.rootCauses) {
    out.push(`#### ${escapeMarkdownCell(rc.component)} (${mb(rc.bytes)} / ${pct(rc.share)})`, '', 'Heaviest call paths at the peak, allocating function first:', '');
    for (const p of rc.paths) {
      out.push('```', ...p.stack.map((f, i) => `${'  '.repeat(i)}${i === 0 ? '' : f === '…' ? '' : '← '}${escapeFence(f)}`), `(${mb(p.bytes)})`, '```');
    }
    out.push('');
  }
  if (t.growth && t.growth.contributors.length > 0) {
    out.push(
      `Growth from snapshot ${t.growth.fromIndex} (${mb(t.growth.fromBytes)}) to the peak at ${t.growth.toIndex} (${mb(t.growth.toBytes)}), by function:`,
      '',
      '| Function | From | To | Change |',
      '|---|---|---|---|',
    );
    for (const c of t.growth.contributors) out.push(`| ${escapeMarkdownCell(c.function)} | ${mb(c.fromBytes)} | ${mb(c.toBytes)} | +${mb(c.deltaBytes)} |`);
    out.push('');
  }

  if (t.restarts.length > 0) {
    out.push('### Restarts', '', '| When | Snapshot | What | Reason | Exit code |', '|---|---|---|---|---|');
    for (const r of t.restarts) out.push(`| ${time(r.t, t0)} | ${r.index >= 0 ? r.index : '—'} | ${escapeMarkdownCell(r.message)} | ${escapeMarkdownCell(r.reason ?? '—')} | ${r.exitCode ?? '—'} |`);
    out.push('');
    if (t.lifetimes.length > 1) {
      out.push('Each process lifetime, judged on its own (the verdict below is the leaking one, else the last):', '', '| Lifetime | Snapshots | Peak heap | Verdict | Slope | Ended by |', '|---|---|---|---|---|---|');
      t.lifetimes.forEach((l, i) => out.push(`| ${i + 1} | ${l.startIndex}–${l.endIndex} (${l.snapshots}) | ${mb(l.peakHeapBytes)} | ${l.verdict} | ${mb(l.slopeBytesPerHour)}/h | ${escapeMarkdownCell(l.endedBy ?? '—')} |`));
      out.push('');
    }
  }

  out.push('### Leak verdict', '');
  out.push(`- Decided by: ${t.verdict.rule} — ${escapeMarkdownCell(t.verdict.reason)}`);
  out.push(`- Window: snapshots ${t.verdict.startIndex}–${t.verdict.endIndex} (${t.verdict.points} non-stale)`);
  out.push(`- Slope (Theil–Sen): ${mb(t.verdict.slopeBytesPerHour)}/h, 95% interval ${mb(t.verdict.slopeLowBytesPerHour)} to ${mb(t.verdict.slopeHighBytesPerHour)}/h`);
  out.push(`- Trend test (Mann–Kendall, autocorrelation-corrected): p = ${t.verdict.pValue.toPrecision(2)}`);
  if (t.memoryLimit) {
    const when = t.memoryLimit.timeToLimitHours === null ? 'not projected (no leak)' : `reached in about ${t.memoryLimit.timeToLimitHours < 1 ? `${Math.round(t.memoryLimit.timeToLimitHours * 60)} min` : `${t.memoryLimit.timeToLimitHours.toFixed(1)} h`} at this slope`;
    out.push(`- Memory limit: ${mb(t.memoryLimit.bytes)} (${escapeMarkdownCell(t.memoryLimit.source)}), ${mb(t.memoryLimit.currentBytes)} in use at the end: ${when}`);
  }
  out.push('');

  out.push('### Leak suspects', '');
  if (t.leakSuspects.length === 0) out.push('No call site grows beyond its own sampling noise.', '');
  else {
    out.push(
      'Call sites (and callers grouping several sites) whose memory grew, judged over the whole run: never released first — the leak\'s signature — then released before, bounded by their cycle.',
      '',
      '| # | Allocated in | Called from | Gained | History | Rise (ρ) |',
      '|---|---|---|---|---|---|',
    );
    t.leakSuspects.forEach((s, i) => {
      out.push(`| ${i + 1} | ${escapeMarkdownCell(suspectSite(s))} | ${s.stack.slice(1).map(escapeMarkdownCell).join(' ← ')} | ${mb(s.growthBytes)} | ${escapeMarkdownCell(suspectHistory(s))} | ${s.rho.toFixed(2)} |`);
    });
    out.push('');
  }

  out.push('### Allocation and goroutines', '');
  if (t.allocation) {
    out.push(`Allocation rate: ${mb(t.allocation.meanBytesPerSec)}/s on average, ${mb(t.allocation.peakBytesPerSec)}/s at most between snapshots — the GC pressure behind RSS. Allocating most:`, '');
    out.push('| Function | Allocated | Rate |', '|---|---|---|');
    for (const f of t.allocation.topFunctions) out.push(`| ${escapeMarkdownCell(f.function)} | ${mb(f.bytes)} | ${mb(f.bytesPerSec)}/s |`);
    out.push('');
  }
  if (t.goroutines) {
    out.push(
      `Goroutines (${t.goroutines.source}): ${t.goroutines.first} → ${t.goroutines.last} (peak ${t.goroutines.peak}); ${t.goroutines.growing ? `**rising** (trend p = ${t.goroutines.pValue.toPrecision(2)}): a goroutine leak holds stacks and what they reference` : 'no sustained rise'}.`,
      '',
    );
    if (t.goroutines.growingStacks.length > 0) {
      out.push('| Goroutines waiting in | Count | Rise (ρ) |', '|---|---|---|');
      for (const g of t.goroutines.growingStacks) out.push(`| ${g.stack.map(escapeMarkdownCell).join(' ← ')} | ${g.from} → ${g.to} | ${g.rho.toFixed(2)} |`);
      out.push('');
    }
  }

  out.push('### Heap vs RSS overhead', '');
  if (!t.overhead) out.push('Unknown: RSS or go_memstats_* metrics were not collected.', '');
  else {
    out.push('| Part | Size |', '|---|---|');
    for (const p of t.overhead.parts) out.push(`| ${p.name} | ${mb(p.bytes)} |`);
    out.push('');
  }
  out.push(...renderAlerts(t, t0), ...renderRecommendations(t), ...renderSuccess(t));
  return out;
}

function renderAlerts(t: TargetReport, t0: number): string[] {
  const out: string[] = ['### Alerts', ''];
  if (t.alerts.length === 0) out.push('No alert rules were evaluated.', '');
  else {
    out.push(
      `Evaluated over the run at every scrape, as Prometheus would (rules from ${escapeMarkdownCell(t.alerts[0]!.source)}):`,
      '',
      '| Alert | Expression | For | State | First fired | Max value | Threshold vs observed |',
      '|---|---|---|---|---|---|---|',
    );
    for (const a of t.alerts) {
      const th = a.threshold;
      const observed = th && th.observedMax !== null ? `${th.op} ${decimal(th.value, a.unit)}; observed ${decimal(th.observedMin!, a.unit)} to ${decimal(th.observedMax, a.unit)}` : '';
      out.push(
        `| ${escapeMarkdownCell(a.name)} | \`${escapeMarkdownCell(a.expr).replace(/`/g, "'")}\` | ${seconds(a.forSeconds)} | ${a.state} | ${a.firstFiredAt !== null ? time(a.firstFiredAt, t0) : '—'} | ${a.maxValue !== null ? decimal(a.maxValue, a.unit) : '—'} | ${observed} |`,
      );
    }
    out.push('');
  }
  const th = t.thresholds;
  out.push('### Recommended alert thresholds', '');
  if (!th) {
    out.push('None: no memory series (RSS, working set or heap) was collected.', '');
    return out;
  }
  out.push(
    `On \`${th.metric}\`, so that this run's normal behaviour would not alert (\`heaplens rules RUN\` writes them as a rule file):`,
    '',
    '| Alert | Threshold | Basis |',
    '|---|---|---|',
    `| MemoryGrowth | > ${decimal(th.growth.bytesPerSec, 'bytes/s')} over ${seconds(th.windowSeconds)} | ${escapeMarkdownCell(th.growth.basis)} |`,
    `| MemoryPeak | > ${decimal(th.peak.bytes, 'bytes')} | ${escapeMarkdownCell(th.peak.basis)} |`,
    `| for (both) | ${seconds(th.forSeconds)} | ${escapeMarkdownCell(th.forBasis)} |`,
    '',
  );
  const fired = th.onThisRun.filter((a) => a.fired);
  out.push(
    fired.length === 0
      ? 'With these thresholds, this run raises no alert.'
      : `With these thresholds, this run still raises ${fired.map((a) => `${a.name} (first at ${time(a.firstFiredAt!, t0)}, up to ${decimal(a.maxValue!, a.unit)})`).join(' and ')}.`,
    '',
    '```yaml',
    ...th.rules.flatMap((r) => [`- alert: ${r.alert}`, `  expr: ${escapeFence(r.expr)}`, `  for: ${r.for}`]),
    '```',
    '',
  );
  return out;
}

function savings(r: Recommendation): string {
  return r.estimatedSavingsBytes > 0 ? formatRange(r.savingsLowBytes, r.savingsHighBytes, mb) : '—';
}

function renderRecommendations(t: TargetReport): string[] {
  const out: string[] = ['### Recommended optimizations', ''];
  if (t.recommendations.length === 0) out.push('None: no catalog entry applies to this run.', '');
  for (const r of t.recommendations) {
    out.push(`#### Priority ${r.priority}: ${escapeMarkdownCell(r.title)}`, '');
    out.push(escapeTerminal(r.action.replace(/\s*\n\s*/g, ' ')), '');
    out.push(`- Effort: ${r.effort}; risk: ${r.risk}`);
    out.push(`- Estimated saving: ${r.estimatedSavingsBytes > 0 ? `**${savings(r)}** (${escapeMarkdownCell(r.savingsBasis)})` : 'none in bytes'}`);
    out.push(`- Evidence: ${escapeMarkdownCell(r.evidence.detail)}`);
    if (r.evidence.kind === 'functions') out.push(`- Functions: ${r.evidence.frames.map(escapeMarkdownCell).join(', ')}`);
    else if (r.evidence.frames.length > 0) out.push('', '```', ...r.evidence.frames.map((f, i) => `${'  '.repeat(i)}${i === 0 ? '' : '← '}${escapeFence(f)}`), '```');
    out.push('');
  }
  if (t.nonViable.length > 0) {
    out.push('### Non-viable optimizations', '', '| Option | Why not |', '|---|---|');
    for (const r of t.nonViable) out.push(`| ${escapeMarkdownCell(r.title)} | ${escapeMarkdownCell(r.reason ?? '')} |`);
    out.push('');
  }
  if (t.actionPlan.length > 0) {
    out.push('### Action plan', '');
    t.actionPlan.forEach((p, i) => {
      out.push(`**Phase ${i + 1}: ${p.phase}**`, '');
      p.items.forEach((item, j) => out.push(`${j + 1}. ${escapeMarkdownCell(item.text)}`));
      out.push('');
    });
  }
  return out;
}

function renderSuccess(t: TargetReport): string[] {
  const s = t.successMetrics;
  const b = s.baseline;
  const out: string[] = ['### Success metrics', '', 'Baseline (this run):', ''];
  out.push(`- Peak heap: ${mb(b.peakHeapBytes)}`, `- Peak RSS: ${mb(b.peakRssBytes)}`);
  if (b.steadyHeapBytes !== null) out.push(`- Steady heap (median over the verdict's window): ${mb(b.steadyHeapBytes)}`);
  out.push(`- Steady slope: ${mb(b.steadySlopeBytesPerHour)}/h (${b.verdict})`, '', 'Targets for a later run (`heaplens compare`):', '');
  if (s.leakFree) out.push('- No leak: the verdict must be no-leak');
  for (const x of s.targets) out.push(`- ${x.metric === 'peakHeapBytes' ? 'Peak heap' : x.metric === 'peakRssBytes' ? 'Peak RSS' : 'Steady heap'}: < ${mb(x.target)} (−${Math.round(x.reduction * 100)}%)`);
  out.push('');
  return out;
}

/** Inside a fenced block only a line of backticks could break out; neutralise runs of three. */
function escapeFence(text: string): string {
  return escapeTerminal(text).replace(/`{3,}/g, (m) => m.split('').join('\u200b'));
}
