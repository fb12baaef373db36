/**
 * The field map: which Attio object, list and attributes receive which Asana fields. A JSON file (FIELD_MAP_FILE)
 * validated by this schema; every key has a default, so `{}` is a valid map. The documented example is
 * docs/field-map.example.json (kept valid by test/unit/field-map.test.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'an Attio api_slug: lowercase letters, digits and underscores, starting with a letter');

/** One Asana custom field copied to one Attio attribute. */
const CustomFieldMapping = z.object({
  /** The Asana custom field's gid (stable) or its exact name. */
  asana: z.string().min(1),
  /** The Attio attribute's api_slug; created if missing. */
  attio: slug,
  /** Attio attribute type to create. `select` copies enum options by name. @default 'text' */
  type: z.enum(['text', 'number', 'select', 'date']).default('text'),
  /** Attribute title shown in Attio. @default the Asana field's name */
  title: z.string().min(1).optional(),
});
export type CustomFieldMapping = z.infer<typeof CustomFieldMapping>;

export const FieldMap = z.object({
  projects: z
    .object({
      /** Attio object that receives one record per Asana project, matched on `asana_gid`. */
      object: slug.default('asana_projects'),
      singularNoun: z.string().default('Asana project'),
      pluralNoun: z.string().default('Asana projects'),
      customFields: z.array(CustomFieldMapping).default([]),
    })
    .prefault({}),
  sections: z
    .object({
      /** Attio object that tracks each Asana section of the source project and its stage (status) id. */
      object: slug.default('asana_sections'),
    })
    .prefault({}),
  salesTasks: z
    .object({
      /** The Asana project whose tasks are Sales Tasks; a task in several projects is owned by this one only. */
      sourceProjectGid: z.string().regex(/^\d+$/, 'an Asana project gid').optional(),
      /** Attio list of Sales Tasks; each section of the source project is a stage (status) of it. */
      list: slug.default('sales_tasks'),
      listName: z.string().default('Sales Tasks'),
      /** Attio object whose records are the list entries' parents, one per task, matched on `asana_gid`. */
      parentObject: slug.default('asana_tasks'),
      /** The list's status attribute that holds the stage. */
      stageAttribute: slug.default('stage'),
      customFields: z.array(CustomFieldMapping).default([]),
    })
    .prefault({}),
  people: z
    .object({
      /** Link Attio People found by the email addresses written in a task's notes. @default false */
      enabled: z.boolean().default(false),
      /** Create a Person for an address no Person has. @default false */
      createMissing: z.boolean().default(false),
      /** The list's record-reference attribute that holds the linked People. */
      attribute: slug.default('people'),
    })
    .prefault({}),
});
export type FieldMap = z.infer<typeof FieldMap>;

export class FieldMapError extends Error {
  override name = 'FieldMapError';
}

export function parseFieldMap(json: unknown, source = 'field map'): FieldMap {
  const result = FieldMap.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new FieldMapError(`${source} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}

/** Reads and validates a field-map file. */
export function loadFieldMap(path: string): FieldMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FieldMapError(`cannot read FIELD_MAP_FILE ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FieldMapError(`FIELD_MAP_FILE ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseFieldMap(json, `FIELD_MAP_FILE ${path}`);
}
