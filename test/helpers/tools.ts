import { execFileSync } from 'node:child_process';

/**
 * Whether an external tool (go, promtool, chromium...) is installed. Locally a
 * missing tool skips the tests that need it; with HEAPLENS_REQUIRE_TOOLS=1
 * (set by .ci/run) a missing tool fails them instead, so CI never passes by skipping.
 */
export function hasTool(command: string, args: string[] = ['version']): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.HEAPLENS_REQUIRE_TOOLS === '1') {
      throw new Error(`${command} is required (HEAPLENS_REQUIRE_TOOLS=1) but could not be run`);
    }
    return false;
  }
}
