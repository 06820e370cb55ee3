/** Who is calling: resolved from the bearer token by the auth hook before any handler runs. */
import type { Role } from '../auth/roles.ts';

export interface Principal {
  readonly kind: 'user' | 'api-token';
  readonly userId: string;
  /** Username for people; `token:<id>` for API tokens (what the audit log names). */
  readonly actor: string;
  readonly role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Null on public routes called without a token. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** 'fhir': errors go out as OperationOutcome with application/fhir+json. */
    errorFormat?: 'json' | 'fhir';
  }
}
