/**
 * ADT events on an encounter and its bed assignments (docs/hms.md has the table). Events that do
 * not fit the encounter's state (A03 for an unknown visit, A12 with no transfer to cancel, A02 for a
 * discharged encounter) are flagged, and applied only as far as they make sense. A resent event
 * (same trigger and event time as one already applied to the encounter) changes nothing.
 */
import type { SqlQueryable } from '../db/sql.ts';
import type { ApplyEnv } from './apply-patient.ts';
import type { AdtEvent, PlannedEncounter, PlannedLocation } from './types.ts';

type EncounterStatus = 'planned' | 'in-progress' | 'finished' | 'cancelled' | 'unknown';

interface EncounterRow {
  id: string;
  patient_id: string;
  status: EncounterStatus;
}

interface AssignmentRow {
  id: string;
  unit: string;
  room: string | null;
  bed: string | null;
  event: string;
  previous_id: string | null;
}

interface EventEnv extends ApplyEnv {
  readonly trigger: string;
  readonly encounter: PlannedEncounter;
  /** Bed assignments opened by this message. */
  opened: number;
}

const T = 'COALESCE($T::timestamptz, now())';
/** Replaces the $T placeholder by the parameter number of the event time. */
const at = (sql: string, n: number): string => sql.replaceAll('$T', `$${n}`);

function sameLocation(a: AssignmentRow, b: PlannedLocation): boolean {
  return a.unit === b.unit && a.room === b.room && a.bed === b.bed;
}

function flag(env: EventEnv, code: string, detail: string): void {
  env.flags.push({ code, detail: `ADT^${env.trigger}: ${detail}` });
}

async function activeAssignment(tx: SqlQueryable, encounterId: string): Promise<AssignmentRow | null> {
  const { rows } = await tx.query<AssignmentRow>(
    `SELECT id::text AS id, unit, room, bed, event, previous_id::text AS previous_id FROM hms_bed_assignments
     WHERE encounter_id = $1 AND status = 'active' ORDER BY id DESC LIMIT 1`,
    [encounterId],
  );
  return rows[0] ?? null;
}

async function openAssignment(
  env: EventEnv,
  encounterId: string,
  previousId: string | null = null,
): Promise<void> {
  const loc = env.encounter.location;
  if (!loc) return;
  if (loc.bed !== null) {
    const { rows } = await env.tx.query<{ encounter_id: string }>(
      `SELECT encounter_id::text AS encounter_id FROM hms_bed_assignments
       WHERE status = 'active' AND unit = $1 AND room IS NOT DISTINCT FROM $2 AND bed = $3 AND encounter_id <> $4`,
      [loc.unit, loc.room, loc.bed, encounterId],
    );
    if (rows.length > 0) {
      flag(
        env,
        'BED_OCCUPIED',
        `bed already occupied by encounter ${rows.map((r) => r.encounter_id).join(', ')}`,
      );
    }
  }
  await env.tx.query(
    at(
      `INSERT INTO hms_bed_assignments (encounter_id, unit, room, bed, from_at, status, event, previous_id, message_id)
       VALUES ($1, $2, $3, $4, ${T}, 'active', $5, $6, $7)`,
      8,
    ),
    [encounterId, loc.unit, loc.room, loc.bed, env.trigger, previousId, env.messageId, env.eventAt],
  );
  env.opened++;
}

/** Ends an assignment: closed (moved out) or cancelled (never happened). */
async function endAssignment(env: EventEnv, id: string, status: 'closed' | 'cancelled'): Promise<void> {
  await env.tx.query(
    at(
      `UPDATE hms_bed_assignments SET status = $2, to_at = ${T}, ended_by = $3, ended_message_id = $4 WHERE id = $1`,
      5,
    ),
    [id, status, env.trigger, env.messageId, env.eventAt],
  );
}

async function reopenAssignment(env: EventEnv, id: string): Promise<void> {
  await env.tx.query(
    `UPDATE hms_bed_assignments SET status = 'active', to_at = NULL, ended_by = NULL, ended_message_id = NULL
     WHERE id = $1`,
    [id],
  );
}

async function setStatus(env: EventEnv, id: string, status: EncounterStatus): Promise<void> {
  await env.tx.query('UPDATE hms_encounters SET status = $2 WHERE id = $1', [id, status]);
}

