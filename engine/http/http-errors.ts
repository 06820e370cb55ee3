/**
 * Error answers. The admin API answers `{ error: { code, message } }`; FHIR routes answer an
 * OperationOutcome as FHIR clients expect. Messages name ids and codes, never message content.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not-found', `${what} not found`);
export const badRequest = (message: string): HttpError => new HttpError(400, 'bad-request', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);

/** FHIR issue codes (http://hl7.org/fhir/issue-type) for our HTTP statuses. */
function fhirIssueCode(status: number): string {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 410) return 'deleted';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 405) return 'not-supported';
  return 'exception';
}

export function operationOutcome(status: number, message: string): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: fhirIssueCode(status), diagnostics: message }],
  };
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="switchboard"');
  if (request.routeOptions.config.errorFormat === 'fhir' || request.url.startsWith('/fhir')) {
    return reply.code(status).type(FHIR_JSON).send(operationOutcome(status, message));
  }
  return reply.code(status).send({ error: { code, message } });
}
