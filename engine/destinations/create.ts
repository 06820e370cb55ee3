import type { DestinationSpec } from '../channels/types.ts';
import { createFhirStoreDestination } from './fhir-store-destination.ts';
import { createFileDestination } from './file-destination.ts';
import { createHmsDestination } from './hms.ts';
import { createHttpDestination } from './http-destination.ts';
import { createMllpDestination } from './mllp-destination.ts';
import { createWorklistDestination } from './worklist.ts';
import type { Destination } from './types.ts';

export interface DestinationFactoryOptions {
  /** Relative file destination directories resolve against this (the engine's working directory). */
  readonly baseDir: string;
}

export function createDestination(spec: DestinationSpec, opts: DestinationFactoryOptions): Destination {
  switch (spec.type) {
    case 'fhir-store':
      return createFhirStoreDestination(spec.name);
    case 'hms':
      return createHmsDestination(spec);
    case 'file':
      return createFileDestination(spec, { baseDir: opts.baseDir });
    case 'http':
      return createHttpDestination(spec);
    case 'mllp':
      return createMllpDestination(spec);
    case 'worklist':
      return createWorklistDestination(spec);
  }
}
