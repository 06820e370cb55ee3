/**
 * Message search at scale: fills the message store with BENCH_SEARCH_ROWS messages (default 1,000,000)
 * and times the searches of GET /api/messages through the same MessageSearch code the route uses.
 *
 * The fill is plain SQL (INSERT .. SELECT over generate_series, 50,000 rows a statement, indexes in
 * place), not the ingest path: the point is the read side at a million rows. The rows are realistic in
 * shape: HL7 v2 text of 300-900 bytes (ADT 55 %, ORU 30 %, ORM 10 %, SIU 3 %, MDM 2 %), statuses
 * processed 94 %, filtered 3 %, error 1 %, rejected 1 %, duplicate 0.9 %, received 0.1 %, about
 * 100,000 distinct patients (a fifth with a second, national identifier), unique control ids, 30 days of
 * receive times, one channel result per processed/filtered/error message. VACUUM ANALYZE after the fill
 * (what autovacuum does on a live store).
 *
 * Each search runs BENCH_SEARCH_REPS times (default 50) with random keys; p50/p95/max in ms. The plan of
 * each kind of search (EXPLAIN of the exact statement) is recorded with the indexes it uses.
 *
 * Databases: PostgreSQL (TEST_DATABASE_URL, its own schema, dropped afterwards; skipped with a note when
 * unreachable) and PGlite on a temporary data folder (BENCH_SEARCH_PGLITE=0 skips it).
 * Run: node --import tsx bench/message-search.bench.ts    Results: bench/results/message-search.json
 * About 2 minutes for both databases at 1M rows on the project's 2-core machine (fill 25 s on
 * PostgreSQL, 40 s on PGlite), so it is part of run-all.ts. Needs ~1.5 GB of disk while it runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../engine/db/open.ts';
import type { SqlClient } from '../engine/db/sql.ts';
import {
  MessageSearch,
  searchStatement,
  type MessageSearchFilter,
  type SearchPageRequest,
} from '../engine/store/message-search.ts';
import { TEST_DATABASE_URL, postgresDatabase, postgresReachable } from '../test/support/databases.ts';

const RESULT_FILE = path.join(import.meta.dirname, 'results/message-search.json');
const CHUNK = 50_000;
const PATIENTS = 100_000;
const DAYS = 30;
const FAMILIES = [
  'SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'GARCIA', 'MILLER', 'DAVIS', 'RODRIGUEZ', 'MARTINEZ',
  'HERNANDEZ', 'LOPEZ', 'GONZALEZ', 'WILSON', 'ANDERSON', 'THOMAS', 'TAYLOR', 'MOORE', 'JACKSON', 'MARTIN',
  'LEE', 'PEREZ', 'THOMPSON', 'WHITE', 'HARRIS', 'SANCHEZ', 'CLARK', 'RAMIREZ', 'LEWIS', 'ROBINSON',
  'WALKER', 'YOUNG', 'ALLEN', 'KING', 'WRIGHT', 'SCOTT', 'TORRES', 'NGUYEN', 'HILL', 'FLORES',
  'GREEN', 'ADAMS', 'NELSON', 'BAKER', 'HALL', 'RIVERA', 'CAMPBELL', 'MITCHELL', 'CARTER', 'ROBERTS',
]; // prettier-ignore
const GIVEN = ['ANN', 'BOB', 'CARL', 'DORA', 'EVE', 'FRED', 'GINA', 'HANS', 'IDA', 'JON'];

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const sqlArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]`;

/**
 * One chunk of messages, ids g in [$1, $2]. h1..h3 are independent hashes of g (0 .. 2^32-1): h1 picks
 * the type, h2 the patient, h3 the status and listener. received_at advances with g across DAYS days
 * ending at $3.
 */
