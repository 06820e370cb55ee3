/**
 * Validation of what the mappings produce, against the FHIR R4 StructureDefinitions
 * (@medplum/core validateResource): cardinality, types, formats, unknown elements, with exact
 * paths. It does not check value-set bindings and only warns on references; the binding and
 * reference checks of our own (bindings.ts, references.ts) complete it.
 */
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { FhirResource } from '../../engine/fhir/types.ts';
import { ensureStructureDefinitions } from './structure-definitions.ts';

export interface ValidationIssue {
  readonly severity: 'error' | 'warning';
  /** FHIRPath-like location, e.g. `Patient.birthDate`. */
  readonly path: string;
  readonly message: string;
}

type Issue = { severity?: string; expression?: string[]; details?: { text?: string } };

function issuesOf(issues: readonly Issue[]): ValidationIssue[] {
  return issues.map((i) => ({
    severity: i.severity === 'error' || i.severity === 'fatal' ? 'error' : 'warning',
    path: i.expression?.[0] ?? '',
    message: i.details?.text ?? 'invalid',
  }));
}

/**
 * Medplum's warnings on `urn:uuid:` references are expected inside transaction Bundles (the server
 * resolves them) and are dropped; every other issue is returned.
 */
export function validateFhirResource(resource: FhirResource): ValidationIssue[] {
  ensureStructureDefinitions();
  let issues: ValidationIssue[];
  try {
    issues = issuesOf(validateResource(resource as Parameters<typeof validateResource>[0]));
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    issues = issuesOf(err.outcome.issue ?? []);
  }
  return issues.filter((i) => !(i.severity === 'warning' && /got "urn:uuid:/.test(i.message)));
}
