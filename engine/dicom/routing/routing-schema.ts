/**
 * The schema of one DICOM channel file (channels/dicom/*.yaml), in the style of the HL7 channel
 * schema (engine/channels/schema.ts): every problem with its path and what was expected, defaults
 * filled in. Transformers are the edit library's own schema (engine/dicom/edit/).
 */
import {
  bool,
  describe,
  fail,
  int,
  isMap,
  oneOf,
  str,
  type Checked,
  type Schema,
} from '../../config/schema-kit.ts';
import {
  lazy,
  list,
  listOrOne,
  obj,
  optional,
  refine,
  required,
  tagged,
  unknownKeyMessage,
} from '../../config/schema-shapes.ts';
import { CHANNEL_ID, DEFAULT_RETRY, pattern, retrySchema, uniqueNames } from '../../channels/schema.ts';
import { dicomTransformsSchema } from '../edit/transform-schema.ts';
import type { DicomChannelSpec, DicomDestinationSpec, DicomRuleSpec } from './routing-types.ts';
import { resolveSopClass, resolveTag } from './tag-ref.ts';

export interface DicomChannelSchemaOptions {
  /** AE titles of `dicom.remoteAes` in the engine configuration: what `dicom-forward` may name. */
  readonly knownAes: ReadonlySet<string>;
}

const aeTitle = str({
  expected: 'an AE title (1-16 printable ASCII characters, no backslash)',
  pattern: /^[ -[\]-~]{1,16}$/,
});
const modality = str({ expected: 'a DICOM modality like CT or MR', pattern: /^[A-Z0-9_]{1,16}$/ });
const sopClass = refine(
  str({
    expected: 'a SOP class UID or name (e.g. 1.2.840.10008.5.1.4.1.1.2 or CTImageStorage)',
    test: (s, raw) =>
      resolveSopClass(s) === null
        ? `expected a SOP class UID or a PS3.6 SOP class name like CTImageStorage, got ${describe(raw)}`
        : null,
  }),
  (s) => resolveSopClass(s)!,
);
const tagRef = refine(
  str({
    expected: 'a DICOM tag: a keyword like InstitutionName, or ggggeeee / (gggg,eeee)',
    test: (s, raw) =>
      resolveTag(s) === null
        ? `expected a DICOM keyword like InstitutionName or a tag like (0008,0080), got ${describe(raw)}`
        : null,
  }),
  (s) => resolveTag(s)!,
);
/** Maps told apart by which key they have (`- modality: CT`, `- any: [...]`). */
function oneKeyOf<T>(variants: Readonly<Record<string, Schema<T>>>, what: string): Schema<T> {
  const keys = Object.keys(variants);
  const expected = `${what} (a map with one of the keys: ${keys.join(', ')})`;
  return {
    expected,
    check(value, at, ctx) {
      if (!isMap(value)) return fail(ctx, at, `expected ${expected}, got ${describe(value)}`);
      const present = keys.filter((k) => Object.hasOwn(value, k));
      if (present.length === 1) return variants[present[0]!]!.check(value, at, ctx);
      if (present.length > 1)
        return fail(
          ctx,
          at,
          `${what} takes one of ${present.join(', ')}, not several: give each its own list item`,
        );
      const first = Object.keys(value)[0];
      if (first === undefined) return fail(ctx, at, `expected ${expected}, got an empty map`);
      return fail(ctx, [...at, first], unknownKeyMessage(first, keys), true);
    },
  };
}

