/**
 * Changes a person makes in Asana during a scenario: renames, notes, completion, stage moves, custom fields, new and
 * deleted tasks, drawn from a seeded generator so a run can be repeated. Each is made through the Asana stand-in's
 * store, which emits the events Asana would and routes them to the webhook.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { prng, STAGES } from '../stand-ins/asana/seed';
import type { ChaosStack } from './stack';

export interface ChangePlan {
  changes: number;
  /** The changes are spread evenly over this long. */
  overMs: number;
  seed?: number;
}

/** Makes `plan.changes` changes, spread over `plan.overMs`; resolves when the last is made. Returns how many. */
export async function makeChanges(stack: ChaosStack, plan: ChangePlan, label = 'c'): Promise<number> {
  const { store } = stack.asana;
  const { salesProjectGid, stageSectionGids, customFields } = stack.scene;
  const random = prng(plan.seed ?? 5);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const live = () =>
    [...store.tasks.values()].filter((t) => !t.deleted && t.memberships.some((m) => m.project === salesProjectGid));
  const start = Date.now();
  for (let i = 0; i < plan.changes; i += 1) {
    const due = start + (plan.overMs * i) / plan.changes;
    if (due > Date.now()) await sleep(due - Date.now());
    const tasks = live();
    const task = pick(tasks);
    const roll = random();
    if (roll < 0.3) store.updateTask(task.gid, { name: `${label}${i} ${task.name.replace(/^c\S* /, '')}` });
    else if (roll < 0.45) store.moveTask(task.gid, stageSectionGids[pick(STAGES)]!);
    else if (roll < 0.55) store.updateTask(task.gid, { completed: !task.completed });
    else if (roll < 0.7)
      store.updateTask(task.gid, { custom: { [customFields.dealSize]: Math.round(random() * 1e5) } });
    else if (roll < 0.8)
      store.updateTask(task.gid, { custom: { [customFields.priority]: pick(['High', 'Medium', 'Low']) } });
    else if (roll < 0.9) store.updateTask(task.gid, { notes: `Notes revised (${label}${i})` });
    else if (roll < 0.96)
      store.createTask({ project: salesProjectGid, section: stageSectionGids.Lead!, name: `${label}${i} New lead` });
    else if (tasks.length > 10) store.deleteTask(task.gid);
    else store.updateTask(task.gid, { due_on: '2027-01-15' });
  }
  return plan.changes;
}
