/**
 * Validation of a mapping's whole output: the transaction Bundle itself (type, and per entry a
 * fullUrl, a request the FHIR store can apply, a resource) and every resource in it against the
 * R4 StructureDefinitions (validate-resource.ts, @medplum/core), our required-binding check
 * (bindings.ts) and our reference check (references.ts, urn:uuid resolved within the Bundle).
 * Issues carry the entry index and a path inside that entry's resource; messages never carry
 * values, so `explainIssues` can go into a message's error text.
 */
import type { FhirBundle } from '../../engine/fhir/types.ts';
import { checkBindings } from './bindings.ts';
import { checkReferences } from './references.ts';
import { validateFhirResource, type ValidationIssue } from './validate-resource.ts';

export interface BundleIssue extends ValidationIssue {
  /** Index in Bundle.entry; null for an issue of the Bundle itself. */
  readonly entry: number | null;
}

const FULL_URL = /^(?:urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|https?:\/\/\S+)$/;
const METHODS = new Set(['PUT', 'POST']);

function entryIssues(bundle: FhirBundle, fullUrls: Map<string, string>): BundleIssue[] {
  const issues: BundleIssue[] = [];
  const seen = new Set<string>();
  (bundle.entry ?? []).forEach((entry, i) => {
    const error = (path: string, message: string): void => {
      issues.push({ entry: i, severity: 'error', path, message });
    };
    const { fullUrl, request, resource } = entry;
    if (typeof fullUrl !== 'string') error('fullUrl', 'entry has no fullUrl');
    else if (!FULL_URL.test(fullUrl)) error('fullUrl', 'fullUrl is neither a lower-case urn:uuid nor a URL');
    else if (seen.has(fullUrl)) error('fullUrl', 'fullUrl repeats an earlier entry');
    else seen.add(fullUrl);
    if (!resource || typeof resource.resourceType !== 'string') error('resource', 'entry has no resource');
    if (!request) error('request', 'entry has no request');
    else {
      if (!METHODS.has(request.method))
        error('request.method', 'a transaction entry of a mapping is PUT or POST');
      if (typeof request.url !== 'string' || request.url === '') error('request.url', 'request has no url');
      else if (resource && request.url.replace(/^\//, '').split(/[/?]/)[0] !== resource.resourceType) {
        error('request.url', "request.url names another type than the entry's resource");
      }
    }
    if (typeof fullUrl === 'string' && resource && typeof resource.resourceType === 'string') {
      fullUrls.set(fullUrl, resource.resourceType);
    }
  });
  return issues;
}

export function validateBundle(bundle: FhirBundle): BundleIssue[] {
  const issues: BundleIssue[] = [];
  if (bundle.resourceType !== 'Bundle') {
    return [{ entry: null, severity: 'error', path: 'Bundle', message: 'not a Bundle' }];
  }
  if (bundle.type !== 'transaction') {
    issues.push({
      entry: null,
      severity: 'error',
      path: 'Bundle.type',
      message: 'a mapping yields a transaction Bundle',
    });
  }
  const fullUrls = new Map<string, string>();
  issues.push(...entryIssues(bundle, fullUrls));
  (bundle.entry ?? []).forEach((entry, i) => {
    const resource = entry.resource;
    if (!resource || typeof resource.resourceType !== 'string') return;
    for (const issue of [
      ...validateFhirResource(resource),
      ...checkBindings(resource),
      ...checkReferences(resource, fullUrls),
    ]) {
      issues.push({ entry: i, ...issue });
    }
  });
  return issues;
}

export const bundleErrors = (issues: readonly BundleIssue[]): BundleIssue[] =>
  issues.filter((i) => i.severity === 'error');

/** One line per issue: `entry[2] Patient.gender: not a code of ...` (paths and messages only). */
export function explainIssues(issues: readonly BundleIssue[]): string {
  return issues
    .map((i) => `${i.entry === null ? '' : `entry[${i.entry}] `}${i.path}: ${i.message}`)
    .join('; ');
}

/** Throws when the Bundle has errors; the Error's message lists them (paths and messages only). */
export function assertValidBundle(bundle: FhirBundle): void {
  const errors = bundleErrors(validateBundle(bundle));
  if (errors.length > 0) {
    throw new Error(
      `FHIR validation failed (${errors.length} error${errors.length === 1 ? '' : 's'}): ${explainIssues(errors)}`,
    );
  }
}
