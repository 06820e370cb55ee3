/**
 * Public contract of the HL7 v2 core. Implemented in `engine/hl7/` (parser, serializer, paths);
 * everything else in Switchboard (listeners, filters, mappings, UI) reads messages only through this.
 */

/** Separators from MSH-1 and MSH-2 (HL7 v2.x chapter 2, "Message delimiters"). */
export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** v2.7+ truncation character (fifth MSH-2 character), when present. */
  readonly truncation?: string;
}

/** Character set the bytes were decoded with; serializing encodes back with the same one. */
export type Hl7Charset = 'utf8' | 'latin1';

/**
 * A parsed HL7 path: `SEG[occurrence]-field[repetition].component.subcomponent`, all 1-based.
 * Examples: `PID-3[2].1`, `OBX[2]-5`, `MSH-9.2`, `PID-5.1.1`. Parse once with `parseHl7Path`.
 */
export interface Hl7Path {
  readonly text: string;
  readonly segment: string;
  /** 1-based occurrence of the segment in the message; undefined = first. */
  readonly occurrence?: number;
  readonly field: number;
  /** 1-based repetition; undefined = first. */
  readonly repetition?: number;
  readonly component?: number;
  readonly subcomponent?: number;
}

/**
 * The header fields every listener, store and dispatcher needs, read without a full parse.
 * Values are raw (as on the wire, escapes kept): they are compared, stored and echoed back in ACKs.
 */
export interface Hl7Header {
  readonly delimiters: Delimiters;
  readonly sendingApplication: string; // MSH-3 (whole field, raw)
  readonly sendingFacility: string; // MSH-4
  readonly receivingApplication: string; // MSH-5
  readonly receivingFacility: string; // MSH-6
  readonly messageType: string; // MSH-9.1, e.g. ADT
  readonly triggerEvent: string; // MSH-9.2, e.g. A01
  readonly messageStructure: string; // MSH-9.3
  readonly controlId: string; // MSH-10
  readonly processingId: string; // MSH-11.1
  readonly version: string; // MSH-12.1
  readonly acceptAckType: string; // MSH-15
  readonly applicationAckType: string; // MSH-16
  readonly charset: string; // MSH-18 first repetition
}
