import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * One engine per data folder. Embedded PostgreSQL (PGlite) is single-process: a second process
 * opening the same folder would corrupt it, so `start` takes this lock and refuses if a live
 * process holds it. A lock left by a killed process (kill -9) is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'switchboard.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `data folder ${dataDir} is in use by process ${holder} (another switchboard?). ` +
            `Stop it, or give this one its own SWITCHBOARD_DATA_DIR.`,
          { cause: err },
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock data folder ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
