/**
 * Which mapping a message would go through: the first enabled channel (in file-name order, as the
 * engine loads them) whose source takes the message type and that runs a mapping transformer,
 * its own or a destination's. Its options (identifier systems, overrides) come along. Channel
 * filters are not applied: the report measures the mappings, not the routing.
 */
import { matchesMessageType } from '../../engine/channels/filters.ts';
import type { ChannelSpec, TransformerSpec } from '../../engine/channels/types.ts';
import type { Mapping } from '../types.ts';
import type { ChooseMapping, MappingChoice } from './build-report.ts';

type MappingSpec = Extract<TransformerSpec, { kind: 'mapping' }>;

function firstMapping(channel: ChannelSpec): MappingSpec | undefined {
  const specs = [...channel.transformers, ...channel.destinations.flatMap((d) => d.transformers)];
  return specs.find((t): t is MappingSpec => t.kind === 'mapping');
}

export function chooseMappingFromChannels(
  channels: readonly ChannelSpec[],
  registry: ReadonlyMap<string, Mapping>,
): ChooseMapping {
  const choices: { channel: ChannelSpec; choice: MappingChoice }[] = [];
  for (const channel of channels) {
    if (!channel.enabled) continue;
    const spec = firstMapping(channel);
    const mapping = spec === undefined ? undefined : registry.get(spec.name);
    if (spec === undefined || mapping === undefined) continue;
    choices.push({ channel, choice: { channelId: channel.id, mapping, options: spec.options } });
  }
  return (type, event) =>
    choices.find((c) => matchesMessageType(c.channel.source.messageTypes, type, event))?.choice ?? null;
}
