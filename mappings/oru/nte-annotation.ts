/**
 * NTE -> Annotation, per "HL7 Segment - FHIR R4_ NTE[Observation]": NTE-3 (FT, repeating) ->
 * text (escapes decoded, formatting as line breaks, repetitions one line each), NTE-5 ->
 * authorReference (XCN[Practitioner]), NTE-6 -> time. An NTE without text gives no Annotation
 * (Annotation.text is 1..1).
 */
import { unescapeHl7 } from '../../engine/hl7/escape.ts';
import type { SegmentMapEnv } from '../adt/env.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { xcnToReference } from '../datatypes/xcn.ts';
import type { Annotation } from './resources.ts';
import { pathAt, textAt, valueAt } from './seg-path.ts';

export function nteToAnnotation(env: SegmentMapEnv, occurrence: number): Annotation | undefined {
  const seg = { message: env.message, name: 'NTE', occurrence };
  const { message } = env;
  const text = message
    .getAll(pathAt(seg, 3))
    .filter((r) => r !== '""')
    .map((r) => unescapeHl7(r, message.delimiters, message.charset))
    .join('\n');
  if (text.trim() === '') return undefined;
  const out: Annotation = { text };
  const author = xcnToReference(valueAt(seg, 5), env.cx);
  if (author) out.authorReference = author;
  const time = dtmToDateTime(textAt(seg, 6), env.tz);
  if (time) out.time = time.value;
  return out;
}

export function ntesToAnnotations(env: SegmentMapEnv, occurrences: readonly number[]): Annotation[] {
  return occurrences.flatMap((n) => nteToAnnotation(env, n) ?? []);
}
