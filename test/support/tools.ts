/**
 * External programs some suites drive (python-hl7's mllp_send, openssl). Outside CI a missing tool
 * skips its suite LOUDLY (banner with how to install it); with CI=true a missing tool is a failure.
 */
import { spawnSync } from 'node:child_process';
import { warnSkipped } from './databases.ts';

export function toolAvailable(command: string, installHint: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but ${command} is not installed (${installHint}): nothing may be skipped in CI`);
  }
  warnSkipped(command, `${command} on PATH`, installHint);
  return false;
}
