/**
 * Number formatting that matches Go's fmt verbs `%.Nf` and `%.Ng` exactly,
 * so heaplens' tables read digit for digit like `go tool pprof`'s. JS's
 * toFixed/toPrecision round exact ties away from zero; Go rounds the exact
 * binary value half-to-even. Every double is a finite decimal, so we expand
 * it exactly with BigInt and round that.
 */

interface ExactDecimal {
  readonly negative: boolean;
  /** |x| = digits × 10^exp10, exactly. */
  readonly digits: bigint;
  readonly exp10: number;
}

const view = new DataView(new ArrayBuffer(8));

function exactDecimal(x: number): ExactDecimal {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (biased === 0) {
    exp2 = -1074;
  } else {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  if (exp2 >= 0) return { negative, digits: mantissa << BigInt(exp2), exp10: 0 };
  // m / 2^k = m·5^k / 10^k
  return { negative, digits: mantissa * 5n ** BigInt(-exp2), exp10: exp2 };
}

/** |x| rounded half-to-even to a multiple of 10^-places, as an integer count of 10^-places. */
function roundToPlaces(d: ExactDecimal, places: number): bigint {
  const shift = d.exp10 + places;
  if (shift >= 0) return d.digits * 10n ** BigInt(shift);
  const q = 10n ** BigInt(-shift);
  const n = d.digits / q;
  const twiceRem = (d.digits % q) * 2n;
  if (twiceRem > q || (twiceRem === q && n % 2n === 1n)) return n + 1n;
  return n;
}

/** Go's `fmt.Sprintf("%.{places}f", x)`. */
export function formatFixed(x: number, places: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const d = exactDecimal(x);
  const n = roundToPlaces(d, places).toString();
  const padded = n.padStart(places + 1, '0');
  const int = padded.slice(0, padded.length - places);
  const frac = padded.slice(padded.length - places);
  return (d.negative ? '-' : '') + int + (places > 0 ? '.' + frac : '');
}

/** Go's `fmt.Sprintf("%.{precision}g", x)` (shortest of %e / %f, trailing zeros removed). */
export function formatGeneral(x: number, precision: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const p = Math.max(1, precision);
  const d = exactDecimal(x);
  const sign = d.negative ? '-' : '';
  if (d.digits === 0n) return sign + '0';
  let leading = d.digits.toString().length - 1 + d.exp10; // decimal exponent of the first digit
  let n = roundToPlaces(d, p - 1 - leading);
  if (n.toString().length > p) {
    leading++;
    n = roundToPlaces(d, p - 1 - leading);
  }
  const digs = n.toString().replace(/0+$/, '') || '0';
  const nd = digs.length;
  const dp = leading + 1; // digits before the decimal point
  // strconv's %g: the exponent form when the exponent is < -4 or >= the precision (shrunk to the digits shown).
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const mant = digs[0] + (nd > 1 ? '.' + digs.slice(1) : '');
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digs}`;
  if (dp >= nd) return sign + digs + '0'.repeat(dp - nd);
  return `${sign}${digs.slice(0, dp)}.${digs.slice(dp)}`;
}
