/**
 * Test support: what DCMTK's dcmdump (a parser nobody here wrote) sees in a file, as tag -> values,
 * and the pixel data items it extracts (+W writes each fragment, or native pixel data, to a file).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dcmtkOk } from '../../../../test/support/dcmtk.ts';

export interface DumpView {
  readonly text: string;
  /** Top-level elements (meta and dataset), `GGGGEEEE` -> value text ('' when empty). */
  readonly top: ReadonlyMap<string, string>;
  /** Every value of a tag at any nesting depth. */
  all(tag: string): string[];
  readonly transferSyntax: string;
}

const LINE = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w|\?\?) (.*?)\s+#\s*\d+,/i;

function valueOf(raw: string): string {
  if (raw.startsWith('(no value')) return '';
  if (raw.startsWith('[')) return raw.slice(1, raw.lastIndexOf(']'));
  return raw;
}

export async function dumpView(file: string): Promise<DumpView> {
  const text = await dcmtkOk('dcmdump', ['-q', '+L', '-Un', file]);
  const top = new Map<string, string>();
  const every: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const tag = `${m[2]}${m[3]}`.toUpperCase();
    const value = valueOf(m[5]!);
    every.push([tag, value]);
    if (m[1] === '' && !top.has(tag)) top.set(tag, value);
  }
  return {
    text,
    top,
    all: (tag) => every.filter(([t]) => t === tag).map(([, v]) => v),
    transferSyntax: top.get('00020010') ?? '',
  };
}

/** The pixel data as dcmdump extracts it: one buffer per item (offset table first) or one for native data. */
export async function pixelItems(file: string): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-pixels-'));
  try {
    await dcmtkOk('dcmdump', ['-q', '+W', dir, file]);
    const names = (await readdir(dir)).sort((a, b) => itemNumber(a) - itemNumber(b));
    return await Promise.all(names.map((n) => readFile(path.join(dir, n))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const itemNumber = (name: string): number => Number(/\.(\d+)\.raw$/.exec(name)?.[1] ?? 0);
