/**
 * What each ADT trigger event means for the FHIR resources: which resources it writes and the
 * Encounter.status it implies. Statuses marked IG follow "HL7 Concept Map_ Event[EncounterStatus]"
 * (its rows: A01, A02, A03, A04, A05, A08, A11, A13); the others are ours, listed in
 * mappings/README.md ("ADT triggers"). The message structures follow the IG's "HL7 Message - FHIR
 * R4_ ADT_A01/A02/A05/A06/A09/A11" tables: PID -> Patient[1], PV1 (+PV2) -> Encounter[1].
 */

export type EncounterStatusCode = 'planned' | 'in-progress' | 'finished' | 'cancelled';

export interface AdtTrigger {
  /**
   * visit: Patient, and an Encounter when there is a PV1. person: Patient only (a PV1 is not
   * read). merge: Patient per PID, plus the merged Patient named by the MRG that follows it.
   */
  readonly kind: 'visit' | 'person' | 'merge';
  /** Encounter.status the event implies; absent: from PV1-45 / PV1-2 (PatientClass[EncounterStatus]). */
  readonly status?: EncounterStatusCode;
  /**
   * The event cancels an earlier one: its status wins over PV1-45 (a cancelled discharge must not
   * read as "finished"), and `transfer` leaves PV1-6 (the cancelled destination) out of the history.
   */
  readonly cancels?: 'admit' | 'transfer' | 'discharge' | 'pending';
  /** The Patient is marked `active: false` (A29 delete person information). */
  readonly inactivatesPatient?: boolean;
}

export const ADT_TRIGGER_TABLE: ReadonlyMap<string, AdtTrigger> = new Map<string, AdtTrigger>([
  ['A01', { kind: 'visit', status: 'in-progress' }], // IG: admit/visit notification
  ['A02', { kind: 'visit', status: 'in-progress' }], // IG: transfer
  ['A03', { kind: 'visit', status: 'finished' }], // IG: discharge/end visit
  ['A04', { kind: 'visit', status: 'planned' }], // IG: register a patient
  ['A05', { kind: 'visit', status: 'planned' }], // IG: pre-admit
  ['A06', { kind: 'visit', status: 'in-progress' }], // outpatient -> inpatient: the visit goes on
  ['A07', { kind: 'visit', status: 'in-progress' }], // inpatient -> outpatient: the visit goes on
  ['A08', { kind: 'visit' }], // IG row says "unknown": an update carries no status, PV1-2 gives it
  ['A09', { kind: 'visit' }], // patient departing (tracking): status as PV1-2 says
  ['A10', { kind: 'visit' }], // patient arriving (tracking)
  ['A11', { kind: 'visit', status: 'cancelled', cancels: 'admit' }], // IG: cancel admit/visit
  ['A12', { kind: 'visit', status: 'in-progress', cancels: 'transfer' }], // cancel transfer
  ['A13', { kind: 'visit', status: 'in-progress', cancels: 'discharge' }], // IG: cancel discharge
  ['A14', { kind: 'visit', status: 'planned' }], // pending admit
  ['A15', { kind: 'visit', status: 'in-progress' }], // pending transfer: still where PV1-3 says
  ['A16', { kind: 'visit', status: 'in-progress' }], // pending discharge: not discharged yet
  ['A25', { kind: 'visit', status: 'in-progress', cancels: 'pending' }], // cancel pending discharge
  ['A26', { kind: 'visit', status: 'in-progress', cancels: 'pending' }], // cancel pending transfer
  ['A27', { kind: 'visit', status: 'cancelled', cancels: 'admit' }], // cancel pending admit
  ['A28', { kind: 'person' }], // add person information
  ['A29', { kind: 'person', inactivatesPatient: true }], // delete person information
  ['A31', { kind: 'person' }], // update person information
  ['A40', { kind: 'merge' }], // merge patient - patient identifier list
  ['A41', { kind: 'visit' }], // merge account: Patient (+Encounter) only, MRG not mapped
  ['A45', { kind: 'visit' }], // move visit information: Patient (+Encounter) only, MRG not mapped
  ['A47', { kind: 'person' }], // change patient identifier list: Patient only, MRG not mapped
  ['A60', { kind: 'visit' }], // update adverse reaction information: Patient (+Encounter) only
]);

/** The triggers adt-to-fhir maps, in number order. */
export const ADT_TRIGGERS: ReadonlySet<string> = new Set(ADT_TRIGGER_TABLE.keys());
