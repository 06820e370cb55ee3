/**
 * `transformers:` of a DICOM channel destination, as YAML:
 *   - tagEdits: { set: { InstitutionName: Research }, remove: [ReferringPhysicianName, '0010,1000'] }
 *   - deidentify: { uidSecret: '${env:DEID_SECRET}', keepDates: false, keep: [] }
 * Every tag is checked against the DICOM dictionary and every `set` value against its VR at load,
 * so a typo fails with its path instead of on the first object.
 */
import {
  bool,
  describe,
  fail,
  INVALID,
  isMap,
  str,
  type Checked,
  type Schema,
} from '../../config/schema-kit.ts';
import { list, obj, optional, refine, required, unknownKeyMessage } from '../../config/schema-shapes.ts';
import { editableTagProblem, parseTagRef, settableVr, TAG_REF_EXPECTED, valueProblem } from './tag-ref.ts';
import type { DeidentifySpec, DicomTransformSpec, TagEditsSpec } from './types.ts';

export const DEFAULT_PATIENT_NAME = 'ANONYMOUS';
export const DEFAULT_PATIENT_ID = 'ANON-${hash}';
/** HMAC keys shorter than this are guessable; UIDs and hashes would then be reversible by brute force. */
export const MIN_SECRET_LENGTH = 16;

/** A tag reference, kept as written (compile resolves it again); `editable` adds the tagEdits limits. */
function tagRef(editable: boolean): Schema<string> {
  return str({
    expected: TAG_REF_EXPECTED,
    test: (s) => {
      const r = parseTagRef(s);
      if ('problem' in r) return r.problem;
      return editable ? editableTagProblem(r.tag) : null;
    },
  });
}

const setSchema: Schema<Record<string, string>> = {
  expected: 'a map of tag -> value (values of a multi-valued tag separated by \\)',
  check(value, path, ctx) {
    if (!isMap(value)) return fail(ctx, path, `expected ${this.expected}, got ${describe(value)}`);
    const out: Record<string, string> = {};
    let ok = true;
    for (const [key, raw] of Object.entries(value)) {
      const at = [...path, key];
      const ref = parseTagRef(key);
      const keyProblem = 'problem' in ref ? ref.problem : editableTagProblem(ref.tag);
      if (keyProblem) {
        ok = false;
        fail(ctx, at, keyProblem, true);
        continue;
      }
      const vr = settableVr((ref as { tag: string }).tag);
      if ('problem' in vr) {
        ok = false;
        fail(ctx, at, vr.problem, true);
        continue;
      }
      const text = str({ minLength: 0, expected: `a ${vr.vr} value as a string` }).check(raw ?? '', at, ctx);
      if (text === INVALID) {
        ok = false;
        continue;
      }
      const problem = valueProblem(vr.vr, text);
      if (problem) {
        ok = false;
        fail(ctx, at, problem);
        continue;
      }
      out[key] = text;
    }
    return ok ? out : INVALID;
  },
};

const tagEditsSchema: Schema<TagEditsSpec> = refine(
  obj({ set: optional(setSchema, {}), remove: optional(list(tagRef(true)), []) }),
  (t, path, ctx): Checked<TagEditsSpec> => {
    if (Object.keys(t.set).length === 0 && t.remove.length === 0) {
      return fail(ctx, path, 'tagEdits needs at least one tag in set or remove');
    }
    const removed = new Map(t.remove.map((r, i) => [tagOf(r), i]));
    for (const key of Object.keys(t.set)) {
      const i = removed.get(tagOf(key));
      if (i !== undefined)
        return fail(ctx, [...path, 'remove', i], `${key} is both set and removed: choose one`);
    }
    return { kind: 'tagEdits', set: t.set, remove: t.remove };
  },
);

function tagOf(ref: string): string {
  const r = parseTagRef(ref);
  return 'tag' in r ? r.tag : ref;
}

function nameTemplate(maxLength: number, expected: string): Schema<string> {
  return str({
    expected,
    test: (s) => {
      const unknown = [...s.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]).find((v) => v !== 'hash');
      if (unknown !== undefined) return `unknown placeholder \${${unknown}}; the only one is \${hash}`;
      if (/[\\\r\n]/.test(s)) return `expected a single value without \\ or line breaks, got ${describe(s)}`;
      const length = s.replaceAll('${hash}', 'X'.repeat(16)).length;
      return length > maxLength
        ? `expected at most ${maxLength} characters with \${hash} filled in, got ${length}`
        : null;
    },
  });
}

const deidentifySchema: Schema<DeidentifySpec> = refine(
  obj({
    patientName: optional(nameTemplate(64, 'a patient name (PN), may use ${hash}'), DEFAULT_PATIENT_NAME),
    patientId: optional(nameTemplate(64, 'a patient id (LO), may use ${hash}'), DEFAULT_PATIENT_ID),
    keepDates: optional(bool(), false),
    keep: optional(list(tagRef(false)), []),
    uidSecret: required(
      str({
        expected: `a secret of at least ${MIN_SECRET_LENGTH} characters, e.g. \${env:DEID_SECRET}`,
        minLength: MIN_SECRET_LENGTH,
        secret: true,
      }),
    ),
  }),
  (d) => ({ kind: 'deidentify' as const, ...d }),
);

const variants: Readonly<Record<string, Schema<DicomTransformSpec>>> = {
  tagEdits: tagEditsSchema,
  deidentify: deidentifySchema,
};
const KINDS = Object.keys(variants);

/** One list item: a map with exactly one key naming the kind of transform. */
const transformSchema: Schema<DicomTransformSpec> = {
  expected: `a DICOM transform (a map with one key: ${KINDS.join(' or ')})`,
  check(value, path, ctx) {
    if (!isMap(value)) return fail(ctx, path, `expected ${this.expected}, got ${describe(value)}`);
    const keys = Object.keys(value);
    if (keys.length === 0) return fail(ctx, path, `expected ${this.expected}, got an empty map`);
    if (keys.length > 1) {
      const unknown = keys.find((k) => !KINDS.includes(k));
      if (unknown !== undefined)
        return fail(ctx, [...path, unknown], unknownKeyMessage(unknown, KINDS), true);
      return fail(
        ctx,
        path,
        `a transform takes one of ${keys.join(', ')}, not several: give each its own list item`,
      );
    }
    const kind = keys[0]!;
    const variant = variants[kind];
    if (!variant) return fail(ctx, [...path, kind], unknownKeyMessage(kind, KINDS), true);
    return variant.check(value[kind] ?? {}, [...path, kind], ctx);
  },
};

export const dicomTransformsSchema: Schema<readonly DicomTransformSpec[]> = list(transformSchema);
