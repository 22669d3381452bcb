/**
 * Reads a synthetic safetensors checkpoint larger than Node's 2 GiB buffer limit and reports the
 * peak resident memory. Prints one JSON object; the files are deleted at the end.
 *
 *   node --import tsx scripts/dev/models-big-safetensors.ts [--gib 3] [--dir /tmp]
 *
 * The folder holds test/fixtures/tiny-bert's config and tokenizer and a model.safetensors of
 * (a) tiny-bert's encoder tensors and (b) `cls.predictions.extra.<i>` F16 tensors of 256 MiB each
 * filling it to --gib GiB (an MLM head that xlir never keeps). The file is written by streaming
 * (never whole in memory). Then:
 *   1. loadHfFolder: hashes the whole file (streamed) and decodes only the encoder tensors;
 *   2. every big tensor read one at a time with SafetensorsFile.read (decoded to float32) and dropped;
 *   3. fs.readFile of the whole file, the old way, for comparison (fails above 2 GiB).
 * Peak RSS comes from process.resourceUsage().maxRSS after each phase.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { loadHfFolder } from "../../src/models/hf.js";
import { SafetensorsFile } from "../../src/models/safetensors.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const gib = Number(arg("gib", "3"));
const base = arg("dir", "/tmp");
const MiB = 1024 * 1024;
const rssMiB = () => process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB

const dir = await fs.mkdtemp(path.join(base, "xlir-big-"));
try {
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"])
    await fs.copyFile(path.join("test/fixtures/tiny-bert", f), path.join(dir, f));
  // the encoder tensors of tiny-bert, raw
  const src = await SafetensorsFile.open("test/fixtures/tiny-bert/model.safetensors");
  const small: { name: string; dtype: string; shape: number[]; bytes: Buffer }[] = [];
  const fh0 = await fs.open(src.file, "r");
  for (const e of src.entries.values()) {
    const b = Buffer.alloc(e.end - e.start);
    await fh0.read(b, 0, b.length, e.start);
    small.push({ name: e.name, dtype: e.dtype, shape: e.shape, bytes: b });
  }
  await fh0.close();
  await src.close();
  const bigBytes = 256 * MiB;
  const nBig = Math.ceil((gib * 1024 * MiB) / bigBytes);
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let off = 0;
  for (const t of small) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.length] };
    off += t.bytes.length;
  }
  for (let i = 0; i < nBig; i++) {
    header[`cls.predictions.extra.${i}`] = {
      dtype: "F16",
      shape: [bigBytes / 2 / 4096, 4096],
      data_offsets: [off, off + bigBytes],
    };
    off += bigBytes;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const file = path.join(dir, "model.safetensors");
  const fh = await fs.open(file, "w");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  await fh.write(len);
  await fh.write(json);
  for (const t of small) await fh.write(t.bytes);
  const chunk = Buffer.alloc(16 * MiB);
  for (let i = 0; i < chunk.length; i += 2) chunk.writeUInt16LE(0x3c00 + ((i >> 1) % 512), i); // f16 values near 1
  for (let i = 0; i < nBig; i++) for (let w = 0; w < bigBytes; w += chunk.length) await fh.write(chunk);
  await fh.close();
  const size = (await fs.stat(file)).size;
  const rssAfterWrite = rssMiB();

  const t0 = performance.now();
  const m = await loadHfFolder(dir);
  const loadS = (performance.now() - t0) / 1000;
  const keptBytes = [...m.weights.values()].reduce((a, t) => a + t.data.byteLength, 0);
  const rssAfterLoad = rssMiB();

  const t1 = performance.now();
  const f = await SafetensorsFile.open(file);
  let checksum = 0;
  for (let i = 0; i < nBig; i++) {
    const t = await f.read(`cls.predictions.extra.${i}`);
    checksum += t.data[t.data.length - 1];
  }
  await f.close();
  const readAllS = (performance.now() - t1) / 1000;
  const rssAfterTensors = rssMiB();

  let wholeFile: string;
  try {
    const b = await fs.readFile(file);
    wholeFile = `read ${b.length} bytes`;
  } catch (e) {
    wholeFile = `fails: ${(e as NodeJS.ErrnoException).code ?? ""} ${(e as Error).message.split("\n")[0]}`;
  }
  console.log(
    JSON.stringify(
      {
        file_bytes: size,
        file_gib: size / 1024 ** 3,
        tensors: small.length + nBig,
        peak_rss_mib_after_write: Math.round(rssAfterWrite),
        load_hf_folder: {
          seconds: loadS,
          kept_tensors: m.weights.size,
          kept_mib: keptBytes / MiB,
          hash: m.hash,
          peak_rss_mib: Math.round(rssAfterLoad),
        },
        read_every_big_tensor: {
          tensors: nBig,
          tensor_mib_as_f32: (bigBytes * 2) / MiB,
          seconds: readAllS,
          checksum,
          peak_rss_mib: Math.round(rssAfterTensors),
        },
        whole_file_read_the_old_way: wholeFile,
      },
      null,
      2,
    ),
  );
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
