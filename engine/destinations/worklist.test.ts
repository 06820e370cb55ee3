/** The `worklist` destination type in a channel file: defaults, options, and what is refused. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblems, loadChannelFile } from '../channels/load.ts';
import { createDestination } from './create.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-worklist-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function load(destination: string) {
  const file = path.join(dir, 'orm.yaml');
  await writeFile(
    file,
    `id: orm\nsource: { listener: mllp, messageTypes: ORM^O01 }\ndestinations:\n  - ${destination}\n`,
  );
  return loadChannelFile(file, { knownListeners: new Set(['mllp']), knownMappings: new Set() });
}

describe('worklist destination config', () => {
  it('defaults to no mapping, no default modality, no station AE titles', async () => {
    const { channel, problems } = await load('{ name: worklist, type: worklist }');
    expect(formatProblems(problems)).toBe('');
    expect(channel!.destinations[0]).toMatchObject({
      name: 'worklist',
      type: 'worklist',
      modalities: {},
      defaultModality: null,
      stationAeTitles: {},
    });
    const d = createDestination(channel!.destinations[0]!, { baseDir: dir });
    expect(d).toMatchObject({ name: 'worklist', type: 'worklist', transactional: true });
  });

  it('takes modalities, defaultModality and stationAeTitles', async () => {
    const { channel, problems } = await load(
      '{ name: mwl, type: worklist, modalities: { RAD: CR }, defaultModality: OT, stationAeTitles: { CT: CT_ROOM1 } }',
    );
    expect(formatProblems(problems)).toBe('');
    expect(channel!.destinations[0]).toMatchObject({
      modalities: { RAD: 'CR' },
      defaultModality: 'OT',
      stationAeTitles: { CT: 'CT_ROOM1' },
    });
  });

  it('refuses a lowercase modality and an AE title longer than 16 characters or with a backslash', async () => {
    const { channel, problems } = await load(
      '{ name: mwl, type: worklist, defaultModality: ct, stationAeTitles: { CT: "A\\\\B", MR: ABCDEFGHIJKLMNOPQ } }',
    );
    expect(channel).toBeNull();
    expect(problems.map((p) => p.path).sort()).toEqual([
      'destinations[0].defaultModality',
      'destinations[0].stationAeTitles.CT',
      'destinations[0].stationAeTitles.MR',
    ]);
  });
});