function fillMessagesSql(rows: number): string {
  const stepMs = (DAYS * 86_400_000) / rows;
  return `INSERT INTO messages (id, received_at, listener, remote_address, raw, sending_application,
    sending_facility, receiving_application, receiving_facility, message_type, trigger_event, control_id,
    version, partition_key, status, ack_code, ack, error, processing_runs, status_changed_at, patient_ids)
  SELECT g, at, listener, '10.1.' || (h3 % 40) || '.' || (h1 % 250), convert_to(raw, 'UTF8'), app, 'MCM',
    'SWITCHBOARD', 'HOSP', mt, te, 'CTL' || g, '2.5.1', 'MCM|' || pid, status,
    CASE status WHEN 'rejected' THEN 'AR' ELSE 'AA' END,
    convert_to('MSH|^~\\&|SWITCHBOARD|HOSP|' || app || '|MCM|' || ts || '||ACK^' || te || '|A' || g
      || '|P|2.5.1' || chr(13) || 'MSA|' || CASE status WHEN 'rejected' THEN 'AR' ELSE 'AA' END || '|CTL' || g
      || chr(13), 'UTF8'),
    CASE status WHEN 'rejected' THEN 'HL7_UNSUPPORTED_EVENT: no channel accepts it' WHEN 'error'
      THEN 'mapping failed' END,
    1, at,
    ARRAY[pid, pid || chr(31) || 'MCM']
      || CASE WHEN h2 % 5 = 0 THEN ARRAY[nat, nat || chr(31) || 'SSA'] ELSE '{}'::text[] END
  FROM (
    SELECT *, to_char(at, 'YYYYMMDDHH24MISS') AS ts,
      'MSH|^~\\&|' || app || '|MCM|SWITCHBOARD|HOSP|' || to_char(at, 'YYYYMMDDHH24MISS') || '||' || mt || '^'
        || te || '|CTL' || g || '|P|2.5.1' || chr(13)
      || 'EVN|' || te || '|' || to_char(at, 'YYYYMMDDHH24MISS') || chr(13)
      || 'PID|1||' || pid || '^^^MCM^MR' || CASE WHEN h2 % 5 = 0 THEN '~' || nat || '^^^SSA^SS' ELSE '' END
        || '||' || family || '^' || given || '^Q||19' || lpad(((h2 % 90) + 10)::text, 2, '0') || '0'
        || ((h2 % 9) + 1) || '1' || (h2 % 3) || '|' || CASE WHEN h2 % 2 = 0 THEN 'F' ELSE 'M' END
        || '|||' || (h2 % 999) || ' MAIN ST^^ANYTOWN^CA^9' || lpad((h2 % 10000)::text, 4, '0')
        || '||^PRN^PH^^^555^' || lpad((h2 % 10000000)::text, 7, '0') || chr(13)
      || 'PV1|1|I|W' || (h1 % 9) || '^' || (h1 % 40) || '^1^MCM||||' || (h1 % 900) || '^ATTEND^ANNE|||MED||||ADM|||||V'
        || g || chr(13)
      || CASE WHEN mt = 'ORU' THEN
           'OBR|1||ORD' || g || '|CBC^Blood count' || chr(13)
           || 'OBX|1|NM|718-7^Hemoglobin^LN||' || (h1 % 80 + 100) / 10.0 || '|g/dL|12-16||||F' || chr(13)
           || 'OBX|2|NM|6690-2^Leukocytes^LN||' || (h1 % 90 + 30) / 10.0 || '|10*3/uL|4-11||||F' || chr(13)
           || 'OBX|3|NM|777-3^Platelets^LN||' || (h1 % 300 + 100) || '|10*3/uL|150-400||||F' || chr(13)
           || 'OBX|4|NM|789-8^Erythrocytes^LN||' || (h1 % 20 + 35) / 10.0 || '|10*6/uL|4.2-5.4||||F' || chr(13)
         WHEN mt = 'ORM' THEN
           'ORC|NW|ORD' || g || '|||||^^^' || to_char(at, 'YYYYMMDDHH24MISS') || chr(13)
           || 'OBR|1|ORD' || g || '||CBC^Blood count' || chr(13)
         ELSE '' END AS raw
    FROM (
      SELECT *,
        'P' || lpad((h2 % ${PATIENTS})::text, 6, '0') AS pid,
        'N' || lpad(((h2 % ${PATIENTS}) * 7 + 3)::text, 7, '0') AS nat,
        (${sqlArray(FAMILIES)})[1 + (h2 / 7) % ${FAMILIES.length}] AS family,
        (${sqlArray(GIVEN)})[1 + (h2 / 11) % ${GIVEN.length}] AS given,
        CASE WHEN h1 % 1000 < 550 THEN 'ADT' WHEN h1 % 1000 < 850 THEN 'ORU' WHEN h1 % 1000 < 950 THEN 'ORM'
          WHEN h1 % 1000 < 980 THEN 'SIU' ELSE 'MDM' END AS mt,
        CASE WHEN h1 % 1000 < 550 THEN (ARRAY['A01','A02','A03','A04','A08','A08','A08','A03','A01','A11'])[1 + (h1 / 1000) % 10]
          WHEN h1 % 1000 < 850 THEN 'R01' WHEN h1 % 1000 < 950 THEN 'O01' WHEN h1 % 1000 < 980 THEN 'S12'
          ELSE 'T02' END AS te,
        CASE WHEN h1 % 1000 < 850 THEN 'REGADT' ELSE 'LAB' END AS app,
        CASE WHEN h3 % 1000 < 940 THEN 'processed' WHEN h3 % 1000 < 970 THEN 'filtered'
          WHEN h3 % 1000 < 980 THEN 'error' WHEN h3 % 1000 < 990 THEN 'rejected'
          WHEN h3 % 1000 < 999 THEN 'duplicate' ELSE 'received' END AS status,
        CASE WHEN (h3 / 1000) % 100 < 90 THEN 'mllp:2575' WHEN (h3 / 1000) % 100 < 98 THEN 'mllp:2576'
          ELSE 'http:adt' END AS listener,
        $3::timestamptz - interval '${DAYS} days' + (g::float8 * ${stepMs}) * interval '1 millisecond' AS at
      FROM (
        SELECT g, hashint4(g)::bigint + 2147483648 AS h1, hashint4(g + 1000000007)::bigint + 2147483648 AS h2,
          hashint4(g + 2000000011)::bigint + 2147483648 AS h3
        FROM generate_series($1::int, $2::int) AS g
      ) hashes
    ) fields
  ) texts`;
}

