import { describe, expect, it } from 'vitest';
import type { Identifier } from '../../engine/dicom/find/identifier.ts';
import {
  itemMatches,
  projectItem,
  worklistFilter,
  worklistFind,
  type WorklistFilter,
} from '../../engine/dicom/find/mwl-find.ts';

const item = (accession: string, modality: string, date: string, name = 'DOE^JANE'): Identifier => ({
  PatientName: name,
  PatientID: `MRN-${accession}`,
  PatientBirthDate: '19750412',
  AccessionNumber: accession,
  StudyInstanceUID: `2.25.${accession.length}`,
  ScheduledProcedureStepSequence: [
    {
      Modality: modality,
      ScheduledStationAETitle: 'CT01',
      ScheduledProcedureStepStartDate: date,
      ScheduledProcedureStepStartTime: '093000',
      ScheduledProcedureStepID: `SPS-${accession}`,
    },
  ],
});

const STORE = [
  item('A1', 'CT', '20260302'),
  item('A2', 'MR', '20260305', 'Müller^Jörg'),
  item('A3', 'CT', '20260310'),
];

/** A fake worklist store that records the filters it got and returns everything. */
function fakeSource(): { filters: WorklistFilter[]; source: (f: WorklistFilter) => Promise<Identifier[]> } {
  const filters: WorklistFilter[] = [];
  return { filters, source: async (f) => (filters.push(f), [...STORE]) };
}

describe('worklist filter from an identifier', () => {
  it('takes patient, accession and the step keys; universal values are left out', () => {
    expect(
      worklistFilter({
        PatientName: [{ Alphabetic: 'DOE*' }],
        PatientID: '',
        AccessionNumber: '*',
        ScheduledProcedureStepSequence: [
          {
            Modality: 'CT',
            ScheduledStationAETitle: '',
            ScheduledProcedureStepStartDate: '20260301-20260303',
          },
        ],
      }),
    ).toEqual({ patientName: 'DOE*', modality: 'CT', scheduledDate: { from: '20260301', to: '20260303' } });
    expect(
      worklistFilter({ ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '20260302' }] }),
    ).toEqual({ scheduledDate: { from: '20260302', to: '20260302' } });
  });
});

describe('worklist matching and projection', () => {
  it('matches wildcards, person names case-insensitively, date ranges inside the step sequence', () => {
    const step = (s: Identifier): Identifier => ({ ScheduledProcedureStepSequence: [s] });
    const a1 = STORE[0]!;
    expect(itemMatches(a1, step({ Modality: 'CT' }))).toBe(true);
    expect(itemMatches(a1, step({ Modality: 'MR' }))).toBe(false);
    expect(itemMatches(a1, step({ ScheduledProcedureStepStartDate: '20260301-20260302' }))).toBe(true);
    expect(itemMatches(a1, step({ ScheduledProcedureStepStartDate: '20260303-' }))).toBe(false);
    expect(itemMatches(a1, step({ ScheduledProcedureStepStartDate: '20260302' }))).toBe(true);
    expect(itemMatches(a1, { PatientName: 'doe^j*' })).toBe(true);
    expect(itemMatches(a1, { AccessionNumber: 'A?' })).toBe(true);
    expect(itemMatches(a1, { AccessionNumber: 'a?' })).toBe(false);
    expect(itemMatches(a1, { PatientID: '', ScheduledProcedureStepSequence: [] })).toBe(true);
  });

  it('returns the requested keys only, sequences item by item, missing ones zero-length', () => {
    expect(
      projectItem(STORE[0]!, {
        AccessionNumber: '',
        AdmissionID: '',
        ScheduledProcedureStepSequence: [{ Modality: '', ScheduledStationName: '' }],
      }),
    ).toEqual({
      AccessionNumber: 'A1',
      AdmissionID: '',
      ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledStationName: '' }],
    });
  });
});

describe('worklist C-FIND', () => {
  it('passes the filter to the store, checks the items again and answers with the requested keys', async () => {
    const { filters, source } = fakeSource();
    const outcome = await worklistFind(
      source,
      {
        SpecificCharacterSet: 'ISO_IR 100',
        AccessionNumber: '',
        PatientName: '',
        ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '-20260305' }],
      },
      100,
    );
    expect(filters).toEqual([{ modality: 'CT', scheduledDate: { to: '20260305' } }]);
    expect(outcome).toEqual({
      ok: true,
      matches: [
        {
          SpecificCharacterSet: 'ISO_IR 192',
          AccessionNumber: 'A1',
          PatientName: 'DOE^JANE',
          ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '20260302' }],
        },
      ],
    });
  });

  it('stops at maxMatches, and refuses a Q/R identifier (QueryRetrieveLevel) with 0xA900', async () => {
    const { source } = fakeSource();
    const limited = await worklistFind(source, { AccessionNumber: '' }, 2);
    expect(limited.ok && limited.matches.map((m) => m.AccessionNumber)).toEqual(['A1', 'A2']);
    expect(await worklistFind(source, { QueryRetrieveLevel: 'STUDY' }, 10)).toMatchObject({
      ok: false,
      status: 0xa900,
    });
  });
});
