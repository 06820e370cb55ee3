import { describe, expect, it } from 'vitest';
import { decideContext } from '../../engine/dicom/dimse/negotiation.ts';
import { createFindService } from '../../engine/dicom/find/find-service.ts';
import { textValue, textValues } from '../../engine/dicom/find/identifier.ts';
import {
  FindSopClass,
  FindStatus,
  parseQrIdentifier,
  responseIdentifier,
} from '../../engine/dicom/find/qr-find.ts';
import type { SqlQueryable } from '../../engine/db/sql.ts';

const noDb: SqlQueryable = {
  query: () => Promise.reject(new Error('no database in this test')),
};

describe('C-FIND negotiation', () => {
  it('accepts the Q/R FIND and worklist SOP classes in little endian only', () => {
    for (const uid of Object.values(FindSopClass)) {
      expect(decideContext(uid, ['1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1'])).toEqual({
        result: 'accept',
        transferSyntaxUid: '1.2.840.10008.1.2.1',
      });
      expect(decideContext(uid, ['1.2.840.10008.1.2.4.50'])).toEqual({
        result: 'transfer-syntaxes-not-supported',
      });
    }
    // C-MOVE is not ours to accept here.
    expect(decideContext('1.2.840.10008.5.1.4.1.2.2.9', ['1.2.840.10008.1.2'])).toEqual({
      result: 'abstract-syntax-not-supported',
    });
  });
});

describe('identifier values', () => {
  it('reads padded text, person names, numbers and backslash lists', () => {
    expect(textValue('20190101-20191231 ')).toBe('20190101-20191231');
    expect(textValue([{ Alphabetic: 'Dvořák^Antonín' }])).toBe('Dvořák^Antonín');
    expect(textValue(3)).toBe('3');
    expect(textValue('')).toBe('');
    expect(textValue(undefined)).toBe('');
    expect(textValues(['1.2.3', '1.2.4'])).toEqual(['1.2.3', '1.2.4']);
    expect(textValues('1.2.3\\1.2.4')).toEqual(['1.2.3', '1.2.4']);
  });
});

describe('Q/R identifier parsing', () => {
  it('takes the level, the non-empty keys as matches, and every key as a return key', () => {
    const query = parseQrIdentifier(
      'study-root',
      {
        QueryRetrieveLevel: 'STUDY ',
        SpecificCharacterSet: 'ISO_IR 100',
        PatientName: 'Sch*',
        StudyDate: '20190101-',
        StudyInstanceUID: ['1.2.3', '1.2.4'],
        NumberOfStudyRelatedInstances: '',
        SeriesInstanceUID: '9.9',
        OtherPatientIDsSequence: [],
      },
      50,
    );
    expect(query).toEqual({
      level: 'STUDY',
      matches: [
        { keyword: 'PatientName', values: ['Sch*'] },
        { keyword: 'StudyDate', values: ['20190101-'] },
        { keyword: 'StudyInstanceUID', values: ['1.2.3', '1.2.4'] },
      ],
      // SeriesInstanceUID is below the STUDY level: neither matched nor returned.
      returnKeys: [
        'PatientName',
        'StudyDate',
        'StudyInstanceUID',
        'NumberOfStudyRelatedInstances',
        'OtherPatientIDsSequence',
      ],
      limit: 50,
    });
  });

  it('refuses a missing level, or one the information model does not have, with 0xA900', () => {
    expect(parseQrIdentifier('study-root', { QueryRetrieveLevel: 'PATIENT' }, 10)).toMatchObject({
      status: FindStatus.IdentifierDoesNotMatchSopClass,
    });
    expect(parseQrIdentifier('patient-root', { PatientID: '' }, 10)).toMatchObject({
      status: 0xa900,
      comment: 'QueryRetrieveLevel missing',
    });
    expect(parseQrIdentifier('patient-root', { QueryRetrieveLevel: 'FRAME' }, 10)).toMatchObject({
      status: 0xa900,
    });
    expect(parseQrIdentifier('patient-root', { QueryRetrieveLevel: 'PATIENT' }, 10)).toMatchObject({
      level: 'PATIENT',
    });
  });

  it('answers with the requested keys only: counts as numbers, unknown keys zero-length, our AE title', () => {
    const requested = {
      QueryRetrieveLevel: 'STUDY',
      StudyInstanceUID: '',
      ModalitiesInStudy: '',
      NumberOfStudyRelatedSeries: '',
      StudyTime: '',
      InstitutionName: '',
      RetrieveAETitle: '',
    };
    const query = parseQrIdentifier('study-root', requested, 10);
    if (!('level' in query)) throw new Error('refused');
    const identifier = responseIdentifier(
      query,
      {
        StudyInstanceUID: '1.2.3',
        ModalitiesInStudy: ['CT', 'MR'],
        NumberOfStudyRelatedSeries: 2,
        StudyTime: null,
      },
      requested,
      { aeTitle: 'SWITCHBOARD' },
    );
    expect(identifier).toEqual({
      SpecificCharacterSet: 'ISO_IR 192',
      StudyInstanceUID: '1.2.3',
      ModalitiesInStudy: ['CT', 'MR'],
      NumberOfStudyRelatedSeries: 2,
      StudyTime: '',
      InstitutionName: '',
      RetrieveAETitle: 'SWITCHBOARD',
      QueryRetrieveLevel: 'STUDY',
    });
  });
});

describe('find service', () => {
  it('refuses a SOP class it does not serve, and a bad identifier, without touching the database', async () => {
    const find = createFindService({ db: noDb, aeTitle: 'SWITCHBOARD' });
    expect(await find({}, { sopClassUid: '1.2.840.10008.5.1.4.1.2.2.2' })).toEqual({
      ok: false,
      status: FindStatus.SopClassNotSupported,
      comment: 'SOP class not supported',
    });
    expect(
      await find({ QueryRetrieveLevel: 'PATIENT' }, { sopClassUid: FindSopClass.StudyRoot }),
    ).toMatchObject({
      ok: false,
      status: 0xa900,
    });
    expect(
      await find(
        { QueryRetrieveLevel: 'SERIES', SeriesNumber: 'x1' },
        { sopClassUid: FindSopClass.PatientRoot },
      ),
    ).toMatchObject({ ok: false, status: 0xa900 });
  });
});
