/**
 * The bed board: per unit (PV1-3.1), the beds occupied now (open assignments, with encounter and
 * patient ids) and the beds free (seen in the unit's assignment history, occupied by nobody now).
 * A bed is unit + room + bed; assignments without a bed (PL.3 empty) are not beds and not listed.
 */
import type { SqlQueryable } from '../db/sql.ts';

export interface OccupiedBed {
  readonly room: string | null;
  readonly bed: string;
  readonly encounterId: string;
  readonly patientId: string;
  /** ISO 8601: when this stay began. */
  readonly since: string;
}

export interface FreeBed {
  readonly room: string | null;
  readonly bed: string;
}

export interface UnitBoard {
  readonly unit: string;
  readonly occupied: readonly OccupiedBed[];
  readonly free: readonly FreeBed[];
}

const bedKey = (room: string | null, bed: string): string => `${room ?? ''}\u0000${bed}`;
const byBed = (a: FreeBed, b: FreeBed): number =>
  (a.room ?? '').localeCompare(b.room ?? '') || a.bed.localeCompare(b.bed);

/** The whole board, or one unit's; units and beds in a stable order (unit, room, bed). */
export async function bedBoard(db: SqlQueryable, unit?: string): Promise<UnitBoard[]> {
  const unitFilter = unit === undefined ? '' : 'AND a.unit = $1';
  const params = unit === undefined ? [] : [unit];
  const occupied = await db.query<{
    unit: string;
    room: string | null;
    bed: string;
    encounter_id: string;
    patient_id: string;
    from_at: Date | string;
  }>(
    `SELECT a.unit, a.room, a.bed, a.encounter_id::text AS encounter_id, e.patient_id::text AS patient_id, a.from_at
     FROM hms_bed_assignments a JOIN hms_encounters e ON e.id = a.encounter_id
     WHERE a.status = 'active' AND a.bed IS NOT NULL ${unitFilter}
     ORDER BY a.unit, a.room, a.bed, a.id`,
    params,
  );
  const seen = await db.query<{ unit: string; room: string | null; bed: string }>(
    `SELECT DISTINCT a.unit, a.room, a.bed FROM hms_bed_assignments a WHERE a.bed IS NOT NULL ${unitFilter}`,
    params,
  );
  const units = new Map<string, { occupied: OccupiedBed[]; taken: Set<string>; free: FreeBed[] }>();
  const unitOf = (name: string) => {
    let u = units.get(name);
    if (!u) units.set(name, (u = { occupied: [], taken: new Set(), free: [] }));
    return u;
  };
  for (const r of occupied.rows) {
    const u = unitOf(r.unit);
    u.occupied.push({
      room: r.room,
      bed: r.bed,
      encounterId: r.encounter_id,
      patientId: r.patient_id,
      since: new Date(r.from_at).toISOString(),
    });
    u.taken.add(bedKey(r.room, r.bed));
  }
  for (const r of seen.rows) {
    const u = unitOf(r.unit);
    if (!u.taken.has(bedKey(r.room, r.bed))) u.free.push({ room: r.room, bed: r.bed });
  }
  return [...units.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, u]) => ({ unit: name, occupied: u.occupied, free: u.free.sort(byBed) }));
}
