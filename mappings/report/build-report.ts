/**
 * The conformance report (`switchboard mappings report <folder>`): every message of every file is
 * parsed, mapped with the mapping its channel would use (with the channel's options and overrides),
 * validated, and its data compared with what the mapping read. Counts per message type, per
 * event and overall; "lost" lists the elements with data that no mapping read, with the number of
 * messages in which each occurs. No PHI: paths, codes and counts only (quoted values are elided).
 */
import type { FhirBundle } from '../../engine/fhir/types.ts';
import { splitBatch } from '../../engine/hl7/batch.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { readMappingOptions, type MappingOptions } from '../options.ts';
import { applyCodeTables } from '../overrides/apply-code-tables.ts';
import { applyOverrides } from '../overrides/apply-overrides.ts';
import type { Mapping } from '../types.ts';
import { lostElements, type LostElement, type LostKind } from './lost-data.ts';
import { contentUnits } from './message-content.ts';
import { ReadLog } from './read-log.ts';
import { recordingMessage } from './recording-message.ts';

export interface MappingChoice {
  /** The channel whose mapping this is (for the report's header). */
  readonly channelId: string;
  readonly mapping: Mapping;
  readonly options: Readonly<Record<string, unknown>>;
}

/** The mapping a message of this type would go through, or null when no channel maps it. */
export type ChooseMapping = (messageType: string, triggerEvent: string) => MappingChoice | null;

/** Validation errors of a mapped Bundle: where (FHIRPath-like) and what. */
export type ValidateBundle = (bundle: FhirBundle) => readonly { path: string; message: string }[];

export interface SourceFile {
  readonly file: string;
  readonly bytes: Buffer;
}

export interface Counted {
  readonly text: string;
  readonly count: number;
}

export interface LostCount {
  readonly kind: LostKind;
  readonly path: string;
  /** Messages of this group in which the element had data that no mapping read. */
  readonly messages: number;
}

export interface GroupStats {
  /** `mapping (channel)` names used for this group; empty when none maps it. */
  readonly mappings: readonly string[];
  readonly messages: number;
  readonly parsed: number;
  /** The mapping ran and produced at least one entry. */
  readonly mapped: number;
  /** The mapping ran and produced an empty transaction (a trigger it does not map). */
  readonly empty: number;
  /** The mapping threw. */
  readonly failed: number;
  /** Mapped with zero validation errors. */
  readonly valid: number;
  readonly validationErrors: number;
  readonly topValidationErrors: readonly Counted[];
  readonly topWarnings: readonly Counted[];
  readonly failures: readonly Counted[];
  readonly lost: readonly LostCount[];
}

export interface MappingReport {
  readonly files: number;
  readonly byType: Readonly<Record<string, GroupStats>>;
  readonly byEvent: Readonly<Record<string, GroupStats>>;
  readonly overall: GroupStats;
}

const UNPARSEABLE = '(unparseable)';
const TOP = 10;

/** Values may be quoted in validator and error texts: drop them (PHI rule), keep the shape. */
export const elideQuoted = (text: string): string => text.replace(/"[^"]*"/g, '"…"');

interface Outcome {
  readonly type: string;
  readonly event: string;
  readonly parsed: boolean;
  readonly mapping: string | null;
  readonly result: 'mapped' | 'empty' | 'failed' | 'none';
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly failure: string | null;
  readonly lost: readonly LostElement[];
}

class Group {
  readonly mappings = new Set<string>();
  messages = 0;
  parsed = 0;
  mapped = 0;
  empty = 0;
  failed = 0;
  valid = 0;
  validationErrors = 0;
  readonly errorTexts = new Map<string, number>();
  readonly warningTexts = new Map<string, number>();
  readonly failureTexts = new Map<string, number>();
  readonly lost = new Map<string, { kind: LostKind; path: string; messages: number }>();

  add(o: Outcome): void {
    this.messages++;
    if (o.parsed) this.parsed++;
    if (o.mapping !== null) this.mappings.add(o.mapping);
    if (o.result === 'mapped') this.mapped++;
    if (o.result === 'empty') this.empty++;
    if (o.result === 'failed') this.failed++;
    if (o.result === 'mapped' && o.errors.length === 0) this.valid++;
    this.validationErrors += o.errors.length;
    bump(this.errorTexts, o.errors);
    bump(this.warningTexts, [...new Set(o.warnings)]);
    if (o.failure !== null) bump(this.failureTexts, [o.failure]);
    for (const l of o.lost) {
      const key = `${l.kind}:${l.path}`;
      const seen = this.lost.get(key);
      if (seen === undefined) this.lost.set(key, { ...l, messages: 1 });
      else seen.messages++;
    }
  }

