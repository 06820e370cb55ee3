import { describe, expect, it } from 'vitest';
import type { DicomJsonDataset } from '../dicom-json.ts';
import { compileRules, elementValues, type RoutingInput } from './rules.ts';
import type { DicomRuleSpec } from './routing-types.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';

const dataset: DicomJsonDataset = {
  '00080080': { vr: 'LO', Value: ['General Hospital '] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane', Ideographic: '' }] },
  '00200013': { vr: 'IS', Value: [7] },
  '00081030': { vr: 'LO', Value: [''] },
  '00081111': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.3'] } }] },
};
const input: RoutingInput = { callingAe: 'CT01 ', modality: 'CT', sopClassUid: CT, dataset };
const matches = (rules: DicomRuleSpec[], i: RoutingInput = input): boolean => compileRules(rules)(i);

describe('DICOM channel rules', () => {
  it('matches every instance with no rules', () => {
    expect(matches([])).toBe(true);
  });

  it('matches calling AE without its padding, modality and SOP class by value', () => {
    expect(matches([{ kind: 'callingAe', values: ['MR01', 'CT01'] }])).toBe(true);
    expect(matches([{ kind: 'callingAe', values: ['MR01'] }])).toBe(false);
    expect(matches([{ kind: 'modality', values: ['CT', 'MR'] }])).toBe(true);
    expect(matches([{ kind: 'modality', values: ['MR'] }])).toBe(false);
    expect(matches([{ kind: 'modality', values: ['CT'] }], { ...input, modality: null })).toBe(false);
    expect(matches([{ kind: 'sopClass', values: [CT] }])).toBe(true);
    expect(matches([{ kind: 'sopClass', values: [MR] }])).toBe(false);
  });

  it('compares tag values trimmed, person names in their DICOM string form and numbers as text', () => {
    expect(matches([{ kind: 'tagEquals', tag: '00080080', values: ['General Hospital'] }])).toBe(true);
    expect(matches([{ kind: 'tagEquals', tag: '00080080', values: ['Other'] }])).toBe(false);
    expect(matches([{ kind: 'tagEquals', tag: '00100010', values: ['Doe^Jane'] }])).toBe(true);
    expect(matches([{ kind: 'tagEquals', tag: '00200013', values: ['7'] }])).toBe(true);
    expect(matches([{ kind: 'tagMatches', tag: '00080080', pattern: '^General' }])).toBe(true);
    expect(matches([{ kind: 'tagMatches', tag: '00080080', pattern: '^Hospital' }])).toBe(false);
  });

  it('treats absent and empty elements and sequences as having no value', () => {
    expect(matches([{ kind: 'tagExists', tag: '00080080', exists: true }])).toBe(true);
    expect(matches([{ kind: 'tagExists', tag: '00081030', exists: true }])).toBe(false);
    expect(matches([{ kind: 'tagExists', tag: '00081030', exists: false }])).toBe(true);
    expect(matches([{ kind: 'tagExists', tag: '00321032', exists: false }])).toBe(true);
    expect(elementValues(dataset, '00081111')).toEqual([]);
    expect(matches([{ kind: 'tagEquals', tag: '00321032', values: [''] }])).toBe(false);
  });

  it('ANDs the list, ORs any, negates not', () => {
    const ct = { kind: 'modality', values: ['CT'] } as const;
    const mr = { kind: 'modality', values: ['MR'] } as const;
    expect(matches([ct, { kind: 'callingAe', values: ['CT01'] }])).toBe(true);
    expect(matches([ct, mr])).toBe(false);
    expect(matches([{ kind: 'any', rules: [mr, ct] }])).toBe(true);
    expect(matches([{ kind: 'any', rules: [mr] }])).toBe(false);
    expect(matches([{ kind: 'not', rule: mr }])).toBe(true);
    expect(matches([{ kind: 'not', rule: ct }])).toBe(false);
  });
});
