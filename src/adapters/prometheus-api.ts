import type { MetricSample } from '../model/run.js';
import type { HttpGet } from './http-get.js';
import { HttpError } from './http-get.js';

/** A Prometheus-compatible HTTP API refused a query or answered nonsense; the message says which. */
export class PrometheusApiError extends Error {
  override readonly name = 'PrometheusApiError';
}

interface MatrixResult {
  readonly metric: Record<string, string>;
  readonly values: ReadonlyArray<readonly [number, string]>;
}

/**
 * Runs a range query (`/api/v1/query_range`, Prometheus HTTP API) against
 * Prometheus, VictoriaMetrics, Thanos or Mimir, and returns its points as
 * metric samples named `name`, with each series' labels (its __name__ dropped).
 */
export async function queryRange(
  get: HttpGet,
  baseUrl: string,
  name: string,
  query: string,
  range: { startMs: number; endMs: number; stepMs: number },
  signal: AbortSignal,
  timeoutMs = 30_000,
): Promise<MetricSample[]> {
  const params = new URLSearchParams({
    query,
    start: (range.startMs / 1000).toFixed(3),
    end: (range.endMs / 1000).toFixed(3),
    step: `${Math.max(1, Math.round(range.stepMs / 1000))}s`,
  });
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query_range?${params}`;
  let res;
  try {
    res = await get(url, { timeoutMs, maxBytes: 256 << 20, signal });
  } catch (e) {
    if (e instanceof HttpError) throw new PrometheusApiError(`${baseUrl}: ${e.message}`);
    throw e;
  }
  let body: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: MatrixResult[] } };
  try {
    body = JSON.parse(new TextDecoder().decode(res.body)) as typeof body;
  } catch {
    throw new PrometheusApiError(`${baseUrl}: HTTP ${res.status}, not a Prometheus API response`);
  }
  if (body.status !== 'success') {
    throw new PrometheusApiError(`query ${name} (${query}): ${body.errorType ?? `HTTP ${res.status}`}: ${body.error ?? 'failed'}`);
  }
  if (body.data?.resultType !== 'matrix' || !Array.isArray(body.data.result)) {
    throw new PrometheusApiError(`query ${name}: expected a matrix result, got ${body.data?.resultType ?? 'nothing'}`);
  }
  const out: MetricSample[] = [];
  for (const series of body.data.result) {
    const { __name__: _name, ...labels } = series.metric;
    for (const [ts, v] of series.values) out.push({ t: Math.round(ts * 1000), name, labels, value: Number(v) });
  }
  return out;
}