  stats(): GroupStats {
    const order = { segment: 0, field: 1, component: 2 } as const;
    return {
      mappings: [...this.mappings].sort(),
      messages: this.messages,
      parsed: this.parsed,
      mapped: this.mapped,
      empty: this.empty,
      failed: this.failed,
      valid: this.valid,
      validationErrors: this.validationErrors,
      topValidationErrors: top(this.errorTexts),
      topWarnings: top(this.warningTexts),
      failures: top(this.failureTexts),
      lost: [...this.lost.values()].sort(
        (a, b) =>
          order[a.kind] - order[b.kind] ||
          b.messages - a.messages ||
          a.path.localeCompare(b.path, 'en', { numeric: true }),
      ),
    };
  }
}

function bump(map: Map<string, number>, texts: readonly string[]): void {
  for (const t of texts) map.set(t, (map.get(t) ?? 0) + 1);
}

function top(map: Map<string, number>): Counted[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP)
    .map(([text, count]) => ({ text, count }));
}

function mapOne(
  message: Hl7Message,
  choice: MappingChoice,
  options: MappingOptions,
  messageId: string,
  validate: ValidateBundle,
): Omit<Outcome, 'type' | 'event' | 'parsed' | 'mapping'> {
  const source = applyCodeTables(message, options.overrides);
  const log = new ReadLog();
  const recorded = recordingMessage(source, log);
  let bundle: FhirBundle;
  let warnings: string[];
  try {
    const ctx = { messageId, options: choice.options, identifierSystems: options.identifierSystems };
    const mapped = choice.mapping.map(recorded, ctx);
    const extended = applyOverrides(mapped.bundle, recorded, options.overrides);
    bundle = extended.bundle;
    warnings = [...mapped.warnings, ...extended.warnings];
  } catch (err) {
    const failure = elideQuoted(err instanceof Error ? err.message : String(err));
    return { result: 'failed', errors: [], warnings: [], failure, lost: [] };
  }
  const lost = lostElements(contentUnits(source), log);
  if ((bundle.entry ?? []).length === 0)
    return { result: 'empty', errors: [], warnings, failure: null, lost };
  const errors = validate(bundle).map((i) => elideQuoted(`${i.path}: ${i.message}`));
  return { result: 'mapped', errors, warnings, failure: null, lost };
}

export function buildMappingReport(
  files: readonly SourceFile[],
  choose: ChooseMapping,
  validate: ValidateBundle,
): MappingReport {
  const byType = new Map<string, Group>();
  const byEvent = new Map<string, Group>();
  const overall = new Group();
  const optionsOf = new Map<MappingChoice, MappingOptions>();
  const add = (o: Outcome): void => {
    const event = o.event === '' ? o.type : `${o.type}^${o.event}`;
    for (const [map, key] of [
      [byType, o.type],
      [byEvent, event],
    ] as const) {
      let group = map.get(key);
      if (group === undefined) map.set(key, (group = new Group()));
      group.add(o);
    }
    overall.add(o);
  };
  const unparsed = (): Outcome => ({
    type: UNPARSEABLE,
    event: '',
    parsed: false,
    mapping: null,
    result: 'none',
    errors: [],
    warnings: [],
    failure: null,
    lost: [],
  });
  for (const { file, bytes } of files) {
    let messages: Buffer[];
    try {
      messages = splitBatch(bytes).messages;
    } catch {
      add(unparsed());
      continue;
    }
    messages.forEach((raw, i) => {
      let message: Hl7Message;
      try {
        message = Hl7Message.parse(raw);
      } catch {
        add(unparsed());
        return;
      }
      const { messageType: type, triggerEvent: event } = message.header;
      const base = { type, event, parsed: true };
      const choice = choose(type, event);
      if (choice === null) {
        add({ ...base, mapping: null, result: 'none', errors: [], warnings: [], failure: null, lost: [] });
        return;
      }
      let options = optionsOf.get(choice);
      if (options === undefined) optionsOf.set(choice, (options = readMappingOptions(choice.options)));
      const outcome = mapOne(message, choice, options, `${file}#${i + 1}`, validate);
      add({ ...base, mapping: `${choice.mapping.name} (${choice.channelId})`, ...outcome });
    });
  }
  const record = (map: Map<string, Group>): Record<string, GroupStats> =>
    Object.fromEntries(
      [...map.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, g]) => [k, g.stats()]),
    );
  return { files: files.length, byType: record(byType), byEvent: record(byEvent), overall: overall.stats() };
}
