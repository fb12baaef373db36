/**
 * The Temporal dynamic config of this service (deploy/temporal/dynamic-config.yaml), read once for every server that
 * runs it: the embedded dev server takes each value as `--dynamic-config-value key=<JSON>`, `npm run scale` and
 * docker-compose.yml give the server the file itself.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const DYNAMIC_CONFIG_FILE = resolve(__dirname, '../deploy/temporal/dynamic-config.yaml');

const dynamicConfigSchema = z.record(
  z.string(),
  z.array(z.object({ value: z.unknown(), constraints: z.record(z.string(), z.unknown()).optional() })).min(1),
);

/** Every setting's value for all namespaces and task queues (the file sets no constrained values). */
export function dynamicConfigValues(file = DYNAMIC_CONFIG_FILE): Record<string, unknown> {
  const settings = dynamicConfigSchema.parse(parse(readFileSync(file, 'utf8')));
  return Object.fromEntries(
    Object.entries(settings).map(([key, values]) => {
      const unconstrained = values.filter((v) => !v.constraints || Object.keys(v.constraints).length === 0);
      if (unconstrained.length !== 1) throw new Error(`${file}: ${key} needs exactly one unconstrained value`);
      return [key, unconstrained[0]!.value];
    }),
  );
}

/** The dev server's arguments for the same settings. */
export const dynamicConfigCliArgs = (file = DYNAMIC_CONFIG_FILE): string[] =>
  Object.entries(dynamicConfigValues(file)).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
