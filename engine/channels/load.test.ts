import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblems, loadChannelFile, loadChannels } from './load.ts';
import type { ConfigProblem } from './types.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const knownListeners = new Set(['mllp']);
const knownMappings = new Set(['adt-to-fhir', 'orm-to-fhir', 'oru-to-fhir']);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-channels-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const load = (env: NodeJS.ProcessEnv = {}) => loadChannels({ dir, knownListeners, knownMappings, env });
const find = (problems: readonly ConfigProblem[], p: string) => problems.filter((x) => x.path === p);

const MINIMAL = `id: lab
source: { listener: mllp, messageTypes: ORU^R01 }
destinations:
  - { name: fhir, type: fhir-store }
`;

describe('shipped channels', () => {
  it('load with zero problems', async () => {
    const r = await loadChannels({
      dir: path.join(repoRoot, 'channels'),
      knownListeners,
      knownMappings,
      env: {},
    });
    expect(formatProblems(r.problems)).toBe('');
    expect(r.channels.map((c) => c.id).sort()).toEqual(['adt', 'orm', 'oru']);
    const adt = r.channels.find((c) => c.id === 'adt')!;
    expect(adt.source).toEqual({ listener: 'mllp', messageTypes: ['ADT'] });
    expect(adt.destinations[0]).toMatchObject({
      name: 'fhir',
      type: 'fhir-store',
      transformers: [{ kind: 'mapping', name: 'adt-to-fhir', options: {} }],
    });
    const types = Object.fromEntries(r.channels.map((c) => [c.id, c.source.messageTypes]));
    expect(types).toEqual({ adt: ['ADT'], orm: ['ORM^O01'], oru: ['ORU^R01'] });
  });
});

describe('docs/configuration.md', () => {
  it('has a channel example that loads without problems', async () => {
    const doc = await readFile(path.join(repoRoot, 'docs/configuration.md'), 'utf8');
    const example = /## Channel files[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    await write('example.yaml', example!);
    const r = await load({ FHIR_TOKEN: 't' });
    expect(formatProblems(r.problems)).toBe('');
    expect(r.channels[0]!.destinations.map((d) => d.type)).toEqual(['fhir-store', 'file', 'mllp', 'http']);
  });
});

