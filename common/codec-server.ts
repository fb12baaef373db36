/**
 * A codec server for the Temporal Web UI: every payload this service stores is encrypted (common/payload-codec.ts),
 * so without it the UI shows workflow inputs, results, signals and queries as ciphertext. The UI posts payloads from
 * the operator's browser to `<endpoint>/decode` (and `/encode` when an operator sends a signal or starts a workflow
 * with input), as Temporal's codec server protocol describes; this answers with the same payloads decrypted.
 *
 * By default it listens on 127.0.0.1 only, so it is reachable from the operator's own browser and nowhere else; a
 * codec server shared by a team (CODEC_SERVER_HOST) must require a bearer token (CODEC_SERVER_TOKEN). It answers
 * only pages from the configured Web UI origins: another page open in the same browser cannot use it to decrypt.
 * `npm start` runs it next to the embedded dev server; with a Temporal cluster elsewhere, an operator runs
 * `npm run cli -- codec-server` on their own machine and sets the UI's codec endpoint to it (docs: README).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { createPayloadCodec } from '../common/temporal-connection';
import { listen, type RunningServer } from './listen';

/** A payload as the UI sends it: proto3 JSON, bytes as base64 (checked here, converted by the proto classes). */
const jsonPayload = z.object({
  metadata: z.record(z.string(), z.base64()).optional(),
  data: z.base64().optional(),
});
/** `{}` is how the `temporal` CLI asks for a query with no arguments: no payloads, nothing to do. */
const codecRequest = z.object({ payloads: z.array(jsonPayload).default([]) });

const ProtoPayload = temporal.api.common.v1.Payload;
const toJson = (payload: Payload) => ProtoPayload.toObject(ProtoPayload.fromObject(payload), { bytes: String });

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins of the Temporal Web UI allowed to call (for example `http://localhost:8233`). */
  allowedOrigins: string[];
  /**
   * When set, every /decode and /encode must carry `Authorization: Bearer <token>` (the CLI's `--codec-auth`), so a
   * codec server shared by a team decrypts only for those given the token. Unset: loopback and the origin check only.
   */
  token?: string;
  logger: Logger;
}

/** Compares in constant time, so the answer's timing says nothing about how much of a guess was right. */
function hasBearerToken(header: string | undefined, token: string): boolean {
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  const actual = createHash('sha256')
    .update(header ?? '')
    .digest();
  return timingSafeEqual(expected, actual);
}

export function createCodecServerApp(options: CodecServerOptions): express.Express {
  const allowed = new Set(options.allowedOrigins.map((url) => new URL(url).origin));
  const app = express();
  app.disable('x-powered-by');

  // CORS for the UI's origins only. A request without an Origin header comes from a local tool, not a web page.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      res.status(403).json({ error: `origin ${origin} is not an allowed Temporal Web UI origin` });
      return;
    }
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  });

  if (options.token !== undefined) {
    const token = options.token;
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (hasBearerToken(req.headers.authorization, token)) return next();
      res.setHeader('WWW-Authenticate', 'Bearer realm="codec"');
      res.status(401).json({ error: 'this codec server needs Authorization: Bearer <CODEC_SERVER_TOKEN>' });
    });
  }

  app.use(express.json({ limit: '8mb' }));

  for (const direction of ['decode', 'encode'] as const) {
    app.post(`/${direction}`, async (req: Request, res: Response) => {
      const parsed = codecRequest.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: `expected {"payloads": [{"metadata": {…}, "data": "<base64>"}]}` });
        return;
      }
      try {
        const payloads = await options.codec[direction](parsed.data.payloads.map((p) => ProtoPayload.fromObject(p)));
        res.json({ payloads: payloads.map(toJson) });
      } catch (error) {
        // The message names the problem (an unknown key id, a damaged payload), never a payload's content.
        const message = error instanceof Error ? error.message : String(error);
        options.logger.warn({ direction, error: message }, 'codec server could not process payloads');
        res.status(400).json({ error: `could not ${direction} the payloads: ${message}` });
      }
    });
  }

  // Bad JSON from express.json, or a body over the limit.
  app.use((error: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    res.status(error.status && error.status < 500 ? error.status : 500).json({ error: error.message });
  });
  return app;
}

/** The UI origins a codec server started with this config answers: the embedded UI's, and TEMPORAL_UI_URL's. */
export function codecServerOrigins(env: { TEMPORAL_UI_PORT: number; TEMPORAL_UI_URL?: string }): string[] {
  return [
    `http://localhost:${env.TEMPORAL_UI_PORT}`,
    `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
    ...(env.TEMPORAL_UI_URL ? [env.TEMPORAL_UI_URL] : []),
  ];
}

/** Serves the codec server for this config on CODEC_SERVER_HOST:CODEC_SERVER_PORT, with the service's own keys. */
export function startCodecServer(config: Config, logger: Logger): Promise<RunningServer> {
  const app = createCodecServerApp({
    codec: createPayloadCodec(config),
    allowedOrigins: codecServerOrigins(config.env),
    token: config.env.CODEC_SERVER_TOKEN,
    logger,
  });
  return listen(app, config.env.CODEC_SERVER_PORT, config.env.CODEC_SERVER_HOST, 'CODEC_SERVER_PORT');
}
