import { readMshStart } from './delimiters.ts';
import { escapeHl7, unescapeHl7 } from './escape.ts';
import { headerFromFields } from './header.ts';
import { decodeInput } from './input.ts';
import { toHl7Path } from './path.ts';
import { piece, replacePiece } from './pieces.ts';
import { findSeparators, scanSegments, type Segment } from './segments.ts';
import type { Delimiters, Hl7Charset, Hl7Header, Hl7Path } from './types.ts';

export { readHeader } from './header.ts';

/** Up to this many segments a linear search beats building a name index (typical ADT/ORM messages). */
const LINEAR_SCAN_MAX = 40;

/**
 * A parsed HL7 v2 message. Lossless: the decoded text is kept, segments are located at parse time and split
 * into fields only when first read. Path semantics (what get/getRaw/getAll return) are in docs/hl7-paths.md.
 */
export class Hl7Message {
  readonly delimiters: Delimiters;
  readonly charset: Hl7Charset;
  readonly #text: string;
  readonly #bytes: Buffer | null;
  /** Leading whitespace before MSH, kept so toString()/encode() give back the input. */
  readonly #prefix: string;
  readonly #segments: Segment[];
  #byName: Map<string, Segment[]> | null = null;
  #header: Hl7Header | null = null;
  #modified = false;

  private constructor(text: string, bytes: Buffer | null, charset: Hl7Charset) {
    const { start, delimiters } = readMshStart(text);
    this.delimiters = delimiters;
    this.charset = charset;
    this.#text = text;
    this.#bytes = bytes;
    this.#prefix = text.slice(0, start);
    this.#segments = scanSegments(text, start, delimiters.field);
  }

  /**
   * Throws SwitchboardError('HL7_NOT_PARSEABLE', detail, location) when there is no MSH at the start (after an
   * optional UTF-8 BOM / leading whitespace), MSH-1/MSH-2 are invalid, or a segment id is not 3 chars [A-Z0-9].
   * Accepts \r, \n or \r\n segment terminators (mixed too) and a UTF-8 BOM.
   */
  static parse(input: Buffer | string, options?: { charset?: Hl7Charset }): Hl7Message {
    const { text, charset, bytes } = decodeInput(input, options?.charset);
    return new Hl7Message(text, bytes, charset);
  }

  get header(): Hl7Header {
    if (this.#header === null) {
      const msh = this.#segments[0] as Segment;
      this.#header = headerFromFields(this.#fields(msh), this.delimiters);
    }
    return this.#header;
  }

  segmentNames(): string[] {
    return this.#segments.map((s) => s.name);
  }

  segmentCount(name?: string): number {
    if (name === undefined) return this.#segments.length;
    return this.#index().get(name)?.length ?? 0;
  }

