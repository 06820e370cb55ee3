/**
 * Assigning authority (HD) -> Identifier.system. The v2-to-FHIR IG maps CX.4 to `system` when the
 * authority names a system ("HL7 Data Type - FHIR R4_ CX[Identifier]" CX.4, via "HD[uri]"), but a
 * namespace id such as `SIMULATOR MRN` is no URI, and conditional updates match on system|value,
 * so the choice must be stable and configurable: the channel's `identifierSystems` option maps a
 * namespace id or universal id to the URI the site uses; otherwise the defaults below apply.
 */

/** HD: HD.1 namespace id, HD.2 universal id, HD.3 universal id type (table 0301). */
export interface Hd {
  readonly namespaceId: string;
  readonly universalId: string;
  readonly universalIdType: string;
}

export interface IdentifierSystemTable {
  /** The system URI for identifiers this authority assigned; undefined when the HD is empty. */
  resolve(authority: Hd): string | undefined;
}

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

export const SWITCHBOARD_ID_PREFIX = 'urn:switchboard:id:';

/**
 * Defaults, in order: the configured table (namespace id first, then universal id); `urn:oid:`
 * for an ISO universal id that is an OID ("HD[uri]" HD.2 row), `urn:uuid:` for a UUID one; a
 * universal id of type URI as it is; otherwise `urn:switchboard:id:<namespace or universal id>`.
 */
export function defaultSystem(authority: Hd): string | undefined {
  const { namespaceId, universalId, universalIdType } = authority;
  const type = universalIdType.toUpperCase();
  if (universalId !== '') {
    if (type === 'ISO' && OID.test(universalId)) return `urn:oid:${universalId}`;
    if (type === 'UUID' && UUID.test(universalId)) return `urn:uuid:${universalId.toLowerCase()}`;
    if ((type === 'URI' || type === 'URL') && URI.test(universalId)) return universalId;
  }
  const name = namespaceId !== '' ? namespaceId : universalId;
  return name === '' ? undefined : `${SWITCHBOARD_ID_PREFIX}${encodeURIComponent(name).replace(/%2F/g, '/')}`;
}

/** Builds the table from the option value; throws with every problem when it is malformed. */
export function createIdentifierSystemTable(config: unknown = {}): IdentifierSystemTable {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError('identifierSystems must be a map of namespace id or universal id to a system URI');
  }
  const entries = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string' || !URI.test(value)) {
      problems.push(`identifierSystems.${key}: expected an absolute URI, got ${JSON.stringify(value)}`);
    } else {
      entries.set(key, value);
    }
  }
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  return Object.freeze({
    resolve(authority: Hd): string | undefined {
      return (
        (authority.namespaceId !== '' ? entries.get(authority.namespaceId) : undefined) ??
        (authority.universalId !== '' ? entries.get(authority.universalId) : undefined) ??
        defaultSystem(authority)
      );
    },
  });
}
