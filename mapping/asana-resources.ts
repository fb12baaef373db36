/**
 * The Asana fields the mapping reads, as `opt_fields` lists and the zod schemas of the answers. Requesting exactly
 * these fields keeps each fetch small; the schemas are strict on them and tolerant of anything else.
 */
import { z } from 'zod';

const CUSTOM_FIELD_FIELDS = [
  'custom_fields.gid',
  'custom_fields.name',
  'custom_fields.display_value',
  'custom_fields.number_value',
  'custom_fields.text_value',
  'custom_fields.enum_value.name',
  'custom_fields.date_value.date',
];

export const OPT_FIELDS = {
  project: [
    'name',
    'notes',
    'archived',
    'permalink_url',
    'workspace.name',
    'team.name',
    'owner.name',
    'start_on',
    'due_on',
    'created_at',
    'modified_at',
    ...CUSTOM_FIELD_FIELDS,
  ],
  section: ['name', 'project.name'],
  task: [
    'name',
    'completed',
    'completed_at',
    'notes',
    'html_notes',
    'permalink_url',
    'resource_subtype',
    'due_on',
    'modified_at',
    'memberships.project.name',
    'memberships.section.name',
    ...CUSTOM_FIELD_FIELDS,
  ],
} as const;

const Named = z.looseObject({ gid: z.string(), name: z.string().nullish() });

export const AsanaCustomFieldValue = z.looseObject({
  gid: z.string(),
  name: z.string().nullish(),
  display_value: z.string().nullish(),
  number_value: z.number().nullish(),
  text_value: z.string().nullish(),
  enum_value: z.looseObject({ name: z.string().nullish() }).nullish(),
  date_value: z.looseObject({ date: z.string().nullish() }).nullish(),
});
export type AsanaCustomFieldValue = z.infer<typeof AsanaCustomFieldValue>;

export const AsanaProject = z.looseObject({
  gid: z.string(),
  name: z.string(),
  archived: z.boolean().nullish(),
  notes: z.string().nullish(),
  permalink_url: z.string().nullish(),
  workspace: Named.nullish(),
  team: Named.nullish(),
  owner: Named.nullish(),
  start_on: z.string().nullish(),
  due_on: z.string().nullish(),
  created_at: z.string().nullish(),
  modified_at: z.string().nullish(),
  custom_fields: z.array(AsanaCustomFieldValue).nullish(),
});
export type AsanaProject = z.infer<typeof AsanaProject>;

export const AsanaSection = z.looseObject({
  gid: z.string(),
  name: z.string(),
  project: Named.nullish(),
});
export type AsanaSection = z.infer<typeof AsanaSection>;

export const AsanaTask = z.looseObject({
  gid: z.string(),
  name: z.string(),
  completed: z.boolean().nullish(),
  completed_at: z.string().nullish(),
  notes: z.string().nullish(),
  html_notes: z.string().nullish(),
  permalink_url: z.string().nullish(),
  resource_subtype: z.string().nullish(),
  due_on: z.string().nullish(),
  modified_at: z.string().nullish(),
  memberships: z.array(z.looseObject({ project: Named.nullish(), section: Named.nullish() })).nullish(),
  custom_fields: z.array(AsanaCustomFieldValue).nullish(),
});
export type AsanaTask = z.infer<typeof AsanaTask>;
