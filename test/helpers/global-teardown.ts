import { rmSync } from 'node:fs';
import type { DevServer } from '../../common/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __temporalDevServer?: DevServer }).__temporalDevServer;
  await server?.stop();
  if (process.env.TEST_DATA_DIR) rmSync(process.env.TEST_DATA_DIR, { recursive: true, force: true });
}
