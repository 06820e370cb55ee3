/**
 * An Hl7Message that records every element a mapping reads, for the conformance report: a Proxy
 * over the parsed message (the parser is unchanged and pays nothing when no report runs). Methods
 * are bound to the real message (its private fields need it). What counts as reading:
 * - get(path): the addressed repetition (first by default); with a component, its subcomponent 1
 *   (or the addressed one), without, the whole repetition;
 * - getRaw(path) / has(path): the addressed element with everything below it;
 * - getAll(path): with a component, that component in every repetition (or the addressed one);
 *   without, nothing: the datatype maps count repetitions that way, then read their components;
 * - header: the MSH fields of the properties used (messageType -> MSH-9.1, ...).
 * toString()/encode()/toBuffer() (the raw text, e.g. kept whole for provenance) are not counted.
 */
import type { Hl7Message } from '../../engine/hl7/message.ts';
import { toHl7Path } from '../../engine/hl7/path.ts';
import type { Hl7Header, Hl7Path } from '../../engine/hl7/types.ts';
import type { ReadCover, ReadLog } from './read-log.ts';

type PathArg = string | Hl7Path;

/** Hl7Header property -> MSH field and component ('*' = whole field, first repetition). */
const HEADER_FIELDS: Readonly<Record<string, readonly [number, number | '*']>> = {
  sendingApplication: [3, '*'],
  sendingFacility: [4, '*'],
  receivingApplication: [5, '*'],
  receivingFacility: [6, '*'],
  messageType: [9, 1],
  triggerEvent: [9, 2],
  messageStructure: [9, 3],
  controlId: [10, '*'],
  processingId: [11, 1],
  version: [12, 1],
  acceptAckType: [15, '*'],
  applicationAckType: [16, '*'],
  charset: [18, '*'],
};

function record(log: ReadLog, p: Hl7Path, cover: ReadCover): void {
  log.read(p.segment, p.occurrence ?? 1, p.field, cover);
}

function recordingHeader(header: Hl7Header, log: ReadLog): Hl7Header {
  return new Proxy(header, {
    get(target, prop, receiver) {
      const field = typeof prop === 'string' ? HEADER_FIELDS[prop] : undefined;
      if (field !== undefined) {
        const [n, component] = field;
        log.read('MSH', 1, n, { repetition: 1, component, subcomponent: '*' });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** `message` as a mapping sees it, with every read recorded in `log`. */
export function recordingMessage(message: Hl7Message, log: ReadLog): Hl7Message {
  const get = (path: PathArg): string => {
    const p = toHl7Path(path);
    const component = p.component ?? '*';
    const subcomponent = component === '*' ? '*' : (p.subcomponent ?? 1);
    record(log, p, { repetition: p.repetition ?? 1, component, subcomponent });
    return message.get(p);
  };
  const raw = (p: Hl7Path): void =>
    record(log, p, {
      repetition: p.repetition ?? 1,
      component: p.component ?? '*',
      subcomponent: p.subcomponent ?? '*',
    });
  const getRaw = (path: PathArg): string => {
    const p = toHl7Path(path);
    raw(p);
    return message.getRaw(p);
  };
  const has = (path: PathArg): boolean => {
    const p = toHl7Path(path);
    raw(p);
    return message.has(p);
  };
  const getAll = (path: PathArg): string[] => {
    const p = toHl7Path(path);
    if (p.component === undefined) log.touch(p.segment);
    else {
      const cover: ReadCover = {
        repetition: p.repetition ?? '*',
        component: p.component,
        subcomponent: p.subcomponent ?? 1,
      };
      record(log, p, cover);
    }
    return message.getAll(p);
  };
  const overrides = new Map<string | symbol, unknown>([
    ['get', get],
    ['getRaw', getRaw],
    ['has', has],
    ['getAll', getAll],
  ]);
  return new Proxy(message, {
    get(target, prop) {
      if (overrides.has(prop)) return overrides.get(prop);
      if (prop === 'header') return recordingHeader(target.header, log);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
