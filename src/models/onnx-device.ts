/**
 * ONNX Runtime execution provider for a device name (cpu, cuda, cuda:N). "cuda" asks for the CUDA
 * execution provider, which exists only where onnxruntime-node's CUDA binaries are installed
 * (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`, CUDA 12 + cuDNN 9 runtime on the
 * machine; see README "GPUs"). When it cannot be used the session is created on the CPU instead, and
 * one message says so; when it can, one message says that CUDA runs. The CPU needs no message.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as OrtTypes from "onnxruntime-node";
import { XlirError } from "../errors.js";

type Ort = typeof OrtTypes;

/** Where ONNX Runtime messages about the provider go (default: stderr, once per distinct message). */
let report: (message: string) => void = (m) => process.stderr.write(`xlir: ${m}\n`);
const said = new Set<string>();

/** Replaces the reporter of provider messages (a server or a test may collect them). */
export function setOnnxProviderReporter(fn: (message: string) => void): void {
  report = fn;
}

function say(m: string): void {
  if (said.has(m)) return;
  said.add(m);
  report(m);
}

/** The CUDA device index of a device name, or null for the CPU; malformed names are a USAGE error. */
export function cudaIndex(device: string): number | null {
  const m = /^(cpu|cuda(?::(\d+))?)$/.exec(device);
  if (!m) throw new XlirError("USAGE", `device '${device}' is not a device: cpu, cuda or cuda:N`);
  return m[1] === "cpu" ? null : Number(m[2] ?? 0);
}

/** Whether onnxruntime-node's CUDA provider library is installed next to its binding (it is not bundled on npm). */
export function onnxCudaInstalled(): boolean {
  try {
    const bin = path.join(
      path.dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json")),
      "bin",
    );
    for (const napi of readdirSync(bin)) {
      if (
        existsSync(path.join(bin, napi, process.platform, process.arch, "libonnxruntime_providers_cuda.so"))
      )
        return true;
    }
  } catch {
    return false;
  }
  return false;
}

const INSTALL_HINT =
  "it needs onnxruntime-node's CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node), CUDA 12 and cuDNN 9";

/**
 * Opens an inference session on `device`: the CUDA execution provider (with the CPU for nodes it
 * does not take) when asked for and usable, else the CPU with a message naming the reason.
 */
export async function createOnnxSession(
  ort: Ort,
  model: Uint8Array,
  options: OrtTypes.InferenceSession.SessionOptions,
  device = "cpu",
): Promise<OrtTypes.InferenceSession> {
  const index = cudaIndex(device);
  if (index !== null && !onnxCudaInstalled()) {
    say(
      `ONNX Runtime's CUDA execution provider is not installed; running on the CPU provider (${INSTALL_HINT})`,
    );
  } else if (index !== null) {
    try {
      const s = await ort.InferenceSession.create(model, {
        ...options,
        executionProviders: [{ name: "cuda", deviceId: index }, "cpu"],
      });
      say(`ONNX Runtime runs on the CUDA execution provider (cuda:${index})`);
      return s;
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split("\n")[0].slice(0, 300);
      say(
        `ONNX Runtime's CUDA execution provider is not usable (${why}); running on the CPU provider (${INSTALL_HINT})`,
      );
    }
  }
  return ort.InferenceSession.create(model, { ...options, executionProviders: ["cpu"] });
}
