/**
 * Debian packages as data: `apt-get download NAME` into `<cache>/debs`, `dpkg -x` into
 * `<cache>/unpacked/NAME` (no install, no root needed for unpacking). Unpacked folders are
 * reused; a `.xlir-version` file inside records the package version.
 */
import { spawnSync } from "node:child_process";
import { promises as fsp, existsSync } from "node:fs";
import { join } from "node:path";
import { XlirError } from "../errors.js";

export interface DebPackage {
  name: string;
  version: string;
  licence: string;
  /** Root of the unpacked tree. */
  dir: string;
}

/** Licence of each package family, as docs/data.md records it. */
export function debianLicence(name: string): string {
  if (name.startsWith("dict-freedict-")) return "GPL-2+";
  if (name.startsWith("libreoffice-") || name.startsWith("firefox-esr")) return "MPL-2.0";
  return "see /usr/share/doc/<package>/copyright";
}

/** True when apt-get and dpkg-deb can be run on this machine. */
export function aptAvailable(): boolean {
  const a = spawnSync("apt-get", ["--version"], { stdio: "ignore" });
  const d = spawnSync("dpkg-deb", ["--version"], { stdio: "ignore" });
  return !a.error && a.status === 0 && !d.error && d.status === 0;
}

/** The names among `names` for which apt knows a candidate version (one `apt-cache policy` call). */
export function aptKnown(names: string[]): Set<string> {
  const known = new Set<string>();
  if (names.length === 0) return known;
  const r = spawnSync("apt-cache", ["policy", ...names], { encoding: "utf8", maxBuffer: 64 << 20 });
  let current = "";
  for (const line of (r.stdout ?? "").split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head) current = head[1];
    const m = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (m && m[1] !== "(none)" && current) known.add(current);
  }
  return known;
}

let updated = false;

/** A package every Debian/Ubuntu archive has: when apt knows no candidate for it, the lists are empty. */
const LISTS_PROBE = "libreoffice-help-en-us";

async function findDeb(debs: string, name: string): Promise<string | undefined> {
  const files = (await fsp.readdir(debs).catch(() => [] as string[]))
    .filter((f) => f.startsWith(`${name}_`) && f.endsWith(".deb"))
    .sort();
  return files.length ? join(debs, files[files.length - 1]) : undefined;
}

/**
 * Downloads (if not cached) the named packages in one `apt-get download` call; names apt does
 * not know are returned in `missing`. `apt-get update` runs at most once per process, and only
 * when the package lists look empty.
 */
export async function downloadDebs(names: string[], cacheDir: string): Promise<{ missing: string[] }> {
  const debs = join(cacheDir, "debs");
  await fsp.mkdir(debs, { recursive: true });
  const need: string[] = [];
  for (const n of names)
    if (!(await findDeb(debs, n)) && !existsSync(join(cacheDir, "unpacked", n, ".xlir-version")))
      need.push(n);
  if (need.length === 0) return { missing: [] };
  let known = [...aptKnown(need)];
  // Package lists look empty (a fresh container): one `apt-get update`, then ask again.
  if (known.length === 0 && !updated && aptKnown([LISTS_PROBE]).size === 0) {
    updated = true;
    spawnSync("apt-get", ["update"], { stdio: "ignore" });
    known = [...aptKnown(need)];
  }
  if (known.length) {
    const r = spawnSync("apt-get", ["download", ...known], { cwd: debs, encoding: "utf8" });
    if (r.status !== 0) {
      // Retry one by one so a single failure does not lose the rest.
      for (const n of known) spawnSync("apt-get", ["download", n], { cwd: debs, stdio: "ignore" });
    }
  }
  const missing: string[] = [];
  for (const n of need) if (!(await findDeb(debs, n))) missing.push(n);
  return { missing };
}

/** Unpacks a downloaded package (cached); undefined when its .deb is not in the cache. */
export async function unpackDeb(name: string, cacheDir: string): Promise<DebPackage | undefined> {
  const dir = join(cacheDir, "unpacked", name);
  const stamp = join(dir, ".xlir-version");
  if (existsSync(stamp))
    return { name, version: (await fsp.readFile(stamp, "utf8")).trim(), licence: debianLicence(name), dir };
  const deb = await findDeb(join(cacheDir, "debs"), name);
  if (!deb) return undefined;
  const v = spawnSync("dpkg-deb", ["-f", deb, "Version"], { encoding: "utf8" });
  if (v.status !== 0)
    throw new XlirError("CORRUPT", `${deb}: dpkg-deb cannot read it (${(v.stderr ?? "").trim()})`);
  const version = v.stdout.trim();
  const tmp = `${dir}.tmp-${process.pid}`;
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.mkdir(tmp, { recursive: true });
  const x = spawnSync("dpkg-deb", ["-x", deb, tmp], { encoding: "utf8" });
  if (x.status !== 0)
    throw new XlirError("CORRUPT", `${deb}: dpkg-deb -x failed (${(x.stderr ?? "").trim()})`);
  await fsp.writeFile(join(tmp, ".xlir-version"), version + "\n");
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.rename(tmp, dir);
  return { name, version, licence: debianLicence(name), dir };
}
