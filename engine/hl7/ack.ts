import { ERRORS, type ErrorCode } from '../errors/catalogue.ts';
import { DEFAULT_DELIMITERS, encodingCharacters } from './delimiters.ts';
import { escapeHl7 } from './escape.ts';
import { parseHl7Path } from './path.ts';
import type { Delimiters, Hl7Header, Hl7Path } from './types.ts';

export { salvageHeader } from './salvage.ts';

export interface AckError {
  code: ErrorCode;
  detail: string;
  /** HL7 path like 'MSH-10' or 'PID-3'. */
  location: string | null;
}

export interface AckOptions {
  controlId: string;
  timestamp: Date;
  /** Default: the original's MSH-5 (receiving application), else 'SWITCHBOARD'. */
  sendingApplication?: string;
  /** Default: the original's MSH-6 (receiving facility). */
  sendingFacility?: string;
}

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

const DEFAULT_VERSION = '2.5';
/** MSA-3 is ST(80) in v2.1-2.4. */
const MSA3_MAX = 80;

/** Numeric version parts ('2.5.1' -> [2, 5, 1]; non-standard parts such as 'z' in '2.3.z' stop the list). */
function versionParts(version: string): number[] {
  const parts: number[] = [];
  for (const p of version.split('.')) {
    if (!/^\d+$/.test(p)) break;
    parts.push(Number(p));
  }
  return parts;
}

function atLeast(version: string, min: readonly number[]): boolean {
  const v = versionParts(version);
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** TS/DTM to the second, in UTC with an explicit offset (valid from v2.1 on). */
export function formatTimestamp(t: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}` +
    `${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}+0000`
  );
}

function safePath(location: string | null): Hl7Path | null {
  if (location === null) return null;
  try {
    return parseHl7Path(location);
  } catch {
    return null;
  }
}

/** ERR-2 (ERL, v2.5+): segment ^ sequence ^ field ^ repetition ^ component ^ subcomponent. */
function errorLocation(path: Hl7Path | null, c: string): string {
  if (path === null) return '';
  const parts = [path.segment, String(path.occurrence ?? 1), String(path.field)];
  if (path.repetition !== undefined || path.component !== undefined) parts.push(String(path.repetition ?? 1));
  if (path.component !== undefined) parts.push(String(path.component));
  if (path.subcomponent !== undefined) parts.push(String(path.subcomponent));
  return parts.join(c);
}

function segment(d: Delimiters, fields: string[]): string {
  while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return fields.join(d.field) + '\r';
}

/**
 * Original-mode ACK (AA/AE/AR) or enhanced-mode commit ACK (CA/CE/CR), with an ERR segment when `error` is
 * given: v2.5+ uses ERR-2/3/4/8, older versions ERR-1 (ELD) and MSA-3. Values taken from the original header
 * are raw and copied verbatim (same delimiters); everything else is escaped.
 */
export function buildAck(
  original: Hl7Header | null,
  code: AckCode,
  opts: AckOptions,
  error?: AckError,
): string {
  const d = original?.delimiters ?? DEFAULT_DELIMITERS;
  const esc = (s: string): string => escapeHl7(s, d);
  const version = original?.version || DEFAULT_VERSION;
  const modern = atLeast(version, [2, 5]);
  const trigger = original?.triggerEvent ?? '';
  let messageType = 'ACK';
  if (atLeast(version, [2, 3, 1])) messageType = ['ACK', trigger, 'ACK'].join(d.component);
  else if (atLeast(version, [2, 3]) && trigger !== '') messageType = ['ACK', trigger].join(d.component);

  const msh = segment(d, [
    'MSH',
    encodingCharacters(d),
    opts.sendingApplication !== undefined
      ? esc(opts.sendingApplication)
      : original?.receivingApplication || 'SWITCHBOARD',
    opts.sendingFacility !== undefined ? esc(opts.sendingFacility) : (original?.receivingFacility ?? ''),
    original?.sendingApplication ?? '',
    original?.sendingFacility ?? '',
    formatTimestamp(opts.timestamp),
    '',
    messageType,
    esc(opts.controlId),
    original?.processingId || 'P',
    version,
  ]);

  const definition = error === undefined ? null : ERRORS[error.code];
  const msaText =
    !modern && error !== undefined && definition !== null
      ? esc((error.detail || definition.message).slice(0, MSA3_MAX))
      : '';
  const msa = segment(d, ['MSA', code, original?.controlId ?? '', msaText]);
  if (error === undefined || definition === null) return msh + msa;

  const path = safePath(error.location);
  let err: string;
  if (modern) {
    const condition = [definition.hl7Code, esc(definition.hl7Text), 'HL70357'].join(d.component);
    err = segment(d, [
      'ERR',
      '',
      errorLocation(path, d.component),
      condition,
      'E',
      '',
      '',
      '',
      esc(error.detail),
    ]);
  } else {
    const condition = [definition.hl7Code, esc(definition.hl7Text), 'HL70357'].join(d.subcomponent);
    const where =
      path === null ? ['', '', ''] : [path.segment, String(path.occurrence ?? 1), String(path.field)];
    err = segment(d, ['ERR', [...where, condition].join(d.component)]);
  }
  return msh + msa + err;
}
