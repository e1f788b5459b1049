/**
 * A flame graph (icicle) of one heap profile, or of the change between two:
 * the call tree merged by function, root first, with nodes in pre-order
 * (a parent before its children, siblings by descending size). Node 0 is
 * the root ("all"). Plain arrays so that it embeds in report.html as JSON.
 */
export interface FlameGraph {
  readonly schemaVersion: 1;
  readonly sampleType: string;
  readonly unit: string;
  /** Distinct frame names; `name[i]` indexes this table. */
  readonly names: readonly string[];
  readonly name: readonly number[];
  /** Parent node, -1 for the root. */
  readonly parent: readonly number[];
  /** Cumulative value of the node's subtree (the peak side of a diff). */
  readonly value: readonly number[];
  /** Diff graphs: the base side's cumulative value; null for a single profile. */
  readonly base: readonly number[] | null;
  /** Snapshot indices of the base and peak sides (base is -1 for a single profile). */
  readonly baseSnapshot: number;
  readonly snapshot: number;
  /** Nodes left out to keep the graph small (each smaller than every node kept); their bytes stay in their parents. */
  readonly prunedNodes: number;
}

/** report.html's flame graphs of one target: the peak profile, and the change to it from the first snapshot after start-up. */
export interface TargetFlameGraphs {
  readonly target: string;
  readonly peak: FlameGraph | null;
  readonly diff: FlameGraph | null;
}
