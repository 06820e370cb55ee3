/**
 * Test support: a small deterministic DICOM corpus made by ../shared/tools/make-dicom-corpus.sh
 * (DCMTK dump2dcm) in a temporary folder, and its manifest.tsv as the oracle for parse and index
 * tests.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../hl7/testing/corpus.ts';

const run = promisify(execFile);

export const MAKE_DICOM_CORPUS = path.resolve(repoRoot, '../shared/tools/make-dicom-corpus.sh');

export interface DicomManifestRow {
  /** Relative to the corpus folder, e.g. 'st00001/se001/im00001.dcm' or 'edge/latin1-iso-ir-100/im00001.dcm'. */
  readonly path: string;
  readonly file: string;
  readonly modality: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly patientId: string;
  readonly patientNameUtf8: string;
  readonly accessionNumber: string;
  readonly studyDate: string;
  readonly transferSyntaxUid: string;
  readonly bytes: number;
}

export interface DicomCorpus {
  readonly dir: string;
  readonly rows: readonly DicomManifestRow[];
  remove(): Promise<void>;
}

export interface DicomCorpusOptions {
  readonly studies: number;
  readonly series?: number;
  readonly instances?: number;
  /** Image rows and columns (small keeps tests fast). */
  readonly size?: number;
  readonly edgeCases?: boolean;
  readonly seed?: string;
}

export async function makeDicomCorpus(options: DicomCorpusOptions): Promise<DicomCorpus> {
  const parent = await mkdtemp(path.join(tmpdir(), 'switchboard-dicom-'));
  const dir = path.join(parent, 'corpus');
  const size = String(options.size ?? 16);
  const args = [
    MAKE_DICOM_CORPUS,
    '-S',
    options.seed ?? 'switchboard-test',
    '-s',
    String(options.series ?? 2),
    '-i',
    String(options.instances ?? 3),
    '-r',
    size,
    '-c',
    size,
    ...(options.edgeCases ? ['-e'] : []),
    dir,
    String(options.studies),
  ];
  await run('bash', args, { timeout: 60_000 });
  const rows = parseManifest(dir, await readFile(path.join(dir, 'manifest.tsv'), 'utf8'));
  return { dir, rows, remove: () => rm(parent, { recursive: true, force: true }) };
}

export function parseManifest(dir: string, text: string): DicomManifestRow[] {
  const [header = '', ...lines] = text.split('\n').filter((l) => l.trim() !== '');
  const names = header.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    const col = (name: string): string => {
      const i = names.indexOf(name);
      if (i < 0) throw new Error(`manifest.tsv has no column ${name}`);
      return cells[i] ?? '';
    };
    return {
      path: col('path'),
      file: path.join(dir, col('path')),
      modality: col('modality'),
      sopClassUid: col('sop_class_uid'),
      sopInstanceUid: col('sop_instance_uid'),
      seriesInstanceUid: col('series_instance_uid'),
      studyInstanceUid: col('study_instance_uid'),
      patientId: col('patient_id'),
      patientNameUtf8: col('patient_name_utf8'),
      accessionNumber: col('accession_number'),
      studyDate: col('study_date'),
      transferSyntaxUid: col('transfer_syntax_uid'),
      bytes: Number(col('bytes')),
    };
  });
}