/** Each processed/filtered/error message of the chunk: one result from the channel of its type. */
const FILL_RESULTS = `INSERT INTO channel_results (message_id, channel_id, run, status, error, detail, at)
  SELECT id, lower(message_type), 1,
    CASE status WHEN 'processed' THEN 'transformed' WHEN 'filtered' THEN 'filtered' ELSE 'error' END,
    CASE status WHEN 'error' THEN 'mapping failed' END, NULL, received_at
  FROM messages WHERE id BETWEEN $1 AND $2 AND status IN ('processed', 'filtered', 'error')`;

interface Stats {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly meanRows: number;
}

interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly reps?: number;
  readonly filter: (r: Random) => MessageSearchFilter;
  readonly page?: SearchPageRequest;
}

/** Deterministic keys, so two runs search for the same things. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed;
  }
  next(): number {
    // mulberry32
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }
}

function scenarios(rows: number, end: Date): Scenario[] {
  const start = end.getTime() - DAYS * 86_400_000;
  const hourWindow = (r: Random) => {
    const from = new Date(start + r.int(DAYS * 24 - 1) * 3_600_000);
    return { from, to: new Date(from.getTime() + 3_600_000) };
  };
  const patient = (r: Random) => `P${String(r.int(PATIENTS)).padStart(6, '0')}`;
  return [
    {
      name: 'controlId',
      description: 'control ID lookup (unique), first page',
      filter: (r) => ({ controlId: `CTL${1 + r.int(rows)}` }),
    },
    {
      name: 'patientId',
      description: 'patient identifier lookup (CX.1), first page (about 10 messages a patient)',
      filter: (r) => ({ patientId: patient(r) }),
    },
    {
      name: 'patientIdAuthority',
      description: 'patient identifier + assigning authority, first page',
      filter: (r) => ({ patientId: patient(r), authority: 'MCM' }),
    },
    {
      name: 'typeStatus',
      description:
        'type + trigger + status, newest first, first page of 50 (status and type drawn at random)',
      filter: (r) => ({
        messageType: 'ADT',
        triggerEvent: r.pick(['A01', 'A03', 'A08']),
        status: r.pick(['processed', 'error', 'filtered'] as const),
      }),
    },
    {
      name: 'typeStatusNextPage',
      description: 'type + status (error), third page via cursor',
      filter: () => ({ messageType: 'ORU', status: 'error' }),
    },
    {
      name: 'channel',
      description: 'channel filter (orm, 10 % of messages) + status error, first page',
      filter: () => ({ channel: 'orm', status: 'error' }),
    },
    {
      name: 'timeRangeHour',
      description: 'one-hour received_at window at a random point in 30 days, first page of 50',
      filter: (r) => hourWindow(r),
    },
    {
      name: 'timeRangeDay',
      description: 'one-day received_at window at a random point in 30 days, first page of 50',
      filter: (r) => {
        const from = new Date(start + r.int(DAYS - 1) * 86_400_000);
        return { from, to: new Date(from.getTime() + 86_400_000) };
      },
    },
    {
      name: 'timeRangeWeek',
      description: 'seven-day received_at window at a random point in 30 days, first page of 50',
      filter: (r) => {
        const from = new Date(start + r.int(DAYS - 7) * 86_400_000);
        return { from, to: new Date(from.getTime() + 7 * 86_400_000) };
      },
    },
    {
      name: 'timeBefore',
      description: 'received before a random point in 30 days (to only), first page of 50',
      filter: (r) => ({ to: new Date(start + (1 + r.int(DAYS - 1)) * 86_400_000) }),
    },
    {
      name: 'freeText',
      description: 'q = a family name (2 % of messages), no other filter, first page of 50',
      filter: (r) => ({ text: r.pick(FAMILIES).toLowerCase() }),
    },
    {
      name: 'freeTextInHour',
      description:
        'q = a rare string within a one-hour window: reads the window (about 1,400 messages at 1M)',
      filter: (r) => {
        const w = hourWindow(r);
        return { ...w, text: `CTL${1 + r.int(rows)}|` };
      },
    },
    {
      name: 'freeTextNoMatch',
      description: 'q matching nothing, no other filter: reads every message (the worst case)',
      reps: 3,
      filter: () => ({ text: 'no such text anywhere' }),
    },
  ];
}

function stats(samples: number[], rowCounts: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2));
  return {
    p50: at(0.5),
    p95: at(0.95),
    max: at(1),
    meanRows: Number((rowCounts.reduce((a, b) => a + b, 0) / rowCounts.length).toFixed(1)),
  };
}

/** Index names in an EXPLAIN, and whether it reads messages sequentially. */
async function planOf(db: SqlClient, filter: MessageSearchFilter, page: SearchPageRequest) {
  const statement = searchStatement(filter, page);
  if (statement === null) return { indexes: [], seqScanOfMessages: false, plan: [] as string[] };
  const { rows } = await db.query<Record<string, string>>(`EXPLAIN ${statement.sql}`, statement.params);
  const plan = rows.map((r) => Object.values(r)[0]!);
  const indexes = [
    ...new Set(
      plan.flatMap((l) =>
        [
          ...l.matchAll(
            /(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)/g,
          ),
        ].map((m) => m[1] ?? m[2]!),
      ),
    ),
  ];
  return { indexes, seqScanOfMessages: plan.some((l) => /Seq Scan on messages/.test(l)), plan };
}

