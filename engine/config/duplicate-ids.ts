import type { ConfigProblem } from '../channels/types.ts';
import type { YamlSource } from './yaml-source.ts';

export interface IdentifiedFile {
  /** The file's `id`, or null when it has none (its own problem). */
  readonly id: string | null;
  readonly source: YamlSource;
}

/**
 * One problem for each file whose id an earlier file (in the order given) already has, pointing at
 * its `id` line and naming the other file. Shared by the HL7 and the DICOM channel loaders.
 */
export function duplicateIdProblems(files: readonly IdentifiedFile[], what: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const firstFile = new Map<string, string>();
  for (const f of files) {
    if (f.id === null) continue;
    const other = firstFile.get(f.id);
    if (other === undefined) {
      firstFile.set(f.id, f.source.file);
      continue;
    }
    const line = f.source.lineOf(['id']);
    const problem = {
      file: f.source.file,
      path: 'id',
      message: `duplicate ${what} id "${f.id}" (also in ${other})`,
    };
    problems.push(line === undefined ? problem : { ...problem, line });
  }
  return problems;
}
