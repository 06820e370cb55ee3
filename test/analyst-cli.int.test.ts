/**
 * The analyst commands as run from a shell: `switchboard mappings report <folder>` and
 * `switchboard channels test <channel> <message-file>` (real child processes, real corpus files,
 * the shipped channels and temp channel files). Neither writes anything: no data folder is used.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirBundle, FhirResource } from '../engine/fhir/types.ts';
import { corpusRoot } from '../engine/hl7/testing/corpus.ts';
import { runCliToEnd } from './support/engine-process.ts';

const ADT_FILE = path.join(corpusRoot, 'hl7', 'fhir-converter', 'ADT-A01-01.hl7');
const ORU_FILE = path.join(corpusRoot, 'hl7', 'fhir-converter', 'ORU-R01-01.hl7');
const SSN_URL = 'http://example.org/fhir/StructureDefinition/ssn-local';

/** Pretty JSON documents printed one after another (each starts with `{` at a line start). */
const jsonDocs = (stdout: string): unknown[] =>
  stdout
    .split(/\n(?=\{)/)
    .filter((d) => d.trim() !== '')
    .map((d) => JSON.parse(d) as unknown);

let dir: string;
let dataDir: string;
const env = (): Record<string, string> => ({ SWITCHBOARD_DATA_DIR: dataDir });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-analyst-'));
  dataDir = path.join(dir, 'data');
  const adt = (control: string, extra: string): string =>
    [
      `MSH|^~\\&|APP|FAC|RCV|RFAC|20240101120000||ADT^A01|${control}|P|2.5`,
      'PID|1||123^^^HOSP^MR||Doe^John||19700101|M|||||||||||999-99-9999',
      'PV1|1|I|ICU^1^A||||||||||||||||V1^^^HOSP^VN',
      extra,
    ].join('\r');
  await writeFile(path.join(dir, 'msgs.hl7'), `${adt('C1', 'ZXX|1|vendor')}\r${adt('C2', 'NTE|1||note')}\r`);
  const channel = (id: string, extra: string[]): string =>
    [
      `id: ${id}`,
      `name: ${id}`,
      'source: { listener: mllp, messageTypes: ADT }',
      ...extra,
      'destinations:',
      '  - name: fhir',
      '    type: fhir-store',
      '    transformers:',
      '      - mapping: adt-to-fhir',
      '        options:',
      '          extensions:',
      `            - { path: PID-19, url: '${SSN_URL}', resource: Patient }`,
      '          codeTables:',
      "            'PV1-2': { X: I }",
    ].join('\n');
  await writeFile(path.join(dir, 'ssn.yaml'), channel('ssn', []));
  await writeFile(
    path.join(dir, 'training.yaml'),
    channel('training', ['filters: [{ field: MSH-11, equals: T }]']),
  );
  await writeFile(
    path.join(dir, 'broken.yaml'),
    channel('broken', []).replace(`url: '${SSN_URL}'`, "url: 'not a uri'"),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('switchboard mappings report', () => {
  it('prints the table and, with --json, the numbers per type and what is lost', async () => {
    const folder = path.join(dir, 'report');
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder);
    await copyFile(path.join(dir, 'msgs.hl7'), path.join(folder, 'a.hl7'));
    const text = await runCliToEnd(['mappings', 'report', folder], env());
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ADT +adt-to-fhir \(adt\) +2 +2 +2 +0 +0 +2 +0$/m);
    expect(text.stdout).toContain('ZXX (1)');
    const json = await runCliToEnd(['mappings', 'report', folder, '--json'], env());
    const report = JSON.parse(json.stdout) as {
      byType: Record<
        string,
        { messages: number; valid: number; lost: { kind: string; path: string; messages: number }[] }
      >;
    };
    expect(report.byType['ADT']).toMatchObject({ messages: 2, valid: 2 });
    expect(report.byType['ADT']!.lost).toContainEqual({ kind: 'segment', path: 'ZXX', messages: 1 });
    expect(report.byType['ADT']!.lost).toContainEqual({ kind: 'field', path: 'PID-19', messages: 2 });
  });

  it('with channel overrides, the extension field is no longer lost', async () => {
    const channels = path.join(dir, 'channels-ssn');
    await mkdir(channels, { recursive: true });
    await copyFile(path.join(dir, 'ssn.yaml'), path.join(channels, 'ssn.yaml'));
    const out = await runCliToEnd(
      ['mappings', 'report', path.join(dir, 'report'), '--json', '--dir', channels],
      env(),
    );
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as {
      byType: Record<string, { mappings: string[]; lost: { path: string }[] }>;
    };
    expect(report.byType['ADT']!.mappings).toEqual(['adt-to-fhir (ssn)']);
    expect(report.byType['ADT']!.lost.map((l) => l.path)).not.toContain('PID-19');
  });

  it('exits 2 on a folder that does not exist', async () => {
    const out = await runCliToEnd(['mappings', 'report', path.join(dir, 'nope')], env());
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('not a folder');
  });
});

