import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hl7Message } from '../hl7/message.ts';
import { parseHl7Path } from '../hl7/path.ts';
import type { FilterSpec } from './types.ts';

export interface FilterContext {
  readonly messageId: string;
  readonly channelId: string;
}

export interface FilterVerdict {
  readonly pass: boolean;
  /** Why, for the message's channel result. Shows field values of MSH only: never patient data. */
  readonly reason: string;
}

export type CompiledFilter = (msg: Hl7Message, ctx: FilterContext) => Promise<FilterVerdict>;

type ScriptFilter = (msg: Hl7Message, ctx: FilterContext) => boolean | Promise<boolean>;

/** One construction for load-time validation and run time, so a pattern that validated compiles the same. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(pattern, 'u');
}

/** `*` matches every message; `ADT` any ADT event; `ADT^A01` exactly that event. */
export function matchesMessageType(
  patterns: readonly string[],
  messageType: string,
  triggerEvent: string,
): boolean {
  return patterns.some((p) => {
    if (p === '*') return true;
    const caret = p.indexOf('^');
    return caret === -1
      ? p === messageType
      : p.slice(0, caret) === messageType && p.slice(caret + 1) === triggerEvent;
  });
}

const list = (values: readonly string[]): string => `[${values.join(', ')}]`;
const quoted = (v: string): string => JSON.stringify(v);

async function loadScript(module: string, channelFile: string): Promise<ScriptFilter> {
  const file = path.resolve(path.dirname(channelFile), module);
  const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (typeof loaded.default !== 'function') {
    throw new Error(
      `${channelFile}: filter script ${module} must export a default function (message, ctx) => boolean`,
    );
  }
  return loaded.default as ScriptFilter;
}

type Evaluate = (msg: Hl7Message, ctx: FilterContext) => Promise<FilterVerdict>;

const verdict = (pass: boolean, reason: string): FilterVerdict => ({ pass, reason });

function valueIn(
  label: string,
  what: string,
  value: string,
  values: readonly string[],
  showValues: boolean,
): FilterVerdict {
  const pass = values.includes(value);
  if (showValues)
    return verdict(pass, `${label} ${what} = ${quoted(value)} ${pass ? 'in' : 'not in'} ${list(values)}`);
  return verdict(
    pass,
    `${label} ${what} ${pass ? 'equals' : 'does not equal'} one of ${values.length} value(s)`,
  );
}

const MSH_3_1 = parseHl7Path('MSH-3.1');
const MSH_4_1 = parseHl7Path('MSH-4.1');

/** Values of MSH (routing header) may appear in reasons; any other segment may hold patient data. */
const isHeaderPath = (p: string): boolean => p.startsWith('MSH-');

async function compileOne(spec: FilterSpec, label: string, channelFile: string): Promise<Evaluate> {
  switch (spec.kind) {
    case 'messageType':
      return async (msg) => {
        const { messageType, triggerEvent } = msg.header;
        const pass = matchesMessageType(spec.values, messageType, triggerEvent);
        const type = `${messageType}^${triggerEvent}`;
        return verdict(pass, `${label} message type ${type} ${pass ? 'in' : 'not in'} ${list(spec.values)}`);
      };
    case 'sendingApplication':
      return async (msg) =>
        valueIn(label, 'sending application MSH-3.1', msg.get(MSH_3_1), spec.values, true);
    case 'sendingFacility':
      return async (msg) => valueIn(label, 'sending facility MSH-4.1', msg.get(MSH_4_1), spec.values, true);
    case 'fieldEquals': {
      const at = parseHl7Path(spec.path);
      const show = isHeaderPath(spec.path);
      return async (msg) => valueIn(label, `field ${spec.path}`, msg.get(at), spec.values, show);
    }
    case 'fieldMatches': {
      const at = parseHl7Path(spec.path);
      const re = compilePattern(spec.pattern);
      const show = isHeaderPath(spec.path);
      return async (msg) => {
        const value = msg.get(at);
        const pass = re.test(value);
        const shown = show ? ` = ${quoted(value)}` : '';
        return verdict(
          pass,
          `${label} field ${spec.path}${shown} ${pass ? 'matches' : 'does not match'} /${spec.pattern}/`,
        );
      };
    }
    case 'fieldExists': {
      const at = parseHl7Path(spec.path);
      return async (msg) => {
        const present = msg.has(at);
        return verdict(
          present === spec.exists,
          `${label} field ${spec.path} is ${present ? 'present' : 'absent'}`,
        );
      };
    }
    case 'any': {
      const parts = await Promise.all(
        spec.filters.map((f, i) => compileOne(f, `${label}.any[${i}]`, channelFile)),
      );
      return async (msg, ctx) => {
        const reasons: string[] = [];
        for (const part of parts) {
          const v = await part(msg, ctx);
          if (v.pass) return v;
          reasons.push(v.reason);
        }
        return verdict(false, `${label} none of ${parts.length} alternatives passed (${reasons.join('; ')})`);
      };
    }
    case 'not': {
      const inner = await compileOne(spec.filter, `${label}.not`, channelFile);
      return async (msg, ctx) => {
        const v = await inner(msg, ctx);
        return verdict(!v.pass, `${label} not (${v.reason})`);
      };
    }
    case 'script': {
      const fn = await loadScript(spec.module, channelFile);
      return async (msg, ctx) => {
        const result = await fn(msg, ctx);
        // A script bug must surface as a channel error (reprocessable), not silently filter messages out.
        if (typeof result !== 'boolean') {
          throw new Error(`filter script ${spec.module} returned ${typeof result}, expected a boolean`);
        }
        return verdict(result, `${label} script ${spec.module} returned ${result}`);
      };
    }
  }
}

/** The channel's filters ANDed, in order; the first that fails gives the reason. Scripts load once, here. */
export async function compileFilters(
  specs: readonly FilterSpec[],
  channelFile: string,
): Promise<CompiledFilter> {
  const parts: Evaluate[] = [];
  for (const [i, spec] of specs.entries()) parts.push(await compileOne(spec, `filter[${i}]`, channelFile));
  return async (msg, ctx) => {
    for (const part of parts) {
      const v = await part(msg, ctx);
      if (!v.pass) return v;
    }
    return verdict(true, parts.length === 0 ? 'no filters' : `passed ${parts.length} filter(s)`);
  };
}
