import type { ConfigProblem } from '../channels/types.ts';

/** `file:line: path: message`, one problem a line, in the order found. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems
    .map((p) => {
      const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
      return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
    })
    .join('\n');
}

/** Thrown once with every problem found, so an operator fixes them all in one pass (STYLE 11). */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], what = 'configuration') {
    const n = problems.length;
    super(`invalid ${what} (${n} problem${n === 1 ? '' : 's'}):\n${formatProblems(problems)}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
