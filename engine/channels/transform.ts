import type { Hl7Message } from '../hl7/message.ts';

/** What flows from transformer to transformer and finally to a destination. */
export interface Payload {
  readonly contentType: string; // 'x-application/hl7-v2+er7' for v2, 'application/fhir+json' for Bundles
  readonly body: Buffer;
}

export interface TransformContext {
  readonly message: Hl7Message; // the parsed source message (read-only for transformers)
  readonly messageId: string;
  readonly channelId: string;
}

/** A transformer: the unit of `transformers:` in a channel, from mappings/ or a script module. */
export type Transformer = (input: Payload, ctx: TransformContext) => Payload | Promise<Payload>;

export const HL7_V2_CONTENT_TYPE = 'x-application/hl7-v2+er7';
export const FHIR_JSON_CONTENT_TYPE = 'application/fhir+json';
