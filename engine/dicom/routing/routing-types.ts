/**
 * DICOM channels as loaded from `channels/dicom/*.yaml` after validation (frozen): which received
 * instances a channel takes (rules on the calling AE, modality, SOP class or any tag) and where each
 * goes (forwarded by C-STORE to a remote AE, or stored again in our own archive), with tag edits and
 * de-identification on the way (engine/dicom/edit/).
 */
import type { RetryPolicy } from '../../channels/types.ts';
import type { DicomTransformSpec } from '../edit/types.ts';

/** One rule; a channel's list is ANDed (none = every instance). Tags are 8 upper hex digits. */
export type DicomRuleSpec =
  | { readonly kind: 'callingAe'; readonly values: readonly string[] }
  | { readonly kind: 'modality'; readonly values: readonly string[] }
  | { readonly kind: 'sopClass'; readonly values: readonly string[] }
  | { readonly kind: 'tagEquals'; readonly tag: string; readonly values: readonly string[] }
  | { readonly kind: 'tagMatches'; readonly tag: string; readonly pattern: string }
  | { readonly kind: 'tagExists'; readonly tag: string; readonly exists: boolean }
  | { readonly kind: 'any'; readonly rules: readonly DicomRuleSpec[] }
  | { readonly kind: 'not'; readonly rule: DicomRuleSpec };

interface DicomDestinationBase {
  /** Unique in the channel: with the channel id, the key of the destination's queue. */
  readonly name: string;
  readonly enabled: boolean;
  readonly retry: RetryPolicy;
  /** Applied after the channel's transformers, for this destination only. */
  readonly transformers: readonly DicomTransformSpec[];
}

export type DicomDestinationSpec =
  | (DicomDestinationBase & {
      readonly type: 'dicom-forward';
      /** An AE title of `dicom.remoteAes` in the engine configuration. */
      readonly ae: string;
      /** Associations open at once to this AE (each carries a burst of objects). */
      readonly concurrency: number;
      /** Longest wait for any one answer of the peer (connect, association, each C-STORE response). */
      readonly timeoutMs: number;
    })
  | (DicomDestinationBase & { readonly type: 'dicom-store' });

export type DicomDestinationType = DicomDestinationSpec['type'];

export interface DicomChannelSpec {
  readonly id: string; // [a-z0-9][a-z0-9-]*, unique among DICOM channels
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  /** `dicom`: instances stored over DIMSE C-STORE and STOW-RS. */
  readonly source: { readonly listener: 'dicom' };
  readonly rules: readonly DicomRuleSpec[];
  readonly transformers: readonly DicomTransformSpec[];
  readonly destinations: readonly DicomDestinationSpec[];
  /** Where it was loaded from (absolute path), for errors. */
  readonly file: string;
}
