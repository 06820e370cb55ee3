// Worker thread of DurableWriter (durable-writer.ts): writes one file durably per message with
// synchronous calls, so a put costs the main thread one message each way instead of nine thread-pool
// round trips (each waiting for the main thread to be free). Plain JavaScript so that it runs the
// same under tsx, vitest and plain node.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';

function fsyncDir(dir) {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function write({ file, temp, body }) {
  const dir = path.dirname(file);
  const firstCreated = fs.mkdirSync(dir, { recursive: true });
  try {
    const fd = fs.openSync(temp, 'wx', 0o644);
    try {
      for (let off = 0; off < body.length;) off += fs.writeSync(fd, body, off, body.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    try {
      fs.unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw err;
  }
  // The rename is durable once its folder is; so is every folder mkdir created, up to the first one's parent.
  fsyncDir(dir);
  if (firstCreated !== undefined) {
    const stop = path.dirname(firstCreated);
    for (let d = path.dirname(dir); d.length >= stop.length; d = path.dirname(d)) {
      fsyncDir(d);
      if (d === stop) break;
    }
  }
}

parentPort.on('message', (job) => {
  try {
    write(job);
    parentPort.postMessage({ id: job.id, ok: true });
  } catch (err) {
    parentPort.postMessage({ id: job.id, ok: false, message: err.message, code: err.code ?? null });
  }
});
