import { describe, expect, it } from 'vitest';
import { NO_CONTEXT_STATUS } from '../../../listeners/dicom/store-scu.ts';
import { storeStatusOutcome } from './forward-sender.ts';

describe('C-STORE status of a forward (PS3.4 B.2.3)', () => {
  it('counts success and warnings as sent, with the status as response', () => {
    expect(storeStatusOutcome(0)).toEqual({ ok: true, response: 'status 0x0000' });
    expect(storeStatusOutcome(0xb000)).toEqual({ ok: true, response: 'warning status 0xB000' });
    expect(storeStatusOutcome(0xb007)).toMatchObject({ ok: true });
  });

  it('retries out-of-resources and processing failures', () => {
    for (const status of [0xa700, 0xa7ff, 0x0110, 0x0211]) {
      expect(storeStatusOutcome(status), status.toString(16)).toMatchObject({
        ok: false,
        errorClass: 'transient',
      });
    }
  });

  it('dead-letters what the peer will never take', () => {
    for (const status of [0xa900, 0xa9ff, 0xc000, 0xcfff, 0x0122, 0x0124, NO_CONTEXT_STATUS]) {
      expect(storeStatusOutcome(status), status.toString(16)).toMatchObject({
        ok: false,
        errorClass: 'permanent',
      });
    }
    expect(storeStatusOutcome(0xa900)).toMatchObject({ error: 'C-STORE failed with status 0xA900' });
  });
});
