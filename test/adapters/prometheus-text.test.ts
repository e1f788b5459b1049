import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetricsFormatError, parsePrometheusText } from '../../src/adapters/prometheus-text.js';

describe('parsePrometheusText', () => {
  it('parses samples, labels with escapes, special values and timestamps', () => {
    const text = [
      '# HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use.',
      '# TYPE go_memstats_heap_inuse_bytes gauge',
      'go_memstats_heap_inuse_bytes 1.2345e+07',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      'nan_metric{trailing="comma",} NaN',
      '   ',
    ].join('\n');
    const s = parsePrometheusText(text);
    expect(s).toHaveLength(6);
    expect(s[0]).toEqual({ name: 'go_memstats_heap_inuse_bytes', labels: {}, value: 12345000, timestampMs: null });
    expect(s[1]).toEqual({ name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 });
    expect(s[2]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(s[4]).toMatchObject({ value: Infinity, timestampMs: -3982045 });
    expect(s[5]!.value).toBeNaN();
    expect(s[5]!.labels).toEqual({ trailing: 'comma' });
  });

  it('parses the example workload\'s /metrics', () => {
    // Lines captured by the fixture script are JSON; rebuild exposition text from them and parse it back.
    const first = readFileSync('test/fixtures/runs/plateau/operator-sim/metrics.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 20);
    const text = first.map((l) => JSON.parse(l) as { name: string; value: number }).map((m) => `${m.name} ${m.value}`).join('\n');
    const parsed = parsePrometheusText(text);
    expect(parsed.map((p) => p.name)).toContain('process_resident_memory_bytes');
  });

  it.each([
    ['1bad_name 1', 1, /metric name expected/],
    ['ok 1\nbad{a=b} 1', 2, /quoted value expected for label a/],
    ['x{a="1"', 1, /unterminated|"," or "}"/],
    ['x{a="\\q"} 1', 1, /invalid escape/],
    ['x 12abc', 1, /invalid value "12abc"/],
    ['x 1 2 3', 1, /unexpected text/],
    ['x', 1, /value expected/],
    ['x{a="1",a="2"} 1', 1, /label a repeated/],
  ])('refuses %j naming line %i', (text, line, problem) => {
    try {
      parsePrometheusText(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MetricsFormatError);
      expect((e as MetricsFormatError).line).toBe(line);
      expect((e as Error).message).toMatch(problem);
    }
  });
});
