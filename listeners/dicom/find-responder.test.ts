import { describe, expect, it } from 'vitest';
import {
  CFindRequestClass,
  type CFindRequest,
  type CFindResponseType,
} from '../../engine/dicom/dimse/dcmjs-dimse.ts';
import { answerFind, type FindResponderDeps } from './find-responder.ts';
import type { DicomServerEvent, OnFind } from './types.ts';

const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';

function request(): CFindRequest {
  const r = CFindRequestClass.createStudyFindRequest({ PatientID: 'P1', StudyInstanceUID: '' });
  r.setMessageId(7);
  r.getDataset()!.setTransferSyntaxUid('1.2.840.10008.1.2.1');
  return r;
}

async function run(
  onFind: OnFind | undefined,
  options: { cancelled?: boolean } = {},
): Promise<{ sends: CFindResponseType[][]; events: DicomServerEvent[] }> {
  const sends: CFindResponseType[][] = [];
  const events: DicomServerEvent[] = [];
  const deps: FindResponderDeps = {
    onFind,
    info: { callingAe: 'MOD', remoteAddress: '127.0.0.1' },
    send: (responses) => sends.push(responses),
    cancelled: () => options.cancelled === true,
    closed: () => false,
    onEvent: (e) => events.push(e),
  };
  await answerFind(request(), deps);
  return { sends, events };
}

describe('answering a C-FIND', () => {
  it('sends one pending response per match, in the request transfer syntax, then success, in one go', async () => {
    let seen: unknown;
    const { sends, events } = await run(async (identifier, info) => {
      seen = { patientId: identifier.PatientID, sopClassUid: info.sopClassUid, callingAe: info.callingAe };
      return { ok: true, matches: [{ StudyInstanceUID: '1.2.1' }, { StudyInstanceUID: '1.2.2' }] };
    });
    expect(seen).toEqual({ patientId: 'P1', sopClassUid: STUDY_ROOT, callingAe: 'MOD' });
    expect(events).toEqual([]);
    expect(sends).toHaveLength(1);
    const responses = sends[0]!;
    expect(responses.map((r) => r.getStatus())).toEqual([0xff00, 0xff00, 0x0000]);
    expect(responses.map((r) => r.getMessageIdBeingRespondedTo())).toEqual([7, 7, 7]);
    expect(responses.map((r) => r.getAffectedSopClassUid())).toEqual([STUDY_ROOT, STUDY_ROOT, STUDY_ROOT]);
    expect(responses.map((r) => r.getDataset()?.getElement('StudyInstanceUID'))).toEqual([
      '1.2.1',
      '1.2.2',
      undefined,
    ]);
    expect(responses[0]!.getDataset()!.getTransferSyntaxUid()).toBe('1.2.840.10008.1.2.1');
  });

  it('answers a refused identifier with its status and comment, and reports it', async () => {
    const { sends, events } = await run(async () => ({
      ok: false,
      status: 0xa900,
      comment: 'QueryRetrieveLevel missing',
    }));
    expect(sends.map((s) => s.map((r) => [r.getStatus(), r.getErrorComment()]))).toEqual([
      [[0xa900, 'QueryRetrieveLevel missing']],
    ]);
    expect(events).toMatchObject([{ type: 'find-failed', status: 0xa900, callingAe: 'MOD' }]);
  });

  it('answers 0xC000 when the handler throws, 0x0122 without a handler, 0xFE00 when cancelled', async () => {
    const thrown = await run(() => Promise.reject(new Error('database down')));
    expect(thrown.sends[0]!.map((r) => r.getStatus())).toEqual([0xc000]);
    expect(thrown.events).toMatchObject([{ type: 'find-failed', status: 0xc000, reason: 'Query failed' }]);
    const none = await run(undefined);
    expect(none.sends[0]!.map((r) => r.getStatus())).toEqual([0x0122]);
    const cancelled = await run(async () => ({ ok: true, matches: [{ PatientID: 'P1' }] }), {
      cancelled: true,
    });
    expect(cancelled.sends[0]!.map((r) => r.getStatus())).toEqual([0xfe00]);
  });
});