  /** Decoded leaf value when a component is addressed; the raw first (or addressed) repetition otherwise. */
  get(path: string | Hl7Path): string {
    const p = toHl7Path(path);
    const seg = this.#find(p);
    if (seg === undefined) return '';
    const special = this.#delimiterField(seg, p);
    if (special !== null) return special;
    const rep = piece(this.#field(seg, p.field), this.delimiters.repetition, p.repetition ?? 1);
    return p.component === undefined ? rep : this.#leaf(rep, p.component, p.subcomponent ?? 1);
  }

  /** The addressed element as on the wire (escapes and lower-level separators kept). */
  getRaw(path: string | Hl7Path): string {
    const p = toHl7Path(path);
    const seg = this.#find(p);
    if (seg === undefined) return '';
    const special = this.#delimiterField(seg, p);
    if (special !== null) return special;
    const d = this.delimiters;
    let value = piece(this.#field(seg, p.field), d.repetition, p.repetition ?? 1);
    if (p.component !== undefined) value = piece(value, d.component, p.component);
    if (p.subcomponent !== undefined) value = piece(value, d.subcomponent, p.subcomponent);
    return value;
  }

  /** Every repetition of the addressed field (only the addressed one when the path names a repetition). */
  getAll(path: string | Hl7Path): string[] {
    const p = toHl7Path(path);
    const seg = this.#find(p);
    if (seg === undefined) return [];
    const special = this.#delimiterField(seg, p);
    if (special !== null) return [special];
    const field = this.#field(seg, p.field);
    if (field === '') return [];
    let reps = field.split(this.delimiters.repetition);
    if (p.repetition !== undefined) {
      const one = reps[p.repetition - 1];
      reps = one === undefined ? [] : [one];
    }
    const { component } = p;
    if (component === undefined) return reps;
    const sub = p.subcomponent ?? 1;
    return reps.map((rep) => this.#leaf(rep, component, sub));
  }

  /** True when the addressed element is present and not empty (HL7 null `""` counts as present). */
  has(path: string | Hl7Path): boolean {
    return this.getRaw(path) !== '';
  }

  /**
   * Replaces the addressed element (with everything below it) by `value`, escaped. Missing fields, repetitions
   * and components are created; the segment must exist. MSH-1 and MSH-2 cannot be set.
   */
  set(path: string | Hl7Path, value: string): void {
    const p = toHl7Path(path);
    const seg = this.#find(p);
    if (seg === undefined) {
      throw new Error(`set('${p.text}'): the message has no ${p.segment} segment${occurrenceText(p)}`);
    }
    if (seg.name === 'MSH' && p.field <= 2) {
      throw new Error(`set('${p.text}'): MSH-1 and MSH-2 hold the delimiters and cannot be set`);
    }
    if (this.charset === 'latin1' && /[\u0100-\uffff]/.test(value)) {
      throw new Error(
        `set('${p.text}'): the value has characters that the message's Latin-1 charset cannot hold`,
      );
    }
    const escaped = escapeHl7(value, this.delimiters);
    if (escaped === '' && this.getRaw(p) === '') return;
    const d = this.delimiters;
    const fields = this.#fields(seg);
    const index = seg.name === 'MSH' ? p.field - 1 : p.field;
    while (fields.length <= index) fields.push('');
    fields[index] = replacePiece(fields[index] ?? '', d.repetition, p.repetition ?? 1, (rep) => {
      if (p.component === undefined) return escaped;
      return replacePiece(rep, d.component, p.component, (comp) => {
        if (p.subcomponent === undefined) return escaped;
        return replacePiece(comp, d.subcomponent, p.subcomponent, () => escaped);
      });
    });
    this.#modified = true;
    if (seg.name === 'MSH') this.#header = null;
  }

  /** The input text (BOM removed) while unmodified; after set(), rebuilt with the input's segment terminators. */
  toString(): string {
    return this.#modified ? this.encode() : this.#text;
  }

  toBuffer(): Buffer {
    if (!this.#modified && this.#bytes !== null) return this.#bytes;
    return Buffer.from(this.toString(), this.charset);
  }

  /** Always rebuilt from the parsed segments and fields, never the cached input. */
  encode(): string {
    const sep = this.delimiters.field;
    let out = this.#prefix;
    for (const seg of this.#segments) out += this.#fields(seg).join(sep) + seg.terminator;
    return out;
  }

  #index(): Map<string, Segment[]> {
    if (this.#byName === null) {
      const map = new Map<string, Segment[]>();
      for (const seg of this.#segments) {
        const list = map.get(seg.name);
        if (list === undefined) map.set(seg.name, [seg]);
        else list.push(seg);
      }
      this.#byName = map;
    }
    return this.#byName;
  }

  #find(p: Hl7Path): Segment | undefined {
    const occurrence = p.occurrence ?? 1;
    if (p.segment === 'MSH' && occurrence === 1) return this.#segments[0];
    if (this.#segments.length > LINEAR_SCAN_MAX) return this.#index().get(p.segment)?.[occurrence - 1];
    let seen = 0;
    for (const seg of this.#segments) if (seg.name === p.segment && ++seen === occurrence) return seg;
    return undefined;
  }

  #fields(seg: Segment): string[] {
    if (seg.fields === null) seg.fields = this.#text.slice(seg.start, seg.end).split(this.delimiters.field);
    return seg.fields;
  }

  /** Raw field n: MSH counts MSH-1 (the separator itself) as field 1, so its fields are shifted by one. */
  #field(seg: Segment, n: number): string {
    const k = seg.name === 'MSH' ? n - 1 : n;
    if (seg.fields !== null) return seg.fields[k] ?? '';
    const text = this.#text;
    const seps = (seg.separators ??= findSeparators(text, seg.start, seg.end, this.delimiters.field));
    if (k > seps.length) return '';
    return text.slice(
      k === 0 ? seg.start : (seps[k - 1] as number) + 1,
      k === seps.length ? seg.end : seps[k],
    );
  }

  /** MSH-1 and MSH-2 are single values that contain delimiters: never split, never unescaped. */
  #delimiterField(seg: Segment, p: Hl7Path): string | null {
    if (p.field > 2 || seg.name !== 'MSH') return null;
    if ((p.repetition ?? 1) !== 1 || (p.component ?? 1) !== 1 || (p.subcomponent ?? 1) !== 1) return '';
    return p.field === 1 ? this.delimiters.field : (this.#fields(seg)[1] ?? '');
  }

  #leaf(rep: string, component: number, subcomponent: number): string {
    const d = this.delimiters;
    return unescapeHl7(
      piece(piece(rep, d.component, component), d.subcomponent, subcomponent),
      d,
      this.charset,
    );
  }
}

function occurrenceText(p: Hl7Path): string {
  return p.occurrence !== undefined && p.occurrence > 1 ? ` occurrence ${p.occurrence}` : '';
}
