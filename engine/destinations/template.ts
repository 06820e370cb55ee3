/**
 * File name templates of the file destination: `${messageId}-${controlId}.${ext}`. The template is the
 * operator's (validated by the channel loader: no path separators); the values come from the message and
 * are untrusted, so each is reduced to a safe file name part before it is substituted.
 */
import { HL7_V2_CONTENT_TYPE } from '../channels/transform.ts';

export const FILE_NAME_VARIABLES = [
  'messageId',
  'controlId',
  'messageType',
  'triggerEvent',
  'channel',
  'ext',
] as const;
export type FileNameVariable = (typeof FILE_NAME_VARIABLES)[number];
export type FileNameValues = Readonly<Record<FileNameVariable, string>>;

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/**
 * A value as a file name part: only letters, digits, `_`, `-` and single dots survive, so a control id
 * like `../../etc/x` or `a\0b` can never add a directory, a dot segment or a hidden file.
 */
export function sanitizeFileNamePart(value: string): string {
  const safe = value
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^\./, '_');
  return safe === '' ? '_' : safe;
}

/** Throws on a placeholder that is not one of FILE_NAME_VARIABLES (the loader rejects those first). */
export function renderFileName(template: string, values: FileNameValues): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(FILE_NAME_VARIABLES as readonly string[]).includes(name)) {
      throw new Error(`unknown placeholder \${${name}} in file name template "${template}"`);
    }
    return sanitizeFileNamePart(values[name as FileNameVariable]);
  });
}

/** `hl7` for HL7 v2 ER7, `json` for any JSON media type (application/json, application/fhir+json), else `dat`. */
export function extensionFor(contentType: string): 'hl7' | 'json' | 'dat' {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === HL7_V2_CONTENT_TYPE) return 'hl7';
  const subtype = mediaType.split('/')[1] ?? '';
  return subtype === 'json' || subtype.endsWith('+json') ? 'json' : 'dat';
}
