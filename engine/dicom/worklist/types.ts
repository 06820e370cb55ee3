/**
 * The Modality Worklist as planned from one ORM^O01 (plan-worklist.ts) and stored in worklist_items
 * (migration 010, apply-worklist.ts): one scheduled procedure step per ORC/OBR order group.
 */

/**
 * SCHEDULED items are the worklist; the others are kept (so a late message about the order is
 * recognised) but never returned by a query. HELD: ORC-1 HD / ORC-5 HD, back to SCHEDULED on RL.
 */
export type WorklistStatus = 'SCHEDULED' | 'HELD' | 'CANCELLED' | 'COMPLETED';

/** EI.1 and its namespace (EI.2, else EI.3), as engine/hms keys orders. */
export interface WorklistOrderNumber {
  readonly namespace: string;
  readonly number: string;
}

/** Something the destination could not apply as sent: codes and order numbers, never patient data. */
export interface WorklistFlag {
  readonly code: string;
  readonly detail: string;
}

/** One order group, every value as sent ('' read as null); DICOM forms (PN, DA, TM) already made. */
export interface PlannedWorklistItem {
  readonly placer: WorklistOrderNumber | null;
  readonly filler: WorklistOrderNumber | null;
  readonly orderControl: string | null;
  readonly orderStatusCode: string | null;
  /** The status this ORC sets; null = unchanged (XO, SC without ORC-5). */
  readonly status: WorklistStatus | null;
  /** OBR-18, else OBR-20 (null when neither: apply-worklist falls back to the order numbers). */
  readonly accessionNumber: string | null;
  /** OBR-19. */
  readonly requestedProcedureId: string | null;
  /** OBR-44 text, else OBR-4 text, else OBR-4 code. */
  readonly requestedProcedureDescription: string | null;
  /** OBR-20 when OBR-18 holds the accession number (IHE RAD-4 layout). */
  readonly scheduledProcedureStepId: string | null;
  /** OBR-4 text, else OBR-4 code. */
  readonly scheduledProcedureStepDescription: string | null;
  readonly modality: string | null;
  readonly scheduledStationAeTitle: string | null;
  /** YYYYMMDD and HHMMSS, local to the sender (the zone offset is dropped, as DICOM DA/TM carry none). */
  readonly scheduledStartDate: string | null;
  readonly scheduledStartTime: string | null;
  readonly patientId: string | null;
  readonly patientName: string | null;
  readonly patientBirthDate: string | null;
  readonly patientSex: string | null;
  readonly referringPhysicianName: string | null;
}

export interface WorklistPlan {
  readonly items: readonly PlannedWorklistItem[];
  readonly flags: readonly WorklistFlag[];
}

export interface WorklistPlanOptions {
  /** OBR-24 value -> DICOM modality, over the built-in table (worklist-modality.ts). */
  readonly modalities: Readonly<Record<string, string>>;
  /** Modality when OBR-24 is empty or unmapped; null = such an order is not a worklist item. */
  readonly defaultModality: string | null;
  /** DICOM modality -> scheduled station AE title; a modality not listed leaves it empty. */
  readonly stationAeTitles: Readonly<Record<string, string>>;
}

/** What one message did to the worklist: the delivery response (JSON) next to the flags. */
export interface WorklistOutcome {
  readonly items: readonly {
    readonly id: string;
    readonly accessionNumber: string | null;
    readonly status: WorklistStatus;
    readonly created: boolean;
  }[];
  readonly flags: readonly WorklistFlag[];
}
