/**
 * One repetition of an HL7 v2 field as the datatype maps read it: component by component, decoded,
 * '' when absent. The HL7 null `""` reads as '' too: a mapping PUTs whole resources, so an
 * element that is absent or explicitly deleted ends up the same way (not in the resource).
 */
export interface Hl7Value {
  /** 1-based component; with a subcomponent, that subcomponent; without one, the first subcomponent. */
  get(component: number, subcomponent?: number): string;
}

export const HL7_NULL = '""';

export const clean = (value: string): string => (value === HL7_NULL ? '' : value.trim());

/**
 * A value from already-decoded text with the default separators `^` and `&` (no escapes, no
 * repetitions): for tests and for constants, never for message content.
 */
export function valueFromText(text: string): Hl7Value {
  const components = text.split('^').map((c) => c.split('&'));
  return {
    get(component: number, subcomponent = 1): string {
      return clean(components[component - 1]?.[subcomponent - 1] ?? '');
    },
  };
}
