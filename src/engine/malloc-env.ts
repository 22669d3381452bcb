/**
 * glibc's allocator and libtorch on small machines: every tensor of 128 KiB or more that libtorch
 * frees is handed back to the kernel (munmap, or a trimmed heap), so the next one of its size
 * faults its pages in again, 4 KiB at a time. A contrastive student step at 64 tokens allocates
 * several [B, B, m, n] tensors of 67 MB: measured here 1.1 million page faults in 30 s of
 * `bench ot --distill-step --seq 64`. With glibc's `hugetlb` tunable (glibc 2.35+) malloc asks for
 * transparent huge pages (madvise), one fault per 2 MiB: 58 thousand faults, contrastive step
 * 1,726 -> 725 ms; 200 real student steps 25% (contrastive) and 19% (OT) faster, and bit-identical
 * weights. Older glibc and other C libraries ignore the variable.
 */

/** The tunable xlir sets for itself and its child processes. */
export const MALLOC_TUNABLE = "glibc.malloc.hugetlb=1";

/**
 * `env` with `GLIBC_TUNABLES` extended by MALLOC_TUNABLE (which takes effect in processes started
 * with it), unless the user set `glibc.malloc.hugetlb` already or `XLIR_MALLOC_TUNABLES=0`.
 * @example
 * ```ts
 * import { withMallocTunables } from "xlir";
 * console.assert(withMallocTunables({}).GLIBC_TUNABLES === "glibc.malloc.hugetlb=1");
 * console.assert(withMallocTunables({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }).GLIBC_TUNABLES === "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
 * console.assert(withMallocTunables({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" }).GLIBC_TUNABLES === "glibc.malloc.hugetlb=0");
 * console.assert(withMallocTunables({ XLIR_MALLOC_TUNABLES: "0" }).GLIBC_TUNABLES === undefined);
 * ```
 */
export function withMallocTunables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.XLIR_MALLOC_TUNABLES === "0") return { ...env };
  const current = env.GLIBC_TUNABLES ?? "";
  if (current.split(":").some((t) => t.startsWith("glibc.malloc.hugetlb="))) return { ...env };
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${MALLOC_TUNABLE}` : MALLOC_TUNABLE };
}
