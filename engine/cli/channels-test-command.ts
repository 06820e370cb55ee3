/**
 * `switchboard channels test <channel> <message-file>`: runs one channel's filters and transformers
 * on the messages of a file exactly as the engine would, and prints what each destination would
 * get (a FHIR Bundle as pretty JSON) and the HMS plan (the rows the HMS tables would get), without
 * writing anything: no store, no queue, no destination is opened. Script transformers run too, so
 * they must not write either. Exit 0: every message passed; 1: one was not routed, filtered,
 * failed, or gave a Bundle with validation errors; 2: bad input (channel or file).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { compileChannel, type CompiledChannel } from '../channels/compile.ts';
import { matchesMessageType } from '../channels/filters.ts';
import { formatProblems, loadChannelFile } from '../channels/load.ts';
import {
  FHIR_JSON_CONTENT_TYPE,
  HL7_V2_CONTENT_TYPE,
  type Payload,
  type TransformContext,
} from '../channels/transform.ts';
import type { ChannelSpec, TransformerSpec } from '../channels/types.ts';
import type { FhirBundle } from '../fhir/types.ts';
import { planHms } from '../hms/plan-hms.ts';
import { splitBatch } from '../hl7/batch.ts';
import { Hl7Message } from '../hl7/message.ts';
import { mappings } from '../../mappings/index.ts';
import { readMappingOptions } from '../../mappings/options.ts';
import { validateBundle } from '../../mappings/validation/validate-bundle.ts';
import { loadChannelFiles } from './channels-command.ts';
import { cliEngineConfig } from './cli-config.ts';

class BadInput extends Error {}

const HMS_TYPES = new Set(['ADT', 'ORM', 'ORU']);
/** The HMS destination writes the tables from the source message; its payload is the message itself. */
const isHms = (d: { readonly type: string }): boolean => d.type === 'hms';
const out = (text: string): boolean => process.stdout.write(text);
const note = (text: string): boolean => process.stderr.write(`${text}\n`);

/** A channel file path (`*.yaml`) or the id of a channel in the channel folder. */
async function loadChannel(program: Command, ref: string, dir: string | undefined): Promise<ChannelSpec> {
  if (/\.ya?ml$/.test(ref) && existsSync(ref)) {
    const config = await cliEngineConfig(program, {});
    const { channel, problems } = await loadChannelFile(ref, {
      knownListeners: new Set(config.mllp.map((l) => l.name)),
      knownMappings: new Set(mappings.keys()),
    });
    if (channel === null) throw new BadInput(formatProblems(problems));
    return channel;
  }
  const loaded = await loadChannelFiles(program, dir);
  if (loaded.problems.length > 0) throw new BadInput(formatProblems(loaded.problems));
  const channel = loaded.channels.find((c) => c.id === ref);
  if (channel === undefined) {
    const known = loaded.channels.map((c) => c.id).join(', ');
    throw new BadInput(`no channel "${ref}" (known: ${known || 'none'}; or give a channel file)`);
  }
  return channel;
}

async function readMessages(file: string): Promise<{ raw: Buffer; message: Hl7Message }[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new BadInput(`${file}: ${(err as Error).message}`);
  }
  try {
    const { messages } = splitBatch(bytes);
    if (messages.length === 0) throw new Error('no HL7 message in the file');
    return messages.map((raw) => ({ raw, message: Hl7Message.parse(raw) }));
  } catch (err) {
    throw new BadInput(`${file}: ${(err as Error).message}`);
  }
}

/** Options for the HMS plan: those of the channel's first mapping (time zone, identifier systems). */
function planOptions(spec: ChannelSpec) {
  const specs = [...spec.transformers, ...spec.destinations.flatMap((d) => d.transformers)];
  const mapping = specs.find((t): t is Extract<TransformerSpec, { kind: 'mapping' }> => t.kind === 'mapping');
  const { defaultTimezone, identifierSystems } = readMappingOptions(mapping?.options ?? {});
  return { defaultTimezone, identifierSystems };
}

