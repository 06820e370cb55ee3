/**
 * C-FIND identifiers as dcmjs-dimse hands them over and takes them back: "naturalized" datasets,
 * keyword -> value, where a value is a string (possibly padded), a number, a list of those, a list
 * of `{ Alphabetic }` person names, or a list of nested datasets (a sequence). These helpers read
 * such values as plain text, lists and sequences, so the query code never touches the raw shapes.
 */

/** One dataset in dcmjs's naturalized form. */
export type Identifier = Readonly<Record<string, unknown>>;

/** dcmjs keeps VR bookkeeping in `_vrMap`; it is never an attribute. */
export function attributeKeys(identifier: Identifier): string[] {
  return Object.keys(identifier).filter((k) => !k.startsWith('_'));
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value !== null && typeof value === 'object' && 'Alphabetic' in value) {
    const alphabetic = (value as { Alphabetic?: unknown }).Alphabetic;
    return typeof alphabetic === 'string' ? alphabetic.trim() : '';
  }
  return '';
}

/** The values of an attribute as trimmed text, empty ones dropped. `"A\B"` is two values. */
export function textValues(value: unknown): string[] {
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  return items
    .flatMap((item) => scalarText(item).split('\\'))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** The single text value of an attribute, '' when it is empty (universal matching). */
export function textValue(value: unknown): string {
  return textValues(value).join('\\');
}

/** The items of a sequence attribute; [] when it is empty or not a sequence. */
export function sequenceItems(value: unknown): Identifier[] {
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).filter(
    (item): item is Identifier => item !== null && typeof item === 'object' && !('Alphabetic' in item),
  );
}

/** A sequence attribute (a list whose items are datasets), as opposed to a multi-valued element. */
export function isSequence(value: unknown): boolean {
  return Array.isArray(value) && sequenceItems(value).length > 0;
}
