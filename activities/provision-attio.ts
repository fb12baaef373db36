/**
 * Creates what the sync writes into in Attio: the projects, sections and task objects with their attributes, and the
 * Sales Tasks list with its stage (status) attribute and stages.
 *
 * In three steps, so that a dry run and a real run agree and a conflict never leaves Attio half-provisioned:
 * `readAttioForProvisioning` reads what Attio has (GETs and queries only), `planProvisioning` (pure) compares it with
 * what the scope needs, and `provisionAttioFor` writes only when the plan has no conflict, through the client's
 * idempotent `ensure*` calls (read first, create what is missing, read back after a 409 `slug_conflict`,
 * docs/attio.md §5), so a re-run after a scope change provisions only the difference.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type AttioAttributeType, type AttioClient, type AttributeSpec, firstPlainValue } from '../attio/client';
import { ATTIO_ERRORS } from '../common/error-types';
import { type CustomFieldMapping, linksProjectPeople, type Scope } from '../mapping/scope';
import { SYNC_ATTRIBUTES, SYNC_STATUSES } from './attio-sync-history';
import {
  FINGERPRINT,
  PROJECT_ATTRIBUTES,
  SALES_TASK_ENTRY_ATTRIBUTES,
  SECTION_ATTRIBUTES,
  TASK_RECORD_ATTRIBUTES,
} from '../mapping/map-asana-to-attio';
import type { ProvisionAttioResult, ProvisioningPlan, StageSection } from '../workflows/definitions';

const titleOf = (slug: string) =>
  slug
    .split('_')
    .map((word, i) => (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ')
    .replace(/\basana\b/i, 'Asana');

const fromTypes = (types: Record<string, string>, unique = 'asana_gid'): AttributeSpec[] =>
  Object.entries(types).map(([api_slug, type]) => ({
    api_slug,
    title: api_slug === unique ? 'Asana gid' : titleOf(api_slug),
    type: type as AttioAttributeType,
    is_unique: api_slug === unique,
  }));

const customFieldSpecs = (mappings: CustomFieldMapping[]): AttributeSpec[] =>
  mappings.map((m) => ({ api_slug: m.attio, title: m.title ?? m.asana, type: m.type }));

const fingerprint: AttributeSpec = { api_slug: FINGERPRINT, title: 'Asana sync fingerprint', type: 'text' };

/** The sync history people read on a record (activities/attio-sync-history.ts). */
const syncHistory: AttributeSpec[] = [
  { api_slug: SYNC_ATTRIBUTES.status, title: 'Asana sync status', type: 'select' },
  { api_slug: SYNC_ATTRIBUTES.syncedAt, title: 'Asana last synced at', type: 'timestamp' },
  { api_slug: SYNC_ATTRIBUTES.error, title: 'Asana last sync error', type: 'text' },
];

interface DesiredTarget {
  target: 'objects' | 'lists';
  slug: string;
  /** What creating it takes: the object's nouns, or the list's name and parent object. */
  create: { singular_noun: string; plural_noun: string } | { name: string; parent_object: string };
  attributes: AttributeSpec[];
  /** Select options the sync writes itself (the sync status); custom-field options are copied at write time. */
  options: { attribute: string; titles: readonly string[] }[];
}

/** The record-reference attribute that holds linked People (`people.attribute`). */
const peopleAttribute = (slug: string) => ({
  api_slug: slug,
  title: 'People',
  type: 'record-reference' as const,
  is_multiselect: true,
  config: { record_reference: { allowed_objects: ['people'] } },
});

