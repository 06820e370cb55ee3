/**
 * Orders meet images over HTTP: GET /api/dicom/unmatched-studies lists the DICOM studies no order
 * (ORM^O01) claims, with the reason (engine/dicom/orders/unmatched-studies.ts). It names patients'
 * studies, so it needs messages.read-content and every call is audited as dicom.read.
 */
import { Type, type Static } from '@sinclair/typebox';
import { unmatchedStudies } from '../../dicom/orders/unmatched-studies.ts';
import { ErrorBody } from '../api-schemas.ts';
import { auditRequest } from '../audit-request.ts';
import type { RouteModule } from './route-module.ts';

const Query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const UnmatchedList = Type.Object({
  studies: Type.Array(
    Type.Object({
      studyInstanceUid: Type.String(),
      accessionNumber: Nullable(Type.String()),
      patientId: Type.String({ description: 'DICOM PatientID as received' }),
      studyDate: Nullable(Type.String({ description: 'DICOM DA (YYYYMMDD)' })),
      modalitiesInStudy: Type.Array(Type.String()),
      numberOfInstances: Type.Integer(),
      reason: Type.String({
        description:
          'no-accession-number, no-order, patient-id-mismatch, ambiguous-order, or pending (not tried yet)',
      }),
      receivedAt: Type.String({ description: 'ISO 8601: first instance indexed' }),
      attemptedAt: Nullable(Type.String({ description: 'ISO 8601: last match attempt' })),
    }),
  ),
});

export const dicomOrdersRoutes: RouteModule = (app, ctx) => {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/api/dicom/unmatched-studies',
    {
      schema: {
        tags: ['dicom'],
        summary: 'DICOM studies that no order matches (by accession number and patient ID)',
        description: 'Oldest first. Listed until an order matches them. Audited (dicom.read).',
        querystring: Query,
        response: { 200: UnmatchedList, 400: ErrorBody },
      },
    },
    async (request) => {
      const studies = await unmatchedStudies(ctx.db, {
        limit: request.query.limit ?? 100,
        offset: request.query.offset ?? 0,
      });
      await auditRequest(ctx.audit, request, 'dicom.read', 'dicom/unmatched-studies', {
        studies: studies.length,
      });
      return { studies };
    },
  );
};
