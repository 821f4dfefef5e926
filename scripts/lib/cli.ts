import { parseArgs } from 'node:util';

import type { TenantFailure } from '../../server/tenants/add-tenant.js';

/** An expected failure of a command: what went wrong, why, and how to fix it. */
export type CliFailure = TenantFailure;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function formatFailure(failure: CliFailure): string[] {
  return [`error: ${failure.what}`, `  why: ${failure.why}`, `  fix: ${failure.fix}`];
}

type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;

/** Parses `--flag value` options; an unknown flag or a missing value is a CliFailure, never a throw. */
export function parseFlags<S extends FlagSpec>(
  argv: string[],
  spec: S,
  usage: string,
):
  | { ok: true; values: { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string } }
  | {
      ok: false;
      error: CliFailure;
    } {
  try {
    const { values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false });
    return { ok: true, values: values as never };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'bad_arguments',
        what: 'the command line could not be read',
        why: error instanceof Error ? error.message : String(error),
        fix: `usage: ${usage}`,
      },
    };
  }
}
