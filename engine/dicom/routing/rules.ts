/**
 * DICOM channel rules, compiled once per load into plain predicates over what the C-STORE handler
 * already has (the calling AE, the query keys and the dataset as DICOM JSON): no I/O, no parsing, so
 * routing adds nothing measurable to the C-STORE answer.
 */
import { compilePattern } from '../../channels/filters.ts';
import type { DicomJsonDataset, DicomJsonValue } from '../dicom-json.ts';
import type { DicomRuleSpec } from './routing-types.ts';

export interface RoutingInput {
  /** The association's calling AE title, or STOW-RS for DICOMweb stores. */
  readonly callingAe: string;
  readonly modality: string | null;
  readonly sopClassUid: string;
  /** The top-level dataset, without bulk data. */
  readonly dataset: DicomJsonDataset;
}

export type RulePredicate = (input: RoutingInput) => boolean;

/** All of `rules` (an empty list matches every instance). */
export function compileRules(rules: readonly DicomRuleSpec[]): RulePredicate {
  const compiled = rules.map(compileRule);
  return (input) => compiled.every((p) => p(input));
}

function compileRule(rule: DicomRuleSpec): RulePredicate {
  switch (rule.kind) {
    case 'callingAe': {
      // AE titles are compared without their space padding (PS3.5 6.2, VR AE).
      const set = new Set(rule.values.map((v) => v.trim()));
      return (i) => set.has(i.callingAe.trim());
    }
    case 'modality': {
      const set = new Set(rule.values);
      return (i) => i.modality !== null && set.has(i.modality);
    }
    case 'sopClass': {
      const set = new Set(rule.values);
      return (i) => set.has(i.sopClassUid);
    }
    case 'tagEquals': {
      const set = new Set(rule.values);
      return (i) => elementValues(i.dataset, rule.tag).some((v) => set.has(v));
    }
    case 'tagMatches': {
      const re = compilePattern(rule.pattern);
      return (i) => elementValues(i.dataset, rule.tag).some((v) => re.test(v));
    }
    case 'tagExists':
      return (i) => elementValues(i.dataset, rule.tag).length > 0 === rule.exists;
    case 'any': {
      const any = rule.rules.map(compileRule);
      return (i) => any.some((p) => p(i));
    }
    case 'not': {
      const inner = compileRule(rule.rule);
      return (i) => !inner(i);
    }
  }
}

/**
 * The element's values as text: strings trimmed (DICOM pads to even length), numbers in their JSON
 * form, person names as their DICOM string form (Alphabetic=Ideographic=Phonetic). Empty values and
 * sequences count as no value; an element absent or empty has none.
 */
export function elementValues(dataset: DicomJsonDataset, tag: string): string[] {
  const values = dataset[tag]?.Value;
  if (values === undefined) return [];
  const out: string[] = [];
  for (const v of values) {
    const text = valueText(v);
    if (text !== null && text !== '') out.push(text);
  }
  return out;
}

function valueText(v: DicomJsonValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  if ('Alphabetic' in v || 'Ideographic' in v || 'Phonetic' in v) {
    const groups = [v.Alphabetic, v.Ideographic, v.Phonetic].map((g) =>
      typeof g === 'string' ? g.trim() : '',
    );
    while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
    return groups.join('=');
  }
  return null; // a sequence item
}
