/**
 * The PromQL subset heaplens evaluates (DESIGN.md): selectors with label
 * matchers, range selectors and subqueries, `offset`, the range and
 * element-wise functions memory alerts use, aggregations with `by`/`without`,
 * arithmetic, comparisons (with `bool`), `and`/`or`/`unless`, and one-to-one
 * vector matching with `on`/`ignoring`.
 */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Subquery
  | Call
  | Aggregate
  | Binary
  | Unary;

export interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
}

export interface StringLiteral {
  readonly type: 'string';
  readonly value: string;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** Compiled, fully anchored as Prometheus anchors it, for `=~` and `!~`. */
  readonly regex: RegExp | null;
}

export interface VectorSelector {
  readonly type: 'vector';
  /** Includes the `__name__` matcher when the metric name was written. */
  readonly matchers: readonly LabelMatcher[];
  readonly offsetMs: number;
}

export interface MatrixSelector {
  readonly type: 'matrix';
  readonly selector: VectorSelector;
  readonly rangeMs: number;
}

export interface Subquery {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** null: the evaluation interval. */
  readonly stepMs: number | null;
  readonly offsetMs: number;
}

export interface Call {
  readonly type: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export type AggregateOp = 'sum' | 'min' | 'max' | 'avg' | 'count';

export interface Aggregate {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface Binary {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** `bool` modifier on a comparison: 0/1 instead of filtering. */
  readonly returnBool: boolean;
  /** `on(...)` (labels to match on) or `ignoring(...)`; null: all labels but the name. */
  readonly matching: { readonly on: boolean; readonly labels: readonly string[] } | null;
}

export interface Unary {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
}

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export const COMPARISON_OPS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
export const SET_OPS: readonly string[] = ['and', 'or', 'unless'];
