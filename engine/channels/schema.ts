import { statSync } from 'node:fs';
import path from 'node:path';
import {
  bool,
  fail,
  int,
  isMap,
  oneOf,
  str,
  describe,
  type Checked,
  type Schema,
} from '../config/schema-kit.ts';
import {
  lazy,
  list,
  listOrOne,
  obj,
  optional,
  record,
  refine,
  required,
  tagged,
  unknownKeyMessage,
  anything,
} from '../config/schema-shapes.ts';
import { FILE_NAME_VARIABLES } from '../destinations/template.ts';
import { isValidOffset } from '../../mappings/datatypes/dtm.ts';
import { Hl7PathError, parseHl7Path } from '../hl7/path.ts';
import { compilePattern } from './filters.ts';
import type { ChannelSpec, DestinationSpec, FilterSpec, RetryPolicy, TransformerSpec } from './types.ts';

export interface ChannelSchemaOptions {
  readonly knownListeners: ReadonlySet<string>;
  readonly knownMappings: ReadonlySet<string>;
  /** Absolute path of the channel file: script modules resolve against its folder. */
  readonly channelFile: string;
}

export const CHANNEL_ID = /^[a-z0-9][a-z0-9-]*$/;
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  backoff: 'exponential',
  initialDelayMs: 1000,
  maxDelayMs: 300_000,
  jitter: true,
});
export const DEFAULT_FILE_NAME = '${messageId}-${controlId}.${ext}';
const FILE_NAME_VARS: readonly string[] = FILE_NAME_VARIABLES;

/** `ADT`, `ADT^A01` or `*` (MSH-9.1 / MSH-9.2 are ID values of 3 characters, HL7 tables 0076 / 0003). */
const messageType = str({
  expected: 'a message type like ADT, ADT^A01 or "*"',
  pattern: /^(\*|[A-Z0-9]{3}(\^[A-Z0-9]{3})?)$/,
});
const hdValue = str({
  expected: 'a non-empty string without HL7 delimiters',
  test: (s, raw) =>
    /[|^~\\&\r\n]/.test(s)
      ? `expected the first component only, without HL7 delimiters (|^~\\&), got ${describe(raw)}`
      : null,
});
const hl7Path = str({ expected: 'an HL7 path like PID-3[2].1', test: hl7PathProblem });
/** A regular expression as filters and DICOM rules compile it (compilePattern). */
export const pattern = str({
  expected: 'a regular expression',
  test: (s) => {
    try {
      compilePattern(s);
      return null;
    } catch (err) {
      return `expected a valid regular expression: ${(err as Error).message}`;
    }
  },
});
/** The grammar of engine/hl7/path.ts (`SEG[occurrence]-field[repetition].component.subcomponent`). */
function hl7PathProblem(s: string): string | null {
  try {
    parseHl7Path(s);
    return null;
  } catch (err) {
    return err instanceof Hl7PathError ? err.message : `invalid HL7 path ${describe(s)}: ${String(err)}`;
  }
}

const ms = (max: number): Schema<number> => int(0, max);

function scriptModule(channelFile: string): Schema<string> {
  return str({
    expected: 'a path to a .ts/.js module, relative to the channel file',
    test: (s) => {
      const file = path.resolve(path.dirname(channelFile), s);
      const stat = statSync(file, { throwIfNoEntry: false });
      return stat?.isFile() ? null : `script module ${describe(s)} not found (looked for ${file})`;
    },
  });
}

function knownName(kind: string, known: ReadonlySet<string>): Schema<string> {
  const names = [...known].sort().join(', ') || '(none)';
  return str({
    expected: `the name of a ${kind}`,
    test: (s) => (known.has(s) ? null : `unknown ${kind} ${describe(s)}; known ${kind}s: ${names}`),
  });
}

