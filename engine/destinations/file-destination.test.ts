import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Payload } from '../channels/transform.ts';
import { DEFAULT_RETRY } from '../channels/schema.ts';
import { createFileDestination } from './file-destination.ts';
import { extensionFor, renderFileName, sanitizeFileNamePart } from './template.ts';
import type { DeliveryContext } from './types.ts';

const HL7 = Buffer.from('MSH|^~\\&|A|B|C|D|20240101||ADT^A01|CTRL1|P|2.5\rPID|1||123^^^H\r\xe9', 'latin1');
const payload: Payload = { contentType: 'x-application/hl7-v2+er7', body: HL7 };

function ctx(overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return {
    deliveryId: '7',
    messageId: '42',
    channelId: 'adt-out',
    controlId: 'CTRL1',
    messageType: 'ADT',
    triggerEvent: 'A01',
    attempt: 1,
    ...overrides,
  };
}

function spec(directory: string, fileName = '${messageId}-${controlId}.${ext}') {
  return {
    type: 'file' as const,
    name: 'to-disk',
    enabled: true,
    retry: DEFAULT_RETRY,
    transformers: [],
    directory,
    fileName,
  };
}

let base: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'switchboard-file-dest-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('file destination', () => {
  it('writes the exact bytes under the rendered name, creating the directory, leaving no temp file', async () => {
    const dest = createFileDestination(spec('out/adt'), { baseDir: base });
    const outcome = await dest.deliver(payload, ctx());
    const expected = path.join(base, 'out/adt/42-CTRL1.hl7');
    expect(outcome).toEqual({ ok: true, response: expected });
    expect((await readFile(expected)).equals(HL7)).toBe(true);
    expect(await readdir(path.join(base, 'out/adt'))).toEqual(['42-CTRL1.hl7']);
    await dest.stop();
  });

  it('replaces the same file on retry instead of writing a second one', async () => {
    const dest = createFileDestination(spec(base), { baseDir: '/' });
    await dest.deliver({ ...payload, body: Buffer.from('first') }, ctx());
    const outcome = await dest.deliver(payload, ctx({ attempt: 2 }));
    expect(outcome.ok).toBe(true);
    expect(await readdir(base)).toEqual(['42-CTRL1.hl7']);
    expect((await readFile(path.join(base, '42-CTRL1.hl7'))).equals(HL7)).toBe(true);
  });

  it('keeps a hostile control id inside the directory', async () => {
    const dir = path.join(base, 'out');
    const dest = createFileDestination(spec(dir), { baseDir: base });
    for (const controlId of ['../../etc/x', '..', 'a\0b', '..\\..\\win', '/abs', '.hidden']) {
      const outcome = await dest.deliver(payload, ctx({ controlId }));
      if (!outcome.ok) throw new Error(outcome.error);
      expect(path.dirname(outcome.response ?? '')).toBe(dir);
    }
    expect((await readdir(dir)).sort()).toEqual(
      [
        '42-____etc_x.hl7',
        '42-_.hl7',
        '42-a_b.hl7',
        '42-____win.hl7',
        '42-_abs.hl7',
        '42-_hidden.hl7',
      ].sort(),
    );
    expect(await readdir(base)).toEqual(['out']);
  });

  it('names the extension after the content type', async () => {
    const dest = createFileDestination(spec(base, '${channel}_${messageType}_${triggerEvent}.${ext}'), {
      baseDir: base,
    });
    const json = await dest.deliver({ contentType: 'application/fhir+json', body: Buffer.from('{}') }, ctx());
    expect(json).toEqual({ ok: true, response: path.join(base, 'adt-out_ADT_A01.json') });
    const other = await dest.deliver({ contentType: 'text/plain', body: Buffer.from('x') }, ctx());
    expect(other).toEqual({ ok: true, response: path.join(base, 'adt-out_ADT_A01.dat') });
  });

  it('reports a directory it cannot create as transient (an operator can fix it)', async () => {
    const blocker = path.join(base, 'not-a-dir');
    await writeFile(blocker, 'x');
    const dest = createFileDestination(spec(path.join(blocker, 'out')), { baseDir: base });
    const outcome = await dest.deliver(payload, ctx());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errorClass).toBe('transient');
    expect(outcome.error).toMatch(/ENOTDIR|EEXIST/);
  });

  it('reports a file name the file system can never take as permanent', async () => {
    const dest = createFileDestination(spec(base), { baseDir: base });
    const outcome = await dest.deliver(payload, ctx({ controlId: 'X'.repeat(300) }));
    expect(outcome).toMatchObject({ ok: false, errorClass: 'permanent' });
    expect(await readdir(base)).toEqual([]);
  });

  it('reports an unknown placeholder as permanent', async () => {
    const dest = createFileDestination(spec(base, '${patientName}.${ext}'), { baseDir: base });
    const outcome = await dest.deliver(payload, ctx());
    expect(outcome).toMatchObject({ ok: false, errorClass: 'permanent' });
  });
});

describe('file name template', () => {
  it('sanitizes values but keeps safe characters', () => {
    expect(sanitizeFileNamePart('MSG-0001_a.b')).toBe('MSG-0001_a.b');
    expect(sanitizeFileNamePart('')).toBe('_');
    expect(sanitizeFileNamePart('a/b:c*d')).toBe('a_b_c_d');
    expect(
      renderFileName('${controlId}.${ext}', { ...ctx(), channel: 'c', ext: 'hl7', controlId: '../x' }),
    ).toBe('__x.hl7');
  });

  it('maps content types to extensions', () => {
    expect(extensionFor('x-application/hl7-v2+er7')).toBe('hl7');
    expect(extensionFor('application/json; charset=utf-8')).toBe('json');
    expect(extensionFor('application/fhir+json')).toBe('json');
    expect(extensionFor('application/octet-stream')).toBe('dat');
  });
});
