/**
 * Data-parallel collectives on libtorch's distributed engine (c10d, native/xlir_dist.cc): a
 * TCPStore rendezvous served by rank 0 and a gloo process group. All ranks must make the same
 * calls in the same order with tensors of the same shapes and dtypes.
 *
 * Failures of the collective (a peer died, hung past the timeout) surface as XlirError
 * INTERRUPTED naming the operation and the rank; a run stopped that way resumes from its
 * checkpoint when started again.
 */
import { XlirError } from "../errors.js";
import { native, type Handle } from "./torch-native.js";
import { tensor } from "./torch-ops.js";
import { tidy, type Tensor } from "./torch.js";

/** An opaque process-group handle owned by the addon. */
type GroupHandle = { readonly __groupHandle: unique symbol };

/** The c10d part of the addon (registered by native/xlir_dist.cc). */
interface NativeDist {
  distInit(o: {
    rank: number;
    worldSize: number;
    masterAddr: string;
    masterPort: number;
    timeoutMs: number;
    rendezvousTimeoutMs: number;
  }): GroupHandle;
  distAllreduce(g: GroupHandle, tensors: Handle[], op: ReduceOp): void;
  distAllreduceGrads(g: GroupHandle, params: Handle[], average: boolean): number;
  distBroadcast(g: GroupHandle, tensors: Handle[], root: number): void;
  distBarrier(g: GroupHandle): void;
  distDestroy(g: GroupHandle): void;
}

function nativeDist(): NativeDist {
  const n = native() as unknown as Partial<NativeDist>;
  if (typeof n.distInit !== "function")
    throw new XlirError(
      "NATIVE_MISSING",
      "the libtorch binding was built without native/xlir_dist.cc: run `npm run build:native`",
    );
  return n as NativeDist;
}

export type ReduceOp = "sum" | "avg" | "min" | "max";

/** Where and how a rank joins its group. */
export interface DistributedOptions {
  /** This process's rank, 0..worldSize-1. */
  rank: number;
  worldSize: number;
  /** Address of rank 0's TCPStore (e.g. 127.0.0.1). */
  masterAddr: string;
  masterPort: number;
  /** Local rank on this machine (torchrun's LOCAL_RANK; informational on CPU). */
  localRank?: number;
  /** Collective timeout in ms (default 300 000): a silent peer fails the run after this. */
  timeoutMs?: number;
  /** How long ranks wait for each other to start, in ms (default: timeoutMs). */
  rendezvousTimeoutMs?: number;
}

export const DEFAULT_DIST_TIMEOUT_MS = 300_000;

/**
 * A joined gloo process group.
 * @example
 * ```ts
 * import { freeLoopbackPort, ProcessGroup, XlirError } from "xlir";
 * const masterPort = await freeLoopbackPort();
 * // a group of one rank: every collective returns this rank's own values
 * const g = ProcessGroup.init({ rank: 0, worldSize: 1, masterAddr: "127.0.0.1", masterPort, timeoutMs: 10_000 });
 * console.assert(g.worldSize === 1 && g.localRank === 0);
 * console.assert(g.allreduceNumbers([1, 2.5], "sum").join() === "1,2.5");
 * g.barrier();
 * g.destroy();
 * let code = "";
 * try {
 *   ProcessGroup.init({ rank: 2, worldSize: 2, masterAddr: "127.0.0.1", masterPort });
 * } catch (e) {
 *   code = (e as XlirError).code; // rank outside 0..worldSize-1, refused before any connection
 * }
 * console.assert(code === "CONFIG");
 * ```
 */
export class ProcessGroup {
  #h: GroupHandle | null;
  readonly rank: number;
  readonly worldSize: number;
  readonly localRank: number;
  readonly timeoutMs: number;

  private constructor(h: GroupHandle, o: DistributedOptions, timeoutMs: number) {
    this.#h = h;
    this.rank = o.rank;
    this.worldSize = o.worldSize;
    this.localRank = o.localRank ?? o.rank;
    this.timeoutMs = timeoutMs;
  }

  /** Joins the group; blocks until every rank has joined (or throws INTERRUPTED after the timeout). */
  static init(o: DistributedOptions): ProcessGroup {
    checkOptions(o);
    const timeoutMs = o.timeoutMs ?? DEFAULT_DIST_TIMEOUT_MS;
    const rendezvousTimeoutMs = o.rendezvousTimeoutMs ?? timeoutMs;
    const h = call(() =>
      nativeDist().distInit({
        rank: o.rank,
        worldSize: o.worldSize,
        masterAddr: o.masterAddr,
        masterPort: o.masterPort,
        timeoutMs,
        rendezvousTimeoutMs,
      }),
    );
    return new ProcessGroup(h, o, timeoutMs);
  }