function filterSchema(opts: ChannelSchemaOptions): Schema<FilterSpec> {
  const self: Schema<FilterSpec> = lazy('a filter', () => filter);
  const fieldFilter = refine(
    obj({
      field: required(hl7Path),
      equals: optional(listOrOne(str({ minLength: 0, expected: 'a string' })), null),
      matches: optional(pattern, null),
      exists: optional(bool(), null),
    }),
    (f, at, ctx): Checked<FilterSpec> => {
      const given = (['equals', 'matches', 'exists'] as const).filter((k) => f[k] !== null);
      if (given.length !== 1) {
        const found = given.length === 0 ? 'none' : given.join(' and ');
        return fail(ctx, at, `a field filter needs exactly one of: equals, matches, exists (found ${found})`);
      }
      if (f.equals !== null) return { kind: 'fieldEquals', path: f.field, values: f.equals };
      if (f.matches !== null) return { kind: 'fieldMatches', path: f.field, pattern: f.matches };
      return { kind: 'fieldExists', path: f.field, exists: f.exists === true };
    },
  );
  const variants: Record<string, Schema<FilterSpec>> = {
    messageType: refine(obj({ messageType: required(listOrOne(messageType)) }), (f) => ({
      kind: 'messageType' as const,
      values: f.messageType,
    })),
    sendingApplication: refine(obj({ sendingApplication: required(listOrOne(hdValue)) }), (f) => ({
      kind: 'sendingApplication' as const,
      values: f.sendingApplication,
    })),
    sendingFacility: refine(obj({ sendingFacility: required(listOrOne(hdValue)) }), (f) => ({
      kind: 'sendingFacility' as const,
      values: f.sendingFacility,
    })),
    field: fieldFilter,
    any: refine(obj({ any: required(list(self, 1)) }), (f) => ({ kind: 'any' as const, filters: f.any })),
    not: refine(obj({ not: required(self) }), (f) => ({ kind: 'not' as const, filter: f.not })),
    script: refine(obj({ script: required(scriptModule(opts.channelFile)) }), (f) => ({
      kind: 'script' as const,
      module: f.script,
    })),
  };
  const filter = oneKeyOf(variants, 'a filter');
  return filter;
}

/** Maps told apart by which key they have (`- field: ...`, `- any: [...]`), like a tagged union without a tag. */
function oneKeyOf<T>(variants: Readonly<Record<string, Schema<T>>>, what: string): Schema<T> {
  const keys = Object.keys(variants);
  const expected = `${what} (a map with one of the keys: ${keys.join(', ')})`;
  return {
    expected,
    check(value, at, ctx) {
      if (!isMap(value)) return fail(ctx, at, `expected ${expected}, got ${describe(value)}`);
      const present = keys.filter((k) => Object.hasOwn(value, k));
      if (present.length === 1) return variants[present[0]!]!.check(value, at, ctx);
      if (present.length > 1) {
        return fail(
          ctx,
          at,
          `${what} takes one of ${present.join(', ')}, not several: give each its own list item`,
        );
      }
      const first = Object.keys(value)[0];
      if (first === undefined) return fail(ctx, at, `expected ${expected}, got an empty map`);
      return fail(ctx, [...at, first], unknownKeyMessage(first, keys), true);
    },
  };
}

function transformerSchema(opts: ChannelSchemaOptions): Schema<TransformerSpec> {
  return oneKeyOf<TransformerSpec>(
    {
      mapping: refine(
        obj({
          mapping: required(knownName('mapping', opts.knownMappings)),
          options: optional(record(anything), {}),
        }),
        (t) => ({ kind: 'mapping' as const, name: t.mapping, options: t.options }),
      ),
      script: refine(obj({ script: required(scriptModule(opts.channelFile)) }), (t) => ({
        kind: 'script' as const,
        module: t.script,
      })),
    },
    'a transformer',
  );
}

/** A destination's retry policy (also DICOM channels': engine/dicom/routing/routing-schema.ts). */
export const retrySchema = refine(
  obj({
    maxAttempts: optional(int(1, 1000), DEFAULT_RETRY.maxAttempts),
    backoff: optional(oneOf(['exponential', 'fixed']), DEFAULT_RETRY.backoff),
    initialDelayMs: optional(ms(86_400_000), DEFAULT_RETRY.initialDelayMs),
    maxDelayMs: optional(ms(7 * 86_400_000), DEFAULT_RETRY.maxDelayMs),
    jitter: optional(bool(), DEFAULT_RETRY.jitter),
  }),
  (r, at, ctx): Checked<RetryPolicy> =>
    r.maxDelayMs < r.initialDelayMs
      ? fail(
          ctx,
          [...at, 'maxDelayMs'],
          `expected at least initialDelayMs (${r.initialDelayMs}), got ${r.maxDelayMs}`,
        )
      : r,
);

