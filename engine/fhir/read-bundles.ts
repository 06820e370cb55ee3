/**
 * The Bundles and headers the FHIR read API answers with: searchset (search), history (instance
 * history), and the version headers of read/vread (ETag W/"n", Last-Modified), after
 * http://hl7.org/fhir/R4/http.html and bundle.html (history entries carry request and response,
 * search entries search.mode).
 */
import { randomUUID } from 'node:crypto';
import type { BundleLink } from './bundle-paging.ts';
import type { StoredVersion } from './resource-versions.ts';
import type { FhirResource } from './types.ts';

export interface SearchsetEntry {
  fullUrl: string;
  resource: FhirResource;
  search: { mode: 'match' | 'outcome' };
}

export interface HistoryEntry {
  fullUrl: string;
  resource?: FhirResource;
  request: { method: 'PUT' | 'DELETE'; url: string };
  response: { status: string; etag: string; lastModified: string };
}

export interface ReadBundle<E> {
  resourceType: 'Bundle';
  id: string;
  meta: { lastUpdated: string };
  type: 'searchset' | 'history';
  total?: number;
  link: BundleLink[];
  entry: E[];
}

export const etagOf = (versionId: number): string => `W/"${versionId}"`;

/** RFC 9110 HTTP-date of a version's lastUpdated. */
export const lastModifiedOf = (version: StoredVersion): string => new Date(version.lastUpdated).toUTCString();

/** If-None-Match holds the version's ETag (or `*`): the client's copy is current. */
export function matchesEtag(ifNoneMatch: string | undefined, versionId: number): boolean {
  if (!ifNoneMatch) return false;
  const tag = etagOf(versionId);
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t === tag || `W/${t}` === tag);
}

function bundleHeader(type: 'searchset' | 'history', links: BundleLink[], total: number | null) {
  return {
    resourceType: 'Bundle' as const,
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type,
    ...(total !== null ? { total } : {}),
    link: links,
  };
}

export function searchsetBundle(
  base: string,
  matches: readonly StoredVersion[],
  links: BundleLink[],
  total: number | null,
  outcome: FhirResource | null,
): ReadBundle<SearchsetEntry> {
  const entry: SearchsetEntry[] = matches.map((v) => ({
    fullUrl: `${base}/${v.resourceType}/${v.id}`,
    resource: v.resource,
    search: { mode: 'match' },
  }));
  if (outcome) {
    entry.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: outcome, search: { mode: 'outcome' } });
  }
  return { ...bundleHeader('searchset', links, total), entry };
}

export function historyBundle(
  base: string,
  versions: readonly StoredVersion[],
  links: BundleLink[],
  total: number,
): ReadBundle<HistoryEntry> {
  const entry: HistoryEntry[] = versions.map((v) => {
    const url = `${v.resourceType}/${v.id}`;
    const response = {
      status: v.deleted ? '204 No Content' : v.versionId === 1 ? '201 Created' : '200 OK',
      etag: etagOf(v.versionId),
      lastModified: v.lastUpdated,
    };
    return v.deleted
      ? { fullUrl: `${base}/${url}`, request: { method: 'DELETE', url }, response }
      : { fullUrl: `${base}/${url}`, resource: v.resource, request: { method: 'PUT', url }, response };
  });
  return { ...bundleHeader('history', links, total), entry };
}

/** An OperationOutcome of warnings (e.g. the parameters a lenient search ignored). */
export function warningOutcome(messages: readonly string[]): FhirResource {
  return {
    resourceType: 'OperationOutcome',
    issue: messages.map((diagnostics) => ({ severity: 'warning', code: 'not-supported', diagnostics })),
  };
}
