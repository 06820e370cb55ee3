import { watch, type FSWatcher } from 'node:fs';

/**
 * Reload on change, debounced: editors write a file in several steps. Recursive, so the DICOM channel
 * files (`dicom/`) are watched too, even when that folder is created after the start.
 */
export function watchChannels(dir: string, onChange: () => void): FSWatcher | null {
  let timer: NodeJS.Timeout | null = null;
  try {
    const watcher = watch(dir, { recursive: true }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, 300);
    });
    watcher.on('error', () => undefined);
    return watcher;
  } catch {
    return null;
  }
}
