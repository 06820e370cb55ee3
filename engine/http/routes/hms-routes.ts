/**
 * HMS records over HTTP: GET /api/hms/bed-board, per unit the beds occupied (encounter and patient
 * ids) and free (engine/hms/bed-board.ts). It tells who is where, so it needs
 * messages.read-content and every call is audited as hms.read (the unit filter as detail).
 */
import { Type, type Static } from '@sinclair/typebox';
import { bedBoard } from '../../hms/bed-board.ts';
import { ErrorBody } from '../api-schemas.ts';
import { auditRequest } from '../audit-request.ts';
import type { RouteModule } from './route-module.ts';

const BedBoardQuery = Type.Object({
  unit: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'One unit (PV1-3.1) only' })),
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const BedBoard = Type.Object({
  units: Type.Array(
    Type.Object({
      unit: Type.String({ description: 'PV1-3.1 point of care' }),
      occupied: Type.Array(
        Type.Object({
          room: Nullable(Type.String()),
          bed: Type.String(),
          encounterId: Type.String(),
          patientId: Type.String(),
          since: Type.String({ description: 'ISO 8601: when this stay began' }),
        }),
      ),
      free: Type.Array(Type.Object({ room: Nullable(Type.String()), bed: Type.String() })),
    }),
  ),
});

export const hmsRoutes: RouteModule = (app, ctx) => {
  app.get<{ Querystring: Static<typeof BedBoardQuery> }>(
    '/api/hms/bed-board',
    {
      schema: {
        tags: ['hms'],
        summary: 'Bed board: per unit, beds occupied (encounter and patient ids) and free',
        description:
          "Free beds are those seen in the unit's bed assignment history and occupied by nobody now. Audited (hms.read).",
        querystring: BedBoardQuery,
        response: { 200: BedBoard, 400: ErrorBody },
      },
    },
    async (request) => {
      const units = await bedBoard(ctx.db, request.query.unit);
      await auditRequest(ctx.audit, request, 'hms.read', 'hms/bed-board', {
        unitFilter: request.query.unit !== undefined,
        units: units.length,
      });
      return { units };
    },
  );
};