describe('loadChannels: defaults and freezing', () => {
  it('fills every default and deep-freezes the result', async () => {
    const file = await write(
      'lab.yaml',
      `${MINIMAL}  - name: out\n    type: file\n    directory: ./out\n  - name: fwd\n    type: mllp\n    host: 10.0.0.1\n    port: 6661\n  - name: api\n    type: http\n    url: https://x.example/fhir\n`,
    );
    const r = await load();
    expect(r.problems).toEqual([]);
    const [c] = r.channels;
    const retry = {
      maxAttempts: 5,
      backoff: 'exponential',
      initialDelayMs: 1000,
      maxDelayMs: 300000,
      jitter: true,
    };
    const base = { enabled: true, retry, transformers: [] };
    expect(c).toEqual({
      id: 'lab',
      name: 'lab',
      description: '',
      enabled: true,
      source: { listener: 'mllp', messageTypes: ['ORU^R01'] },
      filters: [],
      transformers: [],
      destinations: [
        { ...base, name: 'fhir', type: 'fhir-store' },
        {
          ...base,
          name: 'out',
          type: 'file',
          directory: './out',
          fileName: '${messageId}-${controlId}.${ext}',
        },
        {
          ...base,
          name: 'fwd',
          type: 'mllp',
          host: '10.0.0.1',
          port: 6661,
          tls: false,
          timeoutMs: 30000,
          requireAck: true,
        },
        {
          ...base,
          name: 'api',
          type: 'http',
          url: 'https://x.example/fhir',
          method: 'POST',
          headers: {},
          timeoutMs: 30000,
        },
      ],
      file,
    });
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.channels)).toBe(true);
    expect(Object.isFrozen(c!.source.messageTypes)).toBe(true);
    expect(Object.isFrozen(c!.destinations[1]!.retry)).toBe(true);
    expect(() => (c!.destinations as unknown[]).push({})).toThrow(TypeError);
  });

  it('merges a partial retry policy with the defaults', async () => {
    await write(
      'lab.yaml',
      MINIMAL.replace(
        'type: fhir-store }',
        'type: fhir-store, retry: { maxAttempts: 10, initialDelayMs: 500 } }',
      ),
    );
    const r = await load();
    expect(r.problems).toEqual([]);
    expect(r.channels[0]!.destinations[0]!.retry).toEqual({
      maxAttempts: 10,
      backoff: 'exponential',
      initialDelayMs: 500,
      maxDelayMs: 300000,
      jitter: true,
    });
  });

  it('turns every filter and transformer form into its spec', async () => {
    await write('filters/only-inpatients.ts', 'export default () => true;\n');
    await write('transformers/x.ts', 'export default (p) => p;\n');
    await write(
      'lab.yaml',
      `${MINIMAL}filters:
  - messageType: [ADT^A01, ADT]
  - field: MSH-4.1
    equals: [LAB, MAIN]
  - field: MSH-4.1
    equals: LAB
  - field: PID-3[2].1
    matches: '^[0-9]+$'
  - field: PV1-2
    exists: false
  - sendingFacility: [FAC1]
  - sendingApplication: LAB
  - any: [{ messageType: ORU }, { not: { field: MSH-11, equals: T } }]
  - script: ./filters/only-inpatients.ts
transformers:
  - mapping: oru-to-fhir
  - { mapping: adt-to-fhir, options: { system: urn:x } }
  - script: ./transformers/x.ts
`,
    );
    const r = await load();
    expect(formatProblems(r.problems)).toBe('');
    const c = r.channels[0]!;
    expect(c.filters).toEqual([
      { kind: 'messageType', values: ['ADT^A01', 'ADT'] },
      { kind: 'fieldEquals', path: 'MSH-4.1', values: ['LAB', 'MAIN'] },
      { kind: 'fieldEquals', path: 'MSH-4.1', values: ['LAB'] },
      { kind: 'fieldMatches', path: 'PID-3[2].1', pattern: '^[0-9]+$' },
      { kind: 'fieldExists', path: 'PV1-2', exists: false },
      { kind: 'sendingFacility', values: ['FAC1'] },
      { kind: 'sendingApplication', values: ['LAB'] },
      {
        kind: 'any',
        filters: [
          { kind: 'messageType', values: ['ORU'] },
          { kind: 'not', filter: { kind: 'fieldEquals', path: 'MSH-11', values: ['T'] } },
        ],
      },
      { kind: 'script', module: './filters/only-inpatients.ts' },
    ]);
    expect(c.transformers).toEqual([
      { kind: 'mapping', name: 'oru-to-fhir', options: {} },
      { kind: 'mapping', name: 'adt-to-fhir', options: { system: 'urn:x' } },
      { kind: 'script', module: './transformers/x.ts' },
    ]);
  });
});

describe('loadChannels: ${env:NAME}', () => {
  const http = `${MINIMAL}  - name: api
    type: http
    url: '\${env:FHIR_URL}/fhir'
    headers: { Authorization: 'Bearer \${env:FHIR_TOKEN}' }
  - name: fwd
    type: mllp
    host: 127.0.0.1
    port: \${env:FWD_PORT}
`;

  it('expands variables in strings and whole-value numbers', async () => {
    await write('lab.yaml', http);
    const r = await load({ FHIR_URL: 'https://h.example', FHIR_TOKEN: 's3cret', FWD_PORT: '6661' });
    expect(r.problems).toEqual([]);
    expect(r.channels[0]!.destinations[1]).toMatchObject({
      url: 'https://h.example/fhir',
      headers: { Authorization: 'Bearer s3cret' },
    });
    expect(r.channels[0]!.destinations[2]).toMatchObject({ port: 6661 });
  });

  it('reports unset variables and bad expanded values without echoing secrets', async () => {
    await write('lab.yaml', http);
    const r = await load({ FHIR_URL: 'ftp://h.example', FWD_PORT: 'abc' });
    expect(r.channels).toEqual([]);
    expect(find(r.problems, 'destinations[1].headers.Authorization')[0]?.message).toBe(
      'environment variable FHIR_TOKEN is not set',
    );
    expect(find(r.problems, 'destinations[1].url')[0]?.message).toBe(
      'expected an http:// or https:// URL, got "${env:FHIR_URL}/fhir"',
    );
    expect(find(r.problems, 'destinations[2].port')[0]?.message).toBe(
      'expected an integer from 1 to 65535, got "abc" (from ${env:FWD_PORT})',
    );
  });
});

