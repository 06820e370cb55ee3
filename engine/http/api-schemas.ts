/** Schemas shared by the admin API's route modules. */
import { Type } from '@sinclair/typebox';

/** Every admin API error: `{ error: { code, message } }` (http-errors.ts sends it). */
export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
