/**
 * Deterministic Asana data for tests, the demo and benchmarks: the same seed gives the same names, notes, emails,
 * custom-field values and memberships (gids are allocated in order, so they repeat too for a fresh stand-in).
 */
import type { AsanaStore, CustomValue, Project, Section, Task } from './store';

/** mulberry32: a small seeded PRNG (no Math.random, so scenes are reproducible). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const CLIENTS = ['Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Soylent', 'Acme'];
const FIRST = ['Maria', 'Chen', 'Amara', 'Lukas', 'Priya', 'Diego', 'Noor', 'Sven', 'Aiko', 'Tomás'];
const LAST = ['Gomez', 'Wu', 'Okafor', 'Berg', 'Raman', 'Silva', 'Haddad', 'Lund', 'Sato', 'Ruiz'];
const VERBS = ['Send proposal to', 'Call', 'Prepare demo for', 'Follow up with', 'Draft contract for', 'Kick-off with'];
export const STAGES = ['Lead', 'Qualified', 'Proposal', 'Won', 'Lost'];

export interface SeedOptions {
  seed?: number;
  projects?: number;
  sectionsPerProject?: number;
  tasksPerProject?: number;
}

export interface Scene {
  workspaceGid: string;
  /** The team every seeded project belongs to. */
  teamGid: string;
  /** The Sales Tasks source project: its sections are stages. */
  salesProjectGid: string;
  projectGids: string[];
  stageSectionGids: Record<string, string>;
  customFields: { dealSize: string; priority: string; clientTier: string };
  taskGids: string[];
}

function person(random: () => number) {
  const first = FIRST[Math.floor(random() * FIRST.length)]!;
  const last = LAST[Math.floor(random() * LAST.length)]!;
  const client = CLIENTS[Math.floor(random() * CLIENTS.length)]!;
  const domain = `${client.toLowerCase().replace(/[^a-z]/g, '')}.example`;
  return { first, last, client, email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}` };
}

/**
 * A workspace with a Sales Tasks project (sections Lead → Lost) and `projects - 1` delivery projects, each with
 * sections and tasks that carry custom fields and a client's email address in their notes.
 */
export function seedScene(store: AsanaStore, options: SeedOptions = {}): Scene {
  const random = prng(options.seed ?? 42);
  const projectsCount = Math.max(1, options.projects ?? 4);
  const tasksPerProject = options.tasksPerProject ?? 6;
  const workspace = store.addWorkspace('Acme Agency');
  const dealSize = store.addCustomField({ name: 'Deal size', type: 'number' });
  const priority = store.addCustomField({ name: 'Priority', type: 'enum', options: ['High', 'Medium', 'Low'] });
  const clientTier = store.addCustomField({ name: 'Client tier', type: 'enum', options: ['Gold', 'Silver', 'Bronze'] });
  const team = store.addTeam(workspace.gid, 'Client Services').gid;

  const projects: Project[] = [];
  const sales = store.createProject({
    workspace: workspace.gid,
    name: 'Sales Tasks',
    team,
    customFields: [dealSize.gid, priority.gid, clientTier.gid],
    custom: { [clientTier.gid]: 'Gold' },
  });
  projects.push(sales);
  const stageSections: Record<string, string> = {};
  for (const stage of STAGES) stageSections[stage] = store.createSection(sales.gid, stage).gid;
  for (let i = 1; i < projectsCount; i += 1) {
    const client = CLIENTS[i % CLIENTS.length]!;
    projects.push(
      store.createProject({
        workspace: workspace.gid,
        name: `${client} – delivery ${Math.floor(i / CLIENTS.length) + 1}`,
        team,
        customFields: [dealSize.gid, priority.gid, clientTier.gid],
        custom: { [clientTier.gid]: ['Gold', 'Silver', 'Bronze'][i % 3]! },
      }),
    );
  }

  const taskGids: string[] = [];
  for (const project of projects) {
    let sections: Section[];
    if (project === sales) {
      sections = STAGES.map((stage) => store.sections.get(stageSections[stage]!)!);
    } else {
      sections = Array.from({ length: options.sectionsPerProject ?? 3 }, (_, i) =>
        store.createSection(project.gid, ['To do', 'Doing', 'Done', 'Blocked', 'Review'][i % 5]!),
      );
    }
    for (let t = 0; t < tasksPerProject; t += 1) {
      const p = person(random);
      const custom: Record<string, CustomValue> = {
        [dealSize.gid]: Math.round(random() * 50) * 1000,
        [priority.gid]: ['High', 'Medium', 'Low'][Math.floor(random() * 3)]!,
      };
      const task: Task = store.createTask({
        project: project.gid,
        section: sections[Math.floor(random() * sections.length)]!.gid,
        name: `${VERBS[Math.floor(random() * VERBS.length)]} ${p.client}`,
        notes: `Contact: ${p.first} ${p.last} <${p.email}>. Budget discussed on the last call.`,
        due_on: `2026-12-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
        custom,
      });
      taskGids.push(task.gid);
    }
  }
  // Seeding is history, not a change anyone should be told about.
  store.events.length = 0;
  return {
    workspaceGid: workspace.gid,
    teamGid: team,
    salesProjectGid: sales.gid,
    projectGids: projects.map((p) => p.gid),
    stageSectionGids: stageSections,
    customFields: { dealSize: dealSize.gid, priority: priority.gid, clientTier: clientTier.gid },
    taskGids,
  };
}

/**
 * The field map that maps a seeded scene: its two Sales Task custom fields and the project's client tier. The demo,
 * the test stacks and the chaos suite all run this one (input form, for `parseFieldMap` or a FIELD_MAP_FILE).
 */
export function sceneFieldMap(scene: Scene, options: { people: boolean }) {
  return {
    projects: {
      customFields: [
        { asana: scene.customFields.clientTier, attio: 'client_tier', type: 'select' as const, title: 'Client tier' },
      ],
    },
    salesTasks: {
      sourceProjectGid: scene.salesProjectGid,
      customFields: [
        { asana: scene.customFields.dealSize, attio: 'deal_size', type: 'number' as const, title: 'Deal size' },
        { asana: scene.customFields.priority, attio: 'priority', type: 'select' as const, title: 'Priority' },
      ],
    },
    people: options.people ? { enabled: true, createMissing: true } : { enabled: false },
  };
}
