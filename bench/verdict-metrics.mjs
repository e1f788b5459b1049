// Metrics of the labelled verdict benchmark, shared by bench/verdicts.mjs and
// its test (test/analyze/verdict-cases.test.ts). Plain functions of data.

/**
 * The rank (1-based) of the first suspect that names `fn`: as its function
 * (the allocating function of a site, or a caller grouping several sites),
 * or as the nearest caller of a site's allocating function (the leak's own
 * function calling a helper, such as deepCopyJSON). null when absent.
 */
export function rankOfFunction(suspects, fn) {
  const i = suspects.findIndex((s) => s.function === fn || (s.kind !== 'caller' && s.stack[1] === fn));
  return i < 0 ? null : i + 1;
}

/** Prefix lengths judged for stability: 6, 8, ..., and the whole run. */
export function prefixSizes(n, first = 6, step = 2) {
  const out = [];
  for (let k = first; k < n; k += step) out.push(k);
  if (n >= first) out.push(n);
  return out;
}

/** [from, to) windows of `size` snapshots from `start`, every `stride`. */
export function windowsOf(start, n, size, stride) {
  const out = [];
  for (let from = start; from + size <= n; from += stride) out.push([from, from + size]);
  return out;
}

/** Fewest leading snapshots from which every judged prefix says leak; null when the whole run does not. */
export function detectionDelay(prefixes) {
  let k = null;
  for (let i = prefixes.length - 1; i >= 0 && prefixes[i].kind === 'leak'; i--) k = prefixes[i].k;
  return k;
}
