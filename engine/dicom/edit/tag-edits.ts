/** `tagEdits`: set and remove top-level elements (values were checked against their VR at load). */
import type { ObjectEdit } from './editable-object.ts';
import { elementValues, parseTagRef, settableVr } from './tag-ref.ts';
import { DicomEditError, type TagEditsSpec } from './types.ts';

function resolve(ref: string): string {
  const r = parseTagRef(ref);
  if ('problem' in r) throw new DicomEditError(r.problem);
  return r.tag;
}

export function compileTagEdits(spec: TagEditsSpec): ObjectEdit {
  const remove = spec.remove.map(resolve);
  const set = Object.entries(spec.set).map(([ref, text]) => {
    const tag = resolve(ref);
    const vr = settableVr(tag);
    if ('problem' in vr) throw new DicomEditError(vr.problem);
    return { tag, vr: vr.vr, values: elementValues(vr.vr, text) };
  });
  return (object) => {
    for (const tag of remove) delete object.dataset[tag];
    for (const { tag, vr, values } of set) {
      // A fresh element (no _rawValue), so dcmjs writes the new value. "US or SS" tags (e.g.
      // SmallestImagePixelValue) keep SS when the object has them as SS (signed pixel data).
      const useVr = vr === 'US' && object.dataset[tag]?.vr === 'SS' ? 'SS' : vr;
      object.dataset[tag] = { vr: useVr, Value: [...values] };
    }
  };
}
