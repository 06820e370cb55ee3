import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hl7Message } from '../hl7/message.ts';
import { compileFilters, matchesMessageType } from './filters.ts';
import type { FilterSpec } from './types.ts';

const ADT_A01 = [
  'MSH|^~\\&|LAB|MAIN^1.2.3^ISO|SB|HOSP|20240101120000||ADT^A01^ADT_A01|CTRL1|P|2.5.1',
  'PID|1||12345^^^MRN~X9^^^ALT||DOE^JANE||19800101|F',
  'PV1|1|I|W1^101^1',
].join('\r');
const msg = Hl7Message.parse(ADT_A01);
const ctx = { messageId: 'm1', channelId: 'c1' };
const channelFile = '/nowhere/channel.yaml';

async function run(specs: FilterSpec[], message = msg, file = channelFile) {
  return (await compileFilters(specs, file))(message, ctx);
}

describe('matchesMessageType', () => {
  it('matches *, a message type, and an exact event', () => {
    expect(matchesMessageType(['*'], 'ORU', 'R01')).toBe(true);
    expect(matchesMessageType(['ADT'], 'ADT', 'A08')).toBe(true);
    expect(matchesMessageType(['ADT^A01'], 'ADT', 'A01')).toBe(true);
    expect(matchesMessageType(['ADT^A01'], 'ADT', 'A04')).toBe(false);
    expect(matchesMessageType(['ADT^A01', 'ORU'], 'ORU', 'R01')).toBe(true);
    expect(matchesMessageType(['ADT'], 'ADTX', 'A01')).toBe(false);
    expect(matchesMessageType([], 'ADT', 'A01')).toBe(false);
  });
});

describe('compileFilters', () => {
  it('passes with no filters', async () => {
    expect(await run([])).toEqual({ pass: true, reason: 'no filters' });
  });

  it('evaluates every declarative filter kind on a real message', async () => {
    const cases: [FilterSpec, boolean][] = [
      [{ kind: 'messageType', values: ['ADT^A01'] }, true],
      [{ kind: 'messageType', values: ['ORU'] }, false],
      [{ kind: 'sendingApplication', values: ['LAB'] }, true],
      [{ kind: 'sendingFacility', values: ['MAIN'] }, true],
      [{ kind: 'sendingFacility', values: ['OTHER'] }, false],
      [{ kind: 'fieldEquals', path: 'PID-3[2].1', values: ['X9'] }, true],
      [{ kind: 'fieldEquals', path: 'PID-3.1', values: ['X9'] }, false],
      [{ kind: 'fieldMatches', path: 'PID-3.1', pattern: '^[0-9]+$' }, true],
      [{ kind: 'fieldMatches', path: 'PID-5.1', pattern: '^[0-9]+$' }, false],
      [{ kind: 'fieldExists', path: 'PV1-2', exists: true }, true],
      [{ kind: 'fieldExists', path: 'PV1-3.4', exists: true }, false],
      [{ kind: 'fieldExists', path: 'ZZZ-1', exists: false }, true],
      [{ kind: 'not', filter: { kind: 'fieldEquals', path: 'MSH-11', values: ['T'] } }, true],
      [
        {
          kind: 'any',
          filters: [
            { kind: 'messageType', values: ['ORU'] },
            { kind: 'sendingApplication', values: ['LAB'] },
          ],
        },
        true,
      ],
      [{ kind: 'any', filters: [{ kind: 'messageType', values: ['ORU'] }] }, false],
    ];
    for (const [spec, expected] of cases) {
      expect({ spec, pass: (await run([spec])).pass }).toEqual({ spec, pass: expected });
    }
  });

  it('ANDs the list and names the first filter that failed', async () => {
    const v = await run([
      { kind: 'messageType', values: ['ADT'] },
      { kind: 'fieldEquals', path: 'MSH-4.1', values: ['LAB'] },
      { kind: 'fieldEquals', path: 'MSH-3.1', values: ['NOPE'] },
    ]);
    expect(v).toEqual({ pass: false, reason: 'filter[1] field MSH-4.1 = "MAIN" not in [LAB]' });
    const ok = await run([
      { kind: 'messageType', values: ['ADT'] },
      { kind: 'sendingApplication', values: ['LAB'] },
    ]);
    expect(ok).toEqual({ pass: true, reason: 'passed 2 filter(s)' });
  });

  it('keeps patient data out of reasons: values are shown for MSH fields only', async () => {
    const eq = await run([{ kind: 'fieldEquals', path: 'PID-5.1', values: ['SMITH'] }]);
    expect(eq.reason).toBe('filter[0] field PID-5.1 does not equal one of 1 value(s)');
    const re = await run([{ kind: 'fieldMatches', path: 'PID-5.1', pattern: '^X' }]);
    expect(re.reason).toBe('filter[0] field PID-5.1 does not match /^X/');
    expect(`${eq.reason}${re.reason}`).not.toContain('DOE');
    const nested = await run([
      {
        kind: 'any',
        filters: [
          { kind: 'messageType', values: ['ORU'] },
          { kind: 'not', filter: { kind: 'sendingApplication', values: ['LAB'] } },
        ],
      },
    ]);
    expect(nested.reason).toBe(
      'filter[0] none of 2 alternatives passed (filter[0].any[0] message type ADT^A01 not in [ORU]; ' +
        'filter[0].any[1] not (filter[0].any[1].not sending application MSH-3.1 = "LAB" in [LAB]))',
    );
  });

  describe('script filters', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-filters-'));
      await writeFile(
        path.join(dir, 'inpatients.ts'),
        "import type { Hl7Message } from '../hl7-does-not-matter.ts';\n" +
          'export default async (m: Hl7Message, ctx: { channelId: string }) => ' +
          "m.get('PV1-2') === 'I' && ctx.channelId === 'c1';\n",
      );
      await writeFile(path.join(dir, 'not-boolean.ts'), 'export default () => "yes";\n');
      await writeFile(path.join(dir, 'no-default.ts'), 'export const x = 1;\n');
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('loads the module relative to the channel file and calls its default export', async () => {
      const file = path.join(dir, 'chan.yaml');
      const v = await run([{ kind: 'script', module: './inpatients.ts' }], msg, file);
      expect(v).toEqual({ pass: true, reason: 'passed 1 filter(s)' });
      const outpatient = Hl7Message.parse(ADT_A01.replace('PV1|1|I|', 'PV1|1|O|'));
      expect(await run([{ kind: 'script', module: './inpatients.ts' }], outpatient, file)).toEqual({
        pass: false,
        reason: 'filter[0] script ./inpatients.ts returned false',
      });
    });

    it('fails loudly on a non-boolean result or a missing default export', async () => {
      const file = path.join(dir, 'chan.yaml');
      await expect(run([{ kind: 'script', module: './not-boolean.ts' }], msg, file)).rejects.toThrow(
        'returned string, expected a boolean',
      );
      await expect(compileFilters([{ kind: 'script', module: './no-default.ts' }], file)).rejects.toThrow(
        'must export a default function',
      );
    });
  });
});
