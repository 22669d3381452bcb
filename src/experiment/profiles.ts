/**
 * Named experiment profiles: a profile is a partial configuration laid under the user's own (what
 * the user writes wins, key by key). Each profile's settings were chosen on the dev split
 * (levers/README.md); none was read off test figures.
 */

/** The profiles `--profile` and the configuration's `profile` key accept. */
export const PROFILES = {
  /** The 30-minute, three-seed comparison (issue 10's budget on this project's 2-core machine). */
  default: {},
  /**
   * Up to two hours here for stronger students: 128 bitext pairs a step instead of 64 at the same
   * step counts (twice the passes over the bitext). The lever study on dev (`bash scripts/levers.sh
   * batch-128`, seed 13) gave OT 0.374 against 0.321 and contrastive 0.330 against 0.268 macro
   * RR@10, higher in every help language for both losses.
   */
  full: { students: { optim: { batchSize: 128 } } },
} as const satisfies Record<string, Record<string, unknown>>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `over` laid on `under`: objects merged key by key, anything else (arrays included) replaced. */
function layer(under: unknown, over: unknown): unknown {
  if (!isPlainObject(under) || !isPlainObject(over)) return over === undefined ? under : over;
  const out: Record<string, unknown> = { ...under };
  for (const [k, v] of Object.entries(over)) out[k] = layer(under[k], v);
  return out;
}

/**
 * The raw configuration with its profile's settings laid underneath (the user's keys win). An
 * unknown profile name is left for the schema to refuse.
 * @example
 * ```ts
 * import { withProfile } from "xlir";
 * const raw = withProfile({ profile: "full", seeds: [1] }) as any;
 * console.assert(raw.students.optim.batchSize === 128 && raw.seeds[0] === 1);
 * // what the user wrote wins over the profile
 * const own = withProfile({ profile: "full", students: { optim: { batchSize: 32 } } }) as any;
 * console.assert(own.students.optim.batchSize === 32);
 * console.assert((withProfile({}) as any).students === undefined);
 * ```
 */
export function withProfile(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const name = raw.profile;
  if (typeof name !== "string" || !Object.hasOwn(PROFILES, name)) return raw;
  return layer(PROFILES[name as ProfileName], raw);
}
