import { describe, expect, it } from 'vitest';
import { readManifest } from '../../engine/hl7/testing/corpus.ts';
import { corpusMessage, mappingContext } from '../testing/fragments.ts';
import { validateBundle } from '../validation/validate-bundle.ts';
import { validateFhirResource } from '../validation/validate-resource.ts';
import { ormToFhir } from './orm-to-fhir.ts';
import type { ServiceRequest } from './service-request.ts';

const rows = readManifest('hl7').filter((r) => r.msh9.startsWith('ORM^O01'));
const mapRow = (rel: string) => ormToFhir.map(corpusMessage(`hl7/${rel}`), mappingContext());
const serviceRequests = (rel: string): ServiceRequest[] =>
  (mapRow(rel).bundle.entry ?? [])
    .map((e) => e.resource!)
    .filter((r): r is ServiceRequest => r.resourceType === 'ServiceRequest');

describe('orm-to-fhir on every ORM^O01 of the corpus', () => {
  it('finds the 21 corpus messages, versions 2.3 to 2.7', () => {
    expect(rows).toHaveLength(21);
    expect(new Set(rows.map((r) => r.msh12))).toEqual(new Set(['2.3', '2.5', '2.5.1', '2.6', '2.7']));
  });

  for (const row of rows) {
    it(`${row.path} (v${row.msh12}): zero validation errors, one ServiceRequest per order group, same bytes twice`, () => {
      const { bundle } = mapRow(row.path);
      const entries = bundle.entry ?? [];
      for (const entry of entries) {
        const errors = validateFhirResource(entry.resource!).filter((i) => i.severity === 'error');
        expect(errors, `${entry.resource!.resourceType}`).toEqual([]);
      }
      expect(validateBundle(bundle).filter((i) => i.severity === 'error')).toEqual([]);
      const message = corpusMessage(`hl7/${row.path}`);
      const groups = Math.max(message.segmentCount('ORC'), message.segmentCount('OBR'));
      const requests = entries.filter((e) => e.resource?.resourceType === 'ServiceRequest');
      expect(requests).toHaveLength(groups);
      expect(new Set(requests.map((e) => e.request?.url)).size).toBe(groups);
      expect(entries.filter((e) => e.resource?.resourceType === 'Patient')).toHaveLength(1);
      expect(JSON.stringify(mapRow(row.path).bundle)).toBe(JSON.stringify(bundle));
    });
  }
});

describe('golden: hand-reviewed corpus orders', () => {
  it('rethinkhealth orm-o01-order: NW, placer ORD20001, CPT code, requester, ORC-4 requisition', () => {
    const [sr] = serviceRequests('rethinkhealth-hl7v2/orm-o01-order.hl7');
    expect(sr).toMatchObject({
      status: 'active',
      intent: 'order',
      identifier: [{ system: 'urn:switchboard:id:HOSP_A/PLAC', value: 'ORD20001' }],
      requisition: { system: 'urn:switchboard:id:HOSP_A/PGN', value: 'REQGRP001' },
      code: {
        coding: [
          {
            system: 'http://www.ama-assn.org/go/cpt',
            code: '80053',
            display: 'Comprehensive Metabolic Panel',
          },
        ],
      },
      authoredOn: '2026-03-15T09:15:00Z',
      requester: { display: 'DOC A REQUESTING MD' },
    });
  });

  it('fhir-converter ORM-O01-05: ORC-1 NW with ORC-5 CA is revoked (ORC-5 wins, IG ORC-5 row)', () => {
    const [sr] = serviceRequests('fhir-converter/ORM-O01-05.hl7');
    expect(sr?.status).toBe('revoked');
    expect(sr?.identifier?.map((i) => i.type?.coding?.[0]?.code)).toEqual(['PLAC', 'FILL']);
  });

  it('fhir-converter OML-O21-02: two orders, TQ1 timing and priority, the OBX NTE not in the order notes', () => {
    const [first, second] = serviceRequests('fhir-converter/OML-O21-02.hl7');
    expect(first?.identifier?.[0]).toMatchObject({ system: 'urn:switchboard:id:GHHPlacer', value: '1101' });
    expect(first?.priority).toBe('routine');
    expect(first?.occurrenceTiming?.repeat).toMatchObject({ count: 1, duration: 15, durationUnit: 'min' });
    expect(first?.note?.map((n) => n.text)).toEqual(['Urgent', 'Fasting Sugar']);
    expect(second?.identifier?.[0]).toMatchObject({ value: '2203' });
    expect(second?.encounter).toEqual(first?.encounter);
  });

  it('cdc 005_Oracle (v2.3): accession numbers from OBR-20 as ACSN identifiers', () => {
    const [sr] = serviceRequests('cdc-trusted-intermediary/005_Oracle_ORM_O01_2_3_non_NBS.hl7');
    expect(sr?.identifier?.filter((i) => i.type?.coding?.[0]?.code === 'ACSN')).toHaveLength(2);
  });
});