export async function fill(db: SqlClient, rows: number, end: Date, label: string): Promise<number> {
  const t0 = performance.now();
  const sql = fillMessagesSql(rows);
  for (let first = 1; first <= rows; first += CHUNK) {
    const last = Math.min(rows, first + CHUNK - 1);
    await db.transaction(async (tx) => {
      await tx.query(sql, [first, last, end]);
      await tx.query(FILL_RESULTS, [first, last]);
    });
    if (last % 200_000 === 0 || last === rows) {
      process.stdout.write(`  ${label}: ${last} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  }
  await db.query(`SELECT setval('messages_id_seq', $1)`, [rows]);
  await db.exec('VACUUM ANALYZE messages');
  await db.exec('VACUUM ANALYZE channel_results');
  return (performance.now() - t0) / 1000;
}

async function measure(db: SqlClient, rows: number, end: Date, reps: number) {
  const search = new MessageSearch(db);
  const out: Record<string, unknown> = {};
  for (const s of scenarios(rows, end)) {
    const random = new Random(42);
    const n = s.reps ?? reps;
    const samples: number[] = [];
    const counts: number[] = [];
    let lastFilter: MessageSearchFilter = {};
    let lastPage: SearchPageRequest = {};
    // One unmeasured call warms the plan cache and the connection.
    await search.search(s.filter(new Random(7)), s.page);
    for (let i = 0; i < n; i++) {
      const filter = s.filter(random);
      let page: SearchPageRequest = s.page ?? {};
      if (s.name === 'typeStatusNextPage') {
        const p1 = await search.search(filter, { limit: 50 });
        const p2 = await search.search(filter, { limit: 50, cursor: p1.nextCursor });
        page = { limit: 50, cursor: p2.nextCursor };
      }
      const t = performance.now();
      const result = await search.search(filter, page);
      samples.push(performance.now() - t);
      counts.push(result.items.length);
      lastFilter = filter;
      lastPage = page;
    }
    const plan = await planOf(db, lastFilter, lastPage);
    const st = stats(samples, counts);
    out[s.name] = { description: s.description, reps: n, ms: st, plan };
    process.stdout.write(
      `    ${s.name.padEnd(20)} p50 ${String(st.p50).padStart(8)} ms  p95 ${String(st.p95).padStart(8)} ms  ` +
        `max ${String(st.max).padStart(8)} ms  rows ${st.meanRows}  [${plan.indexes.join(', ')}${plan.seqScanOfMessages ? ', SEQ SCAN' : ''}]\n`,
    );
  }
  return out;
}

async function sizes(db: SqlClient) {
  const { rows } = await db.query<{ name: string; mb: string }>(
    `SELECT c.relname AS name, round(pg_total_relation_size(c.oid) / 1048576.0, 1)::text AS mb
     FROM pg_class c WHERE c.relname IN ('messages', 'channel_results', 'messages_patient_ids_idx',
       'messages_type_idx', 'messages_status_idx', 'channel_results_channel_idx', 'messages_pkey',
       'messages_control_id_idx', 'messages_received_at_idx')
       AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
     ORDER BY c.relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.mb)]));
}

