import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ConfigProblem } from '../channels/types.ts';
import { formatPath, type Issue, type Seg } from './schema-kit.ts';

/** A parsed YAML config file that can turn schema issues into problems with line numbers. */
export interface YamlSource {
  readonly file: string;
  /** The plain value (`undefined` when the file could not be read or parsed). */
  readonly value: unknown;
  /** Read and syntax problems. */
  readonly problems: readonly ConfigProblem[];
  lineOf(path: readonly Seg[], atKey?: boolean): number | undefined;
  toProblems(issues: readonly Issue[]): ConfigProblem[];
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] }).range;
    return range?.[0];
  }
  return undefined;
}

/** Offset of the node at `path`, or of its nearest existing ancestor (a missing key points at its map). */
function locate(doc: Document, path: readonly Seg[], atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node) && typeof seg === 'string') {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      if (atKey && i === path.length - 1) return rangeStart(pair.key) ?? offset;
      // `key:` with no value has no value node: the key's line is the right one.
      next = pair.value;
      offset = rangeStart(next) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
      if (next === undefined) break;
      offset = rangeStart(next) ?? offset;
    } else {
      break;
    }
    node = next;
  }
  return offset;
}

export function parseYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((err) => ({
    file,
    path: '',
    message: `YAML syntax error: ${err.message.split('\n')[0]}`,
    line: lineCounter.linePos(err.pos[0]).line,
  }));
  let value: unknown;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      problems.push({ file, path: '', message: `YAML error: ${(err as Error).message}` });
    }
  }
  const lineOf = (path: readonly Seg[], atKey = false): number | undefined => {
    const offset = locate(doc, path, atKey);
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return {
    file,
    value,
    problems,
    lineOf,
    toProblems: (issues) =>
      issues.map((i) => {
        const line = lineOf(i.path, i.atKey);
        const p = { file, path: formatPath(i.path), message: i.message };
        return line === undefined ? p : { ...p, line };
      }),
  };
}

export async function readYamlFile(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found' : `cannot read file: ${(err as Error).message}`;
    return {
      file,
      value: undefined,
      problems: [{ file, path: '', message }],
      lineOf: () => undefined,
      toProblems: (issues) => issues.map((i) => ({ file, path: formatPath(i.path), message: i.message })),
    };
  }
  return parseYaml(file, text);
}
