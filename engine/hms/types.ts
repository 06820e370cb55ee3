/**
 * The HMS plan: what one ADT, ORM or ORU message asks of the HMS tables, read from the message alone
 * (plan-hms.ts, pure) and applied against the tables' state by apply-hms.ts. Printable as JSON
 * (`switchboard channels test` shows it), so an analyst sees the rows a message would write.
 */

/** A PID-3 (or MRG-1) identifier: system resolved like the FHIR mappings' Identifier.system. */
export interface PlannedIdentifier {
  readonly system: string;
  readonly value: string;
  /** CX.5 identifier type code (MR, SS, ...), null when absent. */
  readonly type: string | null;
}

/** Patient summary from PID; null columns are left as they are in the table. */
export interface PlannedPatient {
  readonly identifiers: readonly PlannedIdentifier[];
  readonly familyName: string | null; // PID-5.1
  readonly givenName: string | null; // PID-5.2
  readonly birthDate: string | null; // PID-7 as a FHIR date (precision kept)
  readonly sex: string | null; // PID-8 (table 0001 code as sent)
}

/** PV1-3 point of care (PL.1), room (PL.2), bed (PL.3). */
export interface PlannedLocation {
  readonly unit: string;
  readonly room: string | null;
  readonly bed: string | null;
}

export interface PlannedEncounter {
  /** PV1-19 visit number (CX.1) and its system (CX.4). */
  readonly visitSystem: string;
  readonly visitNumber: string;
  readonly patientClass: string | null; // PV1-2
  readonly location: PlannedLocation | null; // PV1-3
  readonly admittedAt: string | null; // PV1-44, ISO 8601 with offset
  readonly dischargedAt: string | null; // PV1-45
}

/**
 * What an ADT trigger does to an encounter and its beds (apply-encounter.ts):
 * A01 admit, A04 register, A05 pre-admit, A02 transfer, A03 discharge, A11/A12/A13 cancels,
 * A08 update, A06/A07 change of patient class.
 */
export type AdtEvent =
  | 'admit'
  | 'register'
  | 'pre-admit'
  | 'transfer'
  | 'discharge'
  | 'cancel-admit'
  | 'cancel-transfer'
  | 'cancel-discharge'
  | 'update'
  | 'change-class';

/** A40: the survivor (PID) and the prior patient's identifiers (MRG-1) of one PID/MRG pair. */
export interface PlannedMerge {
  readonly survivor: PlannedPatient;
  readonly prior: readonly PlannedIdentifier[];
}

/** Entity identifier (EI): EI.1 number, namespace EI.2, else EI.3, else ''. */
export interface OrderNumber {
  readonly namespace: string;
  readonly number: string;
}

export interface PlannedResult {
  readonly setId: string | null; // OBX-1
  readonly valueType: string | null; // OBX-2
  readonly codeSystem: string; // OBX-3.3 ('' when absent)
  readonly code: string; // OBX-3.1
  readonly codeText: string | null; // OBX-3.2
  readonly subId: string; // OBX-4 ('' when absent)
  readonly valueText: string | null; // OBX-5 as text (ED: not stored, only its type)
  readonly valueNumeric: number | null; // OBX-5 for NM, and SN without comparator or range
  readonly units: string | null; // OBX-6.1, else OBX-6.2
  readonly referenceLow: number | null; // OBX-7 parsed
  readonly referenceHigh: number | null;
  readonly referenceText: string | null; // OBX-7 as sent
  readonly abnormalFlags: readonly string[]; // OBX-8 repetitions
  readonly status: string | null; // OBX-11
  readonly observedAt: string | null; // OBX-14, else OBR-7
}

export interface PlannedOrder {
  readonly placer: OrderNumber | null; // ORC-2, else OBR-2
  readonly filler: OrderNumber | null; // ORC-3, else OBR-3
  readonly code: string | null; // OBR-4.1
  readonly codeSystem: string | null; // OBR-4.3
  readonly codeText: string | null; // OBR-4.2
  readonly orderControl: string | null; // ORC-1
  readonly orderStatusCode: string | null; // ORC-5
  /** ServiceRequest.status from ORC-5, else ORC-1 (order-status.ts); null: leave as it is. */
  readonly status: string | null;
  readonly resultStatus: string | null; // OBR-25
  /** ORC-9 transaction time: when a status change happened (else the message's event time). */
  readonly transactionAt: string | null;
  readonly results: readonly PlannedResult[];
}

/** Flags: out-of-order or contradictory content. Codes and internal ids only, never PHI. */
export interface HmsFlag {
  readonly code: string;
  readonly detail: string;
}

export interface HmsPlan {
  readonly messageType: string; // MSH-9.1
  readonly triggerEvent: string; // MSH-9.2
  /** When the event happened: EVN-6, else EVN-2, else MSH-7 (ISO 8601 with offset); null if none. */
  readonly eventAt: string | null;
  readonly patient: PlannedPatient | null;
  readonly encounter: PlannedEncounter | null;
  /** The ADT event to apply to the encounter; null for patient-only triggers, ORM and ORU. */
  readonly adtEvent: AdtEvent | null;
  readonly merges: readonly PlannedMerge[];
  readonly orders: readonly PlannedOrder[];
  /** Problems seen in the message itself (no identifier, no visit number, unsupported trigger). */
  readonly flags: readonly HmsFlag[];
}

/** What applying a plan did: counts of rows written and every flag raised. */
export interface HmsOutcome {
  readonly patientId: string | null;
  readonly encounterId: string | null;
  readonly bedAssignments: number;
  readonly orders: number;
  readonly results: number;
  readonly merges: number;
  readonly flags: readonly HmsFlag[];
}