async function insertEncounter(env: EventEnv, patientId: string, status: EncounterStatus): Promise<string> {
  const e = env.encounter;
  const { rows } = await env.tx.query<{ id: string }>(
    `INSERT INTO hms_encounters (visit_system, visit_number, patient_id, class, status, last_message_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
    [e.visitSystem, e.visitNumber, patientId, e.patientClass, status, env.messageId],
  );
  return rows[0]!.id;
}

/** A02 and A06/A07: close the open assignment (if elsewhere) and open one at PV1-3. */
async function move(env: EventEnv, enc: EncounterRow): Promise<void> {
  const loc = env.encounter.location;
  if (!loc) return;
  const active = await activeAssignment(env.tx, enc.id);
  if (active && sameLocation(active, loc)) {
    if (env.trigger === 'A02')
      flag(env, 'TRANSFER_SAME_LOCATION', `encounter ${enc.id} is already at the new location`);
    return;
  }
  if (active) await endAssignment(env, active.id, 'closed');
  await openAssignment(env, enc.id, active?.id ?? null);
}

type Handler = (env: EventEnv, enc: EncounterRow | null, patientId: string) => Promise<EncounterRow | null>;

const created = async (env: EventEnv, patientId: string, status: EncounterStatus): Promise<EncounterRow> => ({
  id: await insertEncounter(env, patientId, status),
  patient_id: patientId,
  status,
});

const HANDLERS: Readonly<Record<AdtEvent, Handler>> = {
  async admit(env, enc, patientId) {
    if (enc?.status === 'finished') {
      flag(env, 'ADMIT_AFTER_DISCHARGE', `encounter ${enc.id} is discharged: admit not applied`);
      return enc;
    }
    if (enc?.status === 'in-progress') {
      const active = await activeAssignment(env.tx, enc.id);
      if (!active) await openAssignment(env, enc.id);
      else if (env.encounter.location && !sameLocation(active, env.encounter.location)) {
        flag(
          env,
          'ADMIT_ALREADY_ADMITTED',
          `encounter ${enc.id} is already admitted elsewhere: bed not changed`,
        );
      }
      return enc;
    }
    const row = enc ?? (await created(env, patientId, 'in-progress'));
    await setStatus(env, row.id, 'in-progress');
    await openAssignment(env, row.id);
    return row;
  },

  async register(env, enc, patientId) {
    if (!enc) return created(env, patientId, 'planned');
    if (enc.status === 'finished') flag(env, 'REGISTER_AFTER_DISCHARGE', `encounter ${enc.id} is discharged`);
    else if (enc.status === 'cancelled' || enc.status === 'unknown') await setStatus(env, enc.id, 'planned');
    return enc;
  },

  async 'pre-admit'(env, enc, patientId) {
    if (!enc) return created(env, patientId, 'planned');
    if (enc.status === 'in-progress' || enc.status === 'finished') {
      flag(env, 'PREADMIT_AFTER_ADMIT', `encounter ${enc.id} is already ${enc.status}: status not changed`);
    } else await setStatus(env, enc.id, 'planned');
    return enc;
  },

  async transfer(env, enc, patientId) {
    if (!env.encounter.location) {
      flag(env, 'TRANSFER_NO_LOCATION', 'PV1-3 is empty: no bed change recorded');
      return enc;
    }
    if (enc?.status === 'finished' || enc?.status === 'cancelled') {
      const code =
        enc.status === 'finished' ? 'TRANSFER_DISCHARGED_ENCOUNTER' : 'TRANSFER_CANCELLED_ENCOUNTER';
      flag(env, code, `encounter ${enc.id} is ${enc.status}: transfer not applied`);
      return enc;
    }
    if (!enc)
      flag(
        env,
        'TRANSFER_UNKNOWN_ENCOUNTER',
        'no admission known for PV1-19: encounter created at the new location',
      );
    else if (enc.status !== 'in-progress')
      flag(env, 'TRANSFER_NOT_ADMITTED', `encounter ${enc.id} was ${enc.status}`);
    const row = enc ?? (await created(env, patientId, 'in-progress'));
    await setStatus(env, row.id, 'in-progress');
    await move(env, row);
    return row;
  },

  async discharge(env, enc, patientId) {
    if (!enc) {
      flag(
        env,
        'DISCHARGE_UNKNOWN_ENCOUNTER',
        'no admission known for PV1-19: encounter recorded as finished, no bed',
      );
      const row = await created(env, patientId, 'finished');
      await dischargeTime(env, row.id);
      return row;
    }
    if (enc.status === 'finished' || enc.status === 'cancelled') {
      const code =
        enc.status === 'finished' ? 'DISCHARGE_ALREADY_DISCHARGED' : 'DISCHARGE_CANCELLED_ENCOUNTER';
      flag(env, code, `encounter ${enc.id} is ${enc.status}: discharge not applied`);
      return enc;
    }
    const active = await activeAssignment(env.tx, enc.id);
    if (active) await endAssignment(env, active.id, 'closed');
    await setStatus(env, enc.id, 'finished');
    await dischargeTime(env, enc.id);
    return enc;
  },

  async 'cancel-admit'(env, enc) {
    if (!enc) {
      flag(env, 'CANCEL_ADMIT_UNKNOWN_ENCOUNTER', 'no admission known for PV1-19: nothing to cancel');
      return null;
    }
    if (enc.status === 'finished' || enc.status === 'cancelled') {
      const code = enc.status === 'finished' ? 'CANCEL_ADMIT_DISCHARGED' : 'CANCEL_ADMIT_ALREADY_CANCELLED';
      flag(env, code, `encounter ${enc.id} is ${enc.status}: cancel not applied`);
      return enc;
    }
    // The admission never happened: every stay of the encounter still standing is cancelled.
    const { rows } = await env.tx.query<{ id: string }>(
      `SELECT id::text AS id FROM hms_bed_assignments WHERE encounter_id = $1 AND status <> 'cancelled' ORDER BY id`,
      [enc.id],
    );
    for (const r of rows) await endAssignment(env, r.id, 'cancelled');
    await setStatus(env, enc.id, 'cancelled');
    return enc;
  },

  async 'cancel-transfer'(env, enc) {
    if (!enc) {
      flag(env, 'CANCEL_TRANSFER_UNKNOWN_ENCOUNTER', 'no admission known for PV1-19: nothing to cancel');
      return null;
    }
    const active = enc.status === 'in-progress' ? await activeAssignment(env.tx, enc.id) : null;
    const previous = active?.previous_id ?? null;
    if (!active || active.event !== 'A02' || previous === null) {
      flag(
        env,
        'CANCEL_TRANSFER_NOTHING_TO_CANCEL',
        `encounter ${enc.id} (${enc.status}) has no open transfer`,
      );
      return enc;
    }
    await endAssignment(env, active.id, 'cancelled');
    await reopenAssignment(env, previous);
    const loc = env.encounter.location;
    const { rows } = await env.tx.query<AssignmentRow>(
      'SELECT id::text AS id, unit, room, bed, event, previous_id::text AS previous_id FROM hms_bed_assignments WHERE id = $1',
      [previous],
    );
    if (loc && rows[0] && !sameLocation(rows[0], loc)) {
      flag(
        env,
        'CANCEL_TRANSFER_LOCATION_MISMATCH',
        `PV1-3 differs from the bed encounter ${enc.id} returns to`,
      );
    }
    return enc;
  },

  async 'cancel-discharge'(env, enc) {
    if (!enc) {
      flag(env, 'CANCEL_DISCHARGE_UNKNOWN_ENCOUNTER', 'no admission known for PV1-19: nothing to cancel');
      return null;
    }
    if (enc.status !== 'finished') {
      flag(env, 'CANCEL_DISCHARGE_NOT_DISCHARGED', `encounter ${enc.id} is ${enc.status}: nothing to cancel`);
      return enc;
    }
    const { rows } = await env.tx.query<{ id: string }>(
      `SELECT id::text AS id FROM hms_bed_assignments WHERE encounter_id = $1 AND status = 'closed' AND ended_by = 'A03'
       ORDER BY to_at DESC, id DESC LIMIT 1`,
      [enc.id],
    );
    if (rows[0]) await reopenAssignment(env, rows[0].id);
    await setStatus(env, enc.id, 'in-progress');
    await env.tx.query('UPDATE hms_encounters SET discharged_at = NULL WHERE id = $1', [enc.id]);
    return enc;
  },

  async update(env, enc, patientId) {
    if (!enc) {
      flag(
        env,
        'UPDATE_UNKNOWN_ENCOUNTER',
        'no encounter known for PV1-19: recorded with status unknown, no bed',
      );
      return created(env, patientId, 'unknown');
    }
    const loc = env.encounter.location;
    const active = loc ? await activeAssignment(env.tx, enc.id) : null;
    if (loc && active && !sameLocation(active, loc)) {
      flag(
        env,
        'UPDATE_LOCATION_MISMATCH',
        `PV1-3 differs from encounter ${enc.id}'s bed: bed not changed (A02 moves)`,
      );
    }
    return enc;
  },

  async 'change-class'(env, enc, patientId) {
    if (enc?.status === 'finished' || enc?.status === 'cancelled') {
      flag(env, 'CHANGE_CLASS_ENDED_ENCOUNTER', `encounter ${enc.id} is ${enc.status}: bed not changed`);
      return enc;
    }
    if (!enc) flag(env, 'CHANGE_CLASS_UNKNOWN_ENCOUNTER', 'no encounter known for PV1-19: encounter created');
    const row = enc ?? (await created(env, patientId, 'in-progress'));
    await setStatus(env, row.id, 'in-progress');
    await move(env, row);
    return row;
  },
};

