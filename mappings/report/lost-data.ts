/**
 * "What is lost": the elements of one message that carry data no mapping read, as paths without
 * segment occurrence, at the coarsest level that is wholly unread: a segment no mapping looked
 * at (`ZPI`), a field of a segment that was read (`PID-19`), or a piece of a field that was read
 * in part (`PID-3.4.2`, `PID-13[2].1`).
 */
import type { ContentUnit, ReadLog } from './read-log.ts';

export type LostKind = 'segment' | 'field' | 'component';

export interface LostElement {
  readonly kind: LostKind;
  readonly path: string;
}

function piecePath(u: ContentUnit): string {
  const rep = u.repetition > 1 ? `[${u.repetition}]` : '';
  const sub = u.inSubcomponents ? `.${u.subcomponent}` : '';
  return `${u.segment}-${u.field}${rep}.${u.component}${sub}`;
}

/** Distinct lost elements of one message, in the message's order. */
export function lostElements(units: readonly ContentUnit[], log: ReadLog): LostElement[] {
  const out = new Map<string, LostElement>();
  for (const u of units) {
    if (log.covered(u)) continue;
    let lost: LostElement;
    if (!log.touchedSegment(u.segment)) lost = { kind: 'segment', path: u.segment };
    else if (!log.readField(u.segment, u.occurrence, u.field))
      lost = { kind: 'field', path: `${u.segment}-${u.field}` };
    else lost = { kind: 'component', path: piecePath(u) };
    if (!out.has(`${lost.kind}:${lost.path}`)) out.set(`${lost.kind}:${lost.path}`, lost);
  }
  return [...out.values()];
}
