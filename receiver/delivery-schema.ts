/**
 * A webhook delivery from Asana: `{ "events": [...] }` (docs/asana.md 1.4; EventResponse in asana_oas.yaml).
 * Strict on the fields the receiver uses, tolerant of everything else, so a new Asana field never turns a signed
 * delivery into endless retries.
 */
import { z } from 'zod';

const Compact = z.looseObject({
  gid: z.string().regex(/^\d+$/, 'gid must be a decimal string'),
  resource_type: z.string().min(1),
});

export const AsanaEvent = z.looseObject({
  action: z.string().min(1),
  resource: Compact,
  parent: Compact.nullable().optional(),
  created_at: z.string().optional(),
});
export type AsanaEvent = z.infer<typeof AsanaEvent>;

export const AsanaDelivery = z.looseObject({ events: z.array(AsanaEvent) });
export type AsanaDelivery = z.infer<typeof AsanaDelivery>;
