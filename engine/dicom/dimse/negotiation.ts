/**
 * Presentation context negotiation for our SCP: which abstract syntaxes we take, and which of the
 * proposed transfer syntaxes. We honour the proposer's order (it lists what it holds first, so a
 * compressed object is sent as it is, not decompressed on the way), except that Explicit VR Big
 * Endian, retired, is taken only when nothing else in the context is acceptable.
 */
import {
  STORAGE_TRANSFER_SYNTAXES,
  TransferSyntax,
  VERIFICATION_TRANSFER_SYNTAXES,
  isStorageSopClass,
} from './uids.ts';

export const VERIFICATION_SOP_CLASS_UID = '1.2.840.10008.1.1';

/** C-FIND information models: Patient Root and Study Root Query/Retrieve FIND, Modality Worklist FIND. */
export const FIND_SOP_CLASS_UIDS: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.1.2.1.1',
  '1.2.840.10008.5.1.4.1.2.2.1',
  '1.2.840.10008.5.1.4.31',
]);

/** C-MOVE and C-GET information models: Patient Root and Study Root Query/Retrieve MOVE and GET. */
export const RETRIEVE_SOP_CLASS_UIDS: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.1.2.1.2',
  '1.2.840.10008.5.1.4.1.2.2.2',
  '1.2.840.10008.5.1.4.1.2.1.3',
  '1.2.840.10008.5.1.4.1.2.2.3',
]);

/** C-FIND identifiers are small: the two uncompressed little endian syntaxes are all we answer in. */
const FIND_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
]);

export type ContextDecision =
  | { readonly result: 'accept'; readonly transferSyntaxUid: string }
  | { readonly result: 'abstract-syntax-not-supported' }
  | { readonly result: 'transfer-syntaxes-not-supported' };

function pick(proposed: readonly string[], supported: ReadonlySet<string>): string | undefined {
  const usable = proposed.filter((ts) => supported.has(ts));
  return usable.find((ts) => ts !== TransferSyntax.ExplicitVRBigEndian) ?? usable[0];
}

export function decideContext(abstractSyntaxUid: string, proposed: readonly string[]): ContextDecision {
  let supported: ReadonlySet<string>;
  if (abstractSyntaxUid === VERIFICATION_SOP_CLASS_UID) supported = VERIFICATION_TRANSFER_SYNTAXES;
  else if (isStorageSopClass(abstractSyntaxUid)) supported = STORAGE_TRANSFER_SYNTAXES;
  else if (FIND_SOP_CLASS_UIDS.has(abstractSyntaxUid)) supported = FIND_TRANSFER_SYNTAXES;
  else if (RETRIEVE_SOP_CLASS_UIDS.has(abstractSyntaxUid)) supported = FIND_TRANSFER_SYNTAXES;
  else return { result: 'abstract-syntax-not-supported' };
  const chosen = pick(proposed, supported);
  return chosen === undefined
    ? { result: 'transfer-syntaxes-not-supported' }
    : { result: 'accept', transferSyntaxUid: chosen };
}
