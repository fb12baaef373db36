/**
 * Every activity, built over its dependencies so workflows import only the type and undici/pino never enter the
 * workflow bundle. Each activity names its remote effect. Asana activities run on the `asana` task queue and Attio
 * activities on the `attio` queue, activities that only talk to Temporal on the workflow queue itself
 * (workers/create-workers.ts registers all of them on every queue; the workflow picks the queue).
 */
import type { AsanaClient } from '../asana/client';
import type { AttioClient } from '../attio/client';
import type { FieldMap } from '../mapping/field-map';
import { createAsanaActivities } from './asana';
import { createAttioActivities } from './attio';
import { createSyncHistoryActivities } from './attio-sync-history';
import { createTemporalActivities, type TemporalActivityDependencies } from './temporal';

export interface ActivityDependencies extends TemporalActivityDependencies {
  asana: AsanaClient;
  attio: AttioClient;
  fieldMap: FieldMap;
  /** The receiver's public base URL, for webhook targets. */
  receiverPublicUrl: string;
}

export const createActivities = (deps: ActivityDependencies) => ({
  ...createAsanaActivities(deps),
  ...createAttioActivities(deps),
  ...createSyncHistoryActivities(deps),
  ...createTemporalActivities(deps),

  /** Returns the gid of the user the Asana token belongs to. */
  async checkAsanaConnection(): Promise<string> {
    return (await deps.asana.getMe()).gid;
  },
  /** Returns the id of the Attio workspace the token belongs to. */
  async checkAttioConnection(): Promise<string> {
    const self = await deps.attio.getSelf();
    if (!self.active) throw new Error('Attio says this token is not active');
    return self.workspace_id ?? 'unknown workspace';
  },
});

export type Activities = ReturnType<typeof createActivities>;
