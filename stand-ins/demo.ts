/**
 * The demo's world: an Asana stand-in seeded with an agency's workspace (a Sales Tasks project whose sections are the
 * sales stages, delivery projects, tasks with custom fields and client emails in their notes) and an empty Attio
 * stand-in, plus the field map that maps one onto the other. Used by `npm start` without credentials.
 */
import { parseFieldMap, type FieldMap } from '../mapping/field-map';
import { type AsanaStandIn, startAsanaStandIn } from './asana/server';
import { type Scene, sceneFieldMap, seedScene } from './asana/seed';
import { type AttioStandIn, startAttioStandIn } from './attio/server';
import { StandInClock } from './kit/clock';

export interface DemoStandIns {
  asana: AsanaStandIn;
  attio: AttioStandIn;
  scene: Scene;
  tokens: { asana: string; attio: string };
  fieldMap: FieldMap;
  close(): Promise<void>;
}

export async function startDemoStandIns(options: {
  asanaPort: number;
  attioPort: number;
  seed?: number;
}): Promise<DemoStandIns> {
  const clock = new StandInClock();
  const asana = await startAsanaStandIn({ port: options.asanaPort, clock, allowLoopbackTargets: true });
  let attio: AttioStandIn;
  try {
    attio = await startAttioStandIn({ port: options.attioPort, clock });
  } catch (error) {
    await asana.close();
    throw error;
  }
  const scene = seedScene(asana.store, { seed: options.seed ?? 7, projects: 4, tasksPerProject: 6 });
  const fieldMap = parseFieldMap(sceneFieldMap(scene, { people: true }));
  return {
    asana,
    attio,
    scene,
    tokens: { asana: asana.token, attio: attio.token },
    fieldMap,
    close: async () => {
      await asana.close();
      await attio.close();
    },
  };
}