const ruleSchema: Schema<DicomRuleSpec> = (() => {
  const self: Schema<DicomRuleSpec> = lazy('a rule', () => rule);
  const tagRule = refine(
    obj({
      tag: required(tagRef),
      equals: optional(listOrOne(str({ minLength: 0, expected: 'a string' })), null),
      matches: optional(pattern, null),
      exists: optional(bool(), null),
    }),
    (r, at, ctx): Checked<DicomRuleSpec> => {
      const given = (['equals', 'matches', 'exists'] as const).filter((k) => r[k] !== null);
      if (given.length !== 1) {
        const found = given.length === 0 ? 'none' : given.join(' and ');
        return fail(ctx, at, `a tag rule needs exactly one of: equals, matches, exists (found ${found})`);
      }
      if (r.equals !== null) return { kind: 'tagEquals', tag: r.tag, values: r.equals.map((v) => v.trim()) };
      if (r.matches !== null) return { kind: 'tagMatches', tag: r.tag, pattern: r.matches };
      return { kind: 'tagExists', tag: r.tag, exists: r.exists === true };
    },
  );
  const rule: Schema<DicomRuleSpec> = oneKeyOf<DicomRuleSpec>(
    {
      callingAe: refine(obj({ callingAe: required(listOrOne(aeTitle)) }), (r) => ({
        kind: 'callingAe' as const,
        values: r.callingAe,
      })),
      modality: refine(obj({ modality: required(listOrOne(modality)) }), (r) => ({
        kind: 'modality' as const,
        values: r.modality,
      })),
      sopClass: refine(obj({ sopClass: required(listOrOne(sopClass)) }), (r) => ({
        kind: 'sopClass' as const,
        values: r.sopClass,
      })),
      tag: tagRule,
      any: refine(obj({ any: required(list(self, 1)) }), (r) => ({ kind: 'any' as const, rules: r.any })),
      not: refine(obj({ not: required(self) }), (r) => ({ kind: 'not' as const, rule: r.not })),
    },
    'a rule',
  );
  return rule;
})();

function destinationSchema(opts: DicomChannelSchemaOptions): Schema<DicomDestinationSpec> {
  const known =
    [...opts.knownAes].sort().join(', ') || '(none: add dicom.remoteAes to the engine configuration)';
  const remoteAe = str({
    expected: 'the AE title of an entry of dicom.remoteAes in the engine configuration',
    test: (s) =>
      opts.knownAes.has(s) ? null : `unknown remote AE ${describe(s)}; dicom.remoteAes has: ${known}`,
  });
  const base = {
    name: required(
      str({ expected: 'a name of letters, digits, ".", "_" or "-"', pattern: /^[A-Za-z0-9][\w.-]{0,63}$/ }),
    ),
    enabled: optional(bool(), true),
    retry: optional(retrySchema, DEFAULT_RETRY),
    transformers: optional(dicomTransformsSchema, []),
  };
  const type = <const T extends string>(t: T) => required(oneOf([t]));
  return tagged<DicomDestinationSpec>(
    'type',
    {
      'dicom-forward': obj({
        ...base,
        type: type('dicom-forward'),
        ae: required(remoteAe),
        concurrency: optional(int(1, 16), 1),
        timeoutMs: optional(int(1, 3_600_000), 30_000),
      }),
      'dicom-store': obj({ ...base, type: type('dicom-store') }),
    },
    'a destination (a map with name and type)',
  );
}

export function dicomChannelSchema(opts: DicomChannelSchemaOptions): Schema<Omit<DicomChannelSpec, 'file'>> {
  return refine(
    obj({
      id: required(
        str({
          expected: 'an id of lowercase letters, digits and "-" (e.g. ct-to-research)',
          pattern: CHANNEL_ID,
          maxLength: 64,
        }),
      ),
      name: optional(str(), null),
      description: optional(str({ minLength: 0 }), ''),
      enabled: optional(bool(), true),
      source: optional(obj({ listener: required(oneOf(['dicom'])) }), { listener: 'dicom' as const }),
      rules: optional(list(ruleSchema), []),
      transformers: optional(dicomTransformsSchema, []),
      destinations: required(uniqueNames(list(destinationSchema(opts), 1))),
    }),
    (c) => ({ ...c, name: c.name ?? c.id }),
  );
}
