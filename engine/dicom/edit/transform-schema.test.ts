import { describe, expect, it } from 'vitest';
import { formatPath, INVALID, type Issue } from '../../config/schema-kit.ts';
import { dicomTransformsSchema } from './transform-schema.ts';

const SECRET = 'sixteen-chars-ok!';

function check(value: unknown, env: NodeJS.ProcessEnv = {}) {
  const issues: Issue[] = [];
  const out = dicomTransformsSchema.check(value, ['transformers'], { env, issues });
  return { out, problems: issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}

describe('dicomTransformsSchema', () => {
  it('reads both kinds, fills defaults and expands ${env:...} in uidSecret', () => {
    const { out, problems } = check(
      [
        {
          tagEdits: {
            set: { InstitutionName: 'Research', '(0008,1030)': 'X' },
            remove: ['ReferringPhysicianName', '0010,1000'],
          },
        },
        { deidentify: { uidSecret: '${env:DEID_SECRET}' } },
      ],
      { DEID_SECRET: SECRET },
    );
    expect(problems).toEqual([]);
    expect(out).toEqual([
      {
        kind: 'tagEdits',
        set: { InstitutionName: 'Research', '(0008,1030)': 'X' },
        remove: ['ReferringPhysicianName', '0010,1000'],
      },
      {
        kind: 'deidentify',
        patientName: 'ANONYMOUS',
        patientId: 'ANON-${hash}',
        keepDates: false,
        keep: [],
        uidSecret: SECRET,
      },
    ]);
  });

  it.each([
    [
      [{ tagEdits: { remove: ['PatientNme'] } }],
      'transformers[0].tagEdits.remove[0]: expected a DICOM keyword (e.g. PatientName) or a tag as ggggeeee / (gggg,eeee), got unknown keyword "PatientNme"',
    ],
    [[{ tagEdits: { remove: ['patientname'] } }], 'did you mean "PatientName"?'],
    [[{ tagEdits: { set: { Foo: 'x' } } }], 'transformers[0].tagEdits.set.Foo: expected a DICOM keyword'],
    [
      [{ tagEdits: { set: { StudyDate: '2024-01-01' } } }],
      'transformers[0].tagEdits.set.StudyDate: expected a date YYYYMMDD (VR DA)',
    ],
    [
      [{ tagEdits: { set: { Rows: 'many' } } }],
      'transformers[0].tagEdits.set.Rows: expected numbers for VR US',
    ],
    [
      [{ tagEdits: { set: { SeriesNumber: 5 } } }],
      'transformers[0].tagEdits.set.SeriesNumber: expected a IS value as a string, got 5 (quote it',
    ],
    [[{ tagEdits: { set: { Modality: 'ct' } } }], 'expected upper-case letters, digits, space or _ (VR CS)'],
    [
      [{ tagEdits: { set: { AccessionNumber: 'x'.repeat(17) } } }],
      'a SH value is at most 16 characters, got 17',
    ],
    [
      [{ tagEdits: { set: { '00091001': 'x' } } }],
      'transformers[0].tagEdits.set.00091001: (0009,1001) is not in the DICOM dictionary',
    ],
    [
      [{ tagEdits: { set: { ReferencedImageSequence: 'x' } } }],
      'has VR SQ: only text and number values can be set',
    ],
    [
      [{ tagEdits: { remove: ['PixelData'] } }],
      'transformers[0].tagEdits.remove[0]: (7FE0,0010) PixelData is pixel data or after it',
    ],
    [[{ tagEdits: { remove: ['MediaStorageSOPInstanceUID'] } }], 'is file meta information'],
    [[{ tagEdits: {} }], 'transformers[0].tagEdits: tagEdits needs at least one tag in set or remove'],
    [
      [{ tagEdits: { set: { PatientID: 'A' }, remove: ['00100020'] } }],
      'transformers[0].tagEdits.remove[0]: PatientID is both set and removed',
    ],
    [[{ tagEdits: { sett: {} } }], 'transformers[0].tagEdits.sett: unknown key "sett" (did you mean "set"?)'],
    [
      [{ deidentify: {} }],
      'transformers[0].deidentify.uidSecret: required: expected a secret of at least 16 characters',
    ],
    [[{ deidentify: null }], 'transformers[0].deidentify.uidSecret: required'],
    [
      [{ deidentify: { uidSecret: '${env:MISSING_SECRET}' } }],
      'transformers[0].deidentify.uidSecret: environment variable MISSING_SECRET is not set',
    ],
    [
      [{ deidentify: { uidSecret: 'short' } }],
      'transformers[0].deidentify.uidSecret: expected a secret of at least 16 characters, e.g. ${env:DEID_SECRET}',
    ],
    [
      [{ deidentify: { uidSecret: SECRET, keep: ['NoSuchTag'] } }],
      'transformers[0].deidentify.keep[0]: expected a DICOM keyword',
    ],
    [
      [{ deidentify: { uidSecret: SECRET, patientId: 'P-${id}' } }],
      'transformers[0].deidentify.patientId: unknown placeholder ${id}; the only one is ${hash}',
    ],
    [
      [{ deidentify: { uidSecret: SECRET, patientName: 'x'.repeat(60) + '${hash}' } }],
      'expected at most 64 characters with ${hash} filled in, got 76',
    ],
    [
      [{ deidentify: { uidSecret: SECRET, keepDates: 'yes' } }],
      'transformers[0].deidentify.keepDates: expected true or false, got "yes"',
    ],
    [
      [{ anonymize: {} }],
      'transformers[0].anonymize: unknown key "anonymize"; known keys: tagEdits, deidentify',
    ],
    [
      [{ tagEdits: { remove: ['PatientID'] }, deidentify: { uidSecret: SECRET } }],
      'transformers[0]: a transform takes one of tagEdits, deidentify, not several',
    ],
    [
      ['deidentify'],
      'transformers[0]: expected a DICOM transform (a map with one key: tagEdits or deidentify), got "deidentify"',
    ],
    [{ deidentify: {} }, 'transformers: expected a list of'],
  ])('rejects %j', (value, expected) => {
    const { out, problems } = check(value);
    expect(out).toBe(INVALID);
    expect(problems.join('\n')).toContain(expected);
  });

  it('never echoes the secret', () => {
    const { problems } = check([{ deidentify: { uidSecret: 'hunter2' } }]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems).toHaveLength(1);
  });

  it('reports every problem, not just the first', () => {
    const { problems } = check([{ tagEdits: { remove: ['Nope1', 'Nope2'] } }, { deidentify: {} }]);
    expect(problems).toHaveLength(3);
  });
});
