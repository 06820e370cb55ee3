/**
 * OBX-7 reference range text -> numeric bounds. Forms seen in the corpus and in lab feeds:
 * "3.5-5.0" (low and high), "<10" / "<=10" (high only), ">2" / ">=2" (low only), "-1.5 - 2" (negative
 * low). Anything else ("negative", "see note") keeps only its text.
 */
export interface ReferenceRange {
  readonly low: number | null;
  readonly high: number | null;
  readonly text: string | null;
}

const NUM = '([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))';
const RANGE = new RegExp(`^${NUM}\\s*(?:-|–|to)\\s*${NUM}$`, 'i');
const UPPER = new RegExp(`^(?:<|<=|≤)\\s*${NUM}$`);
const LOWER = new RegExp(`^(?:>|>=|≥)\\s*${NUM}$`);

export function parseReferenceRange(raw: string): ReferenceRange {
  const text = raw.trim();
  if (text === '') return { low: null, high: null, text: null };
  const range = RANGE.exec(text);
  if (range) return { low: Number(range[1]), high: Number(range[2]), text };
  const upper = UPPER.exec(text);
  if (upper) return { low: null, high: Number(upper[1]), text };
  const lower = LOWER.exec(text);
  if (lower) return { low: Number(lower[1]), high: null, text };
  return { low: null, high: null, text };
}
