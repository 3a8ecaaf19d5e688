/** Option values of the CLI, checked, with errors that say what to write instead. */
import type { ConnectionSpecs } from '../core/framing/framingSpec';
import type { Values } from './main';

/** A mistake in how a command was called. */
export class UsageError extends Error {}

/** A required string option. */
export function required(values: Values, name: string, example: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '')
    throw new UsageError(`--${name} is required, e.g. --${name} ${example}`);
  return v;
}

/** An optional whole-number option within bounds. */
export function intOption(
  values: Values,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(
      `--${name} takes a whole number from ${min} to ${max}, got "${String(v)}"`,
    );
  }
  return Number(v);
}

/** The framing of both directions from --framing or --client-framing/--server-framing. */
export function framingOption(values: Values): string | ConnectionSpecs {
  const both = values.framing as string | undefined;
  const c2s = values['client-framing'] as string | undefined;
  const s2c = values['server-framing'] as string | undefined;
  if (both !== undefined && (c2s !== undefined || s2c !== undefined)) {
    throw new UsageError(
      'give either --framing, or --client-framing and --server-framing, not both',
    );
  }
  if (both !== undefined) return both;
  if (c2s !== undefined || s2c !== undefined) return { c2s: c2s ?? 'line', s2c: s2c ?? 'line' };
  return 'line';
}
