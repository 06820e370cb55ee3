/**
 * What C-MOVE and C-GET retrieve (PS3.4 C.4.2 and C.4.3): the identifier's QueryRetrieveLevel and
 * unique keys (PatientID, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID, each possibly a list)
 * resolved to indexed instances, and each instance read back from the object store as its stored
 * dataset bytes and transfer syntax. Also the configured remote AEs a C-MOVE may send to.
 */
import type { DicomIndex, InstanceRecord } from '../dicom-index.ts';
import { part10DatasetOffset } from '../dimse/part10.ts';
import { textValue, textValues, type Identifier } from '../find/identifier.ts';
import type { ObjectStore } from '../../objects/object-store.ts';

export const RetrieveSopClass = {
  PatientRootMove: '1.2.840.10008.5.1.4.1.2.1.2',
  StudyRootMove: '1.2.840.10008.5.1.4.1.2.2.2',
  PatientRootGet: '1.2.840.10008.5.1.4.1.2.1.3',
  StudyRootGet: '1.2.840.10008.5.1.4.1.2.2.3',
} as const;

export const MOVE_SOP_CLASS_UIDS: ReadonlySet<string> = new Set([
  RetrieveSopClass.PatientRootMove,
  RetrieveSopClass.StudyRootMove,
]);
export const GET_SOP_CLASS_UIDS: ReadonlySet<string> = new Set([
  RetrieveSopClass.PatientRootGet,
  RetrieveSopClass.StudyRootGet,
]);

/** One instance to send: what identifies it, and where its bytes are. */
export interface RetrieveInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly objectKey: string;
}

/** An instance as stored: its dataset bytes (after the meta group), in `transferSyntaxUid`. */
export interface LoadedInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly dataset: Buffer;
}

export interface RemoteAe {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

export type ResolveOutcome =
  | { readonly ok: true; readonly instances: readonly RetrieveInstance[] }
  | { readonly ok: false; readonly status: number; readonly comment: string };

/** The listener's view of retrieval: resolve, load, and the known move destinations. */
export interface RetrieveSource {
  resolve(identifier: Identifier, sopClassUid: string): Promise<ResolveOutcome>;
  /** null when the object is gone from the store. */
  load(instance: RetrieveInstance): Promise<LoadedInstance | null>;
  remoteAe(aeTitle: string): RemoteAe | undefined;
}

/** 0xA900: identifier does not match SOP class (PS3.4 C.4.2.1.5). */
export const IDENTIFIER_DOES_NOT_MATCH = 0xa900;
const DEFAULT_MAX_INSTANCES = 100_000;

export interface RetrieveSourceOptions {
  readonly index: DicomIndex;
  readonly objects: ObjectStore;
  readonly remoteAes: readonly RemoteAe[];
  /** Most instances one request retrieves. Default 100 000. */
  readonly maxInstances?: number;
}

const refuse = (comment: string): ResolveOutcome => ({
  ok: false,
  status: IDENTIFIER_DOES_NOT_MATCH,
  comment,
});

export function createRetrieveSource(options: RetrieveSourceOptions): RetrieveSource {
  const limit = options.maxInstances ?? DEFAULT_MAX_INSTANCES;
  const toInstance = (r: InstanceRecord): RetrieveInstance => ({
    sopClassUid: r.sopClassUid,
    sopInstanceUid: r.sopInstanceUid,
    transferSyntaxUid: r.transferSyntaxUid,
    objectKey: r.objectKey,
  });
  return {
    async resolve(identifier, sopClassUid) {
      const level = textValue(identifier['QueryRetrieveLevel']).toUpperCase();
      const uids = (keyword: string): string[] => textValues(identifier[keyword]);
      const patientRoot =
        sopClassUid === RetrieveSopClass.PatientRootMove || sopClassUid === RetrieveSopClass.PatientRootGet;
      let records: InstanceRecord[];
      if (level === 'PATIENT') {
        if (!patientRoot) return refuse('PATIENT level needs the Patient Root model');
        const patientIds = uids('PatientID');
        if (patientIds.length !== 1) return refuse('PATIENT level needs one PatientID');
        const studies = await options.index.findStudies({ patientId: patientIds[0]!, limit });
        if (studies.length === 0) return { ok: true, instances: [] };
        records = await options.index.findInstances({
          studyInstanceUid: studies.map((s) => s.studyInstanceUid),
          limit,
        });
      } else if (level === 'STUDY') {
        const studies = uids('StudyInstanceUID');
        if (studies.length === 0) return refuse('STUDY level needs StudyInstanceUID');
        records = await options.index.findInstances({ studyInstanceUid: studies, limit });
      } else if (level === 'SERIES') {
        const series = uids('SeriesInstanceUID');
        if (series.length === 0) return refuse('SERIES level needs SeriesInstanceUID');
        records = await options.index.findInstances({ seriesInstanceUid: series, limit });
      } else if (level === 'IMAGE') {
        const sops = uids('SOPInstanceUID');
        if (sops.length === 0) return refuse('IMAGE level needs SOPInstanceUID');
        records = await options.index.findInstances({ sopInstanceUid: sops, limit });
      } else {
        return refuse('QueryRetrieveLevel missing or unknown');
      }
      return { ok: true, instances: records.map(toInstance) };
    },
    async load(instance) {
      const file = await options.objects.get(instance.objectKey);
      if (file === null) return null;
      return {
        sopClassUid: instance.sopClassUid,
        sopInstanceUid: instance.sopInstanceUid,
        transferSyntaxUid: instance.transferSyntaxUid,
        dataset: file.subarray(part10DatasetOffset(file)),
      };
    },
    remoteAe(aeTitle) {
      return options.remoteAes.find((ae) => ae.aeTitle === aeTitle.trim());
    },
  };
}
