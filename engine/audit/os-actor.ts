/** The audit actor for changes made from this machine's shell (CLI commands, the control socket). */
import { userInfo } from 'node:os';

/** The operating-system account, as `cli:<name>`, unless a flag names someone. */
export function cliActor(flag: string | undefined): string {
  if (flag !== undefined && flag.trim() !== '') return flag.trim();
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): still record that the change came from the CLI.
  }
  return `cli:${name}`;
}
