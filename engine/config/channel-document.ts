import type { ConfigProblem } from '../channels/types.ts';
import { deepFreeze } from './freeze.ts';
import { INVALID, isMap, type Ctx, type Schema } from './schema-kit.ts';
import type { YamlSource } from './yaml-source.ts';

/** One channel file checked against its schema: the frozen channel, or null and every problem in it. */
export interface ChannelDocument<T> {
  readonly channel: T | null;
  readonly problems: ConfigProblem[];
  /** The id as written, even when the channel is invalid, to report duplicates across files anyway. */
  readonly id: string | null;
  readonly source: YamlSource;
}

/**
 * Checks a parsed channel file (HL7 or DICOM) against `schema`: YAML problems first, an empty file,
 * then the schema's problems with their lines. The channel gets `file` (absolute path) added.
 */
export function checkChannelDocument<T extends object>(
  source: YamlSource,
  schema: Schema<T>,
  options: { readonly idPattern: RegExp; readonly emptyMessage: string; readonly env: NodeJS.ProcessEnv },
): ChannelDocument<T & { readonly file: string }> {
  if (source.problems.length > 0) return { channel: null, problems: [...source.problems], id: null, source };
  if (source.value === null || source.value === undefined) {
    const problem = { file: source.file, path: '', message: options.emptyMessage };
    return { channel: null, problems: [problem], id: null, source };
  }
  const ctx: Ctx = { env: options.env, issues: [] };
  const checked = schema.check(source.value, [], ctx);
  const rawId = isMap(source.value) ? source.value['id'] : undefined;
  const id = typeof rawId === 'string' && options.idPattern.test(rawId) ? rawId : null;
  const problems = source.toProblems(ctx.issues);
  if (checked === INVALID || problems.length > 0) return { channel: null, problems, id, source };
  return { channel: deepFreeze({ ...checked, file: source.file }), problems, id, source };
}
