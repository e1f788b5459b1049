import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadRunInput } from '../../src/adapters/analyze-dir.js';
import { analyzeRun } from '../../src/analyze/analyze-run.js';

const schema = JSON.parse(readFileSync('schema/report.schema.json', 'utf8')) as object;
const validate = new Ajv2020.default({ allErrors: true, strict: true }).compile(schema);

describe('report.json matches its shipped JSON Schema', () => {
  it.each(['plateau', 'leak', 'spike', 'sawtooth'])('%s', async (mode) => {
    const report = JSON.parse(JSON.stringify(analyzeRun(await loadRunInput(`test/fixtures/runs/${mode}`, ['examples/operator-sim/components.yaml'])))) as unknown;
    const ok = validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a report with a misspelt field (the schema is strict)', async () => {
    const report = JSON.parse(JSON.stringify(analyzeRun(await loadRunInput('test/fixtures/runs/leak')))) as { targets: Record<string, unknown>[] };
    report.targets[0]!.verdit = report.targets[0]!.verdict;
    expect(validate(report)).toBe(false);
  });
});
