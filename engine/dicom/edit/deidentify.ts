/**
 * `deidentify`: the subset of the Basic Application Level Confidentiality Profile (PS3.15 E.1) in
 * basic-profile-table.ts, applied at every level of nesting, plus the profile's group rules:
 * private attributes (odd groups) X, curve data (50xx) X, overlay data and comments (60xx,3000 /
 * 60xx,4000) X (we remove the whole overlay group: an Overlay Plane without its Type 1 Overlay Data
 * would be invalid). Tags in `keep` are left exactly as they are, wherever they occur.
 * See docs/deidentification.md.
 */
import { BASIC_PROFILE_ROWS, resolveAction, type ProfileAction } from './basic-profile-table.ts';
import type { EditDataset, EditElement } from './dcmjs-codec.ts';
import { firstString, type ObjectEdit } from './editable-object.ts';
import { parseTagRef } from './tag-ref.ts';
import { DicomEditError, type DeidentifySpec } from './types.ts';
import { patientHash, remapUid } from './uid-remap.ts';

export const DEIDENTIFICATION_METHOD = 'PS3.15 E.1 Basic Profile, Switchboard subset';
export const FULL_DATES_OPTION = 'Retain Longitudinal Temporal Information Full Dates Option';
export const KEEP_OPTION = 'Attributes retained by configuration (keep)';

/** PS3.5 6.2-conformant dummies for action D; UI gets a replacement UID, binary VRs a zero length. */
const DUMMY: Readonly<Record<string, unknown>> = {
  PN: { Alphabetic: 'ANONYMOUS' },
  AE: 'ANONYMIZED',
  CS: 'ANONYMIZED',
  LO: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  UT: 'ANONYMIZED',
  UC: 'ANONYMIZED',
  DA: '19000101',
  TM: '000000',
  DT: '19000101000000',
  AS: '000Y',
  DS: 0,
  IS: 0,
};

/** File meta elements naming the systems an object passed through (not in Table E.1-1; removed too). */
const META_DROPPED = new Set(['00020016', '00020017', '00020018', '00020100', '00020102']);

interface Context {
  readonly secret: string;
  readonly keep: ReadonlySet<string>;
  readonly actions: ReadonlyMap<string, ProfileAction>;
}

function removedByGroupRule(tag: string): boolean {
  const group = parseInt(tag.slice(0, 4), 16);
  if (group % 2 === 1) return true; // private attributes (and their creators)
  if (group >= 0x5000 && group <= 0x501e) return true; // curve data (retired)
  if (group >= 0x6000 && group <= 0x601e) return true; // overlay planes
  return tag.endsWith('0000'); // group lengths (retired, PS3.5 7.2) would be wrong after edits
}

function cleanItems(element: EditElement, ctx: Context): void {
  delete element._rawValue; // dcmjs would write the unedited items back otherwise
  for (const item of element.Value ?? []) {
    if (item && typeof item === 'object') clean(item as EditDataset, ctx);
  }
}

function apply(dataset: EditDataset, tag: string, action: ProfileAction, ctx: Context): void {
  const element = dataset[tag]!;
  if (action === 'X') {
    delete dataset[tag];
  } else if (action === 'Z') {
    dataset[tag] = { vr: element.vr, Value: [] };
  } else if (element.vr === 'SQ') {
    cleanItems(element, ctx); // D / K / U* on a sequence: the rows for its items do the replacing
  } else if (action === 'U' || (action === 'D' && element.vr === 'UI')) {
    const values = (element.Value ?? []).map((v) =>
      typeof v === 'string' && v !== '' ? remapUid(ctx.secret, v) : v,
    );
    dataset[tag] = { vr: element.vr, Value: values };
  } else if (action === 'D') {
    const dummy = DUMMY[element.vr];
    dataset[tag] = { vr: element.vr, Value: dummy === undefined ? [] : [dummy] };
  }
}

function clean(dataset: EditDataset, ctx: Context): void {
  for (const tag of Object.keys(dataset)) {
    if (ctx.keep.has(tag)) continue;
    if (removedByGroupRule(tag)) {
      delete dataset[tag];
      continue;
    }
    const action = ctx.actions.get(tag);
    if (action) apply(dataset, tag, action, ctx);
    else if (dataset[tag]!.vr === 'SQ') cleanItems(dataset[tag]!, ctx);
  }
}

function fill(template: string, hash: string): string {
  return template.replaceAll('${hash}', hash);
}

export function compileDeidentify(spec: DeidentifySpec): ObjectEdit {
  const keep = new Set(
    spec.keep.map((ref) => {
      const r = parseTagRef(ref);
      if ('problem' in r) throw new DicomEditError(r.problem);
      return r.tag;
    }),
  );
  const actions = new Map(BASIC_PROFILE_ROWS.map((row) => [row.tag, resolveAction(row, spec.keepDates)]));
  const ctx: Context = { secret: spec.uidSecret, keep, actions };
  const method = [
    DEIDENTIFICATION_METHOD,
    ...(spec.keepDates ? [FULL_DATES_OPTION] : []),
    ...(keep.size > 0 ? [KEEP_OPTION] : []),
  ];
  return (object) => {
    const { dataset } = object;
    const hash = patientHash(spec.uidSecret, firstString(dataset, '00100020') ?? '');
    const previousMethods = (dataset['00120063']?.Value ?? []).filter(
      (v): v is string => typeof v === 'string' && !method.includes(v),
    );
    clean(dataset, ctx);
    // Table E.1-1 gives Z for both; Z allows a dummy value (E.1.1), and receivers need a patient.
    if (!keep.has('00100010'))
      dataset['00100010'] = { vr: 'PN', Value: [{ Alphabetic: fill(spec.patientName, hash) }] };
    if (!keep.has('00100020')) dataset['00100020'] = { vr: 'LO', Value: [fill(spec.patientId, hash)] };
    // PS3.15 E.1.1 and E.3.6: say that and how the object was de-identified.
    dataset['00120062'] = { vr: 'CS', Value: ['YES'] };
    dataset['00120063'] = { vr: 'LO', Value: [...previousMethods, ...method] };
    dataset['00280303'] = { vr: 'CS', Value: [spec.keepDates ? 'UNMODIFIED' : 'REMOVED'] };
    // After Pixel Data: Digital Signatures (FFFA,FFFA) and Data Set Trailing Padding (FFFC,FFFC) are
    // X in Table E.1-1, odd groups are private. Pixel data (group 7FE0) goes out untouched.
    object.tail = object.tail.filter((e) => e.tag.startsWith('7FE0') || keep.has(e.tag));
    object.meta = object.meta.filter((e) => !META_DROPPED.has(e.tag));
    object.preamble = Buffer.alloc(128); // PS3.10 7.1: may hold application data (e.g. TIFF headers)
  };
}
