/**
 * The elements of a message that carry data, down to the subcomponent: what a mapping could have
 * used. Empty elements and the HL7 null `""` carry none; MSH-1 and MSH-2 (the delimiters) neither.
 * Segments are numbered by occurrence as in paths (`OBX[2]-5`), from the message's own text.
 */
import type { Hl7Message } from '../../engine/hl7/message.ts';
import type { ContentUnit } from './read-log.ts';

const HL7_NULL = '""';

export function contentUnits(message: Hl7Message): ContentUnit[] {
  const d = message.delimiters;
  const units: ContentUnit[] = [];
  const seen = new Map<string, number>();
  for (const line of message.toString().split(/\r\n|\r|\n/)) {
    if (line.trim() === '') continue;
    const fields = line.split(d.field);
    const segment = fields[0] ?? '';
    const occurrence = (seen.get(segment) ?? 0) + 1;
    seen.set(segment, occurrence);
    const isMsh = segment === 'MSH';
    for (let i = isMsh ? 2 : 1; i < fields.length; i++) {
      const field = isMsh ? i + 1 : i;
      const text = fields[i] ?? '';
      if (text === '' || text === HL7_NULL) continue;
      text.split(d.repetition).forEach((rep, r) => {
        rep.split(d.component).forEach((comp, c) => {
          const subs = comp.split(d.subcomponent);
          subs.forEach((sub, s) => {
            if (sub.trim() === '' || sub === HL7_NULL) return;
            units.push({
              segment,
              occurrence,
              field,
              repetition: r + 1,
              component: c + 1,
              subcomponent: s + 1,
              inSubcomponents: subs.length > 1,
            });
          });
        });
      });
    }
  }
  return units;
}
