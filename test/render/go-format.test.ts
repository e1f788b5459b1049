import { describe, expect, it } from 'vitest';
import { formatFixed, formatGeneral } from '../../src/render/go-format.js';
import { percentage, scaledLabel } from '../../src/render/pprof-units.js';
import { escapeTerminal } from '../../src/render/escape.js';

// Expected strings are what Go's fmt prints (fmt.Sprintf("%.2f") / ("%.2g")) for the same doubles.
describe('Go number formatting', () => {
  it.each([
    [1.125, '1.12'], // exact tie: Go rounds half to even, JS toFixed gives 1.13
    [1.375, '1.38'],
    [0.125, '0.12'],
    [2.675, '2.67'], // 2.675 is 2.67499999... in binary
    [1.005, '1.00'],
    [-1.125, '-1.12'],
    [13315.19, '13315.19'],
    [0, '0.00'],
  ])('%%.2f of %s is %s', (x, s) => {
    expect(formatFixed(x, 2)).toBe(s);
  });

  it.each([
    [0.5, '0.5'],
    [0.125, '0.12'],
    [0.045, '0.045'],
    [0.0012, '0.0012'],
    [0.000012, '1.2e-05'],
    [0.99999, '1'],
    [0, '0'],
    [123, '1.2e+02'],
  ])('%%.2g of %s is %s', (x, s) => {
    expect(formatGeneral(x, 2)).toBe(s);
  });

  it('labels values and shares as pprof does', () => {
    expect(scaledLabel(13634752, 'bytes', 'minimum')).toBe('13MB');
    expect(scaledLabel(1179648, 'bytes', 'MB')).toBe('1.12MB');
    expect(scaledLabel(512, 'bytes', 'kB')).toBe('0.50kB');
    expect(scaledLabel(0, 'bytes', 'kB')).toBe('0');
    expect(scaledLabel(-524288, 'bytes', 'kB')).toBe('-512kB');
    expect(scaledLabel(10_000_000, 'nanoseconds', 'minimum')).toBe('10ms');
    expect(scaledLabel(7, 'count', 'minimum')).toBe('7');
    expect(percentage(1, 3)).toBe('33.33%');
    expect(percentage(1, 1000)).toBe('  0.1%');
    expect(percentage(0, 1000)).toBe('    0%');
    expect(percentage(9996, 10000)).toBe('  100%');
  });
});

describe('escapeTerminal', () => {
  it('shows control characters and bidi overrides instead of emitting them', () => {
    expect(escapeTerminal('main.f\x1b[31mred\x07')).toBe('main.f\\x1b[31mred\\x07');
    expect(escapeTerminal('a\u202eb')).toBe('a\\u202eb');
    expect(escapeTerminal('a\nb\tc\x9b')).toBe('a\\x0ab\\x09c\\x9b');
    expect(escapeTerminal('encoding/json.(*decodeState).object')).toBe('encoding/json.(*decodeState).object');
  });
});
