/**
 * Patients and identifiers: find the patient by any PID-3 identifier (following merged_into to the
 * survivor), else create one; attach identifiers it did not have; update the summary columns with
 * the values sent (an empty field leaves the column as it is). A40 merges (applyMerge): the prior
 * patient gets merged_into, and its identifiers, encounters and orders move to the survivor.
 */
import type { SqlQueryable } from '../db/sql.ts';
import type { HmsFlag, PlannedIdentifier, PlannedMerge, PlannedPatient } from './types.ts';

export interface ApplyEnv {
  readonly tx: SqlQueryable;
  readonly messageId: string;
  /** The message's event time (ISO 8601) or null: SQL then uses now(). */
  readonly eventAt: string | null;
  readonly flags: HmsFlag[];
}

async function survivorOf(tx: SqlQueryable, patientId: string): Promise<string> {
  let id = patientId;
  for (let hops = 0; hops < 100; hops++) {
    const { rows } = await tx.query<{ merged_into: string | null }>(
      'SELECT merged_into::text AS merged_into FROM hms_patients WHERE id = $1',
      [id],
    );
    const next = rows[0]?.merged_into ?? null;
    if (next === null) return id;
    id = next;
  }
  return id;
}

/** The current owner of each identifier that has one, survivors followed. */
async function ownersOf(tx: SqlQueryable, ids: readonly PlannedIdentifier[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (const id of ids) {
    const { rows } = await tx.query<{ patient_id: string }>(
      'SELECT patient_id::text AS patient_id FROM hms_patient_identifiers WHERE system = $1 AND value = $2',
      [id.system, id.value],
    );
    out.push(rows[0] ? await survivorOf(tx, rows[0].patient_id) : null);
  }
  return out;
}

/**
 * Attaches identifiers. For a patient just created (`strict`) a conflict throws: another transaction
 * created the same patient concurrently, and the delivery is retried (it then finds that one).
 */
async function addIdentifiers(
  tx: SqlQueryable,
  patientId: string,
  ids: readonly PlannedIdentifier[],
  strict = false,
): Promise<void> {
  const onConflict = strict ? '' : 'ON CONFLICT (system, value) DO NOTHING';
  for (const id of ids) {
    await tx.query(
      `INSERT INTO hms_patient_identifiers (system, value, type, patient_id) VALUES ($1, $2, $3, $4) ${onConflict}`,
      [id.system, id.value, id.type, patientId],
    );
  }
}

/** The patient's id, created or updated; null when the plan has no patient. */
export async function applyPatient(env: ApplyEnv, patient: PlannedPatient | null): Promise<string | null> {
  if (!patient) return null;
  const { tx } = env;
  const owners = await ownersOf(tx, patient.identifiers);
  const found = owners.find((o) => o !== null) ?? null;
  const values = [patient.familyName, patient.givenName, patient.birthDate, patient.sex, env.messageId];
  let id: string;
  if (found === null) {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO hms_patients (family_name, given_name, birth_date, sex, last_message_id)
       VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id`,
      values,
    );
    id = rows[0]!.id;
  } else {
    id = found;
    await tx.query(
      `UPDATE hms_patients SET family_name = COALESCE($1, family_name), given_name = COALESCE($2, given_name),
         birth_date = COALESCE($3, birth_date), sex = COALESCE($4, sex), last_message_id = $5, updated_at = now()
       WHERE id = $6`,
      [...values, id],
    );
    if (owners.some((o) => o !== null && o !== id)) {
      env.flags.push({
        code: 'PATIENT_IDENTIFIER_CONFLICT',
        detail: `PID-3 identifiers belong to different patients; recorded on patient ${id}, others left as they are`,
      });
    }
  }
  await addIdentifiers(tx, id, patient.identifiers, found === null);
  return id;
}

/** A40 for one PID/MRG pair. Resending the same merge changes nothing. */
export async function applyMerge(env: ApplyEnv, merge: PlannedMerge): Promise<boolean> {
  const { tx } = env;
  const survivor = (await applyPatient(env, merge.survivor))!;
  let merged = false;
  for (const [i, prior] of merge.prior.entries()) {
    const [owner] = await ownersOf(tx, [prior]);
    const record = (mergedId: string | null) =>
      tx.query(
        `INSERT INTO hms_patient_merges (survivor_id, merged_patient_id, prior_system, prior_value, merged_at, message_id)
         VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, now()), $6)`,
        [survivor, mergedId, prior.system, prior.value, env.eventAt, env.messageId],
      );
    if (owner === null || owner === undefined) {
      env.flags.push({
        code: 'MERGE_UNKNOWN_PRIOR',
        detail: `MRG-1[${i + 1}] names no known patient: identifier added to patient ${survivor}`,
      });
      await addIdentifiers(tx, survivor, [prior]);
      await record(null);
      merged = true;
      continue;
    }
    if (owner === survivor) {
      const { rows } = await tx.query(
        'SELECT 1 FROM hms_patient_merges WHERE survivor_id = $1 AND prior_system = $2 AND prior_value = $3',
        [survivor, prior.system, prior.value],
      );
      if (rows.length === 0) {
        env.flags.push({
          code: 'MERGE_SAME_PATIENT',
          detail: `MRG-1[${i + 1}] already belongs to the surviving patient ${survivor}: nothing merged`,
        });
      }
      continue;
    }
    await tx.query(
      'UPDATE hms_patients SET merged_into = $1, updated_at = now(), last_message_id = $3 WHERE id = $2',
      [survivor, owner, env.messageId],
    );
    await tx.query('UPDATE hms_patients SET merged_into = $1 WHERE merged_into = $2', [survivor, owner]);
    await tx.query('UPDATE hms_patient_identifiers SET patient_id = $1 WHERE patient_id = $2', [
      survivor,
      owner,
    ]);
    await tx.query('UPDATE hms_encounters SET patient_id = $1 WHERE patient_id = $2', [survivor, owner]);
    await tx.query('UPDATE hms_orders SET patient_id = $1 WHERE patient_id = $2', [survivor, owner]);
    await record(owner);
    merged = true;
  }
  return merged;
}
