import {
  COMPARISON_OPS,
  SET_OPS,
  type AggregateOp,
  type BinaryOp,
  type Expr,
  type LabelMatcher,
  type MatchOp,
  type ValueType,
  type VectorSelector,
} from './ast.js';

/** Why an expression is not in heaplens' PromQL subset, and where (1-based column). */
export class PromQLError extends Error {
  override readonly name = 'PromQLError';
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
  }
}

/** Argument and result types of the functions heaplens evaluates. */
export const FUNCTIONS: Readonly<Record<string, { readonly args: readonly ValueType[]; readonly optional?: number; readonly returns: ValueType }>> = {
  rate: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  delta: { args: ['matrix'], returns: 'vector' },
  irate: { args: ['matrix'], returns: 'vector' },
  idelta: { args: ['matrix'], returns: 'vector' },
  deriv: { args: ['matrix'], returns: 'vector' },
  predict_linear: { args: ['matrix', 'scalar'], returns: 'vector' },
  avg_over_time: { args: ['matrix'], returns: 'vector' },
  min_over_time: { args: ['matrix'], returns: 'vector' },
  max_over_time: { args: ['matrix'], returns: 'vector' },
  sum_over_time: { args: ['matrix'], returns: 'vector' },
  count_over_time: { args: ['matrix'], returns: 'vector' },
  last_over_time: { args: ['matrix'], returns: 'vector' },
  abs: { args: ['vector'], returns: 'vector' },
  ceil: { args: ['vector'], returns: 'vector' },
  floor: { args: ['vector'], returns: 'vector' },
  round: { args: ['vector', 'scalar'], optional: 1, returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
};

const AGGREGATES: readonly string[] = ['sum', 'min', 'max', 'avg', 'count'];
const UNSUPPORTED_AGGREGATES: readonly string[] = ['stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group'];
const KEYWORDS: readonly string[] = ['by', 'without', 'on', 'ignoring', 'bool', 'offset', 'group_left', 'group_right', 'and', 'or', 'unless'];

/** Binary operator precedence, lowest first; `^` is right-associative. */
const PRECEDENCE: readonly (readonly string[])[] = [['or'], ['and', 'unless'], COMPARISON_OPS, ['+', '-'], ['*', '/', '%'], ['^']];

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Parses a PromQL expression of the subset; throws PromQLError naming the column. */
export function parsePromQL(text: string): Expr {
  const p = new Parser(text);
  const expr = p.expression();
  p.skipSpace();
  if (!p.atEnd()) p.fail(`unexpected ${JSON.stringify(p.rest().slice(0, 12))}`);
  return expr;
}

/** A Prometheus duration (`5m`, `1h30m`, `500ms`): integers with units, largest first. Null when not one. */
export function parsePromDuration(text: string): number | null {
  const m = /^((?:\d+(?:ms|s|m|h|d|w|y))+)$/.exec(text);
  if (!m) return null;
  let total = 0;
  for (const part of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  return total;
}

export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
    case 'aggregate':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTIONS[e.func]!.returns;
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  rest(): string {
    return this.src.slice(this.pos);
  }

  fail(reason: string, at = this.pos): never {
    throw new PromQLError(reason, at + 1);
  }

  skipSpace(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#') while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      else return;
    }
  }

  /** Consumes `token` (an operator or punctuation) if it comes next. */
  private eat(token: string): boolean {
    this.skipSpace();
    if (!this.src.startsWith(token, this.pos)) return false;
    // Do not split `<=` into `<`, `!=` into `!`, `=~` into `=`, `==` into `=`.
    const next = this.src[this.pos + token.length];
    if ((token === '<' || token === '>' || token === '=' || token === '!') && (next === '=' || next === '~')) return false;
    if (token === '=' && next === '=') return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string, what = `"${token}"`): void {
    if (!this.eat(token)) this.fail(`expected ${what}${this.atEnd() ? ' but the expression ended' : ''}`);
  }

  /** An identifier (metric names may contain ':'), without consuming it. */
  private peekIdent(): string | null {
    this.skipSpace();
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(this.rest());
    return m ? m[0] : null;
  }

  private eatKeyword(word: string): boolean {
    const id = this.peekIdent();
    if (id === null || id.toLowerCase() !== word) return false;
    this.pos += id.length;
    return true;
  }

  expression(level = 0): Expr {
    if (level === PRECEDENCE.length) return this.unary();
    let lhs = this.expression(level + 1);
    for (;;) {
      const op = this.binaryOp(PRECEDENCE[level]!);
      if (op === null) return lhs;
      const at = this.pos;
      const returnBool = this.eatKeyword('bool');
      if (returnBool && !COMPARISON_OPS.includes(op)) this.fail('bool modifier can only be used on comparison operators', at);
      let matching: { on: boolean; labels: string[] } | null = null;
      if (this.eatKeyword('on')) matching = { on: true, labels: this.labelList() };
      else if (this.eatKeyword('ignoring')) matching = { on: false, labels: this.labelList() };
      if (this.peekIdent() === 'group_left' || this.peekIdent() === 'group_right') this.fail('group_left/group_right (many-to-one matching) is not in heaplens\' PromQL subset');
      // `^` is right-associative: its right side is parsed at the same level.
      const rhs = op === '^' ? this.expression(level) : this.expression(level + 1);
      const lt = typeOf(lhs);
      const rt = typeOf(rhs);
      for (const [side, t] of [['left', lt], ['right', rt]] as const) {
        if (t === 'matrix' || t === 'string') this.fail(`binary expression must contain only scalar and instant vector types (${side} side is a ${t === 'matrix' ? 'range vector' : 'string'})`, at);
      }
      if (SET_OPS.includes(op) && (lt === 'scalar' || rt === 'scalar')) this.fail(`set operator "${op}" not allowed in binary scalar expression`, at);
      if (COMPARISON_OPS.includes(op) && lt === 'scalar' && rt === 'scalar' && !returnBool) this.fail('comparisons between scalars must use the bool modifier', at);
      if (matching && (lt === 'scalar' || rt === 'scalar')) this.fail('vector matching only allowed between instant vectors', at);
      lhs = { type: 'binary', op: op as BinaryOp, lhs, rhs, returnBool, matching };
    }
  }

  private binaryOp(ops: readonly string[]): string | null {
    this.skipSpace();
    for (const op of ops) {
      if (/^[a-z]/.test(op)) {
        if (this.eatKeyword(op)) return op;
      } else if (this.eat(op)) return op;
    }
    return null;
  }

  /**
   * A unary sign binds looser than `^` (Prometheus since 2.16, prometheus/prometheus#6579:
   * `-a ^ b` is `-(a ^ b)`), so its operand is a power expression.
   */
  private unary(): Expr {
    if (this.eat('-')) {
      const e = this.expression(PRECEDENCE.length - 1);
      if (e.type === 'number') return { type: 'number', value: -e.value };
      this.checkNumeric(e, 'unary expression');
      return { type: 'unary', op: '-', expr: e };
    }
    if (this.eat('+')) {
      const e = this.expression(PRECEDENCE.length - 1);
      this.checkNumeric(e, 'unary expression');
      return e;
    }
    return this.postfix();
  }

  private checkNumeric(e: Expr, what: string): void {
    const t = typeOf(e);
    if (t !== 'scalar' && t !== 'vector') this.fail(`${what} only allowed on expressions of type scalar or instant vector, got ${t}`);
  }

  /** A primary expression with its `[range]`, `[range:step]` and `offset` suffixes. */
  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === '[') {
        const at = this.pos;
        this.pos++;
        const range = this.duration();
        this.skipSpace();
        if (this.eat(':')) {
          this.skipSpace();
          const step = this.src[this.pos] === ']' ? null : this.duration();
          this.expect(']');
          if (typeOf(e) !== 'vector') this.fail(`subquery is only allowed on instant vector, got ${typeOf(e)}`, at);
          e = { type: 'subquery', expr: e, rangeMs: range, stepMs: step, offsetMs: 0 };
        } else {
          this.expect(']');
          if (e.type !== 'vector') this.fail('ranges only allowed for vector selectors', at);
          e = { type: 'matrix', selector: e, rangeMs: range };
        }
        continue;
      }
      const at = this.pos;
      if (this.eatKeyword('offset')) {
        this.skipSpace();
        const sign = this.eat('-') ? -1 : 1;
        const offset = sign * this.duration();
        if (e.type === 'vector') {
          if (e.offsetMs !== 0) this.fail('offset may not be set multiple times', at);
          e = { ...e, offsetMs: offset };
        } else if (e.type === 'matrix') {
          if (e.selector.offsetMs !== 0) this.fail('offset may not be set multiple times', at);
          e = { ...e, selector: { ...e.selector, offsetMs: offset } };
        } else if (e.type === 'subquery') {
          if (e.offsetMs !== 0) this.fail('offset may not be set multiple times', at);
          e = { ...e, offsetMs: offset };
        } else this.fail('offset modifier must be preceded by an instant vector selector, range vector selector or subquery', at);
        continue;
      }
      if (this.src[this.pos] === '@') this.fail('the @ modifier is not in heaplens\' PromQL subset');
      return e;
    }
  }

  private duration(): number {
    this.skipSpace();
    const m = /^[0-9a-z]+/.exec(this.rest());
    const ms = m ? parsePromDuration(m[0]) : null;
    if (!m || ms === null) this.fail(`bad duration ${JSON.stringify(m?.[0] ?? this.rest().slice(0, 6))}: expected a number with a unit (ms, s, m, h, d, w, y)`);
    if (ms === 0) this.fail('duration must be greater than 0');
    this.pos += m[0].length;
    return ms;
  }

  private primary(): Expr {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === undefined) this.fail('unexpected end of expression');
    if (c === '(') {
      this.pos++;
      const e = this.expression();
      this.expect(')');
      return e;
    }
    if (c === '"' || c === "'" || c === '`') return { type: 'string', value: this.stringLiteral() };
    if (c === '{') return this.selector(null, this.pos);
    const num = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/.exec(this.rest());
    if (num) {
      this.pos += num[0].length;
      if (/^[a-zA-Z_]/.test(this.rest())) this.fail(`bad number or duration syntax "${num[0]}${this.rest().slice(0, 2)}"`);
      return { type: 'number', value: Number(num[0]) };
    }
    const at = this.pos;
    const id = this.peekIdent();
    if (id === null) this.fail(`unexpected character ${JSON.stringify(c)}`);
    const lower = id.toLowerCase();
    if (lower === 'inf' || lower === 'nan') {
      this.pos += id.length;
      return { type: 'number', value: lower === 'inf' ? Infinity : NaN };
    }
    if (KEYWORDS.includes(id)) this.fail(`unexpected keyword "${id}"`);
    this.pos += id.length;
    if (AGGREGATES.includes(id) && this.isAggregateAhead()) return this.aggregate(id as AggregateOp, at);
    if (UNSUPPORTED_AGGREGATES.includes(id) && this.isAggregateAhead()) this.fail(`aggregation "${id}" is not in heaplens' PromQL subset (sum, min, max, avg, count)`, at);
    this.skipSpace();
    if (this.src[this.pos] === '(') {
      if (!(id in FUNCTIONS)) this.fail(`function "${id}" is not in heaplens' PromQL subset (${Object.keys(FUNCTIONS).join(', ')})`, at);
      return this.call(id, at);
    }
    return this.selector(id, at);
  }

  /** After an aggregation's name: `(`, or `by`/`without` then `(`. */
  private isAggregateAhead(): boolean {
    const save = this.pos;
    this.skipSpace();
    const ahead = this.src[this.pos] === '(' || this.peekIdent() === 'by' || this.peekIdent() === 'without';
    this.pos = save;
    return ahead;
  }

  private aggregate(op: AggregateOp, at: number): Expr {
    let grouping: string[] = [];
    let without = false;
    let modifierSeen = false;
    if (this.eatKeyword('by')) {
      grouping = this.labelList();
      modifierSeen = true;
    } else if (this.eatKeyword('without')) {
      grouping = this.labelList();
      without = true;
      modifierSeen = true;
    }
    this.expect('(');
    const expr = this.expression();
    if (this.eat(',')) this.fail(`aggregation "${op}" takes one argument`);
    this.expect(')');
    if (!modifierSeen) {
      if (this.eatKeyword('by')) grouping = this.labelList();
      else if (this.eatKeyword('without')) {
        grouping = this.labelList();
        without = true;
      }
    }
    if (typeOf(expr) !== 'vector') this.fail(`expected type instant vector in aggregation expression, got ${typeOf(expr)}`, at);
    return { type: 'aggregate', op, expr, grouping, without };
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    if (this.eat(')')) return labels;
    do {
      this.skipSpace();
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.rest());
      if (!m) this.fail('expected a label name');
      labels.push(m[0]);
      this.pos += m[0].length;
    } while (this.eat(','));
    this.expect(')');
    return labels;
  }

  private call(func: string, at: number): Expr {
    const sig = FUNCTIONS[func]!;
    this.expect('(');
    const args: Expr[] = [];
    if (!this.eat(')')) {
      do args.push(this.expression());
      while (this.eat(','));
      this.expect(')');
    }
    const min = sig.args.length - (sig.optional ?? 0);
    if (args.length < min || args.length > sig.args.length) {
      this.fail(`function "${func}" takes ${min === sig.args.length ? min : `${min} to ${sig.args.length}`} argument(s), got ${args.length}`, at);
    }
    args.forEach((a, i) => {
      const want = sig.args[i]!;
      if (typeOf(a) !== want) this.fail(`function "${func}" expects a ${want === 'matrix' ? 'range vector' : want === 'vector' ? 'instant vector' : want} as argument ${i + 1}, got ${typeOf(a) === 'matrix' ? 'range vector' : typeOf(a)}`, at);
    });
    return { type: 'call', func, args };
  }

  private selector(name: string | null, at: number): VectorSelector {
    const matchers: LabelMatcher[] = [];
    if (name !== null) matchers.push({ name: '__name__', op: '=', value: name, regex: null });
    this.skipSpace();
    if (this.src[this.pos] === '{') {
      this.pos++;
      while (!this.eat('}')) {
        this.skipSpace();
        const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.rest());
        if (!m) this.fail('expected a label name in the selector');
        this.pos += m[0].length;
        this.skipSpace();
        const op = (['=~', '!~', '!=', '='] as const).find((o) => this.src.startsWith(o, this.pos));
        if (!op) this.fail(`expected a label matching operator (=, !=, =~, !~) after "${m[0]}"`);
        this.pos += op.length;
        this.skipSpace();
        const valueAt = this.pos;
        const value = this.stringLiteral();
        matchers.push(makeMatcher(m[0], op, value, (reason) => this.fail(reason, valueAt)));
        if (!this.eat(',')) {
          this.expect('}', '"," or "}" in the selector');
          break;
        }
      }
    }
    if (name !== null && matchers.some((m, i) => i > 0 && m.name === '__name__')) this.fail('metric name must not be set twice', at);
    // Prometheus refuses selectors that would match every series.
    if (!matchers.some((m) => !matches(m, ''))) this.fail('vector selector must contain at least one non-empty matcher', at);
    return { type: 'vector', matchers, offsetMs: 0 };
  }

  private stringLiteral(): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'" && quote !== '`') this.fail('expected a quoted string');
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || (c === '\n' && quote !== '`')) this.fail('unterminated quoted string', start);
      this.pos++;
      if (c === quote) return out;
      if (c === '\\' && quote !== '`') {
        const e = this.src[this.pos++];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
        if (e !== undefined && e in simple) out += simple[e];
        else if (e === 'x' || e === 'u' || e === 'U') {
          const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = this.src.slice(this.pos, this.pos + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail('bad escape in string', this.pos - 2);
          out += String.fromCodePoint(parseInt(hex, 16));
          this.pos += len;
        } else this.fail(`unknown escape sequence \\${e ?? ''}`, this.pos - 2);
      } else out += c;
    }
  }
}

function makeMatcher(name: string, op: MatchOp, value: string, fail: (reason: string) => never): LabelMatcher {
  if (op === '=' || op === '!=') return { name, op, value, regex: null };
  try {
    // Prometheus anchors regexes at both ends; RE2's `.` does not match a newline, nor does JavaScript's without `s`.
    return { name, op, value, regex: new RegExp(`^(?:${value})$`, 'u') };
  } catch (e) {
    return fail(`invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`);
  }
}

/** Whether a label value (absent labels are "") satisfies a matcher. */
export function matches(m: LabelMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regex!.test(value);
    case '!~':
      return !m.regex!.test(value);
  }
}
