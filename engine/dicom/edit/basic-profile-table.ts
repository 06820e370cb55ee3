/**
 * The attributes `deidentify` handles, each with its action in DICOM PS3.15 Annex E, Table E.1-1
 * (Basic Application Level Confidentiality Profile), column "Basic Prof.". A subset of the table:
 * docs/deidentification.md lists every row (a test keeps the two in step) and what is not covered.
 *
 * Actions (PS3.15 E.1.1): D replace with a non-zero-length dummy value, Z replace with a zero-length
 * value, X remove, K keep, U replace the UID with a consistent new one. Combined actions ("X/Z",
 * "Z/D", "X/D", "X/Z/D") depend on the Type the IOD gives the attribute; without per-IOD knowledge we
 * take the one that keeps any IOD valid: X/Z -> Z, and any combination with D -> D. "X/Z/U*" (a
 * sequence of references) -> keep the sequence and replace the UIDs inside it.
 *
 * `date: true` rows are K under the Retain Longitudinal Temporal Information with Full Dates Option
 * (column "Rtn. Long. Full Dates Opt."), which `keepDates` selects.
 */

export type ProfileAction = 'D' | 'Z' | 'X' | 'K' | 'U';
export type TableAction = ProfileAction | 'X/Z' | 'Z/D' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

export interface ProfileRow {
  /** Uppercase `GGGGEEEE`. */
  readonly tag: string;
  /** PS3.6 keyword (also the dcmjs dictionary name). */
  readonly keyword: string;
  /** The action in Table E.1-1, Basic Profile column. */
  readonly table: TableAction;
  /** Kept as-is under keepDates (Retain Longitudinal Temporal Information with Full Dates Option). */
  readonly date?: true;
  /**
   * Our action when stricter than the table: sequences whose dummy the table leaves to the
   * implementer (Content Sequence, Graphic Annotation Sequence) hold free text, so they are removed.
   */
  readonly apply?: ProfileAction;
}