/** Everything the scope needs in Attio, in the order it is created (a list's parent object before the list). */
export function desiredAttio(scope: Scope): DesiredTarget[] {
  const { projects, sections, salesTasks, people } = scope;
  const history = { attribute: SYNC_ATTRIBUTES.status, titles: SYNC_STATUSES };
  return [
    {
      target: 'objects',
      slug: projects.object,
      create: { singular_noun: projects.singularNoun, plural_noun: projects.pluralNoun },
      attributes: [
        ...fromTypes(PROJECT_ATTRIBUTES),
        ...customFieldSpecs(projects.customFields),
        ...(linksProjectPeople(scope) ? [peopleAttribute(people.attribute)] : []),
        fingerprint,
        ...syncHistory,
      ],
      options: [history],
    },
    {
      target: 'objects',
      slug: sections.object,
      create: { singular_noun: 'Asana section', plural_noun: 'Asana sections' },
      attributes: [...fromTypes(SECTION_ATTRIBUTES), ...syncHistory],
      options: [history],
    },
    {
      target: 'objects',
      slug: salesTasks.parentObject,
      create: { singular_noun: 'Asana task', plural_noun: 'Asana tasks' },
      attributes: [...fromTypes(TASK_RECORD_ATTRIBUTES), fingerprint],
      options: [],
    },
    {
      target: 'lists',
      slug: salesTasks.list,
      create: { name: salesTasks.listName, parent_object: salesTasks.parentObject },
      attributes: [
        ...fromTypes(SALES_TASK_ENTRY_ATTRIBUTES, ''),
        { api_slug: salesTasks.stageAttribute, title: 'Stage', type: 'status' },
        ...(people.enabled ? [peopleAttribute(people.attribute)] : []),
        ...customFieldSpecs(salesTasks.customFields),
        fingerprint,
        // A task's sync state is on its Sales Task entry: the entry is what every task sync writes.
        ...syncHistory,
      ],
      options: [history],
    },
  ];
}

/** What Attio has of what the scope needs: read by `readAttioForProvisioning`, compared by `planProvisioning`. */
export interface AttioSnapshot {
  /** By `objects/<slug>` or `lists/<slug>`: absent when Attio has none. */
  targets: Record<
    string,
    {
      parentObject?: string[];
      attributes: { api_slug: string; type: string; is_unique: boolean; is_archived: boolean }[];
      options: Record<string, { title: string; is_archived: boolean }[]>;
    }
  >;
  /** The Sales Tasks list's stages (statuses), archived ones included. */
  stages: { id: string; title: string; is_archived: boolean }[];
  /** The stage each section is tracked as (sections object: section gid → status id). */
  trackedSections: Record<string, string>;
}

const key = (target: { target: string; slug: string }) => `${target.target}/${target.slug}`;

/** Reads what `planProvisioning` compares: GET requests and record queries only, nothing is written. */
export async function readAttioForProvisioning(attio: AttioClient, scope: Scope): Promise<AttioSnapshot> {
  const [objects, lists] = await Promise.all([attio.listObjects(), attio.listLists()]);
  const snapshot: AttioSnapshot = { targets: {}, stages: [], trackedSections: {} };
  for (const desired of desiredAttio(scope)) {
    const list = lists.find((l) => l.api_slug === desired.slug);
    const exists = desired.target === 'lists' ? !!list : objects.some((o) => o.api_slug === desired.slug);
    if (!exists) continue;
    const attributes = await attio.listAttributes(desired.target, desired.slug, { showArchived: true });
    const options: AttioSnapshot['targets'][string]['options'] = {};
    for (const { attribute } of desired.options) {
      if (attributes.some((a) => a.api_slug === attribute && a.type === 'select')) {
        options[attribute] = await attio.listSelectOptions(desired.target, desired.slug, attribute, true);
      }
    }
    snapshot.targets[key(desired)] = { ...(list ? { parentObject: list.parent_object } : {}), attributes, options };
  }
  const { salesTasks, sections } = scope;
  const stageAttribute = snapshot.targets[`lists/${salesTasks.list}`]?.attributes.find(
    (a) => a.api_slug === salesTasks.stageAttribute && a.type === 'status',
  );
  if (stageAttribute) {
    snapshot.stages = (await attio.listStatuses('lists', salesTasks.list, salesTasks.stageAttribute, true)).map(
      (status) => ({ id: status.id.status_id, title: status.title, is_archived: status.is_archived }),
    );
  }
  if (snapshot.targets[`objects/${sections.object}`]) {
    for (const record of await attio.queryAllRecords(sections.object)) {
      const gid = firstPlainValue(record.values, 'asana_gid');
      const statusId = firstPlainValue(record.values, 'stage_status_id');
      if (typeof gid === 'string' && typeof statusId === 'string') snapshot.trackedSections[gid] = statusId;
    }
  }
  return snapshot;
}

