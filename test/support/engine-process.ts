/** The engine as a real child process (`switchboard start`), for crash and CLI tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './engine-fixture.ts';

export interface EngineProcess {
  readonly child: ChildProcess;
  readonly mllpPort: number;
  readonly httpPort: number;
  /** Everything the process wrote to stderr/stdout so far (for failure messages). */
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string>;
}

export const CLI = path.join(REPO_ROOT, 'engine', 'cli', 'main.ts');

export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  stdin: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

export interface CliResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one CLI command to its end and collects what it printed; `input` is piped to its stdin. */
export function runCliToEnd(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  input?: string,
): Promise<CliResult> {
  const child = runCli(args, env, input === undefined ? 'ignore' : 'pipe');
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? signal ?? -1, stdout, stderr })),
  );
}

/** Starts `switchboard start` and resolves once it printed its ready line (ports bound). */
export function startEngineProcess(
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
): Promise<EngineProcess> {
  const child = runCli(['start'], {
    SWITCHBOARD_MLLP_PORT: '0',
    SWITCHBOARD_DICOM_PORT: '0',
    SWITCHBOARD_HTTP_PORT: '0',
    SWITCHBOARD_BIND_ADDRESS: '127.0.0.1',
    ...env,
  });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine did not become ready in ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log += `${line}\n`;
      if (!line.startsWith('{"event":"ready"')) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as { mllpPort: number; httpPort: number };
      resolve({ child, mllpPort: ready.mllpPort, httpPort: ready.httpPort, output: () => log, exited });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (${code}) before it was ready:\n${log}`));
    });
  });
}
