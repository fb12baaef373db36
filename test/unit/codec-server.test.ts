/**
 * The codec server as the Temporal Web UI uses it: payloads in proto3 JSON posted to /decode and /encode from the
 * UI's origin, answered with the same payloads decrypted or encrypted; any other web page is refused.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { codecServerOrigins, createCodecServerApp } from '../../common/codec-server';
import { createLogger } from '../../common/logger';
import { EncryptionCodec } from '../../common/payload-codec';
import { listen, type RunningServer } from '../../common/listen';

const UI = 'http://localhost:8233';
const codec = new EncryptionCodec(Buffer.alloc(32, 7));
let server: RunningServer;
let base: string;

beforeAll(async () => {
  const app = createCodecServerApp({
    codec,
    allowedOrigins: codecServerOrigins({ TEMPORAL_UI_PORT: 8233 }),
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  server = await listen(app, 0, '127.0.0.1', 'CODEC_SERVER_PORT');
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

// The UI's proto3 JSON form of a payload, as the proto classes write and read it.
const ProtoPayload = temporal.api.common.v1.Payload;
const toJson = (payload: Payload) => ProtoPayload.toObject(ProtoPayload.fromObject(payload), { bytes: String });
const fromJson = (payload: { metadata: Record<string, string>; data: string }): Payload =>
  ProtoPayload.fromObject(payload);

function post(path: string, body: unknown, origin: string | undefined = UI) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...(origin ? { origin } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const value = { resourceGid: '1210000000000013', secrets: ['not-a-real-secret'] };

test('decodes what the service encrypted, for the UI’s origin', async () => {
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  const response = await post('/decode', { payloads: [toJson(encrypted!)] });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe(UI);
  const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  expect(payloads).toHaveLength(1);
  expect(defaultPayloadConverter.fromPayload(fromJson(payloads[0]!))).toEqual(value);
});

test('encodes what the UI sends (a signal’s input), so the workers can decrypt it', async () => {
  const plain = defaultPayloadConverter.toPayload({ action: 'changed', source: 'resync' });
  const response = await post('/encode', { payloads: [toJson(plain)] });
  expect(response.status).toBe(200);
  const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  const encrypted = fromJson(payloads[0]!);
  expect(Buffer.from(encrypted.metadata!.encoding!).toString()).toBe('binary/encrypted');
  expect(Buffer.from(encrypted.data!).toString()).not.toContain('resync');
  const [decoded] = await codec.decode([encrypted]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ action: 'changed', source: 'resync' });
});

test('answers the UI’s CORS preflight', async () => {
  const response = await fetch(`${base}/decode`, {
    method: 'OPTIONS',
    headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-namespace' },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe(UI);
  expect(response.headers.get('access-control-allow-headers')).toContain('x-namespace');
});

test('refuses any other web page, decrypting nothing', async () => {
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  const response = await post('/decode', { payloads: [toJson(encrypted!)] }, 'http://evil.example');
  expect(response.status).toBe(403);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(await response.text()).not.toContain('not-a-real-secret');
  const preflight = await fetch(`${base}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
  expect(preflight.status).toBe(403);
});

test('says what is wrong with a body that is not payloads, or payloads under another key', async () => {
  const notPayloads = await post('/decode', { payloads: [{ data: 'not base64!' }] });
  expect(notPayloads.status).toBe(400);
  expect(((await notPayloads.json()) as { error: string }).error).toContain('"payloads"');

  const notJson = await post('/decode', '{"payloads": [');
  expect(notJson.status).toBe(400);

  const [otherKey] = await new EncryptionCodec(Buffer.alloc(32, 9)).encode([defaultPayloadConverter.toPayload(value)]);
  const wrongKey = await post('/decode', { payloads: [toJson(otherKey!)] });
  expect(wrongKey.status).toBe(400);
  const { error } = (await wrongKey.json()) as { error: string };
  expect(error).toMatch(/could not decode the payloads: payload encrypted with unknown key id/);
});

test('passes through payloads that were never encrypted (search attributes, older history)', async () => {
  const plain = defaultPayloadConverter.toPayload('ok');
  const response = await post('/decode', { payloads: [toJson(plain)] }, undefined);
  expect(response.status).toBe(200);
  const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  expect(defaultPayloadConverter.fromPayload(fromJson(payloads[0]!))).toBe('ok');
});

test('answers `{}` (how the `temporal` CLI asks for a query with no arguments) with no payloads', async () => {
  const response = await post('/encode', {}, undefined);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ payloads: [] });
});

describe('with CODEC_SERVER_TOKEN', () => {
  const token = 'codec-token-0123456789abcdef';
  let guarded: RunningServer;
  let guardedBase: string;
  beforeAll(async () => {
    const app = createCodecServerApp({
      codec,
      allowedOrigins: codecServerOrigins({ TEMPORAL_UI_PORT: 8233 }),
      token,
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    guarded = await listen(app, 0, '127.0.0.1', 'CODEC_SERVER_PORT');
    guardedBase = `http://127.0.0.1:${guarded.port}`;
  });
  afterAll(() => guarded.close());

  const decodeWith = async (authorization?: string) => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
    return fetch(`${guardedBase}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: UI, ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ payloads: [toJson(encrypted!)] }),
    });
  };

  test('decrypts nothing without the token, or with another one', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', token]) {
      const response = await decodeWith(authorization);
      expect([authorization, response.status]).toEqual([authorization, 401]);
      expect(await response.text()).not.toContain('not-a-real-secret');
    }
  });

  test('decodes for a caller with the token, and still answers the UI’s preflight without it', async () => {
    const response = await decodeWith(`Bearer ${token}`);
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(defaultPayloadConverter.fromPayload(fromJson(payloads[0]!))).toEqual(value);

    const preflight = await fetch(`${guardedBase}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
  });
});
