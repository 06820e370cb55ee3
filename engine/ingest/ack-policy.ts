import type { Hl7Header } from '../hl7/types.ts';

export type AppAckCode = 'AA' | 'AE' | 'AR';
export type CommitAckCode = 'CA' | 'CE' | 'CR';

/** Enhanced-mode conditions, HL7 table 0155: AL always, NE never, ER error only, SU success only. */
function wanted(condition: string, success: boolean): boolean {
  switch (condition) {
    case 'NE':
      return false;
    case 'ER':
      return !success;
    case 'SU':
      return success;
    default:
      return true; // AL, or a value we do not know: answer rather than leave the sender waiting
  }
}

export interface AckPlan {
  readonly commit: CommitAckCode | null;
  readonly application: AppAckCode | null;
}

/**
 * Which acknowledgments to send (HL7 v2.5 ch. 2.9.3). Original mode (MSH-15 and MSH-16 empty): one
 * AA/AE/AR. Enhanced mode: a commit ACK (CA/CE/CR) as MSH-15 asks, then an application ACK
 * (AA/AE/AR) as MSH-16 asks; Switchboard decides acceptance at commit, so both go out together.
 */
export function planAcks(
  header: Hl7Header | null,
  outcome: AppAckCode,
  mode: 'auto' | 'original' = 'auto',
): AckPlan {
  const accept = header?.acceptAckType.trim() ?? '';
  const application = header?.applicationAckType.trim() ?? '';
  if (mode === 'original' || (accept === '' && application === '')) {
    return { commit: null, application: outcome };
  }
  const success = outcome === 'AA';
  const commitCode: CommitAckCode = outcome === 'AA' ? 'CA' : outcome === 'AE' ? 'CE' : 'CR';
  return {
    commit: accept === '' || wanted(accept, success) ? commitCode : null,
    application: application !== '' && wanted(application, success) ? outcome : null,
  };
}