/**
 * The plan: every object, list, attribute, select option and stage the scope needs, with what Attio has already,
 * what would be created or changed, and every conflict (a provisioning with conflicts writes nothing).
 */
export function planProvisioning(scope: Scope, snapshot: AttioSnapshot, stages: StageSection[]): ProvisioningPlan {
  const plan: ProvisioningPlan = { steps: [], conflicts: [] };
  const step = (action: ProvisioningPlan['steps'][number]['action'], what: string, detail?: string) =>
    plan.steps.push({ action, what, ...(detail ? { detail } : {}) });
  const conflict = (what: string, message: string) => {
    plan.conflicts.push(`${what}: ${message}`);
    step('conflict', what, message);
  };

  for (const desired of desiredAttio(scope)) {
    const noun = desired.target === 'lists' ? 'list' : 'object';
    const has = snapshot.targets[key(desired)];
    if (!has) step('create', `${noun} ${desired.slug}`, describeCreate(desired.create));
    else if ('parent_object' in desired.create && !has.parentObject?.includes(desired.create.parent_object)) {
      conflict(
        `list ${desired.slug}`,
        `exists for ${has.parentObject?.join(', ') || 'no'} records, but the sync adds ${desired.create.parent_object} records to it; rename the list in Attio or salesTasks.list in the scope`,
      );
    } else step('exists', `${noun} ${desired.slug}`);

    for (const spec of desired.attributes) {
      const what = `attribute ${desired.slug}.${spec.api_slug}`;
      const attribute = has?.attributes.find((a) => a.api_slug === spec.api_slug);
      const shape = `${spec.type}${spec.is_unique ? ', unique' : ''}`;
      if (!attribute) step('create', what, shape);
      else if (attribute.type !== spec.type) {
        conflict(
          what,
          `exists with type "${attribute.type}", but the sync needs "${spec.type}"; rename or archive it in Attio, or map the field to another attribute`,
        );
      } else if (spec.is_unique && !attribute.is_unique) {
        conflict(what, 'exists but is not unique, and the sync matches records on it; make it unique in Attio');
      } else if (attribute.is_archived) step('change', what, `${shape}; unarchive`);
      else step('exists', what, shape);
    }

    for (const { attribute, titles } of desired.options) {
      const existing = has?.options[attribute] ?? [];
      for (const title of titles) {
        const option = existing.find((o) => o.title === title);
        const what = `option ${desired.slug}.${attribute} "${title}"`;
        if (!option) step('create', what);
        else if (option.is_archived) step('change', what, 'unarchive');
        else step('exists', what);
      }
    }
  }

  const stageName = (id: string) => snapshot.stages.find((s) => s.id === id);
  for (const section of stages) {
    const what = `stage ${scope.salesTasks.list}.${scope.salesTasks.stageAttribute} "${section.name}"`;
    const tracked = snapshot.trackedSections[section.gid];
    const trackedStage = tracked ? stageName(tracked) : undefined;
    const sameTitle = snapshot.stages.find((s) => s.title === section.name);
    if (trackedStage && trackedStage.title !== section.name) {
      if (sameTitle) {
        conflict(
          what,
          `section ${section.gid} was renamed from "${trackedStage.title}", and another stage has the new name; rename or archive one of them in Attio`,
        );
      } else step('change', what, `section ${section.gid} renamed: "${trackedStage.title}" → "${section.name}"`);
    } else if (trackedStage)
      step(trackedStage.is_archived ? 'change' : 'exists', what, trackedStage.is_archived ? 'unarchive' : undefined);
    else if (sameTitle)
      step(
        sameTitle.is_archived ? 'change' : 'exists',
        what,
        sameTitle.is_archived ? 'unarchive' : `section ${section.gid}`,
      );
    else step('create', what, `section ${section.gid}`);
  }
  return plan;
}