describe('switchboard channels test', () => {
  it('prints the Bundle and the HMS plan of a corpus ADT with the shipped channel, exit 0', async () => {
    const out = await runCliToEnd(['channels', 'test', 'adt', ADT_FILE], env());
    expect(out.code, out.stderr).toBe(0);
    const [bundle, plan] = jsonDocs(out.stdout) as [FhirBundle, { messageType: string; patient: unknown }];
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry?.some((e) => e.resource?.resourceType === 'Patient')).toBe(true);
    expect(plan.messageType).toBe('ADT');
    expect(plan.patient).not.toBeNull();
    expect(out.stderr).toContain('destination fhir (fhir-store) would get application/fhir+json');
    // Nothing written: the data folder was never created.
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('applies the overrides of a channel file (extension, local code table)', async () => {
    const out = await runCliToEnd(
      ['channels', 'test', path.join(dir, 'ssn.yaml'), path.join(dir, 'msgs.hl7')],
      env(),
    );
    expect(out.code, out.stderr).toBe(0);
    const bundles = jsonDocs(out.stdout).filter(
      (d) => (d as FhirBundle).resourceType === 'Bundle',
    ) as FhirBundle[];
    expect(bundles).toHaveLength(2);
    const patient = bundles[0]!.entry?.find((e) => e.resource?.resourceType === 'Patient')
      ?.resource as FhirResource;
    expect(patient.extension).toContainEqual({ url: SSN_URL, valueString: '999-99-9999' });
    expect(out.stderr).toContain('message 2 ADT^A01');
  });

  it('exit 1 when the filters drop the message or the channel does not take its type', async () => {
    const filtered = await runCliToEnd(
      ['channels', 'test', path.join(dir, 'training.yaml'), ADT_FILE],
      env(),
    );
    expect(filtered.code).toBe(1);
    expect(filtered.stderr).toMatch(/filtered: .*MSH-11/);
    expect(filtered.stdout).toBe('');
    const notRouted = await runCliToEnd(['channels', 'test', 'adt', ORU_FILE], env());
    expect(notRouted.code).toBe(1);
    expect(notRouted.stderr).toContain('not routed: channel adt takes ADT');
  });

  it('exit 2 on bad input: unknown channel, invalid overrides, missing or unparseable message file', async () => {
    const unknown = await runCliToEnd(['channels', 'test', 'nosuch', ADT_FILE], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no channel "nosuch" (known: adt, orm, oru');
    const broken = await runCliToEnd(['channels', 'test', path.join(dir, 'broken.yaml'), ADT_FILE], env());
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('extensions[0].url: expected an absolute URI');
    const missing = await runCliToEnd(['channels', 'test', 'adt', path.join(dir, 'none.hl7')], env());
    expect(missing.code).toBe(2);
    await writeFile(path.join(dir, 'junk.hl7'), 'not hl7 at all\n');
    const junk = await runCliToEnd(['channels', 'test', 'adt', path.join(dir, 'junk.hl7')], env());
    expect(junk.code).toBe(2);
    expect(junk.stdout).toBe('');
  });
});