const fileName = str({
  expected: `a file name template using ${FILE_NAME_VARS.map((v) => `\${${v}}`).join(' ')}`,
  test: (s) => {
    if (/[/\\]/.test(s) || s === '.' || s === '..')
      return `expected a file name, not a path, got ${describe(s)}`;
    const unknown = [...s.matchAll(/\$\{([^}]*)\}/g)]
      .map((m) => m[1]!)
      .filter((v) => !FILE_NAME_VARS.includes(v));
    return unknown.length > 0
      ? `unknown placeholder \${${unknown[0]}}; known: ${FILE_NAME_VARS.join(', ')}`
      : null;
  },
});
const httpUrl = str({
  expected: 'an http:// or https:// URL',
  test: (s, raw) =>
    URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)
      ? null
      : `expected an http:// or https:// URL, got ${describe(raw)}`,
});
const timezone = str({
  expected: "'Z' or an offset like +01:00",
  test: (s, raw) => (isValidOffset(s) ? null : `expected 'Z' or an offset like +01:00, got ${describe(raw)}`),
});
const systemUri = str({
  expected: 'an absolute URI (e.g. urn:oid:1.2.3 or http://...)',
  pattern: /^[a-z][a-z0-9+.-]*:\S+$/i,
});
const dicomModality = str({ expected: 'a DICOM modality like CT or MR', pattern: /^[A-Z0-9_]{1,16}$/ });
const aeTitle = str({
  expected: 'an AE title (1-16 printable ASCII characters, no backslash)',
  pattern: /^[ -[\]-~]{1,16}$/,
});
const headerName = str({ expected: 'an HTTP header name', pattern: /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/ });
const headerValue = str({ minLength: 0, expected: 'a header value', pattern: /^[^\r\n]*$/ });

function destinationSchema(opts: ChannelSchemaOptions): Schema<DestinationSpec> {
  const base = {
    name: required(
      str({ expected: 'a name of letters, digits, ".", "_" or "-"', pattern: /^[A-Za-z0-9][\w.-]{0,63}$/ }),
    ),
    enabled: optional(bool(), true),
    retry: optional(retrySchema, DEFAULT_RETRY),
    transformers: optional(list(transformerSchema(opts)), []),
  };
  const type = <const T extends string>(t: T) => required(oneOf([t]));
  return tagged<DestinationSpec>(
    'type',
    {
      'fhir-store': obj({ ...base, type: type('fhir-store') }),
      hms: obj({
        ...base,
        type: type('hms'),
        defaultTimezone: optional(timezone, 'Z'),
        identifierSystems: optional(record(systemUri), {}),
      }),
      worklist: obj({
        ...base,
        type: type('worklist'),
        modalities: optional(record(dicomModality), {}),
        defaultModality: optional(dicomModality, null),
        stationAeTitles: optional(record(aeTitle, dicomModality), {}),
      }),
      file: obj({
        ...base,
        type: type('file'),
        directory: required(str()),
        fileName: optional(fileName, DEFAULT_FILE_NAME),
      }),
      mllp: obj({
        ...base,
        type: type('mllp'),
        host: required(str({ expected: 'a host name or IP address', pattern: /^[\w.:[\]-]+$/ })),
        port: required(int(1, 65535)),
        tls: optional(bool(), false),
        timeoutMs: optional(int(1, 3_600_000), 30_000),
        requireAck: optional(bool(), true),
      }),
      http: obj({
        ...base,
        type: type('http'),
        url: required(httpUrl),
        method: optional(oneOf(['POST', 'PUT']), 'POST'),
        headers: optional(record(headerValue, headerName), {}),
        timeoutMs: optional(int(1, 3_600_000), 30_000),
      }),
    },
    'a destination (a map with name and type)',
  );
}

/** Destination names are the queue keys: duplicates are reported even when other fields are invalid. */
export function uniqueNames<T>(items: Schema<T[]>): Schema<T[]> {
  return {
    expected: items.expected,
    check(value, at, ctx) {
      if (Array.isArray(value)) {
        const seen = new Map<string, number>();
        value.forEach((d: unknown, i) => {
          const name = isMap(d) ? d['name'] : undefined;
          if (typeof name !== 'string') return;
          const first = seen.get(name);
          if (first === undefined) seen.set(name, i);
          else
            fail(
              ctx,
              [...at, i, 'name'],
              `duplicate destination name "${name}" (also destinations[${first}])`,
            );
        });
      }
      return items.check(value, at, ctx);
    },
  };
}

export function channelSchema(opts: ChannelSchemaOptions): Schema<Omit<ChannelSpec, 'file'>> {
  return refine(
    obj({
      id: required(
        str({
          expected: 'an id of lowercase letters, digits and "-" (e.g. adt-to-fhir)',
          pattern: CHANNEL_ID,
          maxLength: 64,
        }),
      ),
      name: optional(str(), null),
      description: optional(str({ minLength: 0 }), ''),
      enabled: optional(bool(), true),
      source: required(
        obj({
          listener: required(knownName('listener', opts.knownListeners)),
          messageTypes: required(listOrOne(messageType)),
        }),
      ),
      filters: optional(list(filterSchema(opts)), []),
      transformers: optional(list(transformerSchema(opts)), []),
      destinations: required(uniqueNames(list(destinationSchema(opts), 1))),
    }),
    (c) => ({ ...c, name: c.name ?? c.id }),
  );
}
