import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusRoot } from '../../engine/hl7/testing/corpus.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { createIdentifierSystemTable } from '../identifier-systems.ts';
import type { MappingContext } from '../types.ts';

/** A message of the shared corpus, e.g. `hl7/google-hdh/adt_a01_ex2.hl7`. */
export function corpusMessage(rel: string): Hl7Message {
  return Hl7Message.parse(readFileSync(path.join(corpusRoot, rel)));
}

/** A data-type skeleton of hl7-fragments/cdc-prime-reportstream/ (one type under test each). */
export const fragment = (rel: string): Hl7Message =>
  corpusMessage(`hl7-fragments/cdc-prime-reportstream/${rel}`);

export function mappingContext(options: Record<string, unknown> = {}, messageId = '1'): MappingContext {
  const systems = options.identifierSystems ?? {};
  return { messageId, options, identifierSystems: createIdentifierSystemTable(systems) };
}
