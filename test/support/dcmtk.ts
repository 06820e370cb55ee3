/**
 * Running DCMTK tools (storescu, findscu, movescu, ...) from tests: asynchronously, since the server
 * under test shares this event loop, with TCP_NODELAY=1 (DCMTK leaves Nagle on otherwise and every
 * exchange waits ~40 ms), and bounded in time.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const DCMTK_ENV: NodeJS.ProcessEnv = { ...process.env, TCP_NODELAY: '1' };

export interface ToolRun {
  readonly code: number;
  readonly output: string;
}

/** Runs a tool and reports its exit code and output; never throws. */
export async function runDcmtk(tool: string, args: readonly string[], timeoutMs = 60_000): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await execFileAsync(tool, [...args], { env: DCMTK_ENV, timeout: timeoutMs });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Runs a tool that must succeed: throws with its output otherwise; returns the output. */
export async function dcmtkOk(tool: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const run = await runDcmtk(tool, args, timeoutMs);
  if (run.code !== 0) throw new Error(`${tool} exited ${run.code}:\n${run.output}`);
  return run.output;
}

/** storescu arguments sending every .dcm file under `dir` (recursively) on one association. */
export function storescuFolderArgs(port: number, dir: string, callingAe = 'MODALITY'): string[] {
  return [
    '-aet',
    callingAe,
    '-aec',
    'SWITCHBOARD',
    '+sd',
    '+r',
    '+sp',
    '*.dcm',
    '127.0.0.1',
    String(port),
    dir,
  ];
}

/** Sends a folder with storescu; throws when storescu fails. */
export function storeFolder(port: number, dir: string): Promise<string> {
  return dcmtkOk('storescu', storescuFolderArgs(port, dir));
}
