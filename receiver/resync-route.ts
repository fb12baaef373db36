/**
 * POST /resync — starts a resync workflow from outside Temporal, for an Attio App SDK record action or bulk record
 * action (a server function calling out with the shared secret from its workspace connection; docs/attio.md
 * §11). `Authorization: Bearer <RESYNC_API_TOKEN>`, compared in constant time. The body is a ResyncInput
 * (workflows/definitions.ts). The workflow id is derived from the body, so a double click starts one resync.
 * Answers 202 with the workflow id; progress and result are in the Temporal UI.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express } from 'express';
import { type Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import { z } from 'zod';
import type { Logger } from '../common/logger';
import type { resync } from '../workflows';
import type { ResyncInput } from '../workflows/definitions';

const Gid = z.string().regex(/^\d{1,30}$/, 'an Asana gid (decimal string)');
export const ResyncBody = z.union([
  z.strictObject({
    resources: z
      .array(z.strictObject({ gid: Gid, resource_type: z.enum(['project', 'section', 'task']) }))
      .min(1)
      .max(1000),
  }),
  z.strictObject({ projectGid: Gid }),
  z.strictObject({ sectionGid: Gid }),
  z.strictObject({ stale: z.literal(true), projectGids: z.array(Gid).min(1).max(100) }),
]);

export interface ResyncRouteOptions {
  client: Client;
  logger: Logger;
  token: string;
  taskQueue: string;
}

/** One workflow per distinct request, so a repeated request joins the running resync. */
export const resyncWorkflowId = (input: ResyncInput) =>
  `resync-${createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16)}`;

const sameToken = (given: string, expected: string) => {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
};

export function mountResyncRoute(app: Express, options: ResyncRouteOptions): void {
  app.post('/resync', express.json({ limit: '256kb' }), async (req, res) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !sameToken(token, options.token)) {
      res.status(401).json({ error: 'missing or wrong bearer token' });
      return;
    }
    const parsed = ResyncBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: 'body must be {resources:[{gid,resource_type}]}, {projectGid}, {sectionGid} or {stale:true,projectGids}',
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return;
    }
    const input: ResyncInput = parsed.data;
    const workflowId = resyncWorkflowId(input);
    try {
      await options.client.workflow.start<typeof resync>('resync', {
        workflowId,
        taskQueue: options.taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
    } catch (error) {
      options.logger.error({ err: error }, 'could not start resync');
      res.status(503).json({ error: 'could not start the resync; retry later' });
      return;
    }
    options.logger.info({ workflowId }, 'resync started');
    res.status(202).json({ workflowId });
  });
}
