import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../errors/catalogue.ts';
import { splitBatch } from './batch.ts';
import { Hl7Message, readHeader } from './message.ts';
import { readBytes, readManifest, type ManifestRow } from './testing/corpus.ts';

const wellFormed = readManifest('hl7');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Every segment terminator (the corpus uses \r only) replaced at the byte level, so any charset survives. */
function withTerminator(bytes: Buffer, terminator: '\n' | '\r\n'): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 13) continue;
    parts.push(bytes.subarray(last, i), Buffer.from(terminator));
    last = i + 1;
  }
  parts.push(bytes.subarray(last));
  return Buffer.concat(parts);
}

const SAMPLE_PATHS = [
  'MSH-3',
  'MSH-10',
  'PID-3',
  'PID-3.1',
  'PID-5.1',
  'PID-11[2].3',
  'OBR[2]-4.2',
  'OBX-5',
  'OBX[3]-5.1',
];

describe('well-formed corpus (hl7/)', () => {
  it('has the files the manifest lists', () => {
    expect(wellFormed.length).toBe(232);
  });

  it.each(wellFormed.map((row) => [row.path, row] as const))(
    '%s round-trips exactly',
    (_path, row: ManifestRow) => {
      const bytes = readBytes(row);
      const m = Hl7Message.parse(bytes);
      expect(Buffer.from(m.encode(), m.charset).equals(bytes)).toBe(true);
      expect(m.toBuffer().equals(bytes)).toBe(true);
      expect(m.segmentCount()).toBe(row.segments);
      const [type = '', trigger = ''] = row.msh9.split('^');
      expect([m.header.messageType, m.header.triggerEvent]).toEqual([type, trigger]);
      expect(m.header.version).toBe(row.msh12);
      expect(readHeader(bytes)).toEqual(m.header);

      for (const variant of [
        withTerminator(bytes, '\n'),
        withTerminator(bytes, '\r\n'),
        Buffer.concat([BOM, bytes]),
      ]) {
        const v = Hl7Message.parse(variant);
        expect(v.charset).toBe(m.charset);
        expect(v.segmentNames()).toEqual(m.segmentNames());
        // encode() is rebuilt from the split fields, so equal text means equal segments and fields.
        expect(v.encode().replace(/\r\n|\n/g, '\r')).toBe(m.encode());
        for (const p of SAMPLE_PATHS) expect(v.getAll(p)).toEqual(m.getAll(p));
        expect(v.header).toEqual(m.header);
        expect(readHeader(variant)).toEqual(m.header);
        const withoutBom = variant.subarray(0, 3).equals(BOM) ? variant.subarray(3) : variant;
        expect(Buffer.from(v.encode(), v.charset).equals(withoutBom)).toBe(true);
      }
    },
  );
});

describe('batch corpus (hl7-batch/)', () => {
  const rows = readManifest('hl7-batch');

  it.each(rows.map((row) => [row.path, row] as const))(
    '%s splits and each message round-trips',
    (_p, row) => {
      const bytes = readBytes(row);
      const expected = Number(/(\d+) messages/.exec(row.notes)?.[1]);
      const hasHeaders = row.notes.includes('batch headers BHS/BTS/FHS/FTS');
      const { messages, batchHeader, fileHeader } = splitBatch(bytes);
      expect(messages).toHaveLength(expected);
      expect(fileHeader?.startsWith('FHS|') ?? false).toBe(hasHeaders);
      expect(batchHeader?.startsWith('BHS|') ?? false).toBe(hasHeaders);
      let segments = hasHeaders ? 4 : 0; // FHS, BHS, BTS, FTS
      for (const message of messages) {
        expect(message.subarray(0, 4).toString()).toBe('MSH|');
        const m = Hl7Message.parse(message);
        expect(m.segmentCount('MSH')).toBe(1);
        expect(Buffer.from(m.encode(), m.charset).equals(message)).toBe(true);
        segments += m.segmentCount();
      }
      expect(segments).toBe(row.segments);
      // Nothing lost: headers, trailers and messages account for every byte.
      const total = messages.reduce((n, b) => n + b.length, 0);
      const headerBytes = bytes
        .toString('latin1')
        .split('\r')
        .filter((l) => /^(FHS|BHS|BTS|FTS)/.test(l))
        .reduce((n, l) => n + l.length + 1, 0);
      expect(total + headerBytes).toBe(bytes.length);
    },
  );
});

