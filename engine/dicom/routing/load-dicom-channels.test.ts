import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../channels/schema.ts';
import { loadChannels } from '../../channels/load.ts';
import { loadDicomChannels } from './load-dicom-channels.ts';

let channelsDir: string;
const knownAes = new Set(['ORTHANC', 'RESEARCH']);

beforeEach(async () => {
  channelsDir = await mkdtemp(path.join(tmpdir(), 'dicom-channels-'));
  await mkdir(path.join(channelsDir, 'dicom'));
});
afterEach(async () => rm(channelsDir, { recursive: true, force: true }));

const put = (name: string, text: string) => writeFile(path.join(channelsDir, 'dicom', name), text);
const load = () => loadDicomChannels({ channelsDir, knownAes, env: { DEST_AE: 'ORTHANC' } });

const GOOD = `id: ct-to-research
name: CT and MR to the research PACS
rules:
  - callingAe: [CT01, MR01]
  - modality: [CT, MR]
  - sopClass: ['1.2.840.10008.5.1.4.1.1.2', MRImageStorage]
  - tag: InstitutionName
    equals: 'General Hospital'
  - any:
      - tag: '(0008,1030)'
        matches: '^HEAD'
      - not: { tag: '00321032', exists: true }
destinations:
  - name: research
    type: dicom-forward
    ae: \${env:DEST_AE}
    retry: { maxAttempts: 3, initialDelayMs: 10 }
  - name: teaching
    type: dicom-store
    enabled: false
`;

describe('DICOM channel files', () => {
  it('loads a valid file with defaults filled in and tags normalised', async () => {
    await put('ct.yaml', GOOD);
    const { channels, problems } = await load();
    expect(problems).toEqual([]);
    expect(channels).toHaveLength(1);
    const c = channels[0]!;
    expect(c).toMatchObject({
      id: 'ct-to-research',
      enabled: true,
      description: '',
      source: { listener: 'dicom' },
      transformers: [],
      file: path.join(channelsDir, 'dicom', 'ct.yaml'),
    });
    expect(c.rules).toEqual([
      { kind: 'callingAe', values: ['CT01', 'MR01'] },
      { kind: 'modality', values: ['CT', 'MR'] },
      { kind: 'sopClass', values: ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.4'] },
      { kind: 'tagEquals', tag: '00080080', values: ['General Hospital'] },
      {
        kind: 'any',
        rules: [
          { kind: 'tagMatches', tag: '00081030', pattern: '^HEAD' },
          { kind: 'not', rule: { kind: 'tagExists', tag: '00321032', exists: true } },
        ],
      },
    ]);
    expect(c.destinations[0]).toMatchObject({
      type: 'dicom-forward',
      ae: 'ORTHANC',
      concurrency: 1,
      timeoutMs: 30_000,
      retry: { ...DEFAULT_RETRY, maxAttempts: 3, initialDelayMs: 10 },
    });
    expect(c.destinations[1]).toMatchObject({ type: 'dicom-store', enabled: false, retry: DEFAULT_RETRY });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('has no channels and no problem without a dicom folder', async () => {
    await rm(path.join(channelsDir, 'dicom'), { recursive: true });
    expect(await load()).toEqual({ channels: [], problems: [] });
  });

  it('reports every problem with file, line, path and what was expected', async () => {
    await put(
      'bad.yaml',
      `id: Bad_Id
rules:
  - modality: ct
  - tag: NoSuchKeyword
    equals: x
  - tag: PatientID
    equals: x
    matches: y
  - sopClass: NotAClass
  - callingAE: CT01
destinations:
  - name: a
    type: dicom-forward
    ae: NOWHERE
    retry: { maxAttempts: 0, initialDelayMs: 100, maxDelayMs: 10 }
  - name: a
    type: dicom-store
    ae: ORTHANC
  - name: c
    type: dicom-email
`,
    );
    const { channels, problems } = await load();
    expect(channels).toEqual([]);
    const file = path.join(channelsDir, 'dicom', 'bad.yaml');
    const byPath = new Map(problems.map((p) => [p.path, p]));
    for (const p of problems) expect(p.file).toBe(file);
    expect(byPath.get('id')).toMatchObject({ line: 1, message: expect.stringContaining('lowercase') });
    expect(byPath.get('rules[0].modality')).toMatchObject({
      line: 3,
      message: expect.stringContaining('modality like CT'),
    });
    expect(byPath.get('rules[1].tag')?.message).toMatch(/keyword like InstitutionName.*"NoSuchKeyword"/);
    expect(byPath.get('rules[2]')?.message).toMatch(
      /exactly one of: equals, matches, exists \(found equals and matches\)/,
    );
    expect(byPath.get('rules[3].sopClass')?.message).toMatch(/SOP class/);
    expect(byPath.get('rules[4].callingAE')?.message).toMatch(
      /unknown key "callingAE" \(did you mean "callingAe"\?\)/,
    );
    expect(byPath.get('destinations[0].ae')?.message).toMatch(
      /unknown remote AE "NOWHERE"; dicom.remoteAes has: ORTHANC, RESEARCH/,
    );
    expect(byPath.get('destinations[0].retry.maxAttempts')?.message).toMatch(/integer from 1/);
    expect(byPath.get('destinations[0].retry.maxDelayMs')).toBeUndefined(); // reported once the rest is valid
    expect(byPath.get('destinations[1].name')?.message).toMatch(/duplicate destination name "a"/);
    expect(byPath.get('destinations[1].ae')?.message).toMatch(/unknown key "ae"/);
    expect(byPath.get('destinations[2].type')?.message).toMatch(
      /one of: dicom-forward, dicom-store, got "dicom-email"/,
    );
    expect(byPath.get('destinations[0].ae')?.line).toBe(14);
  });

  it('reports a duplicate id across files, an empty file and a YAML error', async () => {
    await put('a.yaml', GOOD);
    await put('b.yaml', GOOD);
    await put('c.yaml', '');
    await put('d.yml', 'id: [unclosed\n');
    await put('.hidden.yaml', 'not: valid: at all');
    const { channels, problems } = await load();
    expect(channels).toEqual([]);
    const dir = path.join(channelsDir, 'dicom');
    expect(problems).toContainEqual({
      file: path.join(dir, 'b.yaml'),
      path: 'id',
      line: 1,
      message: `duplicate DICOM channel id "ct-to-research" (also in ${path.join(dir, 'a.yaml')})`,
    });
    expect(problems.find((p) => p.file.endsWith('c.yaml'))?.message).toMatch(/the file is empty/);
    expect(problems.find((p) => p.file.endsWith('d.yml'))?.message).toMatch(/YAML/);
    expect(problems.some((p) => p.file.endsWith('.hidden.yaml'))).toBe(false);
  });

  it('reports transformer problems through the edit library schema with their path', async () => {
    await put(
      't.yaml',
      `id: t
transformers:
  - frobnicate: {}
destinations:
  - name: s
    type: dicom-store
    transformers:
      - tagEdits: { set: { NoSuchKeyword: x } }
`,
    );
    const { problems } = await load();
    expect(problems.some((p) => p.path.startsWith('transformers[0]'))).toBe(true);
    expect(problems.some((p) => p.path.startsWith('destinations[0].transformers[0]'))).toBe(true);
  });

  it('is invisible to the HL7 channel loader', async () => {
    await put('ct.yaml', GOOD);
    const hl7 = await loadChannels({ dir: channelsDir, knownListeners: new Set(), knownMappings: new Set() });
    expect(hl7).toEqual({ channels: [], problems: [] });
  });
});
