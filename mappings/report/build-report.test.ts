import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChannels } from '../../engine/channels/load.ts';
import type { ChannelSpec } from '../../engine/channels/types.ts';
import { corpusRoot, readManifest, repoRoot } from '../../engine/hl7/testing/corpus.ts';
import { mappings } from '../index.ts';
import { buildMappingReport, type MappingReport } from './build-report.ts';
import { chooseMappingFromChannels } from './choose-mapping.ts';
import { formatMappingReport } from './format-report.ts';
import { readHl7Folder } from './read-folder.ts';
import { validateEntries } from './validate-entries.ts';

async function shippedChannels(): Promise<readonly ChannelSpec[]> {
  const { channels, problems } = await loadChannels({
    dir: path.join(repoRoot, 'channels'),
    knownListeners: new Set(['mllp']),
    knownMappings: new Set(mappings.keys()),
  });
  expect(problems).toEqual([]);
  return channels;
}

async function report(folder: string, channels: readonly ChannelSpec[]): Promise<MappingReport> {
  return buildMappingReport(
    await readHl7Folder(folder),
    chooseMappingFromChannels(channels, mappings),
    validateEntries,
  );
}

describe('mappings report over the corpus', () => {
  const manifest = readManifest('hl7');
  const count = (type: string): number => manifest.filter((r) => r.msh9.split('^')[0] === type).length;
  let result: MappingReport;

  beforeAll(async () => {
    result = await report(path.join(corpusRoot, 'hl7'), await shippedChannels());
  });

  it('counts every message of the MANIFEST, per type, with the mapping of the shipped channel', () => {
    expect(result.files).toBe(manifest.length);
    expect(result.overall.messages).toBe(manifest.length);
    expect(result.overall.parsed).toBe(manifest.length);
    for (const [type, mapping] of [
      ['ADT', 'adt-to-fhir (adt)'],
      ['ORM', 'orm-to-fhir (orm)'],
      ['ORU', 'oru-to-fhir (oru)'],
    ] as const) {
      const g = result.byType[type]!;
      expect(g.messages).toBe(count(type));
      expect(g.parsed).toBe(count(type));
      expect(g.mappings).toEqual([mapping]);
      expect(g.mapped + g.empty + g.failed).toBe(count(type));
    }
    expect(count('ADT')).toBe(78);
    expect(result.byEvent['ADT^A01']!.messages).toBe(
      manifest.filter((r) => r.msh9.startsWith('ADT^A01')).length,
    );
    // Types no shipped channel takes are parsed, never mapped.
    expect(result.byType['MDM']).toMatchObject({ messages: count('MDM'), mapped: 0, mappings: [] });
  });

  it('every ADT maps to a Bundle with zero validation errors', () => {
    const adt = result.byType['ADT']!;
    expect(adt.mapped).toBe(count('ADT'));
    expect(adt.valid).toBe(count('ADT'));
    expect(adt.validationErrors).toBe(0);
  });

  it('lists the Z-segments and fields that carried data no mapping read', () => {
    const adtLost = result.byType['ADT']!.lost;
    expect(adtLost).toContainEqual({ kind: 'segment', path: 'ZPD', messages: 1 });
    expect(adtLost).toContainEqual({ kind: 'segment', path: 'ZVN', messages: 1 });
    expect(result.byType['ORU']!.lost).toContainEqual({ kind: 'segment', path: 'ZLR', messages: 2 });
    // An A01 has its PID-3 read (the Patient's identifiers; CX.6 not), and its PID-19 (SSN) not.
    const a01Lost = result.byEvent['ADT^A01']!.lost.map((l) => `${l.kind}:${l.path}`);
    expect(a01Lost).not.toContain('field:PID-3');
    expect(a01Lost).not.toContain('component:PID-3.1');
    expect(a01Lost).toContain('component:PID-3.6');
    expect(a01Lost).toContain('field:PID-19');
    const text = formatMappingReport(result, { byEvent: false, limit: 0 });
    expect(text).toMatch(/^ADT +adt-to-fhir \(adt\) +78 +78 /m);
    expect(text).toContain('ZPD (1)');
  });
});

describe('mappings report over a small folder', () => {
  let dir: string;
  const adt = (control: string, extra: string[] = []): string =>
    [
      `MSH|^~\\&|APP|FAC|RCV|RFAC|20240101120000||ADT^A01|${control}|P|2.5`,
      'EVN|A01|20240101120000',
      'PID|1||123^^^HOSP^MR||Doe^John||19700101|M',
      'PV1|1|I|ICU^1^A||||||||||||||||V1^^^HOSP^VN',
      ...extra,
    ].join('\r');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-report-'));
    await mkdir(path.join(dir, 'sub'));
    // Two messages in one file, one with a vendor Z-segment.
    await writeFile(path.join(dir, 'two.hl7'), `${adt('C1')}\r${adt('C2', ['ZXX|1|vendor data'])}\r`);
    await writeFile(path.join(dir, 'sub', 'bad.hl7'), 'this is not HL7\n');
    await writeFile(path.join(dir, 'notes.txt'), adt('C3'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('counts messages per file, unparseable input, and where lost data occurs', async () => {
    const result = await report(dir, await shippedChannels());
    expect(result.files).toBe(2);
    expect(result.overall).toMatchObject({ messages: 3, parsed: 2, mapped: 2, valid: 2 });
    expect(result.byType['ADT']).toMatchObject({ messages: 2, parsed: 2, mapped: 2, valid: 2 });
    expect(result.byType['(unparseable)']).toMatchObject({ messages: 1, parsed: 0 });
    expect(result.byType['ADT']!.lost).toContainEqual({ kind: 'segment', path: 'ZXX', messages: 1 });
  });

  it('without a channel for the type nothing is mapped', async () => {
    const result = await report(dir, []);
    expect(result.byType['ADT']).toMatchObject({ messages: 2, parsed: 2, mapped: 0, mappings: [], lost: [] });
  });
});
