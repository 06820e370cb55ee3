/**
 * Compiles a destination's DICOM transforms into one function. The object is parsed once, every
 * transform edits it in the configured order, and it is written once; the transfer syntax and the
 * pixel data bytes are the input's (editable-object.ts).
 */
import { compileDeidentify } from './deidentify.ts';
import { openObject, writeObject, type ObjectEdit } from './editable-object.ts';
import { compileTagEdits } from './tag-edits.ts';
import type { DicomObjectTransform, DicomTransformSpec } from './types.ts';

function compileOne(spec: DicomTransformSpec): ObjectEdit {
  switch (spec.kind) {
    case 'tagEdits':
      return compileTagEdits(spec);
    case 'deidentify':
      return compileDeidentify(spec);
  }
}

export function compileDicomTransforms(specs: readonly DicomTransformSpec[]): DicomObjectTransform {
  const edits = specs.map(compileOne);
  return (part10) => {
    const object = openObject(part10);
    for (const edit of edits) edit(object);
    return writeObject(object);
  };
}