const describeCreate = (create: DesiredTarget['create']) =>
  'parent_object' in create
    ? `"${create.name}", entries of ${create.parent_object}`
    : `"${create.singular_noun}" / "${create.plural_noun}"`;

const MARKS = { exists: '=', create: '+', change: '~', conflict: '!' } as const;

/** The plan as a diff for people: `+` would be created, `~` changed, `=` exists already, `!` conflict. */
export function formatProvisioningPlan(plan: ProvisioningPlan): string {
  const lines = plan.steps.map((s) => `${MARKS[s.action]} ${s.what}${s.detail ? `  (${s.detail})` : ''}`);
  const count = (action: keyof typeof MARKS) => plan.steps.filter((s) => s.action === action).length;
  lines.push(
    '',
    `${count('create')} to create, ${count('change')} to change, ${count('exists')} in place, ${plan.conflicts.length} conflict(s)`,
  );
  return lines.join('\n');
}

/** Refuses a plan with conflicts, listing every one, before anything is written. */
export function assertNoConflicts(plan: ProvisioningPlan): void {
  if (plan.conflicts.length === 0) return;
  throw ApplicationFailure.create({
    type: ATTIO_ERRORS.validation,
    message: `Attio provisioning stopped before its first write; ${plan.conflicts.length} conflict(s):\n${plan.conflicts.map((c) => `  - ${c}`).join('\n')}`,
    nonRetryable: true,
    details: [plan.conflicts],
  });
}

/**
 * Provisions what the scope needs: reads Attio, plans, refuses a plan with conflicts before any write, then creates
 * or changes only what the plan says is missing. `ensureStage` puts a section's stage in place (renaming it when
 * the section was renamed; activities/attio.ts).
 */
export async function provisionAttioFor(
  attio: AttioClient,
  scope: Scope,
  stages: StageSection[] = [],
  ensureStage?: (section: StageSection) => Promise<unknown>,
): Promise<ProvisionAttioResult> {
  const plan = planProvisioning(scope, await readAttioForProvisioning(attio, scope), stages);
  assertNoConflicts(plan);
  const created: string[] = [];
  const note = (what: string, ensured: { created: boolean }) => ensured.created && created.push(what);
  for (const desired of desiredAttio(scope)) {
    const { target, slug } = desired;
    if ('parent_object' in desired.create) {
      note(`list ${slug}`, await attio.ensureList({ api_slug: slug, ...desired.create }));
    } else note(`object ${slug}`, await attio.ensureObject({ api_slug: slug, ...desired.create }));
    for (const spec of desired.attributes) {
      note(
        `attribute ${slug}.${spec.api_slug}`,
        await attio.ensureAttribute(target, slug, { description: 'Written by asana-attio-sync', ...spec }),
      );
    }
    for (const { attribute, titles } of desired.options) {
      for (const title of titles) {
        note(`option ${slug}.${attribute}.${title}`, await attio.ensureSelectOption(target, slug, attribute, title));
      }
    }
  }
  // Idempotent per section: a tracked stage of the same name costs one read, a renamed section renames its stage.
  for (const section of stages) await ensureStage?.(section);
  created.push(...plan.steps.filter((s) => s.action === 'create' && s.what.startsWith('stage ')).map((s) => s.what));
  return { created, plan };
}
