/**
 * Tags in rules, named as in the DICOM data dictionary (PS3.6 keyword, `InstitutionName`) or by
 * number (`00080080`, `(0008,0080)`, `0008,0080`), normalised to the 8 upper hex digits the DICOM
 * JSON model uses as keys (PS3.18 F.2). The keyword table is dcmjs's copy of PS3.6.
 */
import { createRequire } from 'node:module';
import { isUid } from '../dimse/uids.ts';

interface DictionaryEntry {
  readonly tag: string; // "(0008,0080)"
}
interface DcmjsDictionary {
  readonly data: {
    readonly DicomMetaDictionary: {
      readonly nameMap: Readonly<Record<string, DictionaryEntry>>;
      /** 'CTImage' -> '1.2.840.10008.5.1.4.1.1.2' (PS3.6 Annex A names without spaces and "Storage"). */
      readonly sopClassUIDsByName: Readonly<Record<string, string>>;
    };
  };
}

let dictionary: DcmjsDictionary['data']['DicomMetaDictionary'] | null = null;
let keywords: ReadonlyMap<string, string> | null = null;

function dcmjsDictionary(): DcmjsDictionary['data']['DicomMetaDictionary'] {
  dictionary ??= (createRequire(import.meta.url)('dcmjs') as DcmjsDictionary).data.DicomMetaDictionary;
  return dictionary;
}

function keywordTable(): ReadonlyMap<string, string> {
  if (keywords !== null) return keywords;
  const table = new Map<string, string>();
  for (const [name, entry] of Object.entries(dcmjsDictionary().nameMap)) {
    const hex = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag);
    if (hex) table.set(name, `${hex[1]}${hex[2]}`.toUpperCase());
  }
  keywords = table;
  return table;
}

const NUMERIC = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/;

/** `ggggeeee` (upper case) for a keyword or tag number, or null when it names no tag. */
export function resolveTag(ref: string): string | null {
  const s = ref.trim();
  const numeric = NUMERIC.exec(s);
  if (numeric) {
    // Mixed forms like "(0008,0080" are not a tag.
    if (s.startsWith('(') !== s.endsWith(')')) return null;
    return `${numeric[1]}${numeric[2]}`.toUpperCase();
  }
  return keywordTable().get(s) ?? null;
}

/**
 * A storage SOP class given by UID, or by its PS3.6 name without spaces, with or without the
 * trailing "Storage" (`CTImage`, `CTImageStorage`); null when it is neither.
 */
export function resolveSopClass(ref: string): string | null {
  const s = ref.trim();
  if (isUid(s)) return s;
  const byName = dcmjsDictionary().sopClassUIDsByName;
  const name = s.endsWith('Storage') ? s.slice(0, -'Storage'.length) : s;
  return Object.hasOwn(byName, name) ? byName[name]! : null;
}
