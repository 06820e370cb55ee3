/**
 * The CapabilityStatement of GET /fhir/metadata (http://hl7.org/fhir/R4/capabilitystatement.html),
 * built from the search-params table so it states exactly what the read API does: which types,
 * which interactions, which search parameters. Public: it holds no patient data.
 */
import { COUNT_CAP } from './fhir-search.ts';
import { type COMMON_PARAMS, SUPPORTED_TYPES, type TypeSearchParam } from './search-params.ts';
import type { FhirResource } from './types.ts';

interface SearchParamEntry {
  name: string;
  type: 'token' | 'reference' | 'date';
  definition?: string;
  documentation: string;
}

const COMMON: Record<(typeof COMMON_PARAMS)[number], SearchParamEntry> = {
  _id: {
    name: '_id',
    type: 'token',
    definition: 'http://hl7.org/fhir/SearchParameter/Resource-id',
    documentation: 'Logical id; comma = OR',
  },
  _lastUpdated: {
    name: '_lastUpdated',
    type: 'date',
    definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated',
    documentation:
      'meta.lastUpdated with prefix eq, ne, gt, ge, lt, le, sa or eb (repeat for a range); values without a time zone are UTC',
  },
};

function entryOf(param: TypeSearchParam): SearchParamEntry {
  return {
    name: param.name,
    type: param.kind === 'identifier' ? 'token' : 'reference',
    documentation: param.documentation,
  };
}

export function capabilityStatement(options: { readonly base: string; readonly date: string }): FhirResource {
  return {
    resourceType: 'CapabilityStatement',
    id: 'switchboard',
    status: 'active',
    date: options.date,
    publisher: 'Switchboard',
    kind: 'instance',
    software: { name: 'Switchboard' },
    implementation: {
      description: 'Switchboard FHIR R4 read API over the resources mapped from HL7 v2 messages',
      url: options.base,
    },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Read-only. Search is strict by default (an unsupported parameter is a 400); send ' +
          'Prefer: handling=lenient to have it ignored and reported in an OperationOutcome entry. ' +
          'Result parameters: _count (default 20, at most 200; 0 = total only); _total (none, accurate; ' +
          `by default Bundle.total is given up to ${COUNT_CAP} matches); _format (json only). ` +
          'Pages continue through the next link.',
        security: {
          description:
            'Bearer token (an access token from POST /api/auth/token, or an API token) of a role with fhir.read',
        },
        resource: SUPPORTED_TYPES.map((t) => ({
          type: t.type,
          profile: `http://hl7.org/fhir/StructureDefinition/${t.type}`,
          interaction: [
            { code: 'read' },
            { code: 'vread' },
            { code: 'history-instance' },
            { code: 'search-type' },
          ],
          versioning: 'versioned',
          readHistory: true,
          updateCreate: false,
          conditionalCreate: false,
          conditionalRead: 'not-match',
          conditionalUpdate: false,
          conditionalDelete: 'not-supported',
          searchParam: [...t.params.map(entryOf), COMMON._id, COMMON._lastUpdated],
        })),
      },
    ],
  };
}
