// `npm test`: runs every vitest suite, then prints the plain summary line CI reads
// ("N passed, N failed, N skipped") from vitest's JSON report. Exit code is vitest's.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const reportDir = path.join(root, 'test-results');
const report = path.join(reportDir, 'vitest.json');
mkdirSync(reportDir, { recursive: true });
rmSync(report, { force: true });

const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  let summary;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    summary = `${json.numPassedTests} passed, ${json.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    if (json.numFailedTestSuites > 0 && json.numFailedTests === 0) {
      // A suite that failed to load has no failed tests but must not read as green.
      summary = `${json.numPassedTests} passed, ${json.numFailedTestSuites} failed`;
    }
  } catch {
    summary = `0 passed, 1 failed`;
    process.stderr.write(`no vitest JSON report at ${report} (vitest exited ${code ?? signal})\n`);
  }
  process.stdout.write(`\n${summary}\n`);
  process.exit(code ?? 1);
});
