/**
 * EI order numbers are read by the ORM map's eiToIdentifier (mappings/orm/order-identifiers.ts),
 * so an ORU's placer number gets exactly the system the ServiceRequest was keyed on and basedOn
 * finds it. EIP (SPM-2, SPM-3): component 1 is the placer's EI and component 2 the filler's, with
 * their parts as subcomponents ("EIP[Identifier-PlacerAssignedIdentifier]", "...-FillerAssignedIdentifier").
 */
import type { Identifier } from '../../engine/fhir/types.ts';
import type { CxContext } from '../datatypes/cx.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import { eiToIdentifier } from '../orm/order-identifiers.ts';

export { eiToIdentifier };

export function eipToIdentifiers(
  eip: Hl7Value,
  ctx: CxContext,
): { placer?: Identifier; filler?: Identifier } {
  const half = (component: number): Hl7Value => ({ get: (sub: number) => eip.get(component, sub) });
  const placer = eiToIdentifier(half(1), 'PLAC', ctx);
  const filler = eiToIdentifier(half(2), 'FILL', ctx);
  return { ...(placer && { placer }), ...(filler && { filler }) };
}