async function dischargeTime(env: EventEnv, id: string): Promise<void> {
  await env.tx.query(
    at(`UPDATE hms_encounters SET discharged_at = COALESCE($2::timestamptz, ${T}) WHERE id = $1`, 3),
    [id, env.encounter.dischargedAt, env.eventAt],
  );
}

async function findEncounter(tx: SqlQueryable, e: PlannedEncounter): Promise<EncounterRow | null> {
  const { rows } = await tx.query<EncounterRow>(
    `SELECT id::text AS id, patient_id::text AS patient_id, status FROM hms_encounters
     WHERE visit_system = $1 AND visit_number = $2 FOR UPDATE`,
    [e.visitSystem, e.visitNumber],
  );
  return rows[0] ?? null;
}

/** The encounter's id for ORM/ORU: linked when known, never created. */
export async function knownEncounterId(tx: SqlQueryable, e: PlannedEncounter | null): Promise<string | null> {
  if (!e) return null;
  const { rows } = await tx.query<{ id: string }>(
    'SELECT id::text AS id FROM hms_encounters WHERE visit_system = $1 AND visit_number = $2',
    [e.visitSystem, e.visitNumber],
  );
  return rows[0]?.id ?? null;
}

async function isResend(env: EventEnv, encounterId: string): Promise<boolean> {
  if (env.eventAt === null) return false;
  const { rows } = await env.tx.query(
    `SELECT 1 FROM hms_encounter_events WHERE encounter_id = $1 AND trigger_event = $2 AND event_at = $3::timestamptz
       AND outcome <> 'duplicate'`,
    [encounterId, env.trigger, env.eventAt],
  );
  return rows.length > 0;
}

