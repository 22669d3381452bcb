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
   * Up to two hours here for stronger students: 128 bitext pairs a step instead of 64, twice the
   * steps of each loss (OT 4,000, contrastive 2,000): four times the passes over the bitext; and
   * OT's learning rate four times the sweep's (0.002; contrastive keeps its 0.001, the rest as the
   * dev sweep chose). All from the lever study on dev (seed 13, macro RR@10): batch 128 gave OT
   * 0.374 against 0.321 and contrastive 0.330 against 0.268 (`bash scripts/levers.sh batch-128`);
   * twice the steps on top of it gave OT 0.434 against 0.406 and contrastive 0.396 against 0.318
   * (`REFERENCE=full-1x bash scripts/levers.sh full-1x full-steps-2x`); twice both learning rates
   * on top of that gave OT 0.465 against 0.434 (every help language up) and contrastive 0.380
   * against 0.396, so only OT's was kept (`REFERENCE=full-steps-2x bash scripts/levers.sh
   * full-lr-2x`); a third rate for each loss, in the direction its two runs pointed, gave OT 0.487
   * at 0.002 against 0.465 at 0.001 and contrastive 0.361 at 0.0005 against 0.396 at 0.001, so
   * again only OT's moved (`REFERENCE=full bash scripts/levers.sh full full-lr-third`).
   */
  full: {
    students: {
      optim: { batchSize: 128 },
      perLoss: { ot: { steps: 4000, learningRate: 0.002 }, contrastive: { steps: 2000 } },
    },
  },
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
  return layer(withoutSharedOverrides(PROFILES[name as ProfileName], raw), raw);
}

/**
 * The settings written at the shared level that apply to every loss: [section of `students`, key
 * there, key of a `students.perLoss` entry]. A profile's per-loss value gives way to them here, the
 * built-in per-loss defaults in config.ts.
 */
export const SHARED_LOSS_KEYS: ReadonlyArray<
  readonly [section: string, key: string, lossKey: "steps" | "learningRate" | "epsilon" | "temperature"]
> = [
  ["optim", "steps", "steps"],
  ["optim", "learningRate", "learningRate"],
  ["ot", "epsilon", "epsilon"],
  ["contrastive", "temperature", "temperature"],
];

/**
 * The profile without its per-loss values of the settings the user wrote at the shared level: the
 * user's `students.optim.steps` applies to every loss, as it does without a profile.
 */
function withoutSharedOverrides(profile: Record<string, unknown>, raw: Record<string, unknown>): unknown {
  const students = isPlainObject(raw.students) ? raw.students : {};
  const perLoss = isPlainObject(profile.students) ? profile.students.perLoss : undefined;
  if (!isPlainObject(perLoss)) return profile;
  const copy = structuredClone(profile) as { students: { perLoss: Record<string, Record<string, unknown>> } };
  for (const [section, key, lossKey] of SHARED_LOSS_KEYS) {
    const sec = students[section];
    if (!isPlainObject(sec) || sec[key] === undefined) continue;
    for (const entry of Object.values(copy.students.perLoss)) delete entry[lossKey];
  }
  return copy;
}