describe('loadChannels: problems', () => {
  it('reports every problem of two files at once, with file, line, path and expectation', async () => {
    await write('filters/real.ts', 'export default () => true;\n');
    const a = await write(
      'a.yaml',
      `id: Bad_Id
destinaton: []
source:
  listener: mlp
  messageTypes: [ADT^A01, adt, ADT^A1]
filters:
  - field: PID-x
    equals: A
  - field: PID-3
    matches: '(['
  - field: PID-3
  - sendingApplication: A^B
  - messageType: ADT
    field: MSH-9
  - colour: red
  - script: ./filters/missing.ts
  - script: ./filters/real.ts
transformers:
  - mapping: nope
  - { mapping: adt-to-fhir, option: {} }
destinations:
  - name: fhir
    type: fhir-store
  - name: fhir
    type: ftp
  - name: out
    type: file
  - name: fwd
    type: mllp
    host: 127.0.0.1
    port: abc
    tls: yes
  - name: api
    type: http
    url: https://x.example
    method: GET
    retry: { maxAttempts: 0, backof: fixed, initialDelayMs: 5000, maxDelayMs: 100 }
  - name: out2
    type: file
    directory: ./x
    fileName: '\${messageId}.\${extension}'
`,
    );
    const b = await write(
      'b.yaml',
      'id: lab\nsource: { listener: mllp, messageTypes: "*" }\ndestinations: {}\nenabled: maybe\n',
    );
    const r = await load();
    expect(r.channels).toEqual([]);
    const got = r.problems.map((p) => `${path.basename(p.file)}:${p.line} ${p.path}: ${p.message}`);
    const expected = [
      'a.yaml:2 destinaton: unknown key "destinaton" (did you mean "destinations"?); known keys: id, name, description, enabled, source, filters, transformers, destinations',
      'a.yaml:1 id: expected an id of lowercase letters, digits and "-" (e.g. adt-to-fhir), got "Bad_Id"',
      'a.yaml:4 source.listener: unknown listener "mlp"; known listeners: mllp',
      'a.yaml:5 source.messageTypes[1]: expected a message type like ADT, ADT^A01 or "*", got "adt"',
      'a.yaml:5 source.messageTypes[2]: expected a message type like ADT, ADT^A01 or "*", got "ADT^A1"',
      "a.yaml:7 filters[0].field: Invalid HL7 path 'PID-x' at position 5: expected field number",
      'a.yaml:10 filters[1].matches: expected a valid regular expression: ',
      'a.yaml:11 filters[2]: a field filter needs exactly one of: equals, matches, exists (found none)',
      'a.yaml:12 filters[3].sendingApplication: expected the first component only, without HL7 delimiters (|^~\\&), got "A^B"',
      'a.yaml:13 filters[4]: a filter takes one of messageType, field, not several: give each its own list item',
      'a.yaml:15 filters[5].colour: unknown key "colour"; known keys: messageType, sendingApplication, sendingFacility, field, any, not, script',
      'a.yaml:16 filters[6].script: script module "./filters/missing.ts" not found (looked for ',
      'a.yaml:19 transformers[0].mapping: unknown mapping "nope"; known mappings: adt-to-fhir, orm-to-fhir, oru-to-fhir',
      'a.yaml:20 transformers[1].option: unknown key "option" (did you mean "options"?); known keys: mapping, options',
      'a.yaml:24 destinations[1].name: duplicate destination name "fhir" (also destinations[0])',
      'a.yaml:25 destinations[1].type: expected one of: fhir-store, hms, worklist, file, mllp, http, got "ftp"',
      'a.yaml:26 destinations[2].directory: required: expected a non-empty string',
      'a.yaml:31 destinations[3].port: expected an integer from 1 to 65535, got "abc"',
      'a.yaml:32 destinations[3].tls: expected true or false, got "yes"',
      'a.yaml:37 destinations[4].retry.backof: unknown key "backof" (did you mean "backoff"?); known keys: maxAttempts, backoff, initialDelayMs, maxDelayMs, jitter',
      'a.yaml:37 destinations[4].retry.maxAttempts: expected an integer from 1 to 1000, got 0',
      'a.yaml:36 destinations[4].method: expected one of: POST, PUT, got "GET"',
      'a.yaml:41 destinations[5].fileName: unknown placeholder ${extension}; known: messageId, controlId, messageType, triggerEvent, channel, ext',
      'b.yaml:4 enabled: expected true or false, got "maybe"',
      'b.yaml:3 destinations: expected a list of a destination (a map with name and type) (at least 1), got a map',
    ];
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toContain(e));
    expect(r.problems.every((p) => p.file === a || p.file === b)).toBe(true);
    expect(formatProblems(r.problems).split('\n')[0]).toBe(
      `${a}:2: ${r.problems[0]!.path}: ${r.problems[0]!.message}`,
    );
  });

  it('reports duplicate channel ids across files and bad retry bounds', async () => {
    await write('a.yaml', MINIMAL);
    await write(
      'b.yaml',
      `# same id\n${MINIMAL.replace('type: fhir-store }', 'type: fhir-store, retry: { initialDelayMs: 5000, maxDelayMs: 100 } }')}`,
    );
    const r = await load();
    expect(r.problems.map((p) => [path.basename(p.file), p.line, p.path, p.message])).toEqual([
      ['b.yaml', 5, 'destinations[0].retry.maxDelayMs', 'expected at least initialDelayMs (5000), got 100'],
      ['b.yaml', 2, 'id', `duplicate channel id "lab" (also in ${path.join(dir, 'a.yaml')})`],
    ]);
  });

  it('reports YAML syntax errors with their line, and never throws', async () => {
    await write('a.yaml', 'id: lab\nsource:\n  listener: mllp\n   messageTypes: [ADT\n');
    await write('b.yaml', 'id: x\nid: y\n');
    await write('c.yaml', 'source: { messageTypes: [*] }\n');
    await write('d.yaml', '');
    await write('notes.txt', 'not a channel');
    const r = await load();
    const byFile = (n: string) => r.problems.filter((p) => path.basename(p.file) === n);
    expect(byFile('a.yaml')[0]).toMatchObject({ path: '', line: 3 });
    expect(byFile('a.yaml')[0]!.message).toMatch(/^YAML syntax error: /);
    expect(byFile('b.yaml')[0]).toMatchObject({ line: 2, message: expect.stringContaining('unique') });
    expect(byFile('c.yaml')[0]!.message).toMatch(/^YAML syntax error: /);
    expect(byFile('d.yaml')).toEqual([
      {
        file: path.join(dir, 'd.yaml'),
        path: '',
        message: 'the file is empty: expected a channel with id, source and destinations',
      },
    ]);
    expect(r.problems.some((p) => p.file.endsWith('notes.txt'))).toBe(false);
  });

  it('reports a missing channels directory as a problem', async () => {
    const r = await loadChannels({ dir: path.join(dir, 'nope'), knownListeners, knownMappings });
    expect(r.problems).toEqual([
      { file: path.join(dir, 'nope'), path: '', message: 'channels directory not found' },
    ]);
  });
});

describe('loadChannelFile', () => {
  it('validates one file on its own', async () => {
    const file = await write('one.yaml', MINIMAL);
    const ok = await loadChannelFile(file, { knownListeners, knownMappings });
    expect(ok.problems).toEqual([]);
    expect(ok.channel?.id).toBe('lab');
    const bad = await loadChannelFile(file, { knownListeners: new Set(['http']), knownMappings });
    expect(bad.channel).toBeNull();
    expect(bad.problems).toEqual([
      { file, path: 'source.listener', line: 2, message: 'unknown listener "mllp"; known listeners: http' },
    ]);
  });
});