  private get handle(): GroupHandle {
    if (this.#h === null) throw new Error("process group was already destroyed");
    return this.#h;
  }

  /** In place on every tensor: the elementwise sum (avg: mean, min, max) over the ranks. One collective per dtype. */
  allreduce(tensors: Tensor[], op: ReduceOp = "sum"): void {
    call(() =>
      nativeDist().distAllreduce(
        this.handle,
        tensors.map((t) => t.handle),
        op,
      ),
    );
  }

  /**
   * Replaces the gradient of each parameter by its mean (average) or sum over the ranks, all
   * gradients in one bucket per dtype. A rank without a gradient for a parameter contributes
   * zeros; a parameter with a gradient on no rank keeps none. Returns how many have one.
   */
  allreduceGrads(params: Tensor[], average = true): number {
    return call(() =>
      nativeDist().distAllreduceGrads(
        this.handle,
        params.map((p) => p.handle),
        average,
      ),
    );
  }

  /** Overwrites every rank's tensors with rank `root`'s, in place. */
  broadcast(tensors: Tensor[], root = 0): void {
    call(() =>
      nativeDist().distBroadcast(
        this.handle,
        tensors.map((t) => t.handle),
        root,
      ),
    );
  }

  /** The reduction of plain numbers over the ranks (float64). */
  allreduceNumbers(values: readonly number[], op: ReduceOp = "sum"): number[] {
    return tidy(() => {
      const t = tensor(Float64Array.from(values), [values.length], "float64");
      this.allreduce([t], op);
      return Array.from(t.toFloat64());
    });
  }

  /** Returns once every rank has called it. */
  barrier(): void {
    call(() => nativeDist().distBarrier(this.handle));
  }

  /** Leaves the group (rank 0 stops the store); the group is unusable afterwards. */
  destroy(): void {
    if (this.#h !== null) nativeDist().distDestroy(this.#h);
    this.#h = null;
  }
}

function checkOptions(o: DistributedOptions): void {
  const int = (v: number, what: string, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new XlirError("CONFIG", `${what} must be an integer in ${lo}..${hi}, got ${v}`);
  };
  int(o.worldSize, "world size", 1, 65536);
  int(o.rank, "rank", 0, o.worldSize - 1);
  int(o.masterPort, "master port", 1, 65535);
  if (o.masterAddr.trim() === "") throw new XlirError("CONFIG", "master address is empty");
  for (const t of [o.timeoutMs, o.rendezvousTimeoutMs])
    if (t !== undefined && !(Number.isInteger(t) && t >= 1))
      throw new XlirError("CONFIG", `distributed timeouts must be positive integers (ms), got ${t}`);
}

/** Native failures of the collective become XlirError INTERRUPTED with gloo's message. */
function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof XlirError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.startsWith("distributed ")) throw new XlirError("INTERRUPTED", msg, { cause: e });
    throw e;
  }
}

/** The torchrun variables a rank reads. */
export const TORCHRUN_ENV = ["RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK"] as const;

/**
 * Distributed options from the torchrun environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT,
 * LOCAL_RANK), or null when none of RANK / WORLD_SIZE is set. Partial or malformed settings are a
 * CONFIG error naming the variable. LOCAL_RANK defaults to RANK.
 * @example
 * ```ts
 * import { distributedFromEnv, XlirError } from "xlir";
 * const o = distributedFromEnv({ RANK: "1", WORLD_SIZE: "2", MASTER_ADDR: "127.0.0.1", MASTER_PORT: "29500" });
 * console.assert(o !== null && o.rank === 1 && o.worldSize === 2 && o.masterPort === 29500);
 * console.assert(distributedFromEnv({}) === null); // not launched by torchrun: one process
 * let code = "";
 * try {
 *   distributedFromEnv({ RANK: "0", WORLD_SIZE: "2" }); // MASTER_ADDR and MASTER_PORT missing
 * } catch (e) {
 *   code = (e as XlirError).code;
 * }
 * console.assert(code === "CONFIG");
 * ```
 */
export function distributedFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DistributedOptions | null {
  if (env.RANK === undefined && env.WORLD_SIZE === undefined) return null;
  const missing = ["RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"].filter(
    (k) => env[k] === undefined || env[k] === "",
  );
  if (missing.length)
    throw new XlirError(
      "CONFIG",
      `torchrun environment incomplete: ${missing.join(", ")} not set (RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT are all needed)`,
    );
  const int = (k: string): number => {
    const v = env[k]!;
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n))
      throw new XlirError("CONFIG", `${k} must be a non-negative integer, got '${v}'`);
    return n;
  };
  const o: DistributedOptions = {
    rank: int("RANK"),
    worldSize: int("WORLD_SIZE"),
    masterAddr: env.MASTER_ADDR!,
    masterPort: int("MASTER_PORT"),
    localRank: env.LOCAL_RANK === undefined || env.LOCAL_RANK === "" ? undefined : int("LOCAL_RANK"),
  };
  checkOptions(o);
  return o;
}
