/** The `.hl7` files of a folder and its subfolders, in path order (stable report order). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SourceFile } from './build-report.ts';

export async function readHl7Folder(folder: string): Promise<SourceFile[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.hl7'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
}
