import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callSiteKey, joinFrames, splitFrames } from '../../src/analyze/snapshot-summary.js';

describe('call-site keys of untrusted frame names', () => {
  it('round-trip any names, newlines and backslashes included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '\\', '\n', 'n', '\\n', '\u202e', '|') }), { minLength: 1, maxLength: 6 }), (frames) => {
        expect(splitFrames(joinFrames(frames))).toEqual(frames);
      }),
      { numRuns: 2000, seed: 5 },
    );
  });

  it('a name with a newline stays one frame', () => {
    expect(splitFrames(callSiteKey(['main.newline\nSecond line', 'main.caller']))).toEqual(['main.newline\nSecond line', 'main.caller']);
  });
});
