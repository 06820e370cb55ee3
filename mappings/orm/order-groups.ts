/**
 * The ORDER groups of an ORM^O01 ("HL7 Message - FHIR R4_ ORM_O01" rows 4 to 4.6): each ORC opens
 * a group, the OBR after it is its ORDER_DETAIL, the NTEs right after ORC/OBR/TQ1 are the detail's
 * notes (NTE[ServiceRequest]); NTEs after an OBX belong to that observation and are not the order's.
 * An OBR that follows another OBR without a new ORC (a sender quirk seen in the corpus) opens a
 * group of its own that shares the previous ORC. Segments are named by their occurrence in the
 * whole message, as HL7 paths count them (docs/hl7-paths.md).
 */
import type { Hl7Message } from '../../engine/hl7/message.ts';

export interface OrderGroup {
  /** 1-based position of the group in the message. */
  readonly index: number;
  /** Occurrence of the group's ORC (absent when an OBR comes before any ORC). */
  readonly orc: number | undefined;
  readonly obr: number | undefined;
  /** This OBR shares its ORC with the group before it. */
  readonly sharesOrc: boolean;
  readonly tq1: readonly number[];
  readonly nte: readonly number[];
}

interface Building {
  index: number;
  orc: number | undefined;
  obr: number | undefined;
  sharesOrc: boolean;
  tq1: number[];
  nte: number[];
}

export function orderGroups(message: Hl7Message): OrderGroup[] {
  const groups: Building[] = [];
  const seen = new Map<string, number>();
  let current: Building | undefined;
  let notesOpen = false;
  const open = (orc: number | undefined, sharesOrc: boolean): Building => {
    const group: Building = { index: groups.length + 1, orc, obr: undefined, sharesOrc, tq1: [], nte: [] };
    groups.push(group);
    return group;
  };
  for (const name of message.segmentNames()) {
    const occurrence = (seen.get(name) ?? 0) + 1;
    seen.set(name, occurrence);
    if (name === 'ORC') {
      current = open(occurrence, false);
      notesOpen = true;
    } else if (name === 'OBR') {
      if (!current || current.obr !== undefined) current = open(current?.orc, current !== undefined);
      current.obr = occurrence;
      notesOpen = true;
    } else if (name === 'TQ1' || name === 'TQ2') {
      if (current && name === 'TQ1') current.tq1.push(occurrence);
    } else if (name === 'NTE') {
      if (current && notesOpen) current.nte.push(occurrence);
    } else {
      notesOpen = false;
    }
  }
  return groups;
}