/** Summary columns: class, admit time, and the current bed mirrored from the open assignment. */
async function refreshSummary(env: EventEnv, id: string): Promise<void> {
  const e = env.encounter;
  const active = await activeAssignment(env.tx, id);
  const admitFallback = env.trigger === 'A01' ? `, ${T}` : '';
  await env.tx.query(
    at(
      `UPDATE hms_encounters SET class = COALESCE($2, class),
         admitted_at = COALESCE($3::timestamptz, admitted_at${admitFallback}),
         unit = $4, room = $5, bed = $6, updated_at = now(), last_message_id = $7
       WHERE id = $1`,
      8,
    ),
    [
      id,
      e.patientClass,
      e.admittedAt,
      active?.unit ?? null,
      active?.room ?? null,
      active?.bed ?? null,
      env.messageId,
      ...(admitFallback === '' ? [] : [env.eventAt]),
    ],
  );
}

export interface EncounterResult {
  readonly encounterId: string | null;
  readonly bedAssignments: number;
}

/** Applies one ADT event to the encounter named by PV1-19, for the patient already applied. */
export async function applyEncounterEvent(
  base: ApplyEnv,
  trigger: string,
  event: AdtEvent,
  encounter: PlannedEncounter,
  patientId: string,
): Promise<EncounterResult> {
  const env: EventEnv = { ...base, trigger, encounter, opened: 0 };
  const found = await findEncounter(env.tx, encounter);
  if (found && found.patient_id !== patientId) {
    flag(
      env,
      'ENCOUNTER_PATIENT_MISMATCH',
      `encounter ${found.id} belongs to patient ${found.patient_id}, PID names ${patientId}`,
    );
  }
  const flagsBefore = env.flags.length;
  let row: EncounterRow | null;
  let outcome: 'applied' | 'flagged' | 'duplicate';
  if (found && (await isResend(env, found.id))) {
    row = found;
    outcome = 'duplicate';
  } else {
    row = await HANDLERS[event](env, found, patientId);
    outcome = env.flags.length > flagsBefore ? 'flagged' : 'applied';
  }
  if (!row) return { encounterId: null, bedAssignments: 0 };
  await refreshSummary(env, row.id);
  await env.tx.query(
    at(
      `INSERT INTO hms_encounter_events (encounter_id, trigger_event, event_at, outcome, message_id)
       VALUES ($1, $2, ${T}, $3, $4)`,
      5,
    ),
    [row.id, trigger, outcome, env.messageId, env.eventAt],
  );
  return { encounterId: row.id, bedAssignments: env.opened };
}
