/**
 * POST /resync — starts a resync workflow from outside Temporal: the Attio app's record and bulk record actions (a
 * server function posting the Attio record ids with the shared secret of its workspace connection; attio-app/ and
 * docs/attio.md §11), the CLI, or any script. `Authorization: Bearer <RESYNC_API_TOKEN>`, compared in constant time.
 * The body is a ResyncInput (workflows/definitions.ts). Attio record ids are mapped to Asana gids by the workflow
 * (through the records' `asana_gid`), not here, so the answer never waits on Attio: it comes as soon as Temporal has
 * recorded the workflow, within `startTimeoutMs` or as a 503. The workflow id names the scope (common/workflow-ids.ts),
 * so a double click starts one resync. Each caller (by IP) gets a bounded number of requests a minute, then 429 with Retry-After.
 * Answers 202 with the workflow id; progress and result are in the Temporal UI.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Client } from '@temporalio/client';
import { startResync } from '../client/operations';
import type { Logger } from '../common/logger';
import { resyncWorkflowId } from '../common/workflow-ids';
import type { ResyncAction } from '../mapping/scope';
import type { ResyncInput } from '../workflows/definitions';
import { describeInputIssues, resyncInput } from '../workflows/inputs';
import { withinDeadline } from './within-deadline';

export interface ResyncRouteOptions {
  client: Client;
  logger: Logger;
  token: string;
  taskQueue: string;
  /** Requests one caller (IP) may make a minute; more get 429. @default 60 */
  requestsPerMinute?: number;
  /** Longest wait for Temporal to record the workflow before answering 503. @default 1000 */
  startTimeoutMs?: number;
  /** The kinds of resync offered (the scope's `backfill.resyncActions`). @default every kind */
  offered?: readonly ResyncAction[];
}

/** Which of the scope's resync actions a request is. */
export const resyncActionOf = (input: ResyncInput): ResyncAction =>
  'attio' in input
    ? 'attio-records'
    : 'resources' in input
      ? 'resources'
      : 'projectGid' in input
        ? 'project'
        : 'sectionGid' in input
          ? 'section'
          : 'stale';

const sameToken = (given: string, expected: string) => {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
};

export function mountResyncRoute(app: Express, options: ResyncRouteOptions): void {
  // Before authentication, so guessing the secret is throttled as much as using it.
  const perCaller = rateLimit({
    windowMs: 60_000,
    limit: options.requestsPerMinute ?? 60,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ error: 'too many resync requests from this caller; retry after the Retry-After delay' });
    },
  });
  const startTimeoutMs = options.startTimeoutMs ?? 1000;

  app.post('/resync', perCaller, express.json({ limit: '256kb' }), async (req, res) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !sameToken(token, options.token)) {
      res.status(401).json({ error: 'missing or wrong bearer token' });
      return;
    }
    // The resync workflow's own input schema, so the receiver accepts exactly what the workflow does.
    const parsed = resyncInput.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({
        error:
          'body must be {resources:[{gid,resource_type}]}, {attio:{object,recordIds}}, {projectGid}, {sectionGid} or ' +
          '{stale:true,projectGids}, each with an optional requestedBy:{source,workspaceMemberId}',
        issues: describeInputIssues(parsed.error).split('; '),
      });
      return;
    }
    const input: ResyncInput = parsed.data;
    const action = resyncActionOf(input);
    if (options.offered && !options.offered.includes(action)) {
      res.status(403).json({
        error: `the scope does not offer the "${action}" resync (backfill.resyncActions: ${options.offered.join(', ') || 'none'})`,
      });
      return;
    }
    // The id names the scope (resync-task-<gid>, …) and the summary says it in words, as for the CLI's resyncs.
    const workflowId = resyncWorkflowId(input);
    try {
      await withinDeadline(options.client, startTimeoutMs, () => startResync(options.client, input, options.taskQueue));
    } catch (error) {
      options.logger.error({ err: error }, 'could not start resync');
      res.status(503).json({ error: 'could not queue the resync; retry later' });
      return;
    }
    options.logger.info({ workflowId, source: input.requestedBy?.source }, 'resync started');
    res.status(202).json({ workflowId });
  });
}
