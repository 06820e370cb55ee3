/**
 * The FHIR R4 shapes the ORU mapping writes (Observation, DiagnosticReport, Specimen and the data
 * types they use), as far as it writes them. engine/fhir/types.ts covers Patient and Encounter;
 * these are kept here so the ORU map stays self-contained.
 */
import type {
  CodeableConcept,
  Coding,
  FhirResource,
  Identifier,
  Period,
  Reference,
} from '../../engine/fhir/types.ts';
import type { DiagnosticReportStatus, ObservationStatus } from '../vocabulary/result-status.ts';

export interface Quantity {
  value?: number;
  comparator?: '<' | '<=' | '>=' | '>';
  unit?: string;
  system?: string;
  code?: string;
}

export interface Range {
  extension?: OruExtension[];
  low?: Quantity;
  high?: Quantity;
}

export interface Ratio {
  extension?: OruExtension[];
  numerator?: Quantity;
  denominator?: Quantity;
}

export interface Attachment {
  contentType?: string;
  data?: string;
  url?: string;
  title?: string;
}

export interface Annotation {
  authorReference?: Reference;
  time?: string;
  text: string;
}

/** An extension with any of the value types the ORU map uses. */
export interface OruExtension {
  url: string;
  valueString?: string;
  valueCode?: string;
  valueDateTime?: string;
  valueCodeableConcept?: CodeableConcept;
  valueAttachment?: Attachment;
  valueAnnotation?: Annotation;
  valueReference?: Reference;
}

/** Observation.value[x], one at most (obs: value[x] 0..1). */
export interface ObservationValue {
  valueQuantity?: Quantity;
  valueCodeableConcept?: CodeableConcept;
  valueString?: string;
  valueDateTime?: string;
  valueTime?: string;
  valuePeriod?: Period;
  valueRange?: Range;
  valueRatio?: Ratio;
}

export interface ObservationReferenceRange {
  low?: Quantity;
  high?: Quantity;
  text?: string;
}

export interface Observation extends FhirResource, ObservationValue {
  resourceType: 'Observation';
  extension?: OruExtension[];
  identifier?: Identifier[];
  status: ObservationStatus;
  _status?: { extension: OruExtension[] };
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  effectiveDateTime?: string;
  performer?: Reference[];
  dataAbsentReason?: CodeableConcept;
  interpretation?: CodeableConcept[];
  note?: Annotation[];
  bodySite?: CodeableConcept;
  method?: CodeableConcept;
  specimen?: Reference;
  device?: Reference;
  referenceRange?: ObservationReferenceRange[];
  component?: (ObservationValue & { code: CodeableConcept })[];
}

export interface DiagnosticReport extends FhirResource {
  resourceType: 'DiagnosticReport';
  extension?: OruExtension[];
  identifier?: Identifier[];
  basedOn?: Reference[];
  status: DiagnosticReportStatus;
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: Reference;
  encounter?: Reference;
  effectiveDateTime?: string;
  effectivePeriod?: Period;
  issued?: string;
  performer?: Reference[];
  resultsInterpreter?: Reference[];
  specimen?: Reference[];
  result?: Reference[];
}

export interface Specimen extends FhirResource {
  resourceType: 'Specimen';
  identifier?: Identifier[];
  accessionIdentifier?: Identifier;
  status?: 'available' | 'unavailable' | 'unsatisfactory' | 'entered-in-error';
  type?: CodeableConcept;
  subject?: Reference;
  receivedTime?: string;
  collection?: {
    collectedDateTime?: string;
    collectedPeriod?: Period;
    quantity?: Quantity;
    method?: CodeableConcept;
    bodySite?: CodeableConcept;
  };
  condition?: CodeableConcept[];
  note?: Annotation[];
}

export type { CodeableConcept, Coding, Identifier, Period, Reference };
