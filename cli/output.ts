/** Output of data: JSON with `--json` (for scripts and monitoring), aligned lines for people otherwise. */

export interface JsonOption {
  json?: boolean;
}

/** Prints `data` as JSON, or the human lines `describe` makes of it. */
export function print<T>(options: JsonOption, data: T, describe: (data: T) => string[]): void {
  if (options.json) console.log(JSON.stringify(data, null, 2));
  else for (const line of describe(data)) console.log(line);
}

/** `label:   value` with the values aligned; undefined or empty values are left out. */
export const field = (label: string, value: string | number | undefined, width = 14): string[] =>
  value === undefined || value === '' ? [] : [`${`${label}:`.padEnd(width)}${value}`];

/** The help section every command ends with. */
export const examples = (...lines: string[]): string =>
  `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((line) => `  $ npm run cli -- ${line}`).join('\n')}\n`;
