/**
 * Parser for the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): samples
 * with labels (escapes \\, \", \n), Go float values (NaN, ±Inf), optional
 * millisecond timestamps; HELP/TYPE and other comments skipped.
 */
export interface ExposedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestampMs: number | null;
}

/** A line that is not valid exposition format; `line` is 1-based. */
export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
  constructor(
    readonly line: number,
    readonly problem: string,
    readonly text: string,
  ) {
    super(`malformed metric line ${line}: ${problem}: ${JSON.stringify(text.length > 80 ? text.slice(0, 80) + '…' : text)}`);
  }
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

export function parsePrometheusText(text: string): ExposedSample[] {
  const out: ExposedSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!.endsWith('\r') ? lines[n]!.slice(0, -1) : lines[n]!;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(parseSampleLine(line, n + 1));
  }
  return out;
}

function parseSampleLine(line: string, lineNo: number): ExposedSample {
  const fail = (problem: string): never => {
    throw new MetricsFormatError(lineNo, problem, line);
  };
  let i = 0;
  if (!NAME_START.test(line[i] ?? '')) fail('metric name expected');
  while (i < line.length && NAME_CHAR.test(line[i]!)) i++;
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  const skipSpace = (): void => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  skipSpace();
  if (line[i] === '{') {
    i++;
    for (;;) {
      skipSpace();
      if (line[i] === '}') {
        i++;
        break;
      }
      const start = i;
      if (!LABEL_START.test(line[i] ?? '')) fail('label name expected');
      while (i < line.length && LABEL_CHAR.test(line[i]!)) i++;
      const key = line.slice(start, i);
      skipSpace();
      if (line[i] !== '=') fail(`"=" expected after label ${key}`);
      i++;
      skipSpace();
      if (line[i] !== '"') fail(`quoted value expected for label ${key}`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) fail(`unterminated value of label ${key}`);
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else fail(`invalid escape \\${e ?? ''} in label ${key}`);
        } else value += c;
      }
      if (key in labels) fail(`label ${key} repeated`);
      labels[key] = value;
      skipSpace();
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail('"," or "}" expected after a label');
    }
  }
  const rest = line.slice(i).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') fail('value expected');
  if (rest.length > 2) fail('unexpected text after the timestamp');
  const value = parseGoFloat(rest[0]!);
  if (value === null) fail(`invalid value "${rest[0]}"`);
  let timestampMs: number | null = null;
  if (rest.length === 2) {
    if (!/^-?\d+$/.test(rest[1]!)) fail(`invalid timestamp "${rest[1]}"`);
    timestampMs = Number(rest[1]);
  }
  return { name, labels, value: value!, timestampMs };
}

/** A float as Go's strconv.ParseFloat accepts it in this format (NaN, +Inf, -Inf, decimal, exponent). */
function parseGoFloat(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) return null;
  return Number(text);
}
