/**
 * The slice of FHIR R4 (http://hl7.org/fhir/R4/) that Switchboard produces and stores. Resources
 * are plain JSON; the typed interfaces cover what the mappings write, and `FhirResource` is what
 * the store accepts (any resource type, unknown members kept as they are).
 */

export interface Extension {
  url: string;
  valueString?: string;
  valueCode?: string;
  valueBoolean?: boolean;
  valueInteger?: number;
  valueDateTime?: string;
  valueCodeableConcept?: CodeableConcept;
  valueAddress?: Address;
  extension?: Extension[];
}

export interface Element {
  extension?: Extension[];
}

export interface Coding extends Element {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept extends Element {
  coding?: Coding[];
  text?: string;
}

export interface Period extends Element {
  start?: string;
  end?: string;
}

export interface Reference extends Element {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Identifier extends Element {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system?: string;
  value?: string;
  period?: Period;
  assigner?: Reference;
}

export interface HumanName extends Element {
  use?: string;
  text?: string;
  family?: string;
  _family?: Element;
  given?: string[];
  prefix?: string[];
  suffix?: string[];
  period?: Period;
}

export interface Address extends Element {
  use?: string;
  type?: string;
  text?: string;
  line?: string[];
  city?: string;
  district?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  period?: Period;
}

export interface ContactPoint extends Element {
  system?: string;
  _system?: Element;
  value?: string;
  use?: string;
  rank?: number;
  period?: Period;
}

export interface Meta extends Element {
  versionId?: string;
  lastUpdated?: string;
  /** R4 Meta.source: where the content came from; the store puts the source message here. */
  source?: string;
  profile?: string[];
  tag?: Coding[];
}

/** Any resource, as the store sees it. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [member: string]: unknown;
}

export interface Patient extends FhirResource {
  resourceType: 'Patient';
  identifier?: Identifier[];
  name?: HumanName[];
  telecom?: ContactPoint[];
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
  _birthDate?: Element;
  deceasedBoolean?: boolean;
  deceasedDateTime?: string;
  address?: Address[];
  maritalStatus?: CodeableConcept;
  multipleBirthBoolean?: boolean;
  multipleBirthInteger?: number;
  contact?: object[];
  generalPractitioner?: Reference[];
  link?: { other: Reference; type: string }[];
  active?: boolean;
}

export interface EncounterParticipant extends Element {
  type?: CodeableConcept[];
  period?: Period;
  individual?: Reference;
}

export interface EncounterLocation extends Element {
  location: Reference;
  status?: 'planned' | 'active' | 'reserved' | 'completed';
}

export interface Encounter extends FhirResource {
  resourceType: 'Encounter';
  identifier?: Identifier[];
  status: string;
  class: Coding;
  type?: CodeableConcept[];
  serviceType?: CodeableConcept;
  subject?: Reference;
  participant?: EncounterParticipant[];
  period?: Period;
  hospitalization?: {
    preAdmissionIdentifier?: Identifier;
    admitSource?: CodeableConcept;
    reAdmission?: CodeableConcept;
    dischargeDisposition?: CodeableConcept;
  };
  location?: EncounterLocation[];
  diagnosis?: { condition: Reference; use?: CodeableConcept; rank?: number }[];
  serviceProvider?: Reference;
}

export type HttpVerb = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource;
  request?: {
    method: HttpVerb;
    url: string;
    ifNoneExist?: string;
    ifMatch?: string;
  };
  response?: { status: string; location?: string; etag?: string; lastModified?: string };
}

export interface FhirBundle {
  resourceType: 'Bundle';
  id?: string;
  type:
    | 'transaction'
    | 'transaction-response'
    | 'batch'
    | 'batch-response'
    | 'history'
    | 'searchset'
    | 'collection';
  entry?: BundleEntry[];
}
