/**
 * A minimal stand-in for the part of vitest's API the engine tests use (describe/it with skipIf,
 * beforeAll/afterAll, expect with the matchers below), so scripts/device-prepare.sh can bundle
 * test files into single .mjs files that run on a machine with Node but without node_modules (the
 * GPU machine of scripts/device-check.sh). The bundled test file registers its tests on import; they
 * run in order afterwards and one JSON line reports {file, passed, failed, skipped, failures, seconds};
 * the exit status is 1 when a test failed. Only for that check: the suite itself runs on vitest.
 */
type Fn = () => unknown;
interface Test {
  title: string;
  fn: Fn | null;
}
interface Suite {
  title: string;
  skip: boolean;
  tests: (Test | Suite)[];
  before: Fn[];
  after: Fn[];
}

const root: Suite = { title: "", skip: false, tests: [], before: [], after: [] };
let current = root;
let scheduled = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => void runAll(), 0);
}

function addSuite(title: string, fn: Fn, skip: boolean): void {
  const s: Suite = { title, skip: skip || current.skip, tests: [], before: [], after: [] };
  current.tests.push(s);
  const parent = current;
  current = s;
  try {
    fn();
  } finally {
    current = parent;
  }
  schedule();
}
function addTest(title: string, fn: Fn, skip: boolean): void {
  current.tests.push({ title, fn: skip || current.skip ? null : fn });
  schedule();
}

export const describe = Object.assign((title: string, fn: Fn) => addSuite(title, fn, false), {
  skipIf: (cond: unknown) => (title: string, fn: Fn) => addSuite(title, fn, Boolean(cond)),
  skip: (title: string, fn: Fn) => addSuite(title, fn, true),
});
export const it = Object.assign((title: string, fn: Fn) => addTest(title, fn, false), {
  skipIf: (cond: unknown) => (title: string, fn: Fn) => addTest(title, fn, Boolean(cond)),
  skip: (title: string, fn: Fn) => addTest(title, fn, true),
});
export const test = it;
export function beforeAll(fn: Fn): void {
  current.before.push(fn);
}
export function afterAll(fn: Fn): void {
  current.after.push(fn);
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length})`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? s.slice(0, 200) + "…" : s;
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b) || Array.isArray(a) || Array.isArray(b)) {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const x = a as ArrayLike<unknown>,
      y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function thrown(fn: unknown): { threw: boolean; error: unknown } {
  try {
    (fn as () => unknown)();
    return { threw: false, error: undefined };
  } catch (error) {
    return { threw: true, error };
  }
}

type Matchers = Record<string, (...args: never[]) => void>;

function matchers(actual: unknown, label: string | undefined, negate: boolean): Matchers {
  const check = (ok: boolean, what: string): void => {
    if (ok === negate)
      throw new Error(`${label ? label + ": " : ""}expected ${show(actual)} ${negate ? "not " : ""}${what}`);
  };
  return {
    toBe: (e: unknown) => check(Object.is(actual, e), `to be ${show(e)}`),
    toEqual: (e: unknown) => check(deepEqual(actual, e), `to equal ${show(e)}`),
    toBeNull: () => check(actual === null, "to be null"),
    toBeUndefined: () => check(actual === undefined, "to be undefined"),
    toBeDefined: () => check(actual !== undefined, "to be defined"),
    toBeTruthy: () => check(Boolean(actual), "to be truthy"),
    toBeFalsy: () => check(!actual, "to be falsy"),
    toBeTypeOf: (t: string) => check(typeof actual === t, `to be of type ${t}`),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) =>
      check(actual instanceof c, `to be an instance of ${c.name}`),
    toBeLessThan: (n: number) => check((actual as number) < n, `to be < ${n}`),
    toBeLessThanOrEqual: (n: number) => check((actual as number) <= n, `to be <= ${n}`),
    toBeGreaterThan: (n: number) => check((actual as number) > n, `to be > ${n}`),
    toBeGreaterThanOrEqual: (n: number) => check((actual as number) >= n, `to be >= ${n}`),
    toBeCloseTo: (n: number, digits = 2) =>
      check(Math.abs((actual as number) - n) < 10 ** -digits / 2, `to be close to ${n} (${digits} digits)`),
    toHaveLength: (n: number) => check((actual as { length: number }).length === n, `to have length ${n}`),
    toContain: (x: unknown) =>
      check(
        typeof actual === "string"
          ? actual.includes(x as string)
          : Array.from(actual as ArrayLike<unknown>).includes(x),
        `to contain ${show(x)}`,
      ),
    toMatch: (re: RegExp | string) =>
      check(typeof re === "string" ? String(actual).includes(re) : re.test(String(actual)), `to match ${re}`),
    toThrow: (want?: RegExp | string | (new (...a: never[]) => unknown)) => {
      const r = thrown(actual);
      const msg = r.error instanceof Error ? r.error.message : String(r.error);
      const ok =
        r.threw &&
        (want === undefined ||
          (typeof want === "string"
            ? msg.includes(want)
            : want instanceof RegExp
              ? want.test(msg)
              : r.error instanceof want));
      const what =
        want === undefined ? "" : typeof want === "function" ? ` ${want.name}` : ` ${String(want)}`;
      check(ok, `to throw${what} (${r.threw ? `threw: ${msg}` : "did not throw"})`);
    },
  };
}

export function expect(actual: unknown, label?: string): Matchers & { not: Matchers } {
  return Object.assign(matchers(actual, label, false), { not: matchers(actual, label, true) });
}

async function runSuite(
  s: Suite,
  path: string[],
  out: { passed: number; failed: number; skipped: number; failures: { test: string; error: string }[] },
): Promise<void> {
  const names = s.title ? [...path, s.title] : path;
  const live = !s.skip;
  try {
    if (live) for (const f of s.before) await f();
  } catch (err) {
    out.failed++;
    out.failures.push({
      test: [...names, "beforeAll"].join(" > "),
      error: err instanceof Error ? err.message : String(err),
    });
    return;
  }
  for (const t of s.tests) {
    if ("tests" in t) {
      await runSuite(t, names, out);
      continue;
    }
    if (!t.fn) {
      out.skipped++;
      continue;
    }
    try {
      await t.fn();
      out.passed++;
    } catch (err) {
      out.failed++;
      out.failures.push({
        test: [...names, t.title].join(" > "),
        error: (err instanceof Error ? err.message : String(err)).slice(0, 500),
      });
    }
  }
  if (live) for (const f of s.after) await f();
}

async function runAll(): Promise<void> {
  const t0 = performance.now();
  const out = { passed: 0, failed: 0, skipped: 0, failures: [] as { test: string; error: string }[] };
  await runSuite(root, [], out);
  const file = (globalThis as { __XLIR_TEST_FILE__?: string }).__XLIR_TEST_FILE__ ?? process.argv[1];
  process.stdout.write(
    JSON.stringify({ file, ...out, seconds: Math.round((performance.now() - t0) / 10) / 100 }) + "\n",
  );
  process.exitCode = out.failed ? 1 : 0;
}
