/**
 * What a mapping read of one message, element by element: the conformance report compares it with
 * the elements that carry data (message-content.ts) to show what no mapping used. `'*'` = every
 * repetition / component / subcomponent below the addressed element.
 */
export type Index = number | '*';

export interface ReadCover {
  readonly repetition: Index;
  readonly component: Index;
  readonly subcomponent: Index;
}

/** One element that holds data: the smallest piece (a subcomponent, or a component without any). */
export interface ContentUnit {
  readonly segment: string;
  /** 1-based occurrence of the segment in the message. */
  readonly occurrence: number;
  readonly field: number;
  readonly repetition: number;
  readonly component: number;
  readonly subcomponent: number;
  /** The component is split into subcomponents (the path then names the subcomponent). */
  readonly inSubcomponents: boolean;
}

const fieldKey = (segment: string, occurrence: number, field: number): string =>
  `${segment}|${occurrence}|${field}`;

const covers = (i: Index, n: number): boolean => i === '*' || i === n;

export class ReadLog {
  readonly #reads = new Map<string, ReadCover[]>();
  /** Segments the mapping looked at (a read, or counting a field's repetitions). */
  readonly #segments = new Set<string>();

  read(segment: string, occurrence: number, field: number, cover: ReadCover): void {
    this.#segments.add(segment);
    const key = fieldKey(segment, occurrence, field);
    const list = this.#reads.get(key);
    if (list === undefined) this.#reads.set(key, [cover]);
    else list.push(cover);
  }

  /** Counting repetitions (getAll of a whole field) looks at the segment but reads no content. */
  touch(segment: string): void {
    this.#segments.add(segment);
  }

  touchedSegment(segment: string): boolean {
    return this.#segments.has(segment);
  }

  readField(segment: string, occurrence: number, field: number): boolean {
    return this.#reads.has(fieldKey(segment, occurrence, field));
  }

  covered(unit: ContentUnit): boolean {
    const reads = this.#reads.get(fieldKey(unit.segment, unit.occurrence, unit.field));
    return (
      reads?.some(
        (r) =>
          covers(r.repetition, unit.repetition) &&
          covers(r.component, unit.component) &&
          covers(r.subcomponent, unit.subcomponent),
      ) ?? false
    );
  }
}