export const BASIC_PROFILE_ROWS: readonly ProfileRow[] = [
  { tag: '00100010', keyword: 'PatientName', table: 'Z' },
  { tag: '00100020', keyword: 'PatientID', table: 'Z' },
  { tag: '00100021', keyword: 'IssuerOfPatientID', table: 'X' },
  { tag: '00100030', keyword: 'PatientBirthDate', table: 'Z' },
  { tag: '00100032', keyword: 'PatientBirthTime', table: 'X' },
  { tag: '00100040', keyword: 'PatientSex', table: 'Z' },
  { tag: '00100050', keyword: 'PatientInsurancePlanCodeSequence', table: 'X' },
  { tag: '00101000', keyword: 'OtherPatientIDs', table: 'X' },
  { tag: '00101001', keyword: 'OtherPatientNames', table: 'X' },
  { tag: '00101002', keyword: 'OtherPatientIDsSequence', table: 'X' },
  { tag: '00101005', keyword: 'PatientBirthName', table: 'X' },
  { tag: '00101010', keyword: 'PatientAge', table: 'X' },
  { tag: '00101020', keyword: 'PatientSize', table: 'X' },
  { tag: '00101030', keyword: 'PatientWeight', table: 'X' },
  { tag: '00101040', keyword: 'PatientAddress', table: 'X' },
  { tag: '00101060', keyword: 'PatientMotherBirthName', table: 'X' },
  { tag: '00101080', keyword: 'MilitaryRank', table: 'X' },
  { tag: '00101081', keyword: 'BranchOfService', table: 'X' },
  { tag: '00101090', keyword: 'MedicalRecordLocator', table: 'X' },
  { tag: '00101100', keyword: 'ReferencedPatientPhotoSequence', table: 'X' },
  { tag: '00102000', keyword: 'MedicalAlerts', table: 'X' },
  { tag: '00102110', keyword: 'Allergies', table: 'X' },
  { tag: '00102150', keyword: 'CountryOfResidence', table: 'X' },
  { tag: '00102152', keyword: 'RegionOfResidence', table: 'X' },
  { tag: '00102154', keyword: 'PatientTelephoneNumbers', table: 'X' },
  { tag: '00102155', keyword: 'PatientTelecomInformation', table: 'X' },
  { tag: '00102160', keyword: 'EthnicGroup', table: 'X' },
  { tag: '00102180', keyword: 'Occupation', table: 'X' },
  { tag: '001021A0', keyword: 'SmokingStatus', table: 'X' },
  { tag: '001021B0', keyword: 'AdditionalPatientHistory', table: 'X' },
  { tag: '001021C0', keyword: 'PregnancyStatus', table: 'X' },
  { tag: '001021D0', keyword: 'LastMenstrualDate', table: 'X', date: true },
  { tag: '001021F0', keyword: 'PatientReligiousPreference', table: 'X' },
  { tag: '00102203', keyword: 'PatientSexNeutered', table: 'X/Z' },
  { tag: '00102297', keyword: 'ResponsiblePerson', table: 'X' },
  { tag: '00102299', keyword: 'ResponsibleOrganization', table: 'X' },
  { tag: '00104000', keyword: 'PatientComments', table: 'X' },
  { tag: '00080014', keyword: 'InstanceCreatorUID', table: 'U' },
  { tag: '00080015', keyword: 'InstanceCoercionDateTime', table: 'X', date: true },
  { tag: '00080018', keyword: 'SOPInstanceUID', table: 'U' },
  { tag: '00080020', keyword: 'StudyDate', table: 'Z', date: true },
  { tag: '00080021', keyword: 'SeriesDate', table: 'X/D', date: true },
  { tag: '00080022', keyword: 'AcquisitionDate', table: 'X/Z', date: true },
  { tag: '00080023', keyword: 'ContentDate', table: 'Z/D', date: true },
  { tag: '00080024', keyword: 'OverlayDate', table: 'X', date: true },
  { tag: '00080025', keyword: 'CurveDate', table: 'X', date: true },
  { tag: '0008002A', keyword: 'AcquisitionDateTime', table: 'X/Z/D', date: true },
  { tag: '00080030', keyword: 'StudyTime', table: 'Z', date: true },
  { tag: '00080031', keyword: 'SeriesTime', table: 'X/D', date: true },
  { tag: '00080032', keyword: 'AcquisitionTime', table: 'X/Z', date: true },
  { tag: '00080033', keyword: 'ContentTime', table: 'Z/D', date: true },
  { tag: '00080034', keyword: 'OverlayTime', table: 'X', date: true },
  { tag: '00080035', keyword: 'CurveTime', table: 'X', date: true },
  { tag: '00080050', keyword: 'AccessionNumber', table: 'Z' },
  { tag: '00080058', keyword: 'FailedSOPInstanceUIDList', table: 'U' },
  { tag: '00080080', keyword: 'InstitutionName', table: 'X/Z/D' },
  { tag: '00080081', keyword: 'InstitutionAddress', table: 'X' },
  { tag: '00080082', keyword: 'InstitutionCodeSequence', table: 'X/Z/D' },
  { tag: '00080090', keyword: 'ReferringPhysicianName', table: 'Z' },
  { tag: '00080092', keyword: 'ReferringPhysicianAddress', table: 'X' },
  { tag: '00080094', keyword: 'ReferringPhysicianTelephoneNumbers', table: 'X' },
  { tag: '00080096', keyword: 'ReferringPhysicianIdentificationSequence', table: 'X' },
  { tag: '0008009C', keyword: 'ConsultingPhysicianName', table: 'Z' },
  { tag: '0008009D', keyword: 'ConsultingPhysicianIdentificationSequence', table: 'X' },
  { tag: '00080201', keyword: 'TimezoneOffsetFromUTC', table: 'X', date: true },
  { tag: '00081010', keyword: 'StationName', table: 'X/Z/D' },
  { tag: '00081030', keyword: 'StudyDescription', table: 'X' },
  { tag: '0008103E', keyword: 'SeriesDescription', table: 'X' },
  { tag: '00081040', keyword: 'InstitutionalDepartmentName', table: 'X' },
  { tag: '00081048', keyword: 'PhysiciansOfRecord', table: 'X' },
  { tag: '00081049', keyword: 'PhysiciansOfRecordIdentificationSequence', table: 'X' },
  { tag: '00081050', keyword: 'PerformingPhysicianName', table: 'X' },
  { tag: '00081052', keyword: 'PerformingPhysicianIdentificationSequence', table: 'X' },
  { tag: '00081060', keyword: 'NameOfPhysiciansReadingStudy', table: 'X' },
  { tag: '00081062', keyword: 'PhysiciansReadingStudyIdentificationSequence', table: 'X' },
  { tag: '00081070', keyword: 'OperatorsName', table: 'X/Z/D' },
  { tag: '00081072', keyword: 'OperatorIdentificationSequence', table: 'X/D' },
  { tag: '00081080', keyword: 'AdmittingDiagnosesDescription', table: 'X' },
  { tag: '00081084', keyword: 'AdmittingDiagnosesCodeSequence', table: 'X' },
  { tag: '00081110', keyword: 'ReferencedStudySequence', table: 'X/Z' },
  { tag: '00081111', keyword: 'ReferencedPerformedProcedureStepSequence', table: 'X/Z/D' },
  { tag: '00081120', keyword: 'ReferencedPatientSequence', table: 'X' },
  { tag: '00081140', keyword: 'ReferencedImageSequence', table: 'X/Z/U*' },
  { tag: '00081155', keyword: 'ReferencedSOPInstanceUID', table: 'U' },
  { tag: '00081195', keyword: 'TransactionUID', table: 'U' },
  { tag: '00082111', keyword: 'DerivationDescription', table: 'X' },
  { tag: '00082112', keyword: 'SourceImageSequence', table: 'X/Z/U*' },
  { tag: '00083010', keyword: 'IrradiationEventUID', table: 'U' },
  { tag: '00084000', keyword: 'IdentifyingComments', table: 'X' },
  { tag: '00181000', keyword: 'DeviceSerialNumber', table: 'X/Z/D' },
  { tag: '00181002', keyword: 'DeviceUID', table: 'U' },
  { tag: '00181004', keyword: 'PlateID', table: 'X' },
  { tag: '00181005', keyword: 'GeneratorID', table: 'X' },
  { tag: '00181007', keyword: 'CassetteID', table: 'X' },
  { tag: '00181008', keyword: 'GantryID', table: 'X' },
  { tag: '00181030', keyword: 'ProtocolName', table: 'X/D' },
  { tag: '00181400', keyword: 'AcquisitionDeviceProcessingDescription', table: 'X/D' },
  { tag: '00184000', keyword: 'AcquisitionComments', table: 'X' },
  { tag: '0018700A', keyword: 'DetectorID', table: 'X/D' },
  { tag: '00189516', keyword: 'StartAcquisitionDateTime', table: 'X/D', date: true },
  { tag: '00189517', keyword: 'EndAcquisitionDateTime', table: 'X/D', date: true },
  { tag: '0020000D', keyword: 'StudyInstanceUID', table: 'U' },
  { tag: '0020000E', keyword: 'SeriesInstanceUID', table: 'U' },
  { tag: '00200010', keyword: 'StudyID', table: 'Z' },
  { tag: '00200052', keyword: 'FrameOfReferenceUID', table: 'U' },
  { tag: '00200200', keyword: 'SynchronizationFrameOfReferenceUID', table: 'U' },
  { tag: '00204000', keyword: 'ImageComments', table: 'X' },
  { tag: '00209158', keyword: 'FrameComments', table: 'X' },
  { tag: '00209161', keyword: 'ConcatenationUID', table: 'U' },
  { tag: '00209164', keyword: 'DimensionOrganizationUID', table: 'U' },
  { tag: '00281199', keyword: 'PaletteColorLookupTableUID', table: 'U' },
  { tag: '00281214', keyword: 'LargePaletteColorLookupTableUID', table: 'U' },
  { tag: '00321030', keyword: 'ReasonForStudy', table: 'X' },
  { tag: '00321032', keyword: 'RequestingPhysician', table: 'X' },
  { tag: '00321033', keyword: 'RequestingService', table: 'X' },
  { tag: '00321060', keyword: 'RequestedProcedureDescription', table: 'X/Z' },
  { tag: '00321070', keyword: 'RequestedContrastAgent', table: 'X' },
  { tag: '00324000', keyword: 'StudyComments', table: 'X' },
  { tag: '00380010', keyword: 'AdmissionID', table: 'X' },
  { tag: '00380011', keyword: 'IssuerOfAdmissionID', table: 'X' },
  { tag: '00380060', keyword: 'ServiceEpisodeID', table: 'X' },
  { tag: '00380300', keyword: 'CurrentPatientLocation', table: 'X' },
  { tag: '00380400', keyword: 'PatientInstitutionResidence', table: 'X' },
  { tag: '00380500', keyword: 'PatientState', table: 'X' },
  { tag: '00384000', keyword: 'VisitComments', table: 'X' },
  { tag: '00400006', keyword: 'ScheduledPerformingPhysicianName', table: 'X' },
  { tag: '00400007', keyword: 'ScheduledProcedureStepDescription', table: 'X' },
  { tag: '00400009', keyword: 'ScheduledProcedureStepID', table: 'X' },
  { tag: '00400241', keyword: 'PerformedStationAETitle', table: 'X' },
  { tag: '00400242', keyword: 'PerformedStationName', table: 'X' },
  { tag: '00400243', keyword: 'PerformedLocation', table: 'X' },
  { tag: '00400244', keyword: 'PerformedProcedureStepStartDate', table: 'X', date: true },
  { tag: '00400245', keyword: 'PerformedProcedureStepStartTime', table: 'X', date: true },
  { tag: '00400250', keyword: 'PerformedProcedureStepEndDate', table: 'X', date: true },
  { tag: '00400251', keyword: 'PerformedProcedureStepEndTime', table: 'X', date: true },
  { tag: '00400253', keyword: 'PerformedProcedureStepID', table: 'X' },
  { tag: '00400254', keyword: 'PerformedProcedureStepDescription', table: 'X' },
  { tag: '00400275', keyword: 'RequestAttributesSequence', table: 'X' },
  { tag: '00400280', keyword: 'CommentsOnThePerformedProcedureStep', table: 'X' },
  { tag: '00400555', keyword: 'AcquisitionContextSequence', table: 'X/Z' },
  { tag: '00401001', keyword: 'RequestedProcedureID', table: 'X' },
  { tag: '00401002', keyword: 'ReasonForTheRequestedProcedure', table: 'X' },
  { tag: '00401400', keyword: 'RequestedProcedureComments', table: 'X' },
  { tag: '00402008', keyword: 'OrderEnteredBy', table: 'X' },
  { tag: '00402009', keyword: 'OrderEntererLocation', table: 'X' },
  { tag: '00402010', keyword: 'OrderCallbackPhoneNumber', table: 'X' },
  { tag: '00402016', keyword: 'PlacerOrderNumberImagingServiceRequest', table: 'Z' },
  { tag: '00402017', keyword: 'FillerOrderNumberImagingServiceRequest', table: 'Z' },
  { tag: '00402400', keyword: 'ImagingServiceRequestComments', table: 'X' },
  { tag: '0040A027', keyword: 'VerifyingOrganization', table: 'D' },
  { tag: '0040A073', keyword: 'VerifyingObserverSequence', table: 'D' },
  { tag: '0040A075', keyword: 'VerifyingObserverName', table: 'D' },
  { tag: '0040A088', keyword: 'VerifyingObserverIdentificationCodeSequence', table: 'Z' },
  { tag: '0040A123', keyword: 'PersonName', table: 'D' },
  { tag: '0040A124', keyword: 'UID', table: 'U' },
  { tag: '0040A730', keyword: 'ContentSequence', table: 'D', apply: 'X' },
  { tag: '00700001', keyword: 'GraphicAnnotationSequence', table: 'D', apply: 'X' },
  { tag: '00700084', keyword: 'ContentCreatorName', table: 'Z/D' },
  { tag: '00700086', keyword: 'ContentCreatorIdentificationCodeSequence', table: 'X' },
  { tag: '00880140', keyword: 'StorageMediaFileSetUID', table: 'U' },
  { tag: '00880200', keyword: 'IconImageSequence', table: 'X' },
  { tag: '04000100', keyword: 'DigitalSignatureUID', table: 'U' },
  { tag: '04000550', keyword: 'ModifiedAttributesSequence', table: 'X' },
  { tag: '04000561', keyword: 'OriginalAttributesSequence', table: 'X' },
  { tag: '20300020', keyword: 'TextString', table: 'X' },
  { tag: '30060024', keyword: 'ReferencedFrameOfReferenceUID', table: 'U' },
  { tag: '300600C2', keyword: 'RelatedFrameOfReferenceUID', table: 'U' },
  { tag: '40004000', keyword: 'TextComments', table: 'X' },
  { tag: 'FFFAFFFA', keyword: 'DigitalSignaturesSequence', table: 'X' },
  { tag: 'FFFCFFFC', keyword: 'DataSetTrailingPadding', table: 'X' },
];

/** The action applied for a row (see the header for how combined actions resolve). */
export function resolveAction(row: ProfileRow, keepDates: boolean): ProfileAction {
  if (keepDates && row.date) return 'K';
  if (row.apply) return row.apply;
  switch (row.table) {
    case 'X/Z':
      return 'Z';
    case 'Z/D':
    case 'X/D':
    case 'X/Z/D':
      return 'D';
    case 'X/Z/U*':
      return 'K'; // nested UIDs are replaced by their own U rows
    default:
      return row.table;
  }
}
