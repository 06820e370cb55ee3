/**
 * The ORU^R01 structure ("HL7 Message - FHIR R4_ ORU_R01") read from the flat segment list: the
 * paths count segment occurrences over the whole message (docs/hl7-paths.md), so each group holds
 * the 1-based occurrences of its segments. An ORDER_OBSERVATION starts at an ORC or at an OBR not
 * preceded by its own ORC; NTEs belong to the OBR or OBX they follow; SPMs to their OBR group; OBX
 * between PID and the first order are the patient's (PATIENT_OBSERVATION).
 */
import type { Hl7Message } from '../../engine/hl7/message.ts';

export interface ObservationGroup {
  /** OBX occurrence. */
  readonly obx: number;
  /** NTE occurrences after this OBX (IG ORU_R01 4.2.4.3.3 -> Observation.note). */
  readonly notes: number[];
}

export interface SpecimenGroup {
  readonly spm: number;
  /** OBX occurrences after this SPM (SPECIMEN_OBSERVATION, IG ORU_R01 4.2.7.2.1). */
  readonly observations: ObservationGroup[];
}

export interface OrderGroup {
  /** 1-based position of this ORDER_OBSERVATION in the message (for derived keys only). */
  readonly index: number;
  readonly orc: number | undefined;
  readonly obr: number;
  /** NTE occurrences directly after the OBR (IG ORU_R01 4.2.3). */
  readonly notes: number[];
  readonly observations: ObservationGroup[];
  readonly specimens: SpecimenGroup[];
}

export interface OruStructure {
  /** OBX (+ NTE) in the PATIENT group, before any order (IG ORU_R01 4.1.7, subject Patient[1]). */
  readonly patientObservations: ObservationGroup[];
  readonly orders: OrderGroup[];
  /** Segments the structure has no place for: ORC without OBR, OBX/NTE/SPM before any OBR (names and positions). */
  readonly stray: string[];
}

interface MutableOrder {
  index: number;
  orc: number | undefined;
  obr: number | undefined;
  notes: number[];
  observations: ObservationGroup[];
  specimens: SpecimenGroup[];
}

const KEEPS_NOTES: ReadonlySet<string> = new Set(['TQ1', 'TQ2', 'PRT', 'CTD']);

export function readOruStructure(message: Hl7Message): OruStructure {
  const counts = new Map<string, number>();
  const orders: OrderGroup[] = [];
  const patientObservations: ObservationGroup[] = [];
  const stray: string[] = [];
  let order: MutableOrder | undefined;
  let lastNotes: number[] | undefined;
  let observations: ObservationGroup[] | undefined;
  const close = (): void => {
    if (order?.obr !== undefined) orders.push({ ...order, obr: order.obr });
    else if (order?.orc !== undefined) stray.push(`ORC[${order.orc}]`);
    order = undefined;
    lastNotes = undefined;
    observations = undefined;
  };
  const open = (orc: number | undefined): MutableOrder => {
    close();
    order = { index: orders.length + 1, orc, obr: undefined, notes: [], observations: [], specimens: [] };
    return order;
  };
  for (const name of message.segmentNames()) {
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    switch (name) {
      case 'ORC':
        open(n);
        break;
      case 'OBR': {
        const current = order && order.obr === undefined ? order : open(undefined);
        current.obr = n;
        lastNotes = current.notes;
        observations = current.observations;
        break;
      }
      case 'OBX':
        if (observations === undefined) {
          stray.push(`OBX[${n}]`);
          lastNotes = undefined;
        } else {
          const group: ObservationGroup = { obx: n, notes: [] };
          observations.push(group);
          lastNotes = group.notes;
        }
        break;
      case 'NTE':
        if (lastNotes) lastNotes.push(n);
        else stray.push(`NTE[${n}]`);
        break;
      case 'SPM':
        if (!order || order.obr === undefined) stray.push(`SPM[${n}]`);
        else {
          const specimen: SpecimenGroup = { spm: n, observations: [] };
          order.specimens.push(specimen);
          observations = specimen.observations;
          lastNotes = undefined;
        }
        break;
      case 'PID':
        // A new PATIENT_RESULT: OBX until the first order are the patient's own (PATIENT_OBSERVATION).
        close();
        observations = patientObservations;
        break;
      case 'PV1':
      case 'PV2':
        close();
        break;
      default:
        // TQ1, TQ2, PRT, CTD and Z-segments leave NTEs to the OBR/OBX before them; FT1, CTI, TXA and
        // the rest do not end a group either, but NTEs after them are not its notes.
        if (!KEEPS_NOTES.has(name) && !name.startsWith('Z')) lastNotes = undefined;
    }
  }
  close();
  return { patientObservations, orders, stray };
}
