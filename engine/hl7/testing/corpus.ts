import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Repository root, found from this file so tests run the same from any working directory (and in CI). */
export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');

export interface ManifestRow {
  /** Path relative to the corpus folder, e.g. 'fhir-converter/ADT-A01-01.hl7'. */
  readonly path: string;
  readonly file: string;
  readonly msh9: string;
  readonly msh12: string;
  readonly segments: number;
  readonly notes: string;
}

/** Rows of `<folder>/MANIFEST.tsv` (folder: 'hl7', 'hl7-malformed', 'hl7-batch', 'hl7-fragments'). */
export function readManifest(folder: string): ManifestRow[] {
  const dir = path.join(corpusRoot, folder);
  const lines = readFileSync(path.join(dir, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [rel = '', msh9 = '', msh12 = '', segments = '0', notes = ''] = line.split('\t');
      return { path: rel, file: path.join(dir, rel), msh9, msh12, segments: Number(segments), notes };
    });
}

export const readBytes = (row: ManifestRow): Buffer => readFileSync(row.file);