export async function run(): Promise<Record<string, unknown>> {
  const rows = envNumber('BENCH_SEARCH_ROWS', 1_000_000);
  const reps = envNumber('BENCH_SEARCH_REPS', 50);
  const end = new Date();
  const notes: string[] = [
    'fill: INSERT .. SELECT over generate_series in SQL (not the ingest path), indexes in place, then VACUUM ANALYZE',
  ];
  const databases: Record<string, unknown> = {};
  const targets: { name: string; open: () => Promise<{ db: SqlClient; close: () => Promise<void> }> }[] = [];
  if (await postgresReachable()) {
    targets.push({ name: 'postgres', open: () => postgresDatabase.open() });
  } else {
    notes.push(`PostgreSQL not reachable at ${TEST_DATABASE_URL}: skipped`);
  }
  if (process.env.BENCH_SEARCH_PGLITE !== '0') {
    targets.push({
      name: 'pglite-dir',
      async open() {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-search-bench-'));
        const db = await openDatabase({ databaseUrl: null, dataDir: dir });
        return {
          db,
          async close() {
            await db.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    });
  }
  for (const target of targets) {
    process.stdout.write(`${target.name}: filling ${rows} messages\n`);
    const handle = await target.open();
    try {
      const fillSeconds = await fill(handle.db, rows, end, target.name);
      const searches = await measure(handle.db, rows, end, reps);
      databases[target.name] = {
        fillSeconds: Number(fillSeconds.toFixed(1)),
        sizesMb: await sizes(handle.db),
        searches,
      };
    } finally {
      await handle.close();
    }
  }
  const report = {
    bench: 'message-search',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', node: process.version },
    settings: { rows, reps, patients: PATIENTS, days: DAYS, pageSize: 50 },
    notes,
    databases,
  };
  await mkdir(path.dirname(RESULT_FILE), { recursive: true });
  await writeFile(RESULT_FILE, JSON.stringify(report, null, 2) + '\n');
  return report;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