function showPayload(payload: Payload): { text: string; errors: string[] } {
  if (payload.contentType !== FHIR_JSON_CONTENT_TYPE) {
    return { text: `${payload.body.toString('utf8').replace(/\r\n?/g, '\n').trimEnd()}\n`, errors: [] };
  }
  const bundle = JSON.parse(payload.body.toString('utf8')) as FhirBundle;
  const errors = validateBundle(bundle)
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.entry === null ? 'Bundle' : `entry[${i.entry}]`} ${i.path}: ${i.message}`);
  return { text: `${JSON.stringify(bundle, null, 2)}\n`, errors };
}

/** Runs one message through the channel; true when it went through cleanly. */
async function testMessage(
  channel: CompiledChannel,
  raw: Buffer,
  message: Hl7Message,
  label: string,
): Promise<boolean> {
  const { spec } = channel;
  const { messageType, triggerEvent } = message.header;
  const type = triggerEvent === '' ? messageType : `${messageType}^${triggerEvent}`;
  if (!matchesMessageType(spec.source.messageTypes, messageType, triggerEvent)) {
    note(`${label} ${type}: not routed: channel ${spec.id} takes ${spec.source.messageTypes.join(', ')}`);
    return false;
  }
  const ctx: TransformContext = { message, messageId: `test-${label}`, channelId: spec.id };
  const verdict = await channel.filter(message, ctx);
  if (!verdict.pass) {
    note(`${label} ${type}: filtered: ${verdict.reason}`);
    return false;
  }
  let ok = true;
  try {
    let payload: Payload = { contentType: HL7_V2_CONTENT_TYPE, body: raw };
    for (const t of channel.transformers) payload = await t(payload, ctx);
    for (const d of channel.destinations) {
      if (!d.spec.enabled) continue;
      let out_ = payload;
      for (const t of d.transformers) out_ = await t(out_, ctx);
      const what = `${label} ${type}: destination ${d.spec.name} (${d.spec.type})`;
      if (isHms(d.spec)) {
        note(`${what} would apply the HMS plan below`);
        continue;
      }
      note(`${what} would get ${out_.contentType}`);
      const { text, errors } = showPayload(out_);
      out(text);
      for (const e of errors) note(`${label} validation error: ${e}`);
      if (errors.length > 0) ok = false;
    }
  } catch (err) {
    note(`${label} ${type}: failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  if (HMS_TYPES.has(messageType) && spec.destinations.some((d) => d.enabled && isHms(d))) {
    note(`${label} ${type}: HMS plan (what the HMS tables would get)`);
    out(`${JSON.stringify(planHms(message, planOptions(spec)), null, 2)}\n`);
  }
  return ok;
}

export function registerChannelTestCommand(program: Command): void {
  const channels = program.commands.find((c) => c.name() === 'channels') ?? program.command('channels');
  channels
    .command('test')
    .description(
      "run a channel's filters and transformers on the messages of a file and print the Bundle each destination would get " +
        'and the HMS plan, writing nothing (exit 1: not routed, filtered, failed or invalid; 2: bad input)',
    )
    .argument('<channel>', 'channel id (in the channel folder) or channel file (.yaml)')
    .argument('<message-file>', 'HL7 v2 file (one or several messages, or a batch)')
    .option('--dir <dir>', 'channel folder (default from config: ./channels)')
    .action(async (ref: string, file: string, opts: { dir?: string }) => {
      let channel: CompiledChannel;
      let messages: { raw: Buffer; message: Hl7Message }[];
      try {
        const spec = await loadChannel(program, ref, opts.dir);
        try {
          channel = await compileChannel(spec);
        } catch (err) {
          throw new BadInput(`${spec.file}: ${(err as Error).message}`);
        }
        messages = await readMessages(file);
      } catch (err) {
        if (!(err instanceof BadInput)) throw err;
        note(err.message);
        process.exitCode = 2;
        return;
      }
      let failed = 0;
      for (const [i, { raw, message }] of messages.entries()) {
        const label = messages.length > 1 ? `message ${i + 1}` : 'message';
        if (!(await testMessage(channel, raw, message, label))) failed++;
      }
      if (failed > 0) process.exitCode = 1;
    });
}
