import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mappingTransformer } from '../../mappings/index.ts';
import { compileFilters, type CompiledFilter } from './filters.ts';
import type { Transformer } from './transform.ts';
import type { ChannelSpec, DestinationSpec, TransformerSpec } from './types.ts';

export interface CompiledDestination {
  readonly spec: DestinationSpec;
  readonly transformers: readonly Transformer[];
}

/** A channel ready to run: filters and transformers resolved once, at load (a typo fails then). */
export interface CompiledChannel {
  readonly spec: ChannelSpec;
  readonly filter: CompiledFilter;
  readonly transformers: readonly Transformer[];
  readonly destinations: readonly CompiledDestination[];
}

async function loadScriptTransformer(module: string, channelFile: string): Promise<Transformer> {
  const file = path.resolve(path.dirname(channelFile), module);
  const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (typeof loaded.default !== 'function') {
    throw new Error(`${channelFile}: transformer script ${module} must export a default function`);
  }
  return loaded.default as Transformer;
}

export async function compileTransformers(
  specs: readonly TransformerSpec[],
  channelFile: string,
): Promise<Transformer[]> {
  const out: Transformer[] = [];
  for (const spec of specs) {
    out.push(
      spec.kind === 'mapping'
        ? mappingTransformer(spec.name, spec.options)
        : await loadScriptTransformer(spec.module, channelFile),
    );
  }
  return out;
}

export async function compileChannel(spec: ChannelSpec): Promise<CompiledChannel> {
  const destinations: CompiledDestination[] = [];
  for (const d of spec.destinations) {
    destinations.push({ spec: d, transformers: await compileTransformers(d.transformers, spec.file) });
  }
  return {
    spec,
    filter: await compileFilters(spec.filters, spec.file),
    transformers: await compileTransformers(spec.transformers, spec.file),
    destinations,
  };
}
