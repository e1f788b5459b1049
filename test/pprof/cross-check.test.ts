import { describe, expect, it } from 'vitest';
import { Profile as ReferenceProfile } from 'pprof-format';
import { decodeProfile } from '../../src/pprof/decode.js';
import { sampleTotals } from '../../src/pprof/sample-type.js';
import { topOf } from '../../src/pprof/top.js';
import { fixtureProfiles, rawProfile } from '../helpers/fixtures.js';

// pprof-format (DataDog's decoder, independent of ours) reads the same bytes; both must see the same profile.
describe('decoder agrees with pprof-format on every fixture', () => {
  for (const path of fixtureProfiles()) {
    it(path, () => {
      const raw = rawProfile(path);
      const ours = decodeProfile(raw);
      const ref = ReferenceProfile.decode(raw);
      const str = (i: number | bigint): string => ref.stringTable.strings[Number(i)]!;

      expect(ours.strings).toEqual(ref.stringTable.strings);
      expect(ours.sampleTypes).toEqual(ref.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) })));
      expect(ours.timeNanos).toBe(BigInt(ref.timeNanos));
      expect(ours.durationNanos).toBe(BigInt(ref.durationNanos));
      expect(ours.period).toBe(Number(ref.period));
      expect(ours.mappings.map((m) => [m.id, m.memoryStart, m.memoryLimit, m.filename, m.buildId])).toEqual(
        ref.mapping.map((m) => [Number(m.id), BigInt(m.memoryStart), BigInt(m.memoryLimit), str(m.filename), str(m.buildId)]),
      );

      const { functions, locations, samples } = ours;
      expect(functions.count).toBe(ref.function.length);
      ref.function.forEach((f, i) => {
        expect([functions.id[i], ours.strings[functions.nameStr[i]!], ours.strings[functions.filenameStr[i]!], functions.startLine[i]]).toEqual([
          Number(f.id),
          str(f.name),
          str(f.filename),
          Number(f.startLine),
        ]);
      });

      expect(locations.count).toBe(ref.location.length);
      ref.location.forEach((loc, i) => {
        const lines = [];
        for (let li = locations.lineOffsets[i]!; li < locations.lineOffsets[i + 1]!; li++) {
          const fn = locations.lineFunction[li]!;
          lines.push([fn < 0 ? 0 : functions.id[fn], locations.lineNumber[li]]);
        }
        expect(lines).toEqual(loc.line.map((l) => [Number(l.functionId), Number(l.line)]));
        expect(locations.id[i]).toBe(Number(loc.id));
      });

      expect(samples.count).toBe(ref.sample.length);
      const nTypes = ours.sampleTypes.length;
      ref.sample.forEach((s, i) => {
        expect(Array.from(samples.values.subarray(i * nTypes, (i + 1) * nTypes))).toEqual(s.value.map(Number));
        const ids = Array.from(samples.stackLocations.subarray(samples.stackOffsets[i], samples.stackOffsets[i + 1])).map((p) => locations.id[p]);
        expect(ids).toEqual(s.locationId.map(Number));
        const labels = [];
        for (let j = samples.labelOffsets[i]!; j < samples.labelOffsets[i + 1]!; j++) {
          labels.push([ours.strings[samples.labelKeyStr[j]!], ours.strings[samples.labelValueStr[j]!], samples.labelNum[j]]);
        }
        expect(labels).toEqual(s.label.map((l) => [str(l.key), str(l.str), Number(l.num)]));
      });

      // Without labels (as top and the analysis decode), runs of samples take their own fast path: same samples.
      const bare = decodeProfile(raw, { labels: false }).samples;
      expect(bare.count).toBe(samples.count);
      expect(Array.from(bare.values)).toEqual(Array.from(samples.values));
      expect(Array.from(bare.stackOffsets)).toEqual(Array.from(samples.stackOffsets));
      expect(Array.from(bare.stackLocations)).toEqual(Array.from(samples.stackLocations));
    });
  }
});

describe('sampleTotals', () => {
  it('matches top totals (which match go tool pprof) for every sample type of a heap profile', () => {
    const profile = decodeProfile(rawProfile('test/fixtures/runs/leak/operator-sim/heap-000020.pb.gz'));
    const totals = sampleTotals(profile);
    expect(totals).toHaveLength(4);
    profile.sampleTypes.forEach((t, i) => expect(totals[i]).toBe(topOf(profile, { sampleType: t.type }).total));
    expect(totals[3]).toBeGreaterThan(0);
  });
});
