/**
 * The one table of what the FHIR read API serves: which resource types, and which search parameters
 * each supports, with the reference element paths they search (as fhir_references stores them).
 * The search parser, the SQL and the CapabilityStatement all read this table, so what the server
 * says it supports is what it does. A type not listed here answers 404, even if stored.
 */

/** A reference parameter (patient, subject, encounter): element paths, and the types they may point at. */
export interface ReferenceParam {
  readonly kind: 'reference';
  readonly name: string;
  /** Element paths in fhir_references.path (no array indexes), e.g. `subject`. */
  readonly paths: readonly string[];
  /** Resource types a bare id (`subject=123`) is looked up as; `Type/id` must be one of them. */
  readonly targets: readonly string[];
  readonly documentation: string;
}

export interface TokenParam {
  readonly kind: 'identifier';
  readonly name: 'identifier';
  readonly documentation: string;
}

export type TypeSearchParam = ReferenceParam | TokenParam;

export interface SupportedType {
  readonly type: string;
  /** Parameters beyond the common ones (_id, _lastUpdated) every type has. */
  readonly params: readonly TypeSearchParam[];
}

const identifier: TokenParam = {
  kind: 'identifier',
  name: 'identifier',
  documentation:
    'system|value, |value (no system), value (any system), or system| (any value); comma = OR; ' +
    'repeat the parameter for AND',
};

const ref = (name: string, paths: readonly string[], targets: readonly string[]): ReferenceParam => ({
  kind: 'reference',
  name,
  paths,
  targets,
  documentation: `${targets.join(' | ')} reference: Type/id or a bare id; comma = OR; :Type modifier allowed`,
});

const patientOf = (path: string): ReferenceParam => ref('patient', [path], ['Patient']);
const encounter = ref('encounter', ['encounter'], ['Encounter']);

/**
 * Patient and Encounter are what the ADT mapping writes; the others are the resources the order,
 * result and clinical mappings of the v2-to-FHIR IG produce, searchable as soon as a mapping writes them.
 * Parameters and target types follow the R4 search parameter definitions of each resource.
 */
export const SUPPORTED_TYPES: readonly SupportedType[] = [
  { type: 'Patient', params: [identifier] },
  {
    type: 'Encounter',
    params: [identifier, patientOf('subject'), ref('subject', ['subject'], ['Patient', 'Group'])],
  },
  {
    type: 'Observation',
    params: [
      identifier,
      patientOf('subject'),
      ref('subject', ['subject'], ['Patient', 'Group', 'Device', 'Location']),
      encounter,
    ],
  },
  {
    type: 'DiagnosticReport',
    params: [
      identifier,
      patientOf('subject'),
      ref('subject', ['subject'], ['Patient', 'Group', 'Device', 'Location']),
      encounter,
    ],
  },
  {
    type: 'ServiceRequest',
    params: [
      identifier,
      patientOf('subject'),
      ref('subject', ['subject'], ['Patient', 'Group', 'Device', 'Location']),
      encounter,
    ],
  },
  {
    type: 'Specimen',
    params: [
      identifier,
      patientOf('subject'),
      ref('subject', ['subject'], ['Patient', 'Group', 'Device', 'Substance', 'Location']),
    ],
  },
  {
    type: 'Condition',
    params: [identifier, patientOf('subject'), ref('subject', ['subject'], ['Patient', 'Group']), encounter],
  },
  {
    type: 'Procedure',
    params: [identifier, patientOf('subject'), ref('subject', ['subject'], ['Patient', 'Group']), encounter],
  },
  { type: 'AllergyIntolerance', params: [identifier, patientOf('patient')] },
];

const BY_TYPE: ReadonlyMap<string, SupportedType> = new Map(SUPPORTED_TYPES.map((t) => [t.type, t]));

export function supportedType(type: string): SupportedType | undefined {
  return BY_TYPE.get(type);
}

/** Result parameters (not filters) the search accepts on every type. */
export const RESULT_PARAMS = ['_count', '_total', '_format', '_pretty', '_cursor'] as const;

/** Filters every type has. */
export const COMMON_PARAMS = ['_id', '_lastUpdated'] as const;

/** Every parameter name a search on `type` accepts. */
export function searchParamNames(type: SupportedType): string[] {
  return [...type.params.map((p) => p.name), ...COMMON_PARAMS, ...RESULT_PARAMS];
}

/** FHIR R4 id: 1 to 64 of A-Z a-z 0-9 - . */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
