#!/usr/bin/env node
// `npm audit` at high severity, for CI: fails on any high or critical advisory
// in the locked dependency tree. When the registry's advisory endpoint cannot be
// reached (some mirrors refuse it: "405 Method Not Allowed"), it says so loudly
// and does not fail: the check was not possible, which is not a vulnerability.
import { spawnSync } from 'node:child_process';

const r = spawnSync('npm', ['audit', '--json', '--audit-level=high'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(r.stdout);
} catch {
  console.error(`npm audit: unreadable output (exit ${r.status}): ${(r.stderr || r.stdout).split('\n')[0]}`);
  process.exit(1);
}
if (!report.metadata?.vulnerabilities) {
  console.error(`npm audit: NOT CHECKED — the advisory endpoint answered: ${report.message ?? report.error?.summary ?? 'no report'}`);
  process.exit(0);
}
const v = report.metadata.vulnerabilities;
console.log(`npm audit: ${v.critical} critical, ${v.high} high, ${v.moderate} moderate, ${v.low} low`);
process.exit(v.critical + v.high > 0 ? 1 : 0);
