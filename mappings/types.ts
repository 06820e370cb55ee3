import type { FhirBundle } from '../engine/fhir/types.ts';
import type { Hl7Message } from '../engine/hl7/message.ts';
import type { IdentifierSystemTable } from './identifier-systems.ts';

export type { IdentifierSystemTable } from './identifier-systems.ts';

export interface MappingContext {
  /** The engine's id of the source message (traceability; never part of the output's identity). */
  readonly messageId: string;
  /** The channel's options for this mapping, validated at load by `readMappingOptions`. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly identifierSystems: IdentifierSystemTable;
}

export interface MappingResult {
  /** A FHIR R4 `transaction` Bundle of conditional entries; the same message gives the same bytes. */
  readonly bundle: FhirBundle;
  /** What was left out or assumed, naming HL7 paths and codes, never patient data (PHI rule). */
  readonly warnings: string[];
}

/** A named v2 -> FHIR mapping, selectable in a channel as `transformers: [{ mapping: name }]`. */
export interface Mapping {
  readonly name: string;
  readonly description: string;
  map(message: Hl7Message, ctx: MappingContext): MappingResult;
}
