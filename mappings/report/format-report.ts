/** The conformance report as text for a terminal: a table of counts, then what is lost per type. */
import type { GroupStats, LostCount, MappingReport } from './build-report.ts';

export interface FormatOptions {
  /** Also a row per message type and trigger event. */
  readonly byEvent: boolean;
  /** At most this many lost elements of each kind per type (0: all). */
  readonly limit: number;
}

const COLUMNS = ['messages', 'parsed', 'mapped', 'empty', 'failed', 'valid', 'errors'] as const;

function row(label: string, g: GroupStats): string[] {
  const mapping = g.mappings.length === 0 ? '(none)' : g.mappings.join(', ');
  const n = [g.messages, g.parsed, g.mapped, g.empty, g.failed, g.valid, g.validationErrors];
  return [label, mapping, ...n.map(String)];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
    .join('\n');
}

function lostLines(kind: LostCount['kind'], lost: readonly LostCount[], limit: number): string[] {
  const items = lost.filter((l) => l.kind === kind);
  if (items.length === 0) return [];
  const shown = limit > 0 ? items.slice(0, limit) : items;
  const more = items.length - shown.length;
  const list = shown.map((l) => `${l.path} (${l.messages})`).join(', ');
  return [`  ${`${kind}s:`.padEnd(12)}${list}${more > 0 ? `, … ${more} more (--limit 0 for all)` : ''}`];
}

export function formatMappingReport(report: MappingReport, opts: FormatOptions): string {
  const header = ['type', 'mapping', ...COLUMNS];
  const rows = [header, ...Object.entries(report.byType).map(([type, g]) => row(type, g))];
  if (opts.byEvent) {
    for (const [event, g] of Object.entries(report.byEvent))
      if (event.includes('^')) rows.push(row(`  ${event}`, g));
  }
  rows.push(row('all', report.overall));
  const out = [
    `${report.overall.messages} message(s) in ${report.files} file(s)`,
    '',
    table(rows),
    '',
    'mapped: the mapping gave entries; empty: an empty transaction (event not mapped);',
    'valid: mapped with zero FHIR validation errors; errors: validation errors in all.',
    '',
    'What is lost: data that no mapping read (messages in which it occurs)',
  ];
  for (const [type, g] of Object.entries(report.byType)) {
    if (g.mappings.length === 0) continue;
    out.push(`${type} (${g.mappings.join(', ')}, ${g.messages} message(s))`);
    const lines = (['segment', 'field', 'component'] as const).flatMap((k) =>
      lostLines(k, g.lost, opts.limit),
    );
    out.push(...(lines.length > 0 ? lines : ['  nothing']));
    for (const e of g.topValidationErrors) out.push(`  validation: ${e.text} (${e.count})`);
    for (const f of g.failures) out.push(`  failed: ${f.text} (${f.count})`);
  }
  const unmapped = Object.entries(report.byType).filter(([, g]) => g.mappings.length === 0);
  if (unmapped.length > 0) {
    out.push('', `No channel maps: ${unmapped.map(([t, g]) => `${t} (${g.messages})`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}
