/**
 * The OpenAPI document: valid OpenAPI 3 (checked by @apidevtools/swagger-parser, which nobody here
 * wrote), and it documents every route of the access table with its permission and security.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_ACCESS } from '../../engine/http/route-access.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

describe('GET /api/openapi.json', () => {
  let f: ApiFixture;
  let doc: OpenAPIV3.Document;

  beforeAll(async () => {
    f = await startApiEngine();
    const res = await f.call<OpenAPIV3.Document>('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  }, 60_000);
  afterAll(async () => f?.stop());

  it('is a valid OpenAPI 3 document', async () => {
    // validate() dereferences in place: give it a copy.
    const validated = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((validated as OpenAPIV3.Document).openapi).toMatch(/^3\./);
  });

  it('documents exactly the routes of the access table, each with its permission', () => {
    const documented = new Map<string, unknown>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = (item as Record<string, unknown> | undefined)?.[method] as
          (OpenAPIV3.OperationObject & { 'x-switchboard-access'?: string }) | undefined;
        if (!op) continue;
        const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === '*' ? '*' : `:${name}`));
        documented.set(`${method.toUpperCase()} ${url}`, op['x-switchboard-access']);
        expect(op.summary, `${method} ${path} has a summary`).toBeTruthy();
        expect(op.responses, `${method} ${path} has responses`).toBeTruthy();
        const access = op['x-switchboard-access'];
        expect(op.security, `${method} ${path} security`).toEqual(
          access === 'public' ? [] : [{ bearer: [] }],
        );
      }
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(ROUTE_ACCESS).sort());
    for (const [key, access] of Object.entries(ROUTE_ACCESS)) expect(documented.get(key), key).toBe(access);
  });
});
