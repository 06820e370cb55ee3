/**
 * The repeating PATIENT group of merge messages (ADT_A39/A40: `{ PID [PD1] MRG [PV1] }`): one
 * message per group, each the segments before the first PID (MSH, SFT, EVN) followed by the
 * group, so the single-PID segment maps (PID-3, MRG-1 ...) read each group as a message of its own.
 */
import { Hl7Message } from '../../engine/hl7/message.ts';

export function patientGroups(message: Hl7Message): Hl7Message[] {
  const names = message.segmentNames();
  if (names.filter((n) => n === 'PID').length < 2) return [message];
  const lines = message
    .toString()
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim() !== '');
  // Lines and segments line up unless the text holds something the scanner reads otherwise.
  if (lines.length !== names.length) return [message];
  const first = names.indexOf('PID');
  const header = lines.slice(0, first);
  const groups: Hl7Message[] = [];
  let start = first;
  for (let i = first + 1; i <= names.length; i++) {
    if (i === names.length || names[i] === 'PID') {
      groups.push(Hl7Message.parse([...header, ...lines.slice(start, i)].join('\r')));
      start = i;
    }
  }
  return groups;
}
