/**
 * Local code tables, applied before the standard mapping: a copy of the message in which every
 * local code listed for an element is replaced by its standard code (and, for a CWE identifier,
 * its coding system name and text), so the standard mapping then maps a standard code. The
 * source message is never changed (it is shared by every channel that takes it).
 */
import { Hl7Message } from '../../engine/hl7/message.ts';
import { formatHl7Path } from '../../engine/hl7/path.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { clean } from '../datatypes/value.ts';
import type { CodeTable, MappingOverrides } from './read-overrides.ts';

function at(base: Hl7Path, occurrence: number, repetition: number, component: number): Hl7Path {
  const parts = { segment: base.segment, occurrence, field: base.field, repetition, component };
  return { ...parts, text: formatHl7Path(parts) };
}

/** The paths of one table's element in every occurrence and repetition it names (all when unnamed). */
function targets(message: Hl7Message, table: CodeTable): Hl7Path[] {
  const { path } = table;
  const component = path.component ?? 1;
  const occurrences =
    path.occurrence !== undefined
      ? [path.occurrence]
      : Array.from({ length: message.segmentCount(path.segment) }, (_, i) => i + 1);
  const out: Hl7Path[] = [];
  for (const occurrence of occurrences) {
    const field = { segment: path.segment, occurrence, field: path.field };
    const count = message.getAll({ ...field, text: formatHl7Path(field) }).length;
    const repetitions =
      path.repetition !== undefined ? [path.repetition] : Array.from({ length: count }, (_, i) => i + 1);
    for (const repetition of repetitions) out.push(at(path, occurrence, repetition, component));
  }
  return out;
}

/** `message` itself when no table applies to it; otherwise a re-parsed copy with the codes replaced. */
export function applyCodeTables(message: Hl7Message, overrides: MappingOverrides): Hl7Message {
  if (overrides.codeTables.length === 0) return message;
  let copy: Hl7Message | null = null;
  for (const table of overrides.codeTables) {
    for (const target of targets(message, table)) {
      const replacement = table.codes.get(clean(message.get(target)));
      if (replacement === undefined) continue;
      copy ??= Hl7Message.parse(message.toString(), { charset: message.charset });
      const component = target.component ?? 1;
      copy.set(target, replacement.code);
      if (replacement.display !== undefined) {
        copy.set(
          at(target, target.occurrence ?? 1, target.repetition ?? 1, component + 1),
          replacement.display,
        );
      }
      if (replacement.system !== undefined) {
        copy.set(
          at(target, target.occurrence ?? 1, target.repetition ?? 1, component + 2),
          replacement.system,
        );
      }
    }
  }
  return copy ?? message;
}