/** Per file of hl7-malformed/ (from its MANIFEST notes): the error the parser must raise, or null if it parses. */
const MALFORMED: Record<string, { location: string | null; message: RegExp } | null> = {
  'cdc-data-exchange-hl7/Lyme_WithBadDelimiters.hl7': {
    location: 'MSH-2',
    message: /'&&&&' uses '&' for two/,
  },
  'cdc-data-exchange-hl7/PHLIP_FLU_2.5.1_NO_MSH12.hl7': null,
  'cdc-trusted-intermediary/001_Epic_ORM_O01.hl7': null,
  'cdc-trusted-intermediary/001_TX_OML_O21.hl7': {
    location: null,
    message: /line 6 is not a segment.*'panel AHIC/,
  },
  'cdc-trusted-intermediary/002_Epic_ORU_R01.hl7': null,
  'cdc-trusted-intermediary/007_AL_ORM_O01_NBS_Missing_Required_Fields_0_initial_message.hl7': null,
  'cdc-trusted-intermediary/011_AL_ORM_O01_malformed_DTM_datatype_0_initial_message.hl7': null,
  'cdc-trusted-intermediary/012_AL_ORM_O01_malformed_XAD_datatype_0_initial_message.hl7': null,
  'cdc-trusted-intermediary/013_AL_ORM_O01_invalid_text_as_txt_datatype_0_initial_message.hl7': null,
  'cdc-trusted-intermediary/empty.hl7': { location: null, message: /the message is empty/ },
  'cdc-trusted-intermediary/msh-12_has_value_2_3.hl7': null,
  'cdc-trusted-intermediary/msh_present_but_missing_all_fields.hl7': {
    location: 'MSH-2',
    message: /is empty/,
  },
  'cdc-trusted-intermediary/msh_present_but_missing_msh-10.hl7': null,
  'cdc-trusted-intermediary/msh_present_but_missing_msh-2.hl7': { location: 'MSH-2', message: /is empty/ },
  'cdc-trusted-intermediary/msh_present_but_missing_msh-6.hl7': null,
  'cdc-trusted-intermediary/msh_present_but_missing_msh-9.hl7': null,
  'cdc-trusted-intermediary/orm_obx-5_is_not_a_numeric_value.hl7': null,
  'google-hdh/oml_o21_ex6.hl7': null,
  'linuxforhealth-hl7v2-fhir-converter/sample_unix.hl7': { location: 'MSH-2', message: /uses '\\' for two/ },
  'linuxforhealth-hl7v2-fhir-converter/sample_win.hl7': { location: 'MSH-2', message: /uses '\\' for two/ },
  'rethinkhealth-hl7v2/invalid-missing-msh.hl7': {
    location: null,
    message: /must start with an MSH segment/,
  },
  'rethinkhealth-hl7v2/invalid-segment-header-length.hl7': { location: null, message: /line 2 .*'PIDX\|1/ },
  'rethinkhealth-hl7v2/invalid-wrong-version.hl7': null,
};

describe('malformed corpus (hl7-malformed/)', () => {
  const rows = readManifest('hl7-malformed');

  it('has an expectation for every file', () => {
    expect(rows.map((r) => r.path).sort()).toEqual(Object.keys(MALFORMED).sort());
  });

  it.each(rows.map((row) => [row.path, row] as const))('%s', (path, row) => {
    const bytes = readBytes(row);
    const expected = MALFORMED[path];
    if (expected === null || expected === undefined) {
      // Only semantically bad (missing MSH-9/10/12, bad values): structure is fine and round-trips.
      const m = Hl7Message.parse(bytes);
      expect(m.segmentCount()).toBe(row.segments);
      expect(Buffer.from(m.encode(), m.charset).equals(bytes)).toBe(true);
      expect(m.header.version).toBe(row.msh12);
      return;
    }
    for (const read of [() => Hl7Message.parse(bytes), () => Hl7Message.parse(bytes.toString('latin1'))]) {
      let error: unknown;
      try {
        read();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SwitchboardError);
      const e = error as SwitchboardError;
      expect(e.definition.code).toBe('HL7_NOT_PARSEABLE');
      expect(e.location).toBe(expected.location);
      expect(e.message).toMatch(expected.message);
    }
    if (expected.location !== null || /empty|MSH segment/.test(expected.message.source)) {
      expect(() => readHeader(bytes)).toThrow(SwitchboardError);
    }
  });
});
