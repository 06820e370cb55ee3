/**
 * A channel as loaded from `channels/*.yaml` after validation (frozen). The YAML holds only what
 * differs from the defaults; the loader fills the defaults in.
 */

/** Retry policy of one destination queue. Delay before attempt n+1 = min(max, initial * factor^(n-1)) ± jitter. */
export interface RetryPolicy {
  readonly maxAttempts: number; // default 5; 1 = no retry
  readonly backoff: 'exponential' | 'fixed'; // default exponential
  readonly initialDelayMs: number; // default 1000
  readonly maxDelayMs: number; // default 300000
  readonly jitter: boolean; // default true (±20%)
}

/** Declarative filters; a channel's list is ANDed. HL7 paths use the grammar of engine/hl7 (`PID-3[2].1`). */
export type FilterSpec =
  | { readonly kind: 'messageType'; readonly values: readonly string[] } // "ADT", "ADT^A01"
  | { readonly kind: 'sendingApplication'; readonly values: readonly string[] } // MSH-3.1
  | { readonly kind: 'sendingFacility'; readonly values: readonly string[] } // MSH-4.1
  | { readonly kind: 'fieldEquals'; readonly path: string; readonly values: readonly string[] }
  | { readonly kind: 'fieldMatches'; readonly path: string; readonly pattern: string }
  | { readonly kind: 'fieldExists'; readonly path: string; readonly exists: boolean }
  | { readonly kind: 'any'; readonly filters: readonly FilterSpec[] }
  | { readonly kind: 'not'; readonly filter: FilterSpec }
  /** A TypeScript/JavaScript module whose default export is `(message, ctx) => boolean | Promise<boolean>`. */
  | { readonly kind: 'script'; readonly module: string };

export type TransformerSpec =
  /** A named mapping registered in `mappings/index.ts`, with its options. */
  | { readonly kind: 'mapping'; readonly name: string; readonly options: Readonly<Record<string, unknown>> }
  /** A module whose default export is a `Transformer` (engine/channels/transform.ts). */
  | { readonly kind: 'script'; readonly module: string };

interface DestinationBase {
  readonly name: string;
  readonly enabled: boolean;
  readonly retry: RetryPolicy;
  /** Applied after the channel's transformers, for this destination only. */
  readonly transformers: readonly TransformerSpec[];
}

export type DestinationSpec =
  | (DestinationBase & { readonly type: 'fhir-store' })
  | (DestinationBase & {
      /** HMS tables (engine/hms/), written in the delivery's transaction like fhir-store. */
      readonly type: 'hms';
      /** Offset for v2 times without one ('Z' or ±hh:mm; default 'Z'). */
      readonly defaultTimezone: string;
      /** Assigning authority -> identifier system URI, as the mappings' identifierSystems option. */
      readonly identifierSystems: Readonly<Record<string, string>>;
    })
  | (DestinationBase & {
      /** Modality Worklist (engine/dicom/worklist/) from ORM^O01, written in the delivery's transaction. */
      readonly type: 'worklist';
      /** OBR-24 value -> DICOM modality, over the built-in table. */
      readonly modalities: Readonly<Record<string, string>>;
      /** Modality when OBR-24 is empty or unmapped; null = such orders are not worklist items. */
      readonly defaultModality: string | null;
      /** DICOM modality -> scheduled station AE title. */
      readonly stationAeTitles: Readonly<Record<string, string>>;
    })
  | (DestinationBase & {
      readonly type: 'file';
      readonly directory: string;
      /** File name template: ${messageId} ${controlId} ${messageType} ${triggerEvent} ${channel} ${ext}. */
      readonly fileName: string;
    })
  | (DestinationBase & {
      readonly type: 'mllp';
      readonly host: string;
      readonly port: number;
      readonly tls: boolean;
      readonly timeoutMs: number;
      /** Treat AE/AR answers as failures to retry (AR: permanent, dead-letter at once). */
      readonly requireAck: boolean;
    })
  | (DestinationBase & {
      readonly type: 'http';
      readonly url: string;
      readonly method: 'POST' | 'PUT';
      readonly headers: Readonly<Record<string, string>>;
      readonly timeoutMs: number;
    });

export type DestinationType = DestinationSpec['type'];

export interface ChannelSpec {
  readonly id: string; // [a-z0-9][a-z0-9-]*, unique
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean; // default true: deployed and started at engine start
  readonly source: {
    readonly listener: string; // name of a listener in the engine config, e.g. "mllp"
    /** "ADT", "ADT^A01" or "*"; messages of other types are not this channel's. */
    readonly messageTypes: readonly string[];
  };
  readonly filters: readonly FilterSpec[];
  readonly transformers: readonly TransformerSpec[];
  readonly destinations: readonly DestinationSpec[];
  /** Where it was loaded from (absolute path), for errors and reloads. */
  readonly file: string;
}

/** One problem found while validating configuration: file, path inside it, what was expected. */
export interface ConfigProblem {
  readonly file: string;
  readonly path: string; // e.g. "destinations[1].port"
  readonly message: string; // e.g. "expected an integer from 1 to 65535, got \"abc\""
  /** 1-based line in `file`, when the problem can be pinned to one (YAML files). */
  readonly line?: number;
}
