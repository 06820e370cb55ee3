/**
 * Checks a transaction Bundle as a whole before anything is written (a failed statement would
 * abort the caller's transaction, and a half-applied Bundle must never exist), and turns each
 * entry into what the store has to do. Supported (FHIR R4 http.html, transaction):
 *   PUT  Type/id                          update or create with that id
 *   PUT  Type?identifier=system|value     conditional update
 *   POST Type  + ifNoneExist identifier=  conditional create
 *   POST Type                             create; id derived from the source message and entry
 *                                         index, so a redelivered message lands on the same id
 * Anything else is a FhirTransactionError: permanent, retrying cannot fix the Bundle.
 */
import type { BundleEntry, FhirBundle, FhirResource } from './types.ts';

export class FhirTransactionError extends Error {
  /** Retrying the same Bundle fails the same way: dead-letter it. */
  readonly permanent = true;
  readonly entryIndex: number | null;

  constructor(message: string, entryIndex: number | null = null) {
    super(entryIndex === null ? message : `Bundle.entry[${entryIndex}]: ${message}`);
    this.name = 'FhirTransactionError';
    this.entryIndex = entryIndex;
  }
}

export type EntryTarget =
  | { readonly kind: 'id'; readonly id: string }
  | {
      readonly kind: 'identifier';
      readonly system: string;
      readonly value: string;
      readonly createOnly: boolean;
    }
  | { readonly kind: 'create' };

export interface PlannedEntry {
  readonly index: number;
  readonly resourceType: string;
  readonly fullUrl: string | undefined;
  readonly resource: FhirResource;
  readonly target: EntryTarget;
}

const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Splits a token at its first unescaped `|` and undoes the search escapes `\|`, `\,`, `\$`, `\\`. */
function parseToken(token: string): { system: string; value: string } | null {
  let split = -1;
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '\\') i++;
    else if (token[i] === '|') {
      split = i;
      break;
    }
  }
  if (split === -1) return null;
  const unescape = (s: string): string => s.replace(/\\([\\|,$])/g, '$1');
  return { system: unescape(token.slice(0, split)), value: unescape(token.slice(split + 1)) };
}

/** `identifier=system|value` (the only search the store resolves): both parts required. */
export function parseIdentifierQuery(query: string): { system: string; value: string } | null {
  const eq = query.indexOf('=');
  if (query.includes('&') || eq === -1 || query.slice(0, eq) !== 'identifier') return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(query.slice(eq + 1));
  } catch {
    return null;
  }
  const token = parseToken(decoded);
  return token && token.system !== '' && token.value !== '' ? token : null;
}

function planEntry(entry: BundleEntry, index: number): PlannedEntry {
  const { request, resource } = entry;
  if (!request) throw new FhirTransactionError('has no request', index);
  if (!resource || typeof resource !== 'object' || typeof resource.resourceType !== 'string') {
    throw new FhirTransactionError(`${request.method} needs a resource`, index);
  }
  const { resourceType } = resource;
  if (!RESOURCE_TYPE.test(resourceType))
    throw new FhirTransactionError(`bad resourceType "${resourceType}"`, index);
  const url = request.url.replace(/^\//, '');
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const [type, id, ...rest] = path.split('/');
  if (type !== resourceType) {
    throw new FhirTransactionError(
      `request.url "${request.url}" does not match resourceType ${resourceType}`,
      index,
    );
  }
  const fullUrl = entry.fullUrl;
  const base = { index, resourceType, fullUrl, resource };
  if (request.method === 'PUT' && id !== undefined && rest.length === 0 && query === '') {
    if (!FHIR_ID.test(id)) throw new FhirTransactionError(`bad id "${id}"`, index);
    if (resource.id !== undefined && resource.id !== id) {
      throw new FhirTransactionError(
        `resource.id "${resource.id}" differs from the id in request.url`,
        index,
      );
    }
    return { ...base, target: { kind: 'id', id } };
  }
  if (request.method === 'PUT' && id === undefined && query !== '') {
    const token = parseIdentifierQuery(query);
    if (!token)
      throw new FhirTransactionError(
        `unsupported conditional update "${request.url}" (identifier=system|value only)`,
        index,
      );
    return { ...base, target: { kind: 'identifier', ...token, createOnly: false } };
  }
  if (request.method === 'POST' && id === undefined && query === '') {
    if (request.ifNoneExist === undefined) return { ...base, target: { kind: 'create' } };
    const token = parseIdentifierQuery(request.ifNoneExist);
    if (!token)
      throw new FhirTransactionError(
        `unsupported ifNoneExist "${request.ifNoneExist}" (identifier=system|value only)`,
        index,
      );
    return { ...base, target: { kind: 'identifier', ...token, createOnly: true } };
  }
  throw new FhirTransactionError(`unsupported request ${request.method} ${request.url}`, index);
}

export function planTransaction(bundle: FhirBundle): PlannedEntry[] {
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
    throw new FhirTransactionError('not a transaction Bundle');
  }
  const entries = (bundle.entry ?? []).map(planEntry);
  const fullUrls = new Set<string>();
  for (const e of entries) {
    if (e.fullUrl === undefined) continue;
    if (fullUrls.has(e.fullUrl))
      throw new FhirTransactionError(`fullUrl ${e.fullUrl} appears twice`, e.index);
    fullUrls.add(e.fullUrl);
  }
  return entries;
}
