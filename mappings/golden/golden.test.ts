/**
 * Golden tests: each case of golden-cases.ts is mapped and compared, as JSON, with its
 * checked-in Bundle. UPDATE_GOLDEN=1 rewrites the files instead (then review the diff by hand).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HL7_V2_CONTENT_TYPE } from '../../engine/channels/transform.ts';
import type { FhirBundle } from '../../engine/fhir/types.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { corpusRoot } from '../../engine/hl7/testing/corpus.ts';
import { mappingTransformer } from '../index.ts';
import { validateBundle } from '../validation/validate-bundle.ts';
import { GOLDEN_CASES, type GoldenCase } from './golden-cases.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

async function mapCase(c: GoldenCase): Promise<string> {
  const raw = readFileSync(path.join(corpusRoot, 'hl7', c.source));
  const t = mappingTransformer(c.mapping, {});
  const ctx = { message: Hl7Message.parse(raw), messageId: 'golden', channelId: 'golden' };
  const out = await t({ contentType: HL7_V2_CONTENT_TYPE, body: raw }, ctx);
  return `${JSON.stringify(JSON.parse(out.body.toString('utf8')), null, 2)}\n`;
}

describe('golden Bundles', () => {
  it('covers 2-3 messages of each type', () => {
    const per = (m: string): number => GOLDEN_CASES.filter((c) => c.mapping === m).length;
    expect(per('adt-to-fhir')).toBe(3);
    expect(per('orm-to-fhir')).toBe(2);
    expect(per('oru-to-fhir')).toBe(2);
  });

  for (const c of GOLDEN_CASES) {
    it(`${c.name} (${c.source})`, async () => {
      const file = path.join(import.meta.dirname, `${c.name}.json`);
      const actual = await mapCase(c);
      if (UPDATE) writeFileSync(file, actual);
      expect(existsSync(file), `${file} missing: UPDATE_GOLDEN=1 npx vitest run mappings/golden`).toBe(true);
      // Compared as JSON, so that formatting the golden files (prettier) changes nothing.
      const bundle = JSON.parse(actual) as FhirBundle;
      expect(bundle).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      expect(bundle.entry?.length ?? 0).toBeGreaterThan(0);
      expect(validateBundle(bundle).filter((i) => i.severity === 'error')).toEqual([]);
    });
  }
});
